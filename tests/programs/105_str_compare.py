"""`==` and `!=` specialised on strs (COMPARE_OP_STR), then given str subclasses with their own
__eq__, other types, strs of other kinds and equal strs that are different objects: coir
compares two exact strs inline and takes the generic comparison otherwise."""
import traceback


def is_sep(ch):
    if ch == ":" or ch == ",":
        return True
    return False


def differs(a, b):
    if a != b:
        return "differs"
    return "same"


def eq_value(a, b):
    r = a == b
    return r


def ne_value(a, b):
    return a != b


class Loose(str):
    def __eq__(self, other):
        print("Loose.__eq__", str.__repr__(self), repr(other))
        return "truthy-non-bool"

    def __ne__(self, other):
        return 0

    __hash__ = str.__hash__


class Angry:
    def __eq__(self, other):
        raise LookupError("no equality for you")

    def __ne__(self, other):
        raise LookupError("no inequality either")


def show(label, f, *args):
    try:
        print(label, repr(f(*args)))
    except Exception as e:
        print(label, "raised", type(e).__name__, e)
        print("   at", [(fr.name, fr.lineno) for fr in traceback.extract_tb(e.__traceback__)])


def main():
    for i in range(300):
        is_sep(":,x"[i % 3])
        differs("a", "ab"[i % 2])
        eq_value("x", "xy"[i % 2])
        ne_value("x", "xy"[i % 2])
    joined = "".join([":", ""])
    wide = "\u20ac" * 3
    for a, b in [(":", ":"), (":", joined), ("a", "b"), ("", ""), (wide, "\u20ac\u20ac\u20ac"),
                 (wide, "eee"), ("\U0001f600", "\U0001f600"), ("é", "é"), ("é", "e")]:
        show("sep", is_sep, a)
        show("differs", differs, a, b)
        show("eq", eq_value, a, b)
        show("ne", ne_value, a, b)
    for a, b in [(Loose(":"), ":"), (":", Loose(":")), (1, ":"), (":", 1), (None, None), (b":", ":"),
                 (Angry(), ":"), (":", Angry()), (1.0, 1)]:
        show("sep", is_sep, a)
        show("differs", differs, a, b)
        show("eq", eq_value, a, b)
        show("ne", ne_value, a, b)


main()
