"""Coroutines: a recursive Fibonacci of coroutines awaiting coroutines (after pyperformance's
`coroutines`), driven by send(), and an asyncio program: tasks passing items through queues
and awaiting small coroutines.

Usage: coroutines.py [ROUNDS]   (default 24 rounds)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import asyncio
import sys
import time

DEFAULT_SIZE = 24


async def fibonacci(n):
    if n <= 1:
        return n
    return await fibonacci(n - 1) + await fibonacci(n - 2)


def drive(coro):
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        return e.value


async def double(x):
    return x * 2


async def producer(q, n):
    for i in range(n):
        await q.put(i)
    await q.put(None)


async def consumer(q):
    total = 0
    while True:
        item = await q.get()
        if item is None:
            return total
        total += await double(item)


async def pipeline(n):
    q = asyncio.Queue(maxsize=64)
    results = await asyncio.gather(producer(q, n), consumer(q))
    return results[1]


def run(rounds):
    checksum = 0
    for r in range(rounds):
        checksum = (checksum * 31 + drive(fibonacci(22 + r % 2))) % 1000000007
        checksum = (checksum * 31 + asyncio.run(pipeline(20000))) % 1000000007
    return checksum


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    c = run(rounds)
    elapsed = time.perf_counter() - t0
    print(f"checksum {c}")
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
