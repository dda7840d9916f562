# with statements: __enter__/__exit__, exception suppression, contextlib, nesting
import contextlib


class Resource:
    def __init__(self, name, suppress=False):
        self.name = name
        self.suppress = suppress

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, exc_type, exc, tb):
        print("exit", self.name, exc_type.__name__ if exc_type else None, exc)
        return self.suppress


@contextlib.contextmanager
def tag(name):
    print(f"<{name}>")
    try:
        yield name.upper()
    finally:
        print(f"</{name}>")


def use_resources():
    with Resource("a") as a, Resource("b") as b:
        print("body", a.name, b.name)
    return "done"


def suppressed():
    with Resource("s", suppress=True):
        raise ValueError("swallowed")
    return "after suppressed"


def not_suppressed():
    try:
        with Resource("n"):
            raise KeyError("propagates")
    except KeyError as e:
        return f"caught {e}"


def return_inside_with():
    with Resource("r"):
        return "returned from with"


def loop_with(n):
    out = []
    for i in range(n):
        with tag(f"i{i}") as t:
            if i == 1:
                continue
            if i == 3:
                break
            out.append(t)
    return out


print(use_resources())
print(suppressed())
print(not_suppressed())
print(return_inside_with())
print(loop_with(5))
with contextlib.suppress(ZeroDivisionError):
    print("before error")
    1 / 0
print("suppress ok")
with contextlib.ExitStack() as stack:
    for n in ("x", "y"):
        stack.enter_context(Resource(n))
    print("inside exit stack")
with tag("outer"), tag("inner") as inner:
    print("nested value", inner)
