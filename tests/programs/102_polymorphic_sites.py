"""Attribute and method loads that meet several classes at one site (a base class's method
reading `self.x` of its subclasses, a loop over objects of several classes), while the classes
and instances change under them: attributes added, deleted and shadowed, methods replaced,
properties and __getattr__ added to a class, instance dicts materialised, __slots__ classes."""


class Base:
    def __init__(self, x):
        self.x = x
        self.y = x * 2

    def total(self):
        return self.x + self.y

    def scale(self, k):
        return self.total() * k


class A(Base):
    def total(self):
        return self.x - self.y


class B(Base):
    def __init__(self, x):
        self.z = 1
        super().__init__(x)


class C(B):
    pass


class D(Base):
    def total(self):
        return 100


class S:
    __slots__ = ("x", "y")

    def __init__(self, x):
        self.x = x
        self.y = -x

    def total(self):
        return self.x * self.y

    def scale(self, k):
        return self.total() + k


def run(objs, k):
    acc = 0
    for o in objs:
        acc += o.x
        acc += o.scale(k)
        acc += o.total()
    return acc


class P1:
    def __init__(self, v):
        self.v = v

    @property
    def value(self):
        return self.v * 2


class P2(P1):
    @property
    def value(self):
        if self.v == 13:
            raise ValueError("thirteen")
        return -self.v


class P3(P1):
    value = 5


def values(objs):
    out = 0
    for o in objs:
        try:
            out += o.value
        except ValueError as e:
            out += len(str(e))
    return out


def bump(objs):
    """Stores at one site into objects of several classes (a new attribute the first time)."""
    for o in objs:
        o.y = o.y + 1
        o.extra = 1


def put(objs, v):
    for o in objs:
        o.z = v


def report(objs):
    return [(type(o).__name__, o.x, o.total()) for o in objs]


def main():
    objs = [A(1), B(2), C(3), D(4), Base(5), S(6), A(7), C(8)]
    plain = [A(1), B(2), C(3), Base(5), A(7)]
    for _ in range(300):
        r = run(objs, 3)
        bump(plain)
    print(r, [(o.y, vars(o)) for o in plain])
    # A property with a setter, then __setattr__, on classes the store site has met.
    A.y = property(lambda self: 1, lambda self, v: setattr(self, "seen", v))
    bump(plain)
    B.__setattr__ = lambda self, name, v: object.__setattr__(self, name, v * 10 if name == "y" else v)
    bump(plain)
    vars(plain[3])["fresh"] = 2
    bump(plain)
    print([sorted(vars(o).items()) for o in plain])
    props = [P1(1), P2(2), P3(3), P2(13), P1(4)]
    for _ in range(300):
        pv = values(props)
    print(pv)
    P1.value = property(lambda self: 1000)
    print(values(props))
    props[2].value = 9
    print(values(props))
    # An instance attribute shadowing a method, on one object only.
    objs[0].total = lambda: -1000
    print(run(objs, 3))
    # A new attribute on one instance (the class's shared keys grow), then deleted.
    objs[1].w = 5
    print(run(objs, 3))
    del objs[1].w
    print(run(objs, 3))
    # A method replaced on a class, an attribute turned into a property.
    C.total = lambda self: 7
    print(run(objs, 3))
    D.x = property(lambda self: 42)
    print(run(objs, 3))
    # An instance dict materialised and an attribute removed from an instance.
    vars(objs[4])["q"] = 1
    del objs[4].y
    try:
        print(run(objs, 3))
    except AttributeError as e:
        print("AttributeError", e)
    objs[4].y = 0
    print(run(objs, 3))
    # __getattr__ on a base class; deleting an attribute it then supplies.
    Base.__getattr__ = lambda self, name: 11
    del objs[6].x
    print(run(objs, 3))
    print(report(objs))
    # A store site's entry whose slot was emptied (del), then a dict materialised: the value is
    # added back, in the instance's attribute order.
    three = [A(1), B(2), C(3), A(4)]
    for k in range(300):
        put(three, k)
    del three[1].z
    del three[3].z
    put(three, -1)
    vars(three[2])["late"] = 0
    put(three, -2)
    print([list(vars(o).items()) for o in three])


main()
