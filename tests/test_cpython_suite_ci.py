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
