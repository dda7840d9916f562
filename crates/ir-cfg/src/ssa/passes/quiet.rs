//! Releases that cannot run code. The table marks every `decref` and `store_item` as possibly
//! running arbitrary code: releasing the last reference to an object runs its deallocator,
//! which may call `__del__`, and that may write the frame's locals through `f_locals`. But an
//! exact float, int or str frees memory and nothing else (`float_dealloc`, `long_dealloc`,
//! `unicode_dealloc`). Within a block, [`Quiet`] follows which values are known to be such
//! (a guard passed, or a box made them) and which list item each `item` load read, so that:
//! - a `decref`/`xdecref` of such a value runs no code, nor does a `store_local` whose slot
//!   holds one (loaded or stored earlier in the block);
//! - a `store_item` that replaces the item an earlier `item` of the same list and index read
//!   (no code ran and no other item was stored in between: another list value may be the same
//!   list), when that item is such a value, runs no code either.
//!
//! The passes that keep facts across instructions until code may run (`local_loads`, `arith`)
//! ask it instead of the table, and so keep what they know across float arithmetic.
use std::collections::{HashMap, HashSet};

use crate::helpers::Helper;
use crate::ssa::entities::{Inst, Value};
use crate::ssa::function::{Function, ValueDef};
use crate::ssa::ops::{Effects, GuardKind, Imm, Opcode};

/// An index operand, up to what made it: the same object unboxed twice is one index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Index {
    Value(Value),
    Small(u32),
}

fn index_of(f: &Function, v: Value) -> Index {
    let ValueDef::Result(i, 0) = f.values[v].def else { return Index::Value(v) };
    let d = &f.insts[i];
    match (d.op, &d.imm) {
        (Opcode::UnboxInt, _) => match f.values[d.args[0]].def {
            ValueDef::Result(j, 0) => match (f.insts[j].op, &f.insts[j].imm) {
                (Opcode::SmallInt, Imm::SmallInt(k)) => Index::Small(*k),
                _ => Index::Value(d.args[0]),
            },
            ValueDef::Param(..) | ValueDef::Result(..) => Index::Value(d.args[0]),
        },
        _ => Index::Value(v),
    }
}

/// What is known within one block (see the module documentation).
#[derive(Clone, Default)]
pub(super) struct Quiet {
    /// Values whose deallocation runs no code.
    plain: HashSet<Value>,
    /// (list, index) -> the item an `item` load read, while nothing may have changed the list.
    items: HashMap<(Value, Index), Value>,
    /// Local slot -> the value it holds (loaded or stored), while no code may have written it.
    slots: HashMap<u32, Value>,
}

impl Quiet {
    /// Whether instruction `i` may run arbitrary Python code; then call [`Quiet::observe`].
    pub(super) fn runs_code(&self, f: &Function, i: Inst) -> bool {
        let d = &f.insts[i];
        if !d.effects().contains(Effects::ARBITRARY) {
            return false;
        }
        match d.op {
            Opcode::Decref | Opcode::XDecref => !self.plain.contains(&d.args[0]),
            Opcode::StoreItem => {
                let old = self.items.get(&(d.args[0], index_of(f, d.args[1])));
                !old.is_some_and(|w| self.plain.contains(w))
            }
            Opcode::StoreLocal => match &d.imm {
                Imm::Slot(s) => !self.slots.get(s).is_some_and(|w| self.plain.contains(w)),
                _ => true,
            },
            _ => true,
        }
    }

    /// The item an `item` load read from `list` at `index`, if nothing may have changed it since.
    pub(super) fn item_read(&self, f: &Function, list: Value, index: Value) -> Option<Value> {
        self.items.get(&(list, index_of(f, index))).copied()
    }

    /// Whether releasing `v` runs no code (an exact float or int).
    pub(super) fn is_plain(&self, v: Value) -> bool {
        self.plain.contains(&v)
    }

    /// Learn from instruction `i` (after [`Quiet::runs_code`] was asked about it).
    pub(super) fn observe(&mut self, f: &Function, i: Inst) {
        let runs = self.runs_code(f, i);
        let d = &f.insts[i];
        match (d.op, &d.imm) {
            (Opcode::Guard, Imm::Guard(GuardKind::Float | GuardKind::CompactInt, _)) => {
                self.plain.insert(d.args[0]);
            }
            (Opcode::Call, Imm::Call(c)) if matches!(c.helper, Helper::BoxFloat | Helper::BoxInt) => {
                self.plain.insert(d.results[0]);
            }
            (Opcode::BoxFloatInto | Opcode::BoxFloatOver | Opcode::BoxIntInto, _) => {
                self.plain.insert(d.results[0]);
            }
            (Opcode::Item, Imm::Guard(GuardKind::ListIndex, _)) => {
                self.items.insert((d.args[0], index_of(f, d.args[1])), d.results[0]);
            }
            (Opcode::LoadLocal, Imm::Slot(s)) => {
                self.slots.insert(*s, d.results[0]);
            }
            (Opcode::StoreLocal, Imm::Slot(s)) => {
                if runs {
                    self.items.clear();
                    self.slots.clear();
                }
                self.slots.insert(*s, d.args[0]);
                return;
            }
            (Opcode::TakeLocal, Imm::Slot(s)) => {
                self.slots.remove(s);
            }
            (Opcode::StoreItem, _) => {
                // Another list value (or index) may name the same item: only this one is known.
                self.items.clear();
                if !runs {
                    self.items.insert((d.args[0], index_of(f, d.args[1])), d.args[2]);
                }
                return;
            }
            _ => {}
        }
        // Code that runs may change any list and, through `f_locals`, any local (the values'
        // types stay what they are).
        if runs {
            self.items.clear();
            self.slots.clear();
        }
    }
}
