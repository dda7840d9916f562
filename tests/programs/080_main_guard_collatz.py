# `if __name__ == "__main__"` entry point; hot integer loop (collatz lengths with memo)
import sys


def collatz_len(n, cache):
    steps = 0
    m = n
    path = []
    while m != 1 and m not in cache:
        path.append(m)
        m = m // 2 if m % 2 == 0 else 3 * m + 1
        steps += 1
    base = cache.get(m, 0)
    for i, v in enumerate(path):
        cache[v] = base + steps - i
    return base + steps


def main(argv):
    print("name:", __name__, "args:", argv[1:])
    cache = {1: 0}
    best = (0, 0)
    for n in range(1, 30000):
        length = collatz_len(n, cache)
        if length > best[1]:
            best = (n, length)
            print("new best", best)
    print("cache size", len(cache))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
