# inspect.currentframe().f_back.f_locals / f_globals / f_code from the callee
import builtins
import inspect
import sys


def caller_locals():
    frame = inspect.currentframe().f_back
    try:
        return sorted((k, v) for k, v in frame.f_locals.items() if not k.startswith("_"))
    finally:
        del frame


def caller_var(name):
    return sys._getframe(1).f_locals.get(name, "<missing>")


def caller_info():
    f = inspect.currentframe().f_back
    return f.f_code.co_name, f.f_globals is globals(), f.f_builtins is builtins.__dict__


def user(a, b):
    total = a + b
    items = [a, b]
    first = caller_locals()
    label = "later"
    second = caller_locals()
    return first, second


def loop_user(n):
    snapshots = []
    for i in range(n):
        acc = i * 10
        snapshots.append((caller_var("i"), caller_var("acc"), caller_var("nope")))
    return snapshots


def nested_user():
    outer = "o"

    def inner():
        ref = outer
        return caller_locals()

    return inner()


def unbound_in_caller(flag):
    if flag:
        maybe = 1
    return caller_locals()


def exception_var():
    try:
        raise ValueError("v")
    except ValueError as err:
        inside = caller_locals()
    after = caller_locals()
    return inside, after


first, second = user(3, 4)
print(first)
print(second)
print(loop_user(4))
print(nested_user())
print(unbound_in_caller(True), unbound_in_caller(False))
ins, aft = exception_var()
print([k for k, v in ins], [k for k, v in aft])
print(caller_info())


def proxy_type():
    return type(sys._getframe().f_locals).__name__, type(sys._getframe(1).f_locals).__name__


print(proxy_type())
total = 0
for i in range(300):
    total += len(user(i, i)[1])
print(total)
