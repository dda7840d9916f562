# __getattr__, __getattribute__, __setattr__, descriptors, __slots__, __init_subclass__


class Lazy:
    def __init__(self):
        self.loaded = {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        print("  computing", name)
        value = len(name)
        self.__dict__[name] = value
        return value


class Audited:
    def __setattr__(self, name, value):
        print(f"  set {name}={value!r}")
        super().__setattr__(name, value)


class Typed:
    def __init__(self, kind):
        self.kind = kind

    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.name)

    def __set__(self, obj, value):
        if not isinstance(value, self.kind):
            raise TypeError(f"{self.name[1:]} must be {self.kind.__name__}")
        setattr(obj, self.name, value)


class Person:
    name = Typed(str)
    age = Typed(int)

    def __init__(self, name, age):
        self.name = name
        self.age = age


class PluginBase:
    plugins = []

    def __init_subclass__(cls, key=None, **kw):
        super().__init_subclass__(**kw)
        cls.key = key or cls.__name__.lower()
        PluginBase.plugins.append(cls.key)


class Alpha(PluginBase):
    pass


class Beta(PluginBase, key="b"):
    pass


class Counted:
    def __getattribute__(self, name):
        if name == "magic":
            return "intercepted"
        return object.__getattribute__(self, name)


lz = Lazy()
print(lz.hello, lz.hello, lz.abc)
try:
    lz._private
except AttributeError as e:
    print("AttributeError:", e)
a = Audited()
a.x = 1
a.y = [2]
print(vars(a))
p = Person("ann", 33)
print(p.name, p.age, sorted(vars(p)))
try:
    p.age = "old"
except TypeError as e:
    print("TypeError:", e)
print(PluginBase.plugins, Alpha.key, Beta.key)
c = Counted()
c.real = 5
print(c.magic, c.real, getattr(c, "magic"))
total = 0
for i in range(2000):
    p.age = i
    total += p.age
print(total)
