"""CPython's own regression tests, run with coir enabled.

The monitoring and tracing suites must pass as they do without coir: the frame hook steps
aside while any sys.monitoring tool is active (DESIGN.md §4). A second group runs core
language suites with every function compiled on its first call (threshold 0)."""
import subprocess
import sys

import pytest

MONITORING = ["test_monitoring", "test_sys_settrace", "test_bdb", "test_pdb"]
CORE_AT_THRESHOLD_0 = ["test_scope", "test_class", "test_raise", "test_with", "test_listcomps", "test_unpack",
                       "test_augassign", "test_contextlib", "test_keywordonlyarg", "test_extcall",
                       "test_exceptions", "test_traceback", "test_frame", "test_sys"]


def _regrtest(tests, *coir_args):
    cmd = [sys.executable, "-m", "coir", *coir_args, "-m", "test", "--timeout", "900", *tests]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    tail = "\n".join((r.stdout + r.stderr).splitlines()[-40:])
    assert r.returncode == 0 and "Result: SUCCESS" in r.stdout, tail


def test_monitoring_suites_pass_with_coir_enabled():
    _regrtest(MONITORING)


@pytest.mark.parametrize("suite", CORE_AT_THRESHOLD_0)
def test_core_suite_at_threshold_0(suite):
    _regrtest([suite], "--threshold", "0")
