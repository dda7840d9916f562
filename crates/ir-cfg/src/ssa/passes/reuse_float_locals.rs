//! A new float stored where a float nobody else holds is replaced reuses that float, as the
//! interpreter's float instructions reuse an operand nobody else references
//! (`_PyFloat_FromDouble_ConsumeInputs`). `v = call box_float(x)` followed by
//! - `store_local[i] v` becomes `v = box_float_into[i](x)`: when slot `i` then owns an exact
//!   float whose only reference is the slot's, that float gets `x` and one more reference, and
//!   the store, putting it back, releases the slot's;
//! - `store_item list, j, v`, where `w = item list, j` was read earlier in the block (the
//!   `v1[0] -= d` of float code), becomes `v = box_float_over 2 (x, w)`: when `w` has just the
//!   list's reference and the function's, `w` gets `x`; the function's release of `w` and the
//!   store leave the list holding it once.
//!
//! No allocation and no deallocation; float code that assigns locals or list items in a loop
//! otherwise allocates and frees one float per assignment. Ints stored into locals (`j += 1`,
//! a range loop's variable) are reused the same way (`box_int_into`), when the new value is
//! a compact int's but not a small int's (small ints are the interpreter's immortal objects).
//!
//! The float is changed before the store, which is why nothing may come between them that
//! could look at it: only `instr_ptr`, constants, unboxing an int and releases that run no code (see
//! [`super::quiet`]); no load, no exit (a deoptimisation or an exception would show the new
//! value under the old instruction), no code (`f_locals`, other references to the list). A
//! value borrowed from the slot is stale after the store (the verifier checks it); the item
//! `w` must be used, after the box, only by its release before the store (or on the error
//! edges of the instructions up to the box, which leave before anything was changed).
//!
//! The pass runs last: the passes before it know `box_float` (guards it proves, unboxes it
//! folds), not these.
use std::collections::HashMap;

use super::quiet::Quiet;
use super::Pass;
use crate::helpers::Helper;
use crate::ssa::entities::{Block, Inst, Value};
use crate::ssa::function::{Function, Terminator};
use crate::ssa::ops::{GuardKind, Imm, Opcode};

/// See the module documentation.
pub struct ReuseFloatLocals;

/// What a `box_float`'s result is stored over.
enum Target {
    Slot(u32),
    /// The list item read as this value.
    Item(Value),
}

impl Pass for ReuseFloatLocals {
    fn name(&self) -> &'static str {
        "reuse_float_locals"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut changes = 0;
        let mut preds: HashMap<Block, usize> = HashMap::new();
        for b in f.rpo() {
            for s in f.successors(b) {
                *preds.entry(s).or_default() += 1;
            }
        }
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let insts = f.blocks[b].insts.clone();
            let mut quiet = Quiet::default();
            for (n, &i) in insts.iter().enumerate() {
                let target = stored_box(f, b, &insts[n + 1..], i, &quiet, &preds);
                let d = &mut f.insts[i];
                match target {
                    Some(Target::Slot(slot)) => {
                        d.op = if is_box(d, Helper::BoxInt) { Opcode::BoxIntInto } else { Opcode::BoxFloatInto };
                        d.imm = Imm::Slot(slot);
                        changes += 1;
                    }
                    Some(Target::Item(_)) if is_box(d, Helper::BoxInt) => {}
                    Some(Target::Item(w)) if only_released_after(f, b, &insts, n, w) => {
                        let d = &mut f.insts[i];
                        d.op = Opcode::BoxFloatOver;
                        d.imm = Imm::Int(2);
                        d.args.push(w);
                        changes += 1;
                    }
                    _ => {}
                }
                quiet.observe(f, i);
            }
        }
        changes
    }
}

/// If `i` is a `box_float` (or `box_int`) whose result `rest` stores into a local or over a
/// list item with nothing in between that could look at it, where. The store of a local may
/// also be in a block that only `b` jumps to (a loop body's first block jumping to the
/// store's, as FOR_ITER's lowering leaves them).
fn stored_box(f: &Function, b: Block, rest: &[Inst], i: Inst, quiet: &Quiet, preds: &HashMap<Block, usize>) -> Option<Target> {
    let d = &f.insts[i];
    if !is_box(d, Helper::BoxFloat) && !is_box(d, Helper::BoxInt) {
        return None;
    }
    let v = d.results[0];
    let mut q = quiet.clone();
    q.observe(f, i);
    let (mut block, mut rest, mut crossed) = (b, rest.to_vec(), false);
    loop {
        if let Some(t) = scan(f, &rest, v, &mut q, crossed) {
            return t;
        }
        match &f.blocks[block].term {
            Terminator::Jump(call) if call.args.is_empty() && preds.get(&call.block) == Some(&1) => {
                block = call.block;
                rest = f.blocks[block].insts.clone();
                crossed = true;
            }
            _ => return None,
        }
    }
}

/// The instructions `rest` after the box of `v`: `Some(target)` at the store (`Some(None)`:
/// something in between could look at it, or a list item after a jump), `None` if the block
/// ends first.
fn scan(f: &Function, rest: &[Inst], v: Value, q: &mut Quiet, crossed: bool) -> Option<Option<Target>> {
    for &j in rest {
        let e = &f.insts[j];
        match (e.op, &e.imm) {
            (Opcode::StoreLocal, Imm::Slot(s)) if e.args[0] == v => return Some(Some(Target::Slot(*s))),
            (Opcode::StoreItem, _) if crossed => return Some(None),
            (Opcode::StoreItem, Imm::Guard(GuardKind::ListIndex, _)) if e.args[2] == v => {
                let w = q.item_read(f, e.args[0], e.args[1]);
                return Some(w.filter(|&w| q.is_plain(w) && !e.args[3..].contains(&w)).map(Target::Item));
            }
            // Constants, and unboxing an int (a float is not one), read no float.
            (Opcode::SetInstrPtr | Opcode::UnboxInt | Opcode::SmallInt | Opcode::Const | Opcode::CInt | Opcode::Word, _) => {}
            (Opcode::Decref | Opcode::XDecref, _) if e.args[0] != v && !q.runs_code(f, j) => {}
            _ => return Some(None),
        }
        q.observe(f, j);
    }
    None
}

fn is_box(d: &crate::ssa::function::InstData, h: Helper) -> bool {
    matches!((d.op, &d.imm), (Opcode::Call, Imm::Call(c)) if c.helper == h)
}

/// Whether `w`, after the `box_float` at `insts[n]` of block `b`, is used only by one release
/// in `b` (the one before the store), and elsewhere only on the error edges of `b`'s
/// instructions up to the box (paths that leave before the float is changed); blocks no path
/// reaches aside.
fn only_released_after(f: &Function, b: Block, insts: &[Inst], n: usize, w: Value) -> bool {
    let early: Vec<Block> = insts[..=n].iter().filter_map(|&i| f.insts[i].err).collect();
    let mut releases = 0;
    // Blocks no path reaches (error edges of instructions a pass removed) do not count.
    for c in f.rpo() {
        let data = &f.blocks[c];
        let uses = |i: &Inst| f.insts[*i].args.contains(&w);
        if c == b {
            for &i in &insts[n + 1..] {
                if uses(&i) {
                    if f.insts[i].op != Opcode::Decref {
                        return false;
                    }
                    releases += 1;
                }
            }
        } else if !early.contains(&c) && data.insts.iter().any(uses) {
            return false;
        }
        if data.term.operands().contains(&w) || data.term.calls().iter().any(|call| call.args.contains(&w)) {
            return false;
        }
    }
    releases == 1
}
