# sys._getframe().f_lineno at many points in a function, incl. loops, branches, nested defs
import sys


def here():
    return sys._getframe(1).f_lineno


def straight():
    a = sys._getframe().f_lineno
    b = sys._getframe().f_lineno
    c = here()
    return a, b, c


def in_loop(n):
    lines = []
    for i in range(n):
        if i % 2:
            lines.append(("odd", here()))
        else:
            lines.append(("even", here()))
    return lines


def multi_line_call():
    return here(
    ) + 0, (
        here()
    )


def in_except():
    try:
        raise KeyError("k")
    except KeyError:
        return here()
    finally:
        print("finally at line", here())


def nested():
    def inner():
        return sys._getframe().f_lineno, sys._getframe().f_code.co_name, sys._getframe().f_code.co_qualname

    return inner(), here()


def code_info(fn):
    co = fn.__code__
    return co.co_name, co.co_firstlineno, co.co_filename.rsplit("/", 1)[-1]


print(straight())
print(in_loop(5))
print(multi_line_call())
print(in_except())
print(nested())
for fn in (straight, in_loop, nested, here):
    print(code_info(fn))
print("module level line", sys._getframe().f_lineno)
lines = [here() for _ in range(3)]
print(lines)
print(sorted({here() for _ in range(3)}))
total = 0
for i in range(1000):
    total += straight()[2]
print(total)
