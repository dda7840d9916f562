# keyword arguments, defaults, keyword-only and positional-only parameters


def greet(name, greeting="Hello", punct="!"):
    return f"{greeting}, {name}{punct}"


def kwonly(a, *, scale=1, offset=0):
    return a * scale + offset


def posonly(a, b, /, c, d=4):
    return (a, b, c, d)


def mutable_default(x, acc=[]):
    acc.append(x)
    return list(acc)


def none_default(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x)
    return acc


def evaluated_once(v=[len("abc")]):
    return v


def many(a, b=2, *args, c, d=5, **kw):
    return a, b, args, c, d, sorted(kw.items())


print(greet("Ann"), greet("Bob", "Hi"), greet("Cy", punct="?"), greet(greeting="Yo", name="Di"))
print(kwonly(3), kwonly(3, scale=10), kwonly(3, offset=1, scale=2))
print(posonly(1, 2, 3), posonly(1, 2, c=30), posonly(1, 2, 3, d=40))
print(mutable_default(1), mutable_default(2), mutable_default(3))
print(none_default(1), none_default(2))
print(evaluated_once() is evaluated_once(), evaluated_once())
print(many(1, c=3), many(1, 2, 3, 4, c=5, e=6, f=7), many(a=0, c=0, d=0, z=0))
print(greet.__defaults__, kwonly.__kwdefaults__, many.__code__.co_kwonlyargcount, posonly.__code__.co_posonlyargcount)
errors = [
    lambda: greet(),
    lambda: greet("a", "b", "c", "d"),
    lambda: kwonly(1, 2),
    lambda: posonly(a=1, b=2, c=3),
    lambda: greet("x", name="y"),
    lambda: greet("x", bogus=1),
    lambda: many(1),
]
for fn in errors:
    try:
        fn()
    except TypeError as e:
        print("TypeError:", e)
total = 0
for i in range(2000):
    total += kwonly(i, scale=2, offset=-1) + kwonly(i) + len(greet("n", punct="."))
print(total)
