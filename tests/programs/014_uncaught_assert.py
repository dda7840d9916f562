# assert statements; the last one fails at top level through a call
# expect-exit: 1


def check_sorted(seq):
    for a, b in zip(seq, seq[1:]):
        assert a <= b, f"not sorted at {a} > {b}"
    return True


def check_positive(x):
    assert x > 0
    return x


print(check_sorted([1, 2, 2, 5]))
try:
    check_sorted([1, 3, 2])
except AssertionError as e:
    print("caught:", e)
try:
    check_positive(-1)
except AssertionError as e:
    print("caught bare assert:", repr(e), e.args)
print(check_positive(4))
total = 0
for i in range(1, 10):
    total += check_positive(i)
print("total", total)
check_sorted([5, 6, 7, 1])
