"""Fannkuch-redux: for every permutation of 1..N count the pancake flips (reverse the first
perm[0] elements) until the first element is 1; report a signed checksum and the maximum
(after the Computer Language Benchmarks Game). List slicing and small integer loops.

Usage: fannkuch.py [N [REPEAT]]   (default N=9, i.e. 9! = 362880 permutations, done 3 times)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 9
DEFAULT_REPEAT = 3


def count_flips(perm):
    p = perm[:]
    flips = 0
    k = p[0]
    while k:
        p[:k + 1] = p[k::-1]
        flips += 1
        k = p[0]
    return flips


def rotate_prefix(perm, r):
    """Rotate perm[0..r] (inclusive) left by one place."""
    first = perm[0]
    i = 0
    while i < r:
        perm[i] = perm[i + 1]
        i += 1
    perm[r] = first


def fannkuch(n):
    perm = list(range(n))
    count = [0] * n
    r = n
    checksum = 0
    max_flips = 0
    sign = 1
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        if perm[0]:
            f = count_flips(perm)
            if f > max_flips:
                max_flips = f
            checksum += sign * f
        sign = -sign
        while True:
            if r == n:
                return checksum, max_flips
            rotate_prefix(perm, r)
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    repeat = int(argv[2]) if len(argv) > 2 else DEFAULT_REPEAT
    t0 = time.perf_counter()
    results = set()
    for _ in range(repeat):
        results.add(fannkuch(size))
    if len(results) != 1:
        raise AssertionError("fannkuch results differ between repeats: %r" % (results,))
    checksum, max_flips = results.pop()
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum fannkuch n={size} sum={checksum} max_flips={max_flips}")


if __name__ == "__main__":
    main(sys.argv)
