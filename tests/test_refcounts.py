"""Reference-count leak checks for compiled code.

tests/refcount_probe.py runs under ``python -m coir --threshold 0`` (so every function in it,
the measuring loop included, is compiled on first call). For each case it warms the function up,
then compares sys.getrefcount of every object the function touches and
sys.getallocatedblocks() before and after 2000 further calls. Here we require:

* no refcount changed at all (a reference leaked or dropped per call shows as about +-2000);
* allocated blocks grew by less than BLOCK_BOUND (an object leaked per call shows as ~2000).

The probe's --selftest-leak cases leak on purpose; they must be flagged, under the plain
interpreter and under the JIT, so a check that can never fail is caught.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PROBE = "refcount_probe.py"
CALLS = 2000
BLOCK_BOUND = 200
LEAK_CASES = {"leak_reference", "leak_objects"}


def run_probe(run_py, make_env, jit: bool) -> dict:
    args = (["-m", "coir", "--threshold", "0"] if jit else []) + [
        PROBE, "--calls", str(CALLS), "--selftest-leak"]
    proc = run_py(args, cwd=TESTS_DIR, env=make_env())
    stderr = proc.stderr.decode("utf-8", "backslashreplace")
    assert proc.returncode == 0, f"probe failed (exit {proc.returncode}):\n{stderr}"
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail("probe output is not JSON:\n"
                    + proc.stdout.decode("utf-8", "backslashreplace") + "\nstderr:\n" + stderr)


def problems_of(case: dict) -> list[str]:
    out = [f"refcount of {label} changed by {delta:+d}"
           for label, delta in sorted(case["refcount_deltas"].items()) if delta != 0]
    if case["blocks_delta"] >= BLOCK_BOUND:
        out.append(f"allocated blocks grew by {case['blocks_delta']} (bound {BLOCK_BOUND})")
    return out


def check_report(report: dict) -> None:
    names = {c["name"] for c in report["cases"]}
    assert LEAK_CASES <= names, f"self-test leak cases missing from the report: {sorted(names)}"
    assert len(names - LEAK_CASES) >= 10, f"too few probe cases ran: {sorted(names)}"
    failures = []
    for case in report["cases"]:
        found = problems_of(case)
        if case["name"] in LEAK_CASES:
            if not found:
                failures.append(f"{case['name']}: deliberate leak NOT detected "
                                f"(deltas {case['refcount_deltas']}, "
                                f"blocks {case['blocks_delta']}): the check cannot fail")
        elif found:
            failures.append(f"{case['name']}: " + "; ".join(found))
    assert not failures, "\n".join(failures)


def test_probe_sane_under_interpreter(run_py, make_env):
    """The harness itself: clean under plain CPython, and the deliberate leaks are seen."""
    report = run_probe(run_py, make_env, jit=False)
    assert report["coir_loaded"] is False
    check_report(report)
    leaks = {c["name"]: c for c in report["cases"] if c["name"] in LEAK_CASES}
    assert max(leaks["leak_reference"]["refcount_deltas"].values()) >= CALLS * 0.9
    assert leaks["leak_objects"]["blocks_delta"] >= CALLS * 0.9


def test_no_refcount_leaks_under_jit(run_py, make_env):
    report = run_probe(run_py, make_env, jit=True)
    assert report["coir_loaded"] is True, "probe did not run under coir"
    check_report(report)
