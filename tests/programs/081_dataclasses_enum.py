# dataclasses, enums, namedtuples, typing annotations at runtime
import dataclasses
import enum
from typing import NamedTuple


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


@dataclasses.dataclass(order=True)
class Item:
    priority: int
    name: str = dataclasses.field(compare=False)
    tags: list = dataclasses.field(default_factory=list, compare=False, repr=False)

    def label(self):
        return f"{self.name}@{self.priority}"


@dataclasses.dataclass(frozen=True)
class Frozen:
    x: int
    y: int = 0


class Pair(NamedTuple):
    left: int
    right: str = "r"


items = [Item(3, "c"), Item(1, "a", ["t"]), Item(2, "b")]
print(sorted(items), [i.label() for i in sorted(items, reverse=True)])
print(Item(1, "x") == Item(1, "y"), dataclasses.asdict(items[1]), dataclasses.fields(Item)[1].name)
f = Frozen(1)
print(f, f == Frozen(1, 0), hash(f) == hash(Frozen(1)), dataclasses.replace(f, y=5))
try:
    f.x = 2
except dataclasses.FrozenInstanceError as e:
    print("FrozenInstanceError:", e)
print(Color.RED, Color(2), Color["BLUE"], Color.RED.value, Color.GREEN.name, list(Color), Color.RED is Color(1))
print(Perm.R | Perm.W, (Perm.R | Perm.X).value, Perm.W in (Perm.R | Perm.W), Perm(7))
p = Pair(1)
print(p, p.left, p.right, p._fields, Pair(2, "z") > Pair(2, "a"))


def annotated(a: int, b: "str" = "x") -> list[int]:
    return [a]


print(annotated.__annotations__ if False else sorted(annotated.__annotations__))
counts = {c: 0 for c in Color}
for i in range(900):
    counts[Color(i % 3 + 1)] += 1
print([(c.name, n) for c, n in counts.items()])
