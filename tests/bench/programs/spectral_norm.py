"""Spectral norm of the infinite matrix A(i,j) = 1/((i+j)(i+j+1)/2 + i + 1), truncated to N x N
(after the Computer Language Benchmarks Game); power iteration on A^T A.

Usage: spectral_norm.py [N]   (default N=450, 10 power iterations)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 450
ITERATIONS = 10


def a_elem(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)


def row_dot(i, u):
    """(A u)[i]"""
    total = 0.0
    j = 0
    for x in u:
        total += a_elem(i, j) * x
        j += 1
    return total


def col_dot(i, u):
    """(A^T u)[i]"""
    total = 0.0
    j = 0
    for x in u:
        total += a_elem(j, i) * x
        j += 1
    return total


def mul_a(u):
    return [row_dot(i, u) for i in range(len(u))]


def mul_at(u):
    return [col_dot(i, u) for i in range(len(u))]


def mul_ata(u):
    return mul_at(mul_a(u))


def spectral_norm(n):
    u = [1.0] * n
    v = u
    for _ in range(ITERATIONS):
        v = mul_ata(u)
        u = mul_ata(v)
    vbv = 0.0
    vv = 0.0
    for a, b in zip(u, v):
        vbv += a * b
        vv += b * b
    return (vbv / vv) ** 0.5


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    result = spectral_norm(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum spectral_norm n={size} norm={result:.9f}")


if __name__ == "__main__":
    main(sys.argv)
