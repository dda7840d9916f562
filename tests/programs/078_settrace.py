# sys.settrace line/call/return events for functions (a JIT must fall back to tracing correctly)
import os
import sys

THIS = os.path.basename(__file__)
events = []


def tracer(frame, event, arg):
    if os.path.basename(frame.f_code.co_filename) != THIS:
        return None
    name = frame.f_code.co_name
    if name == "tracer":
        return None
    if event == "return":
        events.append((event, name, frame.f_lineno, arg))
    elif event == "exception":
        events.append((event, name, frame.f_lineno, arg[0].__name__))
    else:
        events.append((event, name, frame.f_lineno))
    return tracer


def square(x):
    y = x * x
    return y


def work(n):
    total = 0
    for i in range(n):
        total += square(i)
    return total


def failing():
    try:
        raise ValueError("traced")
    except ValueError:
        return "handled"


print("before tracing", work(3))
sys.settrace(tracer)
r1 = work(3)
r2 = failing()
sys.settrace(None)
print("results", r1, r2)
for ev in events:
    print(ev)
events.clear()
print("after tracing", work(4), len(events))
