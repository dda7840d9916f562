"""CPython's own regression suite under coir: the CI list of tests/cpython_tests.py.

Runs ``tests/cpython_tests.py --list ci`` (each module plainly and under ``python -m coir
--threshold 0``, in parallel) and fails if any module that passes under the interpreter does
not pass under coir; the runner's table is printed either way (``pytest -s`` or on failure).
The full list: ``./setup.sh cpython-tests``."""
import os
import re
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parent / "cpython_tests.py"
JOBS = os.environ.get("COIR_SUITE_JOBS", str(os.cpu_count() or 2))


def test_cpython_suite_ci_list_passes_under_coir():
    cmd = [sys.executable, str(RUNNER), "--list", "ci", "-j", JOBS, "--timeout", "1500"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    print(r.stdout)
    print(r.stderr, file=sys.stderr)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
    assert r.returncode == 0 and m and m.group(2) == "0", r.stdout[-20000:] + r.stderr[-5000:]


def test_cpython_suite_ci_list_passes_in_deopt_stress_mode():
    """The same list at threshold 3 (compiled with the interpreter's feedback, so with guards)
    and COIR_DEOPT_STRESS=1 (every guard fails on its first execution): each module must
    still pass, and guards must have failed (or the mode tested nothing)."""
    cmd = [sys.executable, str(RUNNER), "--list", "ci", "-j", JOBS, "--timeout", "1500",
           "--coir-only", "--threshold", "3", "--deopt-stress"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    print(r.stdout)
    print(r.stderr, file=sys.stderr)
    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", lines[-1] if lines else "")
    assert r.returncode == 0 and m and m.group(2) == "0", r.stdout[-20000:] + r.stderr[-5000:]
    d = re.search(r"^# coir: .* (\d+) deopts$", r.stdout, re.M)
    assert d and int(d.group(1)) > 0, r.stdout[-5000:]
