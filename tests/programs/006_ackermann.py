# Ackermann function for small arguments and binomial recursion


def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))


def binom(n, k):
    if k == 0 or k == n:
        return 1
    return binom(n - 1, k - 1) + binom(n - 1, k)


def partitions(n, maxpart=None):
    if maxpart is None:
        maxpart = n
    if n == 0:
        return 1
    total = 0
    for p in range(min(n, maxpart), 0, -1):
        total += partitions(n - p, p)
    return total


for m in range(3):
    for n in range(5):
        print(f"ack({m},{n}) = {ack(m, n)}")
print("ack(3,3) =", ack(3, 3))
for n in range(8):
    print(" ".join(str(binom(n, k)) for k in range(n + 1)))
print([partitions(n) for n in range(15)])
