# __getitem__, __setitem__, __len__, __iter__, __contains__, __delitem__, __reversed__


class Ring:
    def __init__(self, items):
        self._items = list(items)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self) * 2))]
        return self._items[i % len(self._items)]

    def __setitem__(self, i, v):
        self._items[i % len(self._items)] = v

    def __delitem__(self, i):
        del self._items[i % len(self._items)]

    def __contains__(self, v):
        print("  __contains__ called for", v)
        return v in self._items

    def __iter__(self):
        return iter(self._items)

    def __reversed__(self):
        return reversed(self._items)


class OldStyleSeq:
    # only __getitem__: iteration falls back to the sequence protocol
    def __getitem__(self, i):
        if i >= 5:
            raise IndexError(i)
        return i * i


class Countdown:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n + 1


r = Ring("abcde")
print(len(r), r[0], r[7], r[-1], r[3:8])
r[6] = "B"
print(list(r))
del r[10]
print(list(r), len(r))
print("c" in r, "z" in r)
print(list(reversed(r)))
print(list(OldStyleSeq()), 9 in OldStyleSeq(), 10 in OldStyleSeq())
print(list(Countdown(5)), sum(Countdown(100)))
for i, x in enumerate(Countdown(3)):
    print("iter", i, x)
a, b, c = Countdown(3)
print(a, b, c)
print(sorted(Ring([5, 3, 9, 1])), max(Ring([5, 3, 9, 1])))
print(bool(Ring([])) if False else "skip", bool(Ring([0])))
