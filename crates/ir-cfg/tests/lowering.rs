//! Lowering and verifier tests on hand-assembled CPython 3.14 bytecode, with golden IR text.
//! Set `COIR_BLESS=1` to rewrite the golden files after an intended change.
use bytecode_cfg::{BytecodeCfg, CodeInput, Opcode};
use ir_cfg::builder::FunctionBuilder;
use ir_cfg::{lower, verify, Helper, Inst, LowerError, Operand, Term, Ty};

mod common;
use common::{asm, cfg, info};

fn golden(name: &str, text: &str) {
    common::golden(name, "ir", text);
}

#[test]
fn add_one() {
    use Opcode::*;
    let code = asm(&[(Resume, 0), (LoadFastBorrow, 0), (LoadSmallInt, 1), (BinaryOp, 0), (ReturnValue, 0)]);
    let f = lower(&cfg(&code, &[], 2, 1), &info(1)).unwrap();
    verify(&f).unwrap();
    golden("add_one", &f.to_text());
}

#[test]
fn loop_with_try_except() {
    let c = common::loop_with_try_except();
    let f = lower(&c, &info(3)).unwrap();
    verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    golden("loop_with_try_except", &f.to_text());
}

#[test]
fn module_bodies_are_refused() {
    use Opcode::*;
    let code = asm(&[(Resume, 0), (LoadConst, 0), (ReturnValue, 0)]);
    let c = cfg(&code, &[], 1, 0);
    let mut module = info(0);
    module.flags = 0;
    assert_eq!(lower(&c, &module), Err(LowerError::UnsupportedCode("module or class body")));
}

#[test]
fn bad_opargs_are_typed_errors() {
    use Opcode::*;
    // bytecode-cfg refuses an index past co_consts, naming the offset ...
    let code = asm(&[(Resume, 0), (LoadConst, 7), (ReturnValue, 0)]);
    let input = CodeInput { code: &code, flags: 0x3, stacksize: 1, nconsts: 1, ..Default::default() };
    assert!(matches!(
        BytecodeCfg::build(&input),
        Err(bytecode_cfg::CfgError::OpargOutOfRange { offset: 2, oparg: 7, .. })
    ));
    // ... and lowering checks again against its own CodeInfo (defence in depth: the two
    // descriptions of the code object come from different places).
    let c = BytecodeCfg::build(&CodeInput { nconsts: 8, ..input }).unwrap();
    assert!(matches!(lower(&c, &info(0)), Err(LowerError::BadOparg { offset: 2, .. })));
    // COPY_FREE_VARS must copy exactly the free variables, which only CodeInfo knows.
    let code = asm(&[(CopyFreeVars, 1), (Resume, 0), (LoadConst, 0), (ReturnValue, 0)]);
    let c = cfg(&code, &[], 1, 2);
    assert!(matches!(lower(&c, &info(2)), Err(LowerError::BadOparg { offset: 0, oparg: 1, .. })));
}

#[test]
fn handler_reached_first_through_a_back_edge_is_lowered() {
    use Opcode::*;
    // u0 LOAD_FAST_BORROW 0; u1 POP_JUMP_IF_TRUE ->u4 (+1 cache); u3 JUMP_FORWARD ->u8
    // u4 NOP (covered: handler u7, depth 0); u5 LOAD_CONST 0; u6 RETURN_VALUE
    // u7 POP_TOP (handler); u8 LOAD_CONST 0; u9 JUMP_BACKWARD ->u7 (+1 cache)
    // Depth-first search reaches the handler through the NOP's exception edge, which is never
    // realised (a NOP cannot raise), so in reverse postorder the handler comes before the
    // block whose back edge alone gives it an entry state; lowering used to leave the
    // handler's block empty and open.
    let code = asm(&[
        (LoadFastBorrow, 0),
        (PopJumpIfTrue, 1),
        (JumpForward, 4),
        (Nop, 0),
        (LoadConst, 0),
        (ReturnValue, 0),
        (PopTop, 0),
        (LoadConst, 0),
        (JumpBackward, 4),
    ]);
    let table = [0x80 | 4, 1, 7, 0];
    let c = cfg(&code, &table, 1, 1);
    let f = lower(&c, &info(1)).unwrap();
    verify(&f).unwrap();
    let text = f.to_text();
    let h = text.find("# b14_POP_TOP").unwrap_or_else(|| panic!("{text}"));
    assert!(text[h..].contains("xdecref v0"), "handler block not lowered:\n{text}");
}

#[test]
fn declared_stack_size_does_not_size_the_ir() {
    use Opcode::*;
    // co_stacksize up to INT_MAX is accepted by CPython; the IR has as many stack variables
    // as the code reaches (used to allocate co_stacksize of them and abort).
    let code = asm(&[(Resume, 0), (LoadConst, 0), (ReturnValue, 0)]);
    let c = cfg(&code, &[], i32::MAX as u32, 0);
    assert_eq!(c.max_depth, 1);
    let f = lower(&c, &info(0)).unwrap();
    assert!(f.vars.len() < 16, "{}", f.vars.len());
}

fn one_block(body: impl FnOnce(&mut FunctionBuilder)) -> Vec<String> {
    let mut b = FunctionBuilder::new("t", 2, 1);
    let entry = b.new_block("entry");
    b.switch_to(entry);
    body(&mut b);
    let f = b.finish();
    match verify(&f) {
        Ok(()) => vec![],
        Err(errs) => errs.iter().map(|e| e.message.clone()).collect(),
    }
}

#[test]
fn verifier_finds_leaks_double_releases_and_missing_error_edges() {
    // A new reference dropped at return: a leak.
    let errs = one_block(|b| {
        let v = b.new_var(Ty::Obj);
        let err = b.new_block("err");
        b.push(Inst::Call { helper: Helper::GetIter, args: vec![Operand::Const(0)], dst: Some(v), err: Some(err) });
        b.terminate(Term::Raise);
        b.terminate_at(err, Term::Raise);
    });
    assert!(errs.iter().any(|e| e.contains("still owned at raise")), "{errs:?}");
    // Released twice.
    let errs = one_block(|b| {
        let v = b.new_var(Ty::Obj);
        let err = b.new_block("err");
        b.push(Inst::Call { helper: Helper::GetIter, args: vec![Operand::Const(0)], dst: Some(v), err: Some(err) });
        b.push(Inst::Decref(v));
        b.push(Inst::Decref(v));
        b.terminate(Term::Raise);
        b.terminate_at(err, Term::Raise);
    });
    assert!(errs.iter().any(|e| e.contains("decref of v2, which is Dead")), "{errs:?}");
    // A fallible helper without an error edge.
    let errs = one_block(|b| {
        let v = b.new_var(Ty::Obj);
        b.push(Inst::Call { helper: Helper::GetIter, args: vec![Operand::Const(0)], dst: Some(v), err: None });
        b.push(Inst::Decref(v));
        b.terminate(Term::Raise);
    });
    assert!(errs.iter().any(|e| e.contains("error block missing")), "{errs:?}");
    // Wrong argument type.
    let errs = one_block(|b| {
        let v = b.new_var(Ty::Obj);
        let err = b.new_block("err");
        b.push(Inst::Call { helper: Helper::GetIter, args: vec![Operand::Imm(1)], dst: Some(v), err: Some(err) });
        b.push(Inst::Decref(v));
        b.terminate(Term::Raise);
        b.terminate_at(err, Term::Raise);
    });
    assert!(errs.iter().any(|e| e.contains("expected Obj")), "{errs:?}");
    // Stealing a borrowed value into a local.
    let errs = one_block(|b| {
        let v = b.new_var(Ty::Obj);
        b.push(Inst::LoadLocal { dst: v, index: 0 });
        b.push(Inst::StoreLocal { index: 0, src: v });
        b.terminate(Term::Raise);
    });
    assert!(errs.iter().any(|e| e.contains("store_local of v2, which is Borrowed")), "{errs:?}");
}

#[test]
fn verifier_finds_disagreeing_joins() {
    let errs = one_block(|b| {
        let v = b.new_var(Ty::Obj);
        let c = b.new_var(Ty::Int);
        let (left, right, join) = (b.new_block("l"), b.new_block("r"), b.new_block("j"));
        b.push(Inst::Move { dst: c, src: Operand::Imm(1) });
        b.push(Inst::LoadLocal { dst: v, index: 0 });
        b.terminate(Term::Branch { cond: Operand::Var(c), then: left, otherwise: right });
        b.switch_to(left);
        b.push(Inst::Incref(v));
        b.terminate(Term::Jump(join));
        b.switch_to(right);
        b.terminate(Term::Jump(join));
        b.switch_to(join);
        b.terminate(Term::Raise);
    });
    assert!(errs.iter().any(|e| e.contains("on one path into")), "{errs:?}");
}

#[test]
fn tagged_lasti_used_as_an_object_is_refused() {
    use Opcode::*;
    // Found by the fuzzer (seed 7, mutant 67124): a handler with lasti whose code treats the
    // lasti slot as an object (STORE_FAST of it); the IR verifier caught the store of a
    // non-object as an internal error. Now a typed refusal naming the offset.
    // u0 LOAD_GLOBAL 0 (+4 caches, covered: handler u6, depth 0, lasti); u5 RETURN_VALUE;
    // u6 POP_TOP (handler: [lasti, exc] -> [lasti]); u7 STORE_FAST 0 (stores the lasti);
    // u8 LOAD_CONST 0; u9 RETURN_VALUE
    let code = asm(&[(LoadGlobal, 0), (ReturnValue, 0), (PopTop, 0), (StoreFast, 0), (LoadConst, 0), (ReturnValue, 0)]);
    let table = [0x80, 5, 6, 1];
    let c = cfg(&code, &table, 2, 1);
    let e = lower(&c, &info(1)).unwrap_err();
    assert_eq!(e, LowerError::LastiAsObject { slot: 0, offset: 14 });
}
