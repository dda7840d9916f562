"""Shared fixtures and helpers for coir's Python-level tests.

The tests run programs in subprocesses with the interpreter that runs pytest
(``sys.executable``: the project's venv Python 3.14, where ``coir`` is installed):

* ``PYTHON FILE.py``                         -- the oracle (plain CPython);
* ``PYTHON -m coir --threshold 0 FILE.py``   -- every function compiled on first call.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
PROGRAMS_DIR = TESTS_DIR / "programs"

# The programs under tests/programs are run in subprocesses, never imported or collected.
collect_ignore = ["programs"]

# Seconds allowed for one subprocess run. Compiling every function (stdlib ones included) at
# threshold 0 is much slower than interpreting a small program, hence the generous default.
RUN_TIMEOUT = float(os.environ.get("COIR_TEST_TIMEOUT", "300"))


def program_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for every subprocess run: deterministic hashing, no .pyc writes, UTF-8
    output and no colour (tracebacks are compared byte for byte)."""
    env = dict(os.environ)
    for var in ("FORCE_COLOR", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONWARNINGS", "PYTHON_JIT"):
        env.pop(var, None)
    env.update(
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        PYTHONUTF8="1",
        PYTHON_COLORS="0",
        NO_COLOR="1",
        # coir reports refusals that are its own bugs on stderr (see coir/__init__.py).
        COIR_STRICT="1",
    )
    if extra:
        env.update(extra)
    return env


def run_python(python: str, args: list[str], cwd: Path, env: dict[str, str] | None = None,
               timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` in ``cwd`` capturing raw stdout/stderr bytes."""
    return subprocess.run(
        [python, *args],
        cwd=str(cwd),
        env=env if env is not None else program_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout if timeout is not None else RUN_TIMEOUT,
    )


@pytest.fixture(scope="session")
def python_exe() -> str:
    """The interpreter running pytest; both the oracle and the JIT runs use it."""
    return sys.executable


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def programs_dir() -> Path:
    return PROGRAMS_DIR


@pytest.fixture(scope="session")
def make_env():
    """``make_env(extra=None)`` -> environment dict for subprocess runs (see program_env)."""
    return program_env


@pytest.fixture(scope="session")
def run_py(python_exe):
    """``run_py(args, cwd, env=None, timeout=None)`` -> CompletedProcess of ``python_exe ARGS``."""
    def run(args, cwd, env=None, timeout=None):
        return run_python(python_exe, list(args), Path(cwd), env=env, timeout=timeout)
    return run
