# operator overloading: arithmetic, reflected, in-place, unary, comparison, bool, abs


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def __sub__(self, o):
        return Vec(self.x - o.x, self.y - o.y)

    def __mul__(self, k):
        if isinstance(k, Vec):
            return self.x * k.x + self.y * k.y
        return Vec(self.x * k, self.y * k)

    def __rmul__(self, k):
        return self * k

    def __iadd__(self, o):
        self.x += o.x
        self.y += o.y
        return self

    def __neg__(self):
        return Vec(-self.x, -self.y)

    def __abs__(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def __bool__(self):
        return bool(self.x or self.y)

    def __eq__(self, o):
        return isinstance(o, Vec) and self.x == o.x and self.y == o.y

    def __repr__(self):
        return f"Vec({self.x}, {self.y})"


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __add__(self, o):
        if isinstance(o, int):
            return Money(self.cents + o)
        if isinstance(o, Money):
            return Money(self.cents + o.cents)
        return NotImplemented

    __radd__ = __add__

    def __truediv__(self, n):
        return Money(self.cents // n)

    def __floordiv__(self, n):
        return [Money(self.cents // n + (1 if i < self.cents % n else 0)) for i in range(n)]

    def __mod__(self, n):
        return self.cents % n

    def __lt__(self, o):
        return self.cents < o.cents

    def __repr__(self):
        return f"${self.cents // 100}.{self.cents % 100:02d}"


a, b = Vec(1, 2), Vec(3, -4)
print(a + b, a - b, a * 3, 3 * a, a * b, -a, abs(b), bool(Vec(0, 0)), bool(a))
c = a
c += b
print(c, a, c is a, a == Vec(4, -2))
acc = Vec(0, 0)
for i in range(1000):
    acc += Vec(i, -i) * 2
print(acc)
m = Money(1001)
print(m + 99, 5 + m, m + Money(1), m / 3, m // 3, m % 7)
print(sum([Money(150), Money(275), Money(5)], Money(0)))
print(sorted([Money(300), Money(5), Money(120)]))
try:
    m + "x"
except TypeError as e:
    print("TypeError:", e)
try:
    Vec(1, 1) < Vec(2, 2)
except TypeError as e:
    print("TypeError:", e)
