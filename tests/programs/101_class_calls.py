# expect-exit: 1
"""Calling classes from compiled code: ordinary classes (allocated and initialised inline),
__init__ that returns something, raises, is replaced or deleted; abstract classes, classes with
__new__, metaclasses with __call__, subclasses of builtins, keyword arguments, slots."""
import abc


class Plain:
    def __init__(self, a, b=2):
        self.a = a
        self.b = b


class Slotted:
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v


class ReturnsSomething:
    def __init__(self):
        return 42


class Raises:
    def __init__(self, n):
        if n % 3 == 0:
            raise ValueError(f"bad {n}")
        self.n = n


class WithNew:
    def __new__(cls, x):
        o = super().__new__(cls)
        o.made_by_new = True
        return o

    def __init__(self, x):
        self.x = x


class Meta(type):
    def __call__(cls, *args):
        o = super().__call__(*args)
        o.via_meta = True
        return o


class Metaed(metaclass=Meta):
    def __init__(self, x):
        self.x = x


class Abstract(abc.ABC):
    @abc.abstractmethod
    def f(self):
        pass

    def __init__(self):
        self.made = True


class MyList(list):
    def __init__(self, n):
        super().__init__(range(n))
        self.n = n


class NoInit:
    pass


class Counted:
    made = 0

    def __init__(self):
        Counted.made += 1


def make(n):
    out = []
    for i in range(n):
        p = Plain(i)
        q = Plain(i, b=i * 2)
        s = Slotted(i)
        k = Plain(a=i, b=-i)
        out.append((p.a, p.b, q.b, k.b, s.v, WithNew(x=i).x, Metaed(i).via_meta, len(MyList(n=i % 4)), type(NoInit()).__name__))
        try:
            Raises(i)
        except ValueError as e:
            out.append(str(e))
        Counted()
    return out


def errors():
    res = []
    for cls, args in ((ReturnsSomething, ()), (Abstract, ()), (Plain, ()), (Plain, (1, 2, 3)), (Slotted, (1, 2))):
        try:
            cls(*args)
            res.append("ok")
        except TypeError as e:
            res.append(str(e))
    for call in (lambda: Plain(b=1), lambda: Plain(1, c=2), lambda: Slotted(v=1, w=2), lambda: NoInit(x=1)):
        try:
            call()
            res.append("ok")
        except TypeError as e:
            res.append(str(e))
    return res


def main():
    for _ in range(30):
        r = make(7)
        e = errors()
    print(r)
    print(e)
    print(Counted.made)
    # __init__ replaced, then deleted (object.__init__ then refuses arguments).
    def new_init(self, a, b=5):
        self.a = -a
    Plain.__init__ = new_init
    print([vars(Plain(i)) for i in range(3)])
    del Plain.__init__
    print(errors())
    print(ReturnsSomething())


main()
