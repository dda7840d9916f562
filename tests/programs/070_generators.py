# generator functions: yield, send, yield from, return values, close/throw, itertools


def countdown(n):
    while n > 0:
        yield n
        n -= 1
    return "liftoff"


def averager():
    total = 0.0
    count = 0
    avg = None
    while True:
        value = yield avg
        if value is None:
            break
        total += value
        count += 1
        avg = total / count
    return count


def delegator():
    result = yield from countdown(3)
    yield f"inner returned {result}"
    n = yield from averager_wrapper()
    yield f"averaged {n} values"


def averager_wrapper():
    return (yield from averager())


def fib_gen():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def with_cleanup():
    try:
        yield 1
        yield 2
    finally:
        print("generator cleanup ran")


def catcher():
    while True:
        try:
            yield "waiting"
        except ValueError as e:
            yield f"caught {e}"


print(list(countdown(5)))
g = countdown(2)
print(next(g), next(g))
try:
    next(g)
except StopIteration as e:
    print("StopIteration value:", e.value)
avg = averager()
next(avg)
for v in (10, 20, 60):
    print("avg", avg.send(v))
try:
    avg.send(None)
except StopIteration as e:
    print("count", e.value)
d = delegator()
print(next(d), next(d), next(d), next(d))
print(next(d))
print(d.send(4), d.send(8))
try:
    d.send(None)
except StopIteration:
    pass
import itertools
print(list(itertools.islice(fib_gen(), 20)))
c = with_cleanup()
print(next(c))
c.close()
print("closed")
k = catcher()
print(next(k), k.throw(ValueError("boom")), next(k))
print(list(itertools.chain(countdown(2), "ab")), list(zip(countdown(3), fib_gen())))
print(sum(x for x in itertools.takewhile(lambda v: v < 1000, fib_gen())))
