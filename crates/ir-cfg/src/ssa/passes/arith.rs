//! Division on numbers the IR knows: a generic `binary_op` for `/`, `//` or `%` (and their
//! in-place forms) whose operands are boxes of unboxed results (`box_float`, `box_int`), float
//! or int constants, or small ints becomes inline arithmetic on their values, as the
//! interpreter's own float and int code computes it; a zero divisor raises ZeroDivisionError
//! through the instruction's error edge. The call itself becomes the box of the result, so the
//! unbox pass (which runs next) can drop it and the operands' boxes where nothing else needs
//! them.
//!
//! - `/`: a float and a float or an int: the int converted to the nearest double, as
//!   `PyLong_AsDouble` does. Two ints: only when both are below 2**53 in magnitude, where
//!   CPython's `long_true_divide` also divides the exact doubles.
//! - `//` and `%` of two ints below 2**62 in magnitude (so the quotient cannot overflow).
//!
//! An operand loaded from a local slot is what was last stored there earlier in the block, if
//! nothing that may write the frame (or run arbitrary code) ran in between.
//!
//! How large an int can be comes from what made it (the operations' documented ranges): an
//! unboxed compact int is below 2**30, `iadd`/`isub` of compact ints below 2**31, `imul` below
//! 2**60.
use bytecode_cfg::opargs::{nb_operator, NB_FLOOR_DIVIDE, NB_REMAINDER, NB_TRUE_DIVIDE};

use std::collections::HashMap;

use super::Pass;
use crate::helpers::Helper;
use crate::ssa::entities::{Block, Inst, Value};
use crate::ssa::function::{BlockCall, BlockData, Function, InstData, Terminator, ValueData, ValueDef};
use crate::ssa::ops::{Effects, GuardKind, HelperCall, Imm, Opcode, Type};

/// See the module documentation.
pub struct Arith;

/// A number operand: its unboxed value (`Unbox`: the object must be unboxed first, its type
/// being known) and, for an int, a bound on the bits of its magnitude.
#[derive(Clone, Copy)]
enum Num {
    Float(Value),
    UnboxFloat(Value),
    Int(Value, u32),
    UnboxInt(Value, u32),
}

impl Num {
    fn is_int(self) -> bool {
        matches!(self, Num::Int(..) | Num::UnboxInt(..))
    }

    fn bits(self) -> u32 {
        match self {
            Num::Int(_, b) | Num::UnboxInt(_, b) => b,
            Num::Float(_) | Num::UnboxFloat(_) => 64,
        }
    }
}

/// The bits of an unboxed int's magnitude, from its definition (64: unknown).
fn int_bits(f: &Function, v: Value) -> u32 {
    let Some(d) = f.producer(v) else { return 64 };
    match d.op {
        Opcode::UnboxInt => 30,
        Opcode::IAdd | Opcode::ISub => 31,
        Opcode::IMul => 60,
        Opcode::IFloorDiv => int_bits(f, d.args[0]),
        Opcode::IMod => int_bits(f, d.args[1]),
        Opcode::IAnd | Opcode::IOr | Opcode::IXor => (int_bits(f, d.args[0]).max(int_bits(f, d.args[1])) + 1).min(64),
        _ => 64,
    }
}

/// What an object operand is, if a number of known type.
fn num(f: &Function, v: Value) -> Option<Num> {
    let ValueDef::Result(i, 0) = f.values[v].def else { return None };
    let d = &f.insts[i];
    match (&d.op, &d.imm) {
        (Opcode::Call, Imm::Call(c)) if c.helper == Helper::BoxFloat => Some(Num::Float(d.args[0])),
        (Opcode::Call, Imm::Call(c)) if c.helper == Helper::BoxInt => Some(Num::Int(d.args[0], int_bits(f, d.args[0]))),
        (Opcode::Const, Imm::Const(k)) => match f.const_kinds.get(*k as usize).copied().flatten() {
            Some(GuardKind::Float) => Some(Num::UnboxFloat(v)),
            Some(GuardKind::CompactInt) => Some(Num::UnboxInt(v, 30)),
            _ => None,
        },
        (Opcode::SmallInt, _) => Some(Num::UnboxInt(v, 8)),
        _ => None,
    }
}

/// The constant a C int operand holds.
fn cint(f: &Function, v: Value) -> Option<u32> {
    let ValueDef::Result(i, 0) = f.values[v].def else { return None };
    match (&f.insts[i].op, &f.insts[i].imm) {
        (Opcode::CInt, Imm::Int(k)) => u32::try_from(*k).ok(),
        _ => None,
    }
}

/// Instructions to insert before the rewritten call, and the values they make.
struct Emit<'f> {
    f: &'f mut Function,
    new: Vec<Inst>,
}

impl Emit<'_> {
    fn ins(&mut self, op: Opcode, args: Vec<Value>, ty: Type, err: Option<Block>) -> Value {
        let i = self.f.insts.push(InstData { op, imm: Imm::None, args, results: vec![], err });
        let r = self.f.values.push(ValueData { ty, def: ValueDef::Result(i, 0) });
        self.f.insts[i].results.push(r);
        self.new.push(i);
        r
    }

    fn float(&mut self, n: Num) -> Value {
        match n {
            Num::Float(x) => x,
            Num::UnboxFloat(o) => self.ins(Opcode::UnboxFloat, vec![o], Type::F64, None),
            Num::Int(..) | Num::UnboxInt(..) => {
                let x = self.int(n);
                self.ins(Opcode::IToF, vec![x], Type::F64, None)
            }
        }
    }

    fn int(&mut self, n: Num) -> Value {
        match n {
            Num::Int(x, _) => x,
            Num::UnboxInt(o, _) => self.ins(Opcode::UnboxInt, vec![o], Type::I64, None),
            Num::Float(_) | Num::UnboxFloat(_) => unreachable!("an int operand"),
        }
    }
}

/// What instruction `i` does to the local slots' known values (`stored`; `nulls_from`: the
/// slots from there on hold NULL). A store whose release of the old value runs no code (NULL,
/// or a number) keeps the rest; anything else that may write the frame, or run code that can
/// (through `f_locals`), forgets everything.
fn track(f: &Function, i: Inst, stored: &mut HashMap<u32, Value>, nulls_from: &mut Option<u32>) {
    let d = &f.insts[i];
    match (&d.op, &d.imm) {
        (Opcode::StoreLocal, Imm::Slot(s)) => {
            let old_is_null = stored.get(s).is_none() && nulls_from.is_some_and(|n| *s >= n);
            let old_is_number = stored.get(s).is_some_and(|&v| num(f, v).is_some());
            if old_is_null || old_is_number {
                stored.insert(*s, d.args[0]);
            } else {
                // The old value's release may run code that writes any slot, this one too.
                stored.clear();
                *nulls_from = None;
            }
        }
        // `instr_ptr` is the only part of the frame it writes.
        (Opcode::LoadLocal | Opcode::SetInstrPtr, _) => {}
        _ if d.effects().contains(Effects::ARBITRARY) || d.effects().contains(Effects::WRITES_FRAME) => {
            stored.clear();
            *nulls_from = None;
        }
        _ => {}
    }
}

/// Rewrite instruction `i` if it is a generic division of known numbers (operands loaded from
/// locals looked up in `loaded`): the call becomes the box of the result (same result value)
/// and the returned instructions, which compute it, go before it. `None`: left as it is.
fn rewrite(f: &mut Function, i: Inst, loaded: &HashMap<Value, Value>) -> Option<Vec<Inst>> {
    let d = &f.insts[i];
    let (Opcode::Call, Imm::Call(c), &[l, r, op]) = (&d.op, &d.imm, &d.args[..]) else { return None };
    if c.helper != Helper::BinaryOp {
        return None;
    }
    let known = |v: Value| num(f, loaded.get(&v).copied().unwrap_or(v));
    let (l, r, op) = (known(l)?, known(r)?, nb_operator(cint(f, op)?));
    let both_int = l.is_int() && r.is_int();
    let (arith, boxer) = match op {
        NB_TRUE_DIVIDE if !both_int || (l.bits() <= 53 && r.bits() <= 53) => (Opcode::FDiv, Helper::BoxFloat),
        NB_FLOOR_DIVIDE if both_int && l.bits() <= 62 && r.bits() <= 62 => (Opcode::IFloorDiv, Helper::BoxInt),
        NB_REMAINDER if both_int && l.bits() <= 62 && r.bits() <= 62 => (Opcode::IMod, Helper::BoxInt),
        _ => return None,
    };
    // Two instructions now raise where the call did: each gets an error block of its own
    // (error edges lead to blocks with one predecessor) that jumps on to the call's, whose
    // state is the same after either.
    let target = d.err?;
    let own_error_block = |f: &mut Function, what: &str| {
        let name = format!("{}_{what}", f.blocks[target].name);
        let term = Terminator::Jump(BlockCall { block: target, args: vec![] });
        f.blocks.push(BlockData { name, params: vec![], insts: vec![], term })
    };
    let err = Some(own_error_block(f, "zero"));
    f.insts[i].err = Some(own_error_block(f, "box"));
    let mut e = Emit { f, new: Vec::new() };
    let q = if arith == Opcode::FDiv {
        let (x, y) = (e.float(l), e.float(r));
        e.ins(arith, vec![x, y], Type::F64, err)
    } else {
        let (x, y) = (e.int(l), e.int(r));
        e.ins(arith, vec![x, y], Type::I64, err)
    };
    let new = e.new;
    // The call boxes the result now: same result value, same error edge.
    let d = &mut f.insts[i];
    d.imm = Imm::Call(HelperCall { helper: boxer, arrays: vec![] });
    d.args = vec![q];
    Some(new)
}

impl Pass for Arith {
    fn name(&self) -> &'static str {
        "arith"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut changes = 0;
        let blocks: Vec<Block> = f.blocks.keys().collect();
        for b in blocks {
            let insts = f.blocks[b].insts.clone();
            let mut out = Vec::with_capacity(insts.len());
            // Per local slot, the value last stored there in this block (while it is what the
            // slot holds); per load of such a slot, that value. In the entry block, the slots
            // after the arguments hold NULL until something writes the frame.
            let mut stored: HashMap<u32, Value> = HashMap::new();
            let mut loaded: HashMap<Value, Value> = HashMap::new();
            let mut nulls_from = if Some(b) == f.entry { f.arg_slots } else { None };
            for i in insts {
                let d = &f.insts[i];
                if let (Opcode::LoadLocal, Imm::Slot(s)) = (&d.op, &d.imm)
                    && let Some(&v) = stored.get(s)
                {
                    loaded.insert(d.results[0], v);
                }
                if let Some(new) = rewrite(f, i, &loaded) {
                    out.extend(new);
                    changes += 1;
                }
                // (After a rewrite, the effects of the box: it runs no code, so what is known
                // of the frame stays.)
                track(f, i, &mut stored, &mut nulls_from);
                out.push(i);
            }
            f.blocks[b].insts = out;
        }
        changes
    }
}
