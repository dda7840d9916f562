# locals() / vars() / dir() inside functions, comprehensions, class bodies, closures


def simple(a, b=2):
    c = a + b
    snapshot = locals()
    d = c * 2
    return sorted(snapshot.items()), sorted(locals())


def in_loop():
    seen = []
    for i in range(3):
        x = i * i
        seen.append(sorted(locals().items(), key=lambda kv: kv[0]))
    return seen


def with_closure():
    captured = "cell"

    def inner():
        free = captured
        return sorted(locals().items())

    return inner(), sorted(k for k in locals())


def comprehension_locals():
    outer_var = 10
    return [sorted(locals()) for _ in range(1)]


def modify_locals():
    x = 1
    loc = locals()
    loc["x"] = 99
    loc["new"] = 5
    return x, "new" in locals(), sorted(loc)


def args_kwargs(*args, **kwargs):
    return sorted(locals().items())


def deleted():
    a = 1
    b = 2
    del a
    return sorted(locals())


def unbound_branch(flag):
    if flag:
        y = "set"
    return sorted(locals().items())


class C:
    x = 1
    y = x + 1
    names = sorted(k for k in locals() if not k.startswith("__"))

    def m(self):
        return sorted(vars(self).items()), sorted(locals())


print(simple(1))
print(simple(5, b=10))
for row in in_loop():
    print(row)
print(with_closure())
print(comprehension_locals())
print(modify_locals())
print(args_kwargs(1, 2, k=3))
print(deleted())
print(unbound_branch(True), unbound_branch(False))
print(C.names)
c = C()
c.attr = "v"
print(c.m())
print(sorted(dir(c))[-4:])
count = 0
for i in range(500):
    count += len(simple(i)[0])
print(count)
