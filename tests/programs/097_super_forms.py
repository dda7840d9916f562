# super() attribute and method loads in every form the interpreter specialises
# (LOAD_SUPER_ATTR_ATTR / _METHOD: no super object) and the ones it does not.
class Base:
    tag = "base"

    def hello(self, x):
        return f"Base.hello({x})"

    @property
    def prop(self):
        return "Base.prop"

    @classmethod
    def cm(cls):
        return f"Base.cm({cls.__name__})"

    @staticmethod
    def sm(y):
        return f"Base.sm({y})"


class Child(Base):
    tag = "child"

    def hello(self, x):
        return "Child>" + super().hello(x)

    def attrs(self):
        return (super().tag, super().prop, super().cm(), super().sm(3), super().hello)

    def two_arg(self):
        return super(Child, self).hello(2), super(Base, self).__class__.__name__

    @classmethod
    def ccm(cls):
        return "Child.ccm>" + super().cm()


class Picky(Child):
    # A custom __getattribute__: the method form cannot skip binding.
    def __getattribute__(self, name):
        return object.__getattribute__(self, name)

    def hello(self, x):
        return "Picky>" + super().hello(x)


class Broken(Base):
    def missing(self):
        return super().nope

    def wrong_self(self):
        return super(Child, self).hello(1)


def run():
    out = []
    for obj in (Child(), Picky()):
        out.append(obj.hello(1))
        a = obj.attrs()
        out.append((a[0], a[1], a[2], a[3], a[4](9)))
        out.append(obj.two_arg())
    out.append(Child.ccm())
    b = Broken()
    for f in (b.missing, b.wrong_self):
        try:
            f()
        except (AttributeError, TypeError) as e:
            out.append(f"{type(e).__name__}: {e}")
    return out


def shadowed():
    # A module-level `super` that is not the builtin: the generic path calls it.
    global super
    real = super

    class FakeSuper:
        def __init__(self, *args):
            self.args = len(args)

        def __getattr__(self, name):
            return f"fake {name} with {self.args} args"

    super = FakeSuper

    class K(Base):
        def f(self):
            return super().hello

    try:
        return K().f()
    finally:
        super = real


for _ in range(3):
    for line in run():
        print(line)
print(shadowed())
print(Child().hello("last"))
