"""Calls of small pure methods and functions, which coir runs inline at the call site (ir-cfg's
lower/inline.rs) and leaves for the ordinary call whenever a test of the inlined body fails.
Everything a call shows must stay the interpreter's: results through polymorphic receivers
and __slots__, a method or its __code__ replaced, an attribute deleted (the AttributeError's
traceback names the callee's line), a property shadowing an instance attribute, values that
are not bools where the feedback saw bools, the recursion limit reached at the inlined call,
a pending signal handled in the callee's frame, and sys.settrace / sys.setprofile seeing
every call once switched on. Reference counts of the values read must not move."""
import os
import signal
import sys


class Task:
    def __init__(self, holding, pending, waiting):
        self.holding = holding
        self.pending = pending
        self.waiting = waiting
        self.link = None

    def blocked(self):
        return self.holding or (not self.pending and self.waiting)

    def get_link(self):
        return self.link

    def is_last(self):
        return self.link is None

    def has_link(self):
        return self.link is not None


class IdleTask(Task):
    pass


class WorkTask(Task):
    def __init__(self, holding, pending, waiting):
        super().__init__(holding, pending, waiting)
        self.extra = 1


class DeviceTask(Task):
    def __init__(self, holding, pending, waiting):
        self.first = 0
        super().__init__(holding, pending, waiting)


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def first(self):
        return self.a

    def either(self):
        return self.a or self.b


def identity(x):
    return x


def pick(flag, a, b):
    return a if flag else b


def count_blocked(tasks, rounds):
    n = 0
    for _ in range(rounds):
        for t in tasks:
            if t.blocked():
                n += 1
    return n


def walk(t):
    steps = 0
    while not t.is_last():
        t = t.get_link()
        steps += 1
    return steps


def links(tasks):
    return sum(1 for t in tasks if t.has_link())


def slotted_sum(items, rounds):
    total = 0
    for _ in range(rounds):
        for s in items:
            total += s.first()
            if s.either():
                total += 1
    return total


def plain_calls(n):
    total = 0
    for i in range(n):
        total += identity(i) + pick(i & 1, 1, 2)
    return total


def make_tasks():
    kinds = [Task, IdleTask, WorkTask, DeviceTask]
    tasks = []
    for i in range(16):
        t = kinds[i % 4](i % 3 == 0, i % 2 == 0, i % 5 != 0)
        tasks.append(t)
    for a, b in zip(tasks, tasks[1:]):
        a.link = b
    return tasks


def section(title):
    print("--", title)


def frames(e):
    """(function, line) of each frame in `e`'s traceback, outermost first."""
    tb = e.__traceback__
    out = []
    while tb is not None:
        out.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    return out


tasks = make_tasks()
section("polymorphic receivers")
for _ in range(30):
    r = count_blocked(tasks, 20)
print(r, walk(tasks[0]), links(tasks))

section("slots and plain functions")
items = [Slotted(i, i % 3 == 0) for i in range(10)] + [Slotted(0, None), Slotted("", [])]
for _ in range(30):
    r = slotted_sum(items[:10], 20)
print(r, plain_calls(2000))
try:
    slotted_sum(items, 1)
except TypeError as e:
    print("TypeError", e)

section("values that are not bools")
odd = make_tasks()
odd[1].holding = 0
odd[2].holding = []
odd[3].pending = "x"
odd[4].waiting = None
odd[5].holding = 2.5
print(count_blocked(odd, 3), [t.blocked() for t in odd[:7]])

section("method replaced")
original = Task.blocked
for _ in range(5):
    print(count_blocked(tasks, 10), end=" ")
Task.blocked = lambda self: "replaced"
print(count_blocked(tasks, 10), tasks[0].blocked())
Task.blocked = original
print(count_blocked(tasks, 10))

section("__code__ replaced")
def other_blocked(self):
    return True
saved = Task.blocked.__code__
Task.blocked.__code__ = other_blocked.__code__
print(count_blocked(tasks, 10))
Task.blocked.__code__ = saved
print(count_blocked(tasks, 10))

section("attribute deleted")
victim = make_tasks()
for _ in range(20):
    count_blocked(victim, 5)
del victim[6].holding
try:
    count_blocked(victim, 5)
except AttributeError as e:
    print("AttributeError", e, frames(e))

section("property shadowing an instance attribute")
shadow = make_tasks()
for _ in range(20):
    count_blocked(shadow, 5)
IdleTask.holding = property(lambda self: "from property")
print(count_blocked(shadow, 5), shadow[1].blocked())
del IdleTask.holding
print(count_blocked(shadow, 5))

section("recursion limit at the inlined call")
# Depths relative to a leaf that is never inlined (it calls len), since `python -m coir` runs
# the program a few frames deeper.
def not_inlined(t):
    return len(()) == 0
def deep_inlined(t, n):
    if n == 0:
        return t.blocked()
    return deep_inlined(t, n - 1)
def deep_called(t, n):
    if n == 0:
        return not_inlined(t)
    return deep_called(t, n - 1)
for _ in range(50):
    deep_inlined(tasks[0], 3)
    deep_called(tasks[0], 3)
def first_failure(deep):
    for n in range(100, 260):
        try:
            deep(tasks[0], n)
        except RecursionError:
            return n
limit = sys.getrecursionlimit()
sys.setrecursionlimit(200)
depths = [first_failure(deep_inlined), first_failure(deep_called)]
sys.setrecursionlimit(limit)
print("RecursionError depths differ by", depths[0] - depths[1])

section("a pending signal")
seen = []
def handler(signum, frame):
    seen.append(frame.f_code.co_name)
old = signal.signal(signal.SIGUSR1, handler)
def signal_then_call(t):
    os.kill(os.getpid(), signal.SIGUSR1)
    return t.blocked()
for _ in range(30):
    signal_then_call(tasks[0])
signal.signal(signal.SIGUSR1, old)
print(len(seen), sorted(set(seen)))

section("tracing switched on")
calls = {}
def tracer(frame, event, arg):
    if event == "call":
        calls[frame.f_code.co_name] = calls.get(frame.f_code.co_name, 0) + 1
    return None
for _ in range(20):
    count_blocked(tasks, 5)
sys.settrace(tracer)
count_blocked(tasks, 2)
sys.settrace(None)
print(sorted(calls.items()))
profiled = {}
def profiler(frame, event, arg):
    if event == "call":
        profiled[frame.f_code.co_name] = profiled.get(frame.f_code.co_name, 0) + 1
sys.setprofile(profiler)
count_blocked(tasks, 2)
sys.setprofile(None)
print(sorted(profiled.items()))

section("locals, subscripts and raise paths")
class Registry:
    def __init__(self, items):
        self.items = items
        self.pair = (items[0], items[-1])

    def lookup(self, ident):
        t = self.items[ident]
        if t is None:
            raise ValueError("no item %d" % ident)
        return t

    def end(self, last):
        return self.pair[1] if last else self.pair[0]

    def maybe(self, flag):
        if flag:
            found = self.items[0]
        return found


def use_registry(reg, idents, rounds):
    n = 0
    for _ in range(rounds):
        for i in idents:
            if reg.lookup(i) is not None:
                n += 1
            if reg.end(i & 1 == 0) is reg.pair[1]:
                n += 1
            if reg.maybe(True) is not None:
                n += 1
    return n


reg = Registry(["a", "b", None, "d", "e"])
for _ in range(30):
    r = use_registry(reg, [0, 1, 3, 4], 10)
print(r)
for bad in ([2], [-1], [7], ["x"]):
    try:
        print(use_registry(reg, bad, 1))
    except Exception as e:
        print(type(e).__name__, e, *frames(e)[-1])
reg.items = tuple(reg.items)
print(use_registry(reg, [0, 1, 3], 2))
reg.items = {0: "a", 1: "b", 3: "d", 4: "e"}
print(use_registry(reg, [0, 1, 3], 2))
try:
    reg.maybe(False)
except UnboundLocalError as e:
    print("UnboundLocalError", e)

section("closures, arithmetic and comparisons")
def make_adder(n):
    return lambda x: x + n


def make_scaler(k, m):
    def scale(x):
        return x * k - m
    return scale


def clamp(lo, hi, x):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    def left_of(self, other):
        return self.x < other.x


def numeric(f, g, n, points):
    t = 0
    u = 0.0
    for i in range(n):
        t += f(i) + g(i) + clamp(10, 20, i)
        p = points[i % len(points)]
        u += p.dot(points[0])
        if p.left_of(points[-1]):
            t += 1
    return t, u


pts = [Point(1.5, 2.0), Point(0.5, -1.0), Point(-3.25, 4.5)]
add, scale = make_adder(5), make_scaler(3, 2)
for _ in range(30):
    r = numeric(add, scale, 50, pts)
print(r)
# ints that outgrow a digit, floats meeting ints, other types, a rebound closure cell
print(numeric(make_adder(2**40), make_scaler(2**20, 1), 5, pts))
print(numeric(add, scale, 6, [Point(1, 2), Point(3, 4.5), Point(True, -1)]))
print(numeric(make_adder(0.5), make_scaler(1.5, 0), 4, pts))
try:
    numeric(make_adder("x"), scale, 3, pts)
except TypeError as e:
    print("TypeError", e)
try:
    numeric(add, scale, 3, [Point(1.0, 2.0), Point("a", 1.0)])
except TypeError as e:
    print("TypeError", e)
def empty_cell():
    f = lambda x: x + n
    try:
        f(1)
    except NameError as e:
        print("NameError", e)
    n = 1
    return f
print(numeric(empty_cell(), scale, 3, pts))

section("division")
def rem(x, m):
    return x % m
def floordiv(x, m):
    return x // m
def truediv(x, y):
    return x / y
def divisions(xs, ms):
    t = 0
    f = 0.0
    for x in xs:
        for m in ms:
            t += rem(x, m) + floordiv(x, m)
            f += truediv(float(x), float(m))
    return t, f
xs = list(range(-40, 41))
for _ in range(20):
    r = divisions(xs, [3, -4, 7])
print(r)
print(divisions([1 << 70, -(1 << 70), 7], [3, 2.5, True]))
print(truediv(1.0, float("nan")), truediv(float("inf"), 2.0), truediv(-0.0, 3.0))
for bad in ([1, 2], [0], [0.0]):
    try:
        divisions(xs[:3], bad + [0] if bad != [0.0] else bad)
    except ZeroDivisionError as e:
        print("ZeroDivisionError", e, frames(e)[1:])

section("floats meeting ints")
# BINARY_OP_EXTEND in the callees (a float with a compact int), true division of ints, and
# constants that are not immortal; the callees are module functions, found by their names.
def a_elem(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)
def scaled(x, k):
    return x * k + 0.25 - k
def ratio(x, y):
    return x / y
def mixed(n, m):
    t = 0.0
    for i in range(n):
        for j in range(m):
            t += a_elem(i, j) * 2 + scaled(0.5, j) + scaled(j, 1.5) + ratio(i, j + 1)
    return t
def ratios(xs, ys):
    t = 0.0
    for x in xs:
        for y in ys:
            t += ratio(x, y)
    return t
for _ in range(20):
    r = mixed(6, 7), ratios([1, 2.5, -3], [2, 0.5, 4])
print(r)
print(mixed(2, 3), ratios([1 << 70, True, 7], [3, 2.5]), scaled(True, 2.5), scaled(2.5, 1 << 40))
print(ratios([float("inf"), -0.0, 1e308], [2, -1.5, float("nan")]), scaled(1e308, 7))
for xs, ys in (([1, 2], [3, 0]), ([1.5], [0.0]), ([0], [-0.0])):
    try:
        ratios(xs, ys)
    except ZeroDivisionError as e:
        print("ZeroDivisionError", e, frames(e)[1:])
saved = scaled
def scaled(x, k):
    return x - k
print(mixed(3, 3))
scaled = saved
print(mixed(3, 3))

section("reference counts")
marker = object()
holder = Task(marker, False, False)
before = sys.getrefcount(marker)
for _ in range(50):
    for _ in range(20):
        holder.blocked()
        holder.get_link()
print(sys.getrefcount(marker) - before, count_blocked([holder] * 4, 10))
