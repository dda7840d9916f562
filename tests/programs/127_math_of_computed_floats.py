"""A math function called on a float computed just before (`sqrt(x * x + y * y)`): coir passes
the value itself to the inline computation and boxes it only where the call is made (the
callable rebound, an argument outside the domain). The results, the values a replacement
callable receives, and the tracebacks (ValueError from the call, errors from the arithmetic)
must stay the interpreter's."""
import math
import sys

# expect-exit: 1
from math import sqrt


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def length(self):
        return math.sqrt(self.x * self.x + self.y * self.y)


def norm(x, y):
    return sqrt(x * x + y * y)


def shifted(x, d):
    return sqrt(x - d)


def lengths(vs):
    return [v.length() for v in vs]


def run():
    out = []
    for i in range(40):
        out.append(norm(i * 0.5, 1.25) + shifted(float(i), -0.5))
    return out


def main():
    print(run()[-3:])
    print(lengths([Vec(3.0, 4.0), Vec(1.5, 2.0), Vec(3, 4), Vec(True, 2.5)]))
    print(norm(3, 4), norm(2**40, 1.0), norm(1e200, 1e200))
    global sqrt
    saved = sqrt
    sqrt = lambda v: ("replacement", v, type(v).__name__)
    print(norm(1.5, 2.0), shifted(2.0, 0.25))
    sqrt = saved
    math.sqrt = lambda v: ("module replacement", v)
    print(lengths([Vec(0.5, 1.5)]))
    math.sqrt = saved
    print(run()[:2])
    for args in ((1.0, 2.0), (1.0, "a")):
        try:
            print(shifted(*args))
        except (ValueError, TypeError) as e:
            tb = sys.exc_info()[2]
            while tb.tb_next:
                tb = tb.tb_next
            print(type(e).__name__, e, "line", tb.tb_lineno)
    shifted(0.0, 3.0)


main()
