# set and frozenset operations (output sorted so it never depends on hash order)


def show(s):
    return sorted(s)


a = {1, 2, 3, 4, 5}
b = {4, 5, 6, 7}
print(show(a | b), show(a & b), show(a - b), show(b - a), show(a ^ b))
print(a <= b, {1, 2} <= a, {1, 2} < a, a >= {1}, a.isdisjoint({9}), a.isdisjoint(b))
s = set()
for x in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]:
    s.add(x)
print(show(s), len(s))
s.discard(100)
s.remove(9)
try:
    s.remove(9)
except KeyError as e:
    print("KeyError:", e)
print(show(s))
popped = s.pop()
print(type(popped).__name__, len(s))
s.update([10, 11], {12})
s.intersection_update(range(5, 20))
print(show(s))
s.difference_update({10})
s.symmetric_difference_update({11, 13})
print(show(s))
fs = frozenset("hello")
print(show(fs), len(fs), "h" in fs, "z" in fs, hash(fs) == hash(frozenset("olleh")))
print({fs: 1}[frozenset("ohle")])
words = ["apple", "banana", "apple", "cherry", "banana", "date"]
print(show(set(words)), len(set(words)))
print(show({w[0] for w in words}), show({len(w) for w in words}))
seen = set()
dups = []
for w in words:
    if w in seen:
        dups.append(w)
    seen.add(w)
print(dups)
print(set() == set(), set() == frozenset(), {1, 2} == {2, 1}, {1} != {1, 2})
try:
    {[1]}
except TypeError as e:
    print("TypeError:", e)
primes = set(range(2, 200))
for i in range(2, 15):
    primes -= set(range(i * i, 200, i))
print(show(primes))
hits = 0
lookup = set(range(0, 1000, 7))
for i in range(5000):
    if i % 1000 in lookup:
        hits += 1
print(hits)
