"""Int arithmetic past one digit (compact ints are below 2**30): coir computes `+ - * & | ^` of
two ints of up to two digits (below 2**60) on their values, exactly in 128 bits, and hands
anything past 64 bits to the generic operation. Results must stay the interpreter's across
every boundary: one digit to two, two to three (2**60), past 2**63 and 2**64, negative values
(two's complement for the bit operations), bools, int subclasses, and floats."""


class Big(int):
    def __add__(self, other):
        return "Big.__add__"


def hash_loop(s, mult, mask):
    h = 0
    for ch in s:
        h = (h * mult + ord(ch)) & mask
    return h


def grow(x, k, n):
    out = []
    for _ in range(n):
        x = x * k + 1
        out.append(x)
    return out


def ops(a, b):
    return (a + b, a - b, b - a, a * b, a & b, a | b, a ^ b)


def arith(a, b):
    return (a + b, a - b, a * b)


def table(xs):
    rows = []
    for a in xs:
        for b in xs:
            rows.append(ops(a, b))
    return rows


def main():
    text = "the quick brown fox jumps over the lazy dog " * 10
    print(hash_loop(text, 131, 0xFFFFFFFF), hash_loop(text, 1000003, 0xFFFFFFFFFFFF),
          hash_loop(text, 31, (1 << 61) - 1), hash_loop(text, -7, (1 << 50) - 1 ^ (1 << 40)))
    print(grow(3, 1000, 9))
    print(grow(-5, 77777, 6))
    edges = [0, 1, -1, 2**30 - 1, 2**30, -(2**30), 2**31 + 5, -(2**45) + 3, 2**59 + 17, -(2**59),
             2**60 - 1, -(2**60) + 1, 2**60, 2**62 + 1, 2**63 - 1, -(2**63), 2**64 + 3, True]
    for row in table(edges):
        print(row)
    print(arith(2**40, 2.5), arith(-(2**50), 0.5), ops(Big(2**40), 2**40)[0], ops(2**40, True))
    try:
        arith(2**40, "s")
    except TypeError as e:
        print("TypeError", e)


main()
