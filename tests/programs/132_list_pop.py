# expect-exit: 1
"""`xs.pop()` on an exact list: coir pops the last item itself while the list keeps its
allocation (two items or more, at least half full). Everything else is the method's: the
shrinking reallocation (sys.getsizeof shows the allocation), clearing on the last item, an
empty list's IndexError, pop with an index, list subclasses with their own pop, and other
objects' pop methods. The last pop raises out of the program."""
import sys


class Stack(list):
    def pop(self, *args):
        return ("Stack.pop", super().pop(*args))


class NotAList:
    def __init__(self):
        self.items = [1, 2, 3]

    def pop(self):
        return ("NotAList.pop", self.items.pop())


def drain(xs):
    out = []
    sizes = []
    while len(xs) > 0:
        out.append(xs.pop())
        sizes.append(sys.getsizeof(xs))
    return out, sizes


def machine(ops):
    stack = []
    for op in ops:
        if op >= 0:
            stack.append(op)
        else:
            b = stack.pop()
            a = stack.pop()
            stack.append(a * 3 + b)
    return stack


def pops(obj, n):
    return [obj.pop() for _ in range(n)]


def main():
    for _ in range(30):
        d = drain(list(range(40)))
        m = machine([1, 2, -1, 3, -1, 4, 5, 6, -1, -1, -1, 7, 8, -1])
        big = list(range(1000))
        tail = pops(big, 900)
        s = pops(Stack([1, 2, 3, 4]), 3)
        n = pops(NotAList(), 2)
    print(d, m, tail[:5], tail[-5:], len(big), sys.getsizeof(big), s, n)
    xs = [1, 2, 3]
    print(xs.pop(0), xs.pop(-1), xs, sys.getsizeof(xs))
    grow = []
    for i in range(100):
        grow.append(i)
    sizes = []
    for _ in range(99):
        grow.pop()
        sizes.append(sys.getsizeof(grow))
    print(sizes, grow)
    try:
        pops([], 1)
    except IndexError as e:
        print("IndexError", e)
    pops([1], 2)


main()
