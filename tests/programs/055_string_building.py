# building strings: concatenation in loops, join, io.StringIO, repeated formatting
import io


def concat(n):
    s = ""
    for i in range(n):
        s += str(i % 10)
    return s


def joined(n):
    parts = []
    for i in range(n):
        parts.append(f"<{i}>")
    return "".join(parts)


def ascii_art(w, h):
    rows = []
    for y in range(h):
        row = ""
        for x in range(w):
            row += "#" if (x * y) % 3 == 0 else ("+" if (x + y) % 2 else " ")
        rows.append(row.rstrip())
    return "\n".join(rows)


def run_length(s):
    if not s:
        return ""
    out = io.StringIO()
    prev, count = s[0], 1
    for ch in s[1:]:
        if ch == prev:
            count += 1
        else:
            out.write(f"{count}{prev}")
            prev, count = ch, 1
    out.write(f"{count}{prev}")
    return out.getvalue()


def look_and_say(seed, steps):
    seq = [seed]
    for _ in range(steps):
        seq.append(run_length(seq[-1]))
    return seq


s = concat(5000)
print(len(s), s[:30], s[-12:], s.count("7"))
j = joined(300)
print(len(j), j[:40], j[-20:])
print(ascii_art(30, 12))
print(run_length("aaabccddddde"), run_length(""), run_length("z"))
for line in look_and_say("1", 12):
    print(line)
table = io.StringIO()
for i in range(1, 10):
    print(*(f"{i * k:3d}" for k in range(1, 10)), file=table)
print(table.getvalue(), end="")
words = ["alpha", "beta", "gamma", "delta"]
sentence = ""
for i, w in enumerate(words * 5):
    sentence = sentence + (", " if i else "") + w.capitalize()
print(sentence)
print(len(" ".join(str(i) for i in range(10000))))
