# return / break / continue interacting with finally.
# `return` inside `finally` is a SyntaxWarning in 3.14 (PEP 765), so those
# functions are compiled from a string with warnings silenced; they are still
# ordinary functions afterwards.
import warnings

SRC = '''
def swallow():
    try:
        raise ValueError("lost")
    finally:
        return "finally wins"


def override_return():
    try:
        return "try"
    finally:
        return "finally"


def swallow_in_loop(n):
    out = []
    for i in range(n):
        def f(i=i):
            try:
                if i % 2:
                    raise KeyError(i)
                return ("even", i)
            finally:
                if i % 3 == 0:
                    return ("finally", i)
        try:
            out.append(f())
        except KeyError as e:
            out.append(("raised", e.args[0]))
    return out
'''

ns = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    exec(compile(SRC, "<finally-src>", "exec"), ns)
swallow = ns["swallow"]
override_return = ns["override_return"]
swallow_in_loop = ns["swallow_in_loop"]


def finally_sees_value():
    x = 1
    try:
        x = 2
        return x
    finally:
        x = 3
        print("in finally x =", x)


def counter():
    n = 0
    for i in range(5):
        try:
            if i == 1:
                continue
            if i == 3:
                break
            n += 10
        finally:
            n += 1
    return n


def nested_finally():
    order = []
    try:
        try:
            order.append(1)
            return order
        finally:
            order.append(2)
    finally:
        order.append(3)


def return_value_evaluated_before_finally():
    items = [1]
    try:
        return len(items)
    finally:
        items.append(2)
        print("finally appended; len now", len(items))


print(swallow())
print(override_return())
print(swallow_in_loop(7))
print(finally_sees_value())
print(counter())
print(nested_finally())
print(return_value_evaluated_before_finally())
for i in range(3):
    print(i, swallow(), override_return(), counter())
