# closures, nonlocal, cell variables, late binding


def make_counter(start=0):
    count = start

    def inc(step=1):
        nonlocal count
        count += step
        return count

    def get():
        return count

    return inc, get


def make_multipliers():
    return [lambda x: x * i for i in range(4)]


def make_multipliers_bound():
    return [lambda x, i=i: x * i for i in range(4)]


def make_accumulator():
    total = []

    def add(v):
        total.append(v)
        return sum(total)

    return add


def outer():
    x = "outer"

    def middle():
        y = "middle"

        def inner():
            nonlocal x
            x = x + "+inner"
            return x, y

        return inner()

    r = middle()
    return r, x


def memoize(fn):
    cache = {}
    calls = [0]

    def wrapper(n):
        if n not in cache:
            calls[0] += 1
            cache[n] = fn(n)
        return cache[n]

    wrapper.calls = calls
    return wrapper


@memoize
def slow_fib(n):
    return n if n < 2 else slow_fib(n - 1) + slow_fib(n - 2)


inc, get = make_counter(10)
for i in range(5):
    inc()
print(get(), inc(100), get())
inc2, get2 = make_counter()
inc2()
print(get(), get2())
print([f(10) for f in make_multipliers()])
print([f(10) for f in make_multipliers_bound()])
acc = make_accumulator()
print([acc(i) for i in range(6)])
print(outer())
print(slow_fib(80), slow_fib.calls[0])
print(inc.__code__.co_freevars, make_counter.__code__.co_cellvars)
print(inc.__closure__[0].cell_contents)


def counter_loop():
    n = 0

    def step():
        nonlocal n
        n += 1

    for _ in range(3000):
        step()
    return n


print(counter_loop())
