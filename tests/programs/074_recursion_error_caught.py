# RecursionError from unbounded recursion is caught and the program continues
import sys


def forever(n):
    return forever(n + 1) + 1


def bounded(n):
    return 0 if n == 0 else 1 + bounded(n - 1)


depth = [0]


def probe(n):
    depth[0] = n
    probe(n + 1)


try:
    forever(0)
except RecursionError as e:
    print("RecursionError caught:", type(e).__name__)
try:
    probe(0)
except RecursionError:
    print("probe reached > 500:", depth[0] > 500)
print("still works:", bounded(300))
for i in range(3):
    try:
        forever(i)
    except RecursionError:
        print("caught again", i)
print(sys.getrecursionlimit() >= 1000)
