//! Every opcode fact the pipeline uses, in one place, taken from `rustpython-compiler-core`
//! 0.6 (which follows CPython 3.14's `pycore_opcode_metadata.h`). A test in `tests/` checks
//! these facts against the live interpreter's `dis` module.
use std::sync::OnceLock;

pub use rustpython_compiler_core::bytecode::Opcode;

/// The largest oparg whose stack effect is computed; the upstream table evaluates effects in
/// `i32` arithmetic (`oparg * 2`, ...), so larger opargs are refused instead of overflowing.
pub const MAX_OPARG_FOR_EFFECT: u32 = 1 << 24;

/// `EXTENDED_ARG`'s number, used by the decoder before it knows anything else.
pub const EXTENDED_ARG: u8 = Opcode::ExtendedArg.as_u8();

/// The opcode for a byte, if CPython 3.14 defines one.
pub fn from_byte(byte: u8) -> Option<Opcode> {
    Opcode::try_from_u8(byte).ok()
}

/// The base (unspecialised, uninstrumented) form of an opcode.
pub fn base(op: Opcode) -> Opcode {
    op.deoptimize()
}

/// Inline cache entries (code units) that follow the opcode in the code. Specialised and
/// instrumented forms physically keep their base opcode's caches.
pub fn cache_entries(op: Opcode) -> u32 {
    base(op).cache_entries() as u32
}

/// `(popped, pushed)` for `op` with `oparg`, as CPython's `_PyOpcode_num_popped/pushed`.
/// `None` when the oparg is too large to evaluate (see [`MAX_OPARG_FOR_EFFECT`]).
pub fn stack_effect(op: Opcode, oparg: u32) -> Option<(u32, u32)> {
    if oparg >= MAX_OPARG_FOR_EFFECT {
        return None;
    }
    let eff = base(op).stack_effect_info(oparg);
    Some((eff.popped(), eff.pushed()))
}

/// Whether the opcode jumps (has a relative jump target in its oparg).
pub fn is_jump(op: Opcode) -> bool {
    base(op).has_jump()
}

/// Whether the jump is backwards (oparg is subtracted).
pub fn is_backward_jump(op: Opcode) -> bool {
    matches!(base(op), Opcode::JumpBackward | Opcode::JumpBackwardNoInterrupt)
}

/// Whether control never continues to the next instruction.
pub fn is_no_fallthrough(op: Opcode) -> bool {
    base(op).is_no_fallthrough()
}

/// Whether the opcode checks the eval breaker in the interpreter.
pub fn has_eval_break(op: Opcode) -> bool {
    base(op).has_eval_break()
}

/// Opcodes that never appear in compiled code: a code object containing them is malformed.
/// `ENTER_EXECUTOR`, `INSTRUMENTED_LINE` and `INSTRUMENTED_INSTRUCTION` stand for an
/// instruction kept in a side table (executors, monitoring data), so their bytes alone do not
/// say what runs.
pub fn is_invalid_in_code(op: Opcode) -> bool {
    matches!(
        op,
        Opcode::Cache
            | Opcode::Reserved
            | Opcode::InterpreterExit
            | Opcode::EnterExecutor
            | Opcode::InstrumentedLine
            | Opcode::InstrumentedInstruction
    )
}

/// CPython's name of the opcode (`LOAD_FAST_BORROW`), as in `dis.opname`.
pub fn name(op: Opcode) -> &'static str {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        (0..=255u8)
            .map(|b| match from_byte(b) {
                Some(op) => &*Box::leak(camel_to_upper_snake(&format!("{op:?}")).into_boxed_str()),
                None => "<unknown>",
            })
            .collect()
    });
    names[op.as_u8() as usize]
}

/// `BinaryOpAddInt` → `BINARY_OP_ADD_INT`, `CallStr1` → `CALL_STR_1`.
fn camel_to_upper_snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if let Some(p) = prev {
            let boundary = (c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit()))
                || (c.is_ascii_digit() && !p.is_ascii_digit());
            if boundary {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
        prev = Some(c);
    }
    out
}

/// All opcodes CPython 3.14 defines (real ones, not pseudo-ops), for tests and tables.
pub fn all() -> impl Iterator<Item = Opcode> {
    (0..=255u8).filter_map(from_byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_cpython_spelling() {
        assert_eq!(name(Opcode::BinaryOp), "BINARY_OP");
        assert_eq!(name(Opcode::LoadFastBorrowLoadFastBorrow), "LOAD_FAST_BORROW_LOAD_FAST_BORROW");
        assert_eq!(name(Opcode::CallStr1), "CALL_STR_1");
        assert_eq!(name(Opcode::BinaryOpInplaceAddUnicode), "BINARY_OP_INPLACE_ADD_UNICODE");
    }

    #[test]
    fn specialised_forms_map_to_base() {
        assert_eq!(base(Opcode::BinaryOpAddInt), Opcode::BinaryOp);
        assert_eq!(base(Opcode::InstrumentedCall), Opcode::Call);
        assert_eq!(cache_entries(Opcode::LoadAttrInstanceValue), 9);
        assert_eq!(stack_effect(Opcode::Call, 2), Some((4, 1)));
        assert_eq!(stack_effect(Opcode::Call, MAX_OPARG_FOR_EFFECT), None);
    }
}
