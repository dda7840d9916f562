"""`//` and `%` alone (not in a run of arithmetic), which the interpreter never specialises:
coir divides two compact ints inline and leaves everything else to the generic operation.
Results must stay the interpreter's for negative operands (floor rounding: `-7 // 2 == -4`,
`-7 % 2 == 1`, `7 % -2 == -1`), the extremes of a compact int, ints beyond a digit, zero
divisors (ZeroDivisionError with the interpreter's message and traceback), bools (`True // 1`
is an int), floats, int subclasses with their own operators, and str and bytes formatting,
which share `%`."""
import sys

# expect-exit: 1


class Odd(int):
    def __floordiv__(self, other):
        return "Odd.__floordiv__"

    def __rmod__(self, other):
        return "Odd.__rmod__"


def divmods(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            try:
                q = x // y
            except ZeroDivisionError as e:
                q = f"ZeroDivisionError({e})"
            try:
                r = x % y
            except ZeroDivisionError as e:
                r = f"ZeroDivisionError({e})"
            out.append((q, r))
    return out


def in_place(xs, d):
    out = []
    for x in xs:
        a = x
        a //= d
        b = x
        b %= d
        out.append((a, b))
    return out


def collatz_len(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def digits(n):
    out = []
    while n:
        out.append(n % 10)
        n = n // 10
    return out


def fmt(x):
    return "%s-%d" % (x, 3) if isinstance(x, str) else b"<%s>" % x


def divide_by(x, d):
    return x // d


def main():
    big = 2**40 + 3
    xs = [0, 1, 7, -7, 6, -6, 2**30 - 1, -(2**30) + 1, big, -big, True, 7.5, -0.0]
    ys = [1, 2, -2, 3, -3, 0, 2**30 - 1, big, True, False, 2.5]
    for row in divmods(xs, ys):
        print(row)
    print(in_place(xs[:8], 3), in_place(xs[:8], -4))
    print(in_place([Odd(9)], 2), divmods([5], [Odd(3)]))
    print([collatz_len(n) for n in range(1, 60)], collatz_len(837799))
    print(digits(9876543210), digits(123))
    print(fmt("a"), fmt(b"b"))
    print(type(True // 1).__name__, type(True % True).__name__)
    try:
        divide_by(5, 0)
    except ZeroDivisionError:
        tb = sys.exc_info()[2]
        while tb.tb_next:
            tb = tb.tb_next
        print("raised at line", tb.tb_lineno, "in", tb.tb_frame.f_code.co_name)
    divide_by(1, 0)


main()
