# recursion around 500 levels deep


def depth_sum(n):
    if n == 0:
        return 0
    return n + depth_sum(n - 1)


def build_list(n):
    if n == 0:
        return []
    lst = build_list(n - 1)
    lst.append(n)
    return lst


class Node:
    def __init__(self, val, nxt):
        self.val = val
        self.nxt = nxt

    def length(self):
        if self.nxt is None:
            return 1
        return 1 + self.nxt.length()

    def total(self):
        return self.val + (self.nxt.total() if self.nxt else 0)


def make_chain(n):
    head = None
    for i in range(n):
        head = Node(i, head)
    return head


def nested_tuple(n):
    return () if n == 0 else (nested_tuple(n - 1),)


def tuple_depth(t):
    return 0 if t == () else 1 + tuple_depth(t[0])


print(depth_sum(500))
print(depth_sum(600))
lst = build_list(550)
print(len(lst), lst[:5], lst[-5:], sum(lst))
chain = make_chain(520)
print(chain.length(), chain.total())
print(tuple_depth(nested_tuple(480)))
for d in (10, 100, 250, 500):
    print(d, depth_sum(d))
