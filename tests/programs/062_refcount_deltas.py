# refcount-sensitive behaviour: getrefcount deltas around calls must be zero
# (only differences are printed; absolute counts may legitimately depend on how
# the caller holds its temporaries)
import sys


class Box:
    def __init__(self, v):
        self.v = v

    def get(self):
        return self.v

    def swap(self, other):
        self.v, other.v = other.v, self.v


def touch(x):
    y = x
    z = [x, y]
    return len(z)


def store_and_drop(d, key, obj):
    d[key] = obj
    del d[key]


def raise_and_catch(obj):
    try:
        raise ValueError(obj)
    except ValueError as e:
        return e.args[0] is obj


def kw_call(a, *args, b=None, **kw):
    return (a, args, b, kw)


def closure_over(obj):
    def inner():
        return obj
    return inner() is obj


def unpack(seq):
    a, *rest = seq
    return a, rest


def attr_roundtrip(box, obj):
    old = box.v
    box.v = obj
    got = box.get()
    box.v = old
    return got is obj


def measure(label, fn, *targets):
    before = [sys.getrefcount(t) for t in targets]
    for _ in range(100):
        fn()
    after = [sys.getrefcount(t) for t in targets]
    print(f"{label:20s}", [a - b for a, b in zip(after, before)])


payload = ["payload"]
big = 10 ** 30
box = Box(payload)
other = Box(big)
d = {}
measure("touch", lambda: touch(payload), payload)
measure("store_and_drop", lambda: store_and_drop(d, "k", payload), payload, d)
measure("raise_and_catch", lambda: raise_and_catch(payload), payload)
measure("kw_call", lambda: kw_call(payload, big, b=payload, c=big), payload, big)
measure("closure_over", lambda: closure_over(payload), payload)
measure("unpack", lambda: unpack([payload, big, box]), payload, big, box)
measure("attr_roundtrip", lambda: attr_roundtrip(box, big), box, big, payload)
measure("method_get", box.get, box, payload)
measure("swap_twice", lambda: (box.swap(other), box.swap(other)), box, other, payload, big)
measure("getattr_builtin", lambda: getattr(box, "v"), box, payload)


def held_by_list():
    obj = object()
    base = sys.getrefcount(obj)
    holders = [obj] * 5
    mid = sys.getrefcount(obj)
    del holders
    end = sys.getrefcount(obj)
    return mid - base, end - base


print("held_by_list", held_by_list())


def count_through_calls():
    x = Box(1)
    base = sys.getrefcount(x)
    results = [touch(x) for _ in range(50)]
    keep = [x for _ in range(7)]
    return sys.getrefcount(x) - base, len(results), len(keep)


print("count_through_calls", count_through_calls())
