//! Negative tests of the verifier: hand-built IR it must reject, each check with a program that
//! only that check catches, and the well-formed variant it must accept.
use ir_cfg::builder::FunctionBuilder;
use ir_cfg::{verify, Helper, Inst, Operand, Singleton, Term, Ty, Var};

mod common;

/// Build a function (2 stack slots `v0 v1`, 2 locals) from its entry block and verify it.
fn check(body: impl FnOnce(&mut FunctionBuilder)) -> Vec<String> {
    let mut b = FunctionBuilder::new("t", 2, 2);
    let entry = b.new_block("entry");
    b.switch_to(entry);
    body(&mut b);
    let f = b.finish();
    match verify(&f) {
        Ok(()) => vec![],
        Err(errs) => errs.iter().map(|e| e.to_string()).collect(),
    }
}

fn has(errs: &[String], what: &str) -> bool {
    errs.iter().any(|e| e.contains(what))
}

/// `v = iter(const[0])` with its error block; the caller continues in the current block.
fn new_ref(b: &mut FunctionBuilder) -> Var {
    let v = b.new_var(Ty::Obj);
    let err = b.new_block("err");
    b.push(Inst::Call { helper: Helper::GetIter, args: vec![Operand::Const(0)], dst: Some(v), err: Some(err) });
    b.terminate_at(err, Term::Raise);
    v
}

/// A call that reads `v` (a never-failing one: MATCH_CLASS's type-flag test).
fn read(b: &mut FunctionBuilder, v: Var) {
    let r = b.new_var(Ty::Obj);
    b.push(Inst::Call { helper: Helper::MatchTypeFlag, args: vec![Operand::Var(v), Operand::Imm(0)], dst: Some(r), err: None });
}

#[test]
fn borrow_used_after_owner_released() {
    let bad = check(|b| {
        let owner = new_ref(b);
        let alias = b.new_var(Ty::Obj);
        b.push(Inst::Copy { dst: alias, src: owner });
        b.push(Inst::Decref(owner));
        read(b, alias);
        b.terminate(Term::Raise);
    });
    assert!(has(&bad, "used after its owner v2 was released"), "{bad:?}");
    // Used before the release: fine.
    let good = check(|b| {
        let owner = new_ref(b);
        let alias = b.new_var(Ty::Obj);
        b.push(Inst::Copy { dst: alias, src: owner });
        read(b, alias);
        b.push(Inst::Decref(owner));
        b.terminate(Term::Raise);
    });
    assert_eq!(good, Vec::<String>::new());
}

#[test]
fn borrow_follows_its_owner_when_moved_and_dies_with_it() {
    // The owner moves to another variable: the borrow stays good while that one holds it...
    let good = check(|b| {
        let owner = new_ref(b);
        let alias = b.new_var(Ty::Obj);
        let other = b.new_var(Ty::Obj);
        b.push(Inst::Copy { dst: alias, src: owner });
        b.push(Inst::Move { dst: other, src: Operand::Var(owner) });
        read(b, alias);
        b.push(Inst::Decref(other));
        b.terminate(Term::Raise);
    });
    assert_eq!(good, Vec::<String>::new());
    // ... and goes stale when the new holder releases it.
    let bad = check(|b| {
        let owner = new_ref(b);
        let alias = b.new_var(Ty::Obj);
        let other = b.new_var(Ty::Obj);
        b.push(Inst::Copy { dst: alias, src: owner });
        b.push(Inst::Move { dst: other, src: Operand::Var(owner) });
        b.push(Inst::Decref(other));
        b.push(Inst::Incref(alias));
        b.push(Inst::Decref(alias));
        b.terminate(Term::Raise);
    });
    assert!(has(&bad, "incref of v3 after its owner v4 was released"), "{bad:?}");
}

#[test]
fn borrow_used_after_owner_local_overwritten() {
    // LOAD_FAST_BORROW x; ...; STORE_FAST x; use of the borrow.
    let bad = check(|b| {
        b.push(Inst::LoadLocal { dst: Var(0), index: 1 });
        let new = new_ref(b);
        b.push(Inst::StoreLocal { index: 1, src: new });
        read(b, Var(0));
        b.terminate(Term::Raise);
    });
    assert!(has(&bad, "v0 used after its owner local[1] was overwritten"), "{bad:?}");
    // DELETE_FAST (storing NULL) kills it too; a store to another local does not.
    let bad = check(|b| {
        b.push(Inst::LoadLocal { dst: Var(0), index: 1 });
        b.push(Inst::Move { dst: Var(1), src: Operand::Null });
        b.push(Inst::StoreLocal { index: 1, src: Var(1) });
        b.push(Inst::Incref(Var(0)));
        b.push(Inst::Decref(Var(0)));
        b.terminate(Term::Raise);
    });
    assert!(has(&bad, "incref of v0 after its owner local[1] was overwritten"), "{bad:?}");
    let good = check(|b| {
        b.push(Inst::LoadLocal { dst: Var(0), index: 1 });
        let new = new_ref(b);
        b.push(Inst::StoreLocal { index: 0, src: new });
        read(b, Var(0));
        b.terminate(Term::Raise);
    });
    assert_eq!(good, Vec::<String>::new());
}

#[test]
fn borrow_of_a_local_dies_when_a_helper_replaces_the_slot() {
    // MAKE_CELL puts a cell in the slot.
    let bad = check(|b| {
        b.push(Inst::LoadLocal { dst: Var(0), index: 1 });
        let r = b.new_var(Ty::Int);
        let err = b.new_block("err");
        b.push(Inst::Call { helper: Helper::MakeCell, args: vec![Operand::Frame, Operand::Imm(1)], dst: Some(r), err: Some(err) });
        b.terminate_at(err, Term::Raise);
        read(b, Var(0));
        b.terminate(Term::Raise);
    });
    assert!(has(&bad, "v0 used after its owner local[1] was overwritten"), "{bad:?}");
}

#[test]
fn borrow_of_a_local_follows_take_and_store() {
    // LOAD_FAST_AND_CLEAR moves the slot's reference into a variable: the borrow stays good
    // while that variable holds it, and when it is stored back.
    let good = check(|b| {
        b.push(Inst::LoadLocal { dst: Var(0), index: 1 });
        b.push(Inst::TakeLocal { dst: Var(1), index: 1 });
        read(b, Var(0));
        b.push(Inst::StoreLocal { index: 1, src: Var(1) });
        read(b, Var(0));
        b.terminate(Term::Raise);
    });
    assert_eq!(good, Vec::<String>::new());
    let bad = check(|b| {
        b.push(Inst::LoadLocal { dst: Var(0), index: 1 });
        b.push(Inst::TakeLocal { dst: Var(1), index: 1 });
        b.push(Inst::XDecref(Var(1)));
        read(b, Var(0));
        b.terminate(Term::Raise);
    });
    assert!(has(&bad, "v0 used after its owner v1 was released"), "{bad:?}");
}

#[test]
fn constants_and_immortals_outlive_everything() {
    let good = check(|b| {
        b.push(Inst::Move { dst: Var(0), src: Operand::Const(0) });
        b.push(Inst::Move { dst: Var(1), src: Operand::Singleton(Singleton::None) });
        let new = new_ref(b);
        b.push(Inst::StoreLocal { index: 0, src: new });
        read(b, Var(0));
        read(b, Var(1));
        b.terminate(Term::Raise);
    });
    assert_eq!(good, Vec::<String>::new());
}

/// entry: v0 = borrowed local[0]; branch to `left`/`right`, both jumping to `join`, which reads
/// `v0` (so it is live there). `left`/`right` get the builder to change `v0` on their path.
fn diamond(left: impl FnOnce(&mut FunctionBuilder), right: impl FnOnce(&mut FunctionBuilder), join_reads: bool) -> Vec<String> {
    check(|b| {
        let c = b.new_var(Ty::Int);
        let (l, r, j) = (b.new_block("l"), b.new_block("r"), b.new_block("j"));
        b.push(Inst::Move { dst: c, src: Operand::Imm(1) });
        b.push(Inst::LoadLocal { dst: Var(0), index: 0 });
        b.terminate(Term::Branch { cond: Operand::Var(c), then: l, otherwise: r });
        b.switch_to(l);
        left(b);
        b.terminate(Term::Jump(j));
        b.switch_to(r);
        right(b);
        b.terminate(Term::Jump(j));
        b.switch_to(j);
        if join_reads {
            read(b, Var(0));
        }
        b.terminate(Term::Raise);
    })
}

#[test]
fn join_disagreement_on_ownership() {
    let errs = diamond(|b| b.push(Inst::Incref(Var(0))), |_| {}, false);
    assert!(has(&errs, "v0 is Owned on one path into bb3 (from bb1) but Borrowed from local[0] on another (from bb2)"), "{errs:?}");
}

#[test]
fn join_disagreement_on_state() {
    // Borrowed on one path, a scalar on the other, and read after the join.
    let errs = diamond(|_| {}, |b| b.push(Inst::Move { dst: Var(0), src: Operand::Imm(3) }), true);
    assert!(has(&errs, "v0 is live into bb3 and is Borrowed from local[0] on one path into it (from bb1) but Scalar on another (from bb2)"), "{errs:?}");
    // Not read after the join: the paths may differ; it is dead there.
    let errs = diamond(|_| {}, |b| b.push(Inst::Move { dst: Var(0), src: Operand::Imm(3) }), false);
    assert_eq!(errs, Vec::<String>::new());
}

#[test]
fn join_disagreement_on_owner() {
    // Borrowed from local[0] on one path and from local[1] on the other: after the join, a store
    // to either local would have to kill it on one path only.
    let errs = diamond(|_| {}, |b| b.push(Inst::LoadLocal { dst: Var(0), index: 1 }), true);
    assert!(has(&errs, "v0 is live into bb3 and is Borrowed from local[0] on one path into it (from bb1) but Borrowed from local[1] on another (from bb2)"), "{errs:?}");
    // A stale borrow on one path only.
    let errs = diamond(
        |_| {},
        |b| {
            let n = b.new_var(Ty::Obj);
            b.push(Inst::Move { dst: n, src: Operand::Null });
            b.push(Inst::StoreLocal { index: 0, src: n });
        },
        true,
    );
    assert!(has(&errs, "Stale (a borrow of local[0], overwritten) on another (from bb2)"), "{errs:?}");
    // Same owner on both paths: fine.
    let errs = diamond(|_| {}, |b| b.push(Inst::LoadLocal { dst: Var(0), index: 0 }), true);
    assert_eq!(errs, Vec::<String>::new());
}

#[test]
fn join_reached_again_after_a_loop_settles() {
    // A loop whose body leaves a scalar temporary behind: not live at the header, accepted.
    let errs = check(|b| {
        let (head, body, exit) = (b.new_block("head"), b.new_block("body"), b.new_block("exit"));
        let t = b.new_var(Ty::Int);
        b.terminate(Term::Jump(head));
        b.switch_to(head);
        b.push(Inst::LoadLocal { dst: Var(0), index: 0 });
        b.terminate(Term::BranchEq { a: Operand::Var(Var(0)), b: Operand::Null, then: exit, otherwise: body });
        b.switch_to(body);
        b.push(Inst::Move { dst: t, src: Operand::Imm(1) });
        b.terminate(Term::Jump(head));
        b.switch_to(exit);
        b.terminate(Term::Raise);
    });
    assert_eq!(errs, Vec::<String>::new());
    // The same loop leaking a new reference per iteration is caught at the header.
    let errs = check(|b| {
        let (head, body, exit) = (b.new_block("head"), b.new_block("body"), b.new_block("exit"));
        b.terminate(Term::Jump(head));
        b.switch_to(head);
        b.push(Inst::LoadLocal { dst: Var(0), index: 0 });
        b.terminate(Term::BranchEq { a: Operand::Var(Var(0)), b: Operand::Null, then: exit, otherwise: body });
        b.switch_to(body);
        new_ref(b);
        b.terminate(Term::Jump(head));
        b.switch_to(exit);
        b.terminate(Term::Raise);
    });
    assert!(has(&errs, "is Dead on one path into bb1 (from bb0) but Owned on another (from bb2)"), "{errs:?}");
}

mod lowered {
    //! Lowering bugs the verifier found, as bytecode whose lowering it must accept.
    use super::common::{asm, cfg, info};
    use bytecode_cfg::Opcode;
    use ir_cfg::{lower, verify};

    fn lower_and_verify(code: &[u8], stacksize: u32, nlocals: u32) {
        let f = lower(&cfg(code, &[], stacksize, nlocals), &info(nlocals)).expect("lowers");
        verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    }

    #[test]
    fn store_fast_load_fast_pushes_a_new_reference() {
        use Opcode::*;
        // x = const; push a (STORE_FAST_LOAD_FAST x, a); a = b; return the old a.
        // As a borrow, the old a would be used after STORE_FAST a released it.
        let code = asm(&[(Resume, 0), (LoadConst, 0), (StoreFastLoadFast, 0x20), (LoadFastBorrow, 1), (StoreFast, 0), (ReturnValue, 0)]);
        lower_and_verify(&code, 2, 3);
    }

    #[test]
    fn pop_jump_if_compares_before_releasing() {
        use Opcode::*;
        // if a is None (an owned reference): the comparison must not read a released value.
        let code = asm(&[(Resume, 0), (LoadFast, 0), (PopJumpIfNone, 2), (LoadConst, 0), (ReturnValue, 0), (LoadConst, 0), (ReturnValue, 0)]);
        lower_and_verify(&code, 1, 1);
    }
}
