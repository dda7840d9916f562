"""Int operations specialised on small ints (BINARY_OP_ADD_INT and friends, COMPARE_OP_INT,
TO_BOOL_INT) then given ints that outgrew one digit, bools, int subclasses and other types:
coir tests the operands and takes the generic path for those, in native code. Results,
exceptions with their tracebacks and line numbers, and comparison results that are not
bools must be the interpreter's."""
import sys
import traceback


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def less(a, b):
    if a < b:
        return "lt"
    return "ge"


def compare_value(a, b):
    r = a <= b
    return r


def truth(x):
    if x:
        return "yes"
    return "no"


def accumulate(n, step):
    # The sum leaves the compact range part way through the loop.
    t = 0
    i = 0
    while i < n:
        t += i * step
        i += 1
    return t


def chain(a, b, c):
    return (a * 31 + b) * 17 - c


class MyInt(int):
    def __add__(self, other):
        return ("MyInt.add", int(self), other)

    def __lt__(self, other):
        return ["not", "a", "bool"]

    def __bool__(self):
        print("MyInt.__bool__ called")
        return False


class Loud:
    def __radd__(self, other):
        return f"Loud.radd({other})"

    def __gt__(self, other):
        raise ValueError(f"cannot compare with {other}")

    def __bool__(self):
        raise RuntimeError("no truth here")


def warm():
    for i in range(300):
        add(i, 1)
        sub(i, 2)
        mul(i, 3)
        less(i, 100)
        compare_value(i, 7)
        truth(i % 3)
        chain(i, i, i)
    accumulate(10, 1)


def show(label, f, *args):
    try:
        print(label, repr(f(*args)))
    except Exception as e:
        print(label, "raised", type(e).__name__, e)
        tb = traceback.extract_tb(e.__traceback__)
        print("   at", [(fr.name, fr.lineno) for fr in tb])


def main():
    warm()
    big = 2**40 + 12345
    huge = 10**30
    for x in (2**30 - 1, 2**30, -(2**30) + 1, -(2**30), big, -big, huge, -huge):
        show("add", add, x, 1)
        show("add2", add, x, x)
        show("sub", sub, x, 2**30)
        show("mul", mul, x, x)
        show("less", less, x, 2**30)
        show("less2", less, 2**30, x)
        show("cmpv", compare_value, x, big)
        show("truth", truth, x)
        show("chain", chain, x, x, 3)
    show("truth0", truth, 0)
    show("truth-big-neg", truth, -huge)
    show("bool+", add, True, 1)
    show("bool*", mul, True, big)
    show("float", add, 1.5, 2)
    show("str", add, "a", "b")
    show("myint", add, MyInt(5), 1)
    show("myint<", less, MyInt(5), 1)
    show("myint-cmpv", compare_value, MyInt(5), 1)
    show("myint-truth", truth, MyInt(5))
    show("loud+", add, 3, Loud())
    show("loud<", less, Loud(), 3)
    show("loud-truth", truth, Loud())
    show("typeerror", add, 1, "x")
    show("typeerror2", sub, big, "x")
    show("typeerror-cmp", less, big, "x")
    show("none-truth", truth, None)
    show("list-truth", truth, [])
    for n in (10, 50_000, 200_000):
        show("accumulate", accumulate, n, 1)
        show("accumulate-big", accumulate, n, big)
    print("refcount-stable", sys.getrefcount(big) == sys.getrefcount(big))


main()
