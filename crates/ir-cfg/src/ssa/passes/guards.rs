//! Guard removal: a guard is dropped where its answer is already known. A value made by
//! `box_float` is a float; a small int is a compact int; a constant the compiler was told about passes the guards of its
//! kind (`Function::const_kinds`); and a guard of the same kind on the same value that runs
//! on every path to this one (earlier in the block, or in every predecessor) has already
//! passed. The exact type of a float, int, list or tuple never changes, so such a passed
//! guard stays true; a list's length can change whenever Python code runs, so that fact dies
//! at any instruction that may run arbitrary code.
//!
//! A `to_double` of a value known to be a float so becomes `unbox_float`.
//!
//! The facts flow forward in reverse post-order; a block reached by an edge not yet visited
//! (a loop's back edge) starts with none, which keeps the pass to one sweep and sound.
use std::collections::{HashMap, HashSet};

use super::Pass;
use crate::helpers::Helper;
use crate::ssa::entities::{Block, Value};
use crate::ssa::function::{Function, ValueDef};
use crate::ssa::ops::{Effects, GuardKind, Imm, Opcode};

/// See the module documentation.
pub struct GuardRemoval;

type Facts = HashSet<(GuardKind, Value)>;

/// What `v`'s definition proves, whatever the path.
pub(super) fn proven(f: &Function, v: Value) -> Option<GuardKind> {
    let ValueDef::Result(i, 0) = f.values[v].def else { return None };
    let d = &f.insts[i];
    match (&d.op, &d.imm) {
        (Opcode::Call, Imm::Call(c)) if c.helper == Helper::BoxFloat => Some(GuardKind::Float),
        (Opcode::Const, Imm::Const(k)) => f.const_kinds.get(*k as usize).copied().flatten(),
        // Small ints (0..=255) are compact.
        (Opcode::SmallInt, _) => Some(GuardKind::CompactInt),
        // `True` or `False` (a comparison's or `not`'s result).
        (Opcode::Bool, _) => Some(GuardKind::Bool),
        _ => None,
    }
}

impl Pass for GuardRemoval {
    fn name(&self) -> &'static str {
        "guard_removal"
    }

    fn run(&self, f: &mut Function) -> usize {
        let order = f.rpo();
        let mut preds: HashMap<Block, Vec<Block>> = HashMap::new();
        for &b in &order {
            for s in f.successors(b) {
                preds.entry(s).or_default().push(b);
            }
        }
        let mut out: HashMap<Block, Facts> = HashMap::new();
        // An error edge leaves its block in the middle: its target (whose only predecessor
        // it is) knows what held at the raising instruction, not at the block's end.
        let mut at_error: HashMap<Block, Facts> = HashMap::new();
        let mut dead = HashSet::new();
        let mut to_unbox = Vec::new();
        for &b in &order {
            let ps = preds.get(&b).map(Vec::as_slice).unwrap_or(&[]);
            let mut facts: Facts = match ps.split_first() {
                _ if at_error.contains_key(&b) => at_error.remove(&b).expect("checked"),
                Some((first, rest)) if ps.iter().all(|p| out.contains_key(p)) => {
                    let mut s = out[first].clone();
                    for p in rest {
                        s.retain(|x| out[p].contains(x));
                    }
                    s
                }
                _ => Facts::new(),
            };
            for &i in &f.blocks[b].insts {
                let d = &f.insts[i];
                if d.effects().contains(Effects::ARBITRARY) {
                    // Python code may change what is not permanent (a list's length).
                    facts.retain(|(k, _)| k.is_permanent());
                }
                if let Some(e) = d.err {
                    at_error.insert(e, facts.clone());
                }
                let Imm::Guard(kind, _) = &d.imm else { continue };
                // A number known to be a float is read as one, with no test.
                if d.op == Opcode::ToDouble {
                    let v = d.args[0];
                    if proven(f, v) == Some(GuardKind::Float) || facts.contains(&(GuardKind::Float, v)) {
                        to_unbox.push(i);
                    }
                    continue;
                }
                if d.op != Opcode::Guard {
                    continue;
                }
                let v = d.args[0];
                if proven(f, v) == Some(*kind) || !facts.insert((*kind, v)) {
                    dead.insert(i);
                }
            }
            out.insert(b, facts);
        }
        for &i in &to_unbox {
            let d = &mut f.insts[i];
            d.op = Opcode::UnboxFloat;
            d.imm = Imm::None;
            d.args.truncate(1);
        }
        to_unbox.len() + super::remove_insts(f, |i| dead.contains(&i))
    }
}
