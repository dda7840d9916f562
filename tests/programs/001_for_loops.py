# for loops over ranges, lists, strings, dicts, enumerate, zip, reversed


def sum_range(n):
    total = 0
    for i in range(n):
        total += i
    return total


def step_ranges():
    out = []
    for i in range(10, 0, -3):
        out.append(i)
    for i in range(-5, 5, 2):
        out.append(i * i)
    return out


def over_string(s):
    counts = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    return sorted(counts.items())


def enum_zip(a, b):
    lines = []
    for idx, (x, y) in enumerate(zip(a, b), start=1):
        lines.append(f"{idx}: {x}+{y}={x + y}")
    return lines


def reversed_iter(seq):
    acc = []
    for item in reversed(seq):
        acc.append(item * 2)
    return acc


def dict_iter(d):
    res = []
    for k in d:
        res.append(k)
    for k, v in d.items():
        res.append((k, v))
    for v in d.values():
        res.append(v)
    return res


def loop_var_after(n):
    for i in range(n):
        pass
    return i


for n in (0, 1, 5, 100, 1000):
    print("sum_range", n, sum_range(n))
print(step_ranges())
print(over_string("mississippi"))
for line in enum_zip([1, 2, 3, 4], [10, 20, 30]):
    print(line)
print(reversed_iter([1, 2, 3, "a"]))
print(dict_iter({"x": 1, "y": 2, "z": 3}))
print(loop_var_after(7))
for i in range(3):
    for j in range(3):
        print(i, j, i * 3 + j, end="; ")
    print()
