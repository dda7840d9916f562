"""Stress driver for coir's process-level robustness (issue 6): runs programs many times and
counts abnormal outcomes.

    python tests/stress/drive.py exit    [--runs N]   # exits racing the compile thread
    python tests/stress/drive.py sigint  [--runs N]   # SIGINT at random moments while compiling
    python tests/stress/drive.py handler [--runs N]   # handlers installed during a compile stay

Each prints one line per configuration, `<name>: <bad> of <runs> abnormal`, lists what went
wrong, and exits 1 if anything did.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable


def coir_cmd(*args, threshold=None):
    cmd = [PY, "-m", "coir"]
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    return cmd + list(args)


def run(cmd, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e)


def exit_cases():
    """(name, command, expected exit status, expected stderr predicate)."""
    race = os.path.join(HERE, "exit_race.py")
    objs = os.path.join(HERE, "objects_exit.py")
    yield "exit_race", coir_cmd(race), 0, lambda err: err == ""
    yield "exit_race_plain_amplifier_off", coir_cmd(race), 0, lambda err: err == ""
    for mode, status, err_ok in [
        ("normal", 0, lambda err: err == ""),
        ("sysexit", 3, lambda err: err == ""),
        ("raise", 1, lambda err: err.rstrip().endswith("RuntimeError: uncaught on purpose")),
        ("daemon", 0, lambda err: err == ""),
        ("freed", 0, lambda err: err == ""),
        ("disabled", 0, lambda err: err == ""),
    ]:
        yield f"objects_{mode}", coir_cmd(objs, mode, threshold=20), status, err_ok


def drive_exit(runs):
    cases = list(exit_cases())
    bad = []
    counts = {name: 0 for name, *_ in cases}
    for i in range(runs):
        name, cmd, status, err_ok = cases[i % len(cases)]
        env = {"BG_CRASH_PLAIN": "1"} if name.endswith("amplifier_off") else {}
        r = run(cmd, env)
        counts[name] += 1
        if r.returncode != status or not err_ok(r.stderr):
            bad.append(f"{name}: exit {r.returncode} (want {status}); stderr: {r.stderr[-400:]!r}")
    return [("exit", runs, bad)]


def drive_sigint(runs):
    prog = os.path.join(HERE, "sigint_compile.py")
    out = []
    for label, threshold in [("threshold 0", 0), ("background", 5)]:
        bad = []
        for _ in range(runs):
            p = subprocess.Popen(coir_cmd(prog, threshold=threshold), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            # Wait until the functions exist, then interrupt at a random moment of the
            # compiling phase (400 compiles take a few seconds).
            first = p.stdout.readline()
            time.sleep(random.uniform(0.0, 1.5))
            p.send_signal(signal.SIGINT)
            try:
                rest, err = p.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
                rest, err = p.communicate()
            text = first + rest
            ok = p.returncode == 0 and text.rstrip().endswith("KeyboardInterrupt") and err == ""
            # A signal that lands after the program's last line, while the interpreter
            # finalises (its handlers already removed), ends it as it would end the plain
            # interpreter: not coir's doing.
            late = "finished before the signal" in text and p.returncode in (0, -signal.SIGINT)
            if not ok and not late:
                bad.append(f"exit {p.returncode}, stdout {text[-200:]!r}, stderr {err[-400:]!r}")
        out.append((f"sigint, {label}", runs, bad))
    return out


def drive_handler(runs):
    prog = os.path.join(HERE, "handler_during_compile.py")
    bad = []
    for _ in range(runs):
        r = run(coir_cmd(prog, threshold=1000))  # "hot" is 1000 calls here
        if r.returncode != 0 or r.stdout.strip() != "compiled handler ran" or r.stderr:
            bad.append(f"exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr[-300:]!r}")
    return [("handler installed during a compile", runs, bad)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["exit", "sigint", "handler"])
    ap.add_argument("--runs", type=int, default=None)
    a = ap.parse_args(argv)
    default = {"exit": 60, "sigint": 100, "handler": 20}[a.what]
    results = {"exit": drive_exit, "sigint": drive_sigint, "handler": drive_handler}[a.what](a.runs or default)
    failed = False
    for name, n, bad in results:
        print(f"{name}: {len(bad)} of {n} abnormal")
        for b in bad[:10]:
            print("   ", b)
        failed |= bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
