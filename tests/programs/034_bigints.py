# arbitrary precision integers: factorials, powers, divmod, pow with modulus, bit ops


def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


def digit_sum(n):
    return sum(int(d) for d in str(n))


def modexp(b, e, m):
    result = 1
    b %= m
    while e:
        if e & 1:
            result = result * b % m
        b = b * b % m
        e >>= 1
    return result


def isqrt_newton(n):
    x = n
    y = (x + 1) // 2
    while y < x:
        x = y
        y = (x + n // x) // 2
    return x


f100 = factorial(100)
print(f100)
print(len(str(f100)), digit_sum(f100), f100 % 1000003)
p = 2 ** 1000
print(p)
print(p.bit_length(), digit_sum(p), p >> 990, p.bit_count())
print(divmod(f100, 2 ** 64))
print(divmod(-(10 ** 30) - 7, 10 ** 9), divmod(10 ** 30 + 7, -(10 ** 9)))
print(pow(3, 10 ** 18, 10 ** 9 + 7), modexp(3, 10 ** 18, 10 ** 9 + 7))
print(pow(12345, -1, 1000003), (12345 * pow(12345, -1, 1000003)) % 1000003)
big = 3 ** 200
print(big & (2 ** 64 - 1), big | 1, big ^ (big >> 3), ~big, -big >> 5)
print(isqrt_newton(10 ** 60), isqrt_newton(2 * 10 ** 40))
print(int("123456789" * 5) * int("987654321" * 4))
print((10 ** 50) // 7, (10 ** 50) % 7, -(10 ** 50) // 7, -(10 ** 50) % 7)
print(hex(2 ** 100 - 1), oct(7 ** 30), bin(5 ** 20))
print((2 ** 64).to_bytes(9, "big"), int.from_bytes(b"\x01" * 12, "little"))
print(abs(-(2 ** 70)), (2 ** 70) == 2.0 ** 70, 2 ** 70 < 2 ** 70 + 1, float(2 ** 80))
fib_a, fib_b = 0, 1
for _ in range(500):
    fib_a, fib_b = fib_b, fib_a + fib_b
print(fib_a)
print(sum(factorial(n) for n in range(30)) % (2 ** 61 - 1))
