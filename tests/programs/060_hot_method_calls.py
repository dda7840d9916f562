# methods, attribute loads/stores and object creation in hot loops


class Particle:
    __slots__ = ("x", "v")

    def __init__(self, x, v):
        self.x = x
        self.v = v

    def step(self, dt):
        self.x += self.v * dt
        if self.x < 0 or self.x > 100:
            self.v = -self.v
            self.x = max(0.0, min(100.0, self.x))

    def energy(self):
        return 0.5 * self.v * self.v


class Stack:
    def __init__(self):
        self.items = []

    def push(self, v):
        self.items.append(v)

    def pop(self):
        return self.items.pop()

    def __len__(self):
        return len(self.items)


class Acc:
    def __init__(self):
        self.total = 0
        self.count = 0

    def add(self, v):
        self.total += v
        self.count += 1
        return self

    @property
    def mean(self):
        return self.total / self.count if self.count else 0


def simulate(n, steps):
    ps = [Particle(i * 7 % 100, (i % 5) - 2.5) for i in range(n)]
    for _ in range(steps):
        for p in ps:
            p.step(0.5)
    return sum(p.x for p in ps), sum(p.energy() for p in ps)


def stack_work(n):
    s = Stack()
    acc = Acc()
    for i in range(n):
        s.push(i)
        s.push(i * 2)
        if len(s) > 3:
            acc.add(s.pop()).add(s.pop())
    return acc.total, acc.count, round(acc.mean, 6), len(s)


print(simulate(50, 400))
print(stack_work(20000))
objs = [Acc() for _ in range(10)]
for i in range(5000):
    objs[i % 10].add(i)
print([(o.total, o.count) for o in objs])
