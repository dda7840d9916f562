"""Create, compile and drop many distinct functions; print resident memory per round.

    python tests/memory_churn.py [--functions 10000] [--round 500] [--opt 0]

Prints one line per round and a last line `growth_per_compile_after_warmup_kib=<x>
mapped_objects=<n>`: the slope of resident memory over the rounds after the first third, and
how many compiled objects libgccjit still has mapped once every function is gone (0: the
native code died with its code objects).
"""
import argparse
import gc
import os
import re
import sys

# Every function here is new: keep them out of the on-disk cache (set before coir loads).
os.environ["COIR_CODE_CACHE"] = "0"

import coir
from coir import _native


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


def mapped_objects():
    # Each compile's shared object is loaded from a temporary file `coir-<pid>-<n>.so`
    # (deleted once loaded: the maps line then ends in "(deleted)").
    paths = set()
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and re.search(r"/coir-\d+-\d+\.so", fields[5]):
                paths.add(fields[5])
    return len(paths)


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
        if k == a.round:
            # The counter must see live code (so that 0 below means freed, not unseen).
            assert mapped_objects() >= a.round, mapped_objects()
        del fs, ns, f
        gc.collect()
        points.append((k, rss_kib()))
        print(f"{k} compiled and dropped: rss {points[-1][1] / 1024:.1f} MiB", flush=True)
    tail = points[len(points) // 3:]
    slope = (tail[-1][1] - tail[0][1]) / max(1, tail[-1][0] - tail[0][0])
    alive = mapped_objects()
    print(f"growth_per_compile_after_warmup_kib={slope:.2f} mapped_objects={alive}")


if __name__ == "__main__":
    sys.exit(main())
