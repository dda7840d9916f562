"""Globals and builtins read through cells (a dict watcher keeps each cell's value): a compiled
function must see every change the interpreter sees, made from anywhere: a module global
rebound, deleted (NameError) and bound again; a builtin shadowed by a module global and the
shadow deleted; `builtins` itself changed; the globals dict cleared and refilled, updated from
another dict, and changed through a non-str key; functions sharing one code object with
different globals (and builtins); globals set in a loop while another function reads them."""
import builtins
import sys
import types

K = 1
SCALE = 2.5


def read_k():
    return K


def k_and_len(s):
    return K + len(s)


def loop_reads(n):
    t = 0
    for i in range(n):
        t += K + abs(-i)
    return t


def bump():
    global K
    K += 1


def loop_writes(n):
    t = 0
    for _ in range(n):
        bump()
        t += read_k()
    return t


def main():
    out = []
    for _ in range(3):
        out.append((read_k(), k_and_len("abc"), loop_reads(5)))
    g = globals()
    g["K"] = 10
    out.append((read_k(), k_and_len("abc"), loop_reads(5)))
    del g["K"]
    for f in (read_k, lambda: k_and_len("x"), lambda: loop_reads(2)):
        try:
            out.append(f())
        except NameError as e:
            out.append(("NameError", str(e)))
    g["K"] = 3
    out.append((read_k(), k_and_len("abc")))
    # A builtin shadowed by a module global, then the shadow removed.
    g["len"] = lambda s: 100
    out.append(k_and_len("abc"))
    del g["len"]
    out.append(k_and_len("abc"))
    # The builtin itself replaced, then restored.
    real_len = builtins.len
    builtins.len = lambda s: -1
    try:
        out.append(k_and_len("abc"))
    finally:
        builtins.len = real_len
    out.append(k_and_len("abc"))
    # Globals changed through a key that is not a str, and updated from another dict.
    g[1] = "one"
    out.append(read_k())
    g.update({"K": 40, "SCALE": 1.0})
    out.append((read_k(), loop_reads(3)))
    del g[1]
    # Writes between reads, in a loop.
    out.append(loop_writes(20))
    out.append(read_k())
    # One code object, other globals (and builtins through them).
    other = {"__builtins__": {"len": lambda s: 7, "abs": abs}, "K": 1000}
    clone = types.FunctionType(k_and_len.__code__, other)
    for _ in range(3):
        out.append((clone("ab"), k_and_len("ab")))
    other["K"] = 2000
    out.append((clone("ab"), k_and_len("ab")))
    other.clear()
    try:
        clone("ab")
    except NameError as e:
        out.append(("NameError", str(e)))
    other.update({"K": 1, "__builtins__": builtins})
    try:
        out.append(clone("ab"))
    except NameError as e:
        out.append(("NameError", str(e)))
    # A fresh module's globals, used then dropped, while compiled code keeps reading ours.
    for i in range(3):
        ns = {"K": i}
        exec("def f():\n    return K\n", ns)
        out.append(ns["f"]())
        del ns
        out.append(read_k())
    return out


if __name__ == "__main__":
    for item in main():
        print(item)
    sys.stdout.flush()
