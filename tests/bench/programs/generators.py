"""Generators: in-order traversal of binary trees by recursive generators delegating with
`yield from` (after pyperformance's `generators`), pipelines of generator functions and
generator expressions consumed by for loops, sum() and list(), and a generator that computes
each value it yields with a loop of float arithmetic (per-record aggregates of a table).

Usage: generators.py [ROUNDS]   (default 48 rounds)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 48


class Tree:
    __slots__ = ("left", "value", "right")

    def __init__(self, left, value, right):
        self.left = left
        self.value = value
        self.right = right

    def __iter__(self):
        if self.left is not None:
            yield from self.left
        yield self.value
        if self.right is not None:
            yield from self.right


def tree(values):
    if not values:
        return None
    mid = len(values) // 2
    return Tree(tree(values[:mid]), values[mid], tree(values[mid + 1:]))


def numbers(n):
    i = 0
    while i < n:
        yield i
        i += 1


def evens(xs):
    for x in xs:
        if x % 2 == 0:
            yield x


def scaled(xs, k):
    for x in xs:
        yield x * k + 1


def windows(xs):
    prev = None
    for x in xs:
        if prev is not None:
            yield prev, x
        prev = x


def row_stats(rows):
    for row in rows:
        total = 0.0
        squares = 0.0
        for x in row:
            total += x
            squares += x * x
        n = len(row)
        mean = total / n
        yield squares / n - mean * mean


def spread(rows):
    acc = 0.0
    for v in row_stats(rows):
        acc += v
    return acc


def one_round(t, n):
    total = 0
    for v in t:
        total += v
    total += sum(scaled(evens(numbers(n)), 3))
    total += sum(b - a for a, b in windows(numbers(n)))
    total += len(list(x for x in numbers(n) if x % 3 == 0))
    return total


def table(n, width):
    return [[float((i * 7 + j * 13) % 101) for j in range(width)] for i in range(n)]


def run(rounds):
    t = tree(list(range(20000)))
    rows = table(3000, 50)
    checksum = 0
    for r in range(rounds):
        checksum = (checksum * 31 + one_round(t, 60000 + r)) % 1000000007
        checksum = (checksum * 31 + int(spread(rows) * 1000)) % 1000000007
    return checksum


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    c = run(rounds)
    elapsed = time.perf_counter() - t0
    print(f"checksum {c}")
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
