# nested loops with break and continue at various levels


def find_pair(nums, target):
    found = None
    for i in range(len(nums)):
        for j in range(i + 1, len(nums)):
            if nums[i] + nums[j] == target:
                found = (i, j)
                break
        if found:
            break
    return found


def skip_odds(n):
    out = []
    for i in range(n):
        if i % 2:
            continue
        out.append(i)
    return out


def triangle(n):
    rows = []
    i = 0
    while i < n:
        i += 1
        row = []
        j = 0
        while True:
            j += 1
            if j > i:
                break
            if j == 3:
                continue
            row.append(j)
        rows.append(row)
    return rows


def primes_below(n):
    ps = []
    for cand in range(2, n):
        for p in ps:
            if p * p > cand:
                ps.append(cand)
                break
            if cand % p == 0:
                break
        else:
            ps.append(cand)
    return ps


def grid_walk(w, h):
    out = []
    for y in range(h):
        if y == 2:
            continue
        for x in range(w):
            if x == y:
                continue
            if x + y > 6:
                break
            out.append((x, y))
    return out


print(find_pair([3, 8, 1, 9, 4, 7], 11))
print(find_pair([1, 2, 3], 100))
print(skip_odds(21))
for row in triangle(6):
    print(row)
print(primes_below(120))
print(grid_walk(6, 6))
