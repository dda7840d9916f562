//! Reference ownership on SSA values, part of [`super::verify`]: every owned reference is
//! released (or handed on) exactly once on every path, and no value is used once nothing keeps
//! it alive.
//!
//! Every object value holds, at each point, a number of *owned references* (0: borrowed). The
//! operation table says where references come from and go ([`ArgRef`], [`ResultRef`]): a new
//! result holds one; `incref` adds one, `decref` releases one, `store_local` moves one into a
//! frame slot, `return` steals one; helpers borrow their operands. A value holding none is
//! alive while an *owner* keeps it: the code object (`const`, `name`), nothing (immortals,
//! NULL), the frame slot it was loaded from or stored into (until the slot is written: a
//! `store_local`, `take_local` or a helper the table says writes slots), or another value's
//! reference (the borrows of a slot move to the value `take_local` takes its reference into;
//! a block parameter may borrow from the parameter that took the reference of the same
//! argument). A value whose count is 0 and whose owners are all gone is dead: using it is a
//! use after release (or of a stale borrow), releasing it a double release.
//!
//! Slots are tracked by *epochs*: each write of a slot starts a new epoch (named by the
//! writing instruction), a join whose predecessors disagree starts one named by the block. A
//! borrow from a slot is alive while the slot's epoch is the one it was taken in. Epochs
//! depend on nothing else, so they are computed first (iterating to a fixed point).
//!
//! Joins: an edge passes each argument's reference to its parameter (*moves* one, if the
//! argument holds any; arguments in order; NULL counts as an owned reference) or lends it
//! (the parameter then borrows from the argument's owners). Every edge into a block must
//! pass each parameter in the same state (owned, or borrowed), and every other value must
//! hold the same number of references on every edge into the block: a value that does not
//! reach the block (does not dominate it) must hold none, or its reference leaks on that
//! path. Owners of borrows are intersected (a borrow alive on one path only is dead after
//! the join).
//!
//! An error edge carries the state from *before* its instruction (the results do not exist
//! there; helpers borrow, so nothing was consumed). At `return` (after stealing the returned
//! reference) and `raise`, no value may still hold a reference.
//!
//! The analysis is a forward dataflow to a fixed point over block entry states (owner sets only
//! shrink, counts and whether a parameter is owned are fixed by the first edge seen, and each
//! edge is compared with them). A block with one predecessor and no parameters takes that
//! predecessor's state as it is. Findings of a block's last visit (made from its final entry
//! state) are kept. States are small sorted vectors: they are copied at every error edge.
use std::collections::VecDeque;

use super::entities::{Block, EntityRef, Inst, Value};
use super::function::{Function, Terminator, ValueDef};
use super::ops::{ArgRef, Imm, Opcode, ResultRef, StackSlot, Type};
use super::verify::VerifyError;
use crate::helpers::SlotWrite;

/// Where a value's first reference, or its first owner, comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// Not an object.
    Scalar,
    /// A new reference (or one taken from a slot).
    New,
    /// The code object: always alive.
    Always,
    /// An immortal object: always alive, and reference counting on it does nothing, so it may
    /// be returned, stored or released without a reference and never leaks (passes remove
    /// the increfs the lowering put on singletons).
    Immortal,
    /// NULL: releasing it does nothing, it never leaks.
    Null,
    /// Borrowed from a frame slot.
    Slot(u32),
    /// A block parameter: its state comes from the edges.
    Param,
}

/// An owner that keeps a borrowed value alive, in the running state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Link {
    /// The frame slot, while in this epoch.
    Slot(u32, u32),
    /// Another value's reference (or its owners).
    Value(Value),
    /// The code object or an immortal.
    Always,
}

/// An owner at a block's entry (a slot there means: in the slot's entry epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Src {
    Slot(u32),
    Value(Value),
    Always,
}

/// How a parameter is passed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// Not an object.
    Scalar,
    /// A reference moved in.
    Owned,
    /// Lent: alive while one of these is.
    Borrowed(Vec<Src>),
}

/// A small map: a vector sorted by key.
#[derive(Clone, Debug, PartialEq)]
struct VecMap<K, V>(Vec<(K, V)>);

impl<K: Ord + Copy, V: Copy> VecMap<K, V> {
    fn new() -> Self {
        VecMap(Vec::new())
    }
    fn find(&self, k: K) -> Result<usize, usize> {
        self.0.binary_search_by(|(x, _)| x.cmp(&k))
    }
    fn get(&self, k: K) -> Option<V> {
        self.find(k).ok().map(|i| self.0[i].1)
    }
    fn insert(&mut self, k: K, v: V) {
        match self.find(k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }
    fn remove(&mut self, k: K) {
        if let Ok(i) = self.find(k) {
            self.0.remove(i);
        }
    }
}

/// A set of (value, owner) pairs, sorted.
#[derive(Clone, Debug, PartialEq)]
struct Links<L>(Vec<(Value, L)>);

impl<L: Ord + Copy> Links<L> {
    fn of(&self, v: Value) -> &[(Value, L)] {
        let a = self.0.partition_point(|(x, _)| *x < v);
        let b = a + self.0[a..].partition_point(|(x, _)| *x == v);
        &self.0[a..b]
    }
    fn add(&mut self, v: Value, l: L) {
        if let Err(i) = self.0.binary_search(&(v, l)) {
            self.0.insert(i, (v, l));
        }
    }
    fn contains(&self, v: Value, l: L) -> bool {
        self.0.binary_search(&(v, l)).is_ok()
    }
}

/// The state on an edge into a join, as seen from the join: references moved to the
/// parameters, owners relative to the join's entry epochs.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    counts: VecMap<Value, u32>,
    links: Links<Src>,
    transfers: VecMap<(u32, u32), Value>,
    params: Vec<Kind>,
}

/// The running state.
#[derive(Clone, Debug)]
struct State {
    /// Owned references per value (only non-zero counts).
    counts: VecMap<Value, u32>,
    /// Each slot's epoch.
    epoch: Vec<u32>,
    /// Owners besides a value's origin.
    links: Links<Link>,
    /// A slot's reference in an epoch, taken into a value by `take_local`: the borrows of
    /// that epoch live on as long as that value.
    transfers: VecMap<(u32, u32), Value>,
}

impl State {
    fn count(&self, v: Value) -> u32 {
        self.counts.get(v).unwrap_or(0)
    }

    fn add(&mut self, v: Value, n: i64) {
        let c = (self.count(v) as i64 + n).max(0) as u32;
        if c == 0 {
            self.counts.remove(v);
        } else {
            self.counts.insert(v, c);
        }
    }

    /// Slot `s` enters epoch `e`: owners of it in older epochs are gone, unless taken.
    fn write_slot(&mut self, s: u32, e: u32) {
        if let Some(x) = self.epoch.get_mut(s as usize) {
            *x = e;
        }
        let transfers = &self.transfers;
        self.links.0.retain(|(_, l)| match *l {
            Link::Slot(i, old) => i != s || transfers.get((i, old)).is_some(),
            Link::Value(_) | Link::Always => true,
        });
    }
}

/// A block's entry: taken as is from its one predecessor, or merged from several.
#[derive(Clone, Debug)]
enum In {
    Direct(State),
    Joined(Entry),
}

/// Per-instruction facts, computed once.
struct InstFacts {
    args: Vec<ArgRef>,
    results: Vec<ResultRef>,
    /// Slot of the immediate, for slot operations.
    slot: Option<u32>,
    /// Slots it writes (starting epoch `1 + inst`), after its operands and results are done.
    writes: Vec<u32>,
}

struct Checker<'a> {
    f: &'a Function,
    origin: Vec<Origin>,
    /// The slot epoch a `local` load was taken in (set as its block is visited).
    load_epoch: Vec<u32>,
    /// Slot epochs at each block's entry.
    epochs: Vec<Option<Vec<u32>>>,
    /// Whether a block's entry is merged (several predecessors, or parameters).
    joined: Vec<bool>,
    errs: Vec<VerifyError>,
    block: Block,
}

const MAX_DEPTH: u32 = 16;

impl Checker<'_> {
    fn err(&mut self, inst: Option<Inst>, msg: String) {
        self.errs.push(VerifyError { block: self.block, inst, msg });
    }

    fn is_obj(&self, v: Value) -> bool {
        self.f.values.get(v).is_some_and(|d| d.ty == Type::Obj)
    }

    /// NULL or immortal: reference counting on it does nothing.
    fn is_null(&self, v: Value) -> bool {
        matches!(self.origin[v.index()], Origin::Null | Origin::Immortal)
    }

    fn epoch_alive(&self, st: &State, slot: u32, e: u32, depth: u32) -> bool {
        st.epoch.get(slot as usize) == Some(&e) || st.transfers.get((slot, e)).is_some_and(|w| self.alive(st, w, depth + 1))
    }

    /// Whether something keeps `v` alive.
    fn alive(&self, st: &State, v: Value, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if st.count(v) > 0 {
            return true;
        }
        let by_origin = match self.origin[v.index()] {
            Origin::Scalar | Origin::Always | Origin::Immortal | Origin::Null => true,
            Origin::Slot(i) => self.epoch_alive(st, i, self.load_epoch[v.index()], depth),
            Origin::New | Origin::Param => false,
        };
        by_origin
            || st.links.of(v).iter().any(|(_, l)| match *l {
                Link::Slot(i, e) => self.epoch_alive(st, i, e, depth),
                Link::Value(w) => self.alive(st, w, depth + 1),
                Link::Always => true,
            })
    }

    /// Owners keeping `v` alive at the end of an edge on which `moved` references were passed
    /// to parameters, as seen from the target: through its origin (`with_origin`) and links.
    fn srcs(&self, st: &State, v: Value, moved: &[(Value, Value)], with_origin: bool, depth: u32, out: &mut Vec<Src>) {
        if depth > MAX_DEPTH {
            return;
        }
        // Another value's owners, or the value itself while it holds a reference.
        let via = |w: Value, out: &mut Vec<Src>| {
            if let Some(&(_, p)) = moved.iter().find(|(a, _)| *a == w) {
                out.push(Src::Value(p));
            }
            if st.count(w) > 0 {
                out.push(Src::Value(w));
            } else {
                self.srcs(st, w, moved, true, depth + 1, out);
            }
        };
        let slot = |i: u32, e: u32, out: &mut Vec<Src>| {
            if st.epoch.get(i as usize) == Some(&e) {
                out.push(Src::Slot(i));
            } else if let Some(w) = st.transfers.get((i, e)) {
                via(w, out);
            }
        };
        if with_origin {
            if let Some(&(_, p)) = moved.iter().find(|(a, _)| *a == v) {
                out.push(Src::Value(p));
            }
            match self.origin[v.index()] {
                Origin::Always | Origin::Immortal => out.push(Src::Always),
                Origin::Slot(i) => slot(i, self.load_epoch[v.index()], out),
                Origin::Scalar | Origin::Null | Origin::New | Origin::Param => {}
            }
        }
        for &(_, l) in st.links.of(v) {
            match l {
                Link::Slot(i, e) => slot(i, e, out),
                Link::Value(w) => via(w, out),
                Link::Always => out.push(Src::Always),
            }
        }
    }

    fn dead_msg(&self, st: &State, v: Value, what: &str) -> String {
        let why = match self.origin[v.index()] {
            Origin::Slot(i) => format!("a borrow of local[{i}], which has been written since"),
            _ if !st.links.of(v).is_empty() => "a borrow whose owners are gone".to_string(),
            Origin::Param => "a parameter holding no reference, borrowed from nothing alive".to_string(),
            _ => "its last reference was released".to_string(),
        };
        format!("{what} {v}, which is dead ({why})")
    }

    /// A read of `v`.
    fn use_value(&mut self, st: &State, v: Value, inst: Option<Inst>, what: &str) {
        if self.is_obj(v) && !self.alive(st, v, 0) {
            let m = self.dead_msg(st, v, what);
            self.err(inst, m);
        }
    }

    /// Release one reference of `v` (released, stored or returned).
    fn release(&mut self, st: &mut State, v: Value, inst: Option<Inst>, what: &str) {
        if self.is_null(v) {
            return;
        }
        if st.count(v) == 0 {
            let m = if self.alive(st, v, 0) {
                format!("{what} of {v}, which holds no reference (a borrow)")
            } else {
                self.dead_msg(st, v, &format!("{what} of"))
            };
            self.err(inst, m);
        }
        st.add(v, -1);
    }

    /// Apply one instruction. Returns the state for its error edge.
    fn step(&mut self, facts: &InstFacts, st: &mut State, i: Inst) -> Option<State> {
        let f = self.f;
        let d = &f.insts[i];
        let slot = facts.slot;
        let before = d.err.map(|_| st.clone());
        if let Some(fs) = d.frame_state() {
            // The exit moves the owned slots into the frame and leaves the function: nothing
            // else may still hold a reference there.
            let mut exit = st.clone();
            let start = d.frame_state_start().unwrap_or(0);
            for (&a, slot) in d.args[start..].iter().zip(&fs.stack) {
                match slot {
                    StackSlot::Owned => self.release(&mut exit, a, Some(i), "deopt of owned slot"),
                    StackSlot::Borrowed => self.use_value(&exit, a, Some(i), "deopt of borrowed slot"),
                    StackSlot::F64 | StackSlot::I64 | StackSlot::TagInt => {}
                }
            }
            self.leaks(&exit, "deopt");
        }
        let epoch = 1 + i.index() as u32;
        let mut stored = None;
        // A frame state's operands are read only by the exit (checked above).
        let fixed = d.frame_state_start().unwrap_or(d.args.len());
        for (k, &a) in d.args[..fixed].iter().enumerate() {
            if !self.is_obj(a) {
                continue;
            }
            match facts.args.get(k).copied().unwrap_or(ArgRef::Borrow) {
                ArgRef::Borrow => self.use_value(st, a, Some(i), "use of"),
                ArgRef::Incref => {
                    self.use_value(st, a, Some(i), "incref of");
                    if !self.is_null(a) {
                        st.add(a, 1);
                    }
                }
                ArgRef::Release => self.release(st, a, Some(i), "release"),
                ArgRef::StoreSlot => {
                    self.release(st, a, Some(i), "store_local");
                    stored = Some(a);
                }
            }
        }
        for (&r, rr) in d.results.iter().zip(&facts.results) {
            match rr {
                ResultRef::New => st.add(r, 1),
                ResultRef::TakeSlot => {
                    st.add(r, 1);
                    if let Some(s) = slot
                        && let Some(&e) = st.epoch.get(s as usize)
                    {
                        st.transfers.insert((s, e), r);
                    }
                }
                ResultRef::Slot => {
                    if let Some(s) = slot
                        && let Some(&e) = st.epoch.get(s as usize)
                    {
                        self.load_epoch[r.index()] = e;
                    }
                }
                ResultRef::Scalar | ResultRef::Code | ResultRef::Immortal | ResultRef::Null => {}
            }
        }
        for &k in &facts.writes {
            st.write_slot(k, epoch);
        }
        if let (Some(a), Some(s)) = (stored, slot)
            && !self.is_null(a)
        {
            // The slot now holds the reference: it owns the value.
            st.links.add(a, Link::Slot(s, epoch));
        }
        before
    }

    /// The state `st` over an edge to `target` passing `args`.
    fn edge(&self, mut st: State, target: Block, args: &[Value]) -> In {
        if !self.joined[target.index()] {
            return In::Direct(st);
        }
        let params = &self.f.blocks[target].params;
        let mut moved: Vec<(Value, Value)> = Vec::new();
        let mut kinds = Vec::with_capacity(args.len());
        for (&a, &p) in args.iter().zip(params) {
            let k = if !self.is_obj(a) {
                Kind::Scalar
            } else if self.is_null(a) {
                Kind::Owned
            } else if st.count(a) > 0 {
                st.add(a, -1);
                moved.push((a, p));
                Kind::Owned
            } else {
                let mut s = Vec::new();
                self.srcs(&st, a, &moved, true, 0, &mut s);
                s.sort();
                s.dedup();
                Kind::Borrowed(s)
            };
            kinds.push(k);
        }
        let mut links = Links(Vec::new());
        let mut s = Vec::new();
        let mut last = None;
        for &(v, _) in &st.links.0 {
            if last == Some(v) || matches!(self.f.values[v].def, ValueDef::Param(b, _) if b == target) {
                continue; // done, or redefined on entry
            }
            last = Some(v);
            s.clear();
            self.srcs(&st, v, &moved, false, 0, &mut s);
            for &x in &s {
                links.add(v, x);
            }
        }
        In::Joined(Entry { counts: st.counts, links, transfers: st.transfers, params: kinds })
    }

    /// The running state at `b`'s entry.
    fn enter(&self, b: Block, e: &Entry) -> State {
        let epoch = self.epochs[b.index()].clone().unwrap_or_else(|| vec![0; self.f.nlocalsplus as usize]);
        let mat = |s: Src| match s {
            Src::Slot(i) => Link::Slot(i, epoch.get(i as usize).copied().unwrap_or(0)),
            Src::Value(w) => Link::Value(w),
            Src::Always => Link::Always,
        };
        let mut links = Links(e.links.0.iter().map(|&(v, s)| (v, mat(s))).collect());
        links.0.sort();
        let mut counts = e.counts.clone();
        for (&p, k) in self.f.blocks[b].params.iter().zip(&e.params) {
            match k {
                Kind::Scalar => {}
                Kind::Owned => counts.insert(p, 1),
                Kind::Borrowed(s) => {
                    for &x in s {
                        links.add(p, mat(x));
                    }
                }
            }
        }
        State { counts, epoch, links, transfers: e.transfers.clone() }
    }

    /// Merge edge state `new` into the entry `old`; whether it changed.
    fn merge(&self, old: &mut Entry, new: &Entry) -> bool {
        let before = (old.links.0.len(), old.transfers.0.len());
        old.links.0.retain(|&(v, s)| new.links.contains(v, s));
        old.transfers.0.retain(|&(k, w)| new.transfers.get(k) == Some(w));
        let mut changed = before != (old.links.0.len(), old.transfers.0.len());
        for (x, y) in old.params.iter_mut().zip(&new.params) {
            if let (Kind::Borrowed(s), Kind::Borrowed(t)) = (&mut *x, y) {
                let n = s.len();
                s.retain(|a| t.contains(a));
                changed |= s.len() != n;
            }
            // Owned on one edge, borrowed on another: reported by `compare`.
        }
        changed
    }

    /// Report how the edge state `new` from `from` disagrees with the entry `old` of `to`.
    fn compare(&mut self, from: Block, to: Block, old: &Entry, new: &Entry) {
        if old.counts != new.counts {
            let mut vs: Vec<Value> = old.counts.0.iter().chain(&new.counts.0).map(|(v, _)| *v).collect();
            vs.sort();
            vs.dedup();
            for v in vs {
                let (x, y) = (old.counts.get(v).unwrap_or(0), new.counts.get(v).unwrap_or(0));
                if x != y {
                    self.err(
                        None,
                        format!(
                            "{v} holds {y} reference(s) on the edge from {from} to {to} but {x} on another edge into {to}: a leak on one path, or a release of a reference not held"
                        ),
                    );
                }
            }
        }
        let params = &self.f.blocks[to].params;
        let mut msgs = Vec::new();
        for ((x, y), p) in old.params.iter().zip(&new.params).zip(params) {
            let (a, b) = match (x, y) {
                (Kind::Owned, Kind::Borrowed(_)) => ("a borrowed", "an owned"),
                (Kind::Borrowed(_), Kind::Owned) => ("an owned", "a borrowed"),
                _ => continue,
            };
            msgs.push(format!("{p} of {to} is passed {a} reference from {from} but {b} one on another edge"));
        }
        for m in msgs {
            self.err(None, m);
        }
    }

    /// Visit block `b` from its entry state; returns its out-edges' states.
    fn visit(&mut self, facts: &[InstFacts], b: Block, mut st: State) -> Vec<(Block, In)> {
        self.block = b;
        let f = self.f;
        let data = &f.blocks[b];
        let mut outs = Vec::new();
        for &i in &data.insts {
            if let Some(s) = self.step(&facts[i.index()], &mut st, i)
                && let Some(e) = f.insts[i].err
            {
                outs.push((e, self.edge(s, e, &[])));
            }
        }
        match &data.term {
            Terminator::Open => {}
            Terminator::Jump(c) => outs.push((c.block, self.edge(st, c.block, &c.args))),
            Terminator::Branch { then, otherwise, .. } => {
                outs.push((then.block, self.edge(st.clone(), then.block, &then.args)));
                outs.push((otherwise.block, self.edge(st, otherwise.block, &otherwise.args)));
            }
            Terminator::BranchEq { a, b: bb, then, otherwise } => {
                self.use_value(&st, *a, None, "identity test of");
                self.use_value(&st, *bb, None, "identity test of");
                outs.push((then.block, self.edge(st.clone(), then.block, &then.args)));
                outs.push((otherwise.block, self.edge(st, otherwise.block, &otherwise.args)));
            }
            Terminator::Return(v) => {
                if self.is_obj(*v) {
                    self.release(&mut st, *v, None, "return");
                }
                self.leaks(&st, "return");
            }
            Terminator::Raise => self.leaks(&st, "raise"),
        }
        outs
    }

    fn leaks(&mut self, st: &State, at: &str) {
        for &(v, c) in &st.counts.0 {
            if !self.is_null(v) {
                self.err(None, format!("{v} still holds {c} reference(s) at {at} (leak)"));
            }
        }
    }
}

/// Check reference ownership in `f` (whose shapes, types and dominance are already checked);
/// findings are appended to `errs`.
pub(super) fn check(f: &Function, errs: &mut Vec<VerifyError>) {
    let Some(entry) = f.entry else { return };
    let mut origin = vec![Origin::Scalar; f.values.len()];
    for (b, data) in f.blocks.iter() {
        if Some(b) != f.entry {
            for &p in &data.params {
                if f.ty(p) == Type::Obj {
                    origin[p.index()] = Origin::Param;
                }
            }
        }
    }
    let mut facts = Vec::with_capacity(f.insts.len());
    let mut setup_errs = Vec::new();
    for (i, d) in f.insts.iter() {
        let slot = match d.imm {
            Imm::Slot(s) => Some(s),
            _ => None,
        };
        let (args, results) = d.refs().unwrap_or_default();
        for (&r, rr) in d.results.iter().zip(&results) {
            origin[r.index()] = match rr {
                ResultRef::Scalar => Origin::Scalar,
                ResultRef::New | ResultRef::TakeSlot => Origin::New,
                ResultRef::Code => Origin::Always,
                ResultRef::Immortal => Origin::Immortal,
                ResultRef::Null => Origin::Null,
                ResultRef::Slot => Origin::Slot(slot.unwrap_or(u32::MAX)),
            };
        }
        let mut writes = Vec::new();
        if let Some(s) = slot
            && (args.contains(&ArgRef::StoreSlot) || results.contains(&ResultRef::TakeSlot))
        {
            writes.push(s);
        }
        if let Some(s) = slot.filter(|s| *s >= f.nlocalsplus) {
            setup_errs.push((i, format!("local[{s}] out of range")));
        }
        if let Imm::Call(c) = &d.imm
            && let Some((sw, k)) = c.slot_write()
        {
            let n = d.args.get(k).and_then(|&a| match f.values[a].def {
                ValueDef::Result(ci, 0) if f.insts[ci].op == Opcode::CInt => match f.insts[ci].imm {
                    Imm::Int(n) => u32::try_from(n).ok(),
                    _ => None,
                },
                _ => None,
            });
            match (sw, n) {
                (SlotWrite::Slot(_), Some(s)) => writes.push(s),
                (SlotWrite::None, _) => {}
                (_, None) => setup_errs.push((i, format!("{}: the slot operand must be a constant", d.op))),
            }
        }
        facts.push(InstFacts { args, results, slot, writes });
    }
    for (i, msg) in setup_errs {
        if let Some((b, _)) = f.blocks.iter().find(|(_, d)| d.insts.contains(&i)) {
            errs.push(VerifyError { block: b, inst: Some(i), msg });
        }
    }
    if !errs.is_empty() {
        return;
    }
    let order = f.rpo();
    let (epochs, npreds) = slot_epochs(f, &facts, &order);
    let joined = f.blocks.iter().map(|(b, d)| npreds[b.index()] > 1 || !d.params.is_empty()).collect();
    let mut c = Checker { f, origin, load_epoch: vec![0; f.values.len()], epochs, joined, errs: Vec::new(), block: entry };

    // Fixed point over entry states, blocks in reverse post-order; the findings of each
    // block's last visit are kept.
    let mut rank = vec![usize::MAX; f.blocks.len()];
    for (k, b) in order.iter().enumerate() {
        rank[b.index()] = k;
    }
    let mut entries: Vec<Option<In>> = vec![None; f.blocks.len()];
    entries[entry.index()] = Some(In::Direct(State {
        counts: VecMap::new(),
        epoch: vec![0; f.nlocalsplus as usize],
        links: Links(Vec::new()),
        transfers: VecMap::new(),
    }));
    let mut found: Vec<Vec<VerifyError>> = vec![Vec::new(); f.blocks.len()];
    let mut queued = vec![false; f.blocks.len()];
    let mut work: VecDeque<Block> = VecDeque::from([entry]);
    queued[entry.index()] = true;
    while let Some(b) = work.pop_front() {
        queued[b.index()] = false;
        let st = match &mut entries[b.index()] {
            Some(In::Joined(e)) => c.enter(b, e),
            Some(In::Direct(s)) => std::mem::replace(s, State { counts: VecMap::new(), epoch: Vec::new(), links: Links(Vec::new()), transfers: VecMap::new() }),
            None => continue,
        };
        c.errs.clear();
        for (t, s) in c.visit(&facts, b, st) {
            let changed = match (&mut entries[t.index()], s) {
                (slot @ None, s) | (slot @ Some(In::Direct(_)), s) => {
                    *slot = Some(s);
                    true
                }
                (Some(In::Joined(old)), In::Joined(new)) => {
                    c.compare(b, t, old, &new);
                    c.merge(old, &new)
                }
                (Some(In::Joined(_)), In::Direct(_)) => unreachable!("a joined block's edges are joined"),
            };
            if changed && !queued[t.index()] && rank[t.index()] != usize::MAX {
                queued[t.index()] = true;
                work.push_back(t);
            }
        }
        found[b.index()] = std::mem::take(&mut c.errs);
    }
    for mut e in found {
        errs.append(&mut e);
    }
}

/// Slot epochs at each reachable block's entry: 0 on entry to the function, `1 + inst` after
/// an instruction writes the slot, `1 + #insts + block` where predecessors disagree. Each
/// block's entry is recomputed from its incoming edges until nothing changes (after many
/// rounds a join epoch, once reached, is kept, which ends any oscillation).
fn slot_epochs(f: &Function, facts: &[InstFacts], order: &[Block]) -> (Vec<Option<Vec<u32>>>, Vec<usize>) {
    let nb = f.blocks.len();
    let ninsts = f.insts.len() as u32;
    // Each block's out-edges, in order, with their index among the target's in-edges.
    let mut npreds = vec![0usize; nb];
    let mut edges: Vec<Vec<(Block, usize)>> = vec![Vec::new(); nb];
    for &b in order {
        for t in f.successors(b) {
            edges[b.index()].push((t, npreds[t.index()]));
            npreds[t.index()] += 1;
        }
    }
    let mut entry: Vec<Option<Vec<u32>>> = vec![None; nb];
    let start = vec![0u32; f.nlocalsplus as usize];
    // Only joins need their epochs (other blocks take their predecessor's state as it is).
    let keep = |b: Block| npreds[b.index()] > 1 || !f.blocks[b].params.is_empty();
    if facts.iter().all(|x| x.writes.is_empty()) {
        for &b in order {
            if keep(b) {
                entry[b.index()] = Some(start.clone());
            }
        }
        return (entry, npreds);
    }
    let mut incoming: Vec<Vec<Option<Vec<u32>>>> = npreds.iter().map(|&n| vec![None; n]).collect();
    for round in 0.. {
        let mut changed = false;
        for &b in order {
            let e = if Some(b) == f.entry {
                start.clone()
            } else {
                let join = 1 + ninsts + b.index() as u32;
                let mut acc: Option<Vec<u32>> = None;
                for v in incoming[b.index()].iter().flatten() {
                    match &mut acc {
                        None => acc = Some(v.clone()),
                        Some(a) => {
                            for (x, y) in a.iter_mut().zip(v) {
                                if x != y {
                                    *x = join;
                                }
                            }
                        }
                    }
                }
                let Some(mut a) = acc else { continue };
                if round > 16
                    && keep(b)
                    && let Some(old) = &entry[b.index()]
                {
                    for (x, o) in a.iter_mut().zip(old) {
                        if *o == join {
                            *x = join;
                        }
                    }
                }
                a
            };
            if keep(b) {
                entry[b.index()] = Some(e.clone());
            }
            let mut cur = e;
            let mut out = edges[b.index()].iter();
            let mut send = |cur: &Vec<u32>, incoming: &mut Vec<Vec<Option<Vec<u32>>>>, changed: &mut bool| {
                let &(t, k) = out.next().expect("an edge per successor");
                let slot = &mut incoming[t.index()][k];
                if slot.as_ref() != Some(cur) {
                    *slot = Some(cur.clone());
                    *changed = true;
                }
            };
            for &i in &f.blocks[b].insts {
                if f.insts[i].err.is_some() {
                    send(&cur, &mut incoming, &mut changed);
                }
                for &s in &facts[i.index()].writes {
                    if let Some(x) = cur.get_mut(s as usize) {
                        *x = 1 + i.index() as u32;
                    }
                }
            }
            for _ in f.blocks[b].term.calls() {
                send(&cur, &mut incoming, &mut changed);
            }
        }
        if !changed {
            break;
        }
    }
    (entry, npreds)
}
