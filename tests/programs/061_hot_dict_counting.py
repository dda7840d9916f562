# dict/list/string work in hot loops: word counting, histogramming, bigrams

TEXT = """It was the best of times it was the worst of times it was the age of wisdom
it was the age of foolishness it was the epoch of belief it was the epoch of incredulity
it was the season of Light it was the season of Darkness it was the spring of hope
it was the winter of despair we had everything before us we had nothing before us"""


def normalize(word):
    return word.lower().strip(".,;")


def count_words(text):
    counts = {}
    for line in text.splitlines():
        for w in line.split():
            w = normalize(w)
            counts[w] = counts.get(w, 0) + 1
    return counts


def bigrams(words):
    out = {}
    for a, b in zip(words, words[1:]):
        key = (a, b)
        if key in out:
            out[key] += 1
        else:
            out[key] = 1
    return out


def histogram(values, buckets):
    hist = [0] * buckets
    for v in values:
        hist[v % buckets] += 1
    return hist


def char_classes(text):
    kinds = {"upper": 0, "lower": 0, "space": 0, "other": 0}
    for ch in text:
        if ch.isupper():
            kinds["upper"] += 1
        elif ch.islower():
            kinds["lower"] += 1
        elif ch.isspace():
            kinds["space"] += 1
        else:
            kinds["other"] += 1
    return kinds


total = {}
for rep in range(60):
    for k, v in count_words(TEXT).items():
        total[k] = total.get(k, 0) + v
print(sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:12])
words = [normalize(w) for w in TEXT.split()]
bg = bigrams(words * 20)
print(sorted(bg.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
print(histogram([i * i for i in range(20000)], 17))
print(char_classes(TEXT * 30))
