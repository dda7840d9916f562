# mutual recursion between several functions


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


# tiny recursive-descent expression parser: expr, term, factor call each other
def parse_expr(tokens, pos):
    value, pos = parse_term(tokens, pos)
    while pos < len(tokens) and tokens[pos] in "+-":
        op = tokens[pos]
        rhs, pos = parse_term(tokens, pos + 1)
        value = value + rhs if op == "+" else value - rhs
    return value, pos


def parse_term(tokens, pos):
    value, pos = parse_factor(tokens, pos)
    while pos < len(tokens) and tokens[pos] in "*/":
        op = tokens[pos]
        rhs, pos = parse_factor(tokens, pos + 1)
        value = value * rhs if op == "*" else value // rhs
    return value, pos


def parse_factor(tokens, pos):
    tok = tokens[pos]
    if tok == "(":
        value, pos = parse_expr(tokens, pos + 1)
        assert tokens[pos] == ")"
        return value, pos + 1
    if tok == "-":
        value, pos = parse_factor(tokens, pos + 1)
        return -value, pos
    return int(tok), pos + 1


def tokenize(s):
    out = []
    num = ""
    for ch in s:
        if ch.isdigit():
            num += ch
            continue
        if num:
            out.append(num)
            num = ""
        if ch != " ":
            out.append(ch)
    if num:
        out.append(num)
    return out


def evaluate(s):
    toks = tokenize(s)
    value, pos = parse_expr(toks, 0)
    return value


for n in range(0, 40, 3):
    print(n, is_even(n), is_odd(n))
for src in ["1+2*3", "(1+2)*3", "2*(3+4)*(5-1)", "-(7-10)*-2", "100/7/2",
            "((((1))))+((2))", "1-2-3-4", "2*2*2*2*2*2*2*2*2*2"]:
    print(src, "=", evaluate(src))
