# STORE_FAST_LOAD_FAST pushes a new reference (PyStackRef_DUP), not a borrow: the loaded
# local can be overwritten (here by a walrus) while its old value is still on the stack.
# With a borrow, the dict key below is freed before MAP_ADD uses it.


def keys(n):
    a = 10**30 + n
    b = 10**40 + n
    d = {a: (a := b) for __ in range(1)}
    return d


def chain(n):
    a = [n] * 3
    b = [n + 1] * 3
    out = [(a, (a := b)) for __ in range(2)]
    return out


for i in range(200):
    r = keys(i)
    s = chain(i)
    if i % 50 == 0:
        print(r, s)
