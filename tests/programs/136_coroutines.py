"""Coroutines, async generators and delegation run natively (issue 8, item 1): `yield from`
(values, send() passed through, the delegate's return value, a delegate that raises), `await`
on coroutines and on objects with __await__, `async for` over an async generator and over a
class with __anext__ (StopAsyncIteration ends the loop, another exception propagates),
`async with`, asyncio tasks, gather and a timeout, exceptions in coroutines with their
tracebacks, and `await` of a coroutine already awaited (RuntimeError)."""
import asyncio
import sys
import traceback


def inner(n):
    got = []
    for i in range(n):
        x = yield i
        got.append(x)
    return got


def outer(n):
    result = yield from inner(n)
    yield ("inner returned", result)
    result = yield from [10, 20]
    return result


def failing():
    yield 1
    raise ValueError("from the delegate")


def delegate_failure():
    try:
        yield from failing()
    except ValueError as e:
        yield f"caught {e}"


class Ready:
    def __init__(self, v):
        self.v = v

    def __await__(self):
        yield from ()
        return self.v


async def add(a, b):
    await asyncio.sleep(0)
    return a + b


async def chain(n):
    total = 0
    for i in range(n):
        total = await add(total, i)
        total += await Ready(1)
    return total


async def agen(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i * 3


class Countdown:
    def __init__(self, n, fail=False):
        self.n = n
        self.fail = fail

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n == 0:
            if self.fail:
                raise KeyError("countdown")
            raise StopAsyncIteration
        self.n -= 1
        return self.n


class Session:
    def __init__(self, log):
        self.log = log

    async def __aenter__(self):
        self.log.append("open")
        return self

    async def __aexit__(self, *exc):
        self.log.append(("close", exc[0].__name__ if exc[0] else None))
        return exc[0] is KeyError


async def consume(n):
    out = [x async for x in agen(n)]
    async for y in Countdown(3):
        out.append(y)
    try:
        async for y in Countdown(1, fail=True):
            out.append(y)
    except KeyError as e:
        out.append(f"key {e}")
    log = []
    async with Session(log):
        out.append("inside")
    async with Session(log):
        raise KeyError("suppressed")
    out.append(log)
    return out


async def broken(k):
    await asyncio.sleep(0)
    return 1 // k


async def main(round_no):
    print(await chain(5), await consume(4))
    print(await asyncio.gather(add(1, 2), chain(3), add(4, 5)))
    task = asyncio.create_task(chain(4))
    print(await task)
    try:
        await broken(0)
    except ZeroDivisionError:
        tb = traceback.format_exc().splitlines()
        print([line.strip() for line in tb if "line" in line][-2:])
    try:
        await asyncio.wait_for(asyncio.sleep(10), timeout=0.001)
    except TimeoutError:
        print("timed out")
    c = add(1, 1)
    print(await c)
    try:
        await c
    except RuntimeError as e:
        print("runtime", e)


for r in range(4):
    g = outer(3)
    print(next(g), g.send("a"), g.send("b"), g.send("c"), next(g), next(g))
    try:
        next(g)
    except StopIteration as e:
        print("stop", e.value)
    print(list(delegate_failure()))
    asyncio.run(main(r))


# Creating generators and coroutines from native code (RETURN_GENERATOR without the
# interpreter): their names, states and frames, a generator function with a closure (cells set
# up before RETURN_GENERATOR), and coroutine origin tracking (the creating frame is the caller).
async def leaf(x):
    return x


def make_leaf(x):
    return leaf(x)


def counter(start):
    step = 2

    def bump(v):
        return v + step

    v = start
    while v < start + 6:
        yield v
        v = bump(v)


for r in range(4):
    c = make_leaf(r)
    print(type(c).__name__, c.__qualname__, c.cr_frame.f_lineno == leaf.__code__.co_firstlineno,
          c.cr_running, c.cr_suspended if hasattr(c, "cr_suspended") else None)
    print(asyncio.run(c))
    g = counter(r)
    print(g.gi_frame.f_lasti >= 0, list(g), g.gi_frame)
    sys.set_coroutine_origin_tracking_depth(2)
    c = make_leaf(r)
    print([(name, line - make_leaf.__code__.co_firstlineno) for _, line, name in c.cr_origin])
    sys.set_coroutine_origin_tracking_depth(0)
    c.close()
