"""Strings: string and list manipulation in pure Python: a JSON-like serializer (escaping,
f-strings, str.join over lists), a character-level tokenizer and a recursive-descent parser that
reads the text back, plus a word-wrapping and case-folding pass. Stresses str methods, slicing,
list appends and small function calls.

Usage: strings.py [ROUNDS]   (default 500 rounds)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import random
import sys
import time

DEFAULT_SIZE = 500
ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}
UNESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
         "kappa", "lambda", "mu", "tab\there", "quote\"d", "back\\slash", "new\nline"]


def make_value(rng, depth):
    r = rng.random()
    if depth > 3 or r < 0.3:
        k = rng.randrange(4)
        if k == 0:
            return rng.randint(-10000, 10000)
        if k == 1:
            return WORDS[rng.randrange(len(WORDS))] + str(rng.randrange(100))
        if k == 2:
            return rng.random() < 0.5
        return None
    if r < 0.65:
        out = []
        for _ in range(rng.randint(0, 6)):
            out.append(make_value(rng, depth + 1))
        return out
    out = {}
    for i in range(rng.randint(0, 6)):
        out[f"{WORDS[rng.randrange(len(WORDS))]}_{i}"] = make_value(rng, depth + 1)
    return out


def escape(s):
    parts = []
    for ch in s:
        e = ESCAPES.get(ch)
        parts.append(ch if e is None else e)
    return '"' + "".join(parts) + '"'


def serialize(v, out):
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, str):
        out.append(escape(v))
    elif isinstance(v, list):
        out.append("[")
        first = True
        for item in v:
            if not first:
                out.append(", ")
            first = False
            serialize(item, out)
        out.append("]")
    else:
        out.append("{")
        first = True
        for k, item in v.items():
            if not first:
                out.append(", ")
            first = False
            out.append(f"{escape(k)}: ")
            serialize(item, out)
        out.append("}")


def tokenize(text):
    tokens = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \n\t,:":
            if ch == ":" or ch == ",":
                tokens.append(("punct", ch))
            i += 1
        elif ch in "[]{}":
            tokens.append(("punct", ch))
            i += 1
        elif ch == '"':
            buf = []
            i += 1
            while text[i] != '"':
                c = text[i]
                if c == "\\":
                    buf.append(UNESCAPES[text[i + 1]])
                    i += 2
                else:
                    buf.append(c)
                    i += 1
            tokens.append(("str", "".join(buf)))
            i += 1
        elif ch == "-" or ch.isdigit():
            j = i + 1
            while j < n and text[j].isdigit():
                j += 1
            tokens.append(("int", int(text[i:j])))
            i = j
        elif text.startswith("true", i):
            tokens.append(("const", True))
            i += 4
        elif text.startswith("false", i):
            tokens.append(("const", False))
            i += 5
        elif text.startswith("null", i):
            tokens.append(("const", None))
            i += 4
        else:
            raise ValueError(f"unexpected {ch!r} at {i}")
    return tokens


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def next(self):
        t = self.tokens[self.pos]
        self.pos += 1
        return t

    def peek(self):
        return self.tokens[self.pos]

    def value(self):
        kind, v = self.next()
        if kind != "punct":
            return v
        if v == "[":
            out = []
            if self.peek() == ("punct", "]"):
                self.pos += 1
                return out
            while True:
                out.append(self.value())
                kind, v = self.next()
                if v == "]":
                    return out
                if v != ",":
                    raise ValueError(f"expected , got {v!r}")
        if v == "{":
            out = {}
            if self.peek() == ("punct", "}"):
                self.pos += 1
                return out
            while True:
                _, key = self.next()
                if self.next() != ("punct", ":"):
                    raise ValueError("expected :")
                out[key] = self.value()
                kind, v = self.next()
                if v == "}":
                    return out
                if v != ",":
                    raise ValueError(f"expected , got {v!r}")
        raise ValueError(f"unexpected {v!r}")


def wrap(text, width):
    lines = []
    line = []
    length = 0
    for word in text.split():
        if length + len(word) + len(line) > width and line:
            lines.append(" ".join(line))
            line = []
            length = 0
        line.append(word)
        length += len(word)
    if line:
        lines.append(" ".join(line))
    return lines


def fold(lines):
    out = []
    for i, ln in enumerate(lines):
        if i % 3 == 0:
            ln = ln.upper()
        elif i % 3 == 1:
            ln = ln.title()
        else:
            ln = ln.replace("a", "4").replace("e", "3")
        out.append(f"{i:04d}|{ln.strip():<40}|")
    return out


def digest(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) & 0xFFFFFFFF
    return h


def run(rounds):
    rng = random.Random(99)
    acc = 0
    total_len = 0
    for _ in range(rounds):
        doc = []
        for _ in range(12):
            doc.append(make_value(rng, 0))
        out = []
        serialize(doc, out)
        text = "".join(out)
        back = Parser(tokenize(text)).value()
        if back != doc:
            raise AssertionError("round trip failed")
        lines = fold(wrap(text.replace('"', " "), 48))
        joined = "\n".join(lines)
        total_len += len(text) + len(joined)
        acc = (acc * 1000003 + digest(text) + digest(joined)) & 0xFFFFFFFFFFFF
    return acc, total_len


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    acc, total_len = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    print(f"checksum strings rounds={size} acc={acc} chars={total_len}")


if __name__ == "__main__":
    main(sys.argv)
