# isinstance / issubclass / type checks, abstract base classes, dispatch on type
import numbers
from collections.abc import Iterable, Mapping, Sequence


class Animal:
    pass


class Dog(Animal):
    pass


class Robot:
    pass


def kind(x):
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int"
    if isinstance(x, float):
        return "float"
    if isinstance(x, str):
        return "str"
    if isinstance(x, (list, tuple)):
        return "seq:" + type(x).__name__
    if isinstance(x, Mapping):
        return "mapping"
    if isinstance(x, Animal):
        return "animal:" + type(x).__name__
    return "other:" + type(x).__name__


vals = [True, 3, 2.5, "s", [1], (1,), {"a": 1}, Dog(), Animal(), Robot(), None, 3 + 4j, b"x"]
for v in vals:
    print(kind(v), isinstance(v, numbers.Number), isinstance(v, Iterable), isinstance(v, Sequence))
print(issubclass(Dog, Animal), issubclass(Animal, Dog), issubclass(bool, int), issubclass(Dog, (Robot, Animal)))
print(type(True) is bool, type(1) is int, type(Dog()) is Animal, type(Dog()).__mro__[1] is Animal)
print(isinstance(Dog, type), isinstance(type, type), isinstance(object, type), isinstance(1, object))


class Meta(type):
    def __instancecheck__(cls, inst):
        return isinstance(inst, int) and inst % 2 == 0


class Even(metaclass=Meta):
    pass


print([x for x in range(10) if isinstance(x, Even)], isinstance("2", Even))
print(isinstance(1, int | str), isinstance("x", int | None), isinstance(None, int | None))
counts = {}
for i in range(3000):
    v = [i, float(i), str(i), (i,), [i]][i % 5]
    k = kind(v)
    counts[k] = counts.get(k, 0) + 1
print(sorted(counts.items()))
