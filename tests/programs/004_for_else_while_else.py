# for-else and while-else semantics


def has_divisor(n):
    for d in range(2, n):
        if n % d == 0:
            result = ("composite", d)
            break
    else:
        result = ("prime", None)
    return result


def while_else(limit, stop):
    i = 0
    log = []
    while i < limit:
        if i == stop:
            log.append("break")
            break
        i += 1
    else:
        log.append("else")
    log.append(i)
    return log


def empty_for_else():
    for x in []:
        return "loop"
    else:
        return "else-on-empty"


def nested_else(matrix, target):
    for r, row in enumerate(matrix):
        for c, v in enumerate(row):
            if v == target:
                break
        else:
            continue
        return (r, c)
    else:
        return None


def return_in_else(seq):
    for x in seq:
        if x < 0:
            break
    else:
        return "all non-negative"
    return f"negative found: {x}"


for n in range(2, 30):
    print(n, has_divisor(n))
print(while_else(10, 4))
print(while_else(10, 99))
print(while_else(0, 0))
print(empty_for_else())
m = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
for t in (1, 5, 9, 10):
    print("nested_else", t, nested_else(m, t))
print(return_in_else([1, 2, 3]))
print(return_in_else([1, -2, 3]))
