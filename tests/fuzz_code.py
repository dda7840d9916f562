"""Fuzz coir with hostile code objects: real code objects, mutated with ``code.replace``.

    .venv/bin/python tests/fuzz_code.py --count N --seed S [--gcc-every K] [--jobs J]

Every mutant is *compiled*, never executed: ``_native.check_lowering`` (decode, lower,
verify; no GCC) for each one and ``coir.compile`` (through GCC) for one in ``--gcc-every``.
Each must be compiled or refused with a reason; the run fails on

* a crash of the process (mutants run in child processes, so the parent survives, saves the
  offending code object as a reproducer script under ``--crash-dir`` and carries on);
* a panic (``pyo3_runtime.PanicException``) or any exception other than a refusal;
* a refusal whose reason starts with ``internal error`` (verifier failure, caught panic);
* a refusal about an instruction whose message does not name its byte offset;
* ``coir.compile`` disagreeing with ``check_lowering``.

Mutant ``i`` of seed ``S`` is a pure function of ``(S, i)`` and the corpus, so any mutant can
be regenerated with ``--replay S:i``.

CPython's own ``co_code`` getter (``deopt_code`` in ``Objects/codeobject.c``) writes past its
buffer when the last instruction's inline caches run past the end of the code, and
dereferences NULL for ``ENTER_EXECUTOR``/``INSTRUMENTED_LINE``/``INSTRUMENTED_INSTRUCTION``
in a code object that was never instrumented. coir reads the stored instruction bytes itself
and never calls that getter, so such mutants are fed to coir like any other (``--getter-filter``
keeps them out, counted as ``skipped: CPython co_code getter``).
"""
from __future__ import annotations

import argparse
import collections
import json
import marshal
import os
import random
import struct
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

import dis
import opcode

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"

# Stdlib modules in the default corpus: varied control flow, exceptions, comprehensions,
# closures, match statements, f-strings, with statements.
STDLIB_DEFAULT = [
    "argparse", "ast", "asyncio/tasks", "base64", "bisect", "calendar", "collections/__init__",
    "configparser", "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
    "dis", "email/message", "enum", "fnmatch", "fractions", "functools", "gettext", "glob",
    "heapq", "inspect", "ipaddress", "json/decoder", "json/encoder", "logging/__init__",
    "pathlib/_local", "pickle", "pprint", "random", "re/_compiler", "re/_parser", "shlex",
    "shutil", "statistics", "string/__init__", "tarfile", "textwrap", "tokenize", "traceback",
    "typing", "urllib/parse", "uuid", "zipfile/__init__", "tomllib/_parser", "string/templatelib",
]

OPMAP = {k: v for k, v in dis._all_opmap.items() if v < 256}  # real opcodes, no pseudo-ops
OPNAME = {v: k for k, v in OPMAP.items()}
EXTENDED_ARG = opcode.EXTENDED_ARG
CACHES = {OPMAP[n]: k for n, k in dis._inline_cache_entries.items()}  # base opcode -> cache units
DEOPT = {OPMAP[s]: OPMAP[b] for b, specs in dis._specializations.items() for s in specs}
MIN_INSTRUMENTED = opcode.MIN_INSTRUMENTED_OPCODE
GETTER_CRASHERS = {OPMAP["ENTER_EXECUTOR"], OPMAP["INSTRUMENTED_LINE"], OPMAP["INSTRUMENTED_INSTRUCTION"]}
SPECIALISED = sorted(DEOPT)
INSTRUMENTED = sorted(v for k, v in OPMAP.items() if k.startswith("INSTRUMENTED_") and v not in GETTER_CRASHERS)
BASE = sorted(v for v in dis.opmap.values() if v < 256)

# Boundary opargs: table sizes of 3.14 (common constants 5, intrinsics 12/6, NB_* 27,
# special methods 4), bit-field edges of the packed forms, byte and EXTENDED_ARG edges.
BOUNDARY = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 15, 16, 17, 26, 27, 28, 31, 32, 63, 64, 127, 128,
            191, 192, 255, 256, 257, 0xFFF, 0x1000, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000, 0xFFFFFFFF]


def base_of(op: int) -> int:
    """CPython's view of an opcode's base form (``_Py_GetBaseCodeUnit``)."""
    if op in DEOPT:
        return DEOPT[op]
    if op >= MIN_INSTRUMENTED:
        name = OPNAME.get(op, "")
        if name.startswith("INSTRUMENTED_"):
            return OPMAP.get(name[len("INSTRUMENTED_"):], op)
    return op


def getter_unsafe(code: bytes) -> bool:
    """Whether CPython's ``co_code`` getter misbehaves on this code (see the module doc)."""
    n = len(code) // 2
    i = 0
    while i < n:
        op = code[2 * i]
        if op in GETTER_CRASHERS:
            return True
        caches = CACHES.get(base_of(op), 0)
        if i + caches >= n and caches:
            return True
        i += 1 + caches
    return False


# ----------------------------------------------------------------------------- corpus

def _walk(code):
    todo = [code]
    while todo:
        c = todo.pop()
        yield c
        todo.extend(k for k in c.co_consts if hasattr(k, "co_code"))


def build_corpus(stdlib: list[str]) -> list:
    """Code objects (every nesting level) of tests/programs and the given stdlib modules."""
    paths = sorted(PROGRAMS.glob("*.py"))
    root = Path(sysconfig.get_paths()["stdlib"])
    for m in stdlib:
        p = root / (m + ".py")
        if p.exists():
            paths.append(p)
    out = []
    for p in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                top = compile(p.read_bytes(), str(p), "exec")
        except (SyntaxError, ValueError):
            continue
        out.extend(_walk(top))
    return out


FIELDS = ["co_argcount", "co_posonlyargcount", "co_kwonlyargcount", "co_stacksize", "co_flags",
          "co_code", "co_consts", "co_names", "co_varnames", "co_freevars", "co_cellvars",
          "co_linetable", "co_exceptiontable"]


def fields_of(code) -> dict:
    # Corpus code objects come straight from compile(): no specialised opcodes, so the
    # co_code getter is safe on them.
    return {f: getattr(code, f) for f in FIELDS}


# ----------------------------------------------------------------------------- mutation

def _units(code: bytes):
    """Instruction starts (code-unit index, opcode, oparg, length in units incl. caches)."""
    out = []
    n = len(code) // 2
    i = 0
    while i < n:
        op = code[2 * i]
        ln = 1 + CACHES.get(base_of(op), 0)
        out.append((i, op, code[2 * i + 1], min(ln, n - i)))
        i += ln
    return out


def _ext_chain(op: int, arg: int) -> bytes:
    """``op arg`` with the EXTENDED_ARG prefixes it needs (up to four bytes of oparg)."""
    parts = []
    for shift in (24, 16, 8):
        if arg >> shift:
            parts.append(bytes([EXTENDED_ARG, (arg >> shift) & 0xFF]))
    return b"".join(parts) + bytes([op, arg & 0xFF])


def _varint_entry(vals: list[int]) -> bytes:
    """An exception-table entry (big-endian 6-bit varints, first byte marked with bit 7)."""
    out = bytearray()
    for k, v in enumerate(vals):
        chunks = []
        v = max(v, 0)
        while True:
            chunks.append(v & 63)
            v >>= 6
            if not v:
                break
        chunks.reverse()
        for j, c in enumerate(chunks):
            b = c | (64 if j + 1 < len(chunks) else 0)
            if k == 0 and j == 0:
                b |= 128
            out.append(b)
    return bytes(out)


def _pick_opcode(r: random.Random, specialised: bool) -> int:
    x = r.random()
    if specialised and x < 0.2:
        return r.choice(SPECIALISED)
    if specialised and x < 0.3:
        return r.choice(INSTRUMENTED)
    if x < 0.35:
        return r.randrange(256)
    return r.choice(BASE)


def _pick_arg(r: random.Random, f: dict) -> int:
    x = r.random()
    if x < 0.5:
        return r.choice(BOUNDARY)
    sizes = [len(f["co_consts"]), len(f["co_names"]),
             len(f["co_varnames"]) + len(f["co_cellvars"]) + len(f["co_freevars"]), f["co_stacksize"]]
    s = r.choice(sizes)
    v = s + r.choice([-1, 0, 1])
    if r.random() < 0.3:  # packed two-index forms: one half at the edge
        v = (v & 15) << 4 | r.randrange(16) if r.random() < 0.5 else r.randrange(16) << 4 | (v & 15)
    return max(v, 0)


def mutate(f: dict, r: random.Random, specialised: bool, donors: list[dict]) -> tuple[dict, list[str]]:
    f = dict(f)
    code = bytearray(f["co_code"])
    done = []
    for _ in range(r.choice([1, 1, 1, 2, 2, 3, 4])):
        if len(code) % 2:
            code.append(0)
        units = _units(bytes(code)) or [(0, 0, 0, 1)]
        u = r.choice(units)
        at = 2 * u[0]
        kind = r.randrange(27)
        if kind == 0 and code:
            k = r.randrange(len(code))
            code[k] ^= 1 << r.randrange(8)
            done.append(f"flip byte {k}")
        elif kind in (1, 2, 3) and code:  # oparg to a boundary value
            arg = _pick_arg(r, f)
            code[at:at + 2] = _ext_chain(code[at], arg)
            done.append(f"oparg {arg} at {at}")
        elif kind in (4, 5) and code:  # another opcode, same oparg
            op = _pick_opcode(r, specialised)
            code[at] = op
            done.append(f"opcode {OPNAME.get(op, op)} at {at}")
        elif kind == 6:  # insert an instruction with zeroed caches
            op = _pick_opcode(r, specialised)
            arg = _pick_arg(r, f)
            ins = _ext_chain(op, arg) + bytes(2 * CACHES.get(base_of(op), 0))
            code[at:at] = ins
            done.append(f"insert {OPNAME.get(op, op)} {arg} at {at}")
        elif kind == 7 and len(units) > 1:  # delete an instruction with its caches
            del code[at:at + 2 * u[3]]
            done.append(f"delete at {at}")
        elif kind == 8 and len(units) > 1:  # swap two instructions
            v = r.choice(units)
            a, b = sorted([u, v])
            if a != b:
                A = bytes(code[2 * a[0]:2 * (a[0] + a[3])])
                B = bytes(code[2 * b[0]:2 * (b[0] + b[3])])
                code[2 * b[0]:2 * (b[0] + b[3])] = A
                code[2 * a[0]:2 * (a[0] + a[3])] = B
                done.append(f"swap {2 * a[0]} {2 * b[0]}")
        elif kind == 9 and code:  # truncate (odd lengths are refused by code.replace itself)
            k = r.randrange(len(code) // 2 + 1) * 2
            del code[k:]
            done.append(f"truncate code at {k}")
        elif kind == 10 and code:  # EXTENDED_ARG chain (possibly too long)
            n = r.choice([1, 2, 3, 4, 5])
            code[at:at] = bytes([EXTENDED_ARG, r.choice(BOUNDARY) & 0xFF]) * n
            done.append(f"{n} EXTENDED_ARG at {at}")
        elif kind == 11 and code:  # jump/any oparg nudged
            code[at + 1] = (code[at + 1] + r.choice([-2, -1, 1, 2, 128])) & 0xFF
            done.append(f"nudge oparg at {at}")
        elif kind == 12:
            t = bytearray(f["co_exceptiontable"])
            if t and r.random() < 0.5:
                k = r.randrange(len(t))
                if r.random() < 0.5:
                    del t[k:]
                    done.append(f"truncate exceptiontable at {k}")
                else:
                    t[k] ^= 1 << r.randrange(8)
                    done.append(f"flip exceptiontable byte {k}")
            else:
                n = len(code) // 2
                vals = [r.choice([0, r.randrange(n + 1), n]), r.choice([0, 1, r.randrange(n + 2)]),
                        r.choice([0, r.randrange(n + 1), n, n + 1]),
                        r.choice([0, 1, 2, 3, f["co_stacksize"] * 2, f["co_stacksize"] * 2 + 1, 1 << 20])]
                e = _varint_entry(vals)
                t = t + e if r.random() < 0.5 else e + t
                done.append(f"exception entry {vals}")
            f["co_exceptiontable"] = bytes(t)
        elif kind == 13:
            t = bytearray(f["co_linetable"])
            if t:
                k = r.randrange(len(t))
                if r.random() < 0.4:
                    del t[k:]
                elif r.random() < 0.5:
                    t[k] = r.randrange(256)
                else:
                    t[k:k] = bytes(r.randrange(256) for _ in range(r.randrange(1, 6)))
            f["co_linetable"] = bytes(t)
            done.append("linetable")
        elif kind == 14:
            s = f["co_stacksize"]
            f["co_stacksize"] = r.choice([0, 1, max(s - 1, 0), s + 1, s * 2, 1 << 16, (1 << 31) - 1])
            done.append(f"stacksize {f['co_stacksize']}")
        elif kind == 15:
            f["co_flags"] ^= 1 << r.choice([0, 1, 2, 3, 4, 5, 7, 8, 9, 26, 27])
            done.append(f"flags {f['co_flags']:#x}")
        elif kind == 16:
            k = r.choice(["co_argcount", "co_posonlyargcount", "co_kwonlyargcount"])
            f[k] = max(0, f[k] + r.choice([-1, 1, 5]))
            done.append(f"{k} {f[k]}")
        elif kind == 17:
            k = r.choice(["co_consts", "co_names"])
            t = f[k]
            f[k] = r.choice([t[:-1], t[:len(t) // 2], (), t + (("x" if k == "co_names" else None),)])
            done.append(f"{k} len {len(f[k])}")
        elif kind == 18:
            k = r.choice(["co_varnames", "co_cellvars", "co_freevars"])
            t = f[k]
            f[k] = r.choice([t[:-1], (), t + (f"_fz{len(t)}",)])
            done.append(f"{k} len {len(f[k])}")
        elif kind == 19 and code:  # duplicate a slice of instructions
            v = r.choice(units)
            a, b = sorted([u[0], v[0] + v[3]])
            code[2 * a:2 * a] = code[2 * a:2 * b]
            done.append(f"duplicate {2 * a}..{2 * b}")
        elif kind == 20 and code:  # a jump with a random target
            op = r.choice([OPMAP[n] for n in ("JUMP_FORWARD", "JUMP_BACKWARD", "POP_JUMP_IF_TRUE",
                                               "POP_JUMP_IF_NONE", "FOR_ITER", "JUMP_BACKWARD_NO_INTERRUPT")])
            arg = r.randrange(len(code) // 2 + 2)
            code[at:at + 2] = _ext_chain(op, arg)
            done.append(f"jump {OPNAME[op]} {arg} at {at}")
        elif kind == 21 and code:  # random bytes
            k = r.randrange(len(code))
            code[k:k + 2] = bytes([r.randrange(256), r.randrange(256)])
            done.append(f"random unit at {k}")
        elif kind == 22:
            f["co_exceptiontable"] = b""
            done.append("drop exceptiontable")
        elif kind in (23, 24) and code:
            # Splice whole instructions of another real code object: realistic opcode/oparg
            # pairs in a foreign context (stack shapes, handlers, tables that do not fit).
            d = r.choice(donors)["co_code"]
            du = _units(d)
            if du:
                x = r.randrange(len(du))
                y = min(len(du), x + r.choice([1, 1, 2, 3, 6]))
                piece = d[2 * du[x][0]:2 * (du[y - 1][0] + du[y - 1][3])]
                if r.random() < 0.5:
                    code[at:at] = piece
                else:
                    code[at:at + 2 * u[3]] = piece
                done.append(f"splice {len(piece)} bytes at {at}")
        elif kind == 25 and code and specialised:
            # Garbage in an instruction's inline caches: the specialised form's caches are type
            # feedback (versions, offsets, pointers) that lowering reads.
            if u[3] > 1:
                k = at + 2 + 2 * r.randrange(u[3] - 1)
                code[k:k + 2] = bytes([r.randrange(256), r.randrange(256)])
                forms = [sp for sp, b in DEOPT.items() if b == base_of(u[1])]
                if forms:
                    code[at] = r.choice(forms)
                done.append(f"cache garbage at {k}")
        else:  # specialised form of the same base opcode (feedback path)
            base = base_of(u[1])
            forms = [s for s, b in DEOPT.items() if b == base]
            if forms and specialised and code:
                code[at] = r.choice(forms)
                done.append(f"specialise at {at}")
    if len(code) % 2:
        code.append(0)
    f["co_code"] = bytes(code)
    return f, done


def make_mutant(corpus_fields: list[dict], seed: int, i: int, specialised: bool):
    r = random.Random(f"{seed}:{i}")
    src = r.randrange(len(corpus_fields))
    f, done = mutate(corpus_fields[src], r, specialised, corpus_fields)
    return src, f, done


# ----------------------------------------------------------------------------- checking

CODE_MESSAGE_OK_WITHOUT_OFFSET = ("exception table", "line table", "whole number of code units", "value stack deeper",
                                  "coroutine or async generator",
                                  "module or class body")


def classify(corpus, corpus_fields, seed, i, specialised, getter_filter, gcc):
    """Run mutant ``i``. Returns (outcome key, failure message or None)."""
    from coir import _native
    import coir
    src, f, done = make_mutant(corpus_fields, seed, i, specialised)
    if getter_filter and getter_unsafe(f["co_code"]):
        return "skipped: CPython co_code getter", None
    try:
        c = corpus[src].replace(**f)
    except (ValueError, TypeError, OverflowError, SystemError, MemoryError):
        return "rejected by code.replace", None
    try:
        res = _native.check_lowering(c)
    except BaseException as e:  # PanicException is a BaseException
        if isinstance(e, KeyboardInterrupt):
            raise
        return "FAIL exception", f"{type(e).__name__}: {e} ({'; '.join(done)})"
    if res is None:
        key = "lowered"
    else:
        key, msg = res
        if key.startswith("internal error"):
            return "FAIL " + key, f"{msg} ({'; '.join(done)})"
        if "byte offset" not in msg and not any(s in msg for s in CODE_MESSAGE_OK_WITHOUT_OFFSET):
            return "FAIL no offset", f"{key}: {msg} ({'; '.join(done)})"
        if key.startswith("unsupported opcode"):
            key = "unsupported opcode"
        elif key == "malformed bytecode":
            # Group by the error's kind: "... of LOAD_CONST at byte offset 4 is out of range".
            tail = msg.split(": ", 1)[-1]
            words = [w for w in tail.split() if not any(ch.isdigit() for ch in w)]
            key = "malformed: " + " ".join(words[:6])
    if gcc:
        try:
            coir.compile(c)
            if res is not None:
                return "FAIL compile/check disagree", f"check_lowering refused ({res[0]}) but compile succeeded ({'; '.join(done)})"
            key += " +gcc"
        except coir.CompileError as e:
            if res is None:
                return "FAIL compile/check disagree", f"check_lowering accepted but compile refused: {e} ({'; '.join(done)})"
            if str(e).startswith("internal error") or "panic" in str(e):
                return "FAIL compile internal", f"{e} ({'; '.join(done)})"
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt):
                raise
            return "FAIL compile exception", f"{type(e).__name__}: {e} ({'; '.join(done)})"
    return key, None


def load_corpus(path):
    with open(path, "rb") as fh:
        corpus = marshal.load(fh)
    return corpus, [fields_of(c) for c in corpus]


def worker(args):
    # A mutant that makes coir allocate without bound must fail here, not swap the machine.
    import resource
    lim = args.mem_limit_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    corpus, cf = load_corpus(args.corpus_file)
    counts = collections.Counter()
    failures = []
    fd = os.open(args.progress, os.O_RDWR)
    for i in range(args.start, args.stop):
        os.pwrite(fd, struct.pack("<q", i), 0)
        gcc = args.gcc_every > 0 and i % args.gcc_every == 0
        key, fail = classify(corpus, cf, args.seed, i, not args.no_specialised, args.getter_filter, gcc)
        counts[key] += 1
        if fail is not None:
            failures.append({"seed": args.seed, "index": i, "key": key, "message": fail[:2000]})
    os.pwrite(fd, struct.pack("<q", args.stop), 0)
    os.close(fd)
    sys.stdout.write(json.dumps({"counts": counts, "failures": failures}) + "\n")


def save_reproducer(crash_dir: Path, corpus, cf, seed, i, specialised, why) -> Path:
    src, f, done = make_mutant(cf, seed, i, specialised)
    crash_dir.mkdir(parents=True, exist_ok=True)
    p = crash_dir / f"crash_{seed}_{i}.py"
    c = corpus[src]
    p.write_text(
        f'"""Reproducer: fuzz_code.py --seed {seed}, mutant {i} ({why}).\n'
        f'Base: {c.co_qualname} in {c.co_filename}:{c.co_firstlineno}. Mutations: {"; ".join(done)}\n'
        'Compiles the code object with coir; never runs it."""\n'
        "from coir import _native\n\n"
        "def _base():\n    pass\n\n"
        f"fields = {f!r}\n"
        "code = _base.__code__.replace(co_name='fuzzed', co_qualname='fuzzed', **fields)\n"
        "print(_native.check_lowering(code))\n")
    return p


def run(args) -> int:
    t0 = time.monotonic()
    stdlib = STDLIB_DEFAULT if args.stdlib is None else [m for m in args.stdlib.split(",") if m]
    corpus = build_corpus(stdlib)
    cf = [fields_of(c) for c in corpus]
    tmp = tempfile.mkdtemp(prefix="coir-fuzz-")
    corpus_file = os.path.join(tmp, "corpus.marshal")
    with open(corpus_file, "wb") as fh:
        marshal.dump(corpus, fh)
    counts = collections.Counter()
    failures = []
    crashes = 0
    specialised = not args.no_specialised
    if args.replay:
        seed, i = (int(x) for x in args.replay.split(":"))
        print(classify(corpus, cf, seed, i, specialised, args.getter_filter, True))
        return 0
    # Split [0, count) into batches; each batch runs in a child, restarted after a crash.
    batches = [(a, min(a + args.batch, args.count)) for a in range(0, args.count, args.batch)]
    running = []
    if not args.quiet:
        print(f"corpus: {len(corpus)} code objects; {args.count} mutants, seed {args.seed}, "
              f"gcc every {args.gcc_every}, {args.jobs} job(s)", flush=True)

    def launch(a, b):
        prog = os.path.join(tmp, f"progress_{a}_{b}")
        with open(prog, "wb") as fh:
            fh.write(struct.pack("<q", a))
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--seed", str(args.seed),
               "--start", str(a), "--stop", str(b), "--corpus-file", corpus_file, "--progress", prog,
               "--gcc-every", str(args.gcc_every),
               "--mem-limit-mb", str(args.mem_limit_mb)]
        if args.no_specialised:
            cmd.append("--no-specialised")
        if args.getter_filter:
            cmd.append("--getter-filter")
        env = dict(os.environ, COIR_BACKGROUND="0")
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        running.append((p, a, b, prog))

    done_mutants = 0
    while batches or running:
        while batches and len(running) < args.jobs:
            launch(*batches.pop(0))
        p, a, b, prog = running.pop(0)
        out, err = p.communicate()
        with open(prog, "rb") as fh:
            at = struct.unpack("<q", fh.read(8))[0]
        line = out.strip().splitlines()[-1] if out.strip() else ""
        if p.returncode == 0 and line.startswith("{"):
            res = json.loads(line)
            counts.update(res["counts"])
            failures.extend(res["failures"])
            done_mutants += b - a
        else:
            # The child died at mutant `at`: save it, count it, go on after it.
            crashes += 1
            why = f"exit status {p.returncode}"
            try:
                path = save_reproducer(Path(args.crash_dir), corpus, cf, args.seed, at, specialised, why)
            except Exception as e:  # a bug of the fuzzer itself: report it with the failure
                path = f"(not saved: {type(e).__name__}: {e})"
            failures.append({"seed": args.seed, "index": at, "key": "FAIL crash",
                             "message": f"{why}; reproducer {path}; stderr tail: {err[-1500:]}"})
            counts["FAIL crash"] += 1
            done_mutants += at + 1 - a
            if at + 1 < b:
                batches.insert(0, (at + 1, b))
        if not args.quiet:
            el = time.monotonic() - t0
            print(f"  {done_mutants}/{args.count} mutants, {el:.0f} s, {done_mutants / max(el, 1e-9):.0f}/s, "
                  f"{len(failures)} failure(s)", flush=True)
    elapsed = time.monotonic() - t0
    summary = {"mutants": done_mutants, "seconds": round(elapsed, 1),
               "rate_per_s": round(done_mutants / max(elapsed, 1e-9)), "crashes": crashes,
               "failures": len(failures), "counts": dict(sorted(counts.items(), key=lambda kv: -kv[1]))}
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "failures": failures}, indent=1))
    if not args.quiet:
        for k, v in summary["counts"].items():
            print(f"  {v:8d}  {k}")
        for fl in failures[:30]:
            print(f"FAILURE seed {fl['seed']} mutant {fl['index']}: {fl['key']}: {fl['message'][:600]}")
        print(json.dumps({k: v for k, v in summary.items() if k != "counts"}))
    run.summary = summary
    run.failures = failures
    return 1 if failures else 0


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gcc-every", type=int, default=50, help="also compile through GCC one mutant in K (0: never)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=5000, help="mutants per child process")
    ap.add_argument("--stdlib", default=None, help="comma-separated stdlib modules (default: a fixed list)")
    ap.add_argument("--crash-dir", default="fuzz-crashes")
    ap.add_argument("--json", default=None, help="write the summary and failures here")
    ap.add_argument("--replay", default=None, help="SEED:INDEX: rerun one mutant in this process")
    ap.add_argument("--no-specialised", action="store_true", help="no specialised/instrumented opcodes")
    ap.add_argument("--getter-filter", action="store_true",
                    help="keep from coir the mutants that crash CPython's own co_code getter (coir "
                         "reads the stored instruction bytes itself and never calls that getter)")
    ap.add_argument("--mem-limit-mb", type=int, default=3072, help="address-space limit of a child")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--stop", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--corpus-file", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--progress", default=None, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    if args.worker:
        worker(args)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
