# n-queens via backtracking (all solutions for n=6, counts for n=1..7)


def solve(n):
    solutions = []
    cols = [0] * n
    used_cols = [False] * n
    diag1 = [False] * (2 * n)
    diag2 = [False] * (2 * n)

    def place(row):
        if row == n:
            solutions.append(cols[:])
            return
        for c in range(n):
            if used_cols[c] or diag1[row + c] or diag2[row - c + n]:
                continue
            cols[row] = c
            used_cols[c] = diag1[row + c] = diag2[row - c + n] = True
            place(row + 1)
            used_cols[c] = diag1[row + c] = diag2[row - c + n] = False

    place(0)
    return solutions


def render(sol):
    n = len(sol)
    return "\n".join("".join("Q" if sol[r] == c else "." for c in range(n)) for r in range(n))


sols = solve(6)
print(len(sols), "solutions for 6 queens")
for s in sols:
    print(s)
    print(render(s))
    print()
print([len(solve(n)) for n in range(1, 8)])
