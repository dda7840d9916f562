# traceback.extract_stack()/format_stack()/inspect.stack() line numbers (frames of this file only)
import inspect
import os
import sys
import traceback

THIS = os.path.basename(__file__)


def mine(summary):
    return [(os.path.basename(fs.filename), fs.name, fs.lineno, fs.line) for fs in summary
            if os.path.basename(fs.filename) == THIS]


def leaf():
    return mine(traceback.extract_stack())


def mid(n):
    if n > 0:
        return mid(n - 1)
    return leaf()


def top():
    r = mid(2)
    return r


def formatted():
    out = []
    for entry in traceback.format_stack():
        if THIS in entry:
            first, _, rest = entry.partition(", line ")
            out.append(("line " + rest).rstrip())
    return out


def via_inspect():
    return [(fi.function, fi.lineno, fi.code_context[0].strip() if fi.code_context else None)
            for fi in inspect.stack() if os.path.basename(fi.filename) == THIS]


def via_walk_stack():
    return [(f.f_code.co_name, lineno) for f, lineno in traceback.walk_stack(sys._getframe())
            if os.path.basename(f.f_code.co_filename) == THIS]


def from_frame_arg():
    f = inspect.currentframe()
    return mine(traceback.extract_stack(f, limit=2))


for row in top():
    print(row)
print()
for row in formatted():
    print(row)
print()
for row in via_inspect():
    print(row)
print(via_walk_stack())
print(from_frame_arg())
seen = set()
for i in range(300):
    seen.add(tuple(x[2] for x in leaf()))
print(sorted(seen))
