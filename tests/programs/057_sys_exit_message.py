# sys.exit with a string message: message goes to stderr and the exit status is 1
# expect-exit: 1
import sys


def fatal(msg):
    print("fatal() called", file=sys.stderr)
    sys.stdout.flush()
    sys.exit(f"error: {msg}")


def run(items):
    for i in items:
        if i < 0:
            fatal(f"negative item {i}")
        print("item", i)


run([1, 2, 3, -4, 5])
