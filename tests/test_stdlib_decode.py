"""Every code object of the installed 3.14 standard library decodes into a CFG, and the share
that lowers to native code (with this release's opcode coverage) is reported. Lowering and the
IR verifier run on every one: an internal error (verifier finding, inconsistent stack, panic)
fails the test."""
import collections
import os
import sys
import sysconfig
import warnings

from coir import _native


def _stdlib_files():
    root = sysconfig.get_paths()["stdlib"]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("site-packages", "dist-packages", "__pycache__")]
        for fn in filenames:
            if fn.endswith(".py"):
                yield os.path.join(dirpath, fn)


def _code_objects(code):
    todo = [code]
    while todo:  # iterative: nesting depth is input-controlled
        c = todo.pop()
        yield c
        todo.extend(k for k in c.co_consts if hasattr(k, "co_code"))


def test_every_stdlib_code_object_decodes():
    files = compiled_files = 0
    decoded = 0
    failures = []
    internal = []
    lowering = collections.Counter()
    # Functions, generators, coroutines and async generators (optimized code): module and
    # class bodies run once and stay interpreted (issue 8's target is over the rest).
    function_lowering = collections.Counter()
    functions = 0
    for path in _stdlib_files():
        files += 1
        try:
            with open(path, "rb") as f:
                src = f.read()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                top = compile(src, path, "exec")
        except (SyntaxError, ValueError, OSError):
            continue  # lib2to3-style test data with deliberate syntax errors
        compiled_files += 1
        for c in _code_objects(top):
            try:
                _native.decode(c)
                decoded += 1
            except ValueError as e:
                failures.append(f"{path}:{c.co_name}: {e}")
            r = _native.check_lowering(c)
            if c.co_flags & 1:
                functions += 1
                function_lowering["native" if r is None else r[0]] += 1
            lowering["native" if r is None else r[0]] += 1
            # A verifier finding or an inconsistent stack model is a bug in coir, never a
            # property of the code object: every one fails the test.
            if r is not None and (r[0].startswith("internal error") or r[0] == "inconsistent stack"):
                internal.append(f"{path}:{c.co_firstlineno}:{c.co_qualname}: {r[0]}: {r[1][:2000]}")
    report = [f"stdlib: {files} files, {compiled_files} compiled, {decoded} code objects decoded, "
              f"{len(failures)} failed"]
    report.append(f"lowering: {lowering['native']}/{sum(lowering.values())} code objects "
                  f"({100 * lowering['native'] / sum(lowering.values()):.1f}%) lower to native code")
    for reason, n in lowering.most_common(15):
        report.append(f"  {n:7d}  {reason}")
    share = function_lowering["native"] / functions
    report.append(f"functions, generators and coroutines: {function_lowering['native']}/{functions} "
                  f"({100 * share:.2f}%) lower to native code; the rest:")
    for reason, n in function_lowering.most_common():
        if reason != "native":
            report.append(f"  {n:7d}  {reason}")
    print("\n".join(report), file=sys.stderr)
    out_dir = os.path.join(os.path.dirname(__file__), "..", "target")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "stdlib-report.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    assert not failures, "\n".join(failures[:20])
    assert not internal, f"{len(internal)} code objects refused by an internal check:\n" + "\n\n".join(internal[:5])
    assert decoded > 50000
    # Issue 8's target is 99%; every one compiles today, so any refusal is a regression.
    assert function_lowering["native"] == functions, "\n".join(report)
