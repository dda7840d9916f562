"""True division and powers the interpreter never specialises (`x / y` of two floats or two
ints, `x ** 0.5`): coir takes the operands as doubles (exact floats and compact ints), divides
inline, and computes `x ** c` (c a float constant) by C's `pow`, deoptimising to the interpreter
for anything else. Results must stay the interpreter's when operands change type (ints beyond a
digit, bools, int subclasses, Fractions, complex numbers, strings), for zero divisors
(ZeroDivisionError with the interpreter's traceback), for powers the interpreter raises on or
makes complex (zero to a negative power, negative bases, overflow), and for infinities, NaNs and
negative zeros."""
import sys

from tb_frames import frames
from fractions import Fraction


class MyFloat(float):
    def __truediv__(self, other):
        return "MyFloat.__truediv__"


def ratios(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            out.append(x / y)
    return out


def chain(xs):
    # Divisions and a power feeding float arithmetic: nothing boxed between them.
    t = 0.0
    for x in xs:
        d = x * x + 1.0
        t += 1.0 / (d * d ** 0.5) + x / 3
    return t


def powers(xs):
    out = []
    for x in xs:
        out.append((x ** 0.5, x ** 1.5, x ** -2.0, x ** 2.0))
    return out


def average(values):
    total = 0
    for v in values:
        total += v
    total /= len(values)
    return total


floats = [0.5, -2.25, 1e300, 3.0, 7.125]
ints = [1, -7, 3, 2**20]
for _ in range(30):
    a = ratios(floats, [3.0, -0.25])
    b = ratios(ints, [2, -3])
    c = chain(floats)
    d = powers([0.25, 2.0, 10.0, 1e-5])
    e = average(ints)
print(a, b, c, d, e, sep="\n")
print(ratios([2**70, True, 7], [3, 2**65]))
print(ratios([float("inf"), float("nan"), -0.0, 0.0], [2.0, -1.0, float("inf")]))
print(ratios([Fraction(1, 3), MyFloat(2.0), 1 + 2j], [2, 0.5]))
print(ratios([1e308], [1e-10]), chain([1e200, -0.0]), average([0.5, 1.5, True]))
print(powers([1.0, 1e-100, 1e100, float("inf")]))
print(powers([4, 2**70, True]))
print(powers([-8.0, -1]))
for xs in ([0.0], [-0.0], [1e308], [1e-300], [float("nan")]):
    try:
        print(powers(xs))
    except (ZeroDivisionError, OverflowError) as err:
        print(type(err).__name__, err)
try:
    print(ratios(["a"], [1.0]))
except TypeError as err:
    print("TypeError", err)


for xs, ys in (([1.5], [2.0, 0.0]), ([2], [0]), ([0.0], [0]), ([3, 4], [-0.0])):
    try:
        ratios(xs, ys)
    except ZeroDivisionError as err:
        print("ZeroDivisionError", err, frames(err))
try:
    average([])
except ZeroDivisionError as err:
    print("ZeroDivisionError", err, frames(err))
refs = sys.getrefcount(floats[0])
for _ in range(20):
    ratios(floats, [3.0])
    chain(floats)
print(sys.getrefcount(floats[0]) - refs)
