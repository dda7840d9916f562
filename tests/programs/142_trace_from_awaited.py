"""Tracing switched on by an awaited coroutine, as pdb's `set_trace_async` does (issue 8, item
2): the awaiting coroutine, running natively, goes on in the interpreter, so its next lines are
traced as without coir.

Not at threshold 3: there the first calls run in the interpreter with coir's frame hook
installed, and with any PEP 523 hook (`python -X perf` shows the same) CPython's own SEND takes
its generic path and reports the awaited coroutine's StopIteration to the tracer twice.
"""
# coir-thresholds: 0, profile
import sys

traced = []


def tracer(frame, event, arg):
    traced.append((frame.f_code.co_name, event, frame.f_lineno - frame.f_code.co_firstlineno))
    return tracer


async def trace_caller():
    caller = sys._getframe(1)
    caller.f_trace = tracer
    sys.settrace(tracer)


async def awaits_tracing(n):
    total = n
    await trace_caller()
    total += 1
    total *= 2
    sys.settrace(None)
    return total


def drive(coro):
    try:
        coro.send(None)
    except StopIteration as e:
        return e.value


def main():
    for round_no in range(3):
        traced.clear()
        print(drive(awaits_tracing(round_no)), traced)


main()
