"""Coroutines and generators resumed by send() and by native code's SEND (issue 8): what
`coro.send()` returns and raises (the values yielded, StopIteration with the return value or
without one, a value sent to a just-started coroutine, a finished coroutine sent to again, a
coroutine sending to itself), the frame a running coroutine sees (`f_generator`, `f_back`
through a chain of awaits, `cr_running`, `cr_await` and `cr_frame` of a suspended one), awaits
that finish without suspending mixed with ones that suspend, exceptions raised through a chain
of awaits with their tracebacks, and a chain of awaits deeper than the C stack holds native
frames (the interpreter resumes each without a C frame)."""
import inspect
import sys
import traceback
import types


@types.coroutine
def suspend(value):
    sent = yield value
    return sent


async def leaf(n):
    return n * 2


async def node(n):
    if n <= 1:
        return await leaf(n)
    return await node(n - 1) + await node(n - 2)


async def pauses(n):
    total = 0
    for i in range(n):
        total += await leaf(i)
        if i % 3 == 0:
            total += await suspend(("paused", i))
    return total


def drive(coro, sends=()):
    sends = list(sends)
    log = []
    try:
        log.append(coro.send(None))
        while True:
            log.append(coro.send(sends.pop(0) if sends else 1))
    except StopIteration as e:
        log.append(("returned", e.value, e.args))
    return log


async def look():
    frame = sys._getframe()
    me = frame.f_generator
    return (me.__qualname__, me.cr_running, inspect.getcoroutinestate(me), frame.f_back.f_code.co_name)


async def outer_look():
    return await look()


async def held(log):
    got = await suspend("first")
    log.append(("got", got))
    return "done"


async def raises(n):
    if n == 0:
        raise KeyError("bottom")
    return await raises(n - 1)


async def deep(n):
    if n == 0:
        return 0
    return 1 + await deep(n - 1)


async def returns_none():
    await leaf(1)


def plain_gen():
    x = yield 1
    y = yield x + 1
    return ("gen", x, y)


async def sends_to_self(box):
    try:
        box[0].send(None)
    except ValueError as e:
        return f"ValueError {e}"


def main():
    for round_no in range(3):
        print(drive(node(12)))
        print(drive(pauses(8), sends=[10, 20, 30]))
        print(drive(outer_look()))
        log = []
        c = held(log)
        print(c.send(None), inspect.getcoroutinestate(c), c.cr_await is not None, c.cr_frame.f_code.co_name)
        try:
            c.send("answer")
        except StopIteration as e:
            print("stop", e.value, log, inspect.getcoroutinestate(c), c.cr_frame)
        try:
            c.send(None)
        except RuntimeError as e:
            print("runtime", e)
        fresh = leaf(3)
        try:
            fresh.send(5)
        except TypeError as e:
            print("type", e)
        print(drive(fresh))
        try:
            drive(raises(5))
        except KeyError:
            tb = traceback.format_exc().splitlines()
            print(len(tb), [line.strip() for line in tb if "line" in line][-3:])
        print(drive(returns_none()))
        g = plain_gen()
        print(g.send(None), g.send(5))
        try:
            g.send(7)
        except StopIteration as e:
            print("gen stop", e.value)
        try:
            print("exhausted", g.send(1))
        except StopIteration as e:
            print("exhausted stop", e.args)
        box = [None]
        box[0] = sends_to_self(box)
        print(drive(box[0]))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(60_000)
    try:
        print("deep", drive(deep(40_000)))
    finally:
        sys.setrecursionlimit(old)


main()
