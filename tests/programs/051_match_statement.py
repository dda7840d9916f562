# structural pattern matching: literals, captures, sequences, mappings, classes, guards, or


class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y


def describe(obj):
    match obj:
        case 0:
            return "zero"
        case 1 | 2 | 3:
            return "small int"
        case int(n) if n < 0:
            return f"negative {n}"
        case int() | float() as num:
            return f"number {num}"
        case "quit" | "exit":
            return "command: leave"
        case str(s) if s.startswith("#"):
            return f"comment {s[1:]!r}"
        case str():
            return f"string {obj!r}"
        case []:
            return "empty list"
        case [x]:
            return f"singleton {x}"
        case [x, y]:
            return f"pair {x},{y}"
        case [first, *rest]:
            return f"seq first={first} rest={rest}"
        case {"type": "circle", "r": r}:
            return f"circle r={r}"
        case {"type": t, **others}:
            return f"shape {t} extras={sorted(others)}"
        case Point(0, 0):
            return "origin"
        case Point(x=0, y=yy):
            return f"on y axis at {yy}"
        case Point(xx, yy) if xx == yy:
            return f"diagonal {xx}"
        case Point():
            return "some point"
        case None:
            return "none"
        case _:
            return f"unknown {type(obj).__name__}"


def eval_expr(e):
    match e:
        case ("num", v):
            return v
        case ("add", a, b):
            return eval_expr(a) + eval_expr(b)
        case ("mul", a, b):
            return eval_expr(a) * eval_expr(b)
        case ("neg", a):
            return -eval_expr(a)
        case _:
            raise ValueError(f"bad expr {e!r}")


tests = [0, 2, -7, 42, 3.5, "quit", "#note", "hello", [], [9], [1, 2], (1, 2, 3, 4),
         {"type": "circle", "r": 5}, {"type": "rect", "w": 1, "h": 2}, Point(0, 0), Point(0, 4),
         Point(3, 3), Point(1, 2), None, {1, 2}, b"bytes"]
for t in tests:
    print(describe(t))
expr = ("add", ("num", 2), ("mul", ("num", 3), ("neg", ("num", 4))))
print(eval_expr(expr))
try:
    eval_expr(("div", 1, 2))
except ValueError as e:
    print("ValueError:", e)
counts = {}
for i in range(2000):
    r = describe([i % 4] * (i % 3))
    counts[r.split()[0]] = counts.get(r.split()[0], 0) + 1
print(sorted(counts.items()))
