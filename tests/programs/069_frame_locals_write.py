# writing through frame.f_locals (PEP 667 write-through proxy) changes the caller's variables
import sys


def set_in_caller(name, value):
    sys._getframe(1).f_locals[name] = value


def victim():
    x = 1
    set_in_caller("x", 42)
    y = x + 1
    return x, y


def loop_victim():
    out = []
    i = 0
    while i < 10:
        out.append(i)
        if i == 3:
            set_in_caller("i", 7)
        i += 1
    return out


def own_frame():
    a = "before"
    sys._getframe().f_locals["a"] = "after"
    return a


print(victim())
print(loop_victim())
print(own_frame())
for k in range(3):
    print(k, victim())
