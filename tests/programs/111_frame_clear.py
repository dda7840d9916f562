"""Frames of native functions are cleared and popped inline when no frame object was made for
them: locals whose __del__ looks at the stack (the dying frame is already unlinked) and calls
deeper (its frames go above the dying one on the data stack), frame objects kept after return
(the interpreter's own clearing hands them the locals), recursion deep enough to cross
data-stack chunks, and tracebacks through many native frames."""
import sys
sys.setrecursionlimit(20000)
log = []
class D:
    def __init__(self, n): self.n = n
    def __del__(self):
        f = sys._getframe(0)
        log.append((self.n, f.f_code.co_name, f.f_back.f_code.co_name if f.f_back else None))
        if self.n % 7 == 0:
            deep(30)  # pushes frames while the dying frame is still on the data stack

def deep(n):
    x = [n] * 3
    return n if n == 0 else deep(n - 1) + x[0]

def holder(n):
    d = D(n)
    e = D(n + 1000)
    return n * 2

def keep(n):
    return sys._getframe(0)

def rec(n, acc):
    if n == 0:
        return acc
    t = D(n) if n % 500 == 0 else None
    return rec(n - 1, acc + n)

total = 0
for i in range(3000):
    total += holder(i)
fr = [keep(i) for i in range(100)]
print(total, len(log), log[:5], log[-3:], fr[5].f_locals, fr[7].f_lineno)
print(rec(8000, 0), deep(5000), len(log))
def boom(n):
    d = D(n)
    if n == 0:
        raise ValueError("bottom")
    return boom(n - 1)
try:
    boom(300)
except ValueError as e:
    tb = e.__traceback__
    k = 0
    while tb:
        k += 1
        tb = tb.tb_next
    print("tb", k, len(log))
