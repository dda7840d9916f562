# interleaved printing to stdout and stderr (each stream compared separately), exit code 7
# expect-exit: 7
import sys


def log(level, msg):
    print(f"[{level}] {msg}", file=sys.stderr)


def work(n):
    total = 0
    for i in range(n):
        total += i
        if i % 5 == 0:
            log("debug", f"i={i} total={total}")
        print("step", i, total)
    return total


r = work(23)
sys.stderr.write("direct write to stderr\n")
sys.stdout.write("direct write to stdout\n")
print("result", r)
log("warn", "exiting with status 7")
raise SystemExit(7)
