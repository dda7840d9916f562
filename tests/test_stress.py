"""Process-level robustness under stress (issue 6): exits racing the compile thread, SIGINT at
random moments during compiles, signal handlers installed while a compile runs. The driver is
`tests/stress/drive.py` (longer runs: `python tests/stress/drive.py sigint --runs 500`)."""
import os
import subprocess
import sys

import pytest

DRIVER = os.path.join(os.path.dirname(__file__), "stress", "drive.py")


@pytest.mark.parametrize("what,runs", [("exit", 60), ("sigint", 50), ("handler", 20)])
def test_stress(what, runs):
    r = subprocess.run([sys.executable, DRIVER, what, "--runs", str(runs)], capture_output=True, text=True,
                       timeout=1800)
    print(r.stdout, r.stderr)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 0 of " in r.stdout
