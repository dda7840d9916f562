# small arithmetic functions called many times in loops (exercise compiled code heavily)


def add(a, b):
    return a + b


def mix(a, b):
    return (a * 31 + b) % 1000003


def poly(x):
    return 3 * x * x - 2 * x + 7


def fdiv(a, b):
    return a / b if b else 0.0


def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def bits(x):
    return (x << 3) ^ (x >> 2) | (x & 0xFF)


def lcg(seed):
    return (seed * 1103515245 + 12345) & 0x7FFFFFFF


def run():
    h = 0
    s = 0
    f = 0.0
    c = 0
    b = 0
    seed = 42
    for i in range(60000):
        h = mix(h, i)
        s = add(s, poly(i % 100))
        f += fdiv(i, (i % 7))
        c += clamp(i % 50 - 25, -10, 10)
        b = (b * 3 + bits(i)) & 0xFFFFFFF
        seed = lcg(seed)
    return h, s, round(f, 6), c, b, seed


result = run()
print(result)
for k in range(5):
    print(k, mix(k, k * k), poly(k - 2), fdiv(k, 3), clamp(k * 7, 5, 20), bits(k * 1000), lcg(k))
neg = 0
for i in range(-500, 500):
    neg += poly(i) // 7 - (i % -3) + divmod(i, 9)[0]
print(neg)
