# uncaught TypeError from a bad call and from an unsupported operation in a lambda
# expect-exit: 1


def apply_all(fns, value):
    out = []
    for fn in fns:
        out.append(fn(value))
        print("applied", out[-1])
    return out


transforms = [
    lambda v: v * 2,
    lambda v: v + 1,
    str,
    lambda v: v + "suffix",
]
print(apply_all(transforms[:3], 10))
print(apply_all(transforms, 5))
