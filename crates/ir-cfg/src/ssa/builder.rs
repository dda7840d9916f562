//! Building SSA from code that assigns variables (bytecode stack slots, locals, temporaries):
//! the algorithm of Braun et al., "Simple and Efficient Construction of SSA Form" (2013), as
//! cranelift's `frontend/src/ssa.rs` uses it, with block parameters instead of phis.
//!
//! The client declares variables, fills blocks with instructions, [`def_var`]s and
//! [`use_var`]s them, and seals each block once all its predecessors are known. A read that
//! finds no definition in its block asks the predecessors: a sealed block with one predecessor
//! forwards the question, any other block gets a parameter whose arguments are filled in by
//! [`finish`] (so no recursion, however long the chains). [`finish`] then removes the
//! parameters that receive one value only (trivial phis).
//!
//! Error edges leave a block in the middle, so a block reached by an error edge sees the
//! variables as they were *at that instruction*: definitions are kept per position. An error
//! edge carries no arguments, so its target must have exactly one predecessor.
//!
//! [`def_var`]: SsaBuilder::def_var
//! [`use_var`]: SsaBuilder::use_var
//! [`finish`]: SsaBuilder::finish
use std::collections::{HashMap, HashSet, VecDeque};

use super::entities::{Block, EntityRef, Value, Variable};
use super::function::{BlockCall, BlockData, Function, InstData, Terminator, ValueData, ValueDef};
use super::ops::{Effects, Imm, Opcode, Type};
use thiserror::Error;

/// A misuse of the builder: a bug in its client (lowering), reported as a value.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum BuildError {
    /// A variable is read where no definition reaches it on some path.
    #[error("{0} is read in {1} but not defined on every path from the entry")]
    Undefined(Variable, Block),
    /// A value of the wrong type was assigned to a variable or passed to an operation.
    #[error("type mismatch: {0}")]
    Type(String),
    /// An instruction or terminator was added with no current block, or to a closed one.
    #[error("no open current block")]
    NoBlock,
    /// An error edge leads to a block that also has other predecessors.
    #[error("error-edge target {0} has {1} predecessors (must have exactly one)")]
    SharedErrorTarget(Block, usize),
    /// A block was left without a terminator or unsealed.
    #[error("{0} is not terminated and sealed")]
    Unfinished(Block),
    /// A block was filled after one of its predecessors had moved on without it.
    #[error("{0} is filled before its predecessor {1}")]
    Order(Block, Block),
}

/// One edge into a block.
#[derive(Clone, Copy, Debug)]
struct Pred {
    from: Block,
    /// Position of the raising instruction for an error edge; `None` for the terminator.
    at: Option<u32>,
}

/// Builds one [`Function`].
pub struct SsaBuilder {
    func: Function,
    current: Option<Block>,
    var_types: Vec<Type>,
    /// Per block: each variable's definitions in it, as (position, value), position being
    /// the number of instructions before the definition took effect.
    defs: Vec<HashMap<Variable, Vec<(u32, Value)>>>,
    /// Per block: each variable's value on entry, once asked.
    entry: Vec<HashMap<Variable, Value>>,
    preds: Vec<Vec<Pred>>,
    sealed: Vec<bool>,
    /// Parameters of unsealed blocks, waiting for the block's predecessors.
    incomplete: Vec<Vec<(Value, Variable)>>,
    /// Parameters whose arguments are still to be found.
    queue: VecDeque<(Block, Value, Variable)>,
}

impl SsaBuilder {
    /// A function named `name` with `nlocalsplus` frame slots. Its entry block is created,
    /// sealed and current, with parameters `(tstate, frame)`: see [`SsaBuilder::entry_params`].
    pub fn new(name: &str, nlocalsplus: u32) -> Self {
        let mut b = SsaBuilder {
            func: Function { name: name.to_string(), nlocalsplus, ..Function::default() },
            current: None,
            var_types: Vec::new(),
            defs: Vec::new(),
            entry: Vec::new(),
            preds: Vec::new(),
            sealed: Vec::new(),
            incomplete: Vec::new(),
            queue: VecDeque::new(),
        };
        let e = b.new_block("entry");
        b.func.entry = Some(e);
        b.add_param(e, Type::TState);
        b.add_param(e, Type::Frame);
        b.sealed[e.index()] = true;
        b.current = Some(e);
        b
    }

    /// The entry's parameters: the thread state and the frame.
    pub fn entry_params(&self) -> (Value, Value) {
        let p = &self.func.blocks[self.func.entry.expect("entry exists")].params;
        (p[0], p[1])
    }

    /// A new variable of type `ty`.
    pub fn declare_var(&mut self, ty: Type) -> Variable {
        self.var_types.push(ty);
        Variable::new(self.var_types.len() - 1)
    }

    /// A new empty block.
    pub fn new_block(&mut self, name: impl Into<String>) -> Block {
        let b = self.func.blocks.push(BlockData { name: name.into(), params: Vec::new(), insts: Vec::new(), term: Terminator::Open });
        self.defs.push(HashMap::new());
        self.entry.push(HashMap::new());
        self.preds.push(Vec::new());
        self.sealed.push(false);
        self.incomplete.push(Vec::new());
        b
    }

    /// Continue filling `b`.
    pub fn switch_to(&mut self, b: Block) {
        self.current = Some(b);
    }

    /// The block being filled.
    pub fn current(&self) -> Option<Block> {
        self.current
    }

    fn open(&self) -> Result<Block, BuildError> {
        match self.current {
            Some(b) if self.func.blocks[b].term == Terminator::Open => Ok(b),
            _ => Err(BuildError::NoBlock),
        }
    }

    fn add_param(&mut self, b: Block, ty: Type) -> Value {
        let n = self.func.blocks[b].params.len() as u32;
        let v = self.func.values.push(ValueData { ty, def: ValueDef::Param(b, n) });
        self.func.blocks[b].params.push(v);
        v
    }

    /// Assign `v` to `var` at the current point.
    pub fn def_var(&mut self, var: Variable, v: Value) -> Result<(), BuildError> {
        let b = self.open()?;
        let (vt, want) = (self.func.values[v].ty, self.var_types[var.index()]);
        if vt != want {
            return Err(BuildError::Type(format!("{v}: {vt} assigned to {var}: {want}")));
        }
        let pos = self.func.blocks[b].insts.len() as u32;
        let d = self.defs[b.index()].entry(var).or_default();
        match d.last_mut() {
            Some(last) if last.0 == pos => last.1 = v,
            _ => d.push((pos, v)),
        }
        Ok(())
    }

    /// The value of `var` at the current point.
    pub fn use_var(&mut self, var: Variable) -> Result<Value, BuildError> {
        let b = self.open()?;
        match self.def_before(var, b, None) {
            Some(v) => Ok(v),
            None => self.value_on_entry(var, b),
        }
    }

    /// The definition of `var` in `b` visible at position `at` (`None`: the block's end).
    fn def_before(&self, var: Variable, b: Block, at: Option<u32>) -> Option<Value> {
        let d = self.defs[b.index()].get(&var)?;
        match at {
            None => d.last().map(|x| x.1),
            Some(at) => d.iter().rev().find(|(p, _)| *p <= at).map(|x| x.1),
        }
    }

    /// The value of `var` on entry to `b`, walking single-predecessor chains iteratively.
    fn value_on_entry(&mut self, var: Variable, mut b: Block) -> Result<Value, BuildError> {
        let mut path = Vec::new();
        let v = loop {
            if let Some(&v) = self.entry[b.index()].get(&var) {
                break v;
            }
            if Some(b) == self.func.entry {
                return Err(BuildError::Undefined(var, self.current.unwrap_or(b)));
            }
            let preds = &self.preds[b.index()];
            if self.sealed[b.index()] && preds.len() == 1 {
                let p = preds[0];
                path.push(b);
                if let Some(v) = self.def_before(var, p.from, p.at) {
                    break v;
                }
                b = p.from;
                continue;
            }
            let v = self.add_param(b, self.var_types[var.index()]);
            self.entry[b.index()].insert(var, v);
            if self.sealed[b.index()] {
                self.queue.push_back((b, v, var));
            } else {
                self.incomplete[b.index()].push((v, var));
            }
            break v;
        };
        for p in path {
            self.entry[p.index()].insert(var, v);
        }
        Ok(v)
    }

    /// Declare that every predecessor of `b` is known.
    pub fn seal_block(&mut self, b: Block) {
        if !self.sealed[b.index()] {
            self.sealed[b.index()] = true;
            for (v, var) in std::mem::take(&mut self.incomplete[b.index()]) {
                self.queue.push_back((b, v, var));
            }
        }
    }

    /// Seal every block.
    pub fn seal_all(&mut self) {
        for b in self.func.blocks.keys().collect::<Vec<_>>() {
            self.seal_block(b);
        }
    }

    fn add_pred(&mut self, to: Block, p: Pred) -> Result<(), BuildError> {
        if self.sealed[to.index()] && to != p.from {
            return Err(BuildError::Order(to, p.from));
        }
        self.preds[to.index()].push(p);
        Ok(())
    }

    /// Append an instruction to the current block; returns its results (typed from the table).
    pub fn ins(&mut self, op: Opcode, imm: Imm, args: Vec<Value>, err: Option<Block>) -> Result<Vec<Value>, BuildError> {
        let b = self.open()?;
        let data = InstData { op, imm, args, results: Vec::new(), err };
        let Some((arg_tys, res_tys)) = data.signature() else {
            return Err(BuildError::Type(format!("{op}: immediate {:?} does not fit", data.imm)));
        };
        let got: Vec<Type> = data.args.iter().map(|a| self.func.values[*a].ty).collect();
        if got != arg_tys {
            return Err(BuildError::Type(format!("{op} {:?}: operands {got:?}, expected {arg_tys:?}", data.imm)));
        }
        if data.effects().contains(Effects::RAISES) != err.is_some() {
            return Err(BuildError::Type(format!("{op} {:?}: error edge {err:?} does not match its effects", data.imm)));
        }
        let inst = self.func.insts.push(data);
        let results: Vec<Value> = res_tys
            .iter()
            .enumerate()
            .map(|(i, ty)| self.func.values.push(ValueData { ty: *ty, def: ValueDef::Result(inst, i as u32) }))
            .collect();
        self.func.insts[inst].results = results.clone();
        let pos = self.func.blocks[b].insts.len() as u32;
        self.func.blocks[b].insts.push(inst);
        if let Some(e) = err {
            self.add_pred(e, Pred { from: b, at: Some(pos) })?;
        }
        Ok(results)
    }

    /// The one result of an instruction that has one.
    pub fn ins1(&mut self, op: Opcode, imm: Imm, args: Vec<Value>, err: Option<Block>) -> Result<Value, BuildError> {
        let r = self.ins(op, imm, args, err)?;
        match r.as_slice() {
            [v] => Ok(*v),
            _ => Err(BuildError::Type(format!("{op} has {} results, not one", r.len()))),
        }
    }

    /// End the current block. Block arguments are filled in by [`SsaBuilder::finish`]: pass
    /// calls with empty `args`.
    pub fn terminate(&mut self, term: Terminator) -> Result<(), BuildError> {
        let b = self.open()?;
        let targets: Vec<Block> = term.calls().iter().map(|c| c.block).collect();
        for t in targets {
            self.add_pred(t, Pred { from: b, at: None })?;
        }
        self.func.blocks[b].term = term;
        Ok(())
    }

    /// Shorthand for a call with no arguments yet.
    pub fn call(block: Block) -> BlockCall {
        BlockCall { block, args: Vec::new() }
    }

    /// Fill in block arguments, drop trivial parameters, and return the function.
    pub fn finish(mut self) -> Result<Function, BuildError> {
        for (b, data) in self.func.blocks.iter() {
            if data.term == Terminator::Open || !self.sealed[b.index()] {
                return Err(BuildError::Unfinished(b));
            }
        }
        while let Some((b, _param, var)) = self.queue.pop_front() {
            let preds = self.preds[b.index()].clone();
            let mut done: HashSet<Block> = HashSet::new();
            for p in preds {
                if p.at.is_some() {
                    return Err(BuildError::SharedErrorTarget(b, self.preds[b.index()].len()));
                }
                if !done.insert(p.from) {
                    continue;
                }
                let v = match self.def_before(var, p.from, None) {
                    Some(v) => v,
                    None => self.value_on_entry(var, p.from)?,
                };
                for c in self.func.blocks[p.from].term.calls_mut() {
                    if c.block == b {
                        c.args.push(v);
                    }
                }
            }
        }
        for b in self.func.blocks.keys().collect::<Vec<_>>() {
            let n = self.preds[b.index()].len();
            if n > 1 && self.preds[b.index()].iter().any(|p| p.at.is_some()) {
                return Err(BuildError::SharedErrorTarget(b, n));
            }
        }
        remove_trivial_params(&mut self.func);
        Ok(self.func)
    }
}

/// Replace every parameter that receives one value (besides itself) by that value, until
/// none is left, then rewrite all uses.
fn remove_trivial_params(f: &mut Function) {
    let mut alias: HashMap<Value, Value> = HashMap::new();
    fn resolve(alias: &HashMap<Value, Value>, mut v: Value) -> Value {
        while let Some(&a) = alias.get(&v) {
            v = a;
        }
        v
    }
    let blocks: Vec<Block> = f.blocks.keys().collect();
    let entry = f.entry;
    loop {
        let mut changed = false;
        // Incoming arguments of every block, from every call.
        let mut incoming: Vec<Vec<Vec<Value>>> = vec![Vec::new(); f.blocks.len()];
        for &b in &blocks {
            for c in f.blocks[b].term.calls() {
                incoming[c.block.index()].push(c.args.clone());
            }
        }
        for &b in &blocks {
            if Some(b) == entry || f.blocks[b].params.is_empty() || incoming[b.index()].is_empty() {
                continue;
            }
            let params = f.blocks[b].params.clone();
            let mut keep = Vec::new();
            for (i, &p) in params.iter().enumerate() {
                let mut only = None;
                let mut trivial = true;
                for args in &incoming[b.index()] {
                    let a = resolve(&alias, args[i]);
                    if a == p || Some(a) == only {
                        continue;
                    }
                    if only.is_some() {
                        trivial = false;
                        break;
                    }
                    only = Some(a);
                }
                match (trivial, only) {
                    (true, Some(v)) => {
                        alias.insert(p, v);
                        changed = true;
                    }
                    _ => keep.push(i),
                }
            }
            if keep.len() != params.len() {
                f.blocks[b].params = keep.iter().map(|&i| params[i]).collect();
                for &from in &blocks {
                    for c in f.blocks[from].term.calls_mut() {
                        if c.block == b {
                            c.args = keep.iter().map(|&i| c.args[i]).collect();
                        }
                    }
                }
                for (i, &p) in f.blocks[b].params.iter().enumerate() {
                    f.values[p].def = ValueDef::Param(b, i as u32);
                }
                // Recompute incoming for later blocks in this round.
                incoming = vec![Vec::new(); f.blocks.len()];
                for &bb in &blocks {
                    for c in f.blocks[bb].term.calls() {
                        incoming[c.block.index()].push(c.args.clone());
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    if alias.is_empty() {
        return;
    }
    f.replace_uses(|v| resolve(&alias, v));
}
