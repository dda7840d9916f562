"""coir benchmark harness.

    ./setup.sh bench [OPTIONS]       (= .venv/bin/python tests/bench/run.py [OPTIONS])

Runs each program in tests/bench/programs/ under several configurations:

    interp       plain CPython 3.14 (PYTHON_JIT=0)
    cpython-jit  CPython's own copy-and-patch JIT (PYTHON_JIT=1)
    cinderx      Meta's CinderX JIT (PyPI `cinderx`, `cinderx.jit.auto()`, via cinderx_run.py);
                 installed into this venv on first use if missing; "n/a" if it cannot load
    coir         python -m coir [--threshold N]

Within each repetition every program is run once under every configuration, round-robin (the
configuration order rotates from one repetition to the next). Each program prints
`elapsed SECONDS` (perf_counter around its main work) on stderr — the primary metric — and a
`checksum ...` line on stdout that must equal the interpreter's; whole-process wall time is the
secondary metric. A configuration that crashes, times out or prints no elapsed line is an
"error" cell, never a harness crash.

For coir, every run also writes `coir.stats()` as JSON (`python -m coir --stats-json FILE`), and
a third table reports its compile cost per program: compiles (by GCC + loaded from the on-disk
code cache), the median seconds per compiled function (decode, lower, verify, then GCC or the
cache load; time queued for the compile thread excluded) and the share of the whole-process
wall time spent compiling (compile seconds / wall; hot functions compile on a background thread,
so that share overlaps the program's own work rather than adding to it). `--coir-no-cache` runs
coir with COIR_CODE_CACHE=0, so every function is compiled by GCC.

Exit status: 0 if every run of every available configuration succeeded with the interpreter's
checksum; 1 if any checksum mismatched or any run failed; 2 on bad usage.
"""
import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(HERE, "programs")
REPO = os.path.dirname(os.path.dirname(HERE))
CINDERX_RUNNER = os.path.join(HERE, "cinderx_run.py")
# Remembers a failed `pip install cinderx` so later runs do not retry it (delete to retry).
CINDERX_FAIL_FILE = os.path.join(HERE, ".cinderx-install-failed")

ALL_CONFIGS = ["interp", "cpython-jit", "cinderx", "coir"]
ELAPSED_RE = re.compile(r"^elapsed\s+([0-9.eE+-]+)\s*$", re.M)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def python():
    return sys.executable


def list_programs():
    names = []
    for f in sorted(os.listdir(PROGRAMS_DIR)):
        if f.endswith(".py") and not f.startswith("_"):
            names.append(f[:-3])
    return names


# ------------------------------------------------------------------ configuration availability

def probe(code, env=None, timeout=120):
    """Run `python -c code`; return (ok, stdout, first useful stderr line)."""
    try:
        p = subprocess.run([python(), "-c", code], capture_output=True, text=True,
                           env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "", "timed out"
    return p.returncode == 0, p.stdout.strip(), summarize_stderr(p.stderr, prefer_last=True)


def base_env():
    env = dict(os.environ)
    env["PYTHON_JIT"] = "0"
    env["PYTHONHASHSEED"] = "0"
    env.pop("PYTHONSTARTUP", None)
    return env


def check_cpython_jit():
    env = base_env()
    env["PYTHON_JIT"] = "1"
    ok, out, err = probe("import sys; j = getattr(sys, '_jit', None); "
                         "print(bool(j and j.is_available()), bool(j and j.is_enabled()))", env)
    if not ok:
        return f"probe failed: {err}"
    avail, enabled = out.split()
    if avail != "True":
        return "this CPython build has no JIT (sys._jit.is_available() is False)"
    if enabled != "True":
        return "PYTHON_JIT=1 did not enable the JIT (sys._jit.is_enabled() is False)"
    return None


CINDERX_PROBE = (
    "import cinderx, cinderx.jit\n"
    "e = cinderx.get_import_error()\n"
    "if e is not None: raise SystemExit('_cinderx did not load: %s' % e)\n"
    "if not cinderx.jit.is_available(): raise SystemExit('cinderx.jit not available')\n"
    "from importlib.metadata import version\n"
    "print(version('cinderx'))\n"
)


def check_cinderx(allow_install):
    """Return (reason_unavailable_or_None, note). Installs cinderx into this venv if missing."""
    ok, out, err = probe(CINDERX_PROBE, base_env())
    if ok:
        return None, f"cinderx {out} loaded"
    if "No module named 'cinderx'" not in err and "No module named 'cinderx" not in err:
        return f"installed but does not load: {err}", None
    # Not installed.
    if os.path.exists(CINDERX_FAIL_FILE):
        with open(CINDERX_FAIL_FILE) as f:
            why = f.read().strip()
        return (f"not installed; an earlier `pip install cinderx` failed ({why}); "
                f"delete {os.path.relpath(CINDERX_FAIL_FILE, REPO)} to retry"), None
    if not allow_install:
        return "not installed (--no-install)", None
    log(f"cinderx is not installed; running {python()} -m pip install -q cinderx ...")
    try:
        p = subprocess.run([python(), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check", "cinderx"],
                           capture_output=True, text=True, timeout=900)
        rc, perr = p.returncode, (p.stderr or p.stdout)
    except subprocess.TimeoutExpired:
        rc, perr = -1, "pip install timed out"
    if rc != 0:
        why = summarize_stderr(perr, prefer_last=True) or f"pip exited {rc}"
        with open(CINDERX_FAIL_FILE, "w") as f:
            f.write(why + "\n")
        log(f"pip install cinderx failed: {why} (remembered in {CINDERX_FAIL_FILE})")
        return f"pip install cinderx failed: {why}", None
    ok, out, err = probe(CINDERX_PROBE, base_env())
    if not ok:
        log(f"cinderx installed, but it does not load: {err}")
        return f"installed but does not load: {err}", None
    log(f"installed cinderx {out} into {sys.prefix}; it loads")
    return None, f"cinderx {out} installed now and loaded"


def check_coir():
    ok, out, err = probe("import coir; print(coir.__file__)", base_env())
    if not ok:
        return f"cannot import coir: {err}"
    return None


# ------------------------------------------------------------------ running

def summarize_stderr(text, prefer_last=False):
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return ""
    return lines[-1] if prefer_last else lines[0]


def jit_notes_from(lines):
    """One-line summaries of what the JITs said: cinderx_run's `cinderx: compiled N functions`
    and coir's multi-line `--stats` block."""
    notes, i = [], 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("cinderx:"):
            notes.append(ln.strip())
        elif ln.strip() == "coir stats:":
            parts = []
            i += 1
            while i < len(lines) and lines[i][:1].isspace():
                parts.append(" ".join(lines[i].split()))
                i += 1
            notes.append("coir stats: " + "; ".join(parts))
            continue
        i += 1
    return notes


def command_for(config, prog_path, prog_args, args):
    env = base_env()
    py = python()
    if config == "interp":
        cmd = [py, prog_path]
    elif config == "cpython-jit":
        env["PYTHON_JIT"] = "1"
        cmd = [py, prog_path]
    elif config == "cinderx":
        cmd = [py, CINDERX_RUNNER, prog_path]
    elif config == "coir":
        cmd = [py, "-m", "coir"]
        if args.coir_threshold is not None:
            cmd += ["--threshold", str(args.coir_threshold)]
        if args.stats:
            cmd += ["--stats"]
        if args.coir_no_cache:
            env["COIR_CODE_CACHE"] = "0"
        cmd += ["--stats-json", args.stats_file, prog_path]
    else:
        raise ValueError(config)
    return cmd + list(prog_args), env


def median(xs):
    return statistics.median(xs) if xs else None


def coir_compile_cost(path):
    """Compile-cost figures from coir's stats JSON (None if it was not written)."""
    try:
        with open(path) as f:
            st = json.load(f)
    except (OSError, ValueError):
        return None
    log_ = st.get("compile_log", [])
    gcc = [t for _name, t, cached in log_ if not cached]
    loads = [t for _name, t, cached in log_ if cached]
    return {
        "compiles": len(log_),
        "gcc_compiles": len(gcc),
        "cache_loads": len(loads),
        "compile_seconds": st.get("compile_seconds", 0.0),
        "median_compile": median([t for _name, t, _cached in log_]),
        "median_gcc_compile": median(gcc),
        "median_cache_load": median(loads),
    }


def run_one(config, prog, prog_args, args):
    prog_path = os.path.join(PROGRAMS_DIR, prog + ".py")
    if config == "coir":
        try:
            os.unlink(args.stats_file)
        except FileNotFoundError:
            pass
    cmd, env = command_for(config, prog_path, prog_args, args)
    rec = {"config": config, "program": prog, "cmd": cmd, "ok": False}
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout,
                           cwd=PROGRAMS_DIR)
    except subprocess.TimeoutExpired as e:
        rec["wall"] = time.perf_counter() - t0
        rec["error"] = f"timeout after {args.timeout}s"
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        rec["stderr_tail"] = err[-2000:]
        return rec
    except OSError as e:
        rec["wall"] = time.perf_counter() - t0
        rec["error"] = f"cannot start: {e}"
        return rec
    rec["wall"] = time.perf_counter() - t0
    rec["returncode"] = p.returncode
    if config == "coir":
        cost = coir_compile_cost(args.stats_file)
        if cost is not None:
            cost["compile_share"] = cost["compile_seconds"] / rec["wall"] if rec["wall"] else None
            rec["coir_compile"] = cost
    out, err = p.stdout, p.stderr
    sums = [ln.strip() for ln in out.splitlines() if ln.startswith("checksum")]
    rec["checksum"] = sums[-1] if sums else None
    m = ELAPSED_RE.findall(err)
    rec["elapsed"] = float(m[-1]) if m else None
    # Keep the non-timing stderr lines (JIT stats, warnings) for the JSON file and notes.
    extra = [ln for ln in err.splitlines() if ln.strip() and not ELAPSED_RE.match(ln)]
    if extra:
        rec["stderr_lines"] = extra[:40]
        jit_notes = jit_notes_from(extra)
        if jit_notes:
            rec["jit_notes"] = jit_notes
    if p.returncode != 0:
        first = summarize_stderr(err)
        last = summarize_stderr(err, prefer_last=True)
        msg = f"exit {p.returncode}"
        if p.returncode < 0:
            try:
                import signal
                msg += f" ({signal.Signals(-p.returncode).name})"
            except ValueError:
                pass
        if first:
            msg += f": {first}"
            if last and last != first:
                msg += f" ... {last}"
        rec["error"] = msg
        return rec
    if rec["elapsed"] is None:
        rec["error"] = "no `elapsed` line on stderr"
        return rec
    if rec["checksum"] is None:
        rec["error"] = "no `checksum` line on stdout"
        return rec
    rec["ok"] = True
    return rec


# ------------------------------------------------------------------ report

def fmt_time(t):
    return f"{t:.3f}s" if t < 100 else f"{t:.0f}s"


def summarize(results, programs, configs, unavailable):
    """Per (program, config): status, medians, speed-ups, mismatch flag."""
    cells = {}
    for prog in programs:
        ref_sums = {r["checksum"] for r in results
                    if r["program"] == prog and r["config"] == "interp" and r["ok"]}
        ref = next(iter(ref_sums)) if len(ref_sums) == 1 else None
        for cfg in configs:
            cell = {"status": "ok"}
            if cfg in unavailable:
                cell["status"] = "n/a"
                cells[(prog, cfg)] = cell
                continue
            runs = [r for r in results if r["program"] == prog and r["config"] == cfg]
            errs = [r for r in runs if not r["ok"]]
            if not runs:
                cell["status"] = "not run"
            elif errs:
                cell["status"] = "error"
                cell["error"] = errs[0]["error"]
                cell["errors"] = len(errs)
                cell["runs"] = len(runs)
            else:
                sums = {r["checksum"] for r in runs}
                if cfg == "interp" and len(sums) != 1:
                    cell["status"] = "mismatch"
                    cell["mismatch"] = f"interp checksums differ between runs: {sorted(sums)}"
                elif cfg != "interp" and ref is not None and sums != {ref}:
                    cell["status"] = "mismatch"
                    bad = sorted(s for s in sums if s != ref)
                    cell["mismatch"] = f"got {bad[0]!r}, interp printed {ref!r}"
                cell["elapsed"] = statistics.median(r["elapsed"] for r in runs)
                cell["wall"] = statistics.median(r["wall"] for r in runs)
                cell["elapsed_all"] = [r["elapsed"] for r in runs]
                cell["wall_all"] = [r["wall"] for r in runs]
                costs = [r["coir_compile"] for r in runs if "coir_compile" in r]
                if costs:
                    cell["compile"] = {k: median([c[k] for c in costs if c[k] is not None])
                                       for k in costs[0]}
                notes = runs[0].get("jit_notes")   # from the first run only: they vary
                if notes:
                    cell["notes"] = notes
            cells[(prog, cfg)] = cell
        for cfg in configs:
            cell, base = cells[(prog, cfg)], cells[(prog, "interp")]
            if "elapsed" in cell and "elapsed" in base:
                cell["speedup"] = base["elapsed"] / cell["elapsed"] if cell["elapsed"] else None
                cell["wall_speedup"] = base["wall"] / cell["wall"] if cell["wall"] else None
    return cells


def geomean(xs):
    xs = [x for x in xs if x]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def render_table(cells, programs, configs, key, title):
    skey = "speedup" if key == "elapsed" else "wall_speedup"
    header = ["benchmark"] + configs
    rows = []
    for prog in programs:
        row = [prog]
        for cfg in configs:
            c = cells[(prog, cfg)]
            st = c["status"]
            if st in ("n/a", "not run"):
                row.append(st)
            elif st == "error":
                row.append("error")
            else:
                txt = fmt_time(c[key])
                if cfg != "interp" and c.get(skey):
                    txt += f" {c[skey]:.2f}x"
                if st == "mismatch":
                    txt = "!! MISMATCH " + txt
                row.append(txt)
        rows.append(row)
    gm = ["geomean"]
    for cfg in configs:
        if cfg == "interp":
            gm.append("1.00x")
            continue
        sp = [cells[(p, cfg)].get(skey) for p in programs
              if cells[(p, cfg)]["status"] == "ok"]
        g = geomean(sp)
        if g is None:
            gm.append("n/a" if all(cells[(p, cfg)]["status"] == "n/a" for p in programs) else "-")
        else:
            n_ok = len([s for s in sp if s])
            gm.append(f"{g:.2f}x" + ("" if n_ok == len(programs) else f" ({n_ok}/{len(programs)})"))
    rows.append(gm)
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(r):
        return "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                         for i, (v, w) in enumerate(zip(r, widths)))

    out = [title, line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[:-1]]
    out.append("  ".join("-" * w for w in widths))
    out.append(line(rows[-1]))
    return "\n".join(out)


def render_compile_table(cells, programs, reps):
    header = ["benchmark", "compiles (gcc+cache)", "median/function", "median gcc",
              "compile s", "share of wall"]
    rows = []

    def ms(t):
        return "-" if t is None else f"{t * 1000:.1f} ms"

    shares = []
    for prog in programs:
        c = cells.get((prog, "coir"), {}).get("compile")
        if not c:
            rows.append([prog] + ["-"] * (len(header) - 1))
            continue
        share = c.get("compile_share")
        if share is not None:
            shares.append(share)
        rows.append([prog, f"{c['compiles']:.0f} ({c['gcc_compiles']:.0f}+{c['cache_loads']:.0f})",
                     ms(c.get("median_compile")), ms(c.get("median_gcc_compile")),
                     f"{c['compile_seconds']:.3f}",
                     "-" if share is None else f"{share * 100:.1f}%"])
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(r):
        return "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                         for i, (v, w) in enumerate(zip(r, widths)))

    out = [f"coir compile cost (median of {reps}; seconds per compiled function, and compile "
           "seconds / whole-process wall time):",
           line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


# ------------------------------------------------------------------ main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="run.py", description="Benchmark coir against CPython, CPython's JIT and CinderX.",
        epilog="Exit status: 0 all good; 1 a checksum mismatch or a failed run; 2 bad usage.")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this program (repeatable, or comma-separated)")
    ap.add_argument("--configs", default=",".join(ALL_CONFIGS),
                    help=f"comma-separated configurations (default {','.join(ALL_CONFIGS)}); "
                         "interp is always included")
    ap.add_argument("--coir-threshold", type=int, default=None, metavar="N",
                    help="pass --threshold N to coir (default: coir's own default)")
    ap.add_argument("--stats", action="store_true",
                    help="run coir with --stats; its stats lines go into the notes and JSON")
    ap.add_argument("--coir-no-cache", action="store_true",
                    help="run coir with COIR_CODE_CACHE=0: every function compiled by GCC")
    ap.add_argument("--size", action="append", default=[], metavar="NAME=ARGS",
                    help="program arguments, e.g. --size nbody=50000 --size fannkuch='8 2'")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-run timeout in seconds")
    ap.add_argument("--json", metavar="FILE", help="write raw results to FILE")
    ap.add_argument("--no-install", action="store_true",
                    help="do not pip-install cinderx when it is missing")
    ap.add_argument("--list", action="store_true", help="list the programs and exit")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    all_programs = list_programs()
    if args.list:
        print("\n".join(all_programs))
        return 0
    if args.reps < 1:
        log("--reps must be at least 1")
        return 2

    only = [n.strip() for o in args.only for n in o.split(",") if n.strip()]
    unknown = [n for n in only if n not in all_programs]
    if unknown:
        log(f"unknown program(s): {', '.join(unknown)} (have: {', '.join(all_programs)})")
        return 2
    programs = [p for p in all_programs if not only or p in only]

    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    bad = [c for c in configs if c not in ALL_CONFIGS]
    if bad:
        log(f"unknown configuration(s): {', '.join(bad)} (have: {', '.join(ALL_CONFIGS)})")
        return 2
    configs = [c for c in ALL_CONFIGS if c in configs or c == "interp"]

    sizes = {}
    for s in args.size:
        name, _, val = s.partition("=")
        if name not in all_programs or not val:
            log(f"bad --size {s!r} (want NAME=ARGS with NAME one of {', '.join(all_programs)})")
            return 2
        sizes[name] = val.split()

    log(f"python: {python()} ({platform.python_version()})")
    unavailable, notes = {}, {}
    if "cpython-jit" in configs:
        why = check_cpython_jit()
        if why:
            unavailable["cpython-jit"] = why
    if "cinderx" in configs:
        why, note = check_cinderx(not args.no_install)
        if why:
            unavailable["cinderx"] = why
        elif note:
            notes["cinderx"] = note
    if "coir" in configs:
        why = check_coir()
        if why:
            unavailable["coir"] = why
    for cfg, why in unavailable.items():
        log(f"{cfg}: n/a — {why}")
    for cfg, note in notes.items():
        log(f"{cfg}: {note}")

    active = [c for c in configs if c not in unavailable]
    total = args.reps * len(programs) * len(active)
    log(f"{len(programs)} programs x {len(active)} configs x {args.reps} reps = {total} runs")
    results = []
    done = 0
    stats_dir = tempfile.TemporaryDirectory(prefix="coir-bench-")
    args.stats_file = os.path.join(stats_dir.name, "coir-stats.json")
    t_start = time.perf_counter()
    for rep in range(args.reps):
        for prog in programs:
            k = (rep + programs.index(prog)) % len(active)
            order = active[k:] + active[:k]      # rotate the round-robin order
            for cfg in order:
                rec = run_one(cfg, prog, sizes.get(prog, []), args)
                rec["rep"] = rep
                results.append(rec)
                done += 1
                if rec["ok"]:
                    what = f"{rec['elapsed']:.3f}s (wall {rec['wall']:.3f}s)"
                else:
                    what = f"ERROR {rec['error']}"
                log(f"[{done}/{total}] rep {rep + 1} {prog:14s} {cfg:12s} {what}")
    log(f"all runs took {time.perf_counter() - t_start:.1f}s")
    stats_dir.cleanup()

    cells = summarize(results, programs, configs, unavailable)
    print()
    print(render_table(cells, programs, configs, "elapsed",
                       f"In-process time (median of {args.reps}; speed-up = interp / config):"))
    print()
    print(render_table(cells, programs, configs, "wall",
                       f"Whole-process wall time (median of {args.reps}):"))
    if "coir" in active:
        print()
        print(render_compile_table(cells, programs, args.reps))

    problems = []
    foot = []
    for cfg, why in unavailable.items():
        foot.append(f"{cfg}: n/a — {why}")
    for cfg, note in notes.items():
        foot.append(f"{cfg}: {note}")
    for prog in programs:
        for cfg in configs:
            c = cells[(prog, cfg)]
            if c["status"] == "error":
                problems.append(f"ERROR    {prog} / {cfg}: {c['error']}"
                                f" ({c['errors']}/{c['runs']} runs failed)")
            elif c["status"] == "mismatch":
                problems.append(f"MISMATCH {prog} / {cfg}: {c['mismatch']}")
            for n in c.get("notes", []):
                foot.append(f"{prog} / {cfg}: {n}")
    if foot:
        print()
        print("Notes:")
        for f in foot:
            print(f"  {f}")
    if problems:
        print()
        print("!!!!!!!! PROBLEMS !!!!!!!!")
        for p in problems:
            print(f"  {p}")

    if args.json:
        doc = {
            "python": python(),
            "python_version": sys.version,
            "machine": platform.machine(),
            "reps": args.reps,
            "coir_threshold": args.coir_threshold,
            "coir_no_cache": args.coir_no_cache,
            "configs": configs,
            "programs": programs,
            "unavailable": unavailable,
            "notes": notes,
            "summary": {f"{p}/{c}": cells[(p, c)] for p in programs for c in configs},
            "runs": results,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
        log(f"wrote {args.json}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
