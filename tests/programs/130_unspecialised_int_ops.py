# expect-exit: 1
"""Binary operations the interpreter leaves unspecialised but coir still tries as int
arithmetic first: `& | ^` of anything, and `+ - *` with an int constant on the right. The
inline paths take exact ints of up to two digits; everything else (sets, bools, int
subclasses with their own operators, strs and lists repeated or concatenated, floats,
objects with reflected operators, big ints) must reach the generic operation, with its
result or its exception and traceback."""


class Flags(int):
    def __and__(self, other):
        return ("Flags.__and__", int(self), other)

    def __add__(self, other):
        return ("Flags.__add__", int(self), other)


class Right:
    def __rand__(self, other):
        return ("Right.__rand__", other)

    def __rxor__(self, other):
        return ("Right.__rxor__", other)


class Weird:
    def __add__(self, other):
        return ("Weird.__add__", other)

    def __sub__(self, other):
        return ("Weird.__sub__", other)

    def __mul__(self, other):
        return ("Weird.__mul__", other)


def bits(a, b):
    return (a & b, a | b, a ^ b)


def masked(a):
    return (a & 0xFFFFFFFF, a | 0x100000000, a ^ 0xFFFF, a & 255)


def with_const(a):
    return (a + 1, a - 7, a * 3, a + 1000000007, a * 1000003)


def inplace(a):
    a &= 0xFF00FF
    a |= 3
    a ^= 0x5555
    a += 11
    a *= 9
    a -= 2
    return a


def failing(kind):
    if kind == 0:
        return "x" & 1
    if kind == 1:
        return None + 1
    if kind == 2:
        return [1, 2] ^ 5
    return 1.5 | 2


def main():
    values = [0, 1, -1, 7, 2**30 - 1, 2**30, -(2**30), 2**40 + 3, -(2**59), 2**59 + 1, 2**60, -(2**63), 2**64 + 5,
              True, False, Flags(12), 2.5]
    for a in values:
        for b in values[:13]:
            print(a, b, bits(a, b) if not isinstance(a, float) else "float")
        if not isinstance(a, float):
            print("masked", a, masked(a))
            print("inplace", a, inplace(a))
        print("const", a, with_const(a))
    print(bits({1, 2, 3}, {2, 3, 4}), bits(frozenset("ab"), {"b", "c"}))
    print(bits(True, False), bits(True, 3), bits(Flags(6), 3), bits(6, Flags(3)))
    print(7 & Right(), 7 ^ Right())
    print(with_const("ab"), with_const([1]) if False else with_const(Weird()), with_const(2.25))
    print(with_const(Flags(4)))
    for seq in ("ab", [1, 2], (3,)):
        try:
            print(with_const(seq))
        except TypeError as e:
            print("TypeError", e)
    for kind in range(4):
        try:
            failing(kind)
        except TypeError as e:
            print("TypeError", e)
    total = 0
    for i in range(3000):
        total = (total * 31 + i) & 0xFFFFFFFFFF
        total ^= i << 20
        total = total - 5 if total & 1 else total + 3
    print(total)
    failing(3)


main()
