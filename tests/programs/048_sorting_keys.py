# sorting with key functions, reverse, stability, attrgetter/itemgetter, cmp_to_key
import functools
import operator


class Emp:
    def __init__(self, name, dept, salary):
        self.name, self.dept, self.salary = name, dept, salary

    def __repr__(self):
        return f"{self.name}({self.dept},{self.salary})"


emps = [Emp("ann", "eng", 120), Emp("bob", "ops", 90), Emp("cat", "eng", 110),
        Emp("dan", "ops", 90), Emp("eve", "hr", 70), Emp("fay", "eng", 120)]
print(sorted(emps, key=lambda e: e.salary))
print(sorted(emps, key=lambda e: (-e.salary, e.name)))
print(sorted(emps, key=operator.attrgetter("dept", "name")))
print(sorted(emps, key=lambda e: e.salary, reverse=True))
words = ["banana", "Apple", "cherry", "date", "Elderberry", "fig", "apple"]
print(sorted(words), sorted(words, key=str.lower), sorted(words, key=len), sorted(words, key=lambda w: (len(w), w)))
pairs = [(1, "b"), (2, "a"), (1, "a"), (2, "b"), (0, "z")]
print(sorted(pairs), sorted(pairs, key=operator.itemgetter(1)), sorted(pairs, key=operator.itemgetter(1, 0)))


def cmp(a, b):
    if a % 3 != b % 3:
        return (a % 3) - (b % 3)
    return b - a


print(sorted(range(12), key=functools.cmp_to_key(cmp)))
data = [5, -3, 2, -8, 7, 0]
data.sort(key=abs)
print(data)
data.sort(key=lambda x: x % 4, reverse=True)
print(data)
print(max(emps, key=lambda e: e.salary), min(words, key=len), max(words, key=lambda w: w[-1]))
nested = [[3, 2], [1], [2, 2, 2], []]
print(sorted(nested, key=sum), sorted(nested, key=len, reverse=True))
try:
    sorted([1, "a", 2])
except TypeError as e:
    print("TypeError:", e)
key_calls = [0]


def counting_key(x):
    key_calls[0] += 1
    return -x


big = sorted(range(2000), key=counting_key)
print(big[:5], key_calls[0])
print(sorted("The quick brown fox".split(), key=lambda s: s[::-1]))
