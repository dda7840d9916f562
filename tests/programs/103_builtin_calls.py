"""Calls of C functions and method descriptors, len and isinstance (coir calls them directly, as
the interpreter's CALL_BUILTIN_*, CALL_METHOD_DESCRIPTOR_*, CALL_LEN and CALL_ISINSTANCE do):
results, errors and their messages, subclasses, shadowed builtins, recursion in __len__."""
import math
import sys


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


class Deep:
    def __len__(self):
        return len(self)


class Meta(type):
    def __instancecheck__(cls, obj):
        return obj == 3


class Odd(metaclass=Meta):
    pass


class MyStr(str):
    pass


def lengths(xs):
    out = []
    for x in xs:
        try:
            out.append(len(x))
        except (TypeError, ValueError, OverflowError) as e:
            out.append(f"{type(e).__name__}: {e}")
    return out


def kinds(xs):
    out = []
    for x in xs:
        out.append((isinstance(x, int), isinstance(x, (str, list)), isinstance(x, Odd)))
        try:
            isinstance(x, 5)
        except TypeError as e:
            out.append(str(e))
    return out


def methods(words):
    out = []
    for w in words:
        out.append((w.upper(), w.startswith("a"), w.split("b"), w.isdigit(), str.lower(w), w.find("a", 1)))
    return out


def errors():
    out = []
    for f in (lambda: "x".upper(1), lambda: "x".startswith(), lambda: str.upper(5),
              lambda: str.upper(), lambda: list.append([], 1, 2), lambda: math.sqrt(-1.0),
              lambda: math.sqrt(), lambda: math.sqrt("a"), lambda: divmod(1, 0),
              lambda: getattr(1, "nope"), lambda: "".join([1]), lambda: abs(),
              lambda: dict.fromkeys(), lambda: len(), lambda: isinstance(1)):
        try:
            out.append(f())
        except Exception as e:
            out.append(f"{type(e).__name__}: {e}")
    return out


def hot(n):
    total = 0
    s = "abcabc"
    xs = [1, 2, 3]
    for i in range(n):
        total += len(s) + len(xs) + abs(-i) + divmod(i, 7)[1] + s.count("a") + math.floor(i / 3)
        if isinstance(i, int):
            total += 1
        xs.append(i)
        xs.pop()
    return total


def main():
    items = ["ab", [1, 2], Sized(4), Sized(-1), Sized(2**70), 5, MyStr("xyz"), b"bytes", {1: 2}]
    for _ in range(200):
        r1 = lengths(items)
        r2 = kinds([1, "a", [2], 3, True, 2.0, MyStr("s")])
        r3 = methods(["abc", "bab", MyStr("a1"), "123"])
        r5 = hot(50)
    print(r1, r2, r3, r5, sep="\n")
    print(errors())
    try:
        len(Deep())
    except RecursionError as e:
        print("RecursionError", str(e)[:40])
    print(sys.getrecursionlimit() > 0)


def shadowed():
    # Builtins shadowed in the module, then restored.
    g = globals()
    g["len"] = lambda x: -7
    g["isinstance"] = lambda a, b: "never"
    print(lengths(["ab"]), kinds([1])[:1])
    del g["len"], g["isinstance"]
    print(lengths(["ab"]), kinds([1])[:1])


main()
shadowed()
