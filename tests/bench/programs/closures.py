"""Closures: many small functions, lambdas and nested functions that capture variables:
function composition, partial application, counters and accumulators with `nonlocal`, a
hand-written map/filter/fold and sort keys. Stresses calls of small Python functions and cell
variables.

Usage: closures.py [ROUNDS]   (default 250 rounds over 4000 items)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 250
ITEMS = 4000


def compose(f, g):
    def h(x):
        return f(g(x))
    return h


def compose_all(funcs):
    result = funcs[0]
    for f in funcs[1:]:
        result = compose(f, result)
    return result


def make_adder(n):
    return lambda x: x + n


def make_scaler(k, modulus):
    def scale(x):
        return (x * k) % modulus
    return scale


def partial(f, *bound):
    def call(*rest):
        return f(*bound, *rest)
    return call


def make_counter():
    count = 0

    def incr(step=1):
        nonlocal count
        count += step
        return count

    def get():
        return count
    return incr, get


def make_accumulator():
    total = 0
    seen = 0

    def add(x):
        nonlocal total, seen
        total += x
        seen += 1
        return total

    def mean():
        return total // seen if seen else 0
    return add, mean


def my_map(f, xs):
    out = []
    for x in xs:
        out.append(f(x))
    return out


def my_filter(pred, xs):
    out = []
    for x in xs:
        if pred(x):
            out.append(x)
    return out


def my_fold(f, acc, xs):
    for x in xs:
        acc = f(acc, x)
    return acc


def clamp(lo, hi, x):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def memoize(f):
    cache = {}

    def wrapper(n):
        r = cache.get(n)
        if r is None:
            r = f(n)
            cache[n] = r
        return r
    return wrapper


def collatz_len(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def one_round(r, xs):
    pipeline = compose_all([make_adder(r), make_scaler(31, 100003), make_adder(-7),
                            make_scaler(17, 65521)])
    ys = my_map(pipeline, xs)
    clip = partial(clamp, 100, 60000)
    ys = my_map(clip, ys)
    evens = my_filter(lambda y: y % 2 == 0, ys)
    big = my_filter(lambda y, t=30000: y > t, ys)
    incr, get = make_counter()
    for y in evens:
        if y % 3 == 0:
            incr()
        else:
            incr(2)
    add, mean = make_accumulator()
    my_fold(lambda acc, y: add(y), 0, big)
    total = my_fold(lambda a, b: (a * 31 + b) & 0xFFFFFFFF, r, ys)
    keyed = sorted(ys[:500], key=lambda y: (y % 97, -y))
    clen = memoize(collatz_len)
    c = my_fold(lambda acc, y: acc + clen(y % 2000 + 1), 0, ys[:800])
    return total ^ get() ^ mean() ^ keyed[0] ^ keyed[-1] ^ c


def run(rounds):
    xs = [(i * 7919) % 10007 for i in range(ITEMS)]
    acc = 0
    for r in range(rounds):
        acc = (acc * 1000003 + one_round(r, xs)) & 0xFFFFFFFFFFFF
    return acc


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    acc = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum closures rounds={size} acc={acc}")


if __name__ == "__main__":
    main(sys.argv)
