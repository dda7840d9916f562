"""Calls of small methods that store attributes, which coir runs inline at the call site
(ir-cfg's lower/inline.rs). Once such a body has stored, it cannot be left for the ordinary call
(the store would happen twice): every way out of it finishes the call in the interpreter from
where the body stopped, in the callee's own frame. Everything must stay the interpreter's:
results when a value of another type turns up after a store, exceptions raised after a store
(tracebacks name the callee's line), a finalizer run by the value a store replaces (it sees the
callee's frame), an attribute deleted or a __dict__ made, a class changed between calls, and
the reference counts of the values stored."""
# expect-exit: 1
import gc
import sys
import traceback


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def take_max(self, other):
        if other.x > self.x:
            self.x = other.x
        if other.y > self.y:
            self.y = other.y
        if other.z > self.z:
            self.z = other.z
        return self

    def scale(self, k):
        self.x = self.x * k
        self.y = self.y * k
        self.z = self.z * k


class Counter:
    def __init__(self):
        self.hits = 0
        self.total = 0
        self.last = None

    def add(self, v):
        self.hits += 1
        self.total = self.total + v
        self.last = v

    def add_checked(self, v):
        self.hits += 1
        if v < 0:
            raise ValueError("negative")
        self.total = self.total + v


class Holder:
    def __init__(self, owner):
        self.owner = owner

    def bump(self):
        self.owner.hits += 1


class Noisy:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("del", self.name, "in", sys._getframe(1).f_code.co_name)


def reduce_max(points):
    acc = points[0]
    for i in range(1, len(points)):
        acc = acc.take_max(points[i])
    return acc


def feed(counter, values):
    for v in values:
        counter.add(v)
    return counter.hits, counter.total


def feed_checked(counter, values):
    for v in values:
        counter.add_checked(v)
    return counter.hits, counter.total


def bump_all(holders, n):
    for _ in range(n):
        for h in holders:
            h.bump()


def section(title):
    print("--", title)


section("stores through slots")
pts = [Vec(float(i % 7), float(i % 5), float(i % 11)) for i in range(200)]
for _ in range(30):
    m = reduce_max([Vec(p.x, p.y, p.z) for p in pts])
print(m.x, m.y, m.z)
for p in pts[:50]:
    p.scale(0.5)
print(pts[49].x, pts[49].y, pts[49].z)

section("a value of another type after a store")
mixed = [Vec(float(i), float(i), float(i)) for i in range(10)]
mixed[5].y = 100          # an int where the feedback saw floats: after x was stored
mixed[7].z = "z"          # a str: the comparison raises after x and y were stored
m = reduce_max(mixed[:7])
print(m.x, m.y, m.z)
try:
    reduce_max(mixed)
except TypeError as e:
    print("TypeError", e, [(f.name, f.lineno) for f in traceback.extract_tb(e.__traceback__)])
print(mixed[0].x, mixed[0].y, mixed[0].z)

section("instance values")
c = Counter()
for _ in range(40):
    feed(c, range(50))
print(feed(c, [1, 2.5, 3]), c.last)
big = 1 << 70
print(feed(c, [big, -big]), c.last == -big)

section("an exception after a store")
c2 = Counter()
for _ in range(40):
    feed_checked(c2, range(20))
try:
    feed_checked(c2, [1, 2, -3, 4])
except ValueError as e:
    print("ValueError", e, [(f.name, f.lineno) for f in traceback.extract_tb(e.__traceback__)])
print(c2.hits, c2.total)

section("an attribute deleted, a __dict__ made")
c3 = Counter()
for _ in range(40):
    feed(c3, range(10))
del c3.last
print(feed(c3, [7]), c3.last)
c4 = Counter()
for _ in range(40):
    feed(c4, range(10))
print(sorted(vars(c4)))
print(feed(c4, [8, 9]), c4.last, vars(c4)["hits"])

section("a finalizer run by the value replaced")
c5 = Counter()
for _ in range(40):
    feed(c5, range(10))
c5.last = Noisy("first")
print(feed(c5, [1]))
c5.last = Noisy("second")
keep = c5.last
print(feed(c5, [2]))
del keep
gc.collect()

section("a store through another object")
owner = Counter()
holders = [Holder(owner) for _ in range(10)]
bump_all(holders, 40)
print(owner.hits)
Counter.hits = property(lambda self: -1, lambda self, v: print("setter", v))
bump_all(holders[:1], 1)
del Counter.hits
bump_all(holders, 1)
print(owner.hits)

section("class changed between calls")
def take_max_ints(self, other):
    if other.x > self.x:
        self.x = other.x
    return self
for _ in range(5):
    reduce_max(pts)
Vec.take_max = take_max_ints
print(reduce_max(pts).x)

section("reference counts of the values stored")
c6 = Counter()
value = object()
for _ in range(40):
    feed(c6, range(10))
before = sys.getrefcount(value)
for _ in range(100):
    c6.last = None
    c6.total = 0
    c6.add.__func__  # keep the method hot
    Counter.add(c6, 0)
    c6.last = value
print(sys.getrefcount(value) - before)

section("uncaught after a store")
feed_checked(Counter(), [5, -1])
