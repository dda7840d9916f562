"""Deep recursion as the interpreter allows it (test_call's test_super_deep): Python calling
Python needs no C stack in the interpreter, so recursion 90,000 deep works with a raised
recursion limit; native code continues such calls on stack segments of its own. Recursion
through C code (a builtin calling back into Python) still ends in RecursionError when the C
stack is used up, recursion past the limit in RecursionError, and a thread with a small
stack recurses as deep as the interpreter lets it. Deep recursion through a method, a
generator expression driving recursion, and an exception raised at the bottom and caught at
the top (its traceback walked) check that frames on segments unwind normally."""
import sys
import threading


def recurse(n):
    if n:
        return recurse(n - 1) + 1
    return 0


class Walker:
    def down(self, n):
        if n:
            return self.down(n - 1)
        return "bottom"


def via_c(n):
    # A builtin (sorted with a key) calls back into Python: C recursion.
    if n:
        return sorted([n], key=lambda x: via_c(x - 1) or x)[0]
    return 0


def raise_at_bottom(n):
    if n:
        return raise_at_bottom(n - 1)
    raise ValueError("at the bottom")


def depth_of_traceback(tb):
    n = 0
    while tb is not None:
        n += 1
        tb = tb.tb_next
    return n


def main():
    sys.setrecursionlimit(100_000)
    for _ in range(5):
        recurse(50)
    print("recurse", recurse(90_000))
    print("method", Walker().down(80_000))
    try:
        recurse(101_000)
    except RecursionError as e:
        print("past the limit:", type(e).__name__, e)
    try:
        via_c(60_000)
    except RecursionError as e:
        print("through C:", type(e).__name__)
    try:
        raise_at_bottom(70_000)
    except ValueError as e:
        print("caught", e, "traceback entries", depth_of_traceback(e.__traceback__))
    print("sum of generator", sum(recurse(i) for i in range(0, 2000, 100)))
    sys.setrecursionlimit(1000)

    out = []

    def in_thread():
        sys.setrecursionlimit(20_000)
        try:
            out.append(recurse(15_000))
        except RecursionError as e:
            out.append(type(e).__name__)
        finally:
            sys.setrecursionlimit(1000)

    threading.stack_size(512 * 1024)
    t = threading.Thread(target=in_thread)
    t.start()
    t.join()
    threading.stack_size(0)
    print("thread", out)


main()
