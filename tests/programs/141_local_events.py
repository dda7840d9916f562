"""sys.monitoring.set_local_events on a function that is running (issue 8, item 2): a debugger
built on PEP 669 sets LINE events on the code of the function with the breakpoint, which may be
looping natively at that moment. The events must start at the next line, as in the interpreter:
the loop below switches them on from a callee in its third iteration and off again in its
sixth, and the lines seen are printed. Also: local events set from another function while the
loop runs in a generator that is suspended, and a tool that only uses local events while
another function runs natively beside it. And C_RETURN events switched on globally: a Python
function called from then on is not reported as a C function (profile mode routes calls of
compiled functions through a vectorcall of its own, which it gives back)."""
import sys

mon = sys.monitoring
TOOL = mon.DEBUGGER_ID
seen = []


def on_line(code, line):
    seen.append((code.co_name, line - code.co_firstlineno))


def switch(code, on):
    mon.set_local_events(TOOL, code, mon.events.LINE if on else 0)


def looping(n):
    total = 0
    for i in range(n):
        if i == 3:
            switch(looping.__code__, True)
        total += i * i
        if i == 6:
            switch(looping.__code__, False)
        total -= 1
    return total


def produce(n):
    for i in range(n):
        x = i * 2
        yield x + 1


def unrelated(n):
    return sum(i for i in range(n))


def callee(x):
    return len([x])


returns = []


def on_c_return(code, offset, callable, arg0):
    returns.append((code.co_name, getattr(callable, "__name__", type(callable).__name__)))


def count_c_returns():
    mon.register_callback(TOOL, mon.events.C_RETURN, on_c_return)
    mon.set_events(TOOL, mon.events.CALL)
    total = callee(1) + callee(2)
    mon.set_events(TOOL, 0)
    mon.register_callback(TOOL, mon.events.C_RETURN, None)
    return total


def main():
    mon.use_tool_id(TOOL, "coir-test")
    for round_no in range(3):
        callee(round_no)
    returns.clear()
    print(count_c_returns(), returns)
    mon.register_callback(TOOL, mon.events.LINE, on_line)
    try:
        for round_no in range(3):
            seen.clear()
            print(looping(10), seen)
            seen.clear()
            g = produce(6)
            first = [next(g), next(g)]
            switch(produce.__code__, True)
            rest = list(g)
            switch(produce.__code__, False)
            print(first, rest, seen)
            seen.clear()
            switch(unrelated.__code__, True)
            print(unrelated(5), len(seen))
            switch(unrelated.__code__, False)
            print(looping(4), seen[:3])
    finally:
        mon.register_callback(TOOL, mon.events.LINE, None)
        mon.free_tool_id(TOOL)


main()
