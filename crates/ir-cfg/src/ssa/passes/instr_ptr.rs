//! Frame `instr_ptr` writes that nothing reads. Lowering writes `frame->instr_ptr` before every
//! bytecode instruction's code; what reads it is code that looks at the frame (the line of a
//! traceback entry, `f_lineno` of a frame object, `sys._getframe()` in code a call runs) and
//! the interpreter once the function is left. The interpreter itself keeps its instruction
//! pointer in a register and saves it only before such points; this pass does the same with
//! the writes, within each block:
//!
//! - a write followed by another write before anything reads the frame's pointer is dropped;
//! - what reads it: an instruction that may run Python code (the table's ARBITRARY, less the
//!   releases [`Quiet`] shows to run none), a helper call given the frame, a return or raise,
//!   and the end of the block (successors are not looked at);
//! - an instruction that may only raise (a box's MemoryError, a division's ZeroDivisionError)
//!   reads it on its error edge alone: the pending write is copied to the start of its error
//!   block (which has no other predecessor: the verifier requires it) and stays pending on the
//!   normal path;
//! - a guard reads nothing: its deoptimisation writes the pointer of its own frame state.
//!
//! In nbody's pair loop (guards, unboxed arithmetic, list reads) 41 writes of 58 go; those
//! left precede stores to locals whose old value is not known to be a number.
use super::quiet::Quiet;
use super::{Pass, remove_insts};
use crate::ssa::entities::{Block, Inst};
use crate::ssa::function::{Function, InstData};
use crate::ssa::ops::{Effects, Opcode, Type};

/// See the module documentation.
pub struct InstrPtr;

impl Pass for InstrPtr {
    fn name(&self) -> &'static str {
        "instr_ptr"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut dead = std::collections::HashSet::new();
        // (error block, the write it must repeat at its start, if that write is dropped).
        let mut sunk: Vec<(Block, Inst)> = Vec::new();
        let blocks: Vec<Block> = f.blocks.keys().collect();
        for b in blocks {
            let mut quiet = Quiet::default();
            let mut pending: Option<Inst> = None;
            for &i in &f.blocks[b].insts {
                let d = &f.insts[i];
                if d.op == Opcode::SetInstrPtr {
                    if let Some(p) = pending.replace(i) {
                        dead.insert(p);
                    }
                    continue;
                }
                let takes_frame = d.op == Opcode::Call && d.args.iter().any(|a| f.values[*a].ty == Type::Frame);
                if quiet.runs_code(f, i) || takes_frame {
                    pending = None;
                } else if let (Some(p), Some(e)) = (pending, d.err)
                    && d.effects().contains(Effects::RAISES)
                {
                    sunk.push((e, p));
                }
                quiet.observe(f, i);
            }
            // A pending write at the end of the block stays: a successor may read it.
        }
        let changes = dead.len();
        remove_insts(f, |i| dead.contains(&i));
        // A write kept in place was there when the instruction raised.
        for (e, p) in sunk.into_iter().filter(|(_, p)| dead.contains(p)) {
            let copy = InstData { op: Opcode::SetInstrPtr, imm: f.insts[p].imm.clone(), args: vec![], results: vec![], err: None };
            let i = f.insts.push(copy);
            f.blocks[e].insts.insert(0, i);
        }
        changes
    }
}
