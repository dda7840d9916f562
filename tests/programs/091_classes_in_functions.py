# Classes and type-parameter scopes created inside functions (LOAD_BUILD_CLASS,
# LOAD_FROM_DICT_OR_DEREF / _GLOBALS in annotation and generic scopes).
def make_point_class(dims):
    scale = 10

    class Point:
        count = dims

        def __init__(self, *coords):
            self.coords = coords

        def scaled(self):
            return tuple(c * scale for c in self.coords)

        def __repr__(self):
            return f"Point{self.coords}"

    return Point


def generic_box():
    class Box[T]:
        def __init__(self, item: T):
            self.item = item

        def get(self) -> T:
            return self.item

    return Box


def annotated(x: int, y: "str" = "a") -> list[int]:
    return [x] * len(y)


P2 = make_point_class(2)
p = P2(1, 2)
print(p, p.scaled(), P2.count, P2.__name__, P2.__qualname__)
P3 = make_point_class(3)
print(P3(4, 5, 6).scaled(), P2 is P3)
B = generic_box()
print(B(41).get() + 1, B.__type_params__, B.__name__)
print(annotated(3, "xyz"), annotated.__annotations__)
try:
    class Broken(metaclass=lambda *a: 1 / 0):
        pass
except ZeroDivisionError as e:
    print("metaclass error:", e)
