"""Tracing switched on while compiled frames run (issue 8, item 2): a function that has run
natively for a while calls something that installs a tracer (as `breakpoint()` and debuggers
do: `sys.settrace` and the caller frames' `f_trace`), and from then on every line, return and
exception event of that frame and of its native callers reaches the tracer, as in the
interpreter. Also: a tracer installed inside a loop with no call after it but a back edge, by
another thread while this one waits, with sys.setprofile, and with a sys.monitoring tool;
and code that runs natively again once tracing is switched off."""
import gc
import sys
import threading

events = []


def tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        events.append((event, frame.f_code.co_name, frame.f_lineno))
    return tracer


def start_tracing(depth):
    sys.settrace(tracer)
    f = sys._getframe(1)
    for _ in range(depth):
        f.f_trace = tracer
        f = f.f_back


def work(n, switch_at):
    total = 0
    for i in range(n):
        if i == switch_at:
            start_tracing(2)
        total += i * 2
        t = total % 7
    return total, t


def outer(n, switch_at):
    r = work(n, switch_at)
    s = r[0] + 1
    return s


def raising(k, switch_at):
    try:
        if k == switch_at:
            start_tracing(1)
        if k >= switch_at:
            raise ValueError(k)
        return k
    except ValueError as e:
        return -e.args[0]


def back_edge_only(n, signal_at):
    x = 0
    for i in range(n):
        x += i
        if i == signal_at:
            x += 1
    return x


def run(label, fn):
    events.clear()
    try:
        r = fn()
    finally:
        sys.settrace(None)
        # coir's frame hook, removed while a tracer is active, is put back at a collection.
        gc.collect()
    print(label, r)
    for e in events[:40]:
        print("  ", *e)
    print("   events:", len(events))


# Hot first, untraced.
for _ in range(300):
    outer(20, -1)
    raising(1, 5)
run("outer", lambda: outer(12, 9))
run("raising", lambda: [raising(k, 3) for k in range(6)])
for _ in range(300):
    outer(20, -1)
print("again untraced", outer(20, -1))


# Another thread switches tracing on while this one runs a loop with calls in it.
def spin(n, ready, go):
    total = 0
    for i in range(n):
        total += len(str(i))
        if i == 100:
            ready.set()
            go.wait()
    return total


done = threading.Event()
done.set()
for _ in range(200):
    spin(150, threading.Event(), done)
ready, go = threading.Event(), threading.Event()


main_thread = threading.get_ident()


def other():
    ready.wait()
    threading.settrace_all_threads(tracer)
    f = sys._current_frames()[main_thread]
    while f.f_code.co_name != "spin":
        f = f.f_back
    f.f_trace = tracer
    go.set()


events.clear()
th = threading.Thread(target=other)
th.start()
r = spin(130, ready, go)
threading.settrace_all_threads(None)
th.join()
gc.collect()
print("thread", r, [e for e in events if e[1] == "spin"][:12])

# A profiler switched on from a callee sees the caller's return and the calls after.
calls = []


def profiler(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        calls.append((event, frame.f_code.co_name))


def start_profile():
    sys.setprofile(profiler)


def helper(x):
    return x + 1


def profiled(n, at):
    s = 0
    for i in range(n):
        if i == at:
            start_profile()
        s += helper(i)
    return s


for _ in range(300):
    profiled(10, -1)
r = profiled(6, 3)
sys.setprofile(None)
gc.collect()
print("profile", r, calls)

# sys.monitoring: a tool's LINE events for a function already running natively.
mon = sys.monitoring
lines = []


def start_monitoring(code):
    mon.use_tool_id(3, "coir-test")
    mon.register_callback(3, mon.events.LINE, lambda c, line: lines.append((c.co_name, line)) if c is code else None)
    mon.set_events(3, mon.events.LINE)


def monitored(n, at):
    s = 0
    for i in range(n):
        if i == at:
            start_monitoring(monitored.__code__)
        s += i
    return s


for _ in range(300):
    monitored(10, -1)
r = monitored(5, 2)
mon.set_events(3, 0)
mon.free_tool_id(3)
gc.collect()
first = lines[0][1] - monitored.__code__.co_firstlineno if lines else None
print("monitoring", r, len(lines), first, [ln - monitored.__code__.co_firstlineno for _, ln in lines])
print("untraced at the end", outer(20, -1), back_edge_only(100, -1))
