//! A new float stored into a local reuses the float the local held, as the interpreter's float
//! instructions reuse an operand nobody else references (`_PyFloat_FromDouble_ConsumeInputs`):
//! `v = call box_float(x)` followed by `store_local[i] v`, with nothing in between but
//! `instr_ptr` and releases that run no code (see [`super::quiet`]), becomes
//! `v = box_float_into[i](x)`. When slot `i` then owns an exact float whose only reference is
//! the slot's, that float gets `x` and one more reference, and the store, putting it back,
//! releases the slot's: no allocation, no deallocation. Loops that keep float locals
//! (`dx = p1[0] - p2[0]`) otherwise allocate and free one float per assignment.
//!
//! The float is changed before the store, which is why nothing may come between them that
//! could look at the slot: no load, no exit (a deoptimisation or an exception would show the
//! new value under the old instruction), no code (`f_locals`). A value borrowed from the slot
//! is stale after the store (the verifier checks it), and with one reference there is no other
//! holder; so the only observer left is the store, which is what the change is for.
//!
//! The pass runs last: the passes before it know `box_float` (guards it proves, unboxes it
//! folds), not this.
use super::Pass;
use super::quiet::Quiet;
use crate::helpers::Helper;
use crate::ssa::entities::Inst;
use crate::ssa::function::Function;
use crate::ssa::ops::{Imm, Opcode};

/// See the module documentation.
pub struct ReuseFloatLocals;

impl Pass for ReuseFloatLocals {
    fn name(&self) -> &'static str {
        "reuse_float_locals"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut changes = 0;
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let insts = f.blocks[b].insts.clone();
            let mut quiet = Quiet::default();
            for (n, &i) in insts.iter().enumerate() {
                if let Some(slot) = stored_box(f, &insts[n + 1..], i, &quiet) {
                    let d = &mut f.insts[i];
                    d.op = Opcode::BoxFloatInto;
                    d.imm = Imm::Slot(slot);
                    changes += 1;
                }
                quiet.observe(f, i);
            }
        }
        changes
    }
}

/// If `i` is a `box_float` whose result `rest` stores into a local with nothing in between
/// that could look at the slot, that slot.
fn stored_box(f: &Function, rest: &[Inst], i: Inst, quiet: &Quiet) -> Option<u32> {
    let d = &f.insts[i];
    match (d.op, &d.imm) {
        (Opcode::Call, Imm::Call(c)) if c.helper == Helper::BoxFloat => {}
        _ => return None,
    }
    let v = d.results[0];
    let mut q = quiet.clone();
    q.observe(f, i);
    for &j in rest {
        let e = &f.insts[j];
        match (e.op, &e.imm) {
            (Opcode::StoreLocal, Imm::Slot(s)) if e.args[0] == v => return Some(*s),
            (Opcode::SetInstrPtr, _) => {}
            (Opcode::Decref | Opcode::XDecref, _) if e.args[0] != v && !q.runs_code(f, j) => {}
            _ => return None,
        }
        q.observe(f, j);
    }
    None
}
