# inheritance, method overriding, super(), multiple inheritance and the MRO


class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError

    def describe(self):
        return f"{self.name} with area {self.area():.2f}"


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, s):
        super().__init__(s, s)
        self.name = "square"

    def describe(self):
        return "SQUARE: " + super().describe()


class Base:
    def hello(self):
        return ["Base"]


class Left(Base):
    def hello(self):
        return ["Left"] + super().hello()


class Right(Base):
    def hello(self):
        return ["Right"] + super().hello()


class Diamond(Left, Right):
    def hello(self):
        return ["Diamond"] + super().hello()


class Mixin:
    def tag(self):
        return f"[{type(self).__name__}]"


class Tagged(Mixin, Square):
    pass


shapes = [Rect(2, 3), Square(4), Tagged(1.5)]
for s in shapes:
    print(s.describe(), s.tag() if isinstance(s, Mixin) else "")
print(Diamond().hello())
print([c.__name__ for c in Diamond.__mro__])
print([c.__name__ for c in Tagged.__mro__])
try:
    Shape("abstract").describe()
except NotImplementedError:
    print("NotImplementedError raised")
print(issubclass(Square, Shape), isinstance(Tagged(1), Rect), Square.__bases__[0].__name__)


class Explicit(Rect):
    def area(self):
        return super(Explicit, self).area() * 10


print(Explicit(2, 2).describe())
total = 0
for i in range(1, 300):
    total += Square(i % 7).area() + Rect(i, 2).area()
print(total)
