"""Yields and awaits inside exception handlers (issue 8, item 1): the suspended frame holds the
handler's tagged lasti where the interpreter's does, and resuming, re-raising (RERAISE restores
the lasti: the traceback keeps the line of the raise), throw() and close() into a generator
suspended in `except` or `finally`, `async with` whose exit awaits (the body raised: swallowed
or not), `await` in `except`, `finally` and `except*`, and `async for` in a handler."""
import asyncio
import traceback


def in_except():
    try:
        yield "try"
        raise ValueError("from the body")
    except ValueError as e:
        got = yield f"except {e}"
        yield f"sent {got}"
        raise
    finally:
        yield "finally"


def nested(n):
    for i in range(n):
        try:
            try:
                if i % 2:
                    raise KeyError(i)
                yield ("ok", i)
            finally:
                yield ("inner finally", i)
        except KeyError as e:
            yield ("caught", e.args[0])
            try:
                raise TypeError(i) from e
            except TypeError as t:
                yield ("chained", str(t), type(t.__cause__).__name__)


def closable():
    try:
        yield 1
    finally:
        yield "cleanup"


def lines(tb):
    return [(f.name, f.lineno - in_except.__code__.co_firstlineno) for f in traceback.extract_tb(tb)]


class Session:
    def __init__(self, log, swallow):
        self.log = log
        self.swallow = swallow

    async def __aenter__(self):
        await asyncio.sleep(0)
        self.log.append("enter")
        return self

    async def __aexit__(self, typ, exc, tb):
        await asyncio.sleep(0)
        self.log.append(f"exit {typ.__name__ if typ else None}")
        return self.swallow


async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i


async def with_handlers(r):
    log = []
    async with Session(log, True):
        raise KeyError(r)
    try:
        async with Session(log, False):
            raise IndexError(r)
    except IndexError as e:
        log.append(f"out {e!r}")
        await asyncio.sleep(0)
        log.append([i async for i in ticker(3)])
    finally:
        await asyncio.sleep(0)
        log.append("finally awaited")
    try:
        raise ExceptionGroup("g", [ValueError(1), TypeError(2)])
    except* ValueError as eg:
        await asyncio.sleep(0)
        log.append(("star value", [str(e) for e in eg.exceptions]))
    except* TypeError as eg:
        async for i in ticker(2):
            log.append(("star type", i))
    try:
        async with Session(log, False):
            await asyncio.sleep(0)
            raise RuntimeError("deep")
    except RuntimeError:
        log.append(traceback.format_exc().splitlines()[-1])
    return log


for r in range(6):
    g = in_except()
    print(next(g), next(g), g.send("x"), next(g))
    try:
        next(g)
    except ValueError as e:
        print("re-raised", e, lines(e.__traceback__))
    print(list(nested(4)))
    g = in_except()
    next(g)
    next(g)
    try:
        g.throw(OSError("thrown in except"))
    except OSError:
        pass
    print("after throw", g.gi_frame is not None)
    c = closable()
    next(c)
    try:
        c.close()
    except RuntimeError as e:
        print("close", e)
    try:
        next(c)
    except GeneratorExit:
        print("GeneratorExit re-raised after the finally")
    c = closable()
    next(c)
    print("throw", c.throw(ZeroDivisionError))
    c.close()
    print("closed", c.gi_frame)
    print(asyncio.run(with_handlers(r)))
