"""Reference-leak probe, run in a subprocess by tests/test_refcounts.py:

    PYTHON -m coir --threshold 0 refcount_probe.py [--calls N] [--selftest-leak]

For each case below (a small function exercising one kind of operation) it
  1. calls the function 5 times (compilation, caches and free lists settle),
  2. records sys.getrefcount of every object the function touches (its arguments, the globals
     and constants it uses, a custom class instance, the function and its code object) and
     sys.getallocatedblocks(),
  3. calls the function N more times (default 2000),
  4. records the same numbers again,
and prints one JSON report on stdout. A reference leaked (or over-released) once per call shows
up as a refcount delta of about +-N; an object leaked per call as about N allocated blocks.

--selftest-leak adds two deliberately leaking cases so the test can check that leaks are seen.
"""

import gc
import json
import sys


# ---------------------------------------------------------------- objects the cases touch

class Widget:
    kind = "widget"

    def __init__(self, n):
        self.n = n
        self.items = [n, n + 1]

    def method(self, k):
        return self.n + k

    @property
    def double(self):
        return self.n * 2

    def __getitem__(self, i):
        return self.items[i]


class Ctx:
    def __init__(self):
        self.entered = 0

    def __enter__(self):
        self.entered += 1
        return self

    def __exit__(self, et, ev, tb):
        self.entered -= 1
        return False


class ProbeError(Exception):
    pass


# Mortal objects (not small ints, not interned strings) so that refcounts really move.
BIG = 10 ** 25 + 7
BIG2 = 3 ** 70
FLT = float("2.5")
TEXT = "".join(["mortal", "-", "text"])
KEY = "".join(["k", "e", "y", "!"])
LIST = [BIG, BIG2, FLT, TEXT]
TUPLE = (BIG, TEXT, None)
DICT = {KEY: BIG, TEXT: BIG2}
WIDGET = Widget(BIG)
CTX = Ctx()
KW = {"extra": TEXT}
counter = 0
_SINK = []  # used only by the self-test leak cases


# ---------------------------------------------------------------- the cases

def arith(a, b):
    x = a * b + a // 7 - b % 1000
    y = (a << 3) ^ (b >> 2) | 1
    f = FLT * 2.0 + a / 3
    return x + y, -x, abs(x), f, a < b, a == b


def attrs(w):
    w.n = w.n + 1
    w.n -= 1
    w.tmp = w.items
    v = w.tmp[0] + w.method(1) + w.double
    del w.tmp
    return v, getattr(w, "kind"), hasattr(w, "missing")


def _target(a, b, *args, key=None, **kwargs):
    return a, b, args, key, kwargs


def calls(w, x):
    r1 = _target(x, w)
    r2 = _target(x, w, x, w, key=x)
    r3 = _target(*LIST, **KW)
    r4 = _target(x, w, key=w, **KW)
    r5 = max(x, BIG2, key=None)
    return r1, r2, r3, r4, r5, len(LIST), isinstance(w, Widget)


def containers(a, b, w):
    lst = [a, b, w, a]
    tup = (a, b, w)
    dct = {KEY: a, TEXT: b, "w": w}
    st = {a, b, w}
    nested = [lst, tup, [dct]]
    comp = [x for x in lst if x is not w]
    dcomp = {k: v for k, v in dct.items()}
    return len(nested), comp, dcomp, st, (*lst, *tup), [*tup, a], {**dct, "z": b}


def exceptions(w, x):
    out = []
    try:
        raise ProbeError(w, x)
    except ProbeError as e:
        out.append(e.args[0] is w)
    try:
        DICT[x]
    except KeyError as e:
        out.append(e.args[0] is x)
    try:
        try:
            raise ValueError(x)
        finally:
            out.append(len(out))
    except ValueError:
        out.append("caught")
    try:
        _raiser(w)
    except ProbeError as e:
        out.append(type(e) is ProbeError)
    else:
        out.append("not reached")
    return out


def _raiser(w):
    raise ProbeError(w)


def for_loops(lst, w):
    total = 0
    for x in lst:
        if isinstance(x, int):
            total += x
    for i, x in enumerate(lst):
        if i == 1:
            continue
        total += i
    for a, b in zip(lst, lst[1:]):
        total += a is b
    for item in w.items:
        total += item
    i = 0
    while i < len(lst):
        i += 1
    return total


def unpacking(seq, w):
    a, b, *rest = seq
    first, *mid, last = seq
    (x, y), z = (a, b), w
    a, b = b, a
    p, q, r = TUPLE
    return a, b, rest, first, mid, last, x, y, z, p, q, r


def subscripts(lst, d, key, w):
    v0 = lst[0]
    v1 = lst[-1]
    sl = lst[1:3]
    sl2 = lst[::-1]
    d[key] = w
    got = d[key]
    del d[key]
    t = TUPLE[1]
    wi = w[0]
    copy = list(lst)
    copy[1] = w
    del copy[0]
    copy[0:1] = [v0, v1]
    return v0, v1, sl, sl2, got, t, wi, copy


def string_ops(s, w):
    u = s.upper()
    parts = (s + "-" + TEXT).split("-")
    j = "/".join(parts)
    f = f"{s}:{w.n}:{len(s):>5}:{FLT:.2f}"
    p = "%s=%d" % (s, 42)
    sl = s[1:4] + s[-1]
    return u, parts, j, f, p, sl, s in TEXT, s.startswith("mo"), str(BIG)


def closures(w, x):
    count = 0

    def inner(y):
        nonlocal count
        count += 1
        return w, x, y

    def outer_ref():
        return inner(x)

    r = [inner(w), outer_ref(), (lambda: (w, x))()]
    return r, count


def globals_access(w):
    global counter
    counter += 1
    counter -= 1
    total = len(LIST) + len(DICT) + len(TUPLE)
    return total, WIDGET.n is BIG, LIST[0] is BIG, w is WIDGET


def with_stmt(ctx, w):
    with ctx as c:
        v = c.entered + w.n
    try:
        with ctx:
            raise ProbeError(w)
    except ProbeError:
        pass
    return v


def methods(w, x):
    total = 0
    for _ in range(5):
        total += w.method(x)
    bound = w.method
    return total + bound(1), w.double, Widget.method(w, 2)


def _rebinds_in_comprehensions(x, w):
    # Inlined comprehensions save and restore the outer `x`/`w` (LOAD_FAST_AND_CLEAR ...
    # STORE_FAST), on the normal path and on the exception path.
    a = [x for x in (w, w)]
    b = {w: x for w, x in ((1, 2),)}
    try:
        c = [1 // x for x in (1, 0)]
    except ZeroDivisionError:
        c = None
    return a, b, c, x, w


def comprehension_args(x, w):
    # Called with CALL: the arguments reach the callee's frame borrowed (tagged), which
    # LOAD_FAST_AND_CLEAR must turn into owned references (test_email crashed on this).
    return _rebinds_in_comprehensions(x, w), _rebinds_in_comprehensions(w, x)


def _gen(w, x, n):
    # A native generator: values live on its stack across yields (the iterator, a call's
    # callable and arguments), in a try block, and a value sent in.
    for i in range(n):
        try:
            got = yield (w, i)
        except KeyError:
            got = None
        if got is not None:
            yield got
    return [x, (yield len((w, x)))]


def generators(w, x):
    g = _gen(w, x, 3)
    out = [next(g), g.send(x), next(g), next(g), next(g)]
    try:
        g.send(w)
    except StopIteration as e:
        out.append(e.value[0] is x and e.value[1] is w)
    half = _gen(w, x, 5)
    out.append(next(half))  # dropped while suspended: closed with references on its stack
    return out, sum(1 for _ in _gen(w, x, 4)), list(y for y in (w, x))


# ------------------------------------------------ deliberately leaking cases (--selftest-leak)

def leak_reference(w, x):
    _SINK.append(x)  # keeps one more reference to x per call (and grows a list)
    return w


def leak_objects(w):
    _SINK.append([w])  # one new list (and a reference to w) per call
    return w


def build_cases(selftest_leak):
    w = Widget(BIG2)
    lst = [BIG, BIG2, w, TEXT]
    d = {}
    cases = [
        ("arith", arith, (BIG, BIG2), {}, {}),
        ("attrs", attrs, (w,), {}, {"w.items": w.items}),
        ("calls", calls, (w, BIG), {}, {"KW": KW}),
        ("calls_kw", calls, (), {"w": w, "x": BIG2}, {}),
        ("containers", containers, (BIG, BIG2, w), {}, {}),
        ("exceptions", exceptions, (w, KEY + "?"), {}, {"ProbeError": ProbeError}),
        ("for_loops", for_loops, (lst, w), {}, {}),
        ("unpacking", unpacking, (lst, w), {}, {}),
        ("subscripts", subscripts, (lst, d, KEY, w), {}, {}),
        ("string_ops", string_ops, (TEXT, w), {}, {}),
        ("closures", closures, (w, BIG), {}, {}),
        ("globals_access", globals_access, (WIDGET,), {}, {}),
        ("with_stmt", with_stmt, (CTX, w), {}, {}),
        ("methods", methods, (w, BIG2), {}, {"Widget.method": Widget.__dict__["method"]}),
        ("comprehension_args", comprehension_args, (BIG2, w), {}, {}),
        ("generators", generators, (w, BIG), {}, {}),
    ]
    if selftest_leak:
        cases.append(("leak_reference", leak_reference, (w, BIG), {}, {}))
        cases.append(("leak_objects", leak_objects, (Widget(FLT),), {}, {}))
    return cases


def _is_mortal(obj):
    is_immortal = getattr(sys, "_is_immortal", None)
    return not (is_immortal is not None and is_immortal(obj))


def watched_objects(fn, args, kwargs, extra):
    """(label, object) pairs whose refcounts must not change across calls."""
    watched = [("function", fn), ("code", fn.__code__), ("Widget", Widget),
               ("WIDGET", WIDGET)]
    for i, a in enumerate(args):
        watched.append((f"arg{i}", a))
    for k, v in kwargs.items():
        watched.append((f"kwarg:{k}", v))
    code = fn.__code__
    for name in code.co_names:
        if name in fn.__globals__:
            watched.append((f"global:{name}", fn.__globals__[name]))
    for i, c in enumerate(code.co_consts):
        if c is not None and not isinstance(c, type(code)):
            watched.append((f"const[{i}]", c))
    for k, v in extra.items():
        watched.append((k, v))
    seen = set()
    out = []
    for label, obj in watched:
        if id(obj) in seen or not _is_mortal(obj):
            continue
        seen.add(id(obj))
        out.append((label, obj))
    return out


def measure(fn, args, kwargs, extra, calls):
    for _ in range(5):
        fn(*args, **kwargs)
    watched = watched_objects(fn, args, kwargs, extra)
    objs = [obj for _, obj in watched]
    gc.collect()
    before = [sys.getrefcount(o) for o in objs]
    blocks_before = sys.getallocatedblocks()
    for _ in range(calls):
        fn(*args, **kwargs)
    if "coir" in sys.modules:
        # A function compiled cold turns hot within `calls` and is recompiled on the compile
        # thread, whose job holds a reference to the code object until it is installed.
        sys.modules["coir"]._native.wait_compiled()
    gc.collect()
    blocks_after = sys.getallocatedblocks()
    after = [sys.getrefcount(o) for o in objs]
    deltas = {label: a - b for (label, _), b, a in zip(watched, before, after)}
    return deltas, blocks_after - blocks_before


def main(argv):
    calls = 2000
    selftest_leak = "--selftest-leak" in argv
    if "--calls" in argv:
        calls = int(argv[argv.index("--calls") + 1])
    report = {
        "python": sys.version,
        "coir_loaded": "coir" in sys.modules,
        "calls": calls,
        "cases": [],
    }
    for name, fn, args, kwargs, extra in build_cases(selftest_leak):
        deltas, blocks = measure(fn, args, kwargs, extra, calls)
        report["cases"].append({"name": name, "refcount_deltas": deltas,
                                "blocks_delta": blocks})
    _SINK.clear()
    print(json.dumps(report, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
