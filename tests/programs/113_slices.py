"""Slices `x[a:b]` and `x[a:b] = v`: coir takes the slice of an exact list, tuple or str directly
when the bounds are None or compact ints. Every sign and size of bound, empty and full slices
(a tuple's or str's full slice is the object itself), assignment that grows, shrinks and
inserts (`s[5:2] = v` inserts before 5), a list assigned into itself, and what stays generic:
subclasses, bools, big ints, objects with __index__, other iterables as values (and the
interpreter's error for a value that is not iterable)."""


class L(list):
    def __getitem__(self, k):
        return ("L", k.start, k.stop) if isinstance(k, slice) else super().__getitem__(k)


class Idx:
    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


def cut(x, a, b):
    return x[a:b]


def head(x, b):
    return x[:b]


def tail(x, a):
    return x[a:]


def put(x, a, b, v):
    x[a:b] = v
    return x


bounds = [None, 0, 1, 2, 5, 7, 100, -1, -3, -7, -100, True, False, 2**40, -(2**40), Idx(2), Idx(-2)]
for seq in ([10, 11, 12, 13, 14, 15, 16], (1, 2, 3, 4, 5), "héllo wörld", "abcdef", "", [], ()):
    out = []
    for a in bounds:
        for b in bounds:
            r = cut(seq, a, b)
            out.append(r)
            if len(r) == len(seq) and type(seq) is not list:
                out.append(r is seq)
        out.append(head(seq, a))
        out.append(tail(seq, a))
    print(type(seq).__name__, len(out), out[:6], out[-6:], hash(str(out)) == hash(str(out)))
    print(sum(len(x) if not isinstance(x, bool) else 0 for x in out))

print(cut(L([1, 2, 3]), 0, 2), cut(L([1, 2, 3]), None, None))

results = []
for a in bounds:
    for b in bounds:
        for v in ([], [9], [8, 9, 10], (7,), "xy", range(2), iter([5, 6])):
            base = list(range(6))
            results.append(tuple(put(base, a, b, v)))
print(len(results), results[:4], results[-4:])
print(sum(x for r in results for x in r if isinstance(x, int)), sum(len(r) for r in results))

s = [1, 2, 3, 4]
print(put(s, 1, 3, s))
s = [1, 2, 3, 4]
print(put(s, 5, 2, [0]))
print(put([1, 2, 3], -2, None, (4, 5, 6, 7)))

for bad in (5, None, 3.5):
    try:
        put([1, 2, 3], 0, 1, bad)
    except TypeError as e:
        print("TypeError", e)
try:
    cut([1, 2], 1.5, 2)
except TypeError as e:
    print("TypeError", e)
try:
    cut(5, 0, 1)
except TypeError as e:
    print("TypeError", e)
