# classic recursion: fibonacci, factorial, power set, hanoi


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


def hanoi(n, src, dst, via, moves):
    if n == 0:
        return
    hanoi(n - 1, src, via, dst, moves)
    moves.append((n, src, dst))
    hanoi(n - 1, via, dst, src, moves)


def power_set(items):
    if not items:
        return [[]]
    rest = power_set(items[1:])
    return rest + [[items[0]] + r for r in rest]


def flatten(x):
    if isinstance(x, list):
        out = []
        for y in x:
            out.extend(flatten(y))
        return out
    return [x]


for i in range(21):
    print("fib", i, fib(i))
for i in (0, 1, 5, 10, 25):
    print("fact", i, fact(i))
moves = []
hanoi(4, "A", "C", "B", moves)
print(len(moves))
for m in moves:
    print(*m)
print(power_set([1, 2, 3]))
print(flatten([1, [2, [3, [4, [5]]], 6], [[7]], []]))
