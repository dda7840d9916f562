//! The verifier. It checks, and reports every violation with its block and instruction:
//! - structure: every block terminated, every block and variable id in range, fallible helper
//!   calls have an error block;
//! - types: operands and results agree with the helper table;
//! - ownership: a forward dataflow over every variable (dead / owned / borrowed from an owner /
//!   stale borrow / scalar): nothing is used after release, released twice, stolen while
//!   borrowed, overwritten while owned or left owned at a return or raise;
//! - borrows: every borrowed value records whose reference keeps it alive (its [`Owner`]): another
//!   variable's owned reference, a frame local slot, the code object, or nothing (immortal). When
//!   the owner's reference goes away (released, overwritten, the local stored to or deleted), the
//!   borrows of it become stale, and any later use of a stale borrow is reported;
//! - joins: all predecessors of a block agree on which variables are owned, and on the state and
//!   owner of every variable that is live into the block (used there or later before being
//!   redefined). A variable that is not live may differ (dead temporaries of different paths);
//!   it is then dead in the block.
//!
//! The error edge of an instruction carries the state from *before* the instruction: helpers
//! borrow their arguments, so on failure the values are still held by the caller.
use std::collections::{HashSet, VecDeque};
use std::fmt;

use crate::helpers::{ErrConv, Ty};
use crate::ir::{BlockId, Function, Inst, Operand, Term, Var};

/// One verifier finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerifyError {
    /// The block.
    pub block: BlockId,
    /// Index of the instruction in the block (`None` for the terminator or block itself).
    pub inst: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inst {
            Some(i) => write!(f, "{} inst {}: {}", self.block, i, self.message),
            None => write!(f, "{}: {}", self.block, self.message),
        }
    }
}

/// Whose reference keeps a borrowed value alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// The owned reference another variable holds (a `copy` of it). Follows the reference when
    /// it is moved to another variable or stored into a local.
    Var(Var),
    /// The frame's `localsplus[i]` (`LoadLocal`): alive until the slot is stored to, deleted,
    /// taken or turned into a cell by this code. (A write through `frame.f_locals` from other
    /// code does not free the old value: CPython 3.14 keeps it in the frame object's
    /// `f_overwritten_fast_locals` for exactly these borrows.)
    Local(u32),
    /// The code object (`co_consts`, `co_names`), alive as long as the frame runs.
    Code,
    /// Nothing: immortal objects (singletons, small ints, and helper results marked borrowed in
    /// `helpers.rs`, which are immortal `True`/`False` or a tagged int that is no object at all).
    Immortal,
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Var(v) => write!(f, "{v}"),
            Owner::Local(i) => write!(f, "local[{i}]"),
            Owner::Code => f.write_str("the code object"),
            Owner::Immortal => f.write_str("an immortal"),
        }
    }
}

/// How an owner's reference went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kill {
    /// Released (`decref`, `xdecref`, returned).
    Released,
    /// Overwritten: the variable redefined, or the local stored to, deleted or made a cell.
    Overwritten,
}

impl fmt::Display for Kill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kill::Released => "released",
            Kill::Overwritten => "overwritten",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    /// Holds nothing usable.
    Dead,
    /// Holds a reference it must release (maybe NULL).
    Owned,
    /// Holds a reference kept alive by the owner.
    Borrowed(Owner),
    /// Held a borrow whose owner's reference is gone: any use is a use after free.
    Stale(Owner, Kill),
    /// A C scalar.
    Scalar,
}

impl fmt::Display for St {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            St::Dead => f.write_str("Dead"),
            St::Owned => f.write_str("Owned"),
            St::Borrowed(o) => write!(f, "Borrowed from {o}"),
            St::Stale(o, k) => write!(f, "Stale (a borrow of {o}, {k})"),
            St::Scalar => f.write_str("Scalar"),
        }
    }
}

/// The state at one program point: every variable's state, and the variables that may hold a
/// borrow of a variable or a local (a superset, filtered lazily), so that killing an owner
/// does not scan every variable.
#[derive(Clone, Debug)]
struct State {
    vars: Vec<St>,
    borrowers: Vec<Var>,
}

impl State {
    fn from_vars(vars: Vec<St>) -> Self {
        let borrowers = vars
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, St::Borrowed(Owner::Var(_) | Owner::Local(_))))
            .map(|(i, _)| Var(i as u32))
            .collect();
        State { vars, borrowers }
    }

    fn get(&self, v: Var) -> St {
        self.vars[v.0 as usize]
    }

    fn set(&mut self, v: Var, s: St) {
        if matches!(s, St::Borrowed(Owner::Var(_) | Owner::Local(_))) {
            self.borrowers.push(v);
        }
        self.vars[v.0 as usize] = s;
    }

    /// Rewrite the borrows of `from`: to `Some(owner)` when the reference moved, to stale when
    /// it went away.
    fn retarget(&mut self, from: Owner, to: Result<Owner, Kill>) {
        let mut keep = Vec::with_capacity(self.borrowers.len());
        for &b in &self.borrowers {
            let s = &mut self.vars[b.0 as usize];
            match *s {
                St::Borrowed(o) if o == from => match to {
                    Ok(new) => {
                        *s = St::Borrowed(new);
                        if matches!(new, Owner::Var(_) | Owner::Local(_)) {
                            keep.push(b);
                        }
                    }
                    Err(k) => *s = St::Stale(from, k),
                },
                St::Borrowed(Owner::Var(_) | Owner::Local(_)) => keep.push(b),
                // Redefined since it was recorded: no longer a borrower.
                St::Borrowed(Owner::Code | Owner::Immortal) | St::Dead | St::Owned | St::Stale(..) | St::Scalar => {}
            }
        }
        keep.sort_unstable();
        keep.dedup();
        self.borrowers = keep;
    }
}

struct Checker<'a> {
    f: &'a Function,
    errors: Vec<VerifyError>,
    seen: HashSet<VerifyError>,
    block: BlockId,
    inst: Option<usize>,
}

impl Checker<'_> {
    fn err(&mut self, message: String) {
        // Blocks are re-visited until the dataflow settles: report each finding once.
        let e = VerifyError { block: self.block, inst: self.inst, message };
        if self.seen.insert(e.clone()) {
            self.errors.push(e);
        }
    }

    fn var_ok(&mut self, v: Var) -> bool {
        if (v.0 as usize) < self.f.vars.len() {
            true
        } else {
            self.err(format!("{v} out of range"));
            false
        }
    }

    /// A read of `v`'s value.
    fn use_var(&mut self, st: &State, v: Var) {
        if !self.var_ok(v) {
            return;
        }
        match st.get(v) {
            St::Dead => self.err(format!("{v} used while dead")),
            St::Stale(o, k) => self.err(format!("{v} used after its owner {o} was {k} (borrow outlives its owner)")),
            St::Owned | St::Borrowed(_) | St::Scalar => {}
        }
    }

    fn operand_ty(&mut self, op: &Operand) -> Option<Ty> {
        Some(match op {
            Operand::Var(v) => {
                if !self.var_ok(*v) {
                    return None;
                }
                self.f.vars[v.0 as usize]
            }
            Operand::Addr(_) => Ty::ObjOut,
            Operand::Array(..) | Operand::OutArray(..) => Ty::ObjArray,
            Operand::Const(_) | Operand::Name(_) | Operand::Singleton(_) | Operand::SmallInt(_) | Operand::Null => Ty::Obj,
            Operand::Imm(_) | Operand::Cache(..) | Operand::SiteCache(_) => Ty::Int,
            Operand::TState => Ty::TState,
            Operand::Frame => Ty::Frame,
        })
    }

    /// Give `v` a new value in state `s`.
    fn define(&mut self, st: &mut State, v: Var, s: St) {
        if self.var_ok(v) {
            if st.get(v) == St::Owned {
                self.err(format!("{v} overwritten while owned (leak)"));
                st.retarget(Owner::Var(v), Err(Kill::Overwritten));
            }
            st.set(v, s);
        }
    }

    /// `v`'s reference goes away (released, or stolen by a local or the caller).
    fn release(&mut self, st: &mut State, v: Var, what: &str) {
        if self.var_ok(v) {
            let s = st.get(v);
            if s != St::Owned {
                self.err(format!("{what} of {v}, which is {s}"));
            }
            st.set(v, St::Dead);
            st.retarget(Owner::Var(v), Err(Kill::Released));
        }
    }

    /// The local slot's reference is replaced: its borrows go stale.
    fn kill_local(&mut self, st: &mut State, index: u32) {
        if index >= self.f.nlocalsplus {
            self.err(format!("local {index} out of range"));
        }
        st.retarget(Owner::Local(index), Err(Kill::Overwritten));
    }

    fn no_owned(&mut self, st: &State, at: &str) {
        for (i, s) in st.vars.iter().enumerate() {
            if *s == St::Owned {
                self.err(format!("v{i} still owned at {at} (leak)"));
            }
        }
    }

    /// Apply one instruction. Returns the state for its error edge, if any.
    fn step(&mut self, st: &mut State, inst: &Inst) -> Option<(BlockId, State)> {
        match inst {
            Inst::Call { helper, args, dst, err } => {
                let params = helper.params();
                if params.len() != args.len() {
                    self.err(format!("{helper} takes {} arguments, given {}", params.len(), args.len()));
                }
                for (a, p) in args.iter().zip(params) {
                    let ty = self.operand_ty(a);
                    let fits = ty == Some(*p) || (ty == Some(Ty::Int) && *p == Ty::Word);
                    if !fits {
                        self.err(format!("{helper}: argument {a:?} is {ty:?}, expected {p:?}"));
                    }
                }
                for a in args {
                    for v in operand_vars(a).reads {
                        self.use_var(st, Var(v));
                    }
                }
                let fallible = helper.err() != ErrConv::Never;
                if fallible != err.is_some() {
                    self.err(format!("{helper}: error block {} but convention {:?}", if err.is_some() { "given" } else { "missing" }, helper.err()));
                }
                let before = st.clone();
                for a in args {
                    if let Operand::Addr(v) = a {
                        self.define(st, *v, St::Owned);
                    }
                    if let Operand::OutArray(first, n) = a {
                        for i in 0..*n {
                            self.define(st, Var(first.0 + i), St::Owned);
                        }
                    }
                }
                match (dst, helper.ret()) {
                    (Some(d), Ty::Void) => self.err(format!("{helper} returns nothing but has {d}")),
                    (Some(d), ret) => {
                        if self.var_ok(*d) && self.f.vars[d.0 as usize] != ret {
                            self.err(format!("{d} has type {:?}, {helper} returns {ret:?}", self.f.vars[d.0 as usize]));
                        }
                        let s = match ret {
                            // helpers.rs: a borrowed result is an immortal (or a tagged int).
                            Ty::Obj if helper.borrowed_result() => St::Borrowed(Owner::Immortal),
                            Ty::Obj => St::Owned,
                            Ty::Int | Ty::Word | Ty::I64 | Ty::F64 | Ty::TState | Ty::Frame | Ty::ObjArray | Ty::ObjOut | Ty::Void => {
                                St::Scalar
                            }
                        };
                        self.define(st, *d, s);
                    }
                    (None, Ty::Obj) if !helper.borrowed_result() => self.err(format!("{helper}'s new reference is dropped")),
                    (None, _) => {}
                }
                self.helper_kills_locals(st, inst);
                err.map(|e| (e, before))
            }
            Inst::Move { dst, src } => {
                let s = match src {
                    Operand::Var(v) => {
                        if self.var_ok(*v) {
                            let s = st.get(*v);
                            match s {
                                St::Dead => self.err(format!("{v} moved while dead")),
                                St::Stale(o, k) => self.err(format!("{v} moved after its owner {o} was {k} (borrow outlives its owner)")),
                                St::Owned | St::Borrowed(_) | St::Scalar => {}
                            }
                            if s == St::Owned {
                                // The reference moves: so do the borrows of it.
                                st.set(*v, St::Dead);
                                if self.var_ok(*dst) && st.get(*dst) == St::Owned && dst != v {
                                    self.err(format!("{dst} overwritten while owned (leak)"));
                                    st.retarget(Owner::Var(*dst), Err(Kill::Overwritten));
                                }
                                st.retarget(Owner::Var(*v), Ok(Owner::Var(*dst)));
                                if self.var_ok(*dst) {
                                    st.set(*dst, St::Owned);
                                }
                                return None;
                            }
                            s
                        } else {
                            St::Dead
                        }
                    }
                    // NULL is an owned reference that may be NULL (released with xdecref).
                    Operand::Null => St::Owned,
                    Operand::Imm(_) | Operand::Cache(..) | Operand::SiteCache(_) => St::Scalar,
                    Operand::Const(_) | Operand::Name(_) => St::Borrowed(Owner::Code),
                    Operand::Singleton(_) | Operand::SmallInt(_) => St::Borrowed(Owner::Immortal),
                    Operand::Addr(_) | Operand::Array(..) | Operand::OutArray(..) | Operand::TState | Operand::Frame => {
                        self.err(format!("{dst} = move {src:?}: not a value"));
                        St::Dead
                    }
                };
                self.define(st, *dst, s);
                None
            }
            Inst::Copy { dst, src } => {
                self.use_var(st, *src);
                let s = if self.var_ok(*src) {
                    match st.get(*src) {
                        St::Owned => St::Borrowed(Owner::Var(*src)),
                        // A copy of a borrow has the same owner.
                        St::Borrowed(o) => St::Borrowed(o),
                        St::Scalar => St::Scalar,
                        St::Dead | St::Stale(..) => St::Dead,
                    }
                } else {
                    St::Dead
                };
                self.define(st, *dst, s);
                None
            }
            Inst::Incref(v) | Inst::XIncref(v) => {
                if self.var_ok(*v) {
                    match st.get(*v) {
                        St::Borrowed(_) => {}
                        St::Stale(o, k) => self.err(format!("incref of {v} after its owner {o} was {k} (borrow outlives its owner)")),
                        s @ (St::Dead | St::Owned | St::Scalar) => self.err(format!("incref of {v}, which is {s}")),
                    }
                    st.set(*v, St::Owned);
                }
                None
            }
            Inst::Decref(v) => {
                self.release(st, *v, "decref");
                None
            }
            Inst::XDecref(v) => {
                self.release(st, *v, "xdecref");
                None
            }
            Inst::LoadLocal { dst, index } => {
                if *index >= self.f.nlocalsplus {
                    self.err(format!("local {index} out of range"));
                }
                self.define(st, *dst, St::Borrowed(Owner::Local(*index)));
                None
            }
            Inst::TakeLocal { dst, index } => {
                if *index >= self.f.nlocalsplus {
                    self.err(format!("local {index} out of range"));
                }
                self.define(st, *dst, St::Owned);
                // The slot's reference moves into `dst` (the slot is left NULL): borrows of the
                // slot now live as long as `dst` keeps it.
                st.retarget(Owner::Local(*index), Ok(Owner::Var(*dst)));
                None
            }
            Inst::StoreLocal { index, src } => {
                // `src` must own what it gives; then the old value is released and `src`'s
                // reference moves into the slot.
                let ok = self.var_ok(*src);
                if ok {
                    let s = st.get(*src);
                    if s != St::Owned {
                        self.err(format!("store_local of {src}, which is {s}"));
                    }
                }
                self.kill_local(st, *index);
                if ok {
                    st.set(*src, St::Dead);
                    st.retarget(Owner::Var(*src), Ok(Owner::Local(*index)));
                }
                None
            }
            Inst::SetInstrPtr(_) => None,
            Inst::CheckEvalBreaker { err } => Some((*err, st.clone())),
            Inst::Op { op, imm, args, dsts, err } => self.step_op(st, *op, imm, args, dsts, *err),
        }
    }

    /// An operation of the SSA table: types and references from its table entry.
    fn step_op(
        &mut self,
        st: &mut State,
        op: crate::ssa::Opcode,
        imm: &crate::ssa::Imm,
        args: &[Var],
        dsts: &[Var],
        err: Option<BlockId>,
    ) -> Option<(BlockId, State)> {
        use crate::ssa::{ArgRef, Effects, ResultRef, StackSlot, Type};
        let data = crate::ssa::InstData { op, imm: imm.clone(), args: Vec::new(), results: Vec::new(), err: None };
        let (Some((arg_tys, res_tys)), Some((arg_refs, res_refs))) = (data.signature(), data.refs()) else {
            self.err(format!("{op}: immediate {imm:?} does not fit"));
            return None;
        };
        let var_ty = |v: Var| self.f.vars.get(v.0 as usize).and_then(|t| Type::of_helper(*t));
        if args.len() != arg_tys.len() || dsts.len() != res_tys.len() {
            self.err(format!("{op}: {} operands and {} results, expected {} and {}", args.len(), dsts.len(), arg_tys.len(), res_tys.len()));
            return None;
        }
        for (v, t) in args.iter().zip(&arg_tys).chain(dsts.iter().zip(&res_tys)) {
            if var_ty(*v) != Some(*t) {
                self.err(format!("{op}: {v} is {:?}, expected {t}", var_ty(*v)));
            }
        }
        if data.effects().contains(Effects::RAISES) != err.is_some() {
            self.err(format!("{op}: error block {err:?} does not match its effects"));
        }
        let exit_state = st.clone();
        // A frame state's operands are read only by the exit (checked below, in the state
        // from before the instruction).
        let fixed = match imm {
            crate::ssa::Imm::Guard(_, fs) => args.len() - fs.stack.len(),
            _ => args.len(),
        };
        for (v, r) in args[..fixed].iter().zip(&arg_refs) {
            match r {
                ArgRef::Borrow => self.use_var(st, *v),
                ArgRef::Release => self.release(st, *v, op.info().name),
                ArgRef::Incref | ArgRef::StoreSlot => {
                    self.err(format!("{op}: reference effect {r:?} is not modelled on variables"));
                }
            }
        }
        // A guard's exit moves the owned slots into the frame and leaves: every other owned
        // variable would leak there.
        if let crate::ssa::Imm::Guard(_, fs) = imm {
            let start = args.len() - fs.stack.len();
            let st = &exit_state;
            for (v, slot) in args[start..].iter().zip(&fs.stack) {
                let owned = st.get(*v) == St::Owned;
                if owned != (*slot == StackSlot::Owned) && matches!(slot, StackSlot::Owned | StackSlot::Borrowed) {
                    self.err(format!("{op}: frame state says {v} is {slot:?}, but it is {}", st.get(*v)));
                }
            }
            for (i, s) in st.vars.iter().enumerate() {
                if *s == St::Owned && !args[start..].contains(&Var(i as u32)) {
                    self.err(format!("{op}: v{i} is owned but not in the frame state (leak at deopt)"));
                }
            }
        }
        // An error edge sees the state from before the instruction.
        let before = exit_state;
        for (v, r) in dsts.iter().zip(&res_refs) {
            let s = match r {
                ResultRef::New => St::Owned,
                ResultRef::Immortal => St::Borrowed(Owner::Immortal),
                ResultRef::Scalar => St::Scalar,
                // Alive while the frame runs (co_consts, the running function's closure).
                ResultRef::Code => St::Borrowed(Owner::Code),
                ResultRef::Null | ResultRef::Slot | ResultRef::TakeSlot => {
                    self.err(format!("{op}: result reference {r:?} is not modelled on variables"));
                    St::Scalar
                }
            };
            self.define(st, *v, s);
        }
        err.map(|e| (e, before))
    }

    /// Helpers that replace a local slot's reference behind the IR's back (the helper table's
    /// `writes` marker says which, and which parameter names the slot or count).
    fn helper_kills_locals(&mut self, st: &mut State, inst: &Inst) {
        let Inst::Call { helper, args, .. } = inst else { return };
        use crate::helpers::SlotWrite;
        match helper.slot_write() {
            SlotWrite::None => {}
            // MAKE_CELL moves the slot's value into a new cell: the slot then holds the cell.
            SlotWrite::Slot(p) => match args.get(p) {
                Some(Operand::Imm(i)) => self.kill_local(st, *i as u32),
                _ => self.err(format!("{helper}: the slot must be an immediate")),
            },
        }
    }
}

/// Variables read (`uses`) and written (`defs`) by an instruction.
/// The variables (by index) a call operand reads, and those the call writes through it.
struct OperandVars {
    reads: std::ops::Range<u32>,
    writes: std::ops::Range<u32>,
}

fn operand_vars(a: &Operand) -> OperandVars {
    match a {
        Operand::Var(v) => OperandVars { reads: v.0..v.0 + 1, writes: 0..0 },
        Operand::Array(first, n) => OperandVars { reads: first.0..first.0 + n, writes: 0..0 },
        Operand::Addr(v) => OperandVars { reads: 0..0, writes: v.0..v.0 + 1 },
        Operand::OutArray(first, n) => OperandVars { reads: 0..0, writes: first.0..first.0 + n },
        Operand::Const(_)
        | Operand::Name(_)
        | Operand::Singleton(_)
        | Operand::SmallInt(_)
        | Operand::Null
        | Operand::Imm(_)
        | Operand::Cache(..)
        | Operand::SiteCache(_)
        | Operand::TState
        | Operand::Frame => OperandVars { reads: 0..0, writes: 0..0 },
    }
}

fn inst_uses_defs(inst: &Inst, uses: &mut Vec<Var>, defs: &mut Vec<Var>) {
    match inst {
        Inst::Call { args, dst, .. } => {
            for a in args {
                let OperandVars { reads, writes } = operand_vars(a);
                uses.extend(reads.map(Var));
                defs.extend(writes.map(Var));
            }
            defs.extend(dst);
        }
        Inst::Move { dst, src } => {
            if let Operand::Var(v) = src {
                uses.push(*v);
            }
            defs.push(*dst);
        }
        Inst::Copy { dst, src } => {
            uses.push(*src);
            defs.push(*dst);
        }
        Inst::Incref(v) | Inst::XIncref(v) | Inst::Decref(v) | Inst::XDecref(v) => uses.push(*v),
        Inst::LoadLocal { dst, .. } | Inst::TakeLocal { dst, .. } => defs.push(*dst),
        Inst::StoreLocal { src, .. } => uses.push(*src),
        Inst::SetInstrPtr(_) | Inst::CheckEvalBreaker { .. } => {}
        Inst::Op { args, dsts, .. } => {
            uses.extend(args);
            defs.extend(dsts);
        }
    }
}

fn term_uses(t: &Term) -> Vec<Var> {
    let var = |o: &Operand| if let Operand::Var(v) = o { Some(*v) } else { None };
    match t {
        Term::Open | Term::Jump(_) | Term::Raise => vec![],
        Term::Branch { cond, .. } => var(cond).into_iter().collect(),
        Term::BranchEq { a, b, .. } => var(a).into_iter().chain(var(b)).collect(),
        Term::Return(v) => vec![*v],
    }
}

/// A fixed-size bit set over variables.
#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn has(&self, v: Var) -> bool {
        self.0.get(v.0 as usize / 64).is_some_and(|w| w >> (v.0 % 64) & 1 == 1)
    }
    fn add(&mut self, v: Var) {
        if let Some(w) = self.0.get_mut(v.0 as usize / 64) {
            *w |= 1 << (v.0 % 64);
        }
    }
    fn remove(&mut self, v: Var) {
        if let Some(w) = self.0.get_mut(v.0 as usize / 64) {
            *w &= !(1 << (v.0 % 64));
        }
    }
    fn union(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
}

/// Variables live on entry to each block: read before being written, on some path, error edges
/// included (an error edge leaves from before its instruction).
fn live_in(f: &Function) -> Vec<Bits> {
    let nb = f.blocks.len();
    let nv = f.vars.len();
    let mut live = vec![Bits::new(nv); nb];
    let in_range = |b: &BlockId| (b.0 as usize) < nb;
    let (mut uses, mut defs) = (Vec::new(), Vec::new());
    loop {
        let mut changed = false;
        for bi in (0..nb).rev() {
            let blk = &f.blocks[bi];
            let mut l = Bits::new(nv);
            for s in blk.term.successors().iter().filter(|b| in_range(b)) {
                l.union(&live[s.0 as usize]);
            }
            for v in term_uses(&blk.term) {
                l.add(v);
            }
            for inst in blk.insts.iter().rev() {
                uses.clear();
                defs.clear();
                inst_uses_defs(inst, &mut uses, &mut defs);
                for v in &defs {
                    l.remove(*v);
                }
                for v in &uses {
                    l.add(*v);
                }
                if let Some(e) = inst.error_block().filter(in_range) {
                    l.union(&live[e.0 as usize]);
                }
            }
            if l != live[bi] {
                live[bi] = l;
                changed = true;
            }
        }
        if !changed {
            return live;
        }
    }
}

/// Verify `f`; every finding is returned.
pub fn verify(f: &Function) -> Result<(), Vec<VerifyError>> {
    let mut c = Checker { f, errors: Vec::new(), seen: HashSet::new(), block: BlockId(0), inst: None };
    let nb = f.blocks.len();
    if nb == 0 {
        return Err(vec![VerifyError { block: BlockId(0), inst: None, message: "no blocks".into() }]);
    }
    let live = live_in(f);
    let mut npreds = vec![0u32; nb];
    for b in 0..nb {
        for s in f.successors(BlockId(b as u32)) {
            if let Some(n) = npreds.get_mut(s.0 as usize) {
                *n += 1;
            }
        }
    }
    // Entry state of each block and, per variable, the predecessor it came from (for reports).
    // A block with one predecessor gets its state afresh on every visit of that predecessor,
    // so its copy is dropped once processed (big functions have thousands of error blocks).
    let mut entry: Vec<Option<(Vec<St>, Vec<BlockId>)>> = vec![None; nb];
    entry[0] = Some((vec![St::Dead; f.vars.len()], vec![BlockId(0); f.vars.len()]));
    let mut work = VecDeque::from([BlockId(0)]);
    let mut queued = vec![false; nb];
    queued[0] = true;
    while let Some(b) = work.pop_front() {
        queued[b.0 as usize] = false;
        c.block = b;
        let vars = if npreds[b.0 as usize] <= 1 {
            entry[b.0 as usize].take().expect("queued blocks have a state").0
        } else {
            entry[b.0 as usize].as_ref().expect("queued blocks have a state").0.clone()
        };
        let mut st = State::from_vars(vars);
        let blk = &f.blocks[b.0 as usize];
        let mut outs: Vec<(BlockId, State)> = Vec::new();
        for (i, inst) in blk.insts.iter().enumerate() {
            c.inst = Some(i);
            if let Some(edge) = c.step(&mut st, inst) {
                outs.push(edge);
            }
        }
        c.inst = None;
        match &blk.term {
            Term::Open => c.err("block never terminated".into()),
            Term::Jump(t) => outs.push((*t, st.clone())),
            Term::Branch { cond, then, otherwise } => {
                if let Operand::Var(v) = cond {
                    c.use_var(&st, *v);
                }
                outs.push((*then, st.clone()));
                outs.push((*otherwise, st.clone()));
            }
            Term::BranchEq { a, b: bb, then, otherwise } => {
                for o in [a, bb] {
                    if let Operand::Var(v) = o {
                        c.use_var(&st, *v);
                    }
                }
                outs.push((*then, st.clone()));
                outs.push((*otherwise, st.clone()));
            }
            Term::Return(v) => {
                c.release(&mut st, *v, "return");
                c.no_owned(&st, "return");
            }
            Term::Raise => c.no_owned(&st, "raise"),
        }
        for (t, s) in outs {
            let ti = t.0 as usize;
            if ti >= nb {
                c.err(format!("successor {t} out of range"));
                continue;
            }
            let s = s.vars;
            let changed = match &mut entry[ti] {
                // A block with one predecessor takes that predecessor's latest state as is.
                _ if npreds[ti] <= 1 => {
                    entry[ti] = Some((s, vec![b; f.vars.len()]));
                    true
                }
                None => {
                    entry[ti] = Some((s, vec![b; f.vars.len()]));
                    true
                }
                Some((old, from)) => {
                    let mut changed = false;
                    for (i, (x, y)) in old.iter_mut().zip(&s).enumerate() {
                        if *x == *y {
                            continue;
                        }
                        let v = Var(i as u32);
                        if *x == St::Owned || *y == St::Owned {
                            // One path would leak it, or the other release what it does not own.
                            c.err(format!("{v} is {x} on one path into {t} (from {}) but {y} on another (from {b})", from[i]));
                        } else if live[ti].has(v) {
                            c.err(format!("{v} is live into {t} and is {x} on one path into it (from {}) but {y} on another (from {b})", from[i]));
                        } else if *x != St::Dead {
                            // Not read before being redefined: paths may leave different
                            // temporaries behind. It is unusable in the block.
                            *x = St::Dead;
                            changed = true;
                        }
                    }
                    changed
                }
            };
            if changed && !queued[ti] {
                queued[ti] = true;
                work.push_back(t);
            }
        }
    }
    if c.errors.is_empty() { Ok(()) } else { Err(c.errors) }
}
