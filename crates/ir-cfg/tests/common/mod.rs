//! Shared by the integration tests: hand-assembled CPython 3.14 bytecode and the code facts
//! that go with it.
#![allow(dead_code)] // each test file uses part of it
use bytecode_cfg::{BytecodeCfg, CodeInput, Opcode};
use ir_cfg::CodeInfo;

/// Assemble (opcode, oparg) pairs, adding each opcode's inline cache entries.
pub fn asm(ops: &[(Opcode, u8)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (op, arg) in ops {
        out.extend([op.as_u8(), *arg]);
        out.extend(std::iter::repeat_n(0u8, 2 * op.cache_entries()));
    }
    out
}

/// A plain function (`CO_OPTIMIZED | CO_NEWLOCALS`) with one constant and two names.
pub fn info(nlocals: u32) -> CodeInfo {
    CodeInfo { name: "f".into(), flags: 0x3, nlocalsplus: nlocals, nconsts: 1, nnames: 2, nfree: 0 }
}

/// The CFG of `code` with exception table `table`, for [`info`]'s code object.
pub fn cfg(code: &[u8], table: &[u8], stacksize: u32, nlocals: u32) -> BytecodeCfg {
    let input = CodeInput { code, exception_table: table, flags: 0x3, nlocalsplus: nlocals, stacksize, nconsts: 1, nnames: 2, ..Default::default() };
    BytecodeCfg::build(&input).expect("valid bytecode")
}
