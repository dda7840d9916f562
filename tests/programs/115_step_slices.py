"""`x[a:b:c]`: BUILD_SLICE 3 and the subscript lowered as one call; on an exact list with None
or compact-int bounds and step, the items are taken without a slice object. Every sign of
step and bound, out-of-range and empty slices, the new list each time, and what stays
generic: tuples, str, subclasses, bools, big ints, objects with __index__, and the errors
(a zero step, a bound that is not an index) with their tracebacks."""
import sys
import traceback


class L(list):
    def __getitem__(self, k):
        return ("L", k.start, k.stop, k.step) if isinstance(k, slice) else super().__getitem__(k)


class Idx:
    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


def cut(x, a, b, c):
    return x[a:b:c]


def rev(x, k):
    return x[k::-1]


def every(x, c):
    return x[::c]


def flips(perm):
    p = perm[:]
    n = 0
    k = p[0]
    while k:
        p[:k + 1] = p[k::-1]
        n += 1
        k = p[0]
    return n, p


def main():
    base = list(range(10))
    bounds = [None, 0, 1, 3, 9, 10, 11, -1, -3, -10, -11, 100, -100]
    steps = [None, 1, 2, 3, -1, -2, -3, 9, -9, 20, -20]
    rows = []
    for a in bounds:
        for b in bounds:
            for c in steps:
                rows.append(cut(base, a, b, c))
    print(len(rows), sum(len(r) for r in rows), rows[5], rows[-7], rows[123], rows[777])
    print([rev(base, k) for k in (0, 1, 5, 9, 10, -1, -10, 42)])
    print([every(base, c) for c in (1, 2, -1, -3, 11)])
    r1 = cut(base, None, None, 1)
    print(r1 == base, r1 is base, cut([], None, None, -1), cut([1], 5, 0, -1))
    print(cut((1, 2, 3, 4), None, None, -1), cut("abcdef", 1, None, 2), cut(L([1, 2]), 1, 2, 3))
    print(cut(base, True, 8, 2), cut(base, Idx(2), Idx(9), Idx(3)), cut(base, 2 ** 70, None, -1),
          cut(base, None, None, -(2 ** 70)))
    print(flips([3, 1, 4, 0, 2]), flips(list(range(8))[::-1]))
    for bad in ((None, None, 0), ("a", None, 1), (None, 2.5, 1), (None, None, "x")):
        try:
            cut(base, *bad)
        except (ValueError, TypeError):
            traceback.print_exc(file=sys.stdout)
    try:
        cut(None, 1, 2, 3)
    except TypeError as e:
        print("TypeError", e)


main()
