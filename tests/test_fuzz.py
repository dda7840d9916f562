"""A fixed-seed slice of the hostile-code-object fuzzer (``tests/fuzz_code.py``): a few
thousand mutants of real code objects, each compiled (never run) in child processes; any
crash, panic, internal error or refusal without a byte offset fails the test. The long run is
``./setup.sh fuzz --count 100000``.
"""
import subprocess
import sys
import types

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
import fuzz_code  # noqa: E402

# A smaller stdlib corpus than the long run's, so corpus building stays a second or two.
STDLIB = "argparse,contextlib,dataclasses,enum,functools,json/decoder,re/_parser,textwrap,traceback"


def test_fixed_seed_mutants_compile_or_are_refused(tmp_path):
    rc = fuzz_code.main(["--count", "10000", "--seed", "20240614", "--batch", "5000", "--jobs", "2",
                         "--gcc-every", "100", "--stdlib", STDLIB, "--crash-dir", str(tmp_path), "--quiet"])
    s = fuzz_code.run.summary
    msgs = [f"{f['key']}: {f['message'][:400]}" for f in fuzz_code.run.failures[:10]]
    assert rc == 0 and s["failures"] == 0, "\n".join(msgs)
    assert s["mutants"] == 10000
    # The mutants reach every stage: some lower completely, some are refused by the decoder.
    assert s["counts"].get("lowered", 0) + s["counts"].get("lowered +gcc", 0) > 100, s["counts"]
    assert any(k.startswith("malformed: oparg") for k in s["counts"]), s["counts"]


def test_fuzzer_detects_a_failure(monkeypatch):
    """The classifier is not blind: an internal-error refusal and a panic count as failures."""
    import coir
    corpus = fuzz_code.build_corpus([])[:5]
    cf = [fuzz_code.fields_of(c) for c in corpus]
    fake = types.SimpleNamespace(check_lowering=lambda c: ("internal error: IR verifier", "f: boom"))
    monkeypatch.setattr(coir, "_native", fake)
    monkeypatch.setitem(sys.modules, "coir._native", fake)
    keys = {fuzz_code.classify(corpus, cf, 1, i, True, True, False)[0] for i in range(20)}
    assert "FAIL internal error: IR verifier" in keys, keys

    def boom(c):
        raise BaseException("panic")
    fake.check_lowering = boom
    keys = {fuzz_code.classify(corpus, cf, 1, i, True, True, False)[0] for i in range(20)}
    assert "FAIL exception" in keys, keys


def test_getter_filter_matches_deopt_code():
    """The mutants kept from coir are exactly those CPython's co_code getter mishandles."""
    op = __import__("dis").opmap
    assert fuzz_code.getter_unsafe(bytes([op["BINARY_OP"], 0]))             # caches past the end
    assert not fuzz_code.getter_unsafe(bytes([op["BINARY_OP"], 0]) + bytes(10) + bytes([op["RETURN_VALUE"], 0]))
    assert fuzz_code.getter_unsafe(bytes([op["ENTER_EXECUTOR"], 0, op["RETURN_VALUE"], 0]))
    assert not fuzz_code.getter_unsafe(bytes([op["RETURN_VALUE"], 0]))


# Regressions found by the fuzzer, each a code object that is compiled (never run).

def _template(a, b):
    return a


def _code(*units, stacksize=2):
    import dis
    b = b"".join(bytes([dis.opmap[n], a]) + bytes(2 * dict(dis._inline_cache_entries).get(n, 0)) for n, a in units)
    return _template.__code__.replace(co_code=b, co_stacksize=stacksize, co_exceptiontable=b"", co_linetable=b"")


def test_function_where_nothing_can_fail_compiles():
    """No fallible instruction (RESUME 2 does not check the eval breaker): the IR's shared
    raise block is unreachable, which libgccjit refused ("unreachable block")."""
    import coir
    from coir import _native
    c = _code(("RESUME", 2), ("LOAD_FAST_BORROW", 0), ("RETURN_VALUE", 0))
    assert _native.check_lowering(c) is None
    coir.compile(c)


def test_huge_declared_stack_is_not_allocated():
    """co_stacksize up to INT_MAX is accepted by CPython; coir used to allocate that many IR
    variables and abort the process."""
    from coir import _native
    c = _code(("RESUME", 0), ("LOAD_FAST_BORROW", 0), ("RETURN_VALUE", 0), stacksize=2**31 - 1)
    assert _native.check_lowering(c) is None


def test_load_common_constant_past_the_table_is_refused():
    """Opargs 5..16 were accepted and the native code read past interp->common_consts."""
    from coir import _native
    c = _code(("RESUME", 0), ("LOAD_COMMON_CONSTANT", 5), ("RETURN_VALUE", 0))
    res = _native.check_lowering(c)
    assert res is not None and "out of range" in res[1] and "byte offset 2" in res[1], res


HOSTILE = r'''
import gc
import opcode
import coir
from coir import _native

def f(a, b):
    return a + b

# The last instruction is BINARY_OP with its inline caches cut off: CPython's co_code getter
# would write past the end of its buffer for this object.
code = f.__code__
raw = bytes([opcode.opmap["RESUME"], 0, opcode.opmap["LOAD_FAST_LOAD_FAST"], 1, opcode.opmap["BINARY_OP"], 0])
c = code.replace(co_code=raw, co_linetable=b"", co_exceptiontable=b"")
for call in (lambda: coir.compile(c), lambda: coir.is_compiled(c), lambda: coir.dump(c, "bytecode"),
             lambda: _native.check_lowering(c), lambda: _native.decode(c), lambda: coir.jit(c)):
    try:
        call()
    except (coir.CompileError, ValueError, TypeError, AttributeError) as e:
        assert "byte offset" in str(e) or not isinstance(e, coir.CompileError), e
junk = [bytes(64) * (i % 7 + 1) for i in range(200000)]
gc.collect()
print("survived")
'''


def test_hostile_code_never_reaches_the_co_code_getter():
    """Every entry point of coir takes a hand-made code object without touching CPython's
    co_code getter (fuzz seed 77 mutant 5400 corrupted the heap through `hasattr(obj,
    'co_code')` in coir.compile)."""
    r = subprocess.run([sys.executable, "-c", HOSTILE], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "survived", r.stderr[-2000:]
