//! The verifier. It checks, and reports every violation with its block and instruction:
//! - structure: every block terminated, every block and variable id in range, fallible helper
//!   calls have an error block;
//! - types: operands and results agree with the helper table;
//! - ownership: a forward dataflow over every variable (dead / owned / borrowed / scalar):
//!   nothing is used after release, released twice, stolen while borrowed, overwritten while
//!   owned or left owned at a return or raise; all predecessors of a block agree.
//!
//! The error edge of an instruction carries the state from *before* the instruction: helpers
//! borrow their arguments, so on failure the values are still held by the caller.
use std::collections::VecDeque;
use std::fmt;

use crate::helpers::{ErrConv, Ty};
use crate::ir::{BlockId, Function, Inst, Operand, Term, Var};

/// One verifier finding.
#[derive(Clone, Debug, PartialEq, Eq)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Dead,
    Owned,
    Borrowed,
    Scalar,
}

struct Checker<'a> {
    f: &'a Function,
    errors: Vec<VerifyError>,
    block: BlockId,
    inst: Option<usize>,
}

impl Checker<'_> {
    fn err(&mut self, message: String) {
        self.errors.push(VerifyError { block: self.block, inst: self.inst, message });
    }

    fn var_ok(&mut self, v: Var) -> bool {
        if (v.0 as usize) < self.f.vars.len() {
            true
        } else {
            self.err(format!("{v} out of range"));
            false
        }
    }

    fn use_obj(&mut self, st: &[St], v: Var) {
        if self.var_ok(v) && st[v.0 as usize] == St::Dead {
            self.err(format!("{v} used while dead"));
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
            Operand::Imm(_) => Ty::Int,
            Operand::TState => Ty::TState,
            Operand::Frame => Ty::Frame,
        })
    }

    fn define(&mut self, st: &mut [St], v: Var, s: St) {
        if self.var_ok(v) {
            if st[v.0 as usize] == St::Owned {
                self.err(format!("{v} overwritten while owned (leak)"));
            }
            st[v.0 as usize] = s;
        }
    }

    fn release(&mut self, st: &mut [St], v: Var, what: &str) {
        if self.var_ok(v) {
            if st[v.0 as usize] != St::Owned {
                self.err(format!("{what} of {v}, which is {:?}", st[v.0 as usize]));
            }
            st[v.0 as usize] = St::Dead;
        }
    }

    fn no_owned(&mut self, st: &[St], at: &str) {
        for (i, s) in st.iter().enumerate() {
            if *s == St::Owned {
                self.err(format!("v{i} still owned at {at} (leak)"));
            }
        }
    }

    /// Apply one instruction. Returns the state for its error edge, if any.
    fn step(&mut self, st: &mut Vec<St>, inst: &Inst) -> Option<(BlockId, Vec<St>)> {
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
                    match a {
                        Operand::Var(v) if *p == Ty::Obj => self.use_obj(st, *v),
                        Operand::Array(first, n) => {
                            for i in 0..*n {
                                self.use_obj(st, Var(first.0 + i));
                            }
                        }
                        _ => {}
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
                            Ty::Obj if helper.borrowed_result() => St::Borrowed,
                            Ty::Obj => St::Owned,
                            _ => St::Scalar,
                        };
                        self.define(st, *d, s);
                    }
                    (None, Ty::Obj) if !helper.borrowed_result() => self.err(format!("{helper}'s new reference is dropped")),
                    (None, _) => {}
                }
                err.map(|e| (e, before))
            }
            Inst::Move { dst, src } => {
                let s = match src {
                    Operand::Var(v) => {
                        if self.var_ok(*v) {
                            let s = st[v.0 as usize];
                            if s == St::Dead {
                                self.err(format!("{v} moved while dead"));
                            }
                            if s == St::Owned {
                                st[v.0 as usize] = St::Dead;
                            }
                            s
                        } else {
                            St::Dead
                        }
                    }
                    Operand::Null => St::Owned,
                    Operand::Imm(_) => St::Scalar,
                    _ => St::Borrowed,
                };
                self.define(st, *dst, s);
                None
            }
            Inst::Copy { dst, src } => {
                self.use_obj(st, *src);
                self.define(st, *dst, St::Borrowed);
                None
            }
            Inst::Incref(v) | Inst::XIncref(v) => {
                if self.var_ok(*v) {
                    if st[v.0 as usize] != St::Borrowed {
                        self.err(format!("incref of {v}, which is {:?}", st[v.0 as usize]));
                    }
                    st[v.0 as usize] = St::Owned;
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
                self.define(st, *dst, St::Borrowed);
                None
            }
            Inst::TakeLocal { dst, index } => {
                if *index >= self.f.nlocalsplus {
                    self.err(format!("local {index} out of range"));
                }
                self.define(st, *dst, St::Owned);
                None
            }
            Inst::StoreLocal { index, src } => {
                if *index >= self.f.nlocalsplus {
                    self.err(format!("local {index} out of range"));
                }
                self.release(st, *src, "store_local");
                None
            }
            Inst::SetInstrPtr(_) => None,
            Inst::CheckEvalBreaker { err } => Some((*err, st.clone())),
        }
    }
}

/// Verify `f`; every finding is returned.
pub fn verify(f: &Function) -> Result<(), Vec<VerifyError>> {
    let mut c = Checker { f, errors: Vec::new(), block: BlockId(0), inst: None };
    let nb = f.blocks.len();
    let mut entry: Vec<Option<Vec<St>>> = vec![None; nb];
    if nb == 0 {
        return Err(vec![VerifyError { block: BlockId(0), inst: None, message: "no blocks".into() }]);
    }
    entry[0] = Some(vec![St::Dead; f.vars.len()]);
    let mut work = VecDeque::from([BlockId(0)]);
    let mut visits = vec![0u32; nb];
    while let Some(b) = work.pop_front() {
        visits[b.0 as usize] += 1;
        if visits[b.0 as usize] > 2 {
            continue;
        }
        c.block = b;
        let mut st = entry[b.0 as usize].clone().expect("queued blocks have a state");
        let blk = &f.blocks[b.0 as usize];
        let mut outs: Vec<(BlockId, Vec<St>)> = Vec::new();
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
                    c.use_obj(&st, *v);
                }
                outs.push((*then, st.clone()));
                outs.push((*otherwise, st.clone()));
            }
            Term::BranchEq { a, b: bb, then, otherwise } => {
                for o in [a, bb] {
                    if let Operand::Var(v) = o {
                        c.use_obj(&st, *v);
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
            if t.0 as usize >= nb {
                c.err(format!("successor {t} out of range"));
                continue;
            }
            match &entry[t.0 as usize] {
                None => {
                    entry[t.0 as usize] = Some(s);
                    work.push_back(t);
                }
                Some(old) => {
                    for (i, (x, y)) in old.iter().zip(&s).enumerate() {
                        // Borrowed aliases and dead temporaries may differ; ownership may not.
                        if (*x == St::Owned) != (*y == St::Owned) {
                            c.err(format!("v{i} is {x:?} on one path into {t} and {y:?} on another"));
                        }
                    }
                }
            }
        }
    }
    if c.errors.is_empty() { Ok(()) } else { Err(c.errors) }
}
