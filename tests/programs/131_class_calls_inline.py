# expect-exit: 1
"""Calls of a class whose __init__ is small: coir allocates the instance and runs __init__'s
body inline. Every way out must stay the interpreter's: __init__ raising before and after its
stores (tracebacks through __init__), a subclass inheriting __init__ (the stores' type tests
fail and the interpreter finishes __init__), the class name rebound to another class or a
function, __init__ replaced on the class and its __code__ replaced, a class that gains a
__new__, a metaclass, slots and dicts, __del__ and weak references, refcounts, and a
TypeError for a wrong argument count. The last call raises out of main."""
import gc
import sys
import weakref
from math import cos, sin


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, t):
        x = sin(t)
        self.x = x
        self.y = cos(t) * 3.0
        self.z = x * x * 0.5


class Pair:
    def __init__(self, a, b):
        self.a = a
        self.b = b


class Checked:
    def __init__(self, v):
        if v < 0:
            raise ValueError(f"negative {v}")
        self.v = v
        self.half = v // 2


class Late:
    def __init__(self, v):
        self.v = v
        self.w = 100 // v


class SubPair(Pair):
    pass


class Ordered:
    def __init__(self, flip):
        if flip:
            self.b = 2
            self.a = 1
        else:
            self.a = 1
            self.b = 2
        self.c = 3


def ordered(n):
    out = []
    for i in range(n):
        o = Ordered(i % 2)
        if i % 3 == 0:
            del o.a
            o.a = "again"
        out.append(list(vars(o).items()))
    return out


class Noisy:
    deleted = 0

    def __init__(self, v):
        self.v = v

    def __del__(self):
        Noisy.deleted += 1


class Meta(type):
    def __call__(cls, *args):
        return ("Meta.__call__", cls.__name__, args)


class WithMeta(metaclass=Meta):
    def __init__(self, v):
        self.v = v


def make_vecs(n):
    out = []
    for i in range(n):
        out.append(Vec(i * 0.25))
    return out


def make_pairs(n):
    return [Pair(i, -i) for i in range(n)]


def make_sub(n):
    return [SubPair(i, str(i)) for i in range(n)]


def checked(vals):
    out = []
    for v in vals:
        try:
            c = Checked(v)
            out.append((c.v, c.half))
        except ValueError as e:
            out.append(str(e))
    return out


def late(vals):
    out = []
    for v in vals:
        try:
            out.append(Late(v).w)
        except ZeroDivisionError as e:
            out.append(("ZeroDivisionError", str(e), e.__traceback__.tb_next.tb_frame.f_code.co_name))
    return out


def noisy(n):
    refs = []
    for i in range(n):
        o = Noisy(i)
        refs.append(weakref.ref(o))
    return sum(r() is None for r in refs)


def pair_again(n):
    return [Pair(i, i) for i in range(n)]


def with_meta(n):
    return [WithMeta(i) for i in range(n)]


def pair_wrong(n):
    return Pair(n)


def late_raise(v):
    return Late(v)


def main():
    for rnd in range(40):
        vs = make_vecs(6)
        ps = make_pairs(5)
        subs = make_sub(3)
        cs = checked([4, -1, 7, 0, -3])
        ls = late([5, 0, 2])
        deleted = noisy(4)
        wm = with_meta(2)
        last = late_raise(rnd + 1)
        orders = ordered(6)
    print([(round(v.x, 6), round(v.y, 6), round(v.z, 6)) for v in vs])
    print([(p.a, p.b) for p in ps], [(type(s).__name__, s.a, s.b, s.__dict__) for s in subs])
    print(cs, ls, deleted, Noisy.deleted, wm)
    print(orders)
    p = Pair(1, 2)
    print(sys.getrefcount(p), len(gc.get_referrers(p)) >= 0, p.__dict__)
    try:
        pair_wrong(1)
    except TypeError as e:
        print("TypeError", e)
    rebinding()
    print(vars(last))
    late_raise(0)


def rebinding():
    global Pair
    original = Pair

    class Other:
        def __init__(self, a, b):
            self.total = a + b
    Pair = Other
    print([vars(x) for x in pair_again(3)])
    Pair = lambda a, b: ("lambda", a, b)
    print(pair_again(2))
    Pair = original

    def init2(self, a, b):
        self.a = a * 10
        self.b = b * 10
    old_init = Pair.__init__
    Pair.__init__ = init2
    print([vars(x) for x in pair_again(2)])
    Pair.__init__ = old_init

    def init3(self, a, b):
        self.a = "code3"
        self.b = (a, b)
    Pair.__init__.__code__, saved = init3.__code__, Pair.__init__.__code__
    print([vars(x) for x in pair_again(2)])
    Pair.__init__.__code__ = saved
    print([vars(x) for x in pair_again(2)])

    def new(cls, *args):
        obj = object.__new__(cls)
        obj.made_by_new = True
        return obj
    Pair.__new__ = new
    print([vars(x) for x in pair_again(2)])
    del Pair.__new__


main()
