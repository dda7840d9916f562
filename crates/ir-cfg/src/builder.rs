//! Building a [`Function`]: blocks are created, filled one at a time and terminated exactly
//! once; pushing into a terminated block or leaving a block open is a bug and panics in the
//! builder (never reachable from malformed bytecode: lowering checks input first).
use crate::helpers::Ty;
use crate::ir::{Block, BlockId, Function, Inst, Term, Var};

/// Builds a function.
#[derive(Debug)]
pub struct FunctionBuilder {
    func: Function,
    current: Option<BlockId>,
}

impl FunctionBuilder {
    /// A new function with `nslots` object variables reserved for stack slots (`v0..`).
    pub fn new(name: &str, nslots: u32, nlocalsplus: u32) -> Self {
        let func = Function {
            name: name.to_string(),
            vars: vec![Ty::Obj; nslots as usize],
            blocks: Vec::new(),
            max_array: 0,
            nlocalsplus,
        };
        FunctionBuilder { func, current: None }
    }

    /// A fresh variable.
    pub fn new_var(&mut self, ty: Ty) -> Var {
        self.func.vars.push(ty);
        Var(self.func.vars.len() as u32 - 1)
    }

    /// The type of a variable, as the SSA IR names it.
    pub fn var_ty(&self, v: Var) -> crate::ssa::Type {
        crate::ssa::Type::of_helper(self.func.vars[v.0 as usize]).expect("variables have value types")
    }

    /// A fresh, empty block.
    pub fn new_block(&mut self, name: impl Into<String>) -> BlockId {
        self.func.blocks.push(Block { name: name.into(), insts: Vec::new(), term: Term::Open });
        BlockId(self.func.blocks.len() as u32 - 1)
    }

    /// Continue in `b`, which must still be open.
    pub fn switch_to(&mut self, b: BlockId) {
        assert!(self.func.blocks[b.0 as usize].term == Term::Open, "{b} is already terminated");
        self.current = Some(b);
    }

    /// The block being filled.
    pub fn current(&self) -> BlockId {
        self.current.expect("no current block")
    }

    /// Append an instruction.
    pub fn push(&mut self, inst: Inst) {
        if let Inst::Call { args, .. } = &inst {
            for a in args {
                if let crate::ir::Operand::Array(_, n) | crate::ir::Operand::OutArray(_, n) = a {
                    self.func.max_array = self.func.max_array.max(*n);
                }
            }
        }
        let b = self.current();
        self.func.blocks[b.0 as usize].insts.push(inst);
    }

    /// The instructions of the current block so far (a peephole may take its last ones back).
    pub fn current_insts(&mut self) -> &mut Vec<Inst> {
        let b = self.current();
        &mut self.func.blocks[b.0 as usize].insts
    }

    /// Append an instruction to a block other than the current one (edge and error blocks).
    pub fn push_at(&mut self, b: BlockId, inst: Inst) {
        let saved = self.current.replace(b);
        self.push(inst);
        self.current = saved;
    }

    /// Terminate a block other than the current one.
    pub fn terminate_at(&mut self, b: BlockId, term: Term) {
        let saved = self.current.replace(b);
        self.terminate(term);
        self.current = saved;
    }

    /// End the current block.
    pub fn terminate(&mut self, term: Term) {
        let b = self.current.take().expect("no current block");
        let blk = &mut self.func.blocks[b.0 as usize];
        assert!(blk.term == Term::Open, "{b} terminated twice");
        blk.term = term;
    }

    /// Whether the current block is open.
    pub fn is_open(&self) -> bool {
        self.current.is_some()
    }

    /// Finish. Every block must be terminated.
    pub fn finish(self) -> Function {
        assert!(self.current.is_none(), "a block is still open");
        for (i, b) in self.func.blocks.iter().enumerate() {
            assert!(b.term != Term::Open, "bb{i} ({}) was never terminated", b.name);
        }
        self.func
    }
}
