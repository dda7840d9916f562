# uncaught exception raised inside a generator expression and a generator function
# expect-exit: 1


def parse_all(lines):
    for line in lines:
        key, value = line.split("=")
        yield key.strip(), int(value)


def load(text):
    pairs = dict(parse_all(text.splitlines()))
    print("loaded", sorted(pairs.items()))
    return pairs


load("a = 1\nb = 2")
total = sum(v * 2 for v in load("x = 3\ny = 4\nz = five").values())
print("unreachable", total)
