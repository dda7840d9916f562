# sys.exit with an integer code from inside nested calls; finally blocks still run
# expect-exit: 3
import sys


def cleanup_and_exit(code):
    try:
        print("about to exit with", code)
        sys.exit(code)
    finally:
        print("finally in cleanup_and_exit runs")


def main():
    try:
        sys.exit(0)
    except SystemExit as e:
        print("caught SystemExit with code", e.code, repr(e))
    try:
        raise SystemExit("caught message")
    except SystemExit as e:
        print("caught", e.code)
    for i in range(3):
        print("working", i)
    cleanup_and_exit(3)
    print("not reached")


main()
print("not reached either")
