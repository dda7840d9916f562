"""Float locals and list items assigned in loops: coir reuses the float a local holds when nothing else
references it (the reuse_float_locals pass: the new value is written into the old float).
Floats also held by a list, a tuple, another local, the caller or a traceback must keep their
values; guards that fail in the middle (an int among the floats) and exceptions must see the
locals the interpreter shows."""
import sys


def accumulate(xs):
    total = 0.0
    for x in xs:
        step = x * 0.5
        total = total + step
    return total


def kept(xs):
    out = []
    for x in xs:
        y = x * 2.0
        out.append(y)
        y = y + 1.0
        out.append(y)
    return out


def aliased(xs):
    pairs = []
    for x in xs:
        a = x + 0.25
        b = a
        a = a * 3.0
        pairs.append((a, b))
    return pairs


def argument(v, n):
    for _ in range(n):
        v = v * 1.5
    return v


def raises_after(xs):
    z = 0.0
    for x in xs:
        z = x / 2.0
        if z > 10.0:
            raise ValueError(z)
    return z


def bump(vs, d):
    for _ in range(5):
        vs[0] -= d
        vs[1] += d * 2.0
    return vs


def bump_pairs(pairs, d):
    for p, q in pairs:
        p[0] += d
        q[0] -= d
    return pairs


def counts(xs):
    last = None
    for x in xs:
        d = x - 1.0
        d = d * d
        last = d
    return sys.getrefcount(last), last


def main():
    floats = [i * 0.75 for i in range(40)]
    for _ in range(30):
        print(accumulate(floats))
        print(kept(floats[:6]))
        print(aliased(floats[:4]))
        caller = 2.0
        print(argument(caller, 10), caller)
        print(argument(1.0 + 1.0, 5))
        print(counts(floats[:5]))
        shared = [1.5, 2.5]
        keep = shared[0]
        print(bump(shared, 0.25), keep, bump([0.5, 1.0], 0.5))
        inner = [0.5]
        print(bump_pairs([(inner, inner), ([1.0], [2.0])], 0.125))
    # An int among the floats: the float guards fail part way.
    print(accumulate([1.0, 2, 3.5, 4]))
    print(kept([1.5, 3, 2.5]))
    print(argument(3, 4))
    print(bump([1, 2.0], 0.5), bump([1.0, 2], 0.5))
    try:
        raises_after([1.0, 4.0, 40.0, 2.0])
    except ValueError as e:
        frame = e.__traceback__.tb_next.tb_frame
        print("raised", e.args, sorted((k, v) for k, v in frame.f_locals.items() if k != "xs"))


main()
