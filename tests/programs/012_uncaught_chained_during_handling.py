# an exception raised inside an except block -> "During handling of the above exception"
# expect-exit: 1


def parse_int(s):
    return int(s)


def convert_all(items):
    out = []
    for s in items:
        try:
            out.append(parse_int(s))
        except ValueError:
            print("bad item", repr(s))
            fallback = {"one": 1, "two": 2}
            out.append(fallback[s])
    return out


print(convert_all(["1", "2", "one"]))
print(convert_all(["3", "two", "three"]))
