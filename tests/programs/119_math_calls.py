"""Calls of math.sqrt, sin, cos, exp and log of one argument, which coir computes inline with
the C library's functions once the callable is found to be the math function (by a module
global, `from math import sqrt`, or by a module attribute, `math.sqrt`). Everything else is
the call's: ints beyond a digit, bools, subclasses, objects with __float__, arguments where
math raises (ValueError, OverflowError, with the interpreter's tracebacks) or returns
infinities and NaNs, a name bound to another function, and two-argument log."""
import math
import sys
from math import cos, exp, log, sin, sqrt

from tb_frames import frames


class F(float):
    pass


class I(int):
    pass


class Half:
    def __float__(self):
        return 0.5


def direct(xs):
    out = []
    for x in xs:
        out.append((sqrt(x), sin(x), cos(x), exp(x), log(x)))
    return out


def through_module(xs):
    t = 0.0
    for x in xs:
        t += math.sqrt(x) + math.sin(x) * math.cos(x) - math.exp(x) / 1e3 + math.log(x)
    return t


def one(f, xs):
    out = []
    for x in xs:
        try:
            out.append(f(x))
        except (ValueError, OverflowError, TypeError) as e:
            out.append(type(e).__name__ + ": " + str(e))
    return out


def use_sqrt(xs):
    return [sqrt(x) for x in xs]


values = [0.5, 1, 2.25, 7, 1e-300, 123.0, 20, 3.5]
for _ in range(30):
    r = direct(values), through_module(values), use_sqrt(values)
print(r)
print(direct([True, F(2.5), I(9), Half(), 708.9, 709.0]), one(sqrt, [2**70, 1e308]))
for f in (sqrt, sin, cos, exp, log):
    print(f.__name__, one(f, [-1.0, -0.0, 0.0, 0, -3, float("inf"), float("-inf"), float("nan"), 709.5, 710.0, -1e308, "x", 10**400]))
print(through_module([1e-5, 2]), one(math.sqrt, [-2.0, 16]))
print(math.log(8, 2), [log(x, 10) for x in (100, 1000.0)])


for bad in ([4.0, -1.0], [1.0, 0.0], [800.0]):
    try:
        direct(bad)
    except (ValueError, OverflowError) as e:
        print(type(e).__name__, e, frames(e, skip=0))
saved = sqrt
sqrt = lambda x: -x
print(use_sqrt([4.0, 9]), direct([1.0])[0][0])
sqrt = saved
print(use_sqrt([4.0, 9]))
x = 2.0
refs = sys.getrefcount(x)
for _ in range(50):
    use_sqrt([x, x])
print(sys.getrefcount(x) - refs)
