# unicode strings: non-ASCII text, code points, encoding, normalization, width
import unicodedata

words = ["naïve", "café", "Straße", "日本語", "Ελληνικά", "emoji 🎉🐍", "Ωmega", "mañana"]
for w in words:
    enc = w.encode("utf-8")
    print(w, len(w), len(enc), enc[:8], w.upper(), w[::-1], [hex(ord(c)) for c in w[:3]])
print(sorted(words))
print(sorted(words, key=str.casefold))
s = "é"
decomposed = unicodedata.normalize("NFD", s)
print(len(s), len(decomposed), decomposed == s, unicodedata.normalize("NFC", decomposed) == s)
print(unicodedata.name("🐍"), unicodedata.category("A"), unicodedata.category("日"), unicodedata.numeric("½"))
print("\u00e9", "\N{GREEK SMALL LETTER ALPHA}", "\U0001F600", "\x41\x42", r"\n raw")
print("日本語".encode("utf-16-le"), "abc".encode("ascii"), "ü".encode("latin-1"), b"\xc3\xa9".decode())
try:
    "ü".encode("ascii")
except UnicodeEncodeError as e:
    print("UnicodeEncodeError:", e.reason, e.start, e.end)
print("ü".encode("ascii", errors="replace"), "ü".encode("ascii", "xmlcharrefreplace"), b"\xff".decode("utf-8", "replace"))
print(repr("tab\there"), ascii("café 🎉"), repr("日本"), str(b"bytes"))
print("ǆ".title(), "ﬁ".upper(), "İ".lower(), len("İ".lower()), "ΣΑΣ".lower())
print("١٢٣".isdigit(), int("١٢٣"), "Ⅻ".isnumeric(), "²".isdigit(), "²".isdecimal())
print(max("hello wörld"), min("Zebra"), "ä" > "z", [c for c in "añb" if ord(c) > 127])
counts = {}
for ch in "ünïcödé strîng wïth äccents" * 10:
    if ord(ch) > 127:
        counts[ch] = counts.get(ch, 0) + 1
print(sorted(counts.items()))
print("|".join(f"{w:^10}" for w in ["ab", "日本", "é"]))
