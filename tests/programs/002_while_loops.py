# while loops with counters, conditions and accumulators


def collatz_len(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def digits(n):
    out = []
    while n > 0:
        out.append(n % 10)
        n //= 10
    out.reverse()
    return out


def countdown(n):
    s = []
    while True:
        s.append(n)
        n -= 1
        if n < 0:
            break
    return s


def binary_search(seq, target):
    lo, hi = 0, len(seq) - 1
    probes = 0
    while lo <= hi:
        probes += 1
        mid = (lo + hi) // 2
        if seq[mid] == target:
            return mid, probes
        elif seq[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1, probes


for n in range(1, 30):
    print("collatz", n, collatz_len(n))
print("longest under 3000:", max(range(1, 3000), key=collatz_len))
for a, b in [(12, 18), (17, 5), (1071, 462), (0, 9), (2**40, 6**10)]:
    print("gcd", a, b, gcd(a, b))
print(digits(9876543210123))
print(countdown(12))
data = list(range(0, 300, 3))
for t in (0, 3, 150, 297, 298, -1, 1000):
    print("bsearch", t, binary_search(data, t))
