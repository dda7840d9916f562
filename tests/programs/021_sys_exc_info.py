# sys.exc_info() / sys.exception() inside and outside handlers
import sys


def describe():
    t, v, tb = sys.exc_info()
    if t is None:
        return "no exception"
    return f"{t.__name__}: {v} (tb line {tb.tb_lineno})"


def handler():
    print("before:", describe())
    try:
        raise LookupError("lk")
    except LookupError:
        print("inside:", describe())
        print("sys.exception:", repr(sys.exception()))
        try:
            raise ValueError("nested")
        except ValueError:
            print("nested:", describe())
        print("restored:", describe())
    print("after:", describe())


def in_finally():
    try:
        try:
            raise KeyError("fin")
        finally:
            print("finally:", describe())
    except KeyError:
        pass
    return describe()


def helper_sees_caller_exception():
    try:
        1 / 0
    except ZeroDivisionError:
        return describe()


handler()
print(in_finally())
print(helper_sees_caller_exception())
print(describe())
