//! Lowering checks its model of the value stack against the depths bytecode-cfg computed, at
//! every instruction and at every exception handler's entry: a disagreement is a typed
//! `InconsistentStack` error, never a panic or wrong code. The CFGs here are tampered with to
//! disagree, as a wrong stack effect in either crate would make them.
use bytecode_cfg::Opcode;
use ir_cfg::{lower, verify, LowerError, StackMismatch};

mod common;
use common::{asm, cfg, info};

#[test]
fn depth_before_each_instruction_is_checked() {
    use Opcode::*;
    // 0 RESUME; 2 LOAD_FAST_BORROW 0; 4 LOAD_SMALL_INT 1; 6 BINARY_OP; 18 RETURN_VALUE
    let code = asm(&[(Resume, 0), (LoadFastBorrow, 0), (LoadSmallInt, 1), (BinaryOp, 0), (ReturnValue, 0)]);
    let good = cfg(&code, &[], 2, 1);
    verify(&lower(&good, &info(1)).unwrap()).unwrap();
    let mut bad = good.clone();
    let i = bad.instrs.iter().position(|ins| ins.opcode == LoadSmallInt).unwrap();
    bad.instrs[i].depth += 1;
    assert_eq!(
        lower(&bad, &info(1)),
        Err(LowerError::InconsistentStack { offset: 4, what: StackMismatch::Depth { lowered: 1, cfg: 2 } })
    );
    let msg = lower(&bad, &info(1)).unwrap_err().to_string();
    assert!(msg.contains("inconsistent stack at byte offset 4"), "{msg}");
}

#[test]
fn depth_at_handler_entry_is_checked() {
    use Opcode::*;
    // try: x + 1  except: pass
    // 0 RESUME; 1 NOP; 2 LOAD_FAST_BORROW 0; 3 LOAD_SMALL_INT 1; 4 BINARY_OP (+5); 10 POP_TOP;
    // 11 LOAD_CONST 0; 12 RETURN_VALUE; handler 13: PUSH_EXC_INFO; 14 POP_TOP; 15 POP_EXCEPT;
    // 16 LOAD_CONST 0; 17 RETURN_VALUE
    let code = asm(&[
        (Resume, 0),
        (Nop, 0),
        (LoadFastBorrow, 0),
        (LoadSmallInt, 1),
        (BinaryOp, 0),
        (PopTop, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
        (PushExcInfo, 0),
        (PopTop, 0),
        (PopExcept, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
    ]);
    // Units 2..10 -> handler 13 at depth 0, no lasti.
    let table = [0x80 | 2, 8, 13, 0];
    let good = cfg(&code, &table, 3, 1);
    verify(&lower(&good, &info(1)).unwrap()).unwrap();
    let mut bad = good.clone();
    let h = bad.graph.node_indices().find(|b| bad.graph[*b].is_handler).expect("a handler block");
    bad.graph[h].depth_in = Some(2);
    assert_eq!(
        lower(&bad, &info(1)),
        Err(LowerError::InconsistentStack { offset: 26, what: StackMismatch::Depth { lowered: 1, cfg: 2 } })
    );
}
