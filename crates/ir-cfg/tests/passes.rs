//! The pass pipeline: each pass on functions made for it, golden text before and after, the
//! verifier run after each pass. Set `COIR_BLESS=1` to rewrite the golden files.
use ir_cfg::helpers::Helper;
use ir_cfg::ir::Singleton;
use ir_cfg::ssa::passes::{self, Arith, DeadCode, GuardRemoval, Pass, RefcountPairs, Simplify, Unbox};
use ir_cfg::ssa::{self, FrameState, GuardKind, HelperCall, Imm, Opcode, SsaBuilder, StackSlot, Terminator, Type, Value};

mod common;

fn golden(name: &str, text: &str) {
    common::golden(name, "passes", text);
}

/// Run one pass; golden text of the function before and after it.
fn check(name: &str, mut f: ssa::Function, pass: Box<dyn Pass>) -> (ssa::Function, usize) {
    ssa::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    let before = f.to_text();
    let r = passes::run(&mut f, &[pass], true).unwrap_or_else(|e| panic!("{e}"));
    golden(name, &format!("{before}=== after {} ({} changes)\n{}", r[0].name, r[0].changes, r[0].text.as_deref().unwrap()));
    (f, r[0].changes)
}

fn call(h: Helper) -> Imm {
    Imm::Call(HelperCall { helper: h, arrays: vec![] })
}

/// Reference counting on None, on NULL and on a new object; `x is NULL` tests.
fn refcounts() -> ssa::Function {
    let mut b = SsaBuilder::new("refcounts", 0);
    let (tstate, frame) = b.entry_params();
    let (yes, no, err) = (b.new_block("yes"), b.new_block("no"), b.new_block("err"));
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    let null = b.ins1(Opcode::Null, Imm::None, vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.ins(Opcode::XDecref, Imm::None, vec![null], None).unwrap();
    let exc = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(err)).unwrap();
    b.ins(Opcode::XIncref, Imm::None, vec![exc], None).unwrap();
    b.ins(Opcode::XDecref, Imm::None, vec![exc], None).unwrap();
    let unused = b.ins1(Opcode::CInt, Imm::Int(7), vec![], None).unwrap();
    let _ = unused;
    b.terminate(Terminator::BranchEq { a: exc, b: null, then: SsaBuilder::call(yes), otherwise: SsaBuilder::call(no) }).unwrap();
    for blk in [yes, no, err] {
        b.seal_block(blk);
        b.switch_to(blk);
        if blk == err {
            b.terminate(Terminator::Raise).unwrap();
        } else {
            b.ins(Opcode::Decref, Imm::None, vec![exc], None).unwrap();
            b.terminate(Terminator::Return(none)).unwrap();
        }
    }
    b.finish().unwrap()
}

#[test]
fn simplify_drops_refcounting_that_does_nothing() {
    let (f, changes) = check("simplify_refcounts", refcounts(), Box::new(Simplify));
    let text = f.to_text();
    // incref None, xdecref NULL: gone; xincref/xdecref of a helper result that is never NULL
    // where used: plain; `exc is NULL` after a NULL-checked call: false.
    assert!(!text.contains("xincref") && !text.contains("xdecref"), "{text}");
    assert!(!text.contains("incref v2"), "{text}");
    assert!(text.contains("jump b2"), "{text}");
    assert_eq!(changes, 5, "{text}");
}

#[test]
fn dce_removes_unused_pure_results_only() {
    let (f, changes) = check("dce", refcounts(), Box::new(DeadCode));
    let text = f.to_text();
    assert!(!text.contains("cint 7"), "{text}");
    // Everything with an effect stays, used or not.
    assert!(text.contains("load_build_class") && text.contains("decref"), "{text}");
    assert_eq!(changes, 1);
}

#[test]
fn the_default_pipeline_verifies_after_each_pass() {
    let mut f = refcounts();
    let r = passes::run(&mut f, &passes::default_pipeline(), false).unwrap();
    assert_eq!(r.iter().map(|r| r.name).collect::<Vec<_>>(), ["simplify", "local_loads", "guard_removal", "arith", "unbox", "refcount_pairs", "dce", "reuse_float_locals", "instr_ptr"]);
    // After simplify, the NULL and the unused constant are dead.
    assert!(!f.to_text().contains("null"), "{}", f.to_text());
}

/// A pass that breaks the function is caught by the verifier at that pass.
#[test]
fn a_broken_pass_is_named() {
    struct Breaks;
    impl Pass for Breaks {
        fn name(&self) -> &'static str {
            "breaks"
        }
        fn run(&self, f: &mut ssa::Function) -> usize {
            // Drop every instruction: its results are then used but never defined.
            let blocks: Vec<_> = f.blocks.keys().collect();
            for b in blocks {
                f.blocks[b].insts.clear();
            }
            1
        }
    }
    let mut f = refcounts();
    let e = passes::run(&mut f, &[Box::new(Breaks)], false).unwrap_err();
    assert_eq!(e.pass, "breaks");
    assert!(e.to_string().contains("never defined"), "{e}");
    // Verified only after the last pass (what compiles outside the tests do), the broken
    // function is still refused, without the pass's name.
    let mut f = refcounts();
    let e = passes::run_with(&mut f, &[Box::new(Simplify), Box::new(Breaks), Box::new(DeadCode)], false, false).unwrap_err();
    assert_eq!(e.pass, "(the pipeline)");
    assert!(e.to_string().contains("never defined"), "{e}");
    // And a sound pipeline gives the same function either way.
    let (mut a, mut b) = (refcounts(), refcounts());
    passes::run_with(&mut a, &passes::default_pipeline(), false, false).unwrap();
    passes::run(&mut b, &passes::default_pipeline(), false).unwrap();
    assert_eq!(a.to_text(), b.to_text());
}

#[test]
fn facts_come_from_the_table() {
    let f = refcounts();
    let entry = f.entry.unwrap();
    let facts: Vec<_> = f.blocks[entry].insts.iter().filter_map(|i| f.insts[*i].results.first()).map(|v| (f.ty(*v), passes::fact(&f, *v))).collect();
    use ir_cfg::ssa::ops::ResultFact::*;
    assert_eq!(facts, [(Type::Obj, Immortal), (Type::Obj, Null), (Type::Obj, NonNull), (Type::CInt, Any)]);
}

#[test]
fn refcount_pairs_with_nothing_between_cancel() {
    // After simplify: incref v4; decref v4 -> the pair cancels; the decrefs on the paths stay.
    let mut f = refcounts();
    passes::run(&mut f, &[Box::new(Simplify)], false).unwrap();
    let (f, changes) = check("refcount_pairs", f, Box::new(RefcountPairs));
    assert_eq!(changes, 2);
    assert!(!f.to_text().contains("incref"), "{}", f.to_text());
    assert_eq!(f.to_text().matches("decref v4").count(), 2, "{}", f.to_text());

    // A call between them (arbitrary code may look at the count) keeps the pair.
    let mut b = SsaBuilder::new("kept", 0);
    let (tstate, frame) = b.entry_params();
    let err = b.new_block("err");
    let x = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(err)).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![x], None).unwrap();
    b.ins(Opcode::Call, call(Helper::TracebackHere), vec![frame], None).unwrap();
    b.ins(Opcode::Decref, Imm::None, vec![x], None).unwrap();
    b.terminate(Terminator::Return(x)).unwrap();
    b.seal_block(err);
    b.switch_to(err);
    b.terminate(Terminator::Raise).unwrap();
    let mut f = b.finish().unwrap();
    let r = passes::run(&mut f, &[Box::new(RefcountPairs)], false).unwrap();
    assert_eq!(r[0].changes, 0);
}

fn guard(b: &mut SsaBuilder, v: Value, unit: u32, stack: &[(Value, StackSlot)]) {
    let fs = FrameState { unit, stack: stack.iter().map(|s| s.1).collect() };
    let mut args = vec![v];
    args.extend(stack.iter().map(|s| s.0));
    b.ins(Opcode::Guard, Imm::Guard(GuardKind::Float, fs), args, None).unwrap();
}

/// `(a + b) * 2.0` on floats, as lowering speculates it: a guard per operand, unboxed
/// arithmetic, a box per result; the intermediate box is released after its use and on the
/// error path of the second box.
fn float_chain() -> ssa::Function {
    let mut b = SsaBuilder::new("float_chain", 2);
    let (e1, e2) = (b.new_block("err_box1"), b.new_block("err_box2"));
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    let y = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    let two = b.ins1(Opcode::Const, Imm::Const(0), vec![], None).unwrap();
    let st = [(a, StackSlot::Borrowed), (y, StackSlot::Borrowed)];
    guard(&mut b, a, 4, &st);
    guard(&mut b, y, 4, &st);
    let (xa, xy) = (b.ins1(Opcode::UnboxFloat, Imm::None, vec![a], None).unwrap(), b.ins1(Opcode::UnboxFloat, Imm::None, vec![y], None).unwrap());
    let s = b.ins1(Opcode::FAdd, Imm::None, vec![xa, xy], None).unwrap();
    let t = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![s], Some(e1)).unwrap();
    let st = [(t, StackSlot::Owned), (two, StackSlot::Borrowed)];
    // Proven by box_float, by the constant's kind, and by the guard above.
    guard(&mut b, t, 8, &st);
    guard(&mut b, two, 8, &st);
    guard(&mut b, a, 8, &st);
    let (u, w) = (b.ins1(Opcode::UnboxFloat, Imm::None, vec![t], None).unwrap(), b.ins1(Opcode::UnboxFloat, Imm::None, vec![two], None).unwrap());
    let r = b.ins1(Opcode::FMul, Imm::None, vec![u, w], None).unwrap();
    let o = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![r], Some(e2)).unwrap();
    b.ins(Opcode::Decref, Imm::None, vec![t], None).unwrap();
    b.terminate(Terminator::Return(o)).unwrap();
    b.seal_block(e1);
    b.switch_to(e1);
    b.terminate(Terminator::Raise).unwrap();
    b.seal_block(e2);
    b.switch_to(e2);
    b.ins(Opcode::Decref, Imm::None, vec![t], None).unwrap();
    b.terminate(Terminator::Raise).unwrap();
    let mut f = b.finish().unwrap();
    f.const_kinds = vec![Some(GuardKind::Float)];
    f
}

#[test]
fn guard_removal_drops_guards_whose_answer_is_known() {
    let (f, changes) = check("guard_removal", float_chain(), Box::new(GuardRemoval));
    assert_eq!(changes, 3, "{}", f.to_text());
    assert_eq!(f.to_text().matches("guard").count(), 2, "{}", f.to_text());
}

#[test]
fn unbox_keeps_intermediate_floats_unboxed() {
    let mut f = float_chain();
    passes::run(&mut f, &[Box::new(GuardRemoval)], false).unwrap();
    let (f, _) = check("unbox", f, Box::new(Unbox));
    let text = f.to_text();
    // One box left (the result); the intermediate's release and its error path are gone.
    assert_eq!(text.matches("call box_float").count(), 1, "{text}");
    assert_eq!(text.matches("decref").count(), 0, "{text}");
}

#[test]
fn a_guard_between_an_incref_and_a_decref_keeps_them() {
    // The guard's exit moves the reference the incref took into the frame.
    let mut b = SsaBuilder::new("guarded_pair", 1);
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![a], None).unwrap();
    guard(&mut b, a, 2, &[(a, StackSlot::Owned)]);
    b.ins(Opcode::Decref, Imm::None, vec![a], None).unwrap();
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    let mut f = b.finish().unwrap();
    let r = passes::run(&mut f, &[Box::new(RefcountPairs)], false).unwrap();
    assert_eq!(r[0].changes, 0, "{}", f.to_text());
}

#[test]
fn a_guard_that_would_leak_at_its_exit_is_refused() {
    // An owned value the frame state does not hand to the frame leaks at the exit.
    let mut b = SsaBuilder::new("leaky_guard", 1);
    let (tstate, frame) = b.entry_params();
    let err = b.new_block("err");
    let x = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(err)).unwrap();
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    guard(&mut b, a, 2, &[(a, StackSlot::Borrowed)]);
    b.terminate(Terminator::Return(x)).unwrap();
    b.seal_block(err);
    b.switch_to(err);
    b.terminate(Terminator::Raise).unwrap();
    let f = b.finish().unwrap();
    let e = ssa::verify(&f).unwrap_err();
    assert!(e.iter().any(|e| e.to_string().contains("at deopt (leak)")), "{e:?}");
}

#[test]
fn repeated_local_loads_become_one_until_the_slot_may_change() {
    use ir_cfg::ssa::passes::LocalLoads;
    let mut b = SsaBuilder::new("local_loads", 1);
    let (tstate, frame) = b.entry_params();
    let err = b.new_block("err");
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    guard(&mut b, a, 2, &[(a, StackSlot::Borrowed)]);
    let a2 = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    guard(&mut b, a2, 4, &[(a2, StackSlot::Borrowed)]);
    // A call may run Python code, which may write the slot through f_locals.
    let x = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(err)).unwrap();
    let a3 = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    guard(&mut b, a3, 6, &[(x, StackSlot::Owned), (a3, StackSlot::Borrowed)]);
    b.terminate(Terminator::Return(x)).unwrap();
    b.seal_block(err);
    b.switch_to(err);
    b.terminate(Terminator::Raise).unwrap();
    let f = b.finish().unwrap();
    let (mut f, changes) = check("local_loads", f, Box::new(LocalLoads));
    assert_eq!(changes, 1, "{}", f.to_text());
    passes::run(&mut f, &[Box::new(GuardRemoval)], false).unwrap();
    assert_eq!(f.to_text().matches("guard").count(), 2, "{}", f.to_text());
}

/// Releasing a float runs no code, so loads of locals stay one across it: across a `decref` of
/// a guarded float, a `store_item` replacing a float item just read from the same list and
/// index, and a `store_local` over a float. A release of something unknown still forgets.
#[test]
fn local_loads_hold_across_releases_of_floats() {
    use ir_cfg::ssa::passes::LocalLoads;
    let mut b = SsaBuilder::new("quiet_releases", 3);
    let (tstate, frame) = b.entry_params();
    let err = b.new_block("err");
    let kind_guard = |b: &mut SsaBuilder, k: GuardKind, v: Value| {
        let fs = FrameState { unit: 2, stack: vec![] };
        b.ins(Opcode::Guard, Imm::Guard(k, fs), vec![v], None).unwrap();
    };
    let owned = |vs: &[Value]| (FrameState { unit: 4, stack: vec![StackSlot::Owned; vs.len()] }, vs.to_vec());
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    kind_guard(&mut b, GuardKind::Float, a);
    let l = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    kind_guard(&mut b, GuardKind::List, l);
    let zero = b.ins1(Opcode::SmallInt, Imm::SmallInt(0), vec![], None).unwrap();
    let i = b.ins1(Opcode::UnboxInt, Imm::None, vec![zero], None).unwrap();
    let w = b.ins1(Opcode::Item, Imm::Guard(GuardKind::ListIndex, owned(&[]).0), vec![l, i], None).unwrap();
    let (fs, live) = owned(&[w]);
    b.ins(Opcode::Guard, Imm::Guard(GuardKind::Float, fs), [vec![w], live].concat(), None).unwrap();
    let (x, y) = (b.ins1(Opcode::UnboxFloat, Imm::None, vec![a], None).unwrap(), b.ins1(Opcode::UnboxFloat, Imm::None, vec![w], None).unwrap());
    let sum = b.ins1(Opcode::FAdd, Imm::None, vec![x, y], None).unwrap();
    let boxed = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![sum], Some(err)).unwrap();
    let err2 = b.new_block("err2");
    let boxed2 = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![sum], Some(err2)).unwrap();
    b.ins(Opcode::Decref, Imm::None, vec![w], None).unwrap();
    let i2 = b.ins1(Opcode::UnboxInt, Imm::None, vec![zero], None).unwrap();
    let (fs, live) = owned(&[boxed, boxed2]);
    b.ins(Opcode::StoreItem, Imm::Guard(GuardKind::ListIndex, fs), [vec![l, i2, boxed], live].concat(), None).unwrap();
    b.ins(Opcode::StoreLocal, Imm::Slot(0), vec![boxed2], None).unwrap();
    let _l2 = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    // Slot 2's old value is unknown: its release may run code.
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.ins(Opcode::StoreLocal, Imm::Slot(2), vec![none], None).unwrap();
    let _l3 = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    b.seal_block(err);
    b.switch_to(err);
    b.ins(Opcode::Decref, Imm::None, vec![w], None).unwrap();
    b.terminate(Terminator::Raise).unwrap();
    b.seal_block(err2);
    b.switch_to(err2);
    b.ins(Opcode::Decref, Imm::None, vec![w], None).unwrap();
    b.ins(Opcode::Decref, Imm::None, vec![boxed], None).unwrap();
    b.terminate(Terminator::Raise).unwrap();
    let _ = (tstate, frame);
    let f = b.finish().unwrap();
    let (f, changes) = check("quiet_releases", f, Box::new(LocalLoads));
    assert_eq!(changes, 1, "{}", f.to_text());
    assert_eq!(f.to_text().matches("local[1]").count(), 2, "{}", f.to_text());
}

#[test]
fn guards_after_a_raising_instruction_do_not_hold_on_its_error_edge() {
    // b0: call (error edge to err); guard float a; return.   err: guard float a; raise.
    // The guard in `err` must stay: on that path the one in b0 never ran.
    let mut b = SsaBuilder::new("error_edge_facts", 1);
    let (tstate, frame) = b.entry_params();
    let err = b.new_block("err");
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    let x = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(err)).unwrap();
    guard(&mut b, a, 2, &[(x, StackSlot::Owned), (a, StackSlot::Borrowed)]);
    b.terminate(Terminator::Return(x)).unwrap();
    b.seal_block(err);
    b.switch_to(err);
    guard(&mut b, a, 4, &[(a, StackSlot::Borrowed)]);
    b.terminate(Terminator::Raise).unwrap();
    let mut f = b.finish().unwrap();
    let r = passes::run(&mut f, &[Box::new(GuardRemoval)], false).unwrap();
    assert_eq!(r[0].changes, 0, "{}", f.to_text());
}

/// Helper calls that each get an error block of their own, which releases what is owned at
/// the call (error edges lead to blocks with one predecessor).
#[derive(Default)]
struct Raising {
    errs: Vec<(ssa::Block, Vec<Value>)>,
    /// The new references made so far by calls of [`Raising::owning`].
    owned: Vec<Value>,
}

impl Raising {
    fn call(&mut self, b: &mut SsaBuilder, h: Helper, args: Vec<Value>) -> Vec<Value> {
        let e = b.new_block("err");
        self.errs.push((e, self.owned.clone()));
        b.ins(Opcode::Call, call(h), args, Some(e)).unwrap()
    }

    /// A call whose result is a new reference, released by later calls' error blocks.
    fn owning(&mut self, b: &mut SsaBuilder, h: Helper, args: Vec<Value>) -> Value {
        let r = self.call(b, h, args)[0];
        self.owned.push(r);
        r
    }

    /// Fill in the error blocks (after the function's own blocks).
    fn finish(self, b: &mut SsaBuilder) {
        for (e, release) in self.errs {
            b.seal_block(e);
            b.switch_to(e);
            for v in release {
                b.ins(Opcode::Decref, Imm::None, vec![v], None).unwrap();
            }
            b.terminate(Terminator::Raise).unwrap();
        }
    }
}

/// `(a + b) // 2`, `1.0 / that`, `(a * b) % c` and `a / (a * b)` with `a`, `b` compact ints
/// (unboxed) and `c` an object of unknown type: generic `binary_op` calls, as lowering makes
/// them for BINARY_OP without feedback.
fn divisions() -> ssa::Function {
    let mut b = SsaBuilder::new("divisions", 3);
    b.entry_params();
    let (a, bb, c) = (
        b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap(),
        b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap(),
        b.ins1(Opcode::LoadLocal, Imm::Slot(2), vec![], None).unwrap(),
    );
    let (x, y) = (
        b.ins1(Opcode::UnboxInt, Imm::None, vec![a], None).unwrap(),
        b.ins1(Opcode::UnboxInt, Imm::None, vec![bb], None).unwrap(),
    );
    let sum_v = b.ins1(Opcode::IAdd, Imm::None, vec![x, y], None).unwrap();
    let prod_v = b.ins1(Opcode::IMul, Imm::None, vec![x, y], None).unwrap();
    let two = b.ins1(Opcode::SmallInt, Imm::SmallInt(2), vec![], None).unwrap();
    let one = b.ins1(Opcode::Const, Imm::Const(0), vec![], None).unwrap();
    let mut r = Raising::default();
    let k = |b: &mut SsaBuilder, nb: i64| b.ins1(Opcode::CInt, Imm::Int(nb), vec![], None).unwrap();
    let sum = r.owning(&mut b, Helper::BoxInt, vec![sum_v]);
    let prod = r.owning(&mut b, Helper::BoxInt, vec![prod_v]);
    let nb = k(&mut b, 2);
    let half = r.owning(&mut b, Helper::BinaryOp, vec![sum, two, nb]);
    let nb = k(&mut b, 11);
    let inv = r.owning(&mut b, Helper::BinaryOp, vec![one, half, nb]);
    let nb = k(&mut b, 19);
    let rem = r.owning(&mut b, Helper::BinaryOp, vec![prod, c, nb]);
    let nb = k(&mut b, 11);
    let ratio = r.owning(&mut b, Helper::BinaryOp, vec![a, prod, nb]);
    for v in [sum, half, prod, rem, ratio] {
        b.ins(Opcode::Decref, Imm::None, vec![v], None).unwrap();
    }
    b.terminate(Terminator::Return(inv)).unwrap();
    r.finish(&mut b);
    let mut f = b.finish().unwrap();
    f.const_kinds = vec![Some(GuardKind::Float)];
    f
}

#[test]
fn arith_computes_division_of_known_numbers_inline() {
    let (f, changes) = check("arith", divisions(), Box::new(Arith));
    let text = f.to_text();
    // `//` of ints, `/` of a float constant by an int; not `%` by an object of unknown type,
    // nor `/` of a local (no known type) by a product.
    assert_eq!(changes, 2, "{text}");
    assert!(text.contains("ifloordiv") && text.contains("fdiv") && text.contains("itof"), "{text}");
    assert_eq!(text.matches("call binary_op").count(), 2, "{text}");
}

/// `p = a * b` stored in slot 2 (NULL on entry: two argument slots), `q = a + b` in slot 3,
/// then `local[2] // local[3]` and, after a helper that may run code, `local[2] % local[3]`.
fn divisions_through_locals() -> ssa::Function {
    let mut b = SsaBuilder::new("divisions_through_locals", 4);
    let (tstate, _) = b.entry_params();
    let (a, bb) = (
        b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap(),
        b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap(),
    );
    let (x, y) = (
        b.ins1(Opcode::UnboxInt, Imm::None, vec![a], None).unwrap(),
        b.ins1(Opcode::UnboxInt, Imm::None, vec![bb], None).unwrap(),
    );
    let mut r = Raising::default();
    for (slot, op) in [(2, Opcode::IMul), (3, Opcode::IAdd)] {
        let v = b.ins1(op, Imm::None, vec![x, y], None).unwrap();
        // (Moved into the frame: not owned afterwards.)
        let o = r.call(&mut b, Helper::BoxInt, vec![v])[0];
        b.ins(Opcode::StoreLocal, Imm::Slot(slot), vec![o], None).unwrap();
    }
    let mut results = Vec::new();
    for nb in [2, 6] {
        let (p, q) = (
            b.ins1(Opcode::LoadLocal, Imm::Slot(2), vec![], None).unwrap(),
            b.ins1(Opcode::LoadLocal, Imm::Slot(3), vec![], None).unwrap(),
        );
        let k = b.ins1(Opcode::CInt, Imm::Int(nb), vec![], None).unwrap();
        results.push(r.owning(&mut b, Helper::BinaryOp, vec![p, q, k]));
        // Between the two: a helper that may run code (which can write the frame).
        if nb == 2 {
            r.call(&mut b, Helper::HandlePending, vec![tstate]);
        }
    }
    b.ins(Opcode::Decref, Imm::None, vec![results[1]], None).unwrap();
    b.terminate(Terminator::Return(results[0])).unwrap();
    r.finish(&mut b);
    let mut f = b.finish().unwrap();
    f.arg_slots = Some(2);
    f
}

#[test]
fn arith_follows_locals_stored_in_the_block_until_code_may_run() {
    let (f, changes) = check("arith_locals", divisions_through_locals(), Box::new(Arith));
    let text = f.to_text();
    assert_eq!(changes, 1, "{text}");
    assert!(text.contains("ifloordiv") && !text.contains("imod"), "{text}");
    // Without knowing the slots were NULL, the first store's release could run code.
    let mut g = divisions_through_locals();
    g.arg_slots = None;
    let mut h = g.clone();
    assert_eq!(passes::run(&mut h, &[Box::new(Arith)], false).unwrap()[0].changes, 0);
}

/// A new float stored into a local straight after it is made (nothing in between but
/// `instr_ptr` and releases that run no code) reuses the float the local holds; with a
/// release that may run code, or a load of the slot, in between, it stays a new float.
#[test]
fn a_float_stored_into_a_local_reuses_the_one_it_replaces() {
    use ir_cfg::ssa::passes::ReuseFloatLocals;
    let mut b = SsaBuilder::new("reuse_float_locals", 3);
    let (tstate, frame) = b.entry_params();
    let errs: Vec<_> = (0..4).map(|k| b.new_block(format!("err{k}"))).collect();
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    b.ins(Opcode::Guard, Imm::Guard(GuardKind::Float, FrameState { unit: 2, stack: vec![] }), vec![a], None).unwrap();
    let x = b.ins1(Opcode::UnboxFloat, Imm::None, vec![a], None).unwrap();
    let s = b.ins1(Opcode::FAdd, Imm::None, vec![x, x], None).unwrap();
    // Reused.
    let v1 = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![s], Some(errs[0])).unwrap();
    b.ins(Opcode::SetInstrPtr, Imm::Unit(6), vec![], None).unwrap();
    b.ins(Opcode::StoreLocal, Imm::Slot(0), vec![v1], None).unwrap();
    // The release of an object of unknown type may run code, which may look at the slot.
    let o = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(errs[1])).unwrap();
    let v2 = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![s], Some(errs[2])).unwrap();
    b.ins(Opcode::Decref, Imm::None, vec![o], None).unwrap();
    b.ins(Opcode::StoreLocal, Imm::Slot(1), vec![v2], None).unwrap();
    // A load of the slot would see the new value early.
    let v3 = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![s], Some(errs[3])).unwrap();
    let _old = b.ins1(Opcode::LoadLocal, Imm::Slot(2), vec![], None).unwrap();
    b.ins(Opcode::StoreLocal, Imm::Slot(2), vec![v3], None).unwrap();
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    for (k, &e) in errs.iter().enumerate() {
        b.seal_block(e);
        b.switch_to(e);
        if k == 2 {
            b.ins(Opcode::Decref, Imm::None, vec![o], None).unwrap();
        }
        b.terminate(Terminator::Raise).unwrap();
    }
    let f = b.finish().unwrap();
    let (f, changes) = check("reuse_float_locals", f, Box::new(ReuseFloatLocals));
    assert_eq!(changes, 1, "{}", f.to_text());
    assert_eq!(f.to_text().matches("box_float_into[0]").count(), 1, "{}", f.to_text());
}

/// A new float stored over the list item it was computed from (`xs[0] += d`), with the item
/// released in between, reuses the item's float; stored over another item, it stays new.
#[test]
fn a_float_stored_over_the_item_it_replaces_reuses_it() {
    use ir_cfg::ssa::passes::ReuseFloatLocals;
    let mut b = SsaBuilder::new("reuse_float_items", 1);
    let (e0, e1) = (b.new_block("err0"), b.new_block("err1"));
    let l = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    b.ins(Opcode::Guard, Imm::Guard(GuardKind::List, FrameState { unit: 2, stack: vec![] }), vec![l], None).unwrap();
    let mut items = vec![];
    for (k, e) in [(0, e0), (1, e1)] {
        let n = b.ins1(Opcode::SmallInt, Imm::SmallInt(k), vec![], None).unwrap();
        let i = b.ins1(Opcode::UnboxInt, Imm::None, vec![n], None).unwrap();
        let w = b.ins1(Opcode::Item, Imm::Guard(GuardKind::ListIndex, FrameState { unit: 4, stack: vec![] }), vec![l, i], None).unwrap();
        let fs = FrameState { unit: 6, stack: vec![StackSlot::Owned] };
        b.ins(Opcode::Guard, Imm::Guard(GuardKind::Float, fs), vec![w, w], None).unwrap();
        let x = b.ins1(Opcode::UnboxFloat, Imm::None, vec![w], None).unwrap();
        let s = b.ins1(Opcode::FAdd, Imm::None, vec![x, x], None).unwrap();
        let v = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![s], Some(e)).unwrap();
        b.ins(Opcode::Decref, Imm::None, vec![w], None).unwrap();
        b.ins(Opcode::SetInstrPtr, Imm::Unit(8), vec![], None).unwrap();
        // The second value goes to item 0, not the item 1 it was computed from.
        let zero = b.ins1(Opcode::SmallInt, Imm::SmallInt(0), vec![], None).unwrap();
        let j = b.ins1(Opcode::UnboxInt, Imm::None, vec![zero], None).unwrap();
        let fs = FrameState { unit: 8, stack: vec![StackSlot::Owned] };
        b.ins(Opcode::StoreItem, Imm::Guard(GuardKind::ListIndex, fs), vec![l, j, v, v], None).unwrap();
        items.push(w);
    }
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    for (e, w) in [(e0, items[0]), (e1, items[1])] {
        b.seal_block(e);
        b.switch_to(e);
        b.ins(Opcode::Decref, Imm::None, vec![w], None).unwrap();
        b.terminate(Terminator::Raise).unwrap();
    }
    let f = b.finish().unwrap();
    let (f, changes) = check("reuse_float_items", f, Box::new(ReuseFloatLocals));
    assert_eq!(changes, 1, "{}", f.to_text());
    assert_eq!(f.to_text().matches("box_float_over").count(), 1, "{}", f.to_text());
}

/// An int stored into a local reuses the local's int too (`box_int_into`), also when the store
/// is in the block the box's block jumps to and nothing else reaches (a loop body's first
/// block); not when the box's block ends in a branch (the store may not follow).
#[test]
fn an_int_stored_into_a_local_across_a_jump_reuses_the_old_one() {
    use ir_cfg::ssa::passes::ReuseFloatLocals;
    let mut b = SsaBuilder::new("reuse_int_locals", 2);
    let (tstate, _) = b.entry_params();
    let (next, join, other, e0, e1) = (b.new_block("next"), b.new_block("join"), b.new_block("other"), b.new_block("err0"), b.new_block("err1"));
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    b.ins(Opcode::Guard, Imm::Guard(GuardKind::CompactInt, FrameState { unit: 2, stack: vec![] }), vec![a], None).unwrap();
    let x = b.ins1(Opcode::UnboxInt, Imm::None, vec![a], None).unwrap();
    let s = b.ins1(Opcode::IAdd, Imm::None, vec![x, x], None).unwrap();
    let v1 = b.ins1(Opcode::Call, call(Helper::BoxInt), vec![s], Some(e0)).unwrap();
    b.terminate(Terminator::Jump(SsaBuilder::call(next))).unwrap();
    b.seal_block(next);
    b.switch_to(next);
    b.ins(Opcode::StoreLocal, Imm::Slot(0), vec![v1], None).unwrap();
    let v2 = b.ins1(Opcode::Call, call(Helper::BoxInt), vec![s], Some(e1)).unwrap();
    b.terminate(Terminator::BranchEq { a: v2, b: v2, then: SsaBuilder::call(join), otherwise: SsaBuilder::call(other) }).unwrap();
    b.seal_block(other);
    b.switch_to(other);
    b.terminate(Terminator::Jump(SsaBuilder::call(join))).unwrap();
    b.seal_block(join);
    b.switch_to(join);
    b.ins(Opcode::StoreLocal, Imm::Slot(1), vec![v2], None).unwrap();
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![none], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    for e in [e0, e1] {
        b.seal_block(e);
        b.switch_to(e);
        b.terminate(Terminator::Raise).unwrap();
    }
    let _ = tstate;
    let f = b.finish().unwrap();
    let (f, changes) = check("reuse_int_locals", f, Box::new(ReuseFloatLocals));
    assert_eq!(changes, 1, "{}", f.to_text());
    assert_eq!(f.to_text().matches("box_int_into[0]").count(), 1, "{}", f.to_text());
}

/// `instr_ptr` writes (printed in bytes: unit 2 is `instr_ptr 4`): one overwritten before
/// anything reads it goes (across a guard, which writes its own, unboxed arithmetic and the
/// release of a float); one before an instruction that may only raise goes to that
/// instruction's error block; one before a call and the last of the block stay.
#[test]
fn instr_ptr_writes_stay_where_the_frame_is_read() {
    use ir_cfg::ssa::passes::InstrPtr;
    let mut b = SsaBuilder::new("instr_ptr", 1);
    let (tstate, frame) = b.entry_params();
    let (err_box, err_call, next) = (b.new_block("err_box"), b.new_block("err_call"), b.new_block("next"));
    let ip = |b: &mut SsaBuilder, u: u32| {
        b.ins(Opcode::SetInstrPtr, Imm::Unit(u), vec![], None).unwrap();
    };
    ip(&mut b, 2);
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    guard(&mut b, a, 2, &[(a, StackSlot::Borrowed)]);
    ip(&mut b, 4);
    let x = b.ins1(Opcode::UnboxFloat, Imm::None, vec![a], None).unwrap();
    let y = b.ins1(Opcode::FAdd, Imm::None, vec![x, x], None).unwrap();
    ip(&mut b, 6);
    let boxed = b.ins1(Opcode::Call, call(Helper::BoxFloat), vec![y], Some(err_box)).unwrap();
    ip(&mut b, 8);
    b.ins(Opcode::Decref, Imm::None, vec![boxed], None).unwrap();
    ip(&mut b, 10);
    let cls = b.ins1(Opcode::Call, call(Helper::LoadBuildClass), vec![tstate, frame], Some(err_call)).unwrap();
    ip(&mut b, 12);
    b.terminate(Terminator::Jump(SsaBuilder::call(next))).unwrap();
    for e in [err_box, err_call] {
        b.seal_block(e);
        b.switch_to(e);
        if e == err_call {
            b.ins(Opcode::Call, call(Helper::TracebackHere), vec![frame], None).unwrap();
        }
        b.terminate(Terminator::Raise).unwrap();
    }
    b.seal_block(next);
    b.switch_to(next);
    b.terminate(Terminator::Return(cls)).unwrap();
    let f = b.finish().unwrap();
    let (f, changes) = check("instr_ptr", f, Box::new(InstrPtr));
    let text = f.to_text();
    assert_eq!(changes, 4, "{text}");
    // Unit 6 is written where the box's MemoryError is handled; units 10 and 12 stay.
    let err_box_text = text.split("# err_box").nth(1).unwrap();
    assert!(err_box_text.trim_start().starts_with("instr_ptr 12\n"), "{text}");
    assert_eq!(text.matches("    instr_ptr ").count(), 3, "{text}");
    assert!(text.contains("instr_ptr 20\n") && text.contains("instr_ptr 24\n"), "{text}");
}
