//! The SSA IR: construction (block parameters only where values differ), the verifier's
//! findings on broken functions, and golden text of lowered functions in SSA form.
//! Set `COIR_BLESS=1` to rewrite the golden files after an intended change.
use bytecode_cfg::Opcode;
use ir_cfg::helpers::Helper;
use ir_cfg::ir::Singleton;
use ir_cfg::lower;
use ir_cfg::ssa::{self, BuildError, HelperCall, Imm, SsaBuilder, Terminator, Type};

mod common;
use common::{asm, cfg, info, loop_with_try_except};

fn golden(name: &str, text: &str) {
    common::golden(name, "ssa", text);
}

fn helper(h: Helper) -> Imm {
    Imm::Call(HelperCall { helper: h, arrays: vec![] })
}

/// `x = 0; while x: x = handle_pending(); return None` with `x` a builder variable, and a
/// variable `y` that no path redefines.
fn loop_function() -> Result<ssa::Function, BuildError> {
    let mut b = SsaBuilder::new("loop", 0);
    let (tstate, _) = b.entry_params();
    let x = b.declare_var(Type::CInt);
    let y = b.declare_var(Type::CInt);
    let header = b.new_block("header");
    let body = b.new_block("body");
    let err = b.new_block("err");
    let exit = b.new_block("exit");
    let zero = b.ins1(ssa::Opcode::CInt, Imm::Int(0), vec![], None)?;
    b.def_var(x, zero)?;
    b.def_var(y, zero)?;
    b.terminate(Terminator::Jump(SsaBuilder::call(header)))?;
    // Filled before its back edge exists (unsealed): the read of x becomes a parameter.
    b.switch_to(header);
    let cond = b.use_var(x)?;
    b.terminate(Terminator::Branch { cond, then: SsaBuilder::call(body), otherwise: SsaBuilder::call(exit) })?;
    b.seal_block(body);
    b.switch_to(body);
    let _ = b.use_var(y)?;
    let r = b.ins1(ssa::Opcode::Call, helper(Helper::HandlePending), vec![tstate], Some(err))?;
    b.def_var(x, r)?;
    b.terminate(Terminator::Jump(SsaBuilder::call(header)))?;
    b.seal_block(header);
    b.seal_block(err);
    b.switch_to(err);
    b.terminate(Terminator::Raise)?;
    b.seal_block(exit);
    b.switch_to(exit);
    b.use_var(y)?;
    let none = b.ins1(ssa::Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None)?;
    b.ins(ssa::Opcode::Incref, Imm::None, vec![none], None)?;
    b.terminate(Terminator::Return(none))?;
    b.finish()
}

#[test]
fn loop_variable_becomes_one_block_parameter() {
    let f = loop_function().unwrap();
    ssa::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    let text = f.to_text();
    // x differs around the loop: one parameter on the header; y never changes: none.
    assert_eq!(f.blocks[ssa::Block::from_index(1)].params.len(), 1, "{text}");
    assert!(text.contains("b1(v3:cint): # header"), "{text}");
    assert!(text.contains("jump b1(v2)") && text.contains("jump b1(v5)"), "{text}");
    // The parameter made for y in the header received v2 from both edges: removed.
    assert!(!text.contains("v4"), "{text}");
    golden("builder_loop", &text);
}

#[test]
fn reading_an_undefined_variable_is_an_error() {
    let mut b = SsaBuilder::new("undef", 0);
    let x = b.declare_var(Type::Obj);
    assert!(matches!(b.use_var(x), Err(BuildError::Undefined(..))));
}

#[test]
fn wrong_types_are_refused_by_the_builder() {
    let mut b = SsaBuilder::new("types", 0);
    let (tstate, frame) = b.entry_params();
    let x = b.declare_var(Type::Obj);
    assert!(matches!(b.def_var(x, tstate), Err(BuildError::Type(_))));
    // traceback_here takes the frame, not the thread state.
    assert!(matches!(b.ins(ssa::Opcode::Call, helper(Helper::TracebackHere), vec![tstate], None), Err(BuildError::Type(_))));
    assert!(b.ins(ssa::Opcode::Call, helper(Helper::TracebackHere), vec![frame], None).is_ok());
    // A helper that can fail needs an error edge.
    assert!(matches!(b.ins(ssa::Opcode::Call, helper(Helper::HandlePending), vec![tstate], None), Err(BuildError::Type(_))));
}

#[test]
fn error_edges_see_values_as_they_were_at_the_raising_instruction() {
    // x = 0; x = handle_pending() err E; in E, x is still 0.
    let mut b = SsaBuilder::new("at_raise", 0);
    let (tstate, _) = b.entry_params();
    let x = b.declare_var(Type::CInt);
    let e = b.new_block("err");
    let zero = b.ins1(ssa::Opcode::CInt, Imm::Int(0), vec![], None).unwrap();
    b.def_var(x, zero).unwrap();
    let r = b.ins1(ssa::Opcode::Call, helper(Helper::HandlePending), vec![tstate], Some(e)).unwrap();
    b.def_var(x, r).unwrap();
    let none = b.ins1(ssa::Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.ins(ssa::Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    b.seal_block(e);
    b.switch_to(e);
    assert_eq!(b.use_var(x).unwrap(), zero);
    b.terminate(Terminator::Raise).unwrap();
    let f = b.finish().unwrap();
    ssa::verify(&f).unwrap();
}

/// Findings of the verifier on functions broken after construction.
#[test]
fn verifier_finds_broken_functions() {
    let good = loop_function().unwrap();
    ssa::verify(&good).unwrap();
    let find = |f: &ssa::Function, needle: &str| {
        let errs = ssa::verify(f).expect_err("broken function verified");
        assert!(errs.iter().any(|e| e.to_string().contains(needle)), "{needle:?} not in {errs:?}\n{}", f.to_text());
    };
    let body = ssa::Block::from_index(2);
    let header = ssa::Block::from_index(1);

    // A block argument missing.
    let mut f = good.clone();
    if let Terminator::Jump(c) = &mut f.blocks[body].term {
        c.args.clear();
    }
    find(&f, "jump to b1");

    // The error path uses the raising instruction's own result.
    let mut f = good.clone();
    let call = f.blocks[body].insts[0];
    let r = f.insts[call].results[0];
    let err = f.insts[call].err.unwrap();
    f.blocks[err].term = Terminator::Branch {
        cond: r,
        then: SsaBuilder::call(ssa::Block::from_index(4)),
        otherwise: SsaBuilder::call(ssa::Block::from_index(4)),
    };
    find(&f, "does not dominate");

    // A use in the loop header of a value defined in the body.
    let mut f = good.clone();
    if let Terminator::Branch { cond, .. } = &mut f.blocks[header].term {
        *cond = r;
    }
    find(&f, "does not dominate");

    // An operand of the wrong type.
    let mut f = good.clone();
    let tstate = f.blocks[f.entry.unwrap()].params[0];
    f.blocks[header].term = Terminator::Return(tstate);
    find(&f, "return of");

    // A raising call without its error edge.
    let mut f = good.clone();
    f.insts[call].err = None;
    find(&f, "no error edge");
}

#[test]
fn lowered_functions_in_ssa_form() {
    use Opcode::*;
    let code = asm(&[(Resume, 0), (LoadFastBorrow, 0), (LoadSmallInt, 1), (BinaryOp, 0), (ReturnValue, 0)]);
    let f = lower(&cfg(&code, &[], 2, 1), &info(1)).unwrap();
    let s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    golden("add_one", &s.to_text());

    // for x in arg: try: total = x + total  except: pass   (as in lowering.rs)
        let f = lower(&loop_with_try_except(), &info(3)).unwrap();
    let s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    // The iterator is the same value on every path around the loop and into the handler:
    // no block needs a parameter for it.
    assert!(s.blocks.iter().all(|(_, b)| b.params.is_empty() || b.name == "entry"), "{}", s.to_text());
    golden("loop_with_try_except", &s.to_text());
}

/// With the interpreter's feedback (the adaptive code says FOR_ITER_RANGE and
/// BINARY_OP_ADD_FLOAT), lowering speculates: guards with frame states, unboxed arithmetic,
/// an inline range iterator; then the passes. The addition is inside a try block, so its
/// guards' frame states hold the iterator, and its boxes have error edges to the handler.
#[test]
fn lowering_speculates_on_feedback() {
    use Opcode::*;
    let (plain, table) = common::loop_with_try_except_code();
    let mut adaptive = plain.clone();
    adaptive[2 * 3] = ForIterRange.as_u8();
    adaptive[2 * 8] = BinaryOpAddFloat.as_u8();
    let input = bytecode_cfg::CodeInput {
        code: &plain,
        adaptive: Some(&adaptive),
        exception_table: &table,
        flags: 0x3,
        nlocalsplus: 3,
        stacksize: 3,
        nconsts: 1,
        nnames: 2,
        ..Default::default()
    };
    let f = lower(&bytecode_cfg::BytecodeCfg::build(&input).unwrap(), &info(3)).unwrap();
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    let text = s.to_text();
    assert!(text.contains("guard range_iter") && text.contains("range_next") && text.contains("fadd"), "{text}");
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    golden("speculated_loop", &format!("{text}=== after the passes\n{}", s.to_text()));

    // Where speculation kept failing, the same instruction is lowered without guards.
    let mut no = info(3);
    no.no_speculate = vec![8];
    let f = lower(&bytecode_cfg::BytecodeCfg::build(&input).unwrap(), &no).unwrap();
    let text = ssa::from_vars(&f).unwrap().to_text();
    assert!(!text.contains("fadd") && text.contains("binary_op_numeric") && text.contains("range_next"), "{text}");
}

/// Lower `ops` as adaptive code in which instruction `k` is stored as the specialised form
/// `op` (the interpreter's feedback) for each `(k, op)` of `feedback`.
fn lower_with_feedback(ops: &[(Opcode, u8)], feedback: &[(usize, Opcode)], stacksize: u32, facts: &ir_cfg::CodeInfo) -> ir_cfg::Function {
    let plain = asm(ops);
    let mut adaptive = plain.clone();
    let at = |k: usize| ops[..k].iter().map(|(o, _)| 2 + 2 * o.cache_entries()).sum::<usize>();
    for &(k, op) in feedback {
        adaptive[at(k)] = op.as_u8();
    }
    let input = bytecode_cfg::CodeInput {
        code: &plain,
        adaptive: Some(&adaptive),
        flags: 0x3,
        nlocalsplus: facts.nlocalsplus,
        stacksize,
        nconsts: 1,
        nnames: 2,
        ..Default::default()
    };
    lower(&bytecode_cfg::BytecodeCfg::build(&input).unwrap(), facts).unwrap()
}

/// `ops` assembled, with the adaptive code storing instruction `k` as `op` and writing
/// `words` (32 bits) at unit `u` of its inline cache, for each `(k, op, [(u, word)])`; the CFG.
fn feedback_cfg(ops: &[(Opcode, u8)], feedback: &[(usize, Opcode, &[(usize, u32)])], stacksize: u32, nlocals: u32) -> bytecode_cfg::BytecodeCfg {
    let plain = asm(ops);
    let mut adaptive = plain.clone();
    let at = |k: usize| ops[..k].iter().map(|(o, _)| 2 + 2 * o.cache_entries()).sum::<usize>();
    for &(k, op, words) in feedback {
        adaptive[at(k)] = op.as_u8();
        for &(u, w) in words {
            // A 16-bit field when it is the instruction's last cache unit (a branch history).
            let n = if u == op.cache_entries() { 2 } else { 4 };
            adaptive[at(k) + 2 * u..at(k) + 2 * u + n].copy_from_slice(&w.to_le_bytes()[..n]);
        }
    }
    let input = bytecode_cfg::CodeInput { code: &plain, adaptive: Some(&adaptive), flags: 0x3, nlocalsplus: nlocals, stacksize, nconsts: 1, nnames: 2, ..Default::default() };
    bytecode_cfg::BytecodeCfg::build(&input).unwrap()
}

/// A plain callee (`CO_OPTIMIZED | CO_NEWLOCALS`, no keyword-only parameters) named by the
/// feedback at `call_unit`, its feedback relocated at unit 100 and its names at 2.
fn test_callee(call_unit: u32, cfg: bytecode_cfg::BytecodeCfg, argcount: u32, nlocalsplus: u32, consts: Vec<ir_cfg::ir::Operand>) -> ir_cfg::Callee {
    ir_cfg::Callee { call_units: vec![call_unit], init_units: vec![], base: 100, names_base: 2, cfg, flags: 0x3, argcount, kwonlyargcount: 0, nlocalsplus, consts, math_calls: vec![] }
}

/// `caller` (with `nlocals` locals) lowered with `callees`, through both verifiers: its SSA
/// text, and the function after the default passes.
fn lower_inlining(caller: &bytecode_cfg::BytecodeCfg, nlocals: u32, callees: Vec<ir_cfg::Callee>) -> (String, ssa::Function) {
    let mut facts = info(nlocals);
    facts.callees = callees;
    let f = lower(caller, &facts).unwrap();
    ir_cfg::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    let text = s.to_text();
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    (text, s)
}

/// A method call whose method load names a small pure callee (`return self.v or not self.w`,
/// instance values) runs it inline: the entry test, the callee's reads and truth tests with
/// a way out to the ordinary call from each, and one join. A callee with any other
/// instruction (here UNARY_INVERT) is called as before.
#[test]
fn small_pure_callee_runs_inline() {
    use Opcode::*;
    use runtime_abi::caches::ATTR_TYPE_VERSION;
    let caller = [(Resume, 0), (LoadFastBorrow, 0), (LoadAttr, 1), (Call, 0), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[(2, LoadAttrMethodWithValues, &[])], 3, 1);
    let tv: &[(usize, u32)] = &[(ATTR_TYPE_VERSION.unit as usize, 7)];
    let callee_ops = [
        (Resume, 0),
        (LoadFastBorrow, 0),
        (LoadAttr, 0),
        (Copy, 1),
        (ToBool, 0),
        (PopJumpIfTrue, 18),
        (NotTaken, 0),
        (PopTop, 0),
        (LoadFastBorrow, 0),
        (LoadAttr, 2),
        (ToBool, 0),
        (UnaryNot, 0),
        (ReturnValue, 0),
    ];
    let feedback = [(2, LoadAttrInstanceValue, tv), (4, ToBoolBool, &[][..]), (9, LoadAttrInstanceValue, tv), (10, ToBoolBool, &[][..])];
    let callee = |ops: &[(Opcode, u8)]| test_callee(2, feedback_cfg(ops, &feedback, 2, 1), 1, 1, vec![ir_cfg::ir::Operand::Const(1)]);
    let (text, s) = lower_inlining(&caller_cfg, 1, vec![callee(&callee_ops)]);
    assert_eq!(text.matches("attr_read").count(), 2, "{text}");
    assert_eq!(text.matches("call call(").count(), 1, "{text}");
    golden("inlined_call", &format!("{text}=== after the passes\n{}", s.to_text()));

    // UNARY_INVERT in place of UNARY_NOT: not inlined.
    let mut other = callee_ops;
    other[11] = (UnaryInvert, 0);
    let (text, _) = lower_inlining(&caller_cfg, 1, vec![callee(&other)]);
    assert!(!text.contains("inline_ok") && text.contains("call call("), "{text}");
}

/// A callee with a local (unbound until stored, read with LOAD_FAST_CHECK), a list subscript
/// and a raise path (`t = self.items[i]; if t is None: raise 1; return t`): inline, the raise
/// block left to the ordinary call; verified through the passes.
#[test]
fn callee_locals_subscripts_and_raise_paths_run_inline() {
    use Opcode::*;
    use runtime_abi::caches::ATTR_TYPE_VERSION;
    let caller = [(Resume, 0), (LoadFastBorrow, 0), (LoadAttr, 1), (LoadFastBorrow, 1), (Call, 1), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[(2, LoadAttrMethodWithValues, &[])], 4, 2);
    let tv: &[(usize, u32)] = &[(ATTR_TYPE_VERSION.unit as usize, 7)];
    let callee_ops = [
        (Resume, 0),
        (LoadFastBorrow, 0),
        (LoadAttr, 0),
        (LoadFastBorrow, 1),
        (BinaryOp, 26),
        (StoreFast, 2),
        (LoadFastCheck, 2),
        (PopJumpIfNotNone, 3),
        (NotTaken, 0),
        (LoadSmallInt, 1),
        (RaiseVarargs, 1),
        (LoadFast, 2),
        (ReturnValue, 0),
    ];
    let feedback = [(2, LoadAttrInstanceValue, tv), (4, BinaryOpSubscrListInt, &[][..])];
    let (text, _) = lower_inlining(&caller_cfg, 2, vec![test_callee(2, feedback_cfg(&callee_ops, &feedback, 2, 3), 2, 3, vec![ir_cfg::ir::Operand::Const(1)])]);
    for op in ["inline_ok", "attr_read", "item_read"] {
        assert_eq!(text.matches(op).count(), 1, "{op}: {text}");
    }
    assert_eq!(text.matches("call call(").count(), 1, "{text}");
}

/// A callee that stores an attribute (`self.count = v` then `if v > self.best: log(v)`,
/// slots) runs inline once its branch history says the block with the call is not being run
/// (and its instructions' counters that they never ran): that block leaves the body. Before the store, leaving makes the ordinary call; after it,
/// every way out finishes the call in the interpreter (`resume_inline`) rather than calling
/// again. Without the history the block counts, and the callee (a call in it) is called as
/// before.
#[test]
fn stores_run_inline_and_cold_blocks_are_left() {
    use Opcode::*;
    use runtime_abi::caches::{ATTR_TYPE_VERSION, BRANCH_HISTORY_UNIT, WARMUP_COUNTER};
    let caller = [(Resume, 0), (LoadFastBorrow, 0), (LoadAttr, 1), (LoadFastBorrow, 1), (Call, 1), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[(2, LoadAttrMethodWithValues, &[])], 4, 2);
    let cold_block = [(NotTaken, 0), (LoadGlobal, 1), (LoadFastBorrow, 1), (Call, 1), (PopTop, 0)];
    let skip: usize = cold_block.iter().map(|(o, _)| 1 + o.cache_entries()).sum();
    let mut callee_ops = vec![
        (Resume, 0),
        (LoadFastBorrow, 1),
        (LoadFastBorrow, 0),
        (StoreAttr, 1),
        (LoadFastBorrow, 1),
        (LoadFastBorrow, 0),
        (LoadAttr, 0),
        (CompareOp, 16 | 4 << 5),
        (PopJumpIfFalse, skip as u8),
    ];
    callee_ops.extend(cold_block);
    callee_ops.extend([(LoadConst, 0), (ReturnValue, 0)]);
    let tv: &[(usize, u32)] = &[(ATTR_TYPE_VERSION.unit as usize, 7)];
    let lowered = |history: u32, counter: u16| {
        let jumped: &[(usize, u32)] = &[(BRANCH_HISTORY_UNIT as usize, history)];
        // The cold block's adaptive instructions never ran: their counters at the warm-up value.
        let warm_up: &[(usize, u32)] = &[(1, counter as u32)];
        let feedback = [
            (3, StoreAttrSlot, tv),
            (6, LoadAttrSlot, tv),
            (7, CompareOpInt, &[][..]),
            (8, PopJumpIfFalse, jumped),
            (10, LoadGlobal, warm_up),
            (12, Call, warm_up),
        ];
        let none = ir_cfg::ir::Operand::Singleton(Singleton::None);
        lower_inlining(&caller_cfg, 2, vec![test_callee(2, feedback_cfg(&callee_ops, &feedback, 4, 2), 2, 2, vec![none])]).0
    };
    // The last 16 outcomes all jumped over the block.
    let text = lowered(0xffff, WARMUP_COUNTER);
    for (op, n) in [("inline_ok", 1), ("attr_read", 1), ("attr_write", 1), ("call call(", 1), ("load_global", 0)] {
        assert_eq!(text.matches(op).count(), n, "{op}: {text}");
    }
    // Left for the call where the store fails; in the interpreter where, after it, the read,
    // the comparison's operands and the cold block do.
    assert_eq!(text.matches("call resume_inline(").count(), 4, "{text}");
    // One fall-through among the outcomes, or the block's instructions having run (their
    // counters backed off after failing to specialise): the block counts, the callee is called.
    for (history, counter) in [(0xfffe, WARMUP_COUNTER), (0xffff, 0x32)] {
        let text = lowered(history, counter);
        assert_eq!(text.matches("inline_ok").count(), 0, "{text}");
    }
}

/// A callee dividing (`return x % m`, plain BINARY_OP: the interpreter specialises no `%`)
/// runs inline on compact ints: both tested, the divisor tested non-zero (a zero divisor takes
/// the call, which raises), then `imod`. `x + m` with the same plain feedback is not inlined.
#[test]
fn division_runs_inline_with_its_divisor_tested() {
    use Opcode::*;
    let caller = [(Resume, 0), (LoadGlobal, 1), (LoadFastBorrow, 0), (LoadFastBorrow, 1), (Call, 2), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[(4, CallPyExactArgs, &[])], 4, 2);
    let lowered = |nb: u8| {
        let callee_ops = [(Resume, 0), (LoadFastBorrow, 0), (LoadFastBorrow, 1), (BinaryOp, nb), (ReturnValue, 0)];
        let call_unit = caller[..4].iter().map(|(o, _)| 1 + o.cache_entries() as u32).sum();
        lower_inlining(&caller_cfg, 2, vec![test_callee(call_unit, feedback_cfg(&callee_ops, &[], 2, 2), 2, 2, vec![ir_cfg::ir::Operand::Const(1)])]).0
    };
    let text = lowered(bytecode_cfg::opargs::NB_REMAINDER as u8);
    for (op, n) in [("inline_ok", 1), ("is_compact_int", 2), ("icmp", 1), ("imod", 1), ("call call(", 1)] {
        assert_eq!(text.matches(op).count(), n, "{op}: {text}");
    }
    let text = lowered(bytecode_cfg::opargs::NB_ADD as u8);
    assert_eq!(text.matches("inline_ok").count(), 0, "{text}");
}

/// A module function named by the LOAD_GLOBAL that pushed it (the CALL has no feedback: its
/// callee's version was cleared) runs inline: `return x * 1.5` with BINARY_OP_EXTEND feedback
/// takes a float and a compact int as doubles (`as_doubles`), the float constant relocated from
/// the callee. Named by no load of the callable, it is called.
#[test]
fn global_callee_with_mixed_arithmetic_runs_inline() {
    use Opcode::*;
    let caller = [(Resume, 0), (LoadGlobal, 1), (LoadFastBorrow, 0), (Call, 1), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[], 3, 1);
    let callee_ops = [(Resume, 0), (LoadFastBorrow, 0), (LoadConst, 0), (BinaryOp, bytecode_cfg::opargs::NB_MULTIPLY as u8), (ReturnValue, 0)];
    let callee_cfg = feedback_cfg(&callee_ops, &[(3, BinaryOpExtend, &[])], 2, 1);
    let lowered = |named_at: u32| {
        let callee = test_callee(named_at, callee_cfg.clone(), 1, 1, vec![ir_cfg::ir::Operand::Const(5)]);
        lower_inlining(&caller_cfg, 1, vec![callee]).0
    };
    // The LOAD_GLOBAL follows RESUME, which has no caches.
    let text = lowered(1);
    for (op, n) in [("inline_ok", 1), ("as_doubles 0", 1), ("fmul", 1), ("const[5]", 1), ("call box_float(", 1), ("call call(", 1)] {
        assert_eq!(text.matches(op).count(), n, "{op}: {text}");
    }
    let text = lowered(99);
    assert_eq!(text.matches("inline_ok").count(), 0, "{text}");
}

/// A body that reads a module global (`return x * K`) or calls a `math` function its load
/// was found to push (`return sqrt(x)`) runs inline: the global through the callee's dicts
/// (`load_global_in`, whose failure leaves the body), the call as the callable being that
/// function's relocated constant, a number in its domain, and `math`. Another callable after
/// the same kind of load (no `math_calls` entry) keeps the callee out.
#[test]
fn bodies_read_globals_and_compute_math_calls() {
    use Opcode::*;
    use runtime_abi::abi::MathFn;
    let caller = [(Resume, 0), (LoadGlobal, 1), (LoadFastBorrow, 0), (Call, 1), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[], 3, 1);
    let global = [(Resume, 0), (LoadFastBorrow, 0), (LoadGlobal, 0), (BinaryOp, bytecode_cfg::opargs::NB_MULTIPLY as u8), (ReturnValue, 0)];
    let callee = test_callee(1, feedback_cfg(&global, &[(3, BinaryOpMultiplyFloat, &[])], 2, 1), 1, 1, vec![]);
    let (text, _) = lower_inlining(&caller_cfg, 1, vec![callee]);
    for (what, n) in [("inline_ok", 1), ("call load_global_in(", 1), ("name[2]", 1), ("fmul", 1)] {
        assert_eq!(text.matches(what).count(), n, "{what}: {text}");
    }
    // `sqrt(x)`: LOAD_GLOBAL (+ NULL) at unit 1.
    let math = [(Resume, 0), (LoadGlobal, 1), (LoadFastBorrow, 0), (Call, 1), (ReturnValue, 0)];
    let mut callee = test_callee(1, feedback_cfg(&math, &[], 3, 1), 1, 1, vec![]);
    callee.math_calls = vec![(1, MathFn::Sqrt, 9)];
    let (text, _) = lower_inlining(&caller_cfg, 1, vec![callee.clone()]);
    for (what, n) in [("inline_ok", 1), ("call load_global_in(", 1), ("const[9]", 1), ("as_doubles 1", 1), ("math 0", 1)] {
        assert_eq!(text.matches(what).count(), n, "{what}: {text}");
    }
    callee.math_calls.clear();
    let (text, _) = lower_inlining(&caller_cfg, 1, vec![callee]);
    assert_eq!(text.matches("inline_ok").count(), 0, "{text}");
}

/// An inlined `return 1.0 / (x + 1)` (int feedback on `+`; true division of a float and an
/// int): `as_doubles` reads the float constant and the sum it is given unboxed after the
/// passes (`unbox_float`, and `itof` with `fits_compact` for the int), so the sum is never
/// boxed (spectral_norm's `a_elem`: an allocation per call before).
#[test]
fn doubles_of_an_int_sum_need_no_box() {
    use Opcode::*;
    let caller = [(Resume, 0), (LoadGlobal, 1), (LoadFastBorrow, 0), (Call, 1), (ReturnValue, 0)];
    let caller_cfg = feedback_cfg(&caller, &[], 3, 1);
    let callee_ops = [
        (Resume, 0),
        (LoadConst, 0),
        (LoadFastBorrow, 0),
        (LoadSmallInt, 1),
        (BinaryOp, bytecode_cfg::opargs::NB_ADD as u8),
        (BinaryOp, bytecode_cfg::opargs::NB_TRUE_DIVIDE as u8),
        (ReturnValue, 0),
    ];
    let callee_cfg = feedback_cfg(&callee_ops, &[(4, BinaryOpAddInt, &[])], 3, 1);
    let mut facts = info(1);
    facts.callees = vec![test_callee(1, callee_cfg, 1, 1, vec![ir_cfg::ir::Operand::Const(5)])];
    let f = lower(&caller_cfg, &facts).unwrap();
    let mut s = ssa::from_vars(&f).unwrap();
    s.const_kinds = vec![None, None, None, None, None, Some(ssa::GuardKind::Float)];
    let text = s.to_text();
    assert!(text.contains("as_doubles 1") && text.contains("call box_int("), "{text}");
    ssa::passes::run_with(&mut s, &ssa::passes::default_pipeline(), false, true).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    // (The other `itof` is the zero test's 0.)
    for (what, n) in [("as_doubles", 0), ("call box_int(", 0), ("fits_compact", 1), ("itof", 2), ("unbox_float", 1), ("fdiv", 1)] {
        assert_eq!(after.matches(what).count(), n, "{what}: {after}");
    }
}

/// A call whose callable's load was found to push `math.sqrt` (`CodeInfo::math_calls`) tests
/// that the callable is that function (the relocated constant), that there is no self, and
/// that the argument is a number in sqrt's domain, then computes it (`math`); the call is made
/// otherwise. A call of two arguments is always made.
#[test]
fn math_calls_are_computed_inline() {
    use Opcode::*;
    use runtime_abi::abi::MathFn;
    for (nargs, inline) in [(1u8, 1), (2, 0)] {
        let mut ops = vec![(Resume, 0), (LoadGlobal, 1), (LoadFastBorrow, 0)];
        ops.extend((1..nargs).map(|_| (LoadFastBorrow, 0)));
        ops.extend([(Call, nargs), (ReturnValue, 0)]);
        let cfg = feedback_cfg(&ops, &[], 4, 1);
        let mut facts = info(1);
        facts.math_calls = vec![(1, MathFn::Sqrt, 7)];
        let f = lower(&cfg, &facts).unwrap();
        ir_cfg::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
        let s = ssa::from_vars(&f).unwrap();
        ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
        let text = s.to_text();
        for (what, n) in [("const[7]", inline), ("as_doubles 1", inline), ("math 0", inline), ("call box_float(", inline), ("call call(", 1)] {
            assert_eq!(text.matches(what).count(), n, "{what}: {text}");
        }
    }
}

/// BINARY_OP_EXTEND feedback of `*` and `/` (a float met a compact int): both operands as
/// doubles (`as_doubles`; for `/`, two ints too) and the result boxed, else the generic helper,
/// which also takes a zero divisor (it raises). Nothing is guarded.
#[test]
fn floats_meeting_ints_take_doubles_or_the_generic_helper() {
    use Opcode::*;
    for (nb, op, any) in [(bytecode_cfg::opargs::NB_MULTIPLY, "fmul", 0), (bytecode_cfg::opargs::NB_TRUE_DIVIDE, "fdiv", 1)] {
        let ops = [(Resume, 0), (LoadFastBorrow, 0), (LoadFastBorrow, 1), (BinaryOp, nb as u8), (ReturnValue, 0)];
        let f = lower_with_feedback(&ops, &[(3, BinaryOpExtend)], 2, &info(2));
        let s = ssa::from_vars(&f).unwrap();
        ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
        let text = s.to_text();
        for (what, n) in [(format!("as_doubles {any}"), 1), (op.to_string(), 1), ("call box_float(".into(), 1), ("call binary_op(".into(), 1), ("fcmp".into(), any)] {
            assert_eq!(text.matches(what.as_str()).count(), n, "{what}: {text}");
        }
        assert!(!text.contains("guard"), "{text}");
    }
}

/// True division and powers the interpreter leaves unspecialised (`BINARY_OP` itself): `x / y
/// / z` takes its operands as doubles (`to_double`, deoptimising for anything but an exact
/// float or a compact int) and divides them (`fdiv`, which raises on a zero divisor), with no
/// generic helper; the first quotient is never boxed once the passes have run (the second
/// division reads it as the double it is). `x ** 0.5` (a float constant) is `fpow`; `x ** y`
/// (no constant) stays the generic operation.
#[test]
fn unspecialised_division_and_power_take_doubles() {
    use Opcode::*;
    let ops = [(Resume, 0), (LoadFastBorrow, 0), (LoadFastBorrow, 1), (BinaryOp, 11), (LoadFastBorrow, 2), (BinaryOp, 11), (ReturnValue, 0)];
    let f = lower_with_feedback(&ops, &[], 2, &info(3));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    let text = s.to_text();
    for (what, n) in [("to_double number", 4), ("fdiv", 2), ("call box_float(", 2), ("call binary_op(", 0)] {
        assert_eq!(text.matches(what).count(), n, "{what}: {text}");
    }
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    for (what, n) in [("to_double number", 3), ("fdiv", 2), ("call box_float(", 1)] {
        assert_eq!(after.matches(what).count(), n, "{what}: {after}");
    }

    let mut facts = info(2);
    facts.const_kinds = vec![Some(ir_cfg::ssa::GuardKind::Float)];
    let power = [(Resume, 0), (LoadFastBorrow, 0), (LoadConst, 0), (BinaryOp, 8), (ReturnValue, 0)];
    let text = ssa::from_vars(&lower_with_feedback(&power, &[], 2, &facts)).unwrap().to_text();
    assert!(text.contains("fpow pow_domain") && text.contains("to_double number") && !text.contains("call binary_op("), "{text}");
    let general = [(Resume, 0), (LoadFastBorrow, 0), (LoadFastBorrow, 1), (BinaryOp, 8), (ReturnValue, 0)];
    let text = ssa::from_vars(&lower_with_feedback(&general, &[], 2, &facts)).unwrap().to_text();
    assert!(!text.contains("fpow") && text.contains("call binary_op("), "{text}");
}

/// BINARY_OP_EXTEND of `&`, `|`, `^` (two compact ints, the specialiser's int bit operations):
/// the operation on the values (tested, with the generic helper beside it); a run of arithmetic
/// ending in `& 255` computes it on the words. Plain BINARY_OP `&` (no feedback: the
/// specialiser gave up, an operand past one digit) is lowered the same way.
#[test]
fn int_bit_operations_with_feedback_compute_on_values() {
    use Opcode::*;
    for (oparg, op) in [(1u8, "iand"), (7, "ior"), (12, "ixor"), (14, "iand")] {
        let ops = [(Resume, 0), (LoadFastBorrow, 0), (LoadFastBorrow, 1), (BinaryOp, oparg), (ReturnValue, 0)];
        let f = lower_with_feedback(&ops, &[(3, BinaryOpExtend)], 2, &info(2));
        let s = ssa::from_vars(&f).unwrap();
        ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
        let text = s.to_text();
        assert_eq!(text.matches(&format!(" {op} ")).count(), 1, "{op}: {text}");
        assert_eq!(text.matches("call binary_op(").count(), 1, "{op}: {text}");
        let plain = ssa::from_vars(&lower_with_feedback(&ops, &[], 2, &info(2))).unwrap().to_text();
        assert_eq!(plain, text, "{op}");
    }
    // (x * 31 + y) & 255, stored: one run, boxed once.
    let run = [
        (Resume, 0),
        (LoadFastBorrow, 0),
        (LoadSmallInt, 31),
        (BinaryOp, 5),
        (LoadFastBorrow, 1),
        (BinaryOp, 0),
        (LoadSmallInt, 255),
        (BinaryOp, 1),
        (StoreFast, 0),
        (LoadFastBorrow, 0),
        (ReturnValue, 0),
    ];
    let feedback = [(3, BinaryOpMultiplyInt), (5, BinaryOpAddInt), (7, BinaryOpExtend)];
    let s = ssa::from_vars(&lower_with_feedback(&run, &feedback, 2, &info(2))).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    let text = s.to_text();
    for (what, n) in [(" imul ", 2), (" iadd ", 2), (" iand ", 2), ("run_join_", 1)] {
        assert_eq!(text.matches(what).count(), n, "{what}: {text}");
    }
}

/// Int feedback (BINARY_OP_ADD_INT, COMPARE_OP_INT feeding a branch, TO_BOOL_INT): the
/// operands are tested, not guarded, so an int that outgrew a digit takes the generic helper
/// and stays in native code; nothing deoptimises. `(x + 1 < 10) + (x - 1 if x else 0)`,
/// roughly: the compare's bool bit makes both paths produce a C truth value, and the passes
/// fold the compactness tests of the small ints.
#[test]
fn int_feedback_tests_operands_instead_of_guarding() {
    use Opcode::*;
    let ops = [
        (Resume, 0),
        (LoadFastBorrow, 0),
        (LoadSmallInt, 1),
        (BinaryOp, 0),
        (LoadSmallInt, 10),
        (CompareOp, 16 | 2 << 5),
        (ToBool, 0),
        (ReturnValue, 0),
    ];
    let f = lower_with_feedback(&ops, &[(3, BinaryOpAddInt), (5, CompareOpInt), (6, ToBoolInt)], 2, &info(1));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    let text = s.to_text();
    // The function's entry (`periodic`) may leave for the interpreter, for monitoring only.
    let deopts = text.lines().filter(|l| l.contains("deopt") && !l.contains("instrumentation")).count();
    assert!(!text.contains("guard") && deopts == 0, "{text}");
    assert!(text.contains("call binary_op(") && text.contains("call compare_op(") && text.contains("call to_bool("), "{text}");
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    // `x + 1 == 10` is a run (int_chain.rs): `x` tested once on its inline path, and on the
    // generic path (the instructions one by one) the operands of `+` and `==` and the result of
    // TO_BOOL; the small ints' tests are folded away.
    assert_eq!((text.matches("is_compact_int").count(), after.matches("is_compact_int").count()), (6, 4), "{after}");
    golden("int_feedback", &format!("{text}=== after the passes\n{after}"));
}

/// Ownership: small functions built directly, each with one seeded mistake (or none).
mod ownership {
    use super::*;
    use ir_cfg::ssa::{Block, Opcode as Op, Value};

    struct F {
        b: SsaBuilder,
        t: Value,
    }

    impl F {
        fn new(nlocals: u32) -> F {
            let b = SsaBuilder::new("own", nlocals);
            let (t, _) = b.entry_params();
            F { b, t }
        }
        /// A new reference that cannot fail.
        fn new_ref(&mut self) -> Value {
            self.b.ins1(Op::Call, helper(Helper::FetchExc), vec![self.t], None).unwrap()
        }
        /// A helper that borrows `v` and cannot fail.
        fn use_(&mut self, v: Value) {
            self.b.ins(Op::Call, helper(Helper::PopExcept), vec![self.t, v], None).unwrap();
        }
        fn op(&mut self, op: Op, imm: Imm, args: Vec<Value>) -> Vec<Value> {
            self.b.ins(op, imm, args, None).unwrap()
        }
        fn raise_block(&mut self) -> Block {
            self.b.new_block("err")
        }
        /// Fill the error block `e` (current block is kept): `decref` each of `release`, raise.
        fn fill_raise(&mut self, e: Block, release: &[Value]) {
            let cur = self.b.current().unwrap();
            self.b.seal_block(e);
            self.b.switch_to(e);
            for &v in release {
                self.op(Op::Decref, Imm::None, vec![v]);
            }
            self.b.terminate(Terminator::Raise).unwrap();
            self.b.switch_to(cur);
        }
        fn return_none(&mut self) {
            let n = self.b.ins1(Op::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
            self.op(Op::Incref, Imm::None, vec![n]);
            self.b.terminate(Terminator::Return(n)).unwrap();
        }
        fn finish(mut self) -> ssa::Function {
            self.b.seal_all();
            self.b.finish().unwrap()
        }
    }

    fn ok(f: &ssa::Function) {
        ssa::verify(f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    }

    fn finds(f: &ssa::Function, needle: &str) {
        let errs = ssa::verify(f).expect_err("ownership mistake verified");
        assert!(errs.iter().any(|e| e.to_string().contains(needle)), "{needle:?} not in {errs:?}\n{}", f.to_text());
    }

    #[test]
    fn released_once_is_fine_twice_is_not() {
        let mut f = F::new(0);
        let x = f.new_ref();
        f.use_(x);
        f.op(Op::Decref, Imm::None, vec![x]);
        f.return_none();
        ok(&f.finish());

        let mut f = F::new(0);
        let x = f.new_ref();
        f.op(Op::Decref, Imm::None, vec![x]);
        f.op(Op::Decref, Imm::None, vec![x]);
        f.return_none();
        finds(&f.finish(), "release of v2, which is dead (its last reference was released)");
    }

    #[test]
    fn use_after_release() {
        let mut f = F::new(0);
        let x = f.new_ref();
        f.op(Op::Decref, Imm::None, vec![x]);
        f.use_(x);
        f.return_none();
        finds(&f.finish(), "use of v2, which is dead (its last reference was released)");
    }

    #[test]
    fn leak_at_return_and_on_one_path() {
        let mut f = F::new(0);
        let _x = f.new_ref();
        f.return_none();
        finds(&f.finish(), "v2 still holds 1 reference(s) at return (leak)");

        // x = new; if c: decref x   (the other path keeps it)   ; join; return None
        let mut f = F::new(0);
        let x = f.new_ref();
        let c = f.op(Op::CInt, Imm::Int(1), vec![])[0];
        let (l, r, j) = (f.b.new_block("l"), f.b.new_block("r"), f.b.new_block("j"));
        f.b.terminate(Terminator::Branch { cond: c, then: SsaBuilder::call(l), otherwise: SsaBuilder::call(r) }).unwrap();
        f.b.seal_block(l);
        f.b.seal_block(r);
        f.b.switch_to(l);
        f.op(Op::Decref, Imm::None, vec![x]);
        f.b.terminate(Terminator::Jump(SsaBuilder::call(j))).unwrap();
        f.b.switch_to(r);
        f.b.terminate(Terminator::Jump(SsaBuilder::call(j))).unwrap();
        f.b.seal_block(j);
        f.b.switch_to(j);
        f.return_none();
        let f = f.finish();
        finds(&f, "v2 holds 1 reference(s) on the edge from b2 to b3 but 0 on another edge into b3");
    }

    #[test]
    fn a_borrow_of_a_local_is_stale_after_the_local_is_stored() {
        // l = local[0]; x = new; local[0] = x; use(l)
        let mut f = F::new(1);
        let l = f.op(Op::LoadLocal, Imm::Slot(0), vec![])[0];
        let x = f.new_ref();
        f.use_(l);
        f.op(Op::StoreLocal, Imm::Slot(0), vec![x]);
        // x lives on in the slot.
        f.use_(x);
        f.use_(l);
        f.return_none();
        finds(&f.finish(), "use of v2, which is dead (a borrow of local[0], which has been written since)");

        // The same with only the fine uses.
        let mut f = F::new(1);
        let l = f.op(Op::LoadLocal, Imm::Slot(0), vec![])[0];
        let x = f.new_ref();
        f.use_(l);
        f.op(Op::StoreLocal, Imm::Slot(0), vec![x]);
        f.use_(x);
        f.return_none();
        ok(&f.finish());
    }

    #[test]
    fn take_local_keeps_the_borrows_of_the_slot_alive() {
        // l = local[0]; s = take local[0]; use(l); local[0] = s; use(l)   (LOAD_FAST_AND_CLEAR's
        // save and restore): l borrows from s, then from the slot again.
        let mut f = F::new(1);
        let l = f.op(Op::LoadLocal, Imm::Slot(0), vec![])[0];
        let s = f.op(Op::TakeLocal, Imm::Slot(0), vec![])[0];
        f.use_(l);
        f.op(Op::StoreLocal, Imm::Slot(0), vec![s]);
        f.use_(l);
        f.return_none();
        ok(&f.finish());

        // Releasing the taken reference instead ends l.
        let mut f = F::new(1);
        let l = f.op(Op::LoadLocal, Imm::Slot(0), vec![])[0];
        let s = f.op(Op::TakeLocal, Imm::Slot(0), vec![])[0];
        f.op(Op::XDecref, Imm::None, vec![s]);
        f.use_(l);
        f.return_none();
        finds(&f.finish(), "use of v2, which is dead");
    }

    #[test]
    fn error_edges_carry_the_state_before_the_instruction() {
        // x = new; y = get_iter(x) err E; E: decref x; raise.  decref y; decref x; return None
        let build = |release_on_error: bool| {
            let mut f = F::new(0);
            let x = f.new_ref();
            let e = f.raise_block();
            let y = f.b.ins1(Op::Call, helper(Helper::GetIter), vec![x], Some(e)).unwrap();
            let release: Vec<Value> = if release_on_error { vec![x] } else { vec![] };
            f.fill_raise(e, &release);
            f.op(Op::Decref, Imm::None, vec![y]);
            f.op(Op::Decref, Imm::None, vec![x]);
            f.return_none();
            f.finish()
        };
        ok(&build(true));
        finds(&build(false), "v2 still holds 1 reference(s) at raise (leak)");
    }

    #[test]
    fn parameters_are_owned_on_every_edge_or_borrowed_on_every_edge() {
        // v = c ? new : local[0]; decref v
        let mut f = F::new(1);
        let var = f.b.declare_var(Type::Obj);
        let c = f.op(Op::CInt, Imm::Int(1), vec![])[0];
        let (l, r, j) = (f.b.new_block("l"), f.b.new_block("r"), f.b.new_block("j"));
        f.b.terminate(Terminator::Branch { cond: c, then: SsaBuilder::call(l), otherwise: SsaBuilder::call(r) }).unwrap();
        f.b.seal_block(l);
        f.b.seal_block(r);
        f.b.switch_to(l);
        let x = f.new_ref();
        f.b.def_var(var, x).unwrap();
        f.b.terminate(Terminator::Jump(SsaBuilder::call(j))).unwrap();
        f.b.switch_to(r);
        let y = f.op(Op::LoadLocal, Imm::Slot(0), vec![])[0];
        f.b.def_var(var, y).unwrap();
        f.b.terminate(Terminator::Jump(SsaBuilder::call(j))).unwrap();
        f.b.seal_block(j);
        f.b.switch_to(j);
        let v = f.b.use_var(var).unwrap();
        f.op(Op::Decref, Imm::None, vec![v]);
        f.return_none();
        finds(&f.finish(), "is passed a borrowed reference from b2 but an owned one on another edge");
    }

    /// A lowered function with one of its releases removed.
    #[test]
    fn a_lowered_function_missing_a_release_leaks() {
        use Opcode::*;
        let code = asm(&[(Resume, 0), (LoadFastBorrow, 0), (GetIter, 0), (PopTop, 0), (LoadConst, 0), (ReturnValue, 0)]);
        let f = lower(&cfg(&code, &[], 1, 1), &info(1)).unwrap();
        let mut s = ssa::from_vars(&f).unwrap();
        ok(&s);
        let (b, k) = s
            .blocks
            .iter()
            .find_map(|(b, d)| d.insts.iter().position(|i| s.insts[*i].op == Op::Decref).map(|k| (b, k)))
            .expect("the iterator is released");
        s.blocks[b].insts.remove(k);
        finds(&s, "still holds 1 reference(s) at return (leak)");
    }

    /// Dropping any one reference-count operation (or store) from a lowered function with a
    /// loop and a handler is found.
    #[test]
    fn every_dropped_refcount_operation_is_found() {
        let f = lower(&loop_with_try_except(), &info(3)).unwrap();
        let s = ssa::from_vars(&f).unwrap();
        ok(&s);
        let mut tried = 0;
        for (b, d) in s.blocks.iter() {
            for (k, &i) in d.insts.iter().enumerate() {
                if !matches!(s.insts[i].op, Op::Incref | Op::Decref | Op::XDecref | Op::StoreLocal) {
                    continue;
                }
                let mut m = s.clone();
                m.blocks[b].insts.remove(k);
                assert!(ssa::verify(&m).is_err(), "dropping {i} ({}) in {b} not found\n{}", s.insts[i].op, m.to_text());
                tried += 1;
            }
        }
        assert!(tried >= 8, "{tried}");
    }
}

/// A run of arithmetic (`1.0 / (s * (s + 1) // 2 + i)`, with int feedback, `//` unspecialised
/// and BINARY_OP_EXTEND for the `/`) is lowered as a whole: the two locals tested once, the
/// values computed unboxed with the divisors tested for zero, one box for the result; the
/// generic path is the instructions lowered one by one. After the passes the inline path makes
/// no other box.
#[test]
fn arithmetic_runs_box_only_their_result() {
    use Opcode::*;
    let ops = [
        (Resume, 0),
        (LoadConst, 0),
        (LoadFastBorrow, 1),
        (LoadFastBorrow, 1),
        (LoadSmallInt, 1),
        (BinaryOp, 0),
        (BinaryOp, 5),
        (LoadSmallInt, 2),
        (BinaryOp, 2),
        (LoadFastBorrow, 0),
        (BinaryOp, 0),
        (BinaryOp, 11),
        (ReturnValue, 0),
    ];
    let mut facts = info(2);
    facts.const_kinds = vec![Some(ir_cfg::ssa::GuardKind::Float)];
    let feedback = [(5, BinaryOpAddInt), (6, BinaryOpMultiplyInt), (10, BinaryOpAddInt), (11, BinaryOpExtend)];
    let f = lower_with_feedback(&ops, &feedback, 4, &facts);
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    let text = s.to_text();
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    let run: String = after.split("run_slow").next().unwrap().to_string();
    // The inline path: both locals tested, one box (the float result), no helper call.
    assert_eq!(run.matches("is_compact_int").count(), 2, "{after}");
    assert_eq!(run.matches("call box_").count(), 1, "{after}");
    assert!(run.contains("call box_float") && !run.contains("call binary_op"), "{after}");
    golden("arith_run", &format!("{text}=== after the passes\n{after}"));
}

/// `if not x:` with TO_BOOL_BOOL feedback: `not` is `x is False` inline (the interpreter's
/// UNARY_NOT), the guard that its result is a bool goes (a `bool` result is one), and the
/// branch tests the identity directly.
#[test]
fn not_is_an_identity_test() {
    use Opcode::*;
    let ops = [
        (Resume, 0),
        (LoadFastBorrow, 0),
        (ToBool, 0),
        (UnaryNot, 0),
        (ToBool, 0),
        (PopJumpIfFalse, 3),
        (NotTaken, 0),
        (LoadSmallInt, 1),
        (ReturnValue, 0),
        (LoadSmallInt, 2),
        (ReturnValue, 0),
    ];
    let f = lower_with_feedback(&ops, &[(2, ToBoolBool), (4, ToBoolBool)], 1, &info(1));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    assert_eq!(after.matches("guard bool").count(), 1, "{after}");
    assert!(after.matches("call ").count() == 1 && after.contains("call traceback_here") && after.contains("is 0"), "{after}");
    golden("not", &after);
}

/// LOAD_DEREF reads the cell's value inline (`cell_get`); only an empty cell calls the helper,
/// which raises the interpreter's NameError. `lambda x: x + n`, with `n` a free variable, whose
/// cell COPY_FREE_VARS copies from the closure inline (`free_var`).
#[test]
fn load_deref_reads_the_cell_inline() {
    use Opcode::*;
    let ops = [(CopyFreeVars, 1), (Resume, 0), (LoadFastBorrow, 0), (LoadDeref, 1), (BinaryOp, 0), (ReturnValue, 0)];
    let mut facts = info(2);
    facts.nfree = 1;
    let f = lower_with_feedback(&ops, &[], 2, &facts);
    ir_cfg::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    let (full, empty) = after.split_once("deref_empty").expect("an empty-cell path");
    assert!(full.contains("cell_get") && !full.contains("call load_deref"), "{after}");
    // COPY_FREE_VARS: the closure's cell read and stored into the free variable's slot inline.
    assert!(after.contains("free_var 0") && after.contains("store_local[1]") && !after.contains("copy_free_vars"), "{after}");
    assert_eq!(empty.matches("call load_deref").count(), 1, "{after}");
    golden("load_deref", &after);
}

/// The blocks the branch history says are not being run: the fall-through of a jump taken in
/// all its last 16 outcomes, and a block reached only from it; not the join the taken jump
/// reaches. (Their instructions are compiled generic: cpython-patch, generic_in_cold_blocks.)
#[test]
fn cold_blocks_follow_the_branch_history() {
    use Opcode::*;
    use runtime_abi::caches::BRANCH_HISTORY_UNIT;
    // Units: RESUME 0, LOAD_FAST_BORROW 1, POP_JUMP_IF_FALSE 2 (to 11), NOT_TAKEN 4,
    // LOAD_FAST_BORROW 5, POP_JUMP_IF_TRUE 6 (to 11), NOT_TAKEN 8, LOAD_FAST_BORROW 9, POP_TOP
    // 10, LOAD_CONST 11, RETURN_VALUE 12.
    let ops = [
        (Resume, 0),
        (LoadFastBorrow, 0),
        (PopJumpIfFalse, 7),
        (NotTaken, 0),
        (LoadFastBorrow, 0),
        (PopJumpIfTrue, 3),
        (NotTaken, 0),
        (LoadFastBorrow, 0),
        (PopTop, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
    ];
    let first_units = |history: u32| {
        let jumped: &[(usize, u32)] = &[(BRANCH_HISTORY_UNIT as usize, history)];
        let cfg = feedback_cfg(&ops, &[(2, PopJumpIfFalse, jumped)], 1, 1);
        let mut units: Vec<u32> = ir_cfg::cold_blocks(&cfg).into_iter().map(|b| cfg.instrs[cfg.graph[b].first].offset).collect();
        units.sort();
        units
    };
    assert_eq!(first_units(0xffff), vec![4, 8]);
    // One fall-through among the last 16 outcomes: nothing is cold.
    assert_eq!(first_units(0xfffe), Vec::<u32>::new());
}

/// A generator (`def g(x): print((yield x)); return None`, roughly): the native function starts
/// with a dispatch on `instr_ptr` to the two places a generator resumes (after RETURN_GENERATOR,
/// after the YIELD_VALUE), each moving the value stack out of the frame; the yield is a
/// `suspend` with the whole stack (the callable, NULL and the yielded value) as its frame state.
/// The prologue (RETURN_GENERATOR) is unreachable and dropped.
#[test]
fn generator_resumes_by_instr_ptr() {
    use Opcode::*;
    // Units: RETURN_GENERATOR 0, POP_TOP 1, RESUME 2, LOAD_GLOBAL 3 (+4 caches), LOAD_FAST_BORROW
    // 8, YIELD_VALUE 9, RESUME 10, CALL 11 (+3), POP_TOP 15, LOAD_CONST 16, RETURN_VALUE 17.
    let ops = [
        (ReturnGenerator, 0),
        (PopTop, 0),
        (Resume, 0),
        (LoadGlobal, 1),
        (LoadFastBorrow, 0),
        (YieldValue, 0),
        (Resume, 1),
        (Call, 1),
        (PopTop, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
    ];
    let mut facts = info(1);
    facts.flags |= bytecode_cfg::co_flags::GENERATOR;
    let f = lower_with_feedback(&ops, &[], 4, &facts);
    ir_cfg::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    for (what, n) in [("at_unit 2\n", 1), ("at_unit 20\n", 1), ("call resume_stack(", 1), ("drop_sent", 1), ("suspend yield(0)", 1), ("call resume_in_interpreter(", 1)] {
        assert_eq!(after.matches(what).count(), n, "{what}: {after}");
    }
    assert!(!after.contains("RETURN_GENERATOR"), "{after}");
    golden("generator", &after);
}

/// A yield inside an exception handler that pushed a tagged `lasti` (`try: raise c` /
/// `except: yield c`, roughly): the suspension's frame state writes the lasti as a `lasti` slot,
/// and the resumption after the yield reads it back with `resumed_lasti` (a word, never a
/// reference: the ownership check sees no object in that slot).
#[test]
fn generator_yields_inside_a_handler() {
    use Opcode::*;
    // Units: RETURN_GENERATOR 0, POP_TOP 1, RESUME 2, LOAD_CONST 3, RAISE_VARARGS 4; handler 5:
    // PUSH_EXC_INFO, POP_TOP 6, LOAD_CONST 7, YIELD_VALUE 8, RESUME 9, POP_TOP 10,
    // POP_EXCEPT 11, POP_TOP 12 (the lasti), LOAD_CONST 13, RETURN_VALUE 14.
    let ops = [
        (ReturnGenerator, 0),
        (PopTop, 0),
        (Resume, 0),
        (LoadConst, 0),
        (RaiseVarargs, 1),
        (PushExcInfo, 0),
        (PopTop, 0),
        (LoadConst, 0),
        (YieldValue, 0),
        (Resume, 1),
        (PopTop, 0),
        (PopExcept, 0),
        (PopTop, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
    ];
    let code = asm(&ops);
    assert_eq!(code.len(), 2 * ops.len(), "no inline caches: the units above are the indices");
    // Units 3..5 -> handler 5 at depth 0, pushing lasti.
    let table = [0x80 | 3u8, 2, 5, 1];
    let input = bytecode_cfg::CodeInput { code: &code, exception_table: &table, flags: 0x23, nlocalsplus: 0, stacksize: 3, nconsts: 1, nnames: 2, ..Default::default() };
    let mut facts = info(0);
    facts.flags |= bytecode_cfg::co_flags::GENERATOR;
    let f = lower(&bytecode_cfg::BytecodeCfg::build(&input).unwrap(), &facts).unwrap();
    ir_cfg::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    let mut s = ssa::from_vars(&f).unwrap();
    ssa::verify(&s).unwrap_or_else(|e| panic!("{e:?}\n{}", s.to_text()));
    ssa::passes::run(&mut s, &ssa::passes::default_pipeline(), false).unwrap_or_else(|e| panic!("{e}"));
    let after = s.to_text();
    for (what, n) in [("suspend yield(0)", 1), (" lasti, ", 2), ("call resumed_lasti(", 1), ("call lasti(", 1), ("call resume_stack(", 1), ("drop_sent", 1)] {
        assert_eq!(after.matches(what).count(), n, "{what}: {after}");
    }
    golden("yield_in_handler", &after);
}
