"""coir: a method JIT for CPython 3.14 that compiles Python functions to native code through
libgccjit.

    import coir
    coir.enable()            # compile the functions that sampling finds hot
    coir.enable(threshold=N) # compile functions after N calls (0: every function, first call)

    @coir.jit                # compile this function on its first call
    def f(x): ...

    coir.compile(f)          # compile now (raises coir.CompileError if it can't)
    coir.stats()             # {'compiled': ..., 'native_calls': ..., 'compile_seconds': ...,
                             #  'compile_log': [(qualname, seconds, cached)],
                             #  'fallbacks': {reason: count}}
    coir.dump(f, "ir")       # text of a stage: bytecode, ir, dot, c, gimple, asm, reproducer

Two ways to find hot code. By default (no threshold), coir samples the running code every
millisecond (``COIR_SAMPLE_US``) and compiles a function once it was seen in 3 samples
(``COIR_SAMPLE_HOT``); compiled functions are entered through their vectorcall, and code that is
not compiled runs in the interpreter at full speed. With a threshold (``enable(threshold=N)``,
``python -m coir --threshold N`` or ``COIR_THRESHOLD``), a PEP 523 frame hook counts calls:
exact, but every Python call pays for the hook, and the interpreter no longer inlines calls.

Functions coir cannot compile (generators, coroutines, module and class bodies, a few
opcodes) run in the interpreter and are counted under their reason. While any
``sys.monitoring`` tool (``settrace``, ``setprofile``, debuggers, coverage) is active, the hook
steps aside; it is re-armed at the next garbage collection or call into coir after the tools
are gone.
"""
import atexit as _atexit
import gc as _gc
import os as _os
import sys as _sys


def _import_native():
    """The extension module, imported with lazy binding: its calls into libgccjit are bound
    on first use, after it loads the library for its first compile, so a process whose hot
    code is all in the code cache never loads GCC (see crates/gcc-backend/src/libgccjit.rs).
    Where the dynamic loader binds everything at load anyway (LD_BIND_NOW), libgccjit is
    loaded first, as a dependency would have been."""
    flags = _sys.getdlopenflags()
    _sys.setdlopenflags((flags & ~_os.RTLD_NOW) | _os.RTLD_LAZY)
    try:
        from . import _native
        return _native
    except ImportError as e:
        if "gcc_jit_" not in str(e):
            raise
        import ctypes
        ctypes.CDLL("libgccjit.so.0", mode=_os.RTLD_NOW | _os.RTLD_GLOBAL)
        from . import _native
        return _native
    finally:
        _sys.setdlopenflags(flags)


_native = _import_native()
from ._native import CompileError  # noqa: E402

__all__ = ["enable", "disable", "jit", "compile", "stats", "dump", "is_compiled", "CompileError"]

# A fork must not happen in the middle of a compilation on the compile thread.
_os.register_at_fork(before=_native.before_fork, after_in_parent=_native.after_fork_parent,
                     after_in_child=_native.after_fork_child)


def _cache_dir():
    """Where compiled code is kept across runs: $COIR_CODE_CACHE if it names a directory,
    else $XDG_CACHE_HOME/coir/code (~/.cache/coir/code); COIR_CODE_CACHE=0 keeps nothing."""
    d = _os.environ.get("COIR_CODE_CACHE", "")
    if d == "0":
        return None
    if not d:
        base = _os.environ.get("XDG_CACHE_HOME") or _os.path.join(_os.path.expanduser("~"), ".cache")
        d = _os.path.join(base, "coir", "code")
    return d


_native.set_cache_dir(_cache_dir())


_perf_map = False


def _update_perf_map():
    """Compiled functions get entries in /tmp/perf-<pid>.map (for `perf report`) with
    COIR_PERF_MAP=1 (0: never), or else once CPython's own perf support has been seen on
    (`-X perf`, PYTHONPERFSUPPORT=1, `sys.activate_stack_trampoline("perf")`; checked at import
    and by enable(); while coir's hook is installed CPython reports its trampoline inactive,
    though interpreted frames still go through it)."""
    global _perf_map
    v = _os.environ.get("COIR_PERF_MAP", "")
    if v:
        _perf_map = v != "0"
    else:
        active = getattr(_sys, "is_stack_trampoline_active", None)
        _perf_map = _perf_map or bool(active and active())
    _native.set_perf_map(_perf_map)


_update_perf_map()

# Before the interpreter finalises: drop queued compiles, let the one in flight finish and stop
# the compile thread, so that no compile runs while the process tears libgccjit down.
# Registered first, so it runs after every atexit function registered later (those may still
# call compiled code).
_atexit.register(_native.shutdown)


# A refusal for a reason that is coir's own bug (the backend refused what lowering produced,
# a verifier finding) leaves the function interpreted, which hides it. With COIR_STRICT=1
# (every test run sets it) such refusals are reported on stderr at exit, where the
# differential tests see them.
_INTERNAL = ("internal error", "backend error")


def _report_internal_refusals():
    import sys
    bad = {k: n for k, n in stats()["fallbacks"].items() if k.startswith(_INTERNAL)}
    if bad:
        print(f"coir: internal refusals: {bad}", file=sys.stderr)


if _os.environ.get("COIR_STRICT") == "1":
    _atexit.register(_report_internal_refusals)


def _rearm_on_gc(phase, info):
    if phase == "stop":
        _native.rearm()


def enable(threshold=None):
    """Switch the JIT on. ``threshold``: calls before a function is compiled (0: first call),
    counted by a frame hook; None (default): hot code is found by sampling (see above)."""
    if threshold is None and "COIR_THRESHOLD" in _os.environ:
        threshold = int(_os.environ["COIR_THRESHOLD"])
    _native.set_background(_os.environ.get("COIR_BACKGROUND", "1") != "0")
    opt = _os.environ.get("COIR_OPT_LEVEL")
    if opt:
        _native.set_opt_level(int(opt))
    cold = _os.environ.get("COIR_COLD_OPT_LEVEL")
    if cold:
        _native.set_cold_opt_level(int(cold))
    hot = _os.environ.get("COIR_HOT_CALLS")
    if hot:
        _native.set_hot_calls(int(hot))
    dump_dir = _os.environ.get("COIR_DUMP_DIR")
    if dump_dir:
        _native.set_dump_dir(dump_dir)
    _update_perf_map()
    if threshold is None:
        _native.enable_profile(int(_os.environ.get("COIR_SAMPLE_US", 1000)),
                               int(_os.environ.get("COIR_SAMPLE_HOT", 3)))
    else:
        _native.enable(threshold, False)
    if _rearm_on_gc not in _gc.callbacks:
        _gc.callbacks.append(_rearm_on_gc)


def disable():
    """Remove the JIT hook; all functions run in the interpreter again."""
    _native.disable()
    if _rearm_on_gc in _gc.callbacks:
        _gc.callbacks.remove(_rearm_on_gc)


def _ensure_hook():
    enabled, _armed, _threshold, _explicit = _native.status()
    if not enabled:
        _native.enable(None, True)
        if _rearm_on_gc not in _gc.callbacks:
            _gc.callbacks.append(_rearm_on_gc)
    else:
        _native.rearm()


def jit(func):
    """Decorator: compile ``func`` to native code on its first call."""
    _native.mark_jit(func)
    _ensure_hook()
    return func


def compile(func):
    """Compile ``func`` now; raises :class:`CompileError` with the reason if it can't."""
    _native.compile(func)
    _ensure_hook()
    return func


def is_compiled(func):
    """Whether ``func`` has native code."""
    return _native.is_compiled(func)


def stats():
    """Counters: compiled, recompiled_hot, cache_hits, native_calls, compile_seconds,
    compile_log (one ``(qualname, seconds, from_cache)`` per compile that produced code),
    fallbacks {reason: count}, deopts {reason: count}, samples, global_lookups (global reads
    of native code that looked the name up: its cell new, or cleared by a change)."""
    return _native.stats()


def dump(func, stage):
    """The text of one compilation stage of ``func``: bytecode, ir, ssa, passes, dot, c, gimple, asm,
    reproducer."""
    return _native.dump(func, stage)
