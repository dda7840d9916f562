# try / except / else / finally ordering


def attempt(x):
    log = []
    try:
        log.append("try")
        r = 10 // x
    except ZeroDivisionError:
        log.append("except")
        r = None
    else:
        log.append("else")
    finally:
        log.append("finally")
    log.append(("result", r))
    return log


def multi_except(v):
    try:
        if v == 0:
            raise ValueError("zero")
        if v == 1:
            raise TypeError("one")
        if v == 2:
            return [][5]
        if v == 3:
            return {}["k"]
        if v == 4:
            raise RuntimeError("four")
        return "no error"
    except (ValueError, TypeError) as e:
        return f"value/type: {type(e).__name__} {e}"
    except LookupError as e:
        return f"lookup: {type(e).__name__} {e!r}"
    except Exception as e:
        return f"generic: {e}"


def finally_runs_on_return(x):
    events = []
    try:
        events.append("body")
        if x:
            return events
        events.append("not returned")
    finally:
        events.append("cleanup")
    return events


def loop_with_try(n):
    out = []
    for i in range(n):
        try:
            if i % 3 == 0:
                continue
            if i == 7:
                break
            out.append(i)
        finally:
            out.append(-i)
    return out


for x in (5, 0, 3, -2):
    print(attempt(x))
for v in range(6):
    print(v, multi_except(v))
print(finally_runs_on_return(True))
print(finally_runs_on_return(False))
print(loop_with_try(10))
