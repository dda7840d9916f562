"""Arithmetic where a float meets a compact int (the interpreter's BINARY_OP_EXTEND): coir takes
both as doubles inline, and anything else through the generic operation. Results must stay the
interpreter's when the operands later change type (two ints, ints beyond a digit, bools, int
subclasses, complex numbers, other types), when a divisor is zero (ZeroDivisionError with the
interpreter's traceback), and for infinities, NaNs, negative zeros and results that overflow."""
import sys

from tb_frames import frames


class MyInt(int):
    def __mul__(self, other):
        return "MyInt.__mul__"
    def __rtruediv__(self, other):
        return "MyInt.__rtruediv__"


def mix(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            out.append((x + y, x - y, y - x, x * y))
    return out


def div(xs, ys):
    out = []
    for x in xs:
        for y in ys:
            out.append(x / y)
    return out


def scale(values, k):
    t = 0.0
    for v in values:
        t += v * k - k / 2
    return t


floats = [0.5, -2.25, 1e300, 3.0]
ints = [1, -7, 0, 2**20]
for _ in range(30):
    a = mix(floats, ints)
    b = mix(ints, floats)
    c = div(floats, [3, -4, 7])
    d = div([3, 10], [0.5, -8.0])
    e = scale(ints, 0.5)
print(a[:6], b[-3:], c, d, e)
print(mix([1, 2**70, True], [3, 0.5]))
print(mix([float("inf"), float("nan"), -0.0], [0, -1, 2**40]))
print(div([7, -7, 2**62, 0.0, -0.0], [2, -3, 2.5]))
print(div([1e308], [1e-10, 3]), scale([1e308, 1e308], 10))
print(mix([MyInt(3)], [2.0])[0][3], div([2.5], [MyInt(5)]), mix([1.5], [2j]), div([3], [1 + 1j]))
print(scale([1, 2, 3], 4), scale([0.5], True), scale([], 2))
try:
    print(mix(["a"], [1.0]))
except TypeError as err:
    print("TypeError", err)


for xs, ys in (([1.5], [2, 0]), ([2], [0.0]), ([0.0], [0]), ([3, 4], [-0.0])):
    try:
        div(xs, ys)
    except ZeroDivisionError as err:
        print("ZeroDivisionError", err, frames(err))
refs = sys.getrefcount(floats[0])
for _ in range(20):
    mix(floats, ints)
print(sys.getrefcount(floats[0]) - refs)
