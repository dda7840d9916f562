# lambdas: as arguments, stored in containers, immediately invoked, with defaults
import functools

ops = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "pow": lambda a, b=2: a ** b,
}
for name in sorted(ops):
    print(name, ops[name](7, 3))
print(ops["pow"](9))
print((lambda *a, **k: (a, sorted(k.items())))(1, 2, z=3, y=4))
print(list(map(lambda x: x * x, range(10))))
print(list(filter(lambda s: s.startswith("b"), ["apple", "banana", "blueberry", "cherry"])))
print(functools.reduce(lambda acc, x: acc * x, range(1, 15), 1))
compose = lambda f, g: lambda x: f(g(x))
inc = lambda x: x + 1
dbl = lambda x: x * 2
print(compose(inc, dbl)(5), compose(dbl, inc)(5))
print(sorted([(1, "b"), (3, "a"), (2, "c")], key=lambda t: t[1]))
print((lambda: "no args")(), (lambda x=[]: x)())
fact = lambda n: 1 if n <= 1 else n * fact(n - 1)
print(fact(20))
print(inc.__name__, inc.__code__.co_argcount)
adders = [(lambda n: (lambda x: x + n))(n) for n in range(5)]
print([a(100) for a in adders])
total = 0
sq = lambda v: v * v
for i in range(3000):
    total += sq(i)
print(total)
