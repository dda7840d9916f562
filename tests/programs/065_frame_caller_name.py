# sys._getframe(n).f_code.co_name / f_lineno of callers, walking the f_back chain
import os
import sys


def who_called_me():
    f = sys._getframe(1)
    caller = sys._getframe(2)
    return f.f_code.co_name, caller.f_code.co_name, caller.f_lineno


def chain(depth_limit=6):
    names = []
    f = sys._getframe(1)
    while f is not None and len(names) < depth_limit:
        if os.path.basename(f.f_code.co_filename) != os.path.basename(__file__):
            break
        names.append((f.f_code.co_name, f.f_lineno))
        f = f.f_back
    return names


def alpha():
    return who_called_me()


def beta():
    return alpha()


def gamma():
    return chain()


def delta():
    return gamma()


class K:
    def method(self):
        return who_called_me()

    @classmethod
    def cm(cls):
        return chain()

    @property
    def prop(self):
        return sys._getframe().f_code.co_name, sys._getframe(1).f_code.co_name


def call_method():
    return K().method()


def recurse(n):
    if n == 0:
        return chain(10)
    return recurse(n - 1)


print(beta())
print(delta())
print(call_method())
print(K.cm())
print(K().prop)
print(recurse(4))
print((lambda: who_called_me())())
print([sys._getframe(0).f_code.co_name for _ in range(1)])
results = set()
for i in range(500):
    results.add(beta())
print(sorted(results))
try:
    sys._getframe(10000)
except ValueError as e:
    print("ValueError:", e)
