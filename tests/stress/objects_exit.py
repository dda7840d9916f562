# An object-heavy program (classes, methods, many small functions) that ends while the compile
# thread still has work queued, in one of several ways (argv[1]): normal end, sys.exit(), an
# uncaught exception, a daemon thread still running hot code, the functions freed while their
# code compiles, coir.disable() while compiles are queued.
import sys
import threading

MODE = sys.argv[1] if len(sys.argv) > 1 else "normal"


def make_classes(n):
    classes = []
    for i in range(n):
        ns = {}
        exec(f"""
class C{i}:
    def __init__(self, x):
        self.x = x
    def get(self):
        return self.x + {i}
    def add(self, other):
        return C{i}(self.x + other.get())
def use{i}(k):
    c = C{i}(k)
    t = 0
    for j in range(3):
        t += c.add(c).get()
    return t
""", ns)
        classes.append(ns[f"use{i}"])
    return classes


def spin(funcs, rounds):
    total = 0
    for _ in range(rounds):
        for f in funcs:
            total += f(1)
    return total


funcs = make_classes(40)
print(spin(funcs, 60))  # every function passes the threshold: ~120 compiles queued

if MODE == "daemon":
    t = threading.Thread(target=spin, args=(funcs, 10**9), daemon=True)
    t.start()
elif MODE == "sysexit":
    sys.exit(3)
elif MODE == "raise":
    raise RuntimeError("uncaught on purpose")
elif MODE == "freed":
    import gc
    del funcs
    gc.collect()
elif MODE == "disabled":
    import coir
    coir.disable()
    print(spin(funcs, 5))
