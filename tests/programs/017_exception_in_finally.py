# exceptions raised inside finally and except blocks replace the original


def finally_raises():
    try:
        raise ValueError("original")
    finally:
        raise KeyError("from finally")


def except_then_finally(x):
    log = []
    try:
        try:
            log.append("body")
            1 / x
        except ZeroDivisionError:
            log.append("handler")
            raise TypeError("in handler")
        finally:
            log.append("finally")
    except TypeError as e:
        log.append(f"outer: {e}; context={type(e.__context__).__name__}")
    return log


def finally_overrides_in_loop():
    results = []
    for i in range(4):
        try:
            try:
                if i % 2:
                    raise ValueError(i)
            finally:
                if i == 3:
                    raise RuntimeError("finally at 3")
        except ValueError as e:
            results.append(("value", e.args))
        except RuntimeError as e:
            results.append(("runtime", str(e), type(e.__context__).__name__))
        else:
            results.append(("clean", i))
    return results


try:
    finally_raises()
except KeyError as e:
    print("caught", repr(e), "context:", repr(e.__context__))
print(except_then_finally(0))
print(except_then_finally(1))
for r in finally_overrides_in_loop():
    print(r)
