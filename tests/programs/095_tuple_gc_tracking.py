# Tuples built at run time (BUILD_TUPLE) are tracked by the GC only if an item could be part of
# a cycle: since 3.14.1 (gh-139951) the interpreter creates the others untracked.
import gc


def build(a, b, c):
    return [(a,), (a, b), (b, c), (a, c), (1, a), (a, (b, 1)), (gc, a)]


def main():
    rows = [
        build(object(), "s", 1.5),
        build([], {}, set()),
        build(1, 2, 3),
        build(None, (), frozenset()),
    ]
    for row in rows:
        print([gc.is_tracked(t) for t in row])
    gc.collect()
    print([gc.is_tracked(t) for t in rows[0]])


main()
