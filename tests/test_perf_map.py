"""Compiled functions are named in /tmp/perf-<pid>.map (CPython's perf-map API), so that
`perf report` can name them: an entry `ADDR SIZE py::qualname:filename` per installed function
when COIR_PERF_MAP=1 or CPython's perf support (-X perf, PYTHONPERFSUPPORT=1) is on."""
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import program_env

# Runs in a child process: compiles a function, then reports its own perf map entries and its
# executable mappings at that moment (the compiled code is still loaded), and removes the map.
PROGRAM = textwrap.dedent("""
    import json, os, sys
    trampoline = sys.is_stack_trampoline_active()
    import coir

    @coir.jit
    def perf_target_fn(n):
        total = 0
        for i in range(n):
            total += i * i
        return total

    class Holder:
        def method_target(self, x):
            return x + 1

    def plain_interpreted_fn(x):
        return x * 2

    assert perf_target_fn(10) == 285
    # Not marked: runs in the interpreter (through whatever evaluator coir's hook chains to).
    assert plain_interpreted_fn(2) == 4
    coir.compile(Holder.method_target)
    assert Holder().method_target(1) == 2
    path = f"/tmp/perf-{os.getpid()}.map"
    entries = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                addr, size, name = line.rstrip("\\n").split(" ", 2)
                entries.append((int(addr, 16), int(size, 16), name))
        os.unlink(path)
    # The loader's name for each address: the exported symbol of the function's shared object.
    import ctypes
    class DlInfo(ctypes.Structure):
        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                    ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]
    libc = ctypes.CDLL(None)
    symbols = {}
    for addr, _size, name in entries:
        info = DlInfo()
        if libc.dladdr(ctypes.c_void_p(addr), ctypes.byref(info)) and info.sname:
            symbols[name] = [info.sname.decode(), info.saddr == addr]
    maps = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            maps.append((lo, hi, parts[1], parts[5] if len(parts) > 5 else ""))
    print(json.dumps({"pid": os.getpid(), "file": __file__, "entries": entries, "maps": maps,
                      "symbols": symbols,
                      "trampoline": trampoline}))
""")


def run(tmp_path, args=(), **env):
    prog = tmp_path / "perfprog.py"
    prog.write_text(PROGRAM)
    e = program_env(env)
    e.pop("COIR_PERF_MAP", None)
    e.pop("PYTHONPERFSUPPORT", None)
    e.update(env)
    p = subprocess.run([sys.executable, *args, str(prog)], capture_output=True, text=True,
                       env=e, timeout=300)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    # Entries written after the child read its map (at exit, by CPython's trampoline).
    remove_map(out["pid"])
    return out


def remove_map(pid):
    try:
        os.unlink(f"/tmp/perf-{pid}.map")
    except FileNotFoundError:
        pass


def coir_entries(out):
    return {name: (addr, size) for addr, size, name in out["entries"]
            if name.endswith(":" + out["file"]) and "target" in name}


def test_x_perf_without_coir(tmp_path):
    """The baseline the -X perf test relies on: without coir, CPython's trampoline names
    interpreted functions in the same map."""
    prog = tmp_path / "plain.py"
    prog.write_text("import os, sys\n"
                    "def f(): return 1\n"
                    "f()\n"
                    "p = f'/tmp/perf-{os.getpid()}.map'\n"
                    "print(open(p).read() if os.path.exists(p) else '')\n"
                    "os.path.exists(p) and os.unlink(p)\n")
    p = subprocess.Popen([sys.executable, "-X", "perf", str(prog)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=program_env())
    stdout, stderr = p.communicate(timeout=120)
    remove_map(p.pid)
    assert p.returncode == 0, stderr
    assert f"py::f:{prog}" in stdout


def check_entries(out):
    ours = coir_entries(out)
    for qualname in ("perf_target_fn", "Holder.method_target"):
        name = f"py::{qualname}:{out['file']}"
        assert name in ours, f"{name} missing from the perf map: {out['entries'][:20]}"
        addr, size = ours[name]
        assert 0 < size < 1 << 20, (name, size)
        # The code lies within one executable mapping of the process: the function's shared
        # object, still loaded.
        inside = [m for m in out["maps"] if m[0] <= addr and addr + size <= m[1]]
        assert inside, f"{name} at {addr:#x}+{size:#x} is in no mapping"
        assert "x" in inside[0][2], f"{name} at {addr:#x} is in a mapping without exec: {inside[0]}"
        # It is the start of the function's exported symbol, `py_`, the qualified name and
        # 12 hex digits of its cache key, which is what perf report shows for this
        # file-backed code.
        symbol, at_start = out["symbols"].get(name, [None, False])
        assert at_start and re.fullmatch("py_" + re.escape(qualname.replace(".", "_")) + "_[0-9a-f]{12}", symbol or ""), \
            (name, out["symbols"].get(name))
    return ours


def test_perf_map_with_coir_perf_map(tmp_path):
    out = run(tmp_path, COIR_PERF_MAP="1")
    ours = check_entries(out)
    # Two functions, two distinct pieces of code.
    assert len({a for a, _ in ours.values()}) == len(ours)


def test_perf_map_with_x_perf(tmp_path):
    """CPython's own perf support (-X perf) turns coir's entries on too; its trampolines write to
    the same file."""
    out = run(tmp_path, args=("-X", "perf"))
    if not out["trampoline"]:
        pytest.skip("this CPython has no perf trampoline")
    check_entries(out)
    # Interpreted frames still go through CPython's trampoline (coir's hook chains to it), which
    # names them in the same map.
    names = [name for _a, _s, name in out["entries"]]
    assert f"py::plain_interpreted_fn:{out['file']}" in names, names[-20:]


def test_perf_map_with_pythonperfsupport(tmp_path):
    out = run(tmp_path, PYTHONPERFSUPPORT="1")
    if not out["trampoline"]:
        pytest.skip("this CPython has no perf trampoline")
    check_entries(out)


def test_no_perf_map_by_default(tmp_path):
    out = run(tmp_path)
    assert coir_entries(out) == {}


def test_coir_perf_map_0_overrides_x_perf(tmp_path):
    out = run(tmp_path, args=("-X", "perf"), COIR_PERF_MAP="0")
    assert coir_entries(out) == {}

