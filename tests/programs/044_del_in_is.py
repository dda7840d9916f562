# del statements (names, items, slices, attributes), in / not in, is / is not


class Obj:
    pass


def del_local():
    x = 5
    del x
    try:
        return x
    except UnboundLocalError as e:
        return f"UnboundLocalError: {e}"


def del_items():
    lst = list(range(10))
    del lst[3]
    del lst[-1]
    del lst[1:3]
    d = {"a": 1, "b": 2, "c": 3}
    del d["b"]
    o = Obj()
    o.p = 1
    o.q = 2
    del o.p
    return lst, d, vars(o)


def membership(x):
    return (x in [1, 2, 3], x not in (1, 2), x in {3: "v"}, x in range(0, 10, 3), str(x) in "12345")


def identity():
    a = [1]
    b = a
    c = [1]
    none = None
    return a is b, a is c, a is not c, a == c, none is None, none is not None, type(a) is list


del_results = del_local()
print(del_results)
print(del_items())
for v in (0, 1, 3, 6, 7):
    print(v, membership(v))
print(identity())
g = 1
del g
try:
    print(g)
except NameError as e:
    print("NameError:", e)
o = Obj()
try:
    del o.missing
except AttributeError as e:
    print("AttributeError:", type(e).__name__)
lst = [1, 2, 3]
try:
    del lst[10]
except IndexError as e:
    print("IndexError:", e)
a, b = 1, 2
del a, b
print("a" in dir(), "b" in dir())
print(True is True, a_list_obj is not None if (a_list_obj := [1]) else 0, "abc" in "xxabcxx", "" in "x", [] in [[], 1], None in [0, False])
count = 0
pool = list(range(100))
for i in range(3000):
    if i % 100 in pool and i not in pool:
        count += 1
print(count)
