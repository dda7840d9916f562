# string methods, slicing and formatting inside hot loops


def normalize(s):
    return s.strip().lower().replace("-", "_")


def checksum(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1000000007
    return h


def fmt(i):
    return f"{i:05d}-{i % 7}-{'x' * (i % 3)}"


def reverse_words(s):
    return " ".join(w[::-1] for w in s.split(" "))


def run(n):
    total = 0
    seen = {}
    for i in range(n):
        s = fmt(i)
        n2 = normalize("  " + s.upper() + "  ")
        total = (total + checksum(n2)) % 1000000007
        key = n2[-2:]
        seen[key] = seen.get(key, 0) + 1
    return total, sorted(seen.items())


print(run(8000))
print(reverse_words("hello brave new world"), normalize("  Mixed-Case-Name "), fmt(42))
acc = []
for i in range(300):
    acc.append(str(i)[::-1].zfill(4)[1:3])
print("".join(acc)[:120], len("".join(acc)))
