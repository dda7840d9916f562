# conversions between ints, strings, bools, bases and floats


def to_base(n, base):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))


for n in (0, 1, -1, 255, 1000, -4096, 2 ** 40 + 3):
    print(n, [to_base(n, b) for b in (2, 3, 8, 16, 36)], all(int(to_base(n, b), b) == n for b in (2, 7, 36)))
print(int("ff", 16), int("0x1F", 0), int("0b101", 0), int("0o17", 0), int("  -42  "), int("1_000_000"))
print(int(3.99), int(-3.99), int(True), int("z", 36), str(10 ** 20), repr(-0), str(-7) + "7")
print(True + True, True * 10, False - 1, sum([True, False, True]), bool(0), bool(-1), bool("False"))
print(float("3.5"), float(7), str(2.0), int(float("1e3")), round(2.675 * 100), "%d" % 3.9)
for bad in ("", "12a", "1.5", "0x10", " "):
    try:
        int(bad)
    except ValueError as e:
        print("ValueError:", e)
print(chr(0x41) + chr(0x3b1), [ord(c) for c in "AZaz09"], ascii(chr(0x263a)))
print(format(255, "b"), format(255, "08b"), format(-255, "x"), format(10 ** 12, ",d"), format(42, "^9d") + "|")
nums = [str(i * 37 % 1000) for i in range(2000)]
total = 0
for s in nums:
    total += int(s)
print(total, len("".join(nums)), max(nums, key=int), max(nums))
