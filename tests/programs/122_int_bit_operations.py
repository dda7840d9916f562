"""`&`, `|` and `^` of ints, which the interpreter specialises for two compact ints
(BINARY_OP_EXTEND): coir computes them on the values, alone, in runs of arithmetic
(`(h * 31 + c) & 0xFFFF`), and in inlined bodies. Results must stay the interpreter's for
negative operands (two's complement: `-3 & -2 == -4`, results just past a compact int), for
ints beyond a digit (`2**40`), bools (`True & 1` is an int, `True & True` a bool), int
subclasses with their own operators, and sets, which share the operators."""
import sys


class Flags(int):
    def __and__(self, other):
        return "Flags.__and__"

    def __or__(self, other):
        return "Flags.__or__"


def bits(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            out.append((x & y, x | y, x ^ y))
    return out


def in_place(xs):
    acc = 0
    mask = 0
    flip = 0
    for x in xs:
        acc |= x
        mask &= x
        flip ^= x
    return acc, mask, flip


def hash_run(xs):
    h = 0
    for x in xs:
        h = (h * 31 + x) & 0xFFFF
        h = h ^ (x & 7) | 1
    return h


def low(x):
    return x & 255


def mixed(x, y):
    return (x | y) - (x & y) == (x ^ y)


def via_inline(xs):
    t = 0
    for x in xs:
        t += low(x)
    return t


def main():
    compact = [0, 1, 2, 7, 255, 1023, -1, -2, -3, (1 << 30) - 1, -((1 << 30) - 1), 12345]
    for _ in range(4):
        r1 = bits(compact, compact)
        r2 = in_place(compact)
        r3 = hash_run(list(range(300)))
        r4 = via_inline(list(range(-50, 400)))
        r5 = [mixed(x, y) for x in compact for y in compact]
    print(len(r1), sum(a + b + c for a, b, c in r1), r2, r3, r4, all(r5))
    print(r1[-5:])
    # Past a digit, bools, subclasses, sets, and a type error, through the same code.
    others = [1 << 40, -(1 << 40), True, False, Flags(6), 3]
    for x in others:
        for y in others:
            try:
                print(repr(x), repr(y), bits([x], [y]))
            except TypeError as e:
                print("TypeError", e)
    print(bits([{1, 2}], [{2, 3}]))
    print(in_place([1 << 35, 7, -1]), hash_run([1 << 40, 3]), via_inline([1 << 33, -(1 << 31)]))
    try:
        bits([1.5], [2])
    except TypeError as e:
        print("TypeError", e)
    try:
        low("x")
    except TypeError as e:
        print("TypeError", e)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
