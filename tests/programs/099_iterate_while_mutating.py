"""for loops over lists and tuples (their iterators advanced inline in compiled code) while the
list grows, shrinks, is cleared or replaced, the tuple iterator exhausted and resumed, and the
methods loaded and attributes stored with the interpreter's feedback while the type changes."""


def grow(xs):
    out = []
    for x in xs:
        out.append(x)
        if len(xs) < 12:
            xs.append(x * 2)
    return out


def shrink(xs):
    seen = []
    for x in xs:
        seen.append(x)
        if xs:
            xs.pop()
    return seen, xs


def clear_midway(xs):
    seen = []
    for i, x in enumerate(xs):
        seen.append(x)
        if i == 2:
            xs.clear()
    return seen


def tuples(t):
    total = 0
    for x in t:
        for y in t:
            total += x * y
    return total


def resume(it):
    first = []
    for x in it:
        first.append(x)
        if len(first) == 2:
            break
    rest = [x for x in it]
    again = [x for x in it]
    return first, rest, again


class Point:
    def __init__(self, x):
        self.x = x

    def bump(self):
        self.x += 1
        return self.x


class Slotted:
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def bump(self):
        self.x += 2
        return self.x


def drive(objs):
    total = 0
    for o in objs:
        total += o.bump()
        o.x = o.x * 3 % 1000
    return total


def main():
    for _ in range(60):
        r = (grow([1, 2, 3]), shrink(list(range(9))), clear_midway(list("abcdef")),
             tuples((1, 2, 3, 4)), resume(iter([5, 6, 7, 8])), resume(iter((9, 10, 11))))
    print(r)
    pts = [Point(i) for i in range(5)] + [Slotted(i) for i in range(5)]
    for _ in range(200):
        t = drive(pts)
    print(t, [p.x for p in pts])
    # The type changes under compiled code: a method replaced, an instance attribute
    # shadowing the method, a dict materialised.
    Point.bump = lambda self: -1
    print(drive(pts))
    pts[0].bump = lambda: 100
    print(drive(pts), pts[0].__dict__.keys() if hasattr(pts[0], "__dict__") else None)
    vars(pts[1])["y"] = 5
    print(drive(pts), sorted(vars(pts[1])))


main()
