# expect-exit: 1
"""Runs of arithmetic (`s * (s + 1) // 2 + i + 1`, `1.0 / (a * b + c)`) that coir computes in
machine words with only the result boxed: operands that are not compact ints (big ints, bools,
int subclasses, floats, strs, objects with their own operators) must take the interpreter's
path from the start of the run, zero divisors must raise where and what the interpreter raises,
and floor division, modulo and true division must round as CPython does, also for negative and
large values."""
import sys


def elem(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)


def poly(a, b, c):
    return a * a * 3 - b * 7 + c % 5 - (a - b) // 3


def mixed(a, b):
    return (a + b) * 2.5 - a / 4 + b * 0.5


def ratio(a, b, c):
    return (a * b) / (c - 3)


def mods(a, b):
    return a % b + a // b * 10


def big(a):
    return a * a * a + a * 7 - 1


def store_runs(items):
    out = []
    acc = 0
    k = 0
    for a, b in items:
        k += 1
        acc = acc + a * b
        t = a - b
        t //= 3
        out.append((k, acc, t))
    return out


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def compares(a, b, x):
    out = []
    if a * 2 < b + 1:
        out.append("lt")
    if a % 3 == b % 3:
        out.append("eq")
    if a * 1.5 >= x:
        out.append("ge")
    if a + b != x:
        out.append("ne")
    out.append(a - b > 0)
    return out


class Num:
    def __init__(self, v):
        self.v = v

    def __add__(self, o):
        return Num(self.v + (o.v if isinstance(o, Num) else o))

    __radd__ = __add__

    def __mul__(self, o):
        return Num(self.v * (o.v if isinstance(o, Num) else o))

    __rmul__ = __mul__

    def __sub__(self, o):
        return Num(self.v - (o.v if isinstance(o, Num) else o))

    def __floordiv__(self, o):
        return Num(self.v // (o.v if isinstance(o, Num) else o))

    def __mod__(self, o):
        return Num(self.v % (o.v if isinstance(o, Num) else o))

    def __repr__(self):
        return f"Num({self.v})"


class MyInt(int):
    def __add__(self, o):
        return MyInt(int(self) + int(o) + 1000)


def show(label, f, *args):
    try:
        r = f(*args)
    except Exception as e:
        print(label, args, "->", type(e).__name__, e)
    else:
        print(label, args, "->", repr(r), type(r).__name__)


def main():
    total = 0.0
    for i in range(300):
        for j in range(0, 300, 7):
            total += elem(i, j)
    print(f"{total:.12f}")
    acc = 0
    for a in range(-40, 40, 3):
        for b in range(-30, 30, 7):
            acc += poly(a, b, a - b)
            if b != 0:
                acc += mods(a, b)
    print(acc)
    for args in [(1, 2), (-7, 3), (2**29, 2**29), (2**30, 1), (-(2**30), -1), (True, 2), (3, False),
                 (MyInt(5), 2), (1.5, 2), ("a", 1), (Num(3), 4), (2**62, 3), (-(2**61), 2**40)]:
        show("poly", poly, args[0], args[1], 3)
        show("mixed", mixed, *args)
        show("mods", mods, *args)
        show("ratio", ratio, args[0], args[1], 3)
        show("ratio", ratio, args[0], args[1], 5)
    for a in [0, 1, -1, 2**20, 2**29 - 1, -(2**29), 2**30 - 1, -(2**30), 2**31, 2**40, 10**18, True]:
        show("big", big, a)
        show("elem", elem, a, 1)
        show("elem", elem, a, -a - 1)
    # True division of large ints must round as long_true_divide does.
    for a, b in [(2**53 + 1, 3), (2**40, 2**20), (10**15 + 7, 10**7 + 3), (3, 2**29 - 1)]:
        show("ratio", ratio, a, 1, b + 3)
    # Floor division and modulo with every sign.
    for a in (-17, -1, 0, 1, 17, 2**29, -(2**29)):
        for b in (-5, -1, 1, 5, 2**20):
            show("mods", mods, a, b)
    show("mods0", mods, 5, 0)
    print(sum(collatz(n) for n in range(1, 3000)), collatz(2**40 + 1), collatz(27))
    for args in [(1, 5, 1.5), (4, 2, 6), (2**52, 2**52, 2.0**53), (2**53 + 1, 0, 2.0**53 + 1),
                 (2**53 + 1, -1, 9007199254740992.0), (2**61, 3, 1e30), (True, 1, 2), (2.5, 1, 3.75),
                 ("ab", 1, 2), (Num(2), 1, 3), (MyInt(7), 2, 9.0), (-(2**40), 2**40, 0.0), (5, 0, float("nan"))]:
        show("cmp", compares, *args)
    show("store", store_runs, [(1, 2), (2**29, 2**29), (-5, 7), (True, 3), (2.5, 2), (MyInt(4), 1), (2**40, 2**30)])
    show("store", store_runs, [(3, 4), ("ab", 3)])
    show("store", store_runs, [(Num(2), 3), (4, 5)])
    kept = [n for n in range(300, 320)]
    shared = kept[5]
    print(store_runs([(shared, 1)] * 3), shared, kept[5])
    try:
        elem(-1, 0)
    except ZeroDivisionError:
        tb = sys.exc_info()[2]
        while tb.tb_next:
            tb = tb.tb_next
        print("zero at line", tb.tb_lineno - elem.__code__.co_firstlineno)
    elem(-1, 0)


main()
