"""A call site in native code remembers the code state of the Python function it called last.
Here the functions called at one site keep changing: fresh functions of fresh code objects
(other arities, defaults, *args, closures), the old ones freed (their code states are reused
for later code objects, which the site's cache must not mistake for its own), `__code__`
reassigned, classes whose `__init__` differs, bound methods of several classes, and a site
that meets a C function between Python ones."""
import gc


def make(k):
    extra = ""
    if k % 3 == 1:
        extra = f", c={k}"
    elif k % 3 == 2:
        extra = ", *rest"
    src = f"def f(a, b{extra}):\n    return a * {k % 7 + 1} + b{' + c' if k % 3 == 1 else ''}\n"
    ns = {}
    exec(src, ns)
    return ns["f"]


def closure(k):
    def g(a, b):
        return a - b + k
    return g


def caller(fn, n):
    t = 0
    for i in range(n):
        t += fn(i, 1)
    return t


def method_caller(objs, n):
    t = 0
    for i in range(n):
        t += objs[i % len(objs)].value(i)
    return t


class A:
    def __init__(self, x):
        self.x = x

    def value(self, i):
        return self.x + i


class B(A):
    def value(self, i):
        return self.x * 2 - i


class C:
    def __init__(self, x, y=3):
        self.x = x + y

    def value(self, i):
        return -self.x


def build(cls, n):
    t = 0
    for i in range(n):
        t += cls(i).x
    return t


total = 0
for k in range(240):
    fn = make(k) if k % 4 else closure(k)
    total += caller(fn, 150)
    del fn
    if k % 40 == 0:
        gc.collect()
print("fresh functions", total)

# One function object whose code changes under the site.
def h(a, b):
    return a + b
codes = [make(k).__code__ for k in (3, 5, 6)]
t = 0
for r in range(60):
    h.__code__ = codes[r % 3]
    t += caller(h, 100)
print("__code__ reassigned", t)

# Python functions and a C function at one site.
t = 0
for r in range(90):
    t += caller([make(r), max, closure(r)][r % 3], 100)
print("mixed callees", t)

print("methods", method_caller([A(1), B(2), C(3), A(4)], 5000))
print("classes", [build(cls, 2000) for cls in (A, B, C, A, C)])

# A function that raises at the cached site, after the site cached a function that did not.
def bad(a, b):
    return a // (b - 1)
try:
    caller(bad, 10)
except ZeroDivisionError as e:
    print("raised", type(e).__name__, e)
print("again", caller(make(8), 300))
