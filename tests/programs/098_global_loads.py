# Global and builtin loads after the interpreter specialised them (LOAD_GLOBAL_MODULE,
# LOAD_GLOBAL_BUILTIN): rebinding, deleting, shadowing a builtin and removing the shadow, and
# functions whose globals or builtins are not the dicts the feedback saw.
import builtins

counter = 0
scale = 3


def use_globals(n):
    total = 0
    for i in range(n):
        total += scale * i + len("ab")
    return total


def bump():
    global counter
    counter = counter + 1
    return counter


def read_missing():
    return missing_name  # noqa: F821


def main():
    global scale, missing_name
    out = []
    for _ in range(4):
        out.append(use_globals(5))
    scale = 10                      # same keys: the value changes, the version does not
    out.append(use_globals(5))
    for _ in range(3):
        out.append(bump())
    try:
        read_missing()
    except NameError as e:
        out.append(f"NameError: {e}")
    missing_name = "now defined"
    out.append(read_missing())
    del missing_name                 # the entry's value is NULL again
    try:
        read_missing()
    except NameError as e:
        out.append(f"NameError: {e}")
    g = globals()
    g["len"] = lambda s: 100         # a global shadows the builtin: new keys version
    out.append(use_globals(2))
    del g["len"]
    out.append(use_globals(2))
    real_len = builtins.len
    builtins.len = lambda s: -1      # the builtins dict changes
    try:
        out.append(use_globals(2))
    finally:
        builtins.len = real_len
    out.append(use_globals(2))
    return out


class Globals(dict):
    pass


def in_other_globals():
    # The same code run with globals that are not an exact dict, and with other builtins.
    code = use_globals.__code__
    ns = Globals(scale=2, range=range, __builtins__={"len": lambda s: 7, "range": range})
    f = type(use_globals)(code, ns)
    out = [f(3) for _ in range(3)]
    ns2 = {"scale": 5, "__builtins__": {"len": lambda s: 1, "range": range}}
    f2 = type(use_globals)(code, ns2)
    out += [f2(3) for _ in range(3)]
    return out


for _ in range(3):
    print(main())
    scale = 3
    counter = 0
print(in_other_globals())
