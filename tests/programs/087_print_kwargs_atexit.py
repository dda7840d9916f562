# print() with sep/end/file/flush, atexit handlers running in LIFO order at exit
import atexit
import sys


def goodbye(name, code):
    print(f"atexit: goodbye {name} ({code})")


def register_all():
    for i, name in enumerate(["first", "second", "third"]):
        atexit.register(goodbye, name, i)


def table(rows):
    for r in rows:
        print(*r, sep=" | ", end=" ;\n")


register_all()
print("a", "b", "c", sep="")
print("x", "y", sep=", ", end="!\n")
print("no newline", end="")
print(" -> continued")
print(file=sys.stdout)
print("to stderr", 1, 2, sep="-", file=sys.stderr, flush=True)
print(*range(10), sep="\t")
table([(1, "one", 1.0), (2, "two", 0.5), (3, "three", None)])
print("", end="")
print(None, True, [], {}, (), "", sep="|")
print("end of main")
