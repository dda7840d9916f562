"""coir's oparg limits (``crates/bytecode-cfg/src/opargs.rs``) agree with the running
interpreter: each limit is taken here from the interpreter (``_opcode``, ``dis``, ``opcode``)
and from the ``#define`` in the headers coir's runtime is compiled against, then a code object
with the opcode at the last valid oparg must not be refused for its oparg, and one just past
it must be refused with a message naming the opcode's byte offset.

The code objects are only compiled (``_native.check_lowering``), never run.
"""
import dis
import opcode
import re
import sysconfig
from pathlib import Path

import _opcode
import pytest

from coir import _native

OP = dis.opmap
CACHES = dict(dis._inline_cache_entries)
INCLUDE = Path(sysconfig.get_paths()["include"])


def header_define(header, name):
    text = (INCLUDE / header).read_text()
    m = re.search(rf"^#define\s+{name}\s+(0x[0-9a-fA-F]+|\d+)\s*$", text, re.M)
    assert m, f"{name} not in {header}"
    return int(m.group(1), 0)


def ins(name, arg=0):
    """One instruction with its EXTENDED_ARG prefixes and zeroed inline caches."""
    out = b""
    for shift in (24, 16, 8):
        if arg >> shift:
            out += bytes([opcode.EXTENDED_ARG, (arg >> shift) & 0xFF])
    return out + bytes([OP[name], arg & 0xFF]) + bytes(2 * CACHES.get(name, 0))


def _f(a, b):
    return a


def check(body, stacksize=3):
    """check_lowering of ``RESUME; body; RETURN_VALUE`` as the code of a two-argument function."""
    code = ins("RESUME") + body + ins("RETURN_VALUE")
    c = _f.__code__.replace(co_code=code, co_stacksize=stacksize, co_exceptiontable=b"", co_linetable=b"")
    return _native.check_lowering(c)


def out_of_range(res, offset):
    return res is not None and "out of range" in res[1] and f"byte offset {offset}" in res[1]


def prefix_len(arg):
    return 2 * sum(1 for s in (8, 16, 24) if arg >> s)


TWO = ins("LOAD_FAST_BORROW", 0) + ins("LOAD_FAST_BORROW", 1)
ONE = ins("LOAD_FAST_BORROW", 0)

# name -> (first invalid oparg according to the interpreter, operands before, code after,
#          (header, #define, what to add to the define to get the first invalid oparg))
LIMITS = {
    "LOAD_COMMON_CONSTANT": (len(opcode._common_constants), b"", b"",
                             ("internal/pycore_opcode_utils.h", "NUM_COMMON_CONSTANTS", 0)),
    "CALL_INTRINSIC_1": (len(_opcode.get_intrinsic1_descs()), ONE, b"",
                         ("internal/pycore_intrinsics.h", "MAX_INTRINSIC_1", 1)),
    "CALL_INTRINSIC_2": (len(_opcode.get_intrinsic2_descs()), TWO, b"",
                         ("internal/pycore_intrinsics.h", "MAX_INTRINSIC_2", 1)),
    "BINARY_OP": (len(_opcode.get_nb_ops()), TWO, b"", ("opcode.h", "NB_OPARG_LAST", 1)),
    "LOAD_SPECIAL": (len(_opcode.get_special_method_names()), ONE, ins("POP_TOP"),
                     ("internal/pycore_ceval.h", "SPECIAL_MAX", 1)),
    # dis shows CONVERT_VALUE's oparg as (None, str, repr, ascii)[oparg].
    "CONVERT_VALUE": (4, ONE, b"", ("ceval.h", "FVC_ASCII", 1)),
}


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_table_limits_match_the_interpreter(name):
    first_bad, pre, post, (header, define, plus) = LIMITS[name]
    assert header_define(header, define) + plus == first_bad, "interpreter and headers disagree"
    for arg, ok in [(first_bad - 1, True), (first_bad, False), (first_bad + 1000, False)]:
        res = check(pre + ins(name, arg) + post)
        off = 2 + len(pre) + prefix_len(arg)
        assert out_of_range(res, off) != ok, (arg, res)


def test_compare_op_limit():
    n = len(dis.cmp_op)
    assert n == 6  # Py_LT..Py_GE
    assert not out_of_range(check(TWO + ins("COMPARE_OP", (n - 1) << 5 | 16)), 6)
    assert out_of_range(check(TWO + ins("COMPARE_OP", n << 5)), 6)


def test_set_function_attribute_flags():
    flags = dis.FUNCTION_ATTR_FLAGS
    last = 1 << (len(flags) - 1)
    assert last == header_define("internal/pycore_opcode_utils.h", "MAKE_FUNCTION_ANNOTATE")
    for k in range(len(flags)):
        assert not out_of_range(check(TWO + ins("SET_FUNCTION_ATTRIBUTE", 1 << k)), 6)
    for bad in (0, 3, last << 1):
        assert out_of_range(check(TWO + ins("SET_FUNCTION_ATTRIBUTE", bad)), 6), bad


def test_load_small_int_limit():
    # The compiler uses LOAD_SMALL_INT exactly below 256; coir accepts exactly those.
    ops = lambda src: [i.opname for i in dis.get_instructions(compile(src, "", "exec"))]
    assert "LOAD_SMALL_INT" in ops("x = 255") and "LOAD_SMALL_INT" not in ops("x = 256")
    assert not out_of_range(check(ins("LOAD_SMALL_INT", 255)), 2)
    assert out_of_range(check(ins("LOAD_SMALL_INT", 256)), 4)


@pytest.mark.parametrize("name,arg,offset", [
    ("LOAD_CONST", None, 2),
    ("LOAD_GLOBAL", 0, 2),
    ("LOAD_FAST", 2, 2),
    ("LOAD_FAST_LOAD_FAST", 0x02, 2),
    ("LOAD_FAST_LOAD_FAST", 0x20, 2),
    ("STORE_FAST_STORE_FAST", 0x12, 6),
    ("LOAD_DEREF", 2, 2),
])
def test_table_indices(name, arg, offset):
    c = _f.__code__
    assert len(c.co_names) == 0 and c.co_nlocals == 2 and not c.co_cellvars and not c.co_freevars
    body = {
        "LOAD_CONST": lambda: ins("LOAD_CONST", len(c.co_consts)),
        "LOAD_GLOBAL": lambda: ins("LOAD_GLOBAL", 0),
        "LOAD_FAST": lambda: ins("LOAD_FAST", arg),
        "LOAD_FAST_LOAD_FAST": lambda: ins("LOAD_FAST_LOAD_FAST", arg) + ins("POP_TOP"),
        "STORE_FAST_STORE_FAST": lambda: TWO + ins("STORE_FAST_STORE_FAST", arg) + ins("LOAD_FAST_BORROW", 0),
        "LOAD_DEREF": lambda: ins("LOAD_DEREF", arg),
    }[name]()
    res = check(body)
    assert out_of_range(res, offset), res


def test_binary_op_opargs_computed_inline_are_the_interpreters():
    """The NB_* opargs the arith pass and lowering recognise (opargs.rs) name the interpreter's
    operators."""
    src = (Path(__file__).resolve().parent.parent / "crates/bytecode-cfg/src/opargs.rs").read_text()
    ours = {m.group(1): int(m.group(2)) for m in re.finditer(r"pub const (NB_\w+): u32 = (\d+);", src)}
    names = [name for name, _ in _opcode.get_nb_ops()]
    for name in ("NB_ADD", "NB_SUBTRACT", "NB_MULTIPLY", "NB_FLOOR_DIVIDE", "NB_REMAINDER", "NB_POWER", "NB_TRUE_DIVIDE",
                 "NB_AND", "NB_OR", "NB_XOR", "NB_SUBSCR"):
        assert ours[name] == names.index(name), name
    assert ours["NB_INPLACE_OFFSET"] == names.index("NB_INPLACE_ADD") - names.index("NB_ADD")
    for name in ("NB_ADD", "NB_SUBTRACT", "NB_MULTIPLY", "NB_FLOOR_DIVIDE", "NB_REMAINDER", "NB_TRUE_DIVIDE", "NB_AND", "NB_OR",
                 "NB_XOR"):
        assert names[ours[name] + ours["NB_INPLACE_OFFSET"]] == name.replace("NB_", "NB_INPLACE_")
