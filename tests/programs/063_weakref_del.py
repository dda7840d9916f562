# __del__ and weakref callbacks fire deterministically when the last reference goes
import weakref

events = []


class Tracked:
    def __init__(self, name):
        self.name = name
        print("create", name)

    def __del__(self):
        print("del", self.name)


def on_dead(ref):
    print("weakref callback fired; ref() ->", ref())


def scope_exit():
    t = Tracked("local")
    print("inside scope_exit")
    return 1


def explicit_del():
    t = Tracked("explicit")
    del t
    print("after del in explicit_del")


def rebind():
    t = Tracked("first")
    t = Tracked("second")
    print("rebound")
    return t.name


def temporary():
    print("len of temp name", len(Tracked("temp").name))
    print("after temporary statement")


def returned():
    return Tracked("returned")


def in_list():
    lst = [Tracked("a"), Tracked("b")]
    lst.pop(0)
    print("popped a")
    lst.clear()
    print("cleared")


def exc_holds_ref():
    try:
        t = Tracked("in-try")
        raise ValueError("x")
    except ValueError:
        print("handling; t still alive")
    del t
    print("after handler")


def with_weakref():
    t = Tracked("weak")
    r = weakref.ref(t, on_dead)
    print("alive:", r() is t)
    del t
    print("dead:", r() is None)


def finalizer():
    t = Tracked("finalized")
    weakref.finalize(t, print, "finalize callback for", t.name)
    t = None
    print("after finalize drop")


scope_exit()
print("after scope_exit")
explicit_del()
print(rebind())
print("after rebind")
temporary()
r = returned()
print("got", r.name)
r = None
print("after dropping returned")
in_list()
exc_holds_ref()
with_weakref()
finalizer()
wd = weakref.WeakValueDictionary()
keep = Tracked("kept")
wd["kept"] = keep
wd["gone"] = Tracked("gone")
print("keys:", sorted(wd.keys()))
for i in range(3):
    x = Tracked(f"loop{i}")
print("end of loop")
del x
del keep
print("keys now:", sorted(wd.keys()))
print("end of module")
