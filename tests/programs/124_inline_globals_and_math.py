"""Small functions that read module globals, or call a `math` function imported by name, run
inline at their call sites: the body reads the global through the function's own dicts (a
cell kept up to date by a dict watcher) and computes `sqrt(x)` itself while `sqrt` is still
math.sqrt. Results and errors must stay the interpreter's when the global is rebound or
deleted (NameError), when the name no longer means math.sqrt, for arguments outside the
function's domain (ValueError with the interpreter's traceback), for ints, bools and floats
beyond the inline cases, and for a function with the same code but other globals."""
import sys
import types
from math import sqrt

SCALE = 2.0
OFFSET = 1


class P:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return sqrt(self.x * self.x + self.y * self.y)

    def scaled(self):
        return self.x * SCALE

    def shifted(self):
        self.x = self.x + OFFSET
        return self.x


def root(v):
    return sqrt(v)


def total(ps):
    t = 0.0
    for p in ps:
        t += p.norm() + p.scaled()
    return t


def shift_all(ps):
    s = 0
    for p in ps:
        s += p.shifted()
    return s


def roots(vs):
    out = []
    for v in vs:
        out.append(root(v))
    return out


def main():
    global SCALE, sqrt, OFFSET
    ps = [P(float(i), float(i + 1)) for i in range(6)]
    ints = [P(i, i + 1) for i in range(6)]
    for _ in range(6):
        a = total(ps)
        b = shift_all(ints)
        c = roots([4.0, 9, 2.25])
    print(a, b, c)
    SCALE = 10
    print(total(ps))
    del SCALE
    try:
        total(ps)
    except NameError as e:
        print("NameError", e)
    SCALE = 0.5
    print(total(ps))
    real = sqrt
    sqrt = lambda v: -v
    print(total(ps), roots([4.0]))
    sqrt = real
    print(total(ps), roots([16.0, 0, 1 << 40, True]))
    for bad in (-1.0, -4, float("nan"), float("inf"), "x"):
        try:
            print(roots([bad]))
        except (ValueError, TypeError) as e:
            print(type(e).__name__, e)
    OFFSET = 10
    print(shift_all(ints))
    OFFSET = 0.5
    print(shift_all(ints))
    other = types.FunctionType(root.__code__, {"sqrt": lambda v: "other sqrt"})
    print([other(4.0) for _ in range(3)], roots([25.0]))
    try:
        roots([-9.0])
    except ValueError:
        import traceback
        traceback.print_exc(file=sys.stdout)


if __name__ == "__main__":
    main()
