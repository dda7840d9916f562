"""Exceptions: exceptions as control flow: a custom exception hierarchy raised and caught in
loops, try/except/else/finally, `raise ... from`, re-raising, and context managers written as
classes (`__enter__`/`__exit__`, some suppressing exceptions). A toy bank processes a stream of
transactions, most of which succeed and many of which fail in one of several ways.

Usage: exceptions.py [ROUNDS]   (default 35 rounds of 20000 transactions)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import random
import sys
import time

DEFAULT_SIZE = 35
TRANSACTIONS = 20000


class BankError(Exception):
    pass


class InsufficientFunds(BankError):
    def __init__(self, account, amount):
        super().__init__(account, amount)
        self.account = account
        self.amount = amount


class AccountFrozen(BankError):
    pass


class UnknownAccount(BankError, KeyError):
    pass


class AuditFailure(Exception):
    pass


class Account:
    __slots__ = ("ident", "balance", "frozen", "ops")

    def __init__(self, ident, balance):
        self.ident = ident
        self.balance = balance
        self.frozen = False
        self.ops = 0

    def withdraw(self, amount):
        if self.frozen:
            raise AccountFrozen(self.ident)
        if amount > self.balance:
            raise InsufficientFunds(self.ident, amount)
        self.balance -= amount
        self.ops += 1

    def deposit(self, amount):
        if self.frozen:
            raise AccountFrozen(self.ident)
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.ops += 1


class Transaction:
    """A context manager that rolls back both accounts if the body raises."""

    def __init__(self, bank, a, b):
        self.bank = bank
        self.a = a
        self.b = b

    def __enter__(self):
        self.saved = (self.a.balance, self.b.balance, self.a.ops, self.b.ops)
        self.bank.open_transactions += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        self.bank.open_transactions -= 1
        if exc_type is not None:
            self.a.balance, self.b.balance, self.a.ops, self.b.ops = self.saved
            self.bank.rollbacks += 1
        return False


class Suppress:
    """Swallow the given exception types, counting them."""

    def __init__(self, counter, *types):
        self.counter = counter
        self.types = types

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, self.types):
            self.counter[exc_type.__name__] = self.counter.get(exc_type.__name__, 0) + 1
            return True
        return False


class Bank:
    def __init__(self, rng, n):
        self.accounts = {}
        for i in range(n):
            self.accounts[i] = Account(i, rng.randint(0, 500))
        self.open_transactions = 0
        self.rollbacks = 0
        self.audits = 0

    def get(self, ident):
        try:
            return self.accounts[ident]
        except KeyError:
            raise UnknownAccount(ident) from None

    def transfer(self, src, dst, amount):
        a = self.get(src)
        b = self.get(dst)
        with Transaction(self, a, b):
            b.deposit(amount)
            a.withdraw(amount)

    def audit(self, ident):
        self.audits += 1
        try:
            acc = self.get(ident)
            if acc.balance < 0:
                raise AuditFailure(ident)
        finally:
            self.audits += 1
        return acc.balance


def parse_amount(text):
    try:
        v = int(text)
    except ValueError:
        return -1
    else:
        return v


def process(bank, rng, n, errors):
    ok = 0
    finals = 0
    nacc = len(bank.accounts)
    for i in range(n):
        src = rng.randrange(nacc + 5)       # a few unknown accounts
        dst = rng.randrange(nacc)
        r = rng.random()
        text = str(rng.randint(-20, 300)) if r > 0.05 else "n/a"
        amount = parse_amount(text)
        try:
            try:
                bank.transfer(src, dst, amount)
            except InsufficientFunds as e:
                errors["funds"] = errors.get("funds", 0) + 1
                if e.amount > 250:
                    raise
            except AccountFrozen:
                errors["frozen"] = errors.get("frozen", 0) + 1
            except ValueError:
                errors["value"] = errors.get("value", 0) + 1
            else:
                ok += 1
            finally:
                finals += 1
        except BankError as e:
            # Re-raised large withdrawals and unknown accounts end up here.
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        if i % 97 == 0:
            acct = bank.accounts[dst]
            acct.frozen = not acct.frozen
        if i % 13 == 0:
            with Suppress(errors, UnknownAccount, AuditFailure):
                bank.audit(src)
    return ok, finals


def run(rounds):
    rng = random.Random(777)
    total_ok = total_finals = 0
    errors = {}
    balance = 0
    rollbacks = audits = 0
    for _ in range(rounds):
        bank = Bank(rng, 200)
        ok, finals = process(bank, rng, TRANSACTIONS, errors)
        total_ok += ok
        total_finals += finals
        rollbacks += bank.rollbacks
        audits += bank.audits
        for a in bank.accounts.values():
            balance += a.balance * (a.ops + 1)
        if bank.open_transactions != 0:
            raise AssertionError("unbalanced transactions")
    return total_ok, total_finals, rollbacks, audits, balance, errors


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    ok, finals, rollbacks, audits, balance, errors = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    errs = ",".join([f"{k}={errors[k]}" for k in sorted(errors)])
    print(f"checksum exceptions rounds={size} ok={ok} finals={finals} rollbacks={rollbacks} "
          f"audits={audits} balance={balance} {errs}")


if __name__ == "__main__":
    main(sys.argv)
