# reading and modifying module globals from functions via `global`

COUNTER = 0
LOG = []
CONFIG = {"scale": 2}
THRESHOLD = 10


def bump(n=1):
    global COUNTER
    COUNTER += n
    return COUNTER


def record(msg):
    LOG.append(msg)  # mutation without `global`


def scaled(x):
    return x * CONFIG["scale"]


def rebind_config():
    global CONFIG
    CONFIG = {"scale": 5}


def define_new_global():
    global LATE
    LATE = "defined later"


def shadow():
    THRESHOLD = 99  # local, does not touch the global
    return THRESHOLD


def uses_builtin_shadow():
    return len([1, 2, 3])


for i in range(10):
    bump(i)
    record(f"bump {i} -> {COUNTER}")
print(COUNTER)
print(LOG[:3], LOG[-1], len(LOG))
print(scaled(21))
rebind_config()
print(scaled(21))
define_new_global()
print(LATE)
print(shadow(), THRESHOLD)
print(uses_builtin_shadow())


def len(x):  # shadow a builtin with a global
    return -1


print(uses_builtin_shadow())
del len
print(uses_builtin_shadow())
total = 0
for i in range(2000):
    total += bump()
print(total, COUNTER)
print(globals()["COUNTER"], "bump" in globals(), sorted(k for k in globals() if k.isupper()))
globals()["INJECTED"] = 123


def read_injected():
    return INJECTED


print(read_injected())
