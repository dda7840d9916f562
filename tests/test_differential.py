"""End-to-end differential tests: every program in tests/programs runs as

    PYTHON NNN_name.py                             (the oracle: plain CPython 3.14)
    PYTHON -m coir --threshold 0 NNN_name.py       (every function compiled on first call)
    PYTHON -m coir --threshold 3 NNN_name.py       (compiled with the interpreter's feedback)
    PYTHON -m coir NNN_name.py                     (profile mode, sampling every 20 us)
    COIR_DEOPT_STRESS=1 ... --threshold 3 ...      (and every guard failing once)

with cwd = tests/programs and the same relative file name, so tracebacks name the same path.
stdout, stderr and the exit status must be identical, byte for byte.

A program may declare the exit status the oracle must give with a line ``# expect-exit: N``
(default 0); that guards against a broken program passing vacuously because both runs fail
the same way.

Set COIR_DIFF_ONLY=substring to run a subset; COIR_TEST_TIMEOUT (seconds) bounds each run.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpython_tests import PROFILE_ENV  # noqa: E402  (the CPython suite's --profile runs the same way)

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"
PROGRAMS = sorted(p for p in PROGRAMS_DIR.glob("[0-9][0-9][0-9]_*.py"))
_ONLY = os.environ.get("COIR_DIFF_ONLY")
if _ONLY:
    PROGRAMS = [p for p in PROGRAMS if _ONLY in p.name]

JIT_ARGS = ["-m", "coir", "--threshold", "0"]

# Programs that loop over small functions many times; used to check that native code ran.
HOT_PROGRAMS = ["059_hot_arith.py", "060_hot_method_calls.py", "084_hot_exceptions.py"]

_EXPECT_EXIT = re.compile(rb"^#\s*expect-exit:\s*(-?\d+)\s*$", re.M)
MAX_DIFF_LINES = 200


_THRESHOLDS = re.compile(rb"^#\s*coir-thresholds:\s*([0-9a-z ,]+)$", re.M)


def allowed_thresholds(path: Path):
    m = _THRESHOLDS.search(path.read_bytes())
    return None if m is None else {t.strip() for t in m.group(1).decode().split(",")}


def expected_exit(path: Path) -> int:
    m = _EXPECT_EXIT.search(path.read_bytes())
    return int(m.group(1)) if m else 0


def _diff(label: str, expected: bytes, actual: bytes) -> str:
    exp = expected.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    act = actual.decode("utf-8", "backslashreplace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, fromfile=f"{label} (python)",
                                      tofile=f"{label} (python -m coir)"))
    if len(lines) > MAX_DIFF_LINES:
        omitted = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"... {omitted} more diff lines omitted\n"]
    # Make a missing trailing newline visible instead of gluing lines together.
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n"
                   for ln in lines)


def compare_runs(name: str, ref, jit) -> None:
    problems = []
    if ref.returncode != jit.returncode:
        problems.append(f"exit status: python {ref.returncode}, coir {jit.returncode}")
    if ref.stdout != jit.stdout:
        problems.append("stdout differs:\n" + _diff("stdout", ref.stdout, jit.stdout))
    if ref.stderr != jit.stderr:
        problems.append("stderr differs:\n" + _diff("stderr", ref.stderr, jit.stderr))
    if problems:
        pytest.fail(f"{name}: JIT run differs from the interpreter\n" + "\n".join(problems),
                    pytrace=False)


def test_programs_present():
    # The suite is meant to be broad; a glob that silently finds nothing must not pass.
    assert _ONLY or len(PROGRAMS) >= 64, f"only {len(PROGRAMS)} programs in {PROGRAMS_DIR}"


# Threshold 0 compiles every function on its first call (no type feedback yet); threshold 3
# compiles after the interpreter has quickened hot instructions, so the guarded fast paths
# built from that feedback run too.
# "3-stress" is threshold 3 in deopt stress mode (COIR_DEOPT_STRESS=1): every guard fails on
# its first execution, so each speculation's way back into the interpreter runs.
#
# "profile" is the default mode (no threshold): no frame hook, hot code found by sampling,
# compiled code entered through function vectorcalls. Here (PROFILE_ENV: COIR_SAMPLE_HOT=0) every function
# the program creates compiles on its first call and runs through its vectorcall, from
# interpreted and native callers; sampling every 20 us compiles the rest (module-level code's
# callees made before the program ran) synchronously inside a sample, at any eval-breaker check.
@pytest.mark.parametrize("threshold", ["0", "3", "3-stress", "profile"])
@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_matches_interpreter(program: Path, threshold: str, run_py, make_env):
    threshold, _, stress = threshold.partition("-")
    allowed = allowed_thresholds(program)
    if allowed is not None and threshold not in allowed:
        pytest.skip(f"{program.name} declares coir-thresholds {sorted(allowed)} (see its header)")
    env = make_env()
    ref = run_py([program.name], cwd=PROGRAMS_DIR, env=env)
    want = expected_exit(program)
    assert ref.returncode == want, (
        f"oracle run of {program.name} exited {ref.returncode}, expected {want} "
        f"(the program itself is broken?)\nstderr:\n"
        + ref.stderr.decode("utf-8", "backslashreplace")
    )
    # Synchronous compilation, so the functions run natively as soon as they are hot.
    jit_env = dict(env, COIR_BACKGROUND="0")
    if stress:
        jit_env["COIR_DEOPT_STRESS"] = "1"
    if threshold == "profile":
        jit_env.update(PROFILE_ENV)
        args = ["-m", "coir", program.name]
    else:
        args = ["-m", "coir", "--threshold", threshold, program.name]
    jit = run_py(args, cwd=PROGRAMS_DIR, env=jit_env)
    compare_runs(program.name, ref, jit)


# ---------------------------------------------------------------- the JIT really ran natively

_COMPILED = re.compile(r"\bcompiled\w*\W+(\d+)", re.I)
_NATIVE_CALLS = re.compile(r"\bnative[_ ]calls\w*\W+(\d+)", re.I)


def parse_stats(text: str) -> dict[str, int]:
    out = {}
    for key, rx in (("compiled", _COMPILED), ("native_calls", _NATIVE_CALLS)):
        values = [int(v) for v in rx.findall(text)]
        if values:
            out[key] = max(values)
    return out


def test_parse_stats_is_loose():
    assert parse_stats("coir: compiled: 12, native_calls: 3400") == {"compiled": 12,
                                                                     "native_calls": 3400}
    assert parse_stats('{"compiled": 5, "native_calls": 7}') == {"compiled": 5, "native_calls": 7}
    assert parse_stats("compiled 1\nnative calls = 9\n") == {"compiled": 1, "native_calls": 9}
    assert parse_stats("nothing here") == {}


@pytest.mark.parametrize("name", HOT_PROGRAMS)
def test_jit_runs_natively(name: str, run_py, make_env):
    program = PROGRAMS_DIR / name
    env = make_env()
    ref = run_py([program.name], cwd=PROGRAMS_DIR, env=env)
    jit = run_py(["-m", "coir", "--threshold", "0", "--stats", program.name],
                 cwd=PROGRAMS_DIR, env=env)
    stderr = jit.stderr.decode("utf-8", "backslashreplace")
    assert jit.returncode == ref.returncode == 0, f"--stats run failed:\n{stderr}"
    assert jit.stdout == ref.stdout, "stdout under --stats differs:\n" + _diff(
        "stdout", ref.stdout, jit.stdout)
    stats = parse_stats(stderr)
    assert "compiled" in stats and "native_calls" in stats, (
        f"could not find 'compiled' and 'native_calls' counts in --stats output:\n{stderr}")
    assert stats["compiled"] >= 1, f"no function was compiled:\n{stderr}"
    assert stats["native_calls"] > 0, f"compiled code never ran:\n{stderr}"
