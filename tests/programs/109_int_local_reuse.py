"""Int locals assigned in loops (counters, range variables, running sums): coir writes a new
compact value into the int the local holds when nothing else references it. Small ints must
stay the interpreter's shared objects, ints kept elsewhere must keep their values, and values
that outgrow one digit or go negative must come out right."""
import sys


def count(n):
    j = 0
    for _ in range(n):
        j += 1
    return j


def kept(n):
    out = []
    j = 250
    for _ in range(n):
        j += 3
        out.append(j)
    return out


def down(n):
    j = 1000
    for _ in range(n):
        j -= 7
    return j


def grow(n):
    j = 1
    for _ in range(n):
        j = j * 3 + 1
    return j


def small_again(n):
    j = 300
    for _ in range(n):
        j -= 1
    k = j - 44
    return j, k, k == 256, sys.getrefcount(j) < 1000


def ranges(n):
    total = 0
    for i in range(n):
        total += i
    return i, total


def main():
    for _ in range(30):
        print(count(1000), kept(5), down(200), grow(25), ranges(600))
        print(small_again(44))
    a = count(300)
    b = count(300)
    print(a == b, a is b)          # 300 is not a small int: distinct objects either way
    c = count(256)
    d = count(256)
    print(c is d)                  # small ints are shared
    print(down(-3), grow(-1), ranges(1))


main()
