# Compiles hundreds of functions (threshold 0: in the calling thread; or hot ones on the
# compile thread) while the driver sends SIGINT at a random moment. The interpreter's answer
# is KeyboardInterrupt in the main thread: printed as "KeyboardInterrupt" and exit 0.
import sys


def make(n):
    ns = {}
    src = "".join(
        f"def f{i}(a, b):\n    x = a + b * {i}\n    y = [x, a, b]\n    return sum(y) - {i}\n"
        for i in range(n)
    )
    exec(src, ns)
    return [ns[f"f{i}"] for i in range(n)]


try:
    funcs = make(400)
    print("ready", flush=True)
    for rnd in range(4000):
        for f in funcs:
            f(rnd, 2)
    print("finished before the signal")
except KeyboardInterrupt:
    print("KeyboardInterrupt")
    sys.exit(0)
