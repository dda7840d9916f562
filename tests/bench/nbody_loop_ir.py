"""What one iteration of nbody's pair loop costs in compiled code, from the IR.

    .venv/bin/python tests/bench/nbody_loop_ir.py          # with speculation
    COIR_SPECULATE=0 .venv/bin/python tests/bench/nbody_loop_ir.py   # without guards

Warms nbody's `step` in the interpreter (so the quickened code carries feedback), compiles it,
and counts in `coir.dump(step, "ssa")` the helper calls, the helper calls that allocate (boxes
and generic arithmetic) and the guards and inline checks on the blocks of the first loop (the
pair loop: from its FOR_ITER to its JUMP_BACKWARD), error, landing and edge blocks excluded.
A diagnostic, not a test: the numbers go into the issue notes.
"""
import dis
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs"))
import coir  # noqa: E402
import nbody  # noqa: E402

ALLOCATING = re.compile(r"call (box_float|box_int|binary_op|binary_op_numeric|build_)")


def main():
    bodies = nbody.make_system()
    pairs = nbody.pairs_of(bodies)
    for _ in range(200):
        nbody.step(0.01, bodies, pairs)
    coir.compile(nbody.step)
    text = coir.dump(nbody.step, "ssa")
    ins = list(dis.get_instructions(nbody.step))
    first = next(i.offset for i in ins if i.opname == "FOR_ITER")
    back = next(i.offset for i in ins if i.opname == "JUMP_BACKWARD" and i.offset > first)
    calls = allocs = checks = reuses = 0
    cur = None
    for line in text.splitlines():
        m = re.match(r"b\d+(\(.*\))?: # (\w+)", line)
        if m:
            name = m.group(2)
            off = re.match(r"b(\d+)_", name)
            cur = int(off.group(1)) if off else None
            if name == f"for_body_{first}":
                cur = first
            continue
        if cur is None or not first <= cur <= back:
            continue
        if re.search(r"(= |^\s+)call ", line) and "traceback_here" not in line:
            calls += 1
            allocs += bool(ALLOCATING.search(line))
        if re.search(r"\bguard|\bitem |store_item|tuple_item|list_item", line):
            checks += 1
        # Boxes that write into the float they replace when nothing else holds it
        # (reuse_float_locals), allocating only otherwise.
        if re.search(r"= box_float_(into|over)", line):
            reuses += 1
    spec = os.environ.get("COIR_SPECULATE", "1")
    print(f"speculation {'off' if spec == '0' else 'on'}: pair loop (bytes {first}..{back}): "
          f"{calls} helper calls, {allocs} allocating, {reuses} boxes reusing the float they replace, "
          f"{checks} guards and inline checks per iteration")


if __name__ == "__main__":
    main()
