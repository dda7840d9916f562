"""Dicts: dictionary-heavy code: word and bigram counting over generated text (str and tuple
keys), an adjacency-dict graph searched breadth-first, and a memo table keyed by tuples
(edit distance between words). Stresses dict lookups, stores, `in` tests and iteration.

Usage: dicts.py [ROUNDS]   (default 30 rounds)
Prints `checksum ...` on stdout and `elapsed SECONDS` (perf_counter, main work only) on stderr.
"""
import random
import sys
import time

DEFAULT_SIZE = 30
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "ve", "zu", "an", "el"]


def make_words(rng, n):
    words = []
    for _ in range(n):
        k = rng.randint(1, 3)
        w = ""
        for _ in range(k):
            w += SYLLABLES[rng.randrange(len(SYLLABLES))]
        words.append(w)
    return words


def make_text(rng, vocab, n):
    # A skewed choice: earlier words are more frequent.
    out = []
    m = len(vocab)
    for _ in range(n):
        i = int(m * rng.random() * rng.random())
        out.append(vocab[i])
    return out


def count_words(text):
    counts = {}
    for w in text:
        if w in counts:
            counts[w] += 1
        else:
            counts[w] = 1
    return counts


def count_bigrams(text):
    counts = {}
    prev = None
    for w in text:
        if prev is not None:
            key = (prev, w)
            counts[key] = counts.get(key, 0) + 1
        prev = w
    return counts


def build_graph(bigrams, min_count):
    graph = {}
    for (a, b), c in bigrams.items():
        if c >= min_count and a != b:
            graph.setdefault(a, []).append(b)
            graph.setdefault(b, []).append(a)
    return graph


def bfs(graph, start):
    dist = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            d = dist[node] + 1
            for nb in graph.get(node, ()):
                if nb not in dist:
                    dist[nb] = d
                    nxt.append(nb)
        frontier = nxt
    return dist


def edit_distance(a, b, memo):
    key = (a, b)
    if key in memo:
        return memo[key]
    if not a:
        r = len(b)
    elif not b:
        r = len(a)
    elif a[0] == b[0]:
        r = edit_distance(a[1:], b[1:], memo)
    else:
        r = 1 + min(edit_distance(a[1:], b, memo),
                    edit_distance(a, b[1:], memo),
                    edit_distance(a[1:], b[1:], memo))
    memo[key] = r
    return r


def invert(counts):
    by_count = {}
    for w, c in counts.items():
        by_count.setdefault(c, []).append(w)
    return by_count


def one_round(rng, vocab):
    text = make_text(rng, vocab, 60000)
    words = count_words(text)
    bigrams = count_bigrams(text)
    graph = build_graph(bigrams, 2)
    top = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    dist = bfs(graph, top[0][0])
    far = 0
    for w, d in dist.items():
        if d > far:
            far = d
    memo = {}
    ed = 0
    for i in range(len(top)):
        for j in range(i + 1, len(top)):
            ed += edit_distance(top[i][0], top[j][0], memo)
    by_count = invert(words)
    singles = len(by_count.get(1, []))
    h = 0
    for (a, b), c in bigrams.items():
        if c > 3:
            h = (h * 31 + len(a) * 7 + len(b) + c) & 0xFFFFFFFF
    return len(words), len(bigrams), len(graph), len(dist), far, ed, singles, len(memo), h


def run(rounds):
    rng = random.Random(2024)
    vocab = make_words(rng, 3000)
    results = []
    for _ in range(rounds):
        results.append(one_round(rng, vocab))
    return results


def main(argv):
    size = int(argv[1]) if len(argv) > 1 else DEFAULT_SIZE
    t0 = time.perf_counter()
    results = run(size)
    elapsed = time.perf_counter() - t0
    print(f"elapsed {elapsed:.6f}", file=sys.stderr)
    acc = 0
    for r in results:
        for v in r:
            acc = (acc * 1000003 + v) & 0xFFFFFFFFFFFF
    print(f"checksum dicts rounds={size} last={results[-1]} acc={acc}")


if __name__ == "__main__":
    main(sys.argv)
