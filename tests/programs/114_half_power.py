"""`x ** 0.5` on floats: coir takes `sqrt(x)` where that is provably what C's `pow(x, 0.5)`
returns (the root far enough from a rounding midpoint, see gcc-backend's half_power.rs) and
calls `pow` otherwise. The results must be the interpreter's bit for bit: inputs where `sqrt`
and `pow` differ in the last bit, random inputs over many binades, perfect squares, powers of
two, the edges of the range the shortcut takes, and what is not a positive finite float
(zero, -0.0, negatives giving complex results, infinities, NaN, ints, bools, subclasses)."""
import math
import random
import zlib

# Inputs where sqrt(x) != pow(x, 0.5) in this libm (found by search; pow is off by one ULP).
DIFFER = ['0x1.de6eefc95d6f5p+22', '0x1.f7ed608dd1274p+15', '0x1.725f3385e936cp-19',
          '0x1.f24bc81f7c6fap+12', '0x1.850c9bc6737a2p-6', '0x1.80b74fb8a6925p-15',
          '0x1.860197aad1730p-26', '0x1.6d4255d3dcab5p-18', '0x1.d223d8f3c43e8p-1',
          '0x1.60a086d08e3f4p+13', '0x1.5045c6b3cbd34p+27', '0x1.6434aea2c15e5p+10']


def half(x):
    return x ** 0.5


def power(x, y):
    return x ** y


class F(float):
    def __pow__(self, other):
        return ("F.__pow__", float(self), other)


def show(label, xs):
    digest = 0
    for x in xs:
        try:
            r = half(x)
        except Exception as e:
            r = type(e).__name__
        digest = zlib.crc32(repr(r).encode(), digest)
    print(label, len(xs), hex(digest))


def main():
    differ = [float.fromhex(h) for h in DIFFER]
    for x in differ:
        print(x.hex(), half(x).hex(), math.sqrt(x).hex(), half(x) == math.pow(x, 0.5))
    rng = random.Random(114)
    wide = [rng.uniform(1.0, 4.0) * 2.0 ** rng.randint(-320, 320) for _ in range(20000)]
    show("wide", wide)
    mismatches = sum(1 for x in wide if half(x) != math.pow(x, 0.5))
    print("pow mismatches", mismatches)
    squares = [float(i * i) for i in range(1, 2000)] + [2.0 ** k for k in range(-60, 61)]
    show("squares", squares)
    print([half(x) for x in (4.0, 0.25, 2.0, 0.5, 1.0, 9.0, 1e-300, 1e300)])
    edges = [2.0 ** -300, 2.0 ** 300, math.nextafter(2.0 ** -300, 0), math.nextafter(2.0 ** 300, math.inf),
             5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]
    print([half(x).hex() for x in edges])
    odd = [0.0, -0.0, -1.0, -4.0, math.inf, -math.inf, math.nan, 4, 2, 0, True, -9, 10 ** 40]
    for x in odd:
        print(repr(x), repr(half(x)))
    print(repr(half(F(2.0))), repr(power(2.0, F(0.5))))
    print([power(2.0, y) for y in (0.5, 0.25, 1.5, -0.5, 2, 0)])
    try:
        power(0.0, -0.5)
    except ZeroDivisionError as e:
        print("ZeroDivisionError", e)


main()
