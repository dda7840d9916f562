"""Float: allocate many small objects holding floats, normalise them and reduce them to a
component-wise maximum (after the Factor float benchmark): float arithmetic, math calls, object
creation and attribute stores.

Usage: float.py [ROUNDS]   (default 20 rounds of 100000 points)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time
from math import cos, sin, sqrt

DEFAULT_SIZE = 20
POINTS = 100000


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, t):
        x = sin(t)
        self.x = x
        self.y = cos(t) * 3.0
        self.z = x * x * 0.5

    def normalize(self):
        x = self.x
        y = self.y
        z = self.z
        length = sqrt(x * x + y * y + z * z)
        self.x = x / length
        self.y = y / length
        self.z = z / length

    def take_max(self, other):
        if other.x > self.x:
            self.x = other.x
        if other.y > self.y:
            self.y = other.y
        if other.z > self.z:
            self.z = other.z
        return self


def reduce_max(points):
    acc = points[0]
    for i in range(1, len(points)):
        acc = acc.take_max(points[i])
    return acc


def one_round(n, offset):
    points = [Vec(i + offset) for i in range(n)]
    for p in points:
        p.normalize()
    return reduce_max(points)


def run(rounds):
    sx = sy = sz = 0.0
    for r in range(rounds):
        m = one_round(POINTS, r)
        sx += m.x
        sy += m.y
        sz += m.z
    return sx, sy, sz


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    sx, sy, sz = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum float rounds={size} x={sx:.9f} y={sy:.9f} z={sz:.9f}")


if __name__ == "__main__":
    main(sys.argv)
