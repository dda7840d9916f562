#!/usr/bin/env python3
"""Run modules of CPython's own regression suite under the interpreter and under coir.

    ./setup.sh cpython-tests [OPTIONS] [MODULE ...]
    python tests/cpython_tests.py [OPTIONS] [MODULE ...]

Each module runs in its own subprocess, ``python -m test MODULE`` (the regression suite that is
installed with the interpreter), once plainly and once as ``python -m coir --threshold 0 --stats
-m test MODULE`` (every function compiled on its first call). Runs go in parallel (``-j``); a row
is printed per module as soon as both of its runs are done:

    module, plain result and seconds, coir result and seconds, functions compiled, compile seconds

Results: passed, failed, skipped (the module skipped itself or ran no tests), timeout (killed
after ``--timeout`` seconds, or a test exceeded regrtest's own per-test timeout), error
(crash, or regrtest could not run it). The last line is exactly ``N passed, N failed``:
*failed* counts modules that pass under the interpreter and do not pass under coir; modules that
do not pass under the interpreter are listed separately and not counted. With ``--coir-only``
every module counts as passing under the interpreter; with ``--plain-only`` the counts are of the
plain runs. The exit status is 1 iff failed > 0.

Every run gets a fresh working and temporary directory; inherited ``COIR_*`` variables are
dropped, so a run depends on nothing outside the repository and the interpreter. The lists of
modules live here: DEFAULT (language and core library; all pass under the plain interpreter on
the reference machine) and CI (a fast subset, run by tests/test_cpython_suite_ci.py).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# ------------------------------------------------------------------------------ the lists
#
# DEFAULT: modules of the language and core library that exist in CPython 3.14's installed
# suite, pass under the plain interpreter here and need no network, GUI or special resources.
# test_asyncio as a whole does not pass plainly under load (test_streams, test_sslproto and
# test_tasks use sockets and timing): its deterministic submodules are listed instead.
# Known failures under coir at threshold 0 stay in the list (they are what the list is for):
#   test_dis:   test_loop_quicken calls loop_test until the interpreter quickens it and compares
#               dis(adaptive=True) with the specialised instructions; at threshold 0 the function
#               runs natively from its first call and is never quickened.
DEFAULT = """
    test_grammar test_exceptions test_generators test_coroutines test_patma test_fstring
    test_descr test_class test_scope test_list test_dict test_set test_tuple test_itertools
    test_functools test_contextlib test_contextlib_async test_traceback test_inspect test_typing
    test_dataclasses test_enum test_json test_re test_unittest

    test_asyncio.test_futures test_asyncio.test_futures2 test_asyncio.test_locks
    test_asyncio.test_queues test_asyncio.test_taskgroups test_asyncio.test_timeouts
    test_asyncio.test_context test_asyncio.test_pep492 test_asyncio.test_runners
    test_asyncio.test_graph test_asyncio.test_tasks test_asyncio.test_staggered
    test_asyncio.test_waitfor test_asyncio.test_eager_task_factory test_asyncio.test_protocols
    test_asyncio.test_transports test_asyncio.test_tools test_asyncio.test_buffered_proto

    test_abc test_abstract_numbers test_annotationlib test_asyncgen test_augassign
    test_baseexception test_binop test_bool test_builtin test_bytes test_call test_compare
    test_compile test_complex test_contains test_context test_copy test_copyreg test_decorators
    test_defaultdict test_deque test_descrtut test_dictcomps test_dictviews test_dynamic
    test_dynamicclassattribute test_enumerate test_eof test_except_star test_exception_group
    test_exception_hierarchy test_exception_variations test_extcall test_finalization
    test_float test_format test_frame test_funcattrs test_future_stmt test_gc
    test_generator_stop test_genericalias test_genericclass test_genexps test_global test_hash
    test_index test_int test_int_literal test_isinstance test_iter test_iterlen
    test_keywordonlyarg test_listcomps test_long test_longexp test_memoryview test_metaclass
    test_module test_named_expressions test_opcache test_opcodes test_operator
    test_ordered_dict test_pep646_syntax test_positional_only_arg test_pow test_print
    test_property test_raise test_range test_richcmp test_setcomps test_slice test_sort test_str
    test_string test_string_literals test_structseq test_subclassinit test_super test_syntax
    test_sys test_tstring test_type_aliases test_type_annotations test_type_cache
    test_type_comments test_type_params test_typechecks test_types test_unary test_unpack
    test_unpack_ex test_userdict test_userlist test_userstring test_weakref test_weakset
    test_with test_yield_from

    test_ast test_code test_dis test_keyword test_peepholer test_source_encoding test_symtable
    test_tokenize test_unicode_identifiers test_unparse test_utf8source

    test_monitoring test_sys_settrace test_bdb test_pdb test_trace

    test_argparse test_array test_base64 test_binascii test_bisect test_calendar test_cmath
    test_codecs test_collections test_colorsys test_configparser test_csv test_datetime
    test_decimal test_difflib test_doctest test_email test_fnmatch test_fractions test_getopt
    test_glob test_graphlib test_hashlib test_heapq test_hmac test_html test_htmlparser
    test_ipaddress test_linecache test_logging test_marshal test_math test_memoryio
    test_minidom test_numeric_tower test_optparse test_pickle test_pickletools test_pprint
    test_queue test_random test_reprlib test_sched test_secrets test_shlex test_statistics
    test_strtod test_struct test_textwrap test_timeit test_tomllib test_urlparse test_uuid
    test_warnings test_xml_etree test_zlib test_zoneinfo test_atexit test_stat
    test_genericpath test_posixpath test_pathlib test_tempfile test_shutil test_fileinput
    test_gzip test_plistlib test_mimetypes test_wave
""".split()

# CI: run by tests/test_cpython_suite_ci.py on every submission. Small, fast modules that touch
# few functions (today compiling every function is what costs), chosen by measured time under
# coir at threshold 0 so that the set takes about 25 minutes with 2 parallel jobs. It includes
# the monitoring/tracing suites (coir's hook must step aside for them) and the core-language
# suites that tests/test_cpython_suites.py used to run (test_pdb, which it ran at the default
# threshold, fails at threshold 0: see DEFAULT).
CI = """
    test_exceptions test_traceback test_sys test_frame test_monitoring test_sys_settrace
    test_bdb test_scope test_class test_raise test_with test_listcomps test_unpack
    test_augassign test_contextlib test_keywordonlyarg test_extcall
    test_except_star test_yield_from test_genexps test_generator_stop test_decorators
    test_dynamic test_funcattrs test_enumerate test_exception_variations test_compare
    test_contains test_positional_only_arg test_bool test_global
""".split()

LISTS = {"default": DEFAULT, "ci": CI}

# QUICKENING: tests that look at the interpreter's quickened bytecode (dis(adaptive=True),
# test_opcache's and test_type_cache's specialisation checks) after running a function a few
# times. Under coir at a threshold those functions run natively from their first (or N-th) call,
# so the interpreter never quickens them; and while coir's frame hook is installed, CPython
# itself refuses the specialisations that push a frame (Python/specialize.c checks eval_frame:
# CALL_PY_*, CALL_ALLOC_AND_ENTER_INIT, FOR_ITER_GEN, SEND_GEN, BINARY_OP_SUBSCR_GETITEM,
# LOAD_ATTR_PROPERTY, ...). The coir run leaves them out (regrtest --ignore), and runs them once
# more under coir's default mode (no threshold: profile mode, no frame hook, code compiled when
# sampled hot), where they must pass: a module passes only if both runs do. Patterns are
# regrtest's: a name matches any component of a test id.
QUICKENING = {
    "test_opcache": ["TestSpecializer", "TestRacesDoNotCrash", "test_assign_init_code",
                     "test_push_init_frame_fails"],
    "test_dis": ["test_loop_quicken", "test_loop_with_conditional_at_end_is_quickened",
                 "test_super_instructions"],
    "test_type_cache": ["TypeCacheWithSpecializationTests"],
}

RESULTS = ("passed", "failed", "skipped", "timeout", "error")


# ------------------------------------------------------------------------------ one run

def _env(tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COIR_")}
    for k in ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT", "PYTHONBREAKPOINT",
              "PYTHON_JIT", "FORCE_COLOR"):
        env.pop(k, None)
    env.update(TMPDIR=tmp, TEMP=tmp, TMP=tmp, HOME=os.environ.get("HOME", tmp),
               PYTHON_COLORS="0", NO_COLOR="1", TERM="dumb", PYTHONHASHSEED="0")
    return env


def _classify(rc, out, timed_out):
    if timed_out:
        return "timeout"
    if re.search(r"^Timeout \(\d+:\d\d:\d\d\)!$", out, re.M) or "test timed out" in out:
        return "timeout"
    m = re.search(r"^Total test files: (.*)$", out, re.M)
    files = m.group(1) if m else ""
    if rc == 0 and re.search(r"^Result: SUCCESS", out, re.M):
        if re.search(r"\b(skipped|resource_denied|run_no_tests)=", files):
            return "skipped"
        return "passed"
    if rc == 4:                       # regrtest's "NO TESTS RAN"
        return "skipped"
    if rc == 2 and re.search(r"^Result: FAILURE", out, re.M):
        return "failed"
    return "error"


def _stats(out):
    s = {}
    m = re.search(r"^  compiled\s+(\d+)$", out, re.M)
    if m:
        s["compiled"] = int(m.group(1))
    m = re.search(r"^  compile_seconds\s+([\d.]+)$", out, re.M)
    if m:
        s["compile_seconds"] = float(m.group(1))
    m = re.search(r"^  native_calls\s+(\d+)$", out, re.M)
    if m:
        s["native_calls"] = int(m.group(1))
    fb = re.findall(r"^  fallback\s+(\d+)\s+(.*)$", out, re.M)
    if fb:
        s["fallbacks"] = {reason: int(n) for n, reason in fb}
    dp = re.findall(r"^  deopt\s+(\d+)\s+(.*)$", out, re.M)
    if dp:
        s["deopts"] = {reason: int(n) for n, reason in dp}
    return s


def _run(cmd, tmp, timeout, extra_env):
    """Run cmd in tmp with its output captured; (returncode, output, timed out, seconds)."""
    t0 = time.monotonic()
    timed_out = False
    with open(os.path.join(tmp, "output"), "w+", errors="replace") as f:
        env = _env(tmp)
        env.update(extra_env)
        p = subprocess.Popen(cmd, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                             stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout + 30)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(p)
            rc = p.wait()
        seconds = time.monotonic() - t0
        f.seek(0)
        return rc, f.read(), timed_out, seconds


# --profile: coir's default mode (no frame hook; see README "profile mode") with every function,
# generator and coroutine compiled on its first call or resumption, as the differential tests'
# "profile" mode runs it: its own ways into native code (function vectorcalls, the generator
# and coroutine types' iternext, am_send and send()) taken by everything the module runs.
PROFILE_ENV = {"COIR_SAMPLE_HOT": "0", "COIR_SAMPLE_US": "20"}


def run_one(python, module, mode, timeout, threshold, log_dir, deopt_stress=False, profile=False):
    """Run one module plainly or under coir; return a result dict."""
    tmp = tempfile.mkdtemp(prefix=f"coir-{mode}-{module}-")
    try:
        regrtest = ["-m", "test", "-q", "-W", "--randseed", "1", "--timeout", str(int(timeout)),
                    "--tempdir", os.path.join(tmp, "regrtest")]
        quickening = QUICKENING.get(module, []) if mode == "coir" else []
        if mode == "coir":
            ignore = [a for p in quickening for a in ("--ignore", p)]
            how = [] if profile else ["--threshold", str(threshold)]
            cmd = [python, "-m", "coir", *how, "--stats", *regrtest, *ignore, module]
        else:
            cmd = [python, *regrtest, module]
        extra = {"COIR_DEOPT_STRESS": "1"} if mode == "coir" and deopt_stress else {}
        if mode == "coir" and profile:
            extra.update(PROFILE_ENV)
        rc, out, timed_out, seconds = _run(cmd, tmp, timeout, extra)
        result = {"module": module, "mode": mode, "result": _classify(rc, out, timed_out),
                  "seconds": round(seconds, 2), "returncode": rc}
        if quickening:
            # The tests left out above, under coir's default mode (see QUICKENING).
            match = [a for p in quickening for a in ("--match", p)]
            qcmd = [python, "-m", "coir", "--stats", *regrtest, *match, module]
            q_rc, q_out, q_timed_out, q_seconds = _run(qcmd, tmp, timeout, {})
            q_result = _classify(q_rc, q_out, q_timed_out)
            result["quickening"] = q_result
            result["seconds"] = round(seconds + q_seconds, 2)
            out += f"\n\n# {' '.join(qcmd)}\n\n" + q_out
            if result["result"] == "passed" and q_result != "passed":
                result["result"] = q_result
        m = re.search(r"^Total tests: (.*)$", out, re.M)
        if m:
            result["tests"] = m.group(1).strip()
        if mode == "coir":
            result.update(_stats(out))
        if log_dir:
            path = os.path.join(log_dir, f"{module}.{mode}.log")
            with open(path, "w") as f:
                f.write(" ".join(cmd) + "\n\n" + out)
            result["log"] = path
        if result["result"] != "passed":
            result["excerpt"] = _failure_excerpt(out)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _kill_group(p):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            pass


# ------------------------------------------------------------------------------ the table

def _fmt(r):
    if r is None:
        return f"{'-':<8} {'':>8}"
    return f"{r['result']:<8} {r['seconds']:>7.1f}s"


def _row(module, plain, coir):
    compiled = coir.get("compiled") if coir else None
    csec = coir.get("compile_seconds") if coir else None
    return (f"{module:<36} {_fmt(plain)}  {_fmt(coir)}  "
            f"{'' if compiled is None else compiled:>8} "
            f"{'' if csec is None else f'{csec:.1f}s':>9}")


HEADER = (f"{'module':<36} {'plain':<8} {'time':>8}  {'coir':<8} {'time':>8}  "
          f"{'compiled':>8} {'compile':>9}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("modules", nargs="*", metavar="MODULE",
                    help="regrtest modules (default: the list chosen by --list)")
    ap.add_argument("--list", choices=sorted(LISTS), default="default",
                    help="which list to run when no MODULE is given (default: default)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="runs in parallel (default: number of CPUs)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--plain-only", action="store_true", help="only the interpreter runs")
    mode.add_argument("--coir-only", action="store_true", help="only the coir runs")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds per module run, and regrtest's per-test timeout (default 1800)")
    ap.add_argument("--threshold", type=int, default=0, help="coir's threshold (default 0)")
    ap.add_argument("--profile", action="store_true",
                    help="coir in its default mode (no threshold: profile mode), every function "
                         "compiled on its first call (COIR_SAMPLE_HOT=0)")
    ap.add_argument("--deopt-stress", action="store_true",
                    help="coir runs with COIR_DEOPT_STRESS=1: every guard fails on its first "
                         "execution (use a threshold above 0, so that code has feedback)")
    ap.add_argument("--python", default=sys.executable,
                    help="the interpreter, with coir installed (default: this one)")
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    ap.add_argument("--log-dir", metavar="DIR", help="keep every run's output in DIR")
    ap.add_argument("--print-lists", action="store_true", help="print the lists and exit")
    args = ap.parse_args(argv)

    if args.print_lists:
        for name, mods in LISTS.items():
            print(f"{name} ({len(mods)}): {' '.join(mods)}")
        return 0
    modules = args.modules or LISTS[args.list]
    modes = ["plain"] if args.plain_only else ["coir"] if args.coir_only else ["plain", "coir"]
    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)

    print(f"# {len(modules)} modules, {' and '.join(modes)}, -j {args.jobs}, "
          f"timeout {args.timeout:.0f}s, python {args.python}", flush=True)
    print(HEADER, flush=True)
    results = {m: {} for m in modules}
    lock = threading.Lock()
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {}
        for m in modules:
            for md in modes:
                fut = pool.submit(run_one, args.python, m, md, args.timeout, args.threshold,
                                  args.log_dir, args.deopt_stress, args.profile)
                futs[fut] = (m, md)
        try:
            for fut in concurrent.futures.as_completed(futs):
                m, md = futs[fut]
                try:
                    r = fut.result()
                except Exception as e:            # the runner's own failure
                    r = {"module": m, "mode": md, "result": "error", "seconds": 0.0,
                         "excerpt": repr(e)}
                with lock:
                    results[m][md] = r
                    if all(x in results[m] for x in modes):
                        print(_row(m, results[m].get("plain"), results[m].get("coir")),
                              flush=True)
        except KeyboardInterrupt:
            for fut in futs:
                fut.cancel()
            raise
    wall = time.monotonic() - t0

    # Summary.
    passed, failed, baseline_bad = [], [], []
    for m in modules:
        plain, coir = results[m].get("plain"), results[m].get("coir")
        if args.plain_only:
            (passed if plain["result"] == "passed" else failed).append(m)
        elif plain is not None and plain["result"] != "passed":
            baseline_bad.append(m)
        elif coir["result"] == "passed":
            passed.append(m)
        else:
            failed.append(m)
    tot = {md: sum(results[m][md]["seconds"] for m in modules if md in results[m]) for md in modes}
    print()
    print(f"# wall {wall:.0f}s; " + ", ".join(f"{md} total {s:.0f}s" for md, s in tot.items()))
    if "coir" in modes:
        comp = sum(results[m]["coir"].get("compiled", 0) for m in modules)
        csec = sum(results[m]["coir"].get("compile_seconds", 0.0) for m in modules)
        deopts = sum(sum(results[m]["coir"].get("deopts", {}).values()) for m in modules)
        print(f"# coir: {comp} functions compiled, {csec:.0f}s compiling, {deopts} deopts")
    if baseline_bad:
        print("# not passing under the plain interpreter (not counted): "
              + ", ".join(f"{m} ({results[m]['plain']['result']})" for m in baseline_bad))
    for m in failed:
        r = results[m]["plain" if args.plain_only else "coir"]
        print(f"\n## {m}: {r['result']} ({'plain' if args.plain_only else 'coir'})"
              + (f", log {r['log']}" if r.get("log") else ""))
        print(r.get("excerpt", ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"modules": modules, "modes": modes, "timeout": args.timeout,
                       "threshold": None if args.profile else args.threshold, "profile": args.profile,
                       "wall_seconds": round(wall, 1),
                       "passed": passed, "failed": failed, "baseline_not_passing": baseline_bad,
                       "results": results}, f, indent=1)
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _failure_excerpt(out, limit=40):
    """The most telling lines of a failed run's output: from the first failure on."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("FAIL:", "ERROR:", "Fatal Python error", "Timeout (")):
            return "\n".join(lines[i:i + limit])
    return "\n".join(lines[-limit:])


if __name__ == "__main__":
    sys.exit(main())
