# assignment expressions (walrus)
import re


def chunks(data, n):
    out = []
    i = 0
    while (chunk := data[i:i + n]):
        out.append(chunk)
        i += n
    return out


def first_long(words):
    for w in words:
        if (n := len(w)) > 5:
            return w, n
    return None, n


def filtered_squares(xs):
    return [y for x in xs if (y := x * x) % 3 == 1]


def parse(lines):
    results = []
    for line in lines:
        if (m := re.match(r"(\w+)=(\d+)", line)) is not None:
            results.append((m.group(1), int(m.group(2))))
        elif (stripped := line.strip()):
            results.append(("raw", stripped))
    return results


def running_total(xs):
    total = 0
    return [total := total + x for x in xs], total


print(chunks("abcdefghij", 3), chunks([], 2), chunks(list(range(7)), 2))
print(first_long(["a", "bb", "abcdefg", "zz"]), first_long(["x", "yy"]))
print(filtered_squares(range(15)))
print(parse(["a=1", "  junk  ", "", "bee=22", "c=x"]))
print(running_total([1, 2, 3, 4, 5]))
if (n := len("walrus")) > 3:
    print("len", n)
print([(x, y) for x in range(3) if (y := x * 10) > 0], y)
data = iter(range(20))
acc = []
while (v := next(data, None)) is not None:
    if v % 4 == 0:
        acc.append(v)
print(acc)
hits = 0
for i in range(3000):
    if (r := i % 13) == 0 or r == 7:
        hits += 1
print(hits)
