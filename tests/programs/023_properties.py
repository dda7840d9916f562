# properties with getters, setters, deleters, and computed attributes
import math


class Temperature:
    def __init__(self, celsius):
        self._c = celsius

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._c = value

    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32

    @fahrenheit.setter
    def fahrenheit(self, f):
        self.celsius = (f - 32) * 5 / 9


class Circle:
    def __init__(self, r):
        self.r = r
        self._cache = None

    @property
    def area(self):
        if self._cache is None:
            print("  (computing area)")
            self._cache = math.pi * self.r ** 2
        return self._cache

    @area.deleter
    def area(self):
        print("  (cache cleared)")
        self._cache = None


class ReadOnly:
    __slots__ = ("_v",)

    def __init__(self, v):
        self._v = v

    v = property(lambda self: self._v, doc="read only value")


t = Temperature(25)
print(t.celsius, t.fahrenheit)
t.fahrenheit = 212
print(t.celsius, t.fahrenheit)
for val in (0, -40, 37.5, -300):
    try:
        t.celsius = val
        print("set", val, "->", round(t.fahrenheit, 3))
    except ValueError as e:
        print("rejected", val, e)

c = Circle(2)
print(round(c.area, 6))
print(round(c.area, 6))
del c.area
c.r = 3
print(round(c.area, 6))

ro = ReadOnly(11)
print(ro.v, ReadOnly.v.__doc__)
try:
    ro.v = 5
except AttributeError as e:
    print("AttributeError:", e)
try:
    ro.other = 1
except AttributeError as e:
    print("AttributeError:", e)
total = 0
for i in range(200):
    t.celsius = i
    total += t.fahrenheit
print(total)
