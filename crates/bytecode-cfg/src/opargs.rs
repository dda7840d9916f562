//! What each opcode's oparg may be: every index is checked against the code object's tables
//! and every enumerated oparg against the interpreter's table it selects from, so nothing
//! after decoding reads outside a table (native code indexes the interpreter's arrays with
//! these opargs exactly as `bytecodes.c` does, and the interpreter itself only `assert`s).
//!
//! The limits are CPython 3.14 facts, written here once. Each names the header it comes from;
//! `tests/test_oparg_limits.py` checks every one against the running interpreter (`_opcode`,
//! `dis`, and the `#define`s of the headers the runtime is built against) by compiling code
//! at and just past each limit, so a different interpreter cannot silently disagree.
use crate::decode::Instr;
use crate::error::CfgError;
use crate::opcodes::{self, Opcode};
use crate::CodeInput;

/// `NUM_COMMON_CONSTANTS` (`internal/pycore_opcode_utils.h`): `LOAD_COMMON_CONSTANT` indexes
/// `interp->common_consts[NUM_COMMON_CONSTANTS]`.
pub const NUM_COMMON_CONSTANTS: u32 = 5;
/// `MAX_INTRINSIC_1` (`internal/pycore_intrinsics.h`): last index of
/// `_PyIntrinsics_UnaryFunctions` (entry 0 is `INTRINSIC_1_INVALID`, which raises).
pub const MAX_INTRINSIC_1: u32 = 11;
/// `MAX_INTRINSIC_2` (`internal/pycore_intrinsics.h`): last index of
/// `_PyIntrinsics_BinaryFunctions`.
pub const MAX_INTRINSIC_2: u32 = 5;
/// `BINARY_OP`'s opargs for the arithmetic coir computes inline on numbers whose types it
/// knows (`opcode.h`'s `NB_*`); each in-place form is `NB_INPLACE_OFFSET` more.
/// (`tests/test_oparg_limits.py` checks them against the interpreter.) `+`.
pub const NB_ADD: u32 = 0;
/// `&`.
pub const NB_AND: u32 = 1;
/// `//`.
pub const NB_FLOOR_DIVIDE: u32 = 2;
/// `*`.
pub const NB_MULTIPLY: u32 = 5;
/// `%`.
pub const NB_REMAINDER: u32 = 6;
/// `|`.
pub const NB_OR: u32 = 7;
/// `**`.
pub const NB_POWER: u32 = 8;
/// `-`.
pub const NB_SUBTRACT: u32 = 10;
/// `/`.
pub const NB_TRUE_DIVIDE: u32 = 11;
/// `^`.
pub const NB_XOR: u32 = 12;
/// `NB_INPLACE_ADD - NB_ADD`.
pub const NB_INPLACE_OFFSET: u32 = 13;

/// The operator of a `BINARY_OP` oparg: an in-place form's plain one (`NB_SUBSCR` lies past
/// the in-place forms and is its own).
pub fn nb_operator(oparg: u32) -> u32 {
    if (NB_INPLACE_OFFSET..2 * NB_INPLACE_OFFSET).contains(&oparg) { oparg - NB_INPLACE_OFFSET } else { oparg }
}
/// `NB_OPARG_LAST` (`opcode.h`): last index of `_PyEval_BinaryOps` (`BINARY_OP`).
pub const NB_OPARG_LAST: u32 = 26;
/// `NB_SUBSCR` (`opcode.h`): `BINARY_OP`'s subscript, `container[sub]`.
pub const NB_SUBSCR: u32 = 26;
/// Rich comparisons `Py_LT..=Py_GE` (`object.h`): `COMPARE_OP` passes `oparg >> 5`.
pub const NUM_COMPARISONS: u32 = 6;
/// `Py_EQ` (`object.h`): one of the two comparisons COMPARE_OP_STR specialises.
pub const PY_EQ: u32 = 2;
/// `Py_NE` (`object.h`): the other.
pub const PY_NE: u32 = 3;
/// `COMPARE_OP`'s bit 4 (set by the compiler where the result feeds a branch): the result
/// is made a bool with `PyObject_IsTrue` (`bytecodes.c`'s `_COMPARE_OP`).
pub const COMPARE_TO_BOOL: u32 = 16;
/// `FVC_ASCII` (`ceval.h`): `CONVERT_VALUE` indexes `_PyEval_ConversionFuncs` with
/// `FVC_STR..=FVC_ASCII` (entry 0 is NULL); `BUILD_INTERPOLATION` carries one in `oparg >> 2`.
pub const FVC_LAST: u32 = 3;
/// `SPECIAL_MAX` (`internal/pycore_ceval.h`): last index of `_Py_SpecialMethods`
/// (`LOAD_SPECIAL`).
pub const SPECIAL_MAX: u32 = 3;
/// `MAKE_FUNCTION_ANNOTATE` (`internal/pycore_opcode_utils.h`), the highest of the
/// `MAKE_FUNCTION_*` flags; `SET_FUNCTION_ATTRIBUTE` sets exactly one of them.
pub const MAKE_FUNCTION_LAST_FLAG: u32 = 0x10;
/// `LOAD_SMALL_INT` loads `0 <= oparg < 256`: the compiler emits it only for those
/// (`_PY_IS_SMALL_INT` use in `flowgraph.c`), and coir's ABI copies that many small ints
/// (`small_ints[256]` in `csrc/runtime.h`).
pub const SMALL_INT_LIMIT: u32 = 256;

/// Which table an index oparg selects from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    Consts,
    Names,
    Locals,
}

/// What an opcode's oparg means, for checking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    /// Ignored by the interpreter (opcodes without an argument, and those whose oparg only
    /// picks a message, a location bit or a count the stack-depth check already covers).
    Free,
    /// An index into a table, after shifting right by the given bits.
    Index(Table, u32),
    /// Two 4-bit local indices (`oparg >> 4`, `oparg & 15`).
    TwoLocals,
    /// `lo..=hi`.
    Range(u32, u32),
    /// `COMPARE_OP`: `oparg >> 5` is the comparison.
    Compare,
    /// `SET_FUNCTION_ATTRIBUTE`: one `MAKE_FUNCTION_*` flag.
    OneFlag,
    /// `BUILD_INTERPOLATION`: `oparg >> 2` is a conversion, bit 0 says a format spec is on
    /// the stack; bit 1 means nothing to the interpreter (the compiler always sets it:
    /// `codegen_interpolation` starts from `oparg = 2`).
    Interpolation,
    /// `COPY_FREE_VARS`: a count of trailing localsplus slots.
    FreeCount,
    /// Not a base opcode: refused.
    NotBase,
}

fn arg_kind(op: Opcode) -> Arg {
    use Opcode as O;
    use Table::*;
    match op {
        O::LoadConst => Arg::Index(Consts, 0),
        O::LoadName | O::StoreName | O::DeleteName | O::StoreAttr | O::DeleteAttr | O::StoreGlobal
        | O::DeleteGlobal | O::ImportName | O::ImportFrom | O::LoadFromDictOrGlobals => Arg::Index(Names, 0),
        O::LoadGlobal | O::LoadAttr => Arg::Index(Names, 1),
        O::LoadSuperAttr => Arg::Index(Names, 2),
        O::LoadFast | O::LoadFastBorrow | O::LoadFastCheck | O::LoadFastAndClear | O::StoreFast | O::DeleteFast
        | O::LoadDeref | O::StoreDeref | O::DeleteDeref | O::MakeCell | O::LoadFromDictOrDeref => Arg::Index(Locals, 0),
        O::LoadFastLoadFast | O::LoadFastBorrowLoadFastBorrow | O::StoreFastLoadFast | O::StoreFastStoreFast => {
            Arg::TwoLocals
        }
        O::CopyFreeVars => Arg::FreeCount,
        O::LoadCommonConstant => Arg::Range(0, NUM_COMMON_CONSTANTS - 1),
        O::CallIntrinsic1 => Arg::Range(0, MAX_INTRINSIC_1),
        O::CallIntrinsic2 => Arg::Range(0, MAX_INTRINSIC_2),
        O::BinaryOp => Arg::Range(0, NB_OPARG_LAST),
        O::CompareOp => Arg::Compare,
        O::ConvertValue => Arg::Range(1, FVC_LAST),
        O::LoadSpecial => Arg::Range(0, SPECIAL_MAX),
        O::SetFunctionAttribute => Arg::OneFlag,
        O::BuildInterpolation => Arg::Interpolation,
        O::LoadSmallInt => Arg::Range(0, SMALL_INT_LIMIT - 1),
        // BUILD_SLICE(start, stop[, step]); RAISE_VARARGS with no, one or two operands.
        O::BuildSlice => Arg::Range(2, 3),
        O::RaiseVarargs => Arg::Range(0, 2),
        // A flag: `res = Py_Is(a, b) ^ oparg`.
        O::IsOp | O::ContainsOp => Arg::Range(0, 1),
        // COPY(n) copies the n-th item (n >= 1), SWAP(n) swaps the top with the n-th
        // (n >= 2); the depth check covers n <= depth, since they pop n in the metadata.
        O::Copy => Arg::Range(1, u32::MAX),
        O::Swap => Arg::Range(2, u32::MAX),
        // The container is `oparg` items below the operands (`stack_pointer[-2 - (oparg-1)]`):
        // oparg 0 would name an operand. The depth check covers the upper end.
        O::ListAppend | O::SetAdd | O::ListExtend | O::SetUpdate | O::DictUpdate | O::MapAdd | O::DictMerge => {
            Arg::Range(1, u32::MAX)
        }
        // Counts and bit flags the stack effect already accounts for, jump offsets (checked
        // by the CFG builder), and opargs that select only a message or a resume kind.
        O::BuildList | O::BuildTuple | O::BuildSet | O::BuildString | O::BuildMap | O::Call | O::CallKw
        | O::UnpackSequence | O::UnpackEx | O::MatchClass | O::Reraise | O::Resume | O::ForIter | O::JumpForward
        | O::JumpBackward | O::JumpBackwardNoInterrupt | O::PopJumpIfFalse | O::PopJumpIfTrue | O::PopJumpIfNone
        | O::PopJumpIfNotNone | O::Send | O::EndAsyncFor | O::GetAwaitable | O::YieldValue | O::ExtendedArg => {
            Arg::Free
        }
        // No argument (below HAVE_ARGUMENT): the interpreter ignores the byte.
        O::Cache | O::BinarySlice | O::BuildTemplate | O::CallFunctionEx | O::CheckEgMatch | O::CheckExcMatch
        | O::CleanupThrow | O::DeleteSubscr | O::EndFor | O::EndSend | O::ExitInitCheck | O::FormatSimple
        | O::FormatWithSpec | O::GetAiter | O::GetAnext | O::GetIter | O::Reserved | O::GetLen
        | O::GetYieldFromIter | O::InterpreterExit | O::LoadBuildClass | O::LoadLocals | O::MakeFunction
        | O::MatchKeys | O::MatchMapping | O::MatchSequence | O::Nop | O::NotTaken | O::PopExcept | O::PopIter
        | O::PopTop | O::PushExcInfo | O::PushNull | O::ReturnGenerator | O::ReturnValue | O::SetupAnnotations
        | O::StoreSlice | O::StoreSubscr | O::ToBool | O::UnaryInvert | O::UnaryNegative | O::UnaryNot
        | O::WithExceptStart => Arg::Free,
        // Specialised, instrumented and executor opcodes never reach here: the decoder maps
        // them to their base form or refuses them (a unit test checks that every base opcode
        // is listed above). Listing them all would repeat the upstream table; they are
        // refused rather than accepted unchecked.
        _ => Arg::NotBase,
    }
}

/// Check the oparg of `ins` against the code object. Instructions are checked whether or not
/// they are reachable, so a refusal never depends on the path analysis.
pub fn check(ins: &Instr, input: &CodeInput<'_>) -> Result<(), CfgError> {
    let oparg = ins.oparg;
    let bad = |what: &'static str, limit: u64| CfgError::OpargOutOfRange {
        name: opcodes::name(ins.opcode),
        oparg,
        offset: ins.byte_offset(),
        what,
        limit,
    };
    let len = |t: Table| match t {
        Table::Consts => (input.nconsts, "index into co_consts of"),
        Table::Names => (input.nnames, "index into co_names of"),
        Table::Locals => (input.nlocalsplus, "index into localsplus of"),
    };
    match arg_kind(ins.opcode) {
        Arg::Free => Ok(()),
        Arg::Index(t, shift) => {
            let (n, what) = len(t);
            if oparg >> shift < n { Ok(()) } else { Err(bad(what, n as u64)) }
        }
        Arg::TwoLocals => {
            let n = input.nlocalsplus;
            if oparg >> 4 < n && oparg & 15 < n {
                Ok(())
            } else {
                Err(bad("packed pair of indices into localsplus of", n as u64))
            }
        }
        Arg::FreeCount => {
            if oparg <= input.nlocalsplus {
                Ok(())
            } else {
                Err(bad("count of free variables beyond localsplus of", input.nlocalsplus as u64))
            }
        }
        Arg::NotBase => Err(bad("oparg of an opcode that is not a base opcode; limit", 0)),
        Arg::Range(lo, hi) => {
            if (lo..=hi).contains(&oparg) {
                Ok(())
            } else if oparg < lo {
                Err(bad("below the minimum", lo as u64))
            } else {
                Err(bad("above the maximum", hi as u64))
            }
        }
        Arg::Compare => {
            if oparg >> 5 < NUM_COMPARISONS {
                Ok(())
            } else {
                Err(bad("comparison (oparg >> 5) beyond the count", NUM_COMPARISONS as u64))
            }
        }
        Arg::OneFlag => {
            if oparg.is_power_of_two() && oparg <= MAKE_FUNCTION_LAST_FLAG {
                Ok(())
            } else {
                Err(bad("not one MAKE_FUNCTION_* flag; highest", MAKE_FUNCTION_LAST_FLAG as u64))
            }
        }
        Arg::Interpolation => {
            if oparg >> 2 <= FVC_LAST {
                Ok(())
            } else {
                Err(bad("conversion (oparg >> 2) above the maximum", FVC_LAST as u64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    fn input(code: &[u8]) -> CodeInput<'_> {
        CodeInput { code, nconsts: 2, nnames: 3, nlocalsplus: 4, stacksize: 8, ..Default::default() }
    }

    /// Check the single instruction `op arg` (EXTENDED_ARG prefixes added as needed).
    fn one(op: Opcode, arg: u32) -> Result<(), CfgError> {
        let mut code = Vec::new();
        for shift in [24, 16, 8] {
            if arg >> shift != 0 {
                code.extend([Opcode::ExtendedArg.as_u8(), (arg >> shift) as u8]);
            }
        }
        code.extend([op.as_u8(), arg as u8]);
        code.extend(std::iter::repeat_n(0, 2 * opcodes::cache_entries(op) as usize));
        let instrs = decode(&code, None)?;
        check(&instrs[0], &input(&code))
    }

    #[test]
    fn every_base_opcode_has_an_oparg_rule() {
        for op in opcodes::all() {
            if opcodes::base(op) == op && !opcodes::is_invalid_in_code(op) {
                assert_ne!(arg_kind(op), Arg::NotBase, "{op:?}");
            }
        }
    }

    #[test]
    fn limits_table() {
        use Opcode as O;
        // (opcode, last accepted oparg, first refused oparg above it)
        let table: &[(Opcode, u32, u32)] = &[
            (O::LoadConst, 1, 2),
            (O::LoadName, 2, 3),
            (O::LoadGlobal, 5, 6),
            (O::LoadAttr, 5, 6),
            (O::LoadSuperAttr, 11, 12),
            (O::LoadFast, 3, 4),
            (O::LoadFastBorrow, 3, 4),
            (O::StoreFast, 3, 4),
            (O::DeleteFast, 3, 4),
            (O::LoadDeref, 3, 4),
            (O::MakeCell, 3, 4),
            (O::LoadFromDictOrDeref, 3, 4),
            (O::LoadFastLoadFast, 0x33, 0x34),
            (O::StoreFastStoreFast, 0x33, 0x43),
            (O::StoreFastLoadFast, 0x30, 0x40),
            (O::LoadFastBorrowLoadFastBorrow, 0x03, 0x04),
            (O::CopyFreeVars, 4, 5),
            (O::LoadCommonConstant, 4, 5),
            (O::CallIntrinsic1, 11, 12),
            (O::CallIntrinsic2, 5, 6),
            (O::BinaryOp, 26, 27),
            (O::CompareOp, 5 << 5 | 31, 6 << 5),
            (O::ConvertValue, 3, 4),
            (O::LoadSpecial, 3, 4),
            (O::SetFunctionAttribute, 16, 32),
            (O::BuildInterpolation, 15, 16),
            (O::LoadSmallInt, 255, 256),
            (O::BuildSlice, 3, 4),
            (O::RaiseVarargs, 2, 3),
            (O::IsOp, 1, 2),
            (O::ContainsOp, 1, 2),
        ];
        for &(op, ok, bad) in table {
            assert_eq!(one(op, ok), Ok(()), "{op:?} {ok}");
            match one(op, bad) {
                Err(CfgError::OpargOutOfRange { oparg, offset, .. }) => {
                    assert_eq!(oparg, bad, "{op:?}");
                    // The offset is the opcode's, after its EXTENDED_ARG prefixes.
                    assert_eq!(offset, 2 * [bad >> 8 != 0, bad >> 16 != 0, bad >> 24 != 0].iter().filter(|x| **x).count() as u32);
                }
                other => panic!("{op:?} {bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn lower_bounds_and_flags() {
        use Opcode as O;
        for (op, bad) in [
            (O::Copy, 0),
            (O::Swap, 0),
            (O::Swap, 1),
            (O::ListAppend, 0),
            (O::DictMerge, 0),
            (O::MapAdd, 0),
            (O::ConvertValue, 0),
            (O::BuildSlice, 1),
            (O::SetFunctionAttribute, 0),
            (O::SetFunctionAttribute, 3),
            (O::LoadGlobal, u32::MAX),
            (O::LoadFastLoadFast, 0x100),
        ] {
            assert!(matches!(one(op, bad), Err(CfgError::OpargOutOfRange { offset: _, .. })), "{op:?} {bad}");
        }
        assert_eq!(one(O::Copy, 1), Ok(()));
        assert_eq!(one(O::Swap, 2), Ok(()));
        assert_eq!(one(O::SetFunctionAttribute, 1), Ok(()));
    }
}
