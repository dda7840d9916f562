"""`super().method()` calls, whose method coir remembers at each site by the type version of
self's class: the call must find what the interpreter finds after every change that could move
the answer. Several subclasses through one site (`super().step()` in a base shared by them), a
method replaced, added or deleted on a class in the MRO after the site is warm (on the class
super() starts after and on a class further up), `__class__` assigned on the instance, a
classmethod's super(), a property and a plain class attribute through super() (not methods:
never remembered), a class with its own `__getattribute__`, and `__bases__` reassigned."""


class Base:
    tag = "base-tag"

    def step(self, n):
        return n + 1

    def name(self):
        return "Base"

    @classmethod
    def make(cls):
        return "Base.make(" + cls.__name__ + ")"

    @property
    def prop(self):
        return "Base.prop"


class Mid(Base):
    def step(self, n):
        return super().step(n) * 2

    def name(self):
        return "Mid>" + super().name()

    @classmethod
    def make(cls):
        return "Mid>" + super().make()

    def tag_of(self):
        return super().tag

    def prop_of(self):
        return super().prop


class Left(Mid):
    pass


class Right(Mid):
    def name(self):
        return "Right>" + super().name()


class Other(Base):
    def step(self, n):
        return n - 1


class Loud(Mid):
    def __getattribute__(self, attr):
        return object.__getattribute__(self, attr)


def run(objs, rounds):
    out = []
    for _ in range(rounds):
        for o in objs:
            out.append((o.step(3), o.name()))
    return out


def main():
    objs = [Mid(), Left(), Right(), Loud()]
    print(run(objs, 30)[-4:])
    # Replace the method on the class super() reads from.
    Base.step = lambda self, n: n + 100
    print(run(objs, 3)[-4:])
    # Add an override between: Mid's super() now starts at a class that has it.
    class Between(Base):
        def step(self, n):
            return -n

    Mid.__bases__ = (Between,)
    print(run(objs, 3)[-4:], Mid.__mro__[1].__name__)
    Mid.__bases__ = (Base,)
    print(run(objs, 3)[-4:])
    # Delete it again: the lookup falls through to object and fails.
    del Base.step
    try:
        run(objs, 1)
    except AttributeError as e:
        print("AttributeError", e)
    Base.step = lambda self, n: n + 7
    print(run(objs, 3)[-4:])
    # An instance changes class between two calls at the same site.
    x = Left()
    for cls in (Left, Right, Left, Mid):
        x.__class__ = cls
        print(cls.__name__, x.step(1), x.name())
    print([Mid.make() for _ in range(3)], Left.make(), Right().make())
    print([(o.tag_of(), o.prop_of()) for o in objs])
    Base.tag = "new-tag"
    print([o.tag_of() for o in objs])
    print(run([Other()], 3)[-1])


main()
