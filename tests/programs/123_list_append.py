"""`xs.append(x)` in loops (CALL_LIST_APPEND): coir stores the item inline while the list has
room and calls the helper to grow it. Results and reference counts must stay the
interpreter's across growth, for a list subclass overriding append, for other objects with an
append method at the same call site (a deque, a bytearray), for `list.append` called unbound,
for a list appended to itself, and for an append that raises (a bytearray given a str)."""
import sys
from collections import deque


class Logged(list):
    def append(self, x):
        super().append(("logged", x))


def fill(xs, n):
    for i in range(n):
        xs.append(i * 2)
    return xs


def pairs(n):
    out = []
    for i in range(n):
        out.append((i, str(i)))
    return out


def unbound(n):
    out = []
    for i in range(n):
        list.append(out, i)
    return out


def hold(obj, n):
    keep = []
    for _ in range(n):
        keep.append(obj)
    return keep


def main():
    marker = object()
    for _ in range(5):
        hold(marker, 10)
        a = fill([], 100)
        b = pairs(50)
        c = unbound(20)
    print(len(a), sum(a), b[-1], c[-3:])
    print(fill(Logged(), 3))
    print(fill(deque(), 4), fill(bytearray(), 5))
    me = []
    for _ in range(3):
        me.append(me)
    print(len(me), me[0] is me, sys.getrefcount(me) - 1 >= 4)
    before = sys.getrefcount(marker)
    keep = hold(marker, 100)
    print(sys.getrefcount(marker) - before)
    del keep
    print(sys.getrefcount(marker) - before)
    try:
        bad = bytearray()
        for x in (1, 2, "three"):
            bad.append(x)
    except TypeError as e:
        print("TypeError", e, bad)


if __name__ == "__main__":
    main()
