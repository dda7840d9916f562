"""Subscripts the interpreter specialised for exact dicts and strs (BINARY_OP_SUBSCR_DICT,
BINARY_OP_SUBSCR_STR_INT, STORE_SUBSCR_DICT), then given what they did not see: dict
subclasses with __missing__ and __setitem__, missing keys (tuple keys too, whose KeyError
wraps them), unhashable keys, str subclasses, negative and out-of-range indexes, characters
beyond ASCII and Latin-1. Results, exceptions and tracebacks must be the interpreter's."""
import traceback


class Defaulting(dict):
    def __missing__(self, key):
        return ("missing", key)


class Logging(dict):
    def __setitem__(self, key, value):
        print("set", key, value)
        super().__setitem__(key, value)


class Shout(str):
    def __getitem__(self, i):
        return str.__getitem__(self, i).upper()


def get(d, k):
    return d[k]


def put(d, k, v):
    d[k] = v
    return d


def char(s, i):
    return s[i]


def count(text):
    counts = {}
    for ch in text:
        if ch in counts:
            counts[ch] += 1
        else:
            counts[ch] = 1
    return counts


def attempt(f, *args):
    try:
        print(repr(f(*args)))
    except Exception as e:
        print(type(e).__name__, e)
        traceback.print_exc(limit=2)


def main():
    d = {"a": 1, (1, 2): "pair", 3: "three"}
    for _ in range(20):
        get(d, "a")
        put({}, "k", 1)
        char("hello", 1)
        count("abracadabra")
    attempt(get, d, "a")
    attempt(get, d, (1, 2))
    attempt(get, d, "zz")
    attempt(get, d, (9, 9))
    attempt(get, d, [1])
    attempt(get, Defaulting(x=1), "y")
    attempt(get, [10, 20], 1)
    attempt(get, "str", 0)
    attempt(put, {}, "k", "v")
    attempt(put, Logging(), "k", "v")
    attempt(put, {}, [1], 2)
    attempt(put, [0, 1], 1, "x")
    attempt(char, "hello", 4)
    attempt(char, "hello", 5)
    attempt(char, "hello", -1)
    attempt(char, "héllo", 1)
    attempt(char, "h€llo", 1)
    attempt(char, "h\U0001f600llo", 1)
    attempt(char, Shout("hello"), 0)
    attempt(char, "hello", True)
    attempt(char, "hello", 2**40)
    attempt(char, "hello", 1.0)
    attempt(char, b"bytes", 0)
    print(sorted(count("mississippi").items()))
    print(sorted(count(["x", "y", "x"]).items()))


main()
