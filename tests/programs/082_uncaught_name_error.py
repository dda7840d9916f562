# uncaught NameError with a "Did you mean" suggestion computed from the frame's locals
# expect-exit: 1


def compute(values):
    running_total = 0
    for v in values:
        running_total += v
        print("running", running_total)
    return runing_total


compute([1, 2, 3])
