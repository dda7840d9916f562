# uncaught ExceptionGroup with nested exceptions and notes
# expect-exit: 1


def task(n):
    if n % 3 == 0:
        raise ValueError(f"task {n} failed")
    if n % 3 == 1:
        raise KeyError(n)
    return n


def run_all(ns):
    errors = []
    results = []
    for n in ns:
        try:
            results.append(task(n))
        except Exception as e:
            e.add_note(f"while running task {n}")
            errors.append(e)
    print("results", results)
    if errors:
        raise ExceptionGroup("some tasks failed", errors)


try:
    run_all([2, 5])
    run_all([0, 1, 2])
except* ValueError as eg:
    print("handled value errors:", [str(e) for e in eg.exceptions])
except* KeyError as eg:
    print("handled key errors:", [repr(e) for e in eg.exceptions])
run_all([3, 4, 8])
