"""python -m coir [--threshold N] [--stats] [--stats-json FILE] [--dump-dir DIR] (FILE | -m MODULE | -c CODE) [ARGS]

Runs a program with the JIT on, as ``python FILE`` would run it: same ``sys.argv``,
``__main__`` module, tracebacks and exit status. ``--stats`` prints ``coir.stats()`` on stderr
at exit; ``--stats-json FILE`` writes it to FILE as JSON at exit.
"""
import os
import sys


def _usage(msg=None):
    if msg:
        print(f"coir: {msg}", file=sys.stderr)
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    sys.exit(2)


def _parse(argv):
    opts = {"threshold": None, "stats": False, "stats_json": None, "dump_dir": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--threshold" and i + 1 < len(argv):
            try:
                opts["threshold"] = int(argv[i + 1])
            except ValueError:
                _usage(f"bad threshold {argv[i + 1]!r}")
            i += 2
        elif a.startswith("--threshold="):
            opts["threshold"] = int(a.split("=", 1)[1])
            i += 1
        elif a == "--stats":
            opts["stats"] = True
            i += 1
        elif a == "--stats-json" and i + 1 < len(argv):
            opts["stats_json"] = argv[i + 1]
            i += 2
        elif a == "--dump-dir" and i + 1 < len(argv):
            opts["dump_dir"] = argv[i + 1]
            i += 2
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            sys.exit(0)
        elif a == "-m" and i + 1 < len(argv):
            return opts, ("module", argv[i + 1], argv[i + 1:])
        elif a == "-c" and i + 1 < len(argv):
            return opts, ("code", argv[i + 1], ["-c"] + argv[i + 2:])
        elif a.startswith("-") and a != "-":
            _usage(f"unknown option {a}")
        else:
            return opts, ("file", a, argv[i:])
    _usage("no program given")


def _print_stats():
    import coir
    s = coir.stats()
    print("coir stats:", file=sys.stderr)
    print(f"  compiled        {s['compiled']}", file=sys.stderr)
    print(f"  cache_hits      {s['cache_hits']}", file=sys.stderr)
    print(f"  recompiled_hot  {s['recompiled_hot']}", file=sys.stderr)
    print(f"  native_calls    {s['native_calls']}", file=sys.stderr)
    print(f"  samples         {s['samples']}", file=sys.stderr)
    print(f"  compile_seconds {s['compile_seconds']:.3f}", file=sys.stderr)
    print(f"  batched         {s['batched']} in {s['batches']} batches", file=sys.stderr)
    times = sorted(t for _name, t, _cached in s["compile_log"])
    if times:
        print(f"  compile_median  {_median(times) * 1000:.1f} ms", file=sys.stderr)
    for reason, n in sorted(s["fallbacks"].items(), key=lambda kv: -kv[1]):
        print(f"  fallback        {n:6d}  {reason}", file=sys.stderr)
    for reason, n in sorted(s.get("deopts", {}).items(), key=lambda kv: -kv[1]):
        print(f"  deopt           {n:6d}  {reason}", file=sys.stderr)


def _median(xs):
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def _json(v):
    """``v`` (the stats: dicts, lists and tuples of str, int, float, bool, None) as JSON text,
    as ``json.dumps`` writes it. Not ``json`` itself: importing it at exit (its decoder builds
    regular expressions) costs about 6 ms, which every timed run of the bench would charge to
    the program."""
    from _json import encode_basestring_ascii as string
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, str):
        return string(v)
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        if v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        return float.__repr__(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{string(str(k))}: {_json(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_json(x) for x in v) + "]"
    raise TypeError(f"stats value of type {type(v).__name__} is not JSON serializable")


def _write_stats(path):
    import coir
    with open(path, "w") as f:
        f.write(_json(coir.stats()))


def main():
    opts, (kind, target, argv) = _parse(sys.argv[1:])
    import coir
    if opts["dump_dir"]:
        os.environ["COIR_DUMP_DIR"] = opts["dump_dir"]
    if opts["stats"] or opts["stats_json"]:
        import atexit
        if opts["stats"]:
            atexit.register(_print_stats)
        if opts["stats_json"]:
            atexit.register(_write_stats, opts["stats_json"])
    sys.argv = argv
    if kind == "file":
        path = os.path.abspath(target) if target != "-" else target
        sys.path[0] = os.path.dirname(path)
        with open(path, "rb") as f:
            source = f.read()
        code = compile(source, path, "exec")
        main_mod = _fresh_main()
        main_mod.__dict__.update({"__file__": path, "__cached__": None})
        coir.enable(opts["threshold"])
        _run(code, main_mod.__dict__)
    elif kind == "code":
        sys.path[0] = ""
        code = compile(target, "<string>", "exec")
        main_mod = _fresh_main()
        coir.enable(opts["threshold"])
        _run(code, main_mod.__dict__)
    else:
        import runpy
        sys.path[0] = os.getcwd()
        coir.enable(opts["threshold"])
        runpy.run_module(target, run_name="__main__", alter_sys=True)


def _fresh_main():
    """A new ``__main__`` module for the program (this launcher is ``__main__`` under -m)."""
    import types
    mod = types.ModuleType("__main__")
    mod.__dict__.update({"__builtins__": __builtins__, "__loader__": None, "__spec__": None,
                         "__package__": None})
    sys.modules["__main__"] = mod
    return mod


def _run(code, globs):
    try:
        exec(code, globs)
    except BaseException as e:
        # Print the traceback as the interpreter would for `python FILE`: without this
        # launcher's frames.
        if isinstance(e, SystemExit):
            raise
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        e.__traceback__ = tb
        sys.excepthook(type(e), e, tb)
        sys.exit(1)


if __name__ == "__main__":
    main()
