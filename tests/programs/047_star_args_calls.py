# *args / **kwargs in definitions and at call sites, forwarding wrappers


def collect(*args, **kwargs):
    return args, sorted(kwargs.items())


def add3(a, b, c):
    return a + b + c


def forward(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def logged(fn):
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        print(f"  {fn.__name__}{args}{sorted(kwargs.items())} -> {result}")
        return result
    return wrapper


@logged
def area(w, h=1, *, unit="m"):
    return f"{w * h}{unit}2"


print(collect(), collect(1, 2), collect(a=1), collect(1, *[2, 3], x=4, **{"y": 5}))
args = (1, 2, 3)
print(add3(*args), add3(1, *[2, 3]), add3(*"abc"), add3(**{"a": 1, "b": 2, "c": 3}), add3(1, **{"c": 3, "b": 2}))
print(forward(add3, 1, 2, c=3), forward(collect, *range(3), k="v"), forward(max, [3, 9, 2], key=lambda x: -x))
area(3)
area(3, 4)
area(w=2, h=5, unit="cm")
area(*[7], **{"unit": "km"})
print(collect(*range(5), *"xy", **{"a": 1}, **{"b": 2}))
try:
    add3(**{"a": 1, "b": 2, "c": 3, "d": 4})
except TypeError as e:
    print("TypeError:", e)
try:
    collect(**{"a": 1}, a=2)
except TypeError as e:
    print("TypeError:", e)
try:
    add3(*[1, 2])
except TypeError as e:
    print("TypeError:", e)
print(print is forward(lambda *a: print, 1), list(map(add3, [1, 2], [3, 4], [5, 6])))
print(sorted([3, 1, 2], **{"reverse": True}), "{}-{}".format(*"ab"), dict(**{"z": 1}, y=2))
total = 0
for i in range(1500):
    total += forward(add3, i, *(1, 2)) + len(collect(*range(i % 5))[0])
print(total)
