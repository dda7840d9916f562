# classmethods, staticmethods, alternative constructors, class-level state


class Date:
    created = 0

    def __init__(self, y, m, d):
        self.y, self.m, self.d = y, m, d
        type(self).created += 1

    @classmethod
    def from_string(cls, s):
        y, m, d = map(int, s.split("-"))
        return cls(y, m, d)

    @classmethod
    def count(cls):
        return cls.created

    @staticmethod
    def is_leap(y):
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)

    def days_in_month(self):
        table = [31, 29 if self.is_leap(self.y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return table[self.m - 1]

    def __repr__(self):
        return f"{type(self).__name__}({self.y:04d}-{self.m:02d}-{self.d:02d})"


class FancyDate(Date):
    created = 0


a = Date(2024, 2, 10)
b = Date.from_string("2023-02-01")
c = FancyDate.from_string("2000-12-31")
print(a, b, c)
print(a.days_in_month(), b.days_in_month(), c.days_in_month())
print(Date.count(), FancyDate.count(), a.count())
print([y for y in range(1890, 2030) if Date.is_leap(y)][:12])
print(Date.is_leap(1900), a.is_leap(2000), FancyDate.is_leap(2024))
leaps = 0
for y in range(1, 4001):
    if Date.is_leap(y):
        leaps += 1
print("leaps", leaps)
print(type(Date.__dict__["is_leap"]).__name__, type(Date.__dict__["count"]).__name__)
m = Date.from_string
print(m("1999-01-01"), m.__self__.__name__)
