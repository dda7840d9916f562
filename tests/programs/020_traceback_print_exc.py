# traceback.print_exc() to stdout, with line numbers from nested calls
import sys
import traceback


def level3(x):
    return {"a": 1}[x]


def level2(x):
    return level3(x) * 2


def level1(x):
    value = level2(x)
    return value + 1


def show(x):
    try:
        print("result", level1(x))
    except KeyError:
        traceback.print_exc(file=sys.stdout)


def chained():
    try:
        try:
            1 / 0
        except ZeroDivisionError as e:
            raise ValueError("wrapped") from e
    except ValueError:
        traceback.print_exc(file=sys.stdout)


def format_it():
    try:
        level1("zzz")
    except KeyError as e:
        lines = traceback.format_exception(e)
        for ln in lines:
            print(ln, end="")
        summary = traceback.extract_tb(e.__traceback__)
        for fs in summary:
            print("frame", fs.name, fs.lineno, fs.line)


show("a")
show("b")
chained()
format_it()
