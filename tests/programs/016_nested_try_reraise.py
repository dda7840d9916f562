# nested try blocks, re-raise with bare raise, raise of caught object


def inner(x):
    try:
        return 100 // x
    except ZeroDivisionError:
        print("inner: logging and re-raising")
        raise


def middle(x):
    try:
        try:
            return inner(x)
        finally:
            print("middle: inner finally")
    except ArithmeticError as e:
        print("middle caught", type(e).__name__, e)
        raise RuntimeError("middle failed") from e


def outer(x):
    try:
        return middle(x)
    except RuntimeError as e:
        print("outer caught:", e, "cause:", type(e.__cause__).__name__)
        return -1


def reraise_object():
    try:
        raise KeyError("k1")
    except KeyError as err:
        saved = err
    try:
        raise saved
    except KeyError as again:
        return again is saved, again.args


def context_chain():
    try:
        try:
            raise ValueError("first")
        except ValueError:
            raise TypeError("second")
    except TypeError as e:
        return repr(e), repr(e.__context__), e.__cause__


def deep_nesting(level):
    try:
        if level == 0:
            raise IndexError("bottom")
        return deep_nesting(level - 1)
    except IndexError as e:
        if level < 3:
            raise
        return f"stopped at level {level}: {e}"


print(outer(5))
print(outer(0))
print(reraise_object())
print(context_chain())
print(deep_nesting(6))
try:
    deep_nesting(2)
except IndexError as e:
    print("escaped:", e)
