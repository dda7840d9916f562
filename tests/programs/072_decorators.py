# decorators: simple, with args, stacked, class decorators, functools.wraps/lru_cache
import functools


def trace(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        print(f"-> {fn.__name__}{args}")
        r = fn(*args, **kwargs)
        print(f"<- {fn.__name__} = {r!r}")
        return r
    return wrapper


def repeat(times):
    def deco(fn):
        def wrapper(*a):
            return [fn(*a) for _ in range(times)]
        return wrapper
    return deco


def register(registry):
    def deco(fn):
        registry[fn.__name__] = fn
        return fn
    return deco


def add_repr(cls):
    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in sorted(vars(self).items()))
        return f"{cls.__name__}({fields})"
    cls.__repr__ = __repr__
    return cls


REG = {}


@trace
def add(a, b):
    return a + b


@repeat(3)
def shout(s):
    return s.upper()


@register(REG)
@trace
def mul(a, b):
    return a * b


@add_repr
class Pt:
    def __init__(self, x, y):
        self.x, self.y = x, y


@functools.lru_cache(maxsize=None)
def ways(n):
    return 1 if n <= 1 else ways(n - 1) + ways(n - 2)


add(2, 3)
print(shout("hey"))
mul(4, 5)
print(sorted(REG), REG["mul"](2, 2))
print(add.__name__, add.__wrapped__(10, 20), mul.__name__)
print(Pt(1, "two"))
print(ways(150), ways.cache_info().hits > 0)


class Cached:
    @functools.cached_property
    def expensive(self):
        print("computing expensive")
        return 42


c = Cached()
print(c.expensive, c.expensive)
