# chained comparisons, short-circuit evaluation order, truthiness, conditional expressions

calls = []


def v(x):
    calls.append(x)
    return x


def in_range(x, lo, hi):
    return lo <= x < hi


def classify(n):
    return "neg" if n < 0 else "zero" if n == 0 else "small" if n < 10 else "big"


for x in (-5, 0, 3, 9, 10, 11):
    print(x, in_range(x, 0, 10), 1 < x < 10 > 5, x == x == x != x + 1, classify(x))
calls.clear()
print(v(1) < v(2) < v(3), calls)
calls.clear()
print(v(3) < v(2) < v(1), calls)
calls.clear()
print(v(1) < v(0) or v("or-rhs"), calls)
calls.clear()
print(v(0) and v("never"), v([]) or v({}) or v("last"), calls)
print(1 < 2.5 < 3 == 3.0, "a" < "b" <= "b" < "c", [1] < [1, 0] < [2], (1, 2) == (1, 2) != (2, 1))
for val in [0, 1, "", "x", [], [0], {}, None, 0.0, -0.0, float("nan"), set(), range(0), range(1)]:
    print(repr(val), bool(val), not val, val or "dflt", val and "and")
a = 5
print(0 < a < 10 and a % 2 == 1, not 0 < a < 3, (a > 3) + (a > 4) + (a > 5))
try:
    1 < "x"
except TypeError as e:
    print("TypeError:", e)
count = 0
for i in range(4000):
    if 100 <= i < 200 or 3000 < i <= 3100 or i == 3999:
        count += 1
print(count)
