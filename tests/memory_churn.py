"""Create, compile and drop many distinct functions; print resident memory per round.

    python tests/memory_churn.py [--functions 10000] [--round 500] [--opt 0]

Prints one line per round and a last line `growth_per_compile_after_warmup_kib=<x>
mapped_objects=<n>`: the slope of resident memory over the rounds after the first third, and
how many compiled objects libgccjit still has mapped once every function is gone (0: the
native code died with its code objects).
"""
import argparse
import gc
import sys

import coir
from coir import _native


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


def mapped_objects():
    # libgccjit loads each compile's shared object from its own temporary directory.
    with open("/proc/self/maps") as f:
        return len({line.split()[-1] for line in f if "/libgccjit-" in line})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--functions", type=int, default=10000)
    ap.add_argument("--round", type=int, default=500)
    ap.add_argument("--opt", type=int, default=0)
    a = ap.parse_args()
    _native.set_opt_level(a.opt)
    points = []
    k = 0
    while k < a.functions:
        fs = []
        for _ in range(a.round):
            ns = {}
            exec(f"def f{k}(a, b):\n    x = a + b * {k}\n    return [x, {k}, a.__class__]\n", ns)
            f = ns[f"f{k}"]
            coir.compile(f)
            assert f(1, 2)[1] == k
            fs.append(f)
            k += 1
        del fs, ns, f
        gc.collect()
        points.append((k, rss_kib()))
        print(f"{k} compiled and dropped: rss {points[-1][1] / 1024:.1f} MiB", flush=True)
    tail = points[len(points) // 3:]
    slope = (tail[-1][1] - tail[0][1]) / max(1, tail[-1][0] - tail[0][0])
    print(f"growth_per_compile_after_warmup_kib={slope:.2f} mapped_objects={mapped_objects()}")


if __name__ == "__main__":
    sys.exit(main())
