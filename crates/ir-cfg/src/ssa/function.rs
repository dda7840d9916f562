//! A function in SSA form: values defined once (instruction results and block parameters),
//! blocks ending in one terminator whose successors receive arguments for their parameters,
//! and per-instruction error edges to blocks without parameters.
use super::entities::{Arena, Block, EntityRef, Inst, Value};
use super::ops::{ArgRef, Effects, Imm, Opcode, ResultRef, Sig, Type};

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueDef {
    /// Result `n` of an instruction.
    Result(Inst, u32),
    /// Parameter `n` of a block.
    Param(Block, u32),
}

/// A value's facts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueData {
    /// Its type.
    pub ty: Type,
    /// Its definition.
    pub def: ValueDef,
}

/// An instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct InstData {
    /// The operation.
    pub op: Opcode,
    /// Its immediate.
    pub imm: Imm,
    /// Operands.
    pub args: Vec<Value>,
    /// Results.
    pub results: Vec<Value>,
    /// Where control goes if it raises (present exactly when the operation can raise).
    pub err: Option<Block>,
}

impl InstData {
    /// Operand and result types, from the table (`None`: a call whose shape does not fit
    /// its helper).
    pub fn signature(&self) -> Option<(Vec<Type>, Vec<Type>)> {
        match (self.op.info().sig, &self.imm) {
            (Sig::Fixed(a, r), _) => Some((a.to_vec(), r.to_vec())),
            (Sig::Helper, Imm::Call(c)) => c.signature(),
            (Sig::Deopt(a, r), Imm::Guard(_, fs)) => {
                Some((a.iter().copied().chain(fs.stack.iter().map(|s| s.ty())).collect(), r.to_vec()))
            }
            (Sig::Helper | Sig::Deopt(..), _) => None,
        }
    }

    /// What it does with references, per operand and per result, from the table (`None`: a
    /// call whose shape does not fit its helper).
    pub fn refs(&self) -> Option<(Vec<ArgRef>, Vec<ResultRef>)> {
        match (self.op.info().sig, &self.imm) {
            (Sig::Fixed(..), _) => {
                let (a, r) = self.op.info().refs;
                Some((a.to_vec(), r.to_vec()))
            }
            (Sig::Helper, Imm::Call(c)) => c.refs(),
            // The frame state's operands are read on the way out (see the ownership checker).
            (Sig::Deopt(..), Imm::Guard(_, fs)) => {
                let (a, r) = self.op.info().refs;
                Some((a.iter().copied().chain(fs.stack.iter().map(|_| ArgRef::Borrow)).collect(), r.to_vec()))
            }
            (Sig::Helper | Sig::Deopt(..), _) => None,
        }
    }

    /// The frame state it deoptimises to, if it can.
    pub fn frame_state(&self) -> Option<&super::ops::FrameState> {
        match &self.imm {
            Imm::Guard(_, fs) => Some(fs),
            _ => None,
        }
    }

    /// The index of the first operand that gives the frame state's stack (they come last).
    pub fn frame_state_start(&self) -> Option<usize> {
        self.frame_state().map(|fs| self.args.len().saturating_sub(fs.stack.len()))
    }

    /// Effects, from the table.
    pub fn effects(&self) -> Effects {
        let e = self.op.info().effects;
        match &self.imm {
            Imm::Call(c) => e.with(c.effects()),
            _ => e,
        }
    }
}

/// A jump to a block with arguments for its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockCall {
    /// Target.
    pub block: Block,
    /// One per parameter.
    pub args: Vec<Value>,
}

/// How a block ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Terminator {
    /// Not yet terminated (only while building).
    Open,
    /// Go to a block.
    Jump(BlockCall),
    /// `cond != 0 ? then : otherwise`.
    Branch {
        /// An integer.
        cond: Value,
        /// Non-zero.
        then: BlockCall,
        /// Zero.
        otherwise: BlockCall,
    },
    /// `a == b ? then : otherwise` (pointer identity).
    BranchEq {
        /// One object.
        a: Value,
        /// The other.
        b: Value,
        /// Identical.
        then: BlockCall,
        /// Different.
        otherwise: BlockCall,
    },
    /// Return an owned reference.
    Return(Value),
    /// Leave the frame with the current exception.
    Raise,
}

impl Terminator {
    /// The jumps out, in order.
    pub fn calls(&self) -> Vec<&BlockCall> {
        match self {
            Terminator::Jump(c) => vec![c],
            Terminator::Branch { then, otherwise, .. } | Terminator::BranchEq { then, otherwise, .. } => {
                vec![then, otherwise]
            }
            Terminator::Open | Terminator::Return(_) | Terminator::Raise => vec![],
        }
    }

    /// The jumps out, mutably.
    pub fn calls_mut(&mut self) -> Vec<&mut BlockCall> {
        match self {
            Terminator::Jump(c) => vec![c],
            Terminator::Branch { then, otherwise, .. } | Terminator::BranchEq { then, otherwise, .. } => {
                vec![then, otherwise]
            }
            Terminator::Open | Terminator::Return(_) | Terminator::Raise => vec![],
        }
    }

    /// Values used directly (not as block arguments).
    pub fn operands(&self) -> Vec<Value> {
        match self {
            Terminator::Branch { cond, .. } => vec![*cond],
            Terminator::BranchEq { a, b, .. } => vec![*a, *b],
            Terminator::Return(v) => vec![*v],
            Terminator::Open | Terminator::Jump(_) | Terminator::Raise => vec![],
        }
    }
}

/// A block.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockData {
    /// A name for dumps (`b12_FOR_ITER`, `err_34`).
    pub name: String,
    /// Parameters.
    pub params: Vec<Value>,
    /// Instructions, in order.
    pub insts: Vec<Inst>,
    /// Terminator.
    pub term: Terminator,
}

/// A function.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Function {
    /// The code object's qualified name.
    pub name: String,
    /// Number of `localsplus` slots.
    pub nlocalsplus: u32,
    /// Blocks; the entry's parameters are the thread state and the frame.
    pub blocks: Arena<Block, BlockData>,
    /// Instructions.
    pub insts: Arena<Inst, InstData>,
    /// Values.
    pub values: Arena<Value, ValueData>,
    /// The entry block.
    pub entry: Option<Block>,
    /// Per `co_consts` entry, the guard it is known to pass (an exact float, a compact int),
    /// if the compiler was told (empty: nothing known).
    pub const_kinds: Vec<Option<super::ops::GuardKind>>,
    /// How many leading `localsplus` slots hold the arguments on entry, if the compiler was
    /// told: the others hold NULL until an instruction writes them (cells and free variables
    /// are set up by instructions that write the frame).
    pub arg_slots: Option<u32>,
}

impl Function {
    /// A new instruction of `op` (no error edge), placed in block `b` at position `at`, with
    /// results of the types its signature gives: its results.
    pub fn insert_inst(&mut self, b: Block, at: usize, op: Opcode, imm: Imm, args: Vec<Value>) -> Vec<Value> {
        let d = InstData { op, imm, args, results: Vec::new(), err: None };
        let tys = d.signature().map(|(_, r)| r).unwrap_or_default();
        let i = self.insts.push(d);
        let results: Vec<Value> =
            tys.into_iter().enumerate().map(|(n, ty)| self.values.push(ValueData { ty, def: ValueDef::Result(i, n as u32) })).collect();
        self.insts[i].results = results.clone();
        self.blocks[b].insts.insert(at, i);
        results
    }

    /// Successors of `b`: error edges of its instructions, then its terminator's targets.
    pub fn successors(&self, b: Block) -> Vec<Block> {
        let blk = &self.blocks[b];
        let mut s: Vec<Block> = blk.insts.iter().filter_map(|i| self.insts[*i].err).collect();
        s.extend(blk.term.calls().iter().map(|c| c.block));
        s
    }

    /// Replace every use of a value (operands, terminator operands, block arguments) by
    /// `to(value)`.
    pub fn replace_uses(&mut self, to: impl Fn(Value) -> Value) {
        for (_, d) in self.insts.iter_mut() {
            for a in d.args.iter_mut() {
                *a = to(*a);
            }
        }
        for (_, b) in self.blocks.iter_mut() {
            match &mut b.term {
                Terminator::Branch { cond, .. } => *cond = to(*cond),
                Terminator::BranchEq { a, b, .. } => {
                    *a = to(*a);
                    *b = to(*b);
                }
                Terminator::Return(v) => *v = to(*v),
                Terminator::Open | Terminator::Jump(_) | Terminator::Raise => {}
            }
            for c in b.term.calls_mut() {
                for a in c.args.iter_mut() {
                    *a = to(*a);
                }
            }
        }
    }

    /// The type of `v`.
    pub fn ty(&self, v: Value) -> Type {
        self.values[v].ty
    }

    /// The instruction whose first result `v` is (a constant's, a cache field's, ...), if one.
    pub fn producer(&self, v: Value) -> Option<&InstData> {
        match self.values[v].def {
            ValueDef::Result(i, 0) => Some(&self.insts[i]),
            _ => None,
        }
    }

    /// Blocks reachable from the entry, in reverse post-order.
    pub fn rpo(&self) -> Vec<Block> {
        let Some(entry) = self.entry else { return Vec::new() };
        let mut seen = vec![false; self.blocks.len()];
        let mut post = Vec::new();
        // (block, next successor to visit)
        let mut stack = vec![(entry, self.successors(entry), 0usize)];
        seen[entry.index()] = true;
        while let Some((b, succs, i)) = stack.last_mut() {
            if let Some(&s) = succs.get(*i) {
                *i += 1;
                if !seen[s.index()] {
                    seen[s.index()] = true;
                    let ss = self.successors(s);
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
}
