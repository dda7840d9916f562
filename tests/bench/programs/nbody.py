"""N-body: a Jovian-planet orbit simulation (after the Computer Language Benchmarks Game).

Usage: nbody.py [STEPS]   (default 300000 steps of dt=0.01)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import sys
import time

DEFAULT_SIZE = 300000

PI = 3.14159265358979323
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24


def make_system():
    """Return a list of bodies, each [pos_list, vel_list, mass]; the sun comes first."""
    d = DAYS_PER_YEAR
    raw = [
        ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 1.0),
        ((4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01),
         (1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05),
         9.54791938424326609e-04),
        ((8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01),
         (-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05),
         2.85885980666130812e-04),
        ((1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01),
         (2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05),
         4.36624404335156298e-05),
        ((1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01),
         (2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05),
         5.15138902046611451e-05),
    ]
    bodies = []
    for pos, vel, m in raw:
        if m == 1.0:
            bodies.append([list(pos), list(vel), SOLAR_MASS])
        else:
            bodies.append([list(pos), [v * d for v in vel], m * SOLAR_MASS])
    return bodies


def pairs_of(bodies):
    out = []
    n = len(bodies)
    for i in range(n):
        for j in range(i + 1, n):
            out.append((bodies[i], bodies[j]))
    return out


def offset_momentum(bodies):
    px = py = pz = 0.0
    for pos, vel, m in bodies:
        px -= vel[0] * m
        py -= vel[1] * m
        pz -= vel[2] * m
    sun_vel = bodies[0][1]
    m0 = bodies[0][2]
    sun_vel[0] = px / m0
    sun_vel[1] = py / m0
    sun_vel[2] = pz / m0


def energy(bodies, pairs):
    e = 0.0
    for (p1, v1, m1), (p2, v2, m2) in pairs:
        dx = p1[0] - p2[0]
        dy = p1[1] - p2[1]
        dz = p1[2] - p2[2]
        e -= (m1 * m2) / ((dx * dx + dy * dy + dz * dz) ** 0.5)
    for pos, vel, m in bodies:
        e += 0.5 * m * (vel[0] * vel[0] + vel[1] * vel[1] + vel[2] * vel[2])
    return e


def step(dt, bodies, pairs):
    """Advance the system by one time step."""
    for (p1, v1, m1), (p2, v2, m2) in pairs:
        dx = p1[0] - p2[0]
        dy = p1[1] - p2[1]
        dz = p1[2] - p2[2]
        dist2 = dx * dx + dy * dy + dz * dz
        mag = dt / (dist2 * dist2 ** 0.5)
        f2 = m2 * mag
        f1 = m1 * mag
        v1[0] -= dx * f2
        v1[1] -= dy * f2
        v1[2] -= dz * f2
        v2[0] += dx * f1
        v2[1] += dy * f1
        v2[2] += dz * f1
    for pos, vel, m in bodies:
        pos[0] += dt * vel[0]
        pos[1] += dt * vel[1]
        pos[2] += dt * vel[2]


def simulate(steps):
    bodies = make_system()
    pairs = pairs_of(bodies)
    offset_momentum(bodies)
    e0 = energy(bodies, pairs)
    for _ in range(steps):
        step(0.01, bodies, pairs)
    e1 = energy(bodies, pairs)
    return e0, e1


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    e0, e1 = simulate(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum nbody steps={size} e0={e0:.9f} e1={e1:.9f}")


if __name__ == "__main__":
    main(sys.argv)
