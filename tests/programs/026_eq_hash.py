# __eq__, __hash__, __lt__ and friends; objects as dict keys and set members
import functools


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        if not isinstance(other, Point):
            return NotImplemented
        return (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return f"P({self.x},{self.y})"


@functools.total_ordering
class Version:
    def __init__(self, s):
        self.parts = tuple(int(p) for p in s.split("."))

    def __eq__(self, other):
        return self.parts == other.parts

    def __lt__(self, other):
        return self.parts < other.parts

    def __hash__(self):
        return hash(self.parts)

    def __repr__(self):
        return "v" + ".".join(map(str, self.parts))


class NoHash:
    def __eq__(self, other):
        return True


p1, p2, p3 = Point(1, 2), Point(1, 2), Point(2, 1)
print(p1 == p2, p1 is p2, p1 != p3, p1 == (1, 2), hash(p1) == hash(p2))
d = {p1: "first"}
d[p2] = "second"
d[p3] = "third"
print(len(d), d[Point(1, 2)], sorted(d.values()))
s = {Point(i % 3, i % 2) for i in range(20)}
print(len(s), sorted(s, key=lambda p: (p.x, p.y)))
vs = [Version(x) for x in ["1.10.0", "1.2.3", "1.2.10", "0.9", "1.2.3"]]
print(sorted(vs))
print(Version("1.2") < Version("1.10"), Version("2.0") >= Version("2.0"), Version("3") > Version("2.99"))
print(max(vs), min(vs), len(set(vs)))
print(NoHash.__hash__ is None)
try:
    {NoHash()}
except TypeError as e:
    print("TypeError:", e)
print(NoHash() == 5, [1, 2].__eq__("x"))
eq_count = 0
for i in range(500):
    if Point(i % 10, 0) == Point(3, 0):
        eq_count += 1
print("eq_count", eq_count)
