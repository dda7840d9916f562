"""Generators run natively (issue 8, item 1): each resumption enters the compiled code at the
instruction after the yield it stopped at, with the value stack it had there (a call's
callable and arguments, an iterator, a `with` block's exit) and the value sent in. Covers
plain loops, send(), return values, generator expressions, closures (cells made before the
first resumption), yields inside try/finally/with bodies, throw() and close() (which the
interpreter runs), exceptions leaving a generator with their tracebacks, StopIteration turned
into RuntimeError, frames inspected while suspended, a generator deoptimising when its types
change, a generator that loops between its yields (profile mode resumes those natively), and a
yield inside an except block."""
import sys
import traceback


def count(n):
    i = 0
    while i < n:
        yield i
        i += 1
    return "done"


def squares(xs):
    for x in xs:
        yield x * x


def zipped(n):
    total = 0
    for a, b in zip(count(n), squares(range(n))):
        total += a + b
    return total


def in_call(xs):
    # The yield's value is a call's argument: the callable and the first argument stay on the
    # stack across the suspension.
    for x in xs:
        print("got", x, (yield x), sep="|")


def accumulate():
    total = 0
    while True:
        x = yield total
        if x is None:
            return total
        total += x


def closure_gen(k):
    def scale(v):
        return v * k
    for i in range(3):
        yield scale(i)
        k += 1


class Resource:
    def __init__(self, log):
        self.log = log

    def __enter__(self):
        self.log.append("enter")
        return self

    def __exit__(self, *exc):
        self.log.append(("exit", exc[0].__name__ if exc[0] else None))
        return False


def with_gen(log, n):
    with Resource(log):
        for i in range(n):
            yield i
    log.append("after")


def finally_gen(log):
    try:
        yield 1
        yield 2
    finally:
        log.append("finally")


def divide(xs):
    for x in xs:
        yield 10 // x


def stops():
    yield 1
    raise StopIteration("inner")


def polymorphic(xs):
    acc = 0
    for x in xs:
        acc = acc + x
        yield acc


def handler_yield():
    try:
        raise KeyError("k")
    except KeyError as e:
        yield repr(e)


def unpacking(pairs):
    for a, (b, c) in pairs:
        yield a + b * c


def tree(node):
    # Recursion through nested generators (no `yield from`).
    if node is None:
        return
    left, value, right = node
    for v in tree(left):
        yield v
    yield value
    for v in tree(right):
        yield v


def row_sums(rows):
    # A loop that runs without yielding: resumed natively in profile mode too.
    for r in rows:
        s = 0
        for x in r:
            s += x
        if s < 0:
            raise ValueError(s)
        yield s


def consume(rows):
    out = []
    for v in row_sums(rows):
        out.append(v)
    return out


def run_once(round_no):
    print(list(count(5)), sum(squares(range(10))), zipped(20))
    g = in_call("ab")
    print(next(g), g.send("A"))
    try:
        g.send("B")
    except StopIteration:
        print("in_call done")
    g = accumulate()
    next(g)
    print(g.send(3), g.send(4))
    try:
        g.send(None)
    except StopIteration as e:
        print("stop", e.value)
    print(list(closure_gen(2)), sum(x * 2 for x in range(10)), [y for y in (z + 1 for z in range(3))])
    log = []
    print(list(with_gen(log, 3)), log)
    log = []
    g = with_gen(log, 3)
    next(g)
    g.close()
    print("closed", log, g.gi_frame)
    log = []
    g = finally_gen(log)
    print(next(g))
    try:
        g.throw(ValueError("thrown"))
    except ValueError as e:
        print("throw", e, log)
    g = count(3)
    print(next(g), g.gi_frame.f_lineno - count.__code__.co_firstlineno, g.gi_running, g.gi_suspended,
          sorted(g.gi_frame.f_locals.items()))
    try:
        list(divide([5, 2, 0, 1]))
    except ZeroDivisionError:
        tb = traceback.format_exc().splitlines()
        print([line for line in tb if "line" in line or "^" in line][-3:])
    try:
        list(stops())
    except RuntimeError as e:
        print("runtime", e, type(e.__cause__).__name__)
    xs = [1, 2, 3] if round_no < 4 else [1, 2.5, 3]
    print(list(polymorphic(xs)), list(handler_yield()), list(unpacking([(1, (2, 3)), (4, (5, 6))])))
    t = ((None, 1, None), 2, ((None, 3, None), 4, None))
    print(list(tree(t)))
    rows = [[1, 2, 3], [4.5, 5], [], [10**20, 1]]
    print(consume(rows), list(row_sums(rows)), sum(row_sums(rows[:2])))
    try:
        consume([[1], [-5]])
    except ValueError as e:
        print("row error", e)


for r in range(6):
    run_once(r)
sys.stdout.flush()
