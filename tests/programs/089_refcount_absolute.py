# absolute sys.getrefcount values before/after calls (stricter than 062: compiled code
# must hold exactly the same references as the interpreter at the point of the call)
# coir-thresholds: 0
# Only with every function native: while any PEP 523 hook is installed, CPython's interpreter
# stops inlining Python-to-Python calls (_CHECK_PEP_523) and passes arguments as new
# references, so a callee run from interpreted code sees one more reference than without the
# hook. Native callers pass borrowed arguments, as the interpreter's own inlined calls do.
import sys


class Thing:
    pass


def callee(a, b=None):
    x = a
    return x is a


def keeps(store, obj):
    store.append(obj)


def report(label, obj):
    # `obj` here is a parameter: the caller's argument reference plus ours
    print(f"{label:28s} {sys.getrefcount(obj)}")


def inside_function():
    t = Thing()
    print("fresh local", sys.getrefcount(t))
    callee(t)
    print("after callee", sys.getrefcount(t))
    store = []
    keeps(store, t)
    print("after keeps", sys.getrefcount(t))
    keeps(store, t)
    print("after keeps x2", sys.getrefcount(t))
    store.clear()
    print("after clear", sys.getrefcount(t))
    alias = t
    print("with alias", sys.getrefcount(t))
    del alias
    print("alias deleted", sys.getrefcount(t))
    report("via report()", t)
    pair = (t, t)
    print("in tuple twice", sys.getrefcount(t))
    del pair
    d = {"k": t}
    print("in dict", sys.getrefcount(t))
    d.pop("k")
    print("popped", sys.getrefcount(t))
    for _ in range(500):
        callee(t, b=t)
    print("after 500 calls", sys.getrefcount(t))


inside_function()
g = Thing()
print("global fresh", sys.getrefcount(g))
callee(g, b=g)
print("global after callee", sys.getrefcount(g))
holder = [g] * 3
print("global in list x3", sys.getrefcount(g))
del holder
print("global list deleted", sys.getrefcount(g))
for i in range(1000):
    callee(g)
print("global after 1000 calls", sys.getrefcount(g))
