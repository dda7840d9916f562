# generator expressions consumed by sum/list/min/max/any/all/tuple/sorted/join


def total_squares(n):
    return sum(i * i for i in range(n))


def any_all(seq):
    return any(x > 10 for x in seq), all(x > 0 for x in seq)


def first_match(seq, pred):
    return next((x for x in seq if pred(x)), "none")


def joined(words):
    return "-".join(w.upper() for w in words if w)


def nested_gen(n):
    return list((i, j) for i in range(n) for j in range(i))


def pipeline(n):
    evens = (x for x in range(n) if x % 2 == 0)
    squared = (x * x for x in evens)
    big = (x for x in squared if x > 50)
    return list(big)


def partial_consumption():
    g = (i * 10 for i in range(5))
    first = next(g)
    second = next(g)
    rest = list(g)
    return first, second, rest, list(g)


for n in (0, 1, 10, 1000):
    print(n, total_squares(n))
print(any_all([1, 5, 20]), any_all([1, 2, 3]), any_all([-1, 50]), any_all([]))
print(first_match(range(100), lambda x: x * x > 500), first_match([], bool))
print(joined(["ab", "", "cd", "ef"]))
print(nested_gen(4))
print(pipeline(30))
print(partial_consumption())
print(max(len(w) for w in "the quick brown fox jumps".split()))
print(min((abs(x - 37), x) for x in range(0, 100, 7)))
print(tuple(c for c in "hello" if c != "l"))
print(sorted((x % 5, x) for x in range(12)))
print(dict((k, k ** 3) for k in range(6)))
acc = 0
for k in range(300):
    acc += sum(j for j in range(k % 10))
print(acc)
