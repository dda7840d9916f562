//! Unboxing: values that only live between two operations on unboxed numbers stay unboxed.
//! - `unbox_float(box_float(x))` is `x` (and `unbox_int(box_int(x))` is `x`).
//! - A box whose object is only unboxed, released, or written by a guard's frame state is
//!   not made at all: the releases go, and the frame states take the unboxed value (a failing
//!   guard boxes it on the way out, see `StackSlot::F64`).
//! - `guard compact_int` of an int's box tests the unboxed value instead (`guard_compact`), and
//!   so does `is_compact_int` (`fits_compact`).
//! - An identity test of `bool(c)` against `True` or `False` is a branch on `c`.
//! - `as_doubles` of boxes and float constants reads the doubles they hold
//!   ([`resolve_as_doubles`]).
use std::collections::HashMap;

use super::{Pass, placed, remove_insts};
use crate::helpers::Helper;
use crate::ssa::entities::{EntityRef, Inst, Value};
use crate::ssa::function::{Function, Terminator, ValueDef};
use crate::ssa::ops::{GuardKind, Imm, Opcode, StackSlot};
use crate::ir::Singleton;

/// See the module documentation.
pub struct Unbox;

/// If `v` is made by a box helper: the unboxed operand, and the slot kind that boxes it again.
fn boxed(f: &Function, v: Value) -> Option<(Inst, Value, StackSlot)> {
    let ValueDef::Result(i, 0) = f.values[v].def else { return None };
    let d = &f.insts[i];
    match &d.imm {
        Imm::Call(c) if c.helper == Helper::BoxFloat => Some((i, d.args[0], StackSlot::F64)),
        Imm::Call(c) if c.helper == Helper::BoxInt => Some((i, d.args[0], StackSlot::I64)),
        _ => None,
    }
}

/// What an `as_doubles` operand's double is known to be.
enum Double {
    /// This double (the operand is its float's box).
    Is(Value),
    /// This int's, if it is compact (the operand is its box).
    OfInt(Value),
    /// The float's (a constant, or a value known to be one).
    OfFloat(Value),
}

fn double_of(f: &Function, v: Value) -> Option<Double> {
    match boxed(f, v) {
        Some((_, x, StackSlot::F64)) => Some(Double::Is(x)),
        Some((_, x, StackSlot::I64)) => Some(Double::OfInt(x)),
        _ => (super::guards::proven(f, v) == Some(GuardKind::Float)).then_some(Double::OfFloat(v)),
    }
}

/// `as_doubles(l, r)` whose operands' doubles are known (a box of a double or of an int, a
/// float constant) is computed from those: the double itself, `itof` of the int (whose box is
/// compact exactly when `fits_compact`), `unbox_float` of the float; the boxes then have no
/// use left but releases and go (spectral_norm's `1.0 / (int expression)` in its inlined
/// `a_elem`: an allocation per call). Left alone where both are ints (two conditions) or one
/// is unknown.
fn resolve_as_doubles(f: &mut Function) -> usize {
    let mut alias: HashMap<Value, Value> = HashMap::new();
    let blocks: Vec<_> = f.blocks.keys().collect();
    for b in blocks {
        let mut at = 0;
        while at < f.blocks[b].insts.len() {
            let i = f.blocks[b].insts[at];
            let d = &f.insts[i];
            let (Opcode::AsDoubles, &[l, r]) = (d.op, &d.args[..]) else {
                at += 1;
                continue;
            };
            let results = d.results.clone();
            let (Some(dl), Some(dr)) = (double_of(f, l), double_of(f, r)) else {
                at += 1;
                continue;
            };
            if matches!((&dl, &dr), (Double::OfInt(_), Double::OfInt(_))) {
                at += 1;
                continue;
            }
            // The new instructions take its place, in order.
            f.blocks[b].insts.remove(at);
            let mut put = |f: &mut Function, op, imm, args| {
                at += 1;
                f.insert_inst(b, at - 1, op, imm, args)[0]
            };
            let mut ok = None;
            let mut double = |f: &mut Function, d| match d {
                Double::Is(x) => x,
                Double::OfFloat(v) => put(f, Opcode::UnboxFloat, Imm::None, vec![v]),
                Double::OfInt(x) => {
                    ok = Some(put(f, Opcode::FitsCompact, Imm::None, vec![x]));
                    put(f, Opcode::IToF, Imm::None, vec![x])
                }
            };
            let (x, y) = (double(f, dl), double(f, dr));
            let ok = ok.unwrap_or_else(|| put(f, Opcode::CInt, Imm::Int(1), vec![]));
            alias.extend([(results[0], ok), (results[1], x), (results[2], y)]);
        }
    }
    if !alias.is_empty() {
        f.replace_uses(|v| alias.get(&v).copied().unwrap_or(v));
    }
    alias.len() / 3
}

impl Pass for Unbox {
    fn name(&self) -> &'static str {
        "unbox"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut changes = resolve_as_doubles(f);
        let insts = placed(f);
        // unbox(box(x)) -> x.
        let mut alias: HashMap<Value, Value> = HashMap::new();
        for &i in &insts {
            let d = &f.insts[i];
            if matches!(d.op, Opcode::UnboxFloat | Opcode::UnboxInt)
                && let Some((_, x, slot)) = boxed(f, d.args[0])
                && (d.op == Opcode::UnboxFloat) == (slot == StackSlot::F64)
            {
                alias.insert(d.results[0], x);
            }
        }
        if !alias.is_empty() {
            changes += alias.len();
            f.replace_uses(|v| alias.get(&v).copied().unwrap_or(v));
        }
        // guard compact_int(box_int(x)) -> guard_compact(x): the same test on the value.
        for &i in &insts {
            let d = &f.insts[i];
            if d.op == Opcode::Guard
                && matches!(d.imm, Imm::Guard(GuardKind::CompactInt, _))
                && let Some((_, x, StackSlot::I64)) = boxed(f, d.args[0])
            {
                let d = &mut f.insts[i];
                d.op = Opcode::GuardCompact;
                d.args[0] = x;
                changes += 1;
            }
            // is_compact_int(box_int(x)) -> fits_compact(x), likewise.
            let d = &f.insts[i];
            if d.op == Opcode::IsCompactInt
                && let Some((_, x, StackSlot::I64)) = boxed(f, d.args[0])
            {
                let d = &mut f.insts[i];
                d.op = Opcode::FitsCompact;
                d.args[0] = x;
                changes += 1;
            }
        }
        // Boxes nobody needs as objects.
        let mut users: HashMap<Value, Vec<(Inst, usize)>> = HashMap::new();
        let insts = placed(f);
        for &i in &insts {
            for (k, a) in f.insts[i].args.iter().enumerate() {
                users.entry(*a).or_default().push((i, k));
            }
        }
        let mut term_used = vec![false; f.values.len()];
        for (_, b) in f.blocks.iter() {
            for v in b.term.operands() {
                term_used[v.index()] = true;
            }
            for c in b.term.calls() {
                for v in &c.args {
                    term_used[v.index()] = true;
                }
            }
        }
        let mut dead = std::collections::HashSet::new();
        for &i in &insts {
            let d = &f.insts[i];
            let Some(&r) = d.results.first() else { continue };
            let Some((bi, x, slot)) = boxed(f, r) else { continue };
            if bi != i || term_used[r.index()] {
                continue;
            }
            let uses = users.get(&r).cloned().unwrap_or_default();
            let removable = uses.iter().all(|&(u, k)| {
                let ud = &f.insts[u];
                // Unboxes of it were replaced above: they are dead now.
                matches!(ud.op, Opcode::Decref | Opcode::XDecref | Opcode::UnboxFloat | Opcode::UnboxInt)
                    || ud.frame_state_start().is_some_and(|s| k >= s)
            });
            if !removable {
                continue;
            }
            for (u, k) in uses {
                if let Some(start) = f.insts[u].frame_state_start() {
                    f.insts[u].args[k] = x;
                    if let Imm::Guard(_, fs) = &mut f.insts[u].imm {
                        fs.stack[k - start] = slot;
                    }
                } else {
                    dead.insert(u);
                }
            }
            // The box's error edge goes with it (its target may become unreachable).
            dead.insert(i);
            changes += 1;
        }
        remove_insts(f, |i| dead.contains(&i));
        // Branches on a bool made from a C int.
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let Terminator::BranchEq { a, b: other, then, otherwise } = &f.blocks[b].term else { continue };
            let (mut a, mut other) = (*a, *other);
            let is_bool = |f: &Function, v: Value| match f.values[v].def {
                ValueDef::Result(i, 0) if f.insts[i].op == Opcode::Bool => Some(f.insts[i].args[0]),
                _ => None,
            };
            let singleton = |f: &Function, v: Value| match f.values[v].def {
                ValueDef::Result(i, _) => match f.insts[i].imm {
                    Imm::Singleton(s @ (Singleton::True | Singleton::False)) => Some(s),
                    _ => None,
                },
                ValueDef::Param(..) => None,
            };
            if is_bool(f, a).is_none() {
                std::mem::swap(&mut a, &mut other);
            }
            let (Some(c), Some(s)) = (is_bool(f, a), singleton(f, other)) else { continue };
            let (then, otherwise) = if s == Singleton::True { (then.clone(), otherwise.clone()) } else { (otherwise.clone(), then.clone()) };
            f.blocks[b].term = Terminator::Branch { cond: c, then, otherwise };
            changes += 1;
        }
        changes
    }
}
