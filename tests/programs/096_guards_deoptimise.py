# Speculation that stops holding: functions warmed with floats, small ints, lists and tuples
# are then called with other types, huge ints, negative and out-of-range indexes, with values
# on the stack (call arguments, comprehension state, an iterator) when the guard fails, and
# inside try/except and with-blocks. At threshold 3 the compiled code is specialised on the
# warm-up's types, so every later call leaves native code in the middle of the function.
import sys


class Ctx:
    def __enter__(self):
        print("enter")
        return self

    def __exit__(self, *exc):
        print("exit", exc[0].__name__ if exc[0] else None)
        return False


def axpy(a, x, y):
    return a * x + y


def poly(x):
    # Several operations in one expression: intermediates stay unboxed between them.
    return x * x * 3.0 + x * 2.0 - 1.0


def total(xs):
    s = 0
    for i in range(len(xs)):
        s = s + xs[i] * 2
    return s


def pick(t, i):
    return t[i] + t[0]


def less(a, b):
    if a < b:
        return "less"
    return "not less"


def with_stack(a, b):
    # The guard on `a + b` fails with the function, the first argument and a list on the stack.
    return show("sum", [1, 2], a + b, a - b)


def show(*args):
    return " ".join(repr(x) for x in args)


def guarded_in_try(xs, i):
    try:
        return xs[i] * 1.5
    except IndexError as e:
        return f"caught {type(e).__name__}"
    except TypeError as e:
        return f"caught {type(e).__name__}: {e}"


def guarded_in_with(x):
    with Ctx():
        return x + 1.0


def comp(xs):
    return [x * 2.0 + 1.0 for x in xs]


def bump(xs, i, d):
    # An inline list store whose value is the list's own item, updated.
    xs[i] -= d * 2.0
    return xs


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Plain:
    def __init__(self, x):
        self.x = x


def norm(p):
    # Slot loads and stores with a type-version guard each; arithmetic on what they hold.
    p.x = p.x * 2.0
    return p.x + p.y


def get_x(o):
    return o.x


def truthy(a, b, c, d):
    # TO_BOOL specialised on a bool, None, an int and a list; `is` tests.
    out = []
    for x in (a, b, c, d):
        out.append("T" if x else "F")
    if a is None or b is not None:
        out.append("?")
    return "".join(out)


def truth_each(x):
    if x:
        return "yes"
    return "no"


def swap_pairs(pairs):
    # UNPACK_SEQUENCE specialised on 2-tuples, 3-lists and 3-tuples.
    out = []
    for (a, b), [c, d, e], (f, g, h) in pairs:
        out.append((b, a, e, d, c, h, g, f))
    return out


def grow(n, limit):
    # Starts compact; the products leave the compact range part way through the loop.
    out = []
    while n < limit:
        out.append(n)
        n = n * 7 + 1
    return out


for _ in range(8):
    axpy(2.0, 3.0, 1.0)
    poly(1.5)
    total([1, 2, 3])
    pick((4, 5, 6), 1)
    less(1.0, 2.0)
    less(1, 2)
    with_stack(1.5, 2.5)
    guarded_in_try([1.0, 2.0], 1)
    guarded_in_with(1.0)
    comp([1.0, 2.0])
    grow(1, 100)
    bump([1.0, 2.0], 1, 0.25)
    norm(Slotted(1.0, 2.0))
    get_x(Plain(1))
    truthy(True, None, 3, [1])
    truth_each(True)
    truth_each(5)
    swap_pairs([((1, 2), [3, 4, 5], (6, 7, 8))])

print(axpy(2.0, 3.0, 1.0), axpy(2, 3, 1), axpy("ab", 2, "c"), axpy(2.0, 2**70, 1))
print(poly(1.5), poly(2), poly(10**30), poly(True))
print(total([1, 2, 3]), total([1.5, 2.5]), total([2**62, 2**62]), total((1, 2)), total([]))
print(pick((4, 5, 6), 1), pick((4, 5, 6), -1), pick([7, 8], 1), pick("xyz", 2))
try:
    pick((1,), 5)
except IndexError as e:
    print("IndexError", e)
print(less(1.0, 2.0), less(3, 2), less(2**80, 2**81), less("a", "b"), less(1, 2.5))
print(with_stack(1.5, 2.5), with_stack(1, 2), with_stack("x", "y") if False else "", with_stack(2**70, 1))
try:
    with_stack("x", "y")
except TypeError as e:
    print("TypeError", e)
print(guarded_in_try([1.0, 2.0], 1), guarded_in_try([1.0], 3), guarded_in_try(["s"], 0), guarded_in_try([2], 0))
print(guarded_in_with(1.0), guarded_in_with(2))
try:
    guarded_in_with("s")
except TypeError as e:
    print("TypeError", e)
print(comp([1.0, 2.0]), comp([1, 2]), comp([0.5, 3]))
print(grow(1, 100), grow(1, 10**40)[-3:], grow(0.5, 100), grow(2**40, 2**47))
print(bump([1.0, 2.0], 1, 0.25), bump([1, 2], 0, 3), bump([1.0, 2.0], -1, 1.0), bump({"k": 1.0}, "k", 1.0))
for bad in ((1.0, 2.0), [1.0]):
    try:
        bump(bad, 1, 1.0)
    except (TypeError, IndexError) as e:
        print(type(e).__name__, e)
print(norm(Slotted(1.0, 2.0)), norm(Slotted(3, 4)))
half = Slotted(1.0, 2.0)
del half.y
try:
    norm(half)
except AttributeError as e:
    print("AttributeError", e)
p = Plain(5)
print(get_x(p), p.__dict__, get_x(p))
p.__dict__ = {"x": "replaced"}
print(get_x(p))
q = Plain(6)
del q.x
try:
    get_x(q)
except AttributeError as e:
    print("AttributeError", e)
r = Plain(7)
Plain.x = property(lambda self: "from a property")
print(get_x(r))
s2 = Slotted(1.0, 2.0)
Slotted.y = property(lambda self: 100.0)
print(norm(s2))
print(truthy(True, None, 3, [1]), truthy(False, 0, 0, []), truthy(None, "", 2**80, (1,)), truthy(1.5, [], -1, {}))
print([truth_each(v) for v in (True, False, None, 0, 7, -2**70, [], [0], "", "s", 0.0, object)])
print(swap_pairs([((1, 2), [3, 4, 5], (6, 7, 8)), ([1, 2], (3, 4, 5), [6, 7, 8]), ("ab", "cde", b"fgh")]))
for bad in ([((1, 2, 3), [3, 4, 5], (6, 7, 8))], [((1, 2), [3, 4], (6, 7, 8))], [(1, [3, 4, 5], (6, 7, 8))]):
    try:
        swap_pairs(bad)
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)
print(sys.getrefcount(3.25) > 0)
