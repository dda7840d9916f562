//! Decoding code units into instructions.
//!
//! Guarantees: every returned [`Instr`] has a known base opcode that may appear in compiled
//! code, its oparg with `EXTENDED_ARG` prefixes folded in, its inline caches inside the code, and
//! (for jumps) a target that is the first code unit of another instruction. Offsets are in code
//! units; [`Instr::byte_offset`] gives the `dis` offset.
use crate::error::CfgError;
use crate::opcodes::{self, Opcode};

/// One decoded instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instr {
    /// Code-unit index of the opcode itself (after any `EXTENDED_ARG` prefixes). This is what
    /// `frame->instr_ptr` points at while the instruction runs.
    pub offset: u32,
    /// Code-unit index of the first `EXTENDED_ARG` prefix, or `offset` if there is none. Jumps
    /// land here, and the interpreter must resume here.
    pub start: u32,
    /// The base opcode.
    pub opcode: Opcode,
    /// The opcode as stored in the adaptive code when it was read (a specialised form is type
    /// feedback); equal to `opcode` when no adaptive code was given.
    pub stored: Opcode,
    /// The full oparg.
    pub oparg: u32,
    /// Inline cache entries after the opcode.
    pub caches: u32,
    /// Source line, if the location table gives one.
    pub line: Option<u32>,
    /// Stack depth before the instruction (filled in by the CFG builder).
    pub depth: u32,
}

/// How an instruction transfers control, besides falling through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JumpKind {
    /// No jump.
    None,
    /// `next + oparg`.
    Forward,
    /// `next - oparg`.
    Backward,
    /// `FOR_ITER`: on exhaustion, `next + oparg` is an `END_FOR` that is skipped.
    ForIter,
}

impl Instr {
    /// Code-unit index of the next instruction.
    pub fn next(&self) -> u32 {
        self.offset + 1 + self.caches
    }

    /// Byte offset of the opcode, as `dis` shows it.
    pub fn byte_offset(&self) -> u32 {
        self.offset * 2
    }

    /// The kind of jump this instruction makes.
    pub fn jump_kind(&self) -> JumpKind {
        jump_kind(self.opcode)
    }

    /// Where the jump lands (code units), unchecked; `None` if this is not a jump.
    pub fn raw_jump_target(&self) -> Option<i64> {
        let next = self.next() as i64;
        let arg = self.oparg as i64;
        match self.jump_kind() {
            JumpKind::None => None,
            JumpKind::Forward => Some(next + arg),
            JumpKind::Backward => Some(next - arg),
            JumpKind::ForIter => Some(next + arg + 1),
        }
    }
}

/// The jump kind of a base opcode. `END_ASYNC_FOR` carries a jump oparg only for monitoring
/// (`JUMPBY(0)` in `bytecodes.c`), so it does not jump.
pub fn jump_kind(op: Opcode) -> JumpKind {
    if op == Opcode::ForIter {
        JumpKind::ForIter
    } else if op == Opcode::EndAsyncFor || !opcodes::is_jump(op) {
        JumpKind::None
    } else if opcodes::is_backward_jump(op) {
        JumpKind::Backward
    } else {
        JumpKind::Forward
    }
}

/// Decode `code` (and optionally the adaptive code, for feedback) into instructions, in order.
pub fn decode(code: &[u8], adaptive: Option<&[u8]>) -> Result<Vec<Instr>, CfgError> {
    if code.is_empty() || code.len() % 2 != 0 {
        return Err(CfgError::BadLength { len: code.len() });
    }
    let adaptive = adaptive.filter(|a| a.len() == code.len());
    let units = (code.len() / 2) as u32;
    let mut out = Vec::new();
    let mut i: u32 = 0;
    while i < units {
        let start = i;
        let mut oparg: u32 = 0;
        // Fold EXTENDED_ARG prefixes; CPython emits at most three, more would overflow u32.
        let mut prefixes = 0;
        while code[(i * 2) as usize] == opcodes::EXTENDED_ARG {
            oparg = (oparg << 8) | code[(i * 2 + 1) as usize] as u32;
            prefixes += 1;
            i += 1;
            if i >= units {
                return Err(CfgError::Truncated { offset: start * 2 });
            }
            if prefixes > 3 {
                return Err(CfgError::BadOparg { name: "EXTENDED_ARG", oparg, offset: start * 2 });
            }
        }
        let byte = code[(i * 2) as usize];
        oparg = (oparg << 8) | code[(i * 2 + 1) as usize] as u32;
        let op = opcodes::from_byte(byte).ok_or(CfgError::UnknownOpcode { opcode: byte, offset: i * 2 })?;
        let base = opcodes::base(op);
        if opcodes::is_invalid_in_code(base) {
            return Err(CfgError::InvalidOpcode { name: opcodes::name(base), offset: i * 2 });
        }
        let stored = adaptive
            .and_then(|a| opcodes::from_byte(a[(i * 2) as usize]))
            .filter(|s| opcodes::base(*s) == base)
            .unwrap_or(base);
        let caches = opcodes::cache_entries(base);
        if i + 1 + caches > units {
            return Err(CfgError::Truncated { offset: i * 2 });
        }
        out.push(Instr { offset: i, start, opcode: base, stored, oparg, caches, line: None, depth: 0 });
        i += 1 + caches;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(op: Opcode, arg: u8) -> [u8; 2] {
        [op.as_u8(), arg]
    }

    #[test]
    fn folds_extended_arg_and_skips_caches() {
        let mut code = Vec::new();
        code.extend(unit(Opcode::Resume, 0));
        code.extend(unit(Opcode::ExtendedArg, 1));
        code.extend(unit(Opcode::LoadConst, 2));
        code.extend(unit(Opcode::ToBool, 0));
        code.extend([0; 6]);
        code.extend(unit(Opcode::ReturnValue, 0));
        let instrs = decode(&code, None).unwrap();
        assert_eq!(instrs.len(), 4);
        assert_eq!((instrs[1].start, instrs[1].offset, instrs[1].oparg), (1, 2, 258));
        assert_eq!(instrs[2].caches, 3);
        assert_eq!(instrs[3].offset, 7);
    }

    #[test]
    fn malformed_code_is_an_error() {
        assert!(matches!(decode(&[], None), Err(CfgError::BadLength { .. })));
        assert!(matches!(decode(&[1], None), Err(CfgError::BadLength { .. })));
        assert!(matches!(decode(&[0, 0], None), Err(CfgError::InvalidOpcode { .. })));
        assert!(matches!(decode(&[121, 0], None), Err(CfgError::UnknownOpcode { opcode: 121, .. })));
        // TO_BOOL needs three caches.
        assert!(matches!(decode(&[Opcode::ToBool.as_u8(), 0, 0, 0], None), Err(CfgError::Truncated { .. })));
        assert!(matches!(
            decode(&[Opcode::ExtendedArg.as_u8(), 0], None),
            Err(CfgError::Truncated { .. })
        ));
    }
}
