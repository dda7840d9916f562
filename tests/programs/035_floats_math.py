# float arithmetic, math module, inf/nan comparisons, division semantics
import math


def stats(xs):
    n = len(xs)
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / n
    return mean, var, math.sqrt(var)


def newton_sqrt(a, iters=30):
    x = a if a > 1 else 1.0
    for _ in range(iters):
        x = 0.5 * (x + a / x)
    return x


def integrate(f, a, b, n):
    h = (b - a) / n
    s = 0.5 * (f(a) + f(b))
    for i in range(1, n):
        s += f(a + i * h)
    return s * h


print(7 / 2, 7 // 2, -7 / 2, -7 // 2, 7 % -3, -7.5 // 2, -7.5 % 2, 7.0 // 0.5)
print(divmod(7.5, 2), divmod(-7.5, 2), 2 ** -1, 2.0 ** 0.5, (-8) ** (1 / 3) == (-8) ** (1 / 3))
print(stats([1.5, 2.5, 3.5, 10.0]))
print(newton_sqrt(2.0), math.sqrt(2.0), newton_sqrt(2.0) == math.sqrt(2.0))
print(integrate(math.sin, 0.0, math.pi, 1000))
print(integrate(lambda x: x * x, 0.0, 3.0, 3000))
print(math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5), int(-2.5), int(2.99))
print(math.fsum([0.1] * 10), sum([0.1] * 10), 0.1 + 0.2 == 0.3, math.isclose(0.1 + 0.2, 0.3))
print(math.exp(1), math.log(100, 10), math.log2(1024), math.log10(0.001), math.log1p(1e-10))
print(math.atan2(1, -1), math.degrees(math.pi), math.radians(180), math.hypot(3, 4))
print(math.factorial(20), math.gcd(84, 36), math.comb(10, 3), math.perm(5, 2))
inf, nan = float("inf"), float("nan")
print(inf, -inf, nan, inf > 1e308, -inf < -1e308, inf == inf, nan == nan, nan != nan)
print(inf - inf, inf * 0, math.isnan(inf - inf), math.isinf(-inf), math.isfinite(1e308))
print(nan < 1, nan > 1, nan is nan, [nan] == [nan], max(1.0, 2.0), min(-0.0, 0.0))
print(1e308 * 10, -1e308 * 10, 5e-324 / 2, 0.0 == -0.0, math.copysign(1, -0.0))
try:
    1.0 / 0
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    math.sqrt(-1)
except ValueError as e:
    print("ValueError:", e)
try:
    math.exp(1000)
except OverflowError as e:
    print("OverflowError:", e)
print(float("1e500"), float("-0"), float(" 3.25 "), float(10 ** 20), 10 ** 20 / 3)
print((0.1).as_integer_ratio(), (2.5).is_integer(), (3.0).is_integer(), float.fromhex("0x1.8p1"), (1.5).hex())
acc = 0.0
for i in range(1, 5000):
    acc += 1.0 / (i * i)
print(acc, math.pi ** 2 / 6 - acc)
