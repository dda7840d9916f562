"""Globals read by compiled code while the module changes under it: names rebound, added,
deleted, a builtin shadowed by a module global and unshadowed again. The compiled reads are
guarded by the dicts' keys versions; after enough misses the function is compiled again. Every
result, and the NameError of a deleted name, must be the interpreter's."""

K = 3


def f(n):
    s = 0
    for i in range(n):
        s += K + len("ab")
    return s


def g():
    return MISSING_LATER


def main():
    global K
    for _ in range(30):
        print(f(1000))
    K = 10
    print(f(1000))
    for k in range(40):
        globals()["G%d" % k] = k
    for _ in range(5):
        print(f(1000))
    globals()["len"] = lambda x: 100
    for _ in range(5):
        print(f(1000))
    del globals()["len"]
    for _ in range(5):
        print(f(1000))
    globals()["MISSING_LATER"] = "here"
    for _ in range(20):
        g()
    print(g())
    del globals()["MISSING_LATER"]
    try:
        g()
    except NameError as e:
        print("NameError", e)


main()
