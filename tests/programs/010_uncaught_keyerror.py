# KeyError escaping from a method call chain
# expect-exit: 1


class Registry:
    def __init__(self):
        self.items = {}

    def add(self, key, value):
        self.items[key] = value
        print("added", key, value)

    def lookup(self, key):
        return self.items[key]


def use_registry(reg, keys):
    for k in keys:
        print("lookup", k, "->", reg.lookup(k))


reg = Registry()
for i, name in enumerate(["alpha", "beta", "gamma"]):
    reg.add(name, i * 10)
use_registry(reg, ["beta", "alpha", "delta", "gamma"])
