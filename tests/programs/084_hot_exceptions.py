# raising and catching exceptions many times in hot loops


class Skip(Exception):
    pass


def maybe_fail(i):
    if i % 7 == 0:
        raise Skip(i)
    if i % 11 == 0:
        raise ValueError(i)
    return i


def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return 0


def lookup(d, k):
    try:
        return d[k]
    except KeyError:
        return -1
    finally:
        pass


def run(n):
    ok = skipped = bad = 0
    for i in range(n):
        try:
            ok += maybe_fail(i)
        except Skip as e:
            skipped += e.args[0]
        except ValueError:
            bad += 1
    return ok, skipped, bad


print(run(30000))
print(sum(safe_div(i, i % 4) for i in range(10000)))
d = {i: i * i for i in range(0, 100, 3)}
print(sum(lookup(d, i) for i in range(5000)))
errs = 0
for i in range(5000):
    try:
        int("x" if i % 5 == 0 else str(i))
    except ValueError:
        errs += 1
print(errs)
