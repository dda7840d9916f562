# ZeroDivisionError raised several calls deep, escaping to top level
# expect-exit: 1


def ratio(a, b):
    return a / b


def average_ratio(pairs):
    total = 0.0
    for a, b in pairs:
        total += ratio(a, b)
        print("partial", total)
    return total / len(pairs)


def report(data):
    print("starting report with", len(data), "pairs")
    result = average_ratio(data)
    print("never printed", result)


print("before")
report([(1, 2), (3, 4), (5, 0), (7, 8)])
print("after (not reached)")
