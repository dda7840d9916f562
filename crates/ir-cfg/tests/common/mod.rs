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
    CodeInfo { name: "f".into(), flags: 0x3, nlocalsplus: nlocals, nconsts: 1, nnames: 2, nfree: 0, no_speculate: vec![], no_speculation: false, const_kinds: vec![], callees: vec![], math_calls: vec![] }
}

/// The CFG of `code` with exception table `table`, for [`info`]'s code object.
pub fn cfg(code: &[u8], table: &[u8], stacksize: u32, nlocals: u32) -> BytecodeCfg {
    let input = CodeInput { code, exception_table: table, flags: 0x3, nlocalsplus: nlocals, stacksize, nconsts: 1, nnames: 2, ..Default::default() };
    BytecodeCfg::build(&input).expect("valid bytecode")
}

/// `for x in arg: try: total = x + total  except: pass`, lowered (locals arg, x, total).
/// 0 RESUME; 1 LOAD_FAST_BORROW 0; 2 GET_ITER; 3 FOR_ITER ->END_FOR; 5 STORE_FAST 1;
/// 6 LOAD_FAST_BORROW 1; 7 LOAD_FAST_BORROW 2; 8 BINARY_OP 0 (+5 caches); 14 STORE_FAST 2;
/// 15 JUMP_BACKWARD ->3 (+1 cache); 17 END_FOR; 18 POP_ITER; 19 LOAD_CONST 0; 20 RETURN_VALUE;
/// handler 21: PUSH_EXC_INFO; 22 POP_TOP; 23 POP_EXCEPT; 24 JUMP_BACKWARD ->3 (+1 cache).
/// Exception table: units 6..14 (the addition) -> handler 21 at depth 1 (the iterator stays).
pub fn loop_with_try_except() -> BytecodeCfg {
    let (code, table) = loop_with_try_except_code();
    cfg(&code, &table, 3, 3)
}

/// The code and exception table of [`loop_with_try_except`].
pub fn loop_with_try_except_code() -> (Vec<u8>, [u8; 4]) {
    use Opcode::*;
    let code = asm(&[
        (Resume, 0),
        (LoadFastBorrow, 0),
        (GetIter, 0),
        (ForIter, 12),
        (StoreFast, 1),
        (LoadFastBorrow, 1),
        (LoadFastBorrow, 2),
        (BinaryOp, 0),
        (StoreFast, 2),
        (JumpBackward, 14),
        (EndFor, 0),
        (PopIter, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
        (PushExcInfo, 0),
        (PopTop, 0),
        (PopExcept, 0),
        (JumpBackward, 23),
    ]);
    let start = 6u8;
    (code, [0x80 | start, 8, 21, 1 << 1])
}

/// Compare `text` with the golden file `tests/golden/<name>.<ext>`; `COIR_BLESS=1` rewrites it.
pub fn golden(name: &str, ext: &str, text: &str) {
    let path = format!("{}/tests/golden/{name}.{ext}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("COIR_BLESS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} missing: run with COIR_BLESS=1"));
    assert_eq!(text, want, "golden {name} differs (COIR_BLESS=1 to update)");
}
