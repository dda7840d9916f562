# list operations: append/extend/insert/pop/remove, slicing incl. assignment and deletion


def build(n):
    lst = []
    for i in range(n):
        lst.append(i * 3 % 7)
    return lst


lst = build(15)
print(lst, len(lst))
lst.extend([100, 200])
lst.insert(0, -1)
lst.insert(100, 999)
lst.insert(-1, 555)
print(lst)
print(lst.pop(), lst.pop(0), lst.pop(3), lst)
lst.remove(100)
print(lst, lst.index(6), lst.count(0))
try:
    lst.remove(12345)
except ValueError as e:
    print("ValueError:", e)
print(lst[2:8], lst[-3:], lst[::3], lst[8:2:-2], lst[::-1][:4])
lst[2:5] = ["a", "b"]
print(lst)
lst[1:1] = [7, 7, 7]
print(lst)
lst[::2] = [0] * len(lst[::2])
print(lst)
del lst[0]
del lst[-2:]
del lst[::3]
print(lst)
nums = [5, 2, 9, 1, 5, 6]
nums.sort()
print(nums, sorted(nums, reverse=True), nums[::-1])
nums.reverse()
print(nums, nums.copy() is nums, nums.copy() == nums)
matrix = [[0] * 3 for _ in range(3)]
matrix[1][1] = 5
alias = [[0] * 3] * 3
alias[1][1] = 5
print(matrix, alias)
print([1, 2] + [3], [0] * 4, [1, [2, 3]] == [1, [2, 3]], [1, 2] < [1, 2, 0], list("abc"))
print(min([4, 2, 8]), max([4, 2, 8]), sum([4, 2, 8]), any([]), all([]))
stack = []
for i in range(10):
    stack.append(i)
    if i % 3 == 2:
        print("popped", stack.pop())
print(stack)
lst2 = list(range(10))
lst2 *= 2
lst2 += [42]
print(lst2, lst2.clear(), lst2)
try:
    [][0]
except IndexError as e:
    print("IndexError:", e)
big = []
for i in range(3000):
    big.append(i)
    if len(big) > 50:
        big.pop(0)
print(big[:3], len(big), sum(big))
