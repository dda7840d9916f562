# tuple operations and all forms of unpacking including star-unpacking


def swap(a, b):
    a, b = b, a
    return a, b


def head_tail(seq):
    first, *rest = seq
    return first, rest


def ends(seq):
    a, *middle, z = seq
    return a, middle, z


def last_two(seq):
    *init, y, z = seq
    return init, y, z


def nested(data):
    (a, b), [c, (d, *e)] = data
    return a, b, c, d, e


def loop_unpack(pairs):
    out = []
    for i, (k, *vs) in enumerate(pairs):
        out.append((i, k, len(vs), sum(vs)))
    return out


def multi_return():
    return 1, "two", [3]


t = (1, 2, 3, 2, 1)
print(t, t[1:4], t[::-1], t.count(2), t.index(3), len(t), t + (9,), t * 2, 2 in t)
print((), (1,), tuple("abc"), tuple(range(4)), (1, 2) < (1, 3), (1, 2, 3) > (1, 2), max((3, 1), (2, 9)))
print(swap(1, 2), head_tail([10, 20, 30]), head_tail("x"), ends(range(6)), ends("ab"))
print(last_two([1, 2, 3, 4, 5]), last_two((8, 9)))
print(nested(((1, 2), [3, (4, 5, 6, 7)])))
print(loop_unpack([("a", 1, 2, 3), ("b",), ("c", 10)]))
x, y, z = multi_return()
print(x, y, z)
a = b = c = 7
print(a, b, c)
first, second = "hi"
print(first, second)
(p, q), r = "ab", "c"
print(p, q, r)
try:
    m, n = [1, 2, 3]
except ValueError as e:
    print("ValueError:", e)
try:
    m, n, o, pp = [1, 2]
except ValueError as e:
    print("ValueError:", e)
try:
    u, *v, w = [1]
except ValueError as e:
    print("ValueError:", e)
print([*range(3), *"ab", *(9, 8)], (*[1, 2], 3), {*(1, 2), *[2, 3]}, {**{"a": 1}, "b": 2, **{"a": 3}})
d = {"k1": 1, "k2": 2}
(k1, v1), (k2, v2) = sorted(d.items())
print(k1, v1, k2, v2)
total = 0
for i in range(2000):
    a, *mid, z = (i, i + 1, i + 2, i + 3)
    total += a + z + len(mid)
print(total)
nt = __import__("collections").namedtuple("Pt", "x y")
pt = nt(3, 4)
px, py = pt
print(pt, px, py, pt._replace(x=9), pt._asdict())
