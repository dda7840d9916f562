"""Shapes: a small 2-D rigid-shape simulation with a class hierarchy: a base class with
properties and overridable methods, subclasses that extend them through super(), a world object
that steps bodies, bounces them off walls and tallies per-class statistics. Stresses method
calls, attribute loads and stores, properties and inheritance.

Usage: shapes.py [STEPS]   (default 10000 steps of 300 bodies)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import math
import random
import sys
import time

DEFAULT_SIZE = 10000
BODIES = 300
WIDTH = 200.0
HEIGHT = 120.0


class Vec2:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add_scaled(self, other, k):
        self.x += other.x * k
        self.y += other.y * k

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    def length(self):
        return math.sqrt(self.x * self.x + self.y * self.y)


class Body:
    kind = "body"

    def __init__(self, x, y, vx, vy, density):
        self.pos = Vec2(x, y)
        self.vel = Vec2(vx, vy)
        self.density = density
        self.bounces = 0
        self.angle = 0.0

    # Overridden by every shape.
    def area(self):
        return 0.0

    def radius(self):
        return 0.0

    @property
    def mass(self):
        return self.area() * self.density

    @property
    def speed(self):
        return self.vel.length()

    @property
    def kinetic_energy(self):
        v = self.vel
        return 0.5 * self.mass * v.dot(v)

    def step(self, dt, gravity):
        self.vel.y -= gravity * dt
        self.pos.add_scaled(self.vel, dt)

    def bounce(self, width, height):
        r = self.radius()
        p = self.pos
        v = self.vel
        hit = False
        if p.x < r:
            p.x = r + (r - p.x)
            v.x = -v.x
            hit = True
        elif p.x > width - r:
            p.x = (width - r) - (p.x - (width - r))
            v.x = -v.x
            hit = True
        if p.y < r:
            p.y = r + (r - p.y)
            v.y = -v.y * 0.98
            hit = True
        elif p.y > height - r:
            p.y = (height - r) - (p.y - (height - r))
            v.y = -v.y
            hit = True
        if hit:
            self.on_bounce()
        return hit

    def on_bounce(self):
        self.bounces += 1


class Circle(Body):
    kind = "circle"

    def __init__(self, x, y, vx, vy, density, r):
        super().__init__(x, y, vx, vy, density)
        self.r = r

    def area(self):
        return math.pi * self.r * self.r

    def radius(self):
        return self.r


class Rect(Body):
    kind = "rect"

    def __init__(self, x, y, vx, vy, density, w, h):
        super().__init__(x, y, vx, vy, density)
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h

    def radius(self):
        return 0.5 * math.sqrt(self.w * self.w + self.h * self.h)

    def step(self, dt, gravity):
        super().step(dt, gravity)
        self.angle += 0.1 * dt * self.vel.x


class Square(Rect):
    kind = "square"

    def __init__(self, x, y, vx, vy, density, side):
        super().__init__(x, y, vx, vy, density, side, side)

    @property
    def side(self):
        return self.w

    def on_bounce(self):
        super().on_bounce()
        # Squares lose a little speed at every bounce.
        self.vel.x *= 0.995
        self.vel.y *= 0.995


class Triangle(Body):
    kind = "triangle"

    def __init__(self, x, y, vx, vy, density, base, height):
        super().__init__(x, y, vx, vy, density)
        self.base = base
        self.height = height

    def area(self):
        return 0.5 * self.base * self.height

    def radius(self):
        return max(self.base, self.height) * 0.6

    def step(self, dt, gravity):
        # Triangles feel a drag proportional to their speed.
        drag = 1.0 - 0.001 * self.speed * dt
        self.vel.x *= drag
        self.vel.y *= drag
        super().step(dt, gravity)


class Stats:
    def __init__(self):
        self.counts = {}
        self.energy = {}

    def add(self, body):
        k = body.kind
        self.counts[k] = self.counts.get(k, 0) + 1
        self.energy[k] = self.energy.get(k, 0.0) + body.kinetic_energy


class World:
    def __init__(self, rng, n):
        self.bodies = []
        self.gravity = 9.81
        self.time = 0.0
        self.total_bounces = 0
        for i in range(n):
            x = rng.uniform(10.0, WIDTH - 10.0)
            y = rng.uniform(10.0, HEIGHT - 10.0)
            vx = rng.uniform(-20.0, 20.0)
            vy = rng.uniform(-20.0, 20.0)
            d = rng.uniform(0.5, 2.0)
            k = i % 4
            if k == 0:
                b = Circle(x, y, vx, vy, d, rng.uniform(0.5, 3.0))
            elif k == 1:
                b = Rect(x, y, vx, vy, d, rng.uniform(0.5, 4.0), rng.uniform(0.5, 4.0))
            elif k == 2:
                b = Square(x, y, vx, vy, d, rng.uniform(0.5, 3.0))
            else:
                b = Triangle(x, y, vx, vy, d, rng.uniform(0.5, 4.0), rng.uniform(0.5, 4.0))
            self.bodies.append(b)

    def step(self, dt):
        g = self.gravity
        for b in self.bodies:
            b.step(dt, g)
            if b.bounce(WIDTH, HEIGHT):
                self.total_bounces += 1
        self.time += dt

    def stats(self):
        s = Stats()
        for b in self.bodies:
            s.add(b)
        return s


def run(steps):
    world = World(random.Random(12345), BODIES)
    energy = 0.0
    for i in range(steps):
        world.step(0.01)
        if i % 50 == 0:
            s = world.stats()
            for k in s.energy:
                energy += s.energy[k]
    s = world.stats()
    sx = sy = 0.0
    for b in world.bodies:
        sx += b.pos.x
        sy += b.pos.y
    squares = 0.0
    for b in world.bodies:
        if isinstance(b, Square):
            squares += b.side
    return world.total_bounces, energy, sx, sy, squares, s.counts


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    bounces, energy, sx, sy, squares, counts = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    kinds = ",".join([f"{k}={counts[k]}" for k in sorted(counts)])
    print(f"checksum shapes steps={size} bounces={bounces} energy={energy:.6f} "
          f"x={sx:.9f} y={sy:.9f} squares={squares:.6f} {kinds}")


if __name__ == "__main__":
    main(sys.argv)
