# list / set / dict comprehensions, nested, with conditions, scoping


def squares(n):
    return [i * i for i in range(n)]


def evens_odds(n):
    return [("even" if i % 2 == 0 else "odd") for i in range(n) if i % 3 != 0]


def matrix(n, m):
    return [[r * m + c for c in range(m)] for r in range(n)]


def transpose(mat):
    return [[row[i] for row in mat] for i in range(len(mat[0]))]


def flat(mat):
    return [x for row in mat for x in row if x % 2 == 0]


def inverted(d):
    return {v: k for k, v in d.items()}


def word_lengths(words):
    return {w: len(w) for w in words if len(w) > 2}


def remainders(n, mod):
    return sorted({i % mod for i in range(n)})


def comp_uses_closure(k):
    return [x + k for x in range(5)]


def comp_in_class():
    class C:
        base = [1, 2, 3]
        doubled = [x * 2 for x in base]

    return C.doubled


def pythagorean(limit):
    return [(a, b, c) for a in range(1, limit) for b in range(a, limit) for c in range(b, limit)
            if a * a + b * b == c * c]


print(squares(12))
print(evens_odds(15))
m = matrix(3, 4)
print(m)
print(transpose(m))
print(flat(m))
print(inverted({"a": 1, "b": 2, "c": 3}))
print(word_lengths(["a", "bb", "ccc", "dddd", "eeeee"]))
print(remainders(100, 7))
print(comp_uses_closure(10))
print(comp_in_class())
print(pythagorean(30))
x = "outer x"
lst = [x for x in range(3)]
print(x, lst)
print({(i, j): i * j for i in range(3) for j in range(3) if i <= j})
print([[y for y in range(x)] for x in range(5)])
print(sum(len(squares(i)) for i in range(50)))
