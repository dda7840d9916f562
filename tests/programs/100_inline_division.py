# expect-exit: 1
"""`/`, `//` and `%` on ints and floats whose types compiled code knows (results of int and
float arithmetic, constants, small ints): computed inline, with the interpreter's rounding,
signs and ZeroDivisionError (caught here, and one uncaught at the end, with its traceback)."""


def mixed(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)


def floors(a, b):
    p = a * b
    q = a + b
    return (p // q, p % q, -p // q, -p % q, p // -q, p % -q, (a - b) // 3, (a - b) % 3)


def true_div(a, b):
    x = a * b
    y = a - b
    return (x / y, (a + 0.5) / y, x / (b + 0.25), y / 7, 7 / (y + 0), 2 ** 0 / (x - x + 3))


def big(a):
    # Products near 2**60: int / int stays exact only below 2**53, so these take the
    # interpreter's path; // and % are exact.
    p = a * a
    return (p / 3, p // 7, p % 7, (p + p) / (a + 1))


def zero(a, b):
    out = []
    for d in (b - b, 0.0 * b):
        for f in (lambda x, y: x / y, lambda x, y: x // y, lambda x, y: x % y):
            try:
                out.append(f(a + 1, d))
            except ZeroDivisionError as e:
                out.append(str(e))
    try:
        out.append((a + 1) / (b - b))
    except ZeroDivisionError as e:
        out.append(("inline", str(e)))
    try:
        out.append((a * 2) // (b - b))
    except ZeroDivisionError as e:
        out.append(("inline //", str(e)))
    try:
        out.append((a * 2) % (b - b))
    except ZeroDivisionError as e:
        out.append(("inline %", str(e)))
    return out


def augmented(n):
    t = 1.0
    k = 1000003
    for i in range(1, n):
        t /= (i + 1)
        t += 1.0
        k //= 2
        k += i * 3
        k %= 1000
    return t, k


def divide_all(xs):
    return [x * 1 / (x + 1) for x in xs]


def powers(xs):
    out = []
    for x in xs:
        for y in (0.5, 2, -1, 0, 1e308, float("inf"), float("nan"), -0.5, 3):
            try:
                out.append(x ** y)
            except (OverflowError, ZeroDivisionError, ValueError) as e:
                out.append(type(e).__name__)
        t = x
        t **= 2
        out.append(t)
    return out


def main():
    for _ in range(40):
        r = [mixed(i, j) for i in range(6) for j in range(6)]
        fl = [floors(a, b) for a in (-7, -1, 0, 1, 5, 30000) for b in (2, 3, 11, -13)]
        td = [true_div(a, b) for a in (-7, 1, 5, 2**29 - 1) for b in (2, -3, 11)]
        bg = [big(a) for a in (2**29 - 1, -(2**29) + 3, 12345)]
        z = zero(3, 4)
        au = augmented(50)
    print(r[:5], sum(r))
    print(fl)
    print(td)
    print(bg)
    print(z)
    print(au)
    print(divide_all([1, 2, 3.5, -4]))
    for _ in range(30):
        pw = powers([2.0, 0.5, 1.0, 1e300, 0.0, -0.0, -2.0, 3, float("inf"), float("nan"), 1e-300])
    print(pw)
    print(zero_at_the_end(9))


def zero_at_the_end(a):
    return (a * 3) // (a - a)


main()
