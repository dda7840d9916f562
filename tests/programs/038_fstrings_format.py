# f-strings, str.format, % formatting, conversions, nested format specs
import datetime


class Thing:
    def __init__(self, n):
        self.n = n

    def __repr__(self):
        return f"Thing(n={self.n})"

    def __str__(self):
        return f"thing#{self.n}"

    def __format__(self, spec):
        if spec == "loud":
            return f"THING {self.n}!"
        return format(str(self), spec)


def row(name, qty, price):
    return f"|{name:<10}|{qty:>5d}|{price:>10.2f}|{qty * price:>12,.2f}|"


t = Thing(7)
print(f"{t}", f"{t!r}", f"{t!s}", f"{t:loud}", f"{t:>12}|", f"{t=}")
x, y = 10, 3
print(f"{x + y} {x * y:05d} {x / y:.4f} {x // y} {x % y} {x ** y:,}")
print(f"{x=} {y = } {x + y=}")
width, prec = 12, 3
print(f"{3.14159265:{width}.{prec}f}|", f"{'centered':^{width}}|", f"{'fill':*>{width}}|")
print(f"{255:#x} {255:#o} {255:#b} {255:X} {-255:08x} {65:c}")
print(f"{'nested ' + f'{x:>3}'}", f"{'quote'!r}", f"{{braces}}", f"{[1, 2][1]}")
print(f"{1234567:,} {1234567:_} {0.25:%} {0.125:.1%}")
d = datetime.date(2024, 3, 9)
print(f"{d:%Y/%m/%d}", f"{d.isoformat()}", "{:%d.%m.%Y}".format(d))
print("{} {} {}".format(1, "two", 3.0), "{2}{1}{0}".format("a", "b", "c"), "{0[1]} {1[k]}".format([5, 6], {"k": "v"}))
print("%s is %d years and %.1f%% done" % ("job", 3, 45.678), "%(a)s-%(b)03d" % {"a": "x", "b": 7})
print("%5s|%-5s|%05.1f|%x|%o|%e|%c" % ("ab", "cd", 3.14159, 255, 8, 12345.678, 66))
print(row("apple", 3, 0.5))
print(row("watermelon", 12, 3.25))
print(row("kiwi", 1000, 1234.5))
lines = []
for i in range(15):
    lines.append(f"{i:02d}:{i * i:>4}:{'#' * (i % 6):<6}:{i / 3:.2f}")
print("\n".join(lines))
name = "multi"
print(f"""{name}
line {x}""")
print(f"{'a' if x > 5 else 'b'}", f"{(lambda v: v * 2)(21)}", f"{','.join(str(i) for i in range(4))}")
