"""Introspection of frames that run natively (issue 8, item 3): sys._getframe() and its
f_code, f_lineno, f_lasti and f_locals (read, and written through the write-through proxy),
a caller's f_locals, inspect.stack(), locals(), zero-argument super(), and tracebacks with
their columns and carets, from functions called often enough to be compiled."""
import inspect
import sys
import traceback


def frame_info(k):
    f = sys._getframe()
    x = k * 2
    loc = dict(f.f_locals)
    return (f.f_code.co_name, f.f_lineno, f.f_lasti >= 0, sorted(loc), x, f.f_back.f_code.co_name)


def caller_info(k):
    y = k + 1
    return inner(y)


def inner(y):
    st = inspect.stack()
    return [(s.function, s.lineno) for s in st[:3]], sys._getframe(1).f_locals.get("y")


def write_locals(k):
    z = 1
    sys._getframe().f_locals["z"] = k
    return z, sys._getframe().f_locals["z"]


def use_locals(k):
    a = k
    b = a + 1
    return sorted(locals().items())


class Base:
    def m(self, v):
        return ("Base", v)


class Child(Base):
    def m(self, v):
        return ("Child", super().m(v + 1))


def tb(k):
    try:
        return [1, 2][k] + ({}["missing"] if k == 0 else 0)
    except (KeyError, IndexError):
        return traceback.format_exc().splitlines()[-4:]


def main():
    for i in range(40):
        r = (frame_info(i), caller_info(i), write_locals(i), use_locals(i), Child().m(i), tb(i % 3))
    print(r)
    print(tb(5))


main()
