"""Module attributes read in hot code (`math.sqrt`, `mod.value`): coir reads an exact module's
attribute through a cell of the module's dict that a dict watcher keeps current. Every change
must show at once: rebinding and deleting the attribute (AttributeError, and a module
`__getattr__` answering instead), writes through `mod.__dict__`, a non-str key in the dict,
attributes of the module type itself (`__dict__`, `__class__`), a ModuleType subclass with a
property, and a different module at the same site."""
import math
import sys
import types

# expect-exit: 1

mod = types.ModuleType("mod")
mod.value = 10
mod.scale = 2.5


class Special(types.ModuleType):
    @property
    def value(self):
        return "Special.value"


def read_value(m):
    return m.value


def read_many(m, n):
    t = 0
    for _ in range(n):
        t += m.value
    return t


def length(x, y):
    return math.sqrt(x * x + y * y) + math.pi


def kinds(m):
    return type(m.__dict__).__name__, m.__class__.__name__, m.__name__


def main():
    print(read_many(mod, 50), length(3.0, 4.0))
    mod.value = 11
    print(read_many(mod, 3), read_value(mod))
    mod.__dict__["value"] = 12
    print(read_value(mod))
    del mod.value
    try:
        read_value(mod)
    except AttributeError as e:
        print("AttributeError", e)
    mod.__getattr__ = lambda name: f"module __getattr__({name})"
    print(read_value(mod))
    mod.value = 13
    print(read_value(mod))
    mod.__dict__[1] = "non-str key"
    print(read_value(mod), read_many(mod, 2))
    other = types.ModuleType("other")
    other.value = 99
    print(read_value(other), read_value(mod), read_value(Special("special")))
    saved = math.sqrt
    math.sqrt = lambda v: -v
    print(length(3.0, 4.0))
    math.sqrt = saved
    math.pi = 3
    print(length(3.0, 4.0))
    math.pi = 3.141592653589793
    print(kinds(mod), kinds(math), kinds(sys))
    sys.modules["mod"] = mod
    del mod.__getattr__
    del mod.value
    read_value(mod)


main()
