"""Run a program under CinderX's JIT: python cinderx_run.py PROGRAM.py [ARGS...]

Turns on CinderX's automatic mode (``cinderx.jit.auto()``: functions are compiled once they are
hot), then runs PROGRAM as ``__main__`` with ``sys.argv = [PROGRAM, ARGS...]``, as
``python PROGRAM.py ARGS...`` would. At exit it writes ``cinderx: compiled N functions`` to
stderr so the harness can tell that the JIT did something. Exits 3 if CinderX cannot be loaded.
"""
import os
import sys


def _fail(msg):
    print(f"cinderx_run: {msg}", file=sys.stderr)
    sys.exit(3)


def main():
    if len(sys.argv) < 2:
        _fail("usage: cinderx_run.py PROGRAM.py [ARGS...]")
    try:
        import cinderx
        import cinderx.jit
    except ImportError as e:
        _fail(f"cannot import cinderx: {e}")
    err = cinderx.get_import_error()
    if err is not None:
        _fail(f"_cinderx native extension did not load: {err}")
    if not cinderx.jit.is_available():
        _fail("cinderx.jit is not available")
    cinderx.jit.auto()
    if not cinderx.jit.is_enabled():
        _fail("cinderx.jit.auto() did not enable the JIT")

    import atexit

    def report():
        try:
            n = len(cinderx.jit.get_compiled_functions())
        except Exception as e:  # pragma: no cover - diagnostics only
            n = f"? ({e})"
        print(f"cinderx: compiled {n} functions", file=sys.stderr)

    atexit.register(report)

    import runpy

    prog = os.path.abspath(sys.argv[1])
    sys.argv = [prog] + sys.argv[2:]
    sys.path[0] = os.path.dirname(prog)
    runpy.run_path(prog, run_name="__main__")


if __name__ == "__main__":
    main()
