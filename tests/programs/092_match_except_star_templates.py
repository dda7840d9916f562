# Structural pattern matching, except* and template strings inside functions.
from dataclasses import dataclass
from string.templatelib import Template, Interpolation


@dataclass
class Point:
    x: int
    y: int


def describe(obj):
    match obj:
        case []:
            return "empty list"
        case [x]:
            return f"one item {x}"
        case [x, *rest]:
            return f"head {x}, {len(rest)} more"
        case {"kind": "circle", "r": r}:
            return f"circle r={r}"
        case {"kind": k, **others}:
            return f"mapping kind={k} others={sorted(others)}"
        case Point(x=0, y=0):
            return "origin"
        case Point(x, y) if x == y:
            return f"diagonal {x}"
        case Point(x=px, y=py):
            return f"point {px},{py}"
        case str() | bytes():
            return f"text {obj!r}"
        case _:
            return "something else"


def groups():
    out = []
    for exc in (ValueError("v"), TypeError("t"), KeyError("k")):
        try:
            try:
                raise ExceptionGroup("g", [exc, OSError("o")])
            except* ValueError as eg:
                out.append(("value", [str(e) for e in eg.exceptions]))
            except* OSError as eg:
                out.append(("os", [str(e) for e in eg.exceptions]))
        except ExceptionGroup as rest:
            out.append(("rest", [type(e).__name__ for e in rest.exceptions]))
    return out


def template(name, amount):
    t = t"Hello {name!r}, you owe {amount:.2f} ({amount})"
    parts = []
    for item in t:
        if isinstance(item, Interpolation):
            parts.append(("I", item.value, item.expression, item.conversion, item.format_spec))
        else:
            parts.append(("S", item))
    return type(t) is Template, parts


for i in range(3):
    for obj in ([], [1], [1, 2, 3], {"kind": "circle", "r": 2}, {"kind": "sq", "a": 1, "b": 2},
                Point(0, 0), Point(3, 3), Point(1, 2), "s", b"b", 4.5):
        print(describe(obj))
    print(groups())
    print(template("ann", 12.5))
