# pure-python matrix operations: multiply, transpose, power, determinant, identity checks
from fractions import Fraction


def matmul(a, b):
    n, m, p = len(a), len(b), len(b[0])
    out = [[0] * p for _ in range(n)]
    for i in range(n):
        row = a[i]
        for k in range(m):
            aik = row[k]
            bk = b[k]
            for j in range(p):
                out[i][j] += aik * bk[j]
    return out


def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]


def matpow(m, e):
    result = identity(len(m))
    while e:
        if e & 1:
            result = matmul(result, m)
        m = matmul(m, m)
        e >>= 1
    return result


def det(m):
    m = [[Fraction(x) for x in row] for row in m]
    n = len(m)
    d = Fraction(1)
    for c in range(n):
        pivot = next((r for r in range(c, n) if m[r][c] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != c:
            m[c], m[pivot] = m[pivot], m[c]
            d = -d
        d *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n):
                m[r][k] -= f * m[c][k]
    return d


def show(m):
    for row in m:
        print(" ".join(f"{x:>8}" for x in row))


a = [[i * 4 + j for j in range(4)] for i in range(3)]
b = [[(i + j) % 5 - 2 for j in range(3)] for i in range(4)]
show(matmul(a, b))
print()
fibm = matpow([[1, 1], [1, 0]], 90)
print(fibm[0][1])
show(matpow([[2, 1, 0], [0, 1, 3], [1, 0, 1]], 7))
print(det([[2, 0, 1], [1, 3, 2], [1, 1, 1]]), det([[1, 2], [2, 4]]), det([[0, 1], [1, 0]]))
hilbert = [[Fraction(1, i + j + 1) for j in range(4)] for i in range(4)]
print(det(hilbert))
n = 20
m1 = [[(i * j + 1) % 7 for j in range(n)] for i in range(n)]
m2 = [[(i + 2 * j) % 5 for j in range(n)] for i in range(n)]
prod = matmul(m1, m2)
print(sum(map(sum, prod)), prod[3][:6], prod[-1][-3:])
print(matmul(identity(5), m1[:5]) == [r[:] for r in m1[:5]] or "mismatch")
