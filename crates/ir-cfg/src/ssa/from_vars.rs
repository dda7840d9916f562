//! The lowered variable IR ([`crate::ir`]) in SSA form: every variable of the lowered code
//! becomes a builder [`Variable`], every block a block, and [`SsaBuilder`] does the rest.
//! Error edges to a block that other edges also reach get a block of their own (error edges
//! carry no arguments). Blocks no path reaches are dropped.
use std::collections::HashMap;

use super::builder::{BuildError, SsaBuilder};
use super::entities::{Block, EntityRef, Value, Variable};
use super::function::{Function, Terminator};
use super::ops::{ArrayArg, HelperCall, Imm, Opcode, Type};
use crate::helpers::Ty;
use crate::ir::{self, BlockId, Inst, Operand, Term, Var};

struct Translator<'a> {
    src: &'a ir::Function,
    b: SsaBuilder,
    blocks: HashMap<BlockId, Block>,
    /// Error edges given a block of their own: (source block, instruction index) -> block.
    split: HashMap<(BlockId, usize), Block>,
    tstate: Value,
    frame: Value,
}

/// `f` in SSA form.
pub fn from_vars(f: &ir::Function) -> Result<Function, BuildError> {
    let mut b = SsaBuilder::new(&f.name, f.nlocalsplus);
    for ty in &f.vars {
        let t = Type::of_helper(*ty).ok_or_else(|| BuildError::Type(format!("variable of type {ty:?}")))?;
        b.declare_var(t);
    }
    let (tstate, frame) = b.entry_params();
    let order = rpo(f);
    let mut t = Translator { src: f, b, blocks: HashMap::new(), split: HashMap::new(), tstate, frame };

    // Blocks, and how many edges reach each.
    let entry = t.b.current().expect("entry is current");
    let mut incoming: HashMap<BlockId, usize> = HashMap::new();
    for &bid in &order {
        for s in f.successors(bid) {
            *incoming.entry(s).or_default() += 1;
        }
    }
    for &bid in &order {
        let blk = if bid == BlockId(0) { entry } else { t.b.new_block(f.blocks[bid.0 as usize].name.clone()) };
        t.blocks.insert(bid, blk);
    }
    for &bid in &order {
        for (k, inst) in f.blocks[bid.0 as usize].insts.iter().enumerate() {
            if let Some(e) = inst.error_block()
                && incoming[&e] > 1
            {
                let nb = t.b.new_block(format!("edge_{}", f.blocks[e.0 as usize].name));
                t.split.insert((bid, k), nb);
            }
        }
    }
    // Predecessors still to be filled, per SSA block; a block is sealed when none are left.
    let mut waiting: HashMap<Block, usize> = HashMap::new();
    for &bid in &order {
        let src = &f.blocks[bid.0 as usize];
        for (k, inst) in src.insts.iter().enumerate() {
            if let Some(e) = inst.error_block() {
                let target = t.split.get(&(bid, k)).copied().unwrap_or(t.blocks[&e]);
                *waiting.entry(target).or_default() += 1;
                if t.split.contains_key(&(bid, k)) {
                    *waiting.entry(t.blocks[&e]).or_default() += 1;
                }
            }
        }
        for s in src.term.successors() {
            *waiting.entry(t.blocks[&s]).or_default() += 1;
        }
    }
    fn filled_one(t: &mut Translator, waiting: &mut HashMap<Block, usize>, succs: Vec<Block>) {
        for s in succs {
            let n = waiting.get_mut(&s).expect("counted");
            *n -= 1;
            if *n == 0 {
                t.b.seal_block(s);
            }
        }
    }
    for &bid in &order {
        let blk = t.blocks[&bid];
        if waiting.get(&blk).copied().unwrap_or(0) == 0 {
            t.b.seal_block(blk);
        }
        t.b.switch_to(blk);
        let succs = t.block(bid)?;
        filled_one(&mut t, &mut waiting, succs);
        // The error edges' own blocks: a jump on to the shared target.
        let mut own: Vec<(usize, Block)> = t.split.iter().filter(|((b, _), _)| *b == bid).map(|((_, k), nb)| (*k, *nb)).collect();
        own.sort();
        for (k, nb) in own {
            let target = t.blocks[&f.blocks[bid.0 as usize].insts[k].error_block().expect("split edges are error edges")];
            t.b.seal_block(nb);
            t.b.switch_to(nb);
            t.b.terminate(Terminator::Jump(SsaBuilder::call(target)))?;
            filled_one(&mut t, &mut waiting, vec![target]);
        }
    }
    t.b.seal_all();
    t.b.finish()
}

impl Translator<'_> {
    fn var(&self, v: Var) -> Variable {
        Variable::new(v.0 as usize)
    }

    fn use_var(&mut self, v: Var) -> Result<Value, BuildError> {
        let var = self.var(v);
        self.b.use_var(var)
    }

    fn def(&mut self, v: Var, val: Value) -> Result<(), BuildError> {
        let var = self.var(v);
        self.b.def_var(var, val)
    }

    fn operand(&mut self, op: &Operand, want: Type) -> Result<Value, BuildError> {
        let (opc, imm) = match *op {
            Operand::Var(v) => return self.use_var(v),
            Operand::TState => return Ok(self.tstate),
            Operand::Frame => return Ok(self.frame),
            Operand::Const(i) => (Opcode::Const, Imm::Const(i)),
            Operand::Name(i) => (Opcode::Name, Imm::Name(i)),
            Operand::Singleton(s) => (Opcode::Singleton, Imm::Singleton(s)),
            Operand::SmallInt(i) => (Opcode::SmallInt, Imm::SmallInt(i)),
            Operand::Null => (Opcode::Null, Imm::None),
            Operand::Imm(i) if want == Type::CInt => (Opcode::CInt, Imm::Int(i)),
            Operand::Imm(i) => (Opcode::Word, Imm::Int(i)),
            Operand::Cache(u, w) => (w.op(), Imm::Unit(u)),
            Operand::SiteCache(u) => (Opcode::SiteCache, Imm::Unit(u)),
            Operand::Addr(_) | Operand::Array(..) | Operand::OutArray(..) => {
                return Err(BuildError::Type(format!("{op:?} where a value is expected")));
            }
        };
        self.b.ins1(opc, imm, vec![], None)
    }

    fn target(&self, from: BlockId, k: usize, e: BlockId) -> Block {
        self.split.get(&(from, k)).copied().unwrap_or(self.blocks[&e])
    }

    /// Translate one block; returns the SSA blocks its edges reach (for sealing).
    fn block(&mut self, bid: BlockId) -> Result<Vec<Block>, BuildError> {
        let src = &self.src.blocks[bid.0 as usize];
        let mut succs = Vec::new();
        for (k, inst) in src.insts.iter().enumerate() {
            let err = inst.error_block().map(|e| self.target(bid, k, e));
            succs.extend(err);
            self.inst(inst, err)?;
        }
        let call = |t: &Self, b: &BlockId| SsaBuilder::call(t.blocks[b]);
        let term = match &src.term {
            Term::Open => return Err(BuildError::Unfinished(self.blocks[&bid])),
            Term::Jump(b) => Terminator::Jump(call(self, b)),
            Term::Branch { cond, then, otherwise } => {
                let want = match cond {
                    Operand::Var(v) => Type::of_helper(self.src.vars[v.0 as usize]).unwrap_or(Type::CInt),
                    _ => Type::CInt,
                };
                let c = self.operand(cond, want)?;
                Terminator::Branch { cond: c, then: call(self, then), otherwise: call(self, otherwise) }
            }
            Term::BranchEq { a, b, then, otherwise } => {
                let a = self.operand(a, Type::Obj)?;
                let b = self.operand(b, Type::Obj)?;
                Terminator::BranchEq { a, b, then: call(self, then), otherwise: call(self, otherwise) }
            }
            Term::Return(v) => Terminator::Return(self.use_var(*v)?),
            Term::Raise => Terminator::Raise,
        };
        succs.extend(term.calls().iter().map(|c| c.block));
        self.b.terminate(term)?;
        Ok(succs)
    }

    fn inst(&mut self, inst: &Inst, err: Option<Block>) -> Result<(), BuildError> {
        match inst {
            Inst::Call { helper, args, dst, .. } => {
                let mut vals = Vec::new();
                let mut arrays = Vec::new();
                let mut outs = Vec::new();
                for (p, a) in helper.params().iter().zip(args) {
                    match (p, a) {
                        (Ty::ObjArray, Operand::Array(first, n)) => {
                            for k in 0..*n {
                                vals.push(self.use_var(Var(first.0 + k))?);
                            }
                            arrays.push(ArrayArg::In(*n));
                        }
                        (Ty::ObjArray, Operand::OutArray(first, n)) => {
                            outs.extend((0..*n).map(|k| Var(first.0 + k)));
                            arrays.push(ArrayArg::Out(*n));
                        }
                        (Ty::ObjOut, Operand::Addr(v)) => outs.push(*v),
                        (p, a) => {
                            let want = Type::of_helper(*p).ok_or_else(|| BuildError::Type(format!("{helper}: {a:?} for {p:?}")))?;
                            vals.push(self.operand(a, want)?);
                        }
                    }
                }
                if args.len() != helper.params().len() {
                    return Err(BuildError::Type(format!("{helper}: {} arguments", args.len())));
                }
                let results = self.b.ins(Opcode::Call, Imm::Call(HelperCall { helper: *helper, arrays }), vals, err)?;
                let mut r = results.into_iter();
                if helper.ret() != Ty::Void {
                    let ret = r.next().expect("signature gives the return value");
                    if let Some(d) = dst {
                        self.def(*d, ret)?;
                    }
                }
                for (v, val) in outs.into_iter().zip(r) {
                    self.def(v, val)?;
                }
            }
            Inst::Move { dst, src } => {
                let want = Type::of_helper(self.src.vars[dst.0 as usize]).unwrap_or(Type::Obj);
                let v = self.operand(src, want)?;
                self.def(*dst, v)?;
            }
            Inst::Copy { dst, src } => {
                let v = self.use_var(*src)?;
                self.def(*dst, v)?;
            }
            Inst::Incref(v) | Inst::XIncref(v) | Inst::Decref(v) | Inst::XDecref(v) => {
                let op = match inst {
                    Inst::Incref(_) => Opcode::Incref,
                    Inst::XIncref(_) => Opcode::XIncref,
                    Inst::Decref(_) => Opcode::Decref,
                    _ => Opcode::XDecref,
                };
                let x = self.use_var(*v)?;
                self.b.ins(op, Imm::None, vec![x], None)?;
            }
            Inst::LoadLocal { dst, index } | Inst::TakeLocal { dst, index } => {
                let op = if matches!(inst, Inst::LoadLocal { .. }) { Opcode::LoadLocal } else { Opcode::TakeLocal };
                let v = self.b.ins1(op, Imm::Slot(*index), vec![], None)?;
                self.def(*dst, v)?;
            }
            Inst::StoreLocal { index, src } => {
                let v = self.use_var(*src)?;
                self.b.ins(Opcode::StoreLocal, Imm::Slot(*index), vec![v], None)?;
            }
            Inst::SetInstrPtr(u) => {
                self.b.ins(Opcode::SetInstrPtr, Imm::Unit(*u), vec![], None)?;
            }
            Inst::CheckEvalBreaker { .. } => {
                self.b.ins(Opcode::CheckEvalBreaker, Imm::None, vec![self.tstate], err)?;
            }
            Inst::Op { op, imm, args, dsts, .. } => {
                let vals = args.iter().map(|v| self.use_var(*v)).collect::<Result<Vec<_>, _>>()?;
                let results = self.b.ins(*op, imm.clone(), vals, err)?;
                if results.len() != dsts.len() {
                    return Err(BuildError::Type(format!("{op}: {} results, {} variables", results.len(), dsts.len())));
                }
                for (d, r) in dsts.iter().zip(results) {
                    self.def(*d, r)?;
                }
            }
        }
        Ok(())
    }
}

/// Reachable blocks of the variable IR in reverse post-order (error edges included).
fn rpo(f: &ir::Function) -> Vec<BlockId> {
    let mut seen = vec![false; f.blocks.len()];
    let mut post = Vec::new();
    if f.blocks.is_empty() {
        return post;
    }
    let mut stack = vec![(BlockId(0), f.successors(BlockId(0)), 0usize)];
    seen[0] = true;
    while let Some((b, succs, i)) = stack.last_mut() {
        if let Some(&s) = succs.get(*i) {
            *i += 1;
            if !seen[s.0 as usize] {
                seen[s.0 as usize] = true;
                let ss = f.successors(s);
                stack.push((s, ss, 0));
            }
        } else {
            post.push(*b);
            stack.pop();
        }
    }
    post.reverse();
    post
}
