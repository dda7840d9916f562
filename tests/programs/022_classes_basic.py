# basic classes: __init__, instance/class attributes, methods, __repr__, __str__


class Counter:
    instances = 0

    def __init__(self, name, start=0):
        self.name = name
        self.count = start
        Counter.instances += 1

    def incr(self, by=1):
        self.count += by
        return self

    def __repr__(self):
        return f"Counter({self.name!r}, {self.count})"

    def __str__(self):
        return f"<{self.name}: {self.count}>"


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.history.append(("dep", amount))

    def withdraw(self, amount):
        if amount > self.balance:
            self.history.append(("denied", amount))
            return False
        self.balance -= amount
        self.history.append(("wd", amount))
        return True


c = Counter("clicks")
for i in range(5):
    c.incr()
c.incr(10).incr(100)
print(c, repr(c), str(c))
d = Counter("other", 7)
print(d, Counter.instances, c.instances)
d.extra = "dynamic"
print(sorted(vars(d).items()))
print(hasattr(d, "extra"), hasattr(c, "extra"), getattr(c, "missing", "default"))
setattr(c, "name", "renamed")
print(c)
delattr(d, "extra")
print(hasattr(d, "extra"))

acct = Account("ann", 50)
for amt in (10, 30, 100, 5):
    acct.deposit(amt)
    print("withdraw", amt * 2, acct.withdraw(amt * 2), acct.balance)
try:
    acct.deposit(-1)
except ValueError as e:
    print("error:", e)
print(acct.history)
print(type(acct).__name__, type(acct.deposit).__name__, Account.deposit.__qualname__)
bound = acct.withdraw
print(bound(1), acct.balance)
