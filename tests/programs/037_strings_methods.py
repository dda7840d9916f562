# string slicing and methods


def rev_words(s):
    return " ".join(reversed(s.split()))


def is_palindrome(s):
    t = "".join(c.lower() for c in s if c.isalnum())
    return t == t[::-1]


def caesar(s, k):
    out = []
    for ch in s:
        if ch.isalpha():
            base = ord("a") if ch.islower() else ord("A")
            out.append(chr((ord(ch) - base + k) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)


s = "Hello, World! Python strings are immutable."
print(s[0], s[-1], s[7:12], s[:5], s[-10:], s[::2], s[::-1], s[100:], s[3:3] == "")
print(s.upper(), s.lower(), s.swapcase(), s.title(), s.capitalize(), sep="\n")
print(s.find("o"), s.rfind("o"), s.index("World"), s.count("s"), s.find("zzz"))
print(s.startswith("Hello"), s.endswith("."), s.startswith(("x", "He")), "World" in s)
print(s.replace("o", "0"), s.replace("o", "0", 1))
print(s.split(), s.split(",", 1), s.rsplit(" ", 2), "a,b,,c".split(","), "  x  y ".split())
print("line1\nline2\r\nline3".splitlines(), "a-b-c".partition("-"), "a-b-c".rpartition("-"))
print(repr("  pad  ".strip()), repr("xxhixx".strip("x")), repr("  l".lstrip()), repr("r  ".rstrip()))
print("abc".center(11, "*"), "abc".ljust(6, ".") + "|", "abc".rjust(6) + "|", "42".zfill(6), "-42".zfill(6))
print("abc123".isalnum(), "abc".isalpha(), "123".isdigit(), "   ".isspace(), "Title Case".istitle())
print(",".join(["a", "b", "c"]), "".join(map(str, range(10))), "-".join("xyz"))
print(rev_words("the quick brown fox"), is_palindrome("A man, a plan, a canal: Panama"), is_palindrome("nope"))
print(caesar("Attack at Dawn!", 3), caesar(caesar("Attack at Dawn!", 3), -3))
print("tab\tsep".expandtabs(4), "ß".upper(), "ǅ".lower(), "HELLO".casefold())
print("a" * 5, "ab" + "cd", "abc" < "abd", "Z" < "a", ord("A"), chr(9731), str(123) + "4")
print("{0}-{1}-{0}".format("x", "y"), "{name}={val:>5}".format(name="k", val=3))
print("hello world".removeprefix("hello "), "file.txt".removesuffix(".txt"))
print(str.maketrans("abc", "xyz"), "aabbcc".translate(str.maketrans("abc", "xyz", "c")))
count = 0
text = "the rain in spain stays mainly in the plain " * 20
for word in text.split():
    if "ain" in word:
        count += 1
print(count, len(text), text.count("ain"))
