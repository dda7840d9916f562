# dict operations: insertion order, get/setdefault/pop/update/merge, views, del d[k]
from collections import Counter, OrderedDict, defaultdict


def word_freq(text):
    freq = {}
    for w in text.split():
        freq[w] = freq.get(w, 0) + 1
    return freq


def group_by_len(words):
    groups = {}
    for w in words:
        groups.setdefault(len(w), []).append(w)
    return groups


d = {"b": 2, "a": 1}
d["c"] = 3
d["a"] = 10
print(d, list(d), list(d.keys()), list(d.values()), list(d.items()))
print(d.get("a"), d.get("zz"), d.get("zz", "dflt"), "a" in d, "zz" not in d, len(d))
print(d.pop("b"), d.pop("nope", None), d)
try:
    d.pop("nope")
except KeyError as e:
    print("KeyError:", e)
del d["c"]
print(d)
try:
    del d["c"]
except KeyError as e:
    print("KeyError on del:", e)
d.update({"x": 1, "y": 2}, z=3)
print(d, d | {"w": 0}, {"w": 0} | d)
d |= {"a": -1}
print(d, d.popitem(), d)
print(word_freq("a b a c b a d"))
print(group_by_len(["hi", "yo", "hey", "hello", "x", "abc"]))
print(dict.fromkeys("abc", 0), dict(zip("xyz", range(3))), dict([("k", "v")]), dict(a=1, b=2))
keys = d.keys()
d["new"] = 99
print(keys, "new" in keys, keys & {"x", "new"} == {"x", "new"})
print({1: "a"} == {1: "a"}, {1: "a", 2: "b"} == {2: "b", 1: "a"}, list(reversed({"p": 1, "q": 2})))
dd = defaultdict(list)
for i in range(10):
    dd[i % 3].append(i)
print(dict(dd), dd[5], sorted(dd))
c = Counter("abracadabra")
print(c.most_common(3), c["a"], c["z"], sorted(c.elements())[:6])
od = OrderedDict.fromkeys("hello")
od.move_to_end("h")
print(list(od))
try:
    for k in d:
        d["boom"] = 1
except RuntimeError as e:
    print("RuntimeError:", e)
counts = {}
for i in range(5000):
    k = i % 17
    counts[k] = counts.get(k, 0) + i
print(sorted(counts.items())[:5], sum(counts.values()))
nested = {"a": {"b": {"c": 1}}}
nested["a"]["b"]["d"] = 2
print(nested, nested["a"]["b"].get("c"))
