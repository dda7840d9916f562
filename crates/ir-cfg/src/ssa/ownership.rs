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
//! argument holds any; arguments in order) or lends it (the parameter then borrows from the
//! argument's owners). Every edge into a block must pass each parameter in the same state
//! (owned, or borrowed; a NULL argument fits either), and every other value must hold the
//! same number of references on every edge into the block: a value that does not reach the
//! block (does not dominate it) must hold none, or its reference leaks on that path. Owners
//! of borrows are intersected (a borrow alive on one path only is dead after the join).
//!
//! An error edge carries the state from *before* its instruction (the results do not exist
//! there; helpers borrow, so nothing was consumed). At `return` (after stealing the returned
//! reference) and `raise`, no value may still hold a reference.
//!
//! The analysis is a forward dataflow to a fixed point over block entry states (owner sets only
//! shrink, counts are fixed by the first edge seen), then one reporting pass over the blocks
//! with their final entry states.
use std::collections::{BTreeMap, VecDeque};

use super::entities::{Block, EntityRef, Inst, Value};
use super::function::{Function, Terminator, ValueDef};
use super::ops::{ArgRef, Imm, Opcode, ResultRef, Type};
use super::verify::VerifyError;
use crate::helpers::SlotWrite;

/// Where a value's first reference, or its first owner, comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// Not an object.
    Scalar,
    /// A new reference (or one taken from a slot).
    New,
    /// The code object or an immortal: always alive.
    Always,
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
    /// The value is NULL on every path seen (a parameter only passed NULL).
    Null,
}

/// An owner at a block's entry (a slot owner there means: in the slot's entry epoch).
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
    /// Only NULL so far: fits anything.
    Null,
    /// A reference moved in.
    Owned,
    /// Lent: alive while one of these is.
    Borrowed(Vec<Src>),
}

/// The state on one edge, and at one block's entry once edges are merged.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    counts: BTreeMap<Value, u32>,
    links: BTreeMap<Value, Vec<Src>>,
    transfers: BTreeMap<(u32, u32), Value>,
    params: Vec<Kind>,
}

/// The running state inside a block.
#[derive(Clone, Debug)]
struct State {
    counts: BTreeMap<Value, u32>,
    epoch: Vec<u32>,
    links: BTreeMap<Value, Vec<Link>>,
    /// A slot's reference in an epoch, taken into a value by `take_local`: the borrows of
    /// that epoch live on as long as that value.
    transfers: BTreeMap<(u32, u32), Value>,
}

impl State {
    fn count(&self, v: Value) -> u32 {
        self.counts.get(&v).copied().unwrap_or(0)
    }

    fn add(&mut self, v: Value, n: i64) {
        let c = (self.count(v) as i64 + n).max(0) as u32;
        if c == 0 {
            self.counts.remove(&v);
        } else {
            self.counts.insert(v, c);
        }
    }
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
    errs: Vec<VerifyError>,
    report: bool,
    block: Block,
}

const MAX_DEPTH: u32 = 16;

impl Checker<'_> {
    fn err(&mut self, inst: Option<Inst>, msg: String) {
        if self.report {
            self.errs.push(VerifyError { block: self.block, inst, msg });
        }
    }

    fn is_obj(&self, v: Value) -> bool {
        self.f.values.get(v).is_some_and(|d| d.ty == Type::Obj)
    }

    fn is_null(&self, st: &State, v: Value) -> bool {
        self.origin[v.index()] == Origin::Null
            || st.links.get(&v).is_some_and(|l| l.contains(&Link::Null)) && st.count(v) == 0
    }

    fn epoch_alive(&self, st: &State, slot: u32, e: u32, depth: u32) -> bool {
        st.epoch.get(slot as usize) == Some(&e)
            || st.transfers.get(&(slot, e)).is_some_and(|w| self.alive(st, *w, depth + 1))
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
            Origin::Scalar | Origin::Always | Origin::Null => true,
            Origin::Slot(i) => self.epoch_alive(st, i, self.load_epoch[v.index()], depth),
            Origin::New | Origin::Param => false,
        };
        by_origin
            || st.links.get(&v).is_some_and(|ls| {
                ls.iter().any(|l| match *l {
                    Link::Slot(i, e) => self.epoch_alive(st, i, e, depth),
                    Link::Value(w) => self.alive(st, w, depth + 1),
                    Link::Always | Link::Null => true,
                })
            })
    }

    /// Owners keeping `v` alive at the end of an edge on which `moved` references were passed
    /// to parameters, as seen from the target block: through its origin (`with_origin`) and
    /// its links.
    fn srcs(&self, st: &State, v: Value, moved: &[(Value, Value)], with_origin: bool, depth: u32) -> Vec<Src> {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            return out;
        }
        // Another value's owners, or the value itself while it holds a reference.
        let via = |w: Value, out: &mut Vec<Src>| {
            if let Some(&(_, p)) = moved.iter().find(|(a, _)| *a == w) {
                out.push(Src::Value(p));
            }
            if st.count(w) > 0 {
                out.push(Src::Value(w));
            } else {
                out.extend(self.srcs(st, w, moved, true, depth + 1));
            }
        };
        let slot = |i: u32, e: u32, out: &mut Vec<Src>| {
            if st.epoch.get(i as usize) == Some(&e) {
                out.push(Src::Slot(i));
            } else if let Some(&w) = st.transfers.get(&(i, e)) {
                via(w, out);
            }
        };
        if with_origin {
            if let Some(&(_, p)) = moved.iter().find(|(a, _)| *a == v) {
                out.push(Src::Value(p));
            }
            match self.origin[v.index()] {
                Origin::Always => out.push(Src::Always),
                Origin::Slot(i) => slot(i, self.load_epoch[v.index()], &mut out),
                Origin::Scalar | Origin::Null | Origin::New | Origin::Param => {}
            }
        }
        for l in st.links.get(&v).into_iter().flatten() {
            match *l {
                Link::Slot(i, e) => slot(i, e, &mut out),
                Link::Value(w) => via(w, &mut out),
                Link::Always => out.push(Src::Always),
                Link::Null => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn dead_msg(&self, st: &State, v: Value, what: &str) -> String {
        let why = match self.origin[v.index()] {
            Origin::Slot(i) => format!("a borrow of local[{i}], which has been written since"),
            _ if st.links.get(&v).is_some_and(|l| !l.is_empty()) => "a borrow whose owners are gone".to_string(),
            Origin::Param => "a parameter holding no reference, borrowed from nothing alive".to_string(),
            _ => "its last reference was released".to_string(),
        };
        format!("{what} {v}, which is dead ({why})")
    }

    /// A read of `v`.
    fn use_value(&mut self, st: &State, v: Value, inst: Option<Inst>, what: &str) {
        if self.report && self.is_obj(v) && !self.alive(st, v, 0) {
            let m = self.dead_msg(st, v, what);
            self.err(inst, m);
        }
    }

    /// Apply one instruction. Returns the state for its error edge.
    fn step(&mut self, facts: &InstFacts, st: &mut State, i: Inst) -> Option<(Block, State)> {
        let f = self.f;
        let d = &f.insts[i];
        let slot = facts.slot;
        let before = d.err.map(|e| (e, st.clone()));
        for (k, &a) in d.args.iter().enumerate() {
            if !self.is_obj(a) {
                continue;
            }
            let r = facts.args.get(k).copied().unwrap_or(ArgRef::Borrow);
            match r {
                ArgRef::Borrow => self.use_value(st, a, Some(i), "use of"),
                ArgRef::Incref => {
                    self.use_value(st, a, Some(i), "incref of");
                    if !self.is_null(st, a) {
                        st.add(a, 1);
                    }
                }
                ArgRef::Release | ArgRef::StoreSlot => {
                    let what = if r == ArgRef::Release { "release" } else { "store_local" };
                    if !self.is_null(st, a) {
                        if st.count(a) == 0 {
                            let m = if self.alive(st, a, 0) {
                                format!("{what} of {a}, which holds no reference (a borrow)")
                            } else {
                                format!("{what} of {a}, which holds no reference (released twice, or dead)")
                            };
                            self.err(Some(i), m);
                        }
                        st.add(a, -1);
                    }
                    if r == ArgRef::StoreSlot
                        && let Some(s) = slot
                    {
                        // The slot now holds the reference: it owns the value.
                        st.links.entry(a).or_default().push(Link::Slot(s, 1 + i.index() as u32));
                    }
                }
            }
        }
        {
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
        }
        for &k in &facts.writes {
            if let Some(e) = st.epoch.get_mut(k as usize) {
                *e = 1 + i.index() as u32;
            }
        }
        before
    }

    /// The state `st` seen from `target` over an edge passing `args`: references moved to
    /// parameters, owners as seen from the target.
    fn edge(&self, st: &State, target: Block, args: &[Value]) -> Entry {
        let mut st = st.clone();
        let params = &self.f.blocks[target].params;
        let mut moved: Vec<(Value, Value)> = Vec::new();
        let mut kinds = Vec::with_capacity(args.len());
        for (&a, &p) in args.iter().zip(params) {
            let k = if !self.is_obj(a) {
                Kind::Scalar
            } else if self.is_null(&st, a) {
                Kind::Null
            } else if st.count(a) > 0 {
                st.add(a, -1);
                moved.push((a, p));
                Kind::Owned
            } else {
                Kind::Borrowed(self.srcs(&st, a, &moved, true, 0))
            };
            kinds.push(k);
        }
        let mut links = BTreeMap::new();
        for &v in st.links.keys() {
            if matches!(self.f.values[v].def, ValueDef::Param(b, _) if b == target) {
                continue; // redefined on entry
            }
            let s = self.srcs(&st, v, &moved, false, 0);
            if !s.is_empty() {
                links.insert(v, s);
            }
        }
        Entry { counts: st.counts, links, transfers: st.transfers, params: kinds }
    }

    /// The running state at `b`'s entry.
    fn enter(&self, b: Block, e: &Entry) -> State {
        let epoch = self.epochs[b.index()].clone().unwrap_or_else(|| vec![0; self.f.nlocalsplus as usize]);
        let mat = |s: &Src| match *s {
            Src::Slot(i) => Link::Slot(i, epoch.get(i as usize).copied().unwrap_or(0)),
            Src::Value(w) => Link::Value(w),
            Src::Always => Link::Always,
        };
        let mut links: BTreeMap<Value, Vec<Link>> = e.links.iter().map(|(v, s)| (*v, s.iter().map(mat).collect())).collect();
        let mut counts = e.counts.clone();
        for (&p, k) in self.f.blocks[b].params.iter().zip(&e.params) {
            match k {
                Kind::Scalar => {}
                Kind::Null => {
                    links.insert(p, vec![Link::Null]);
                }
                Kind::Owned => {
                    counts.insert(p, 1);
                }
                Kind::Borrowed(s) => {
                    links.insert(p, s.iter().map(mat).collect());
                }
            }
        }
        State { counts, epoch, links, transfers: e.transfers.clone() }
    }

    /// Merge edge state `new` into the entry `old` of `b`; whether it changed.
    fn merge(&self, old: &mut Entry, new: &Entry) -> bool {
        let mut changed = false;
        old.links.retain(|v, s| {
            let keep: Vec<Src> = match new.links.get(v) {
                Some(t) => s.iter().filter(|x| t.contains(x)).copied().collect(),
                None => Vec::new(),
            };
            if keep.len() != s.len() {
                changed = true;
                *s = keep;
            }
            !s.is_empty()
        });
        let before = old.transfers.len();
        old.transfers.retain(|k, w| new.transfers.get(k) == Some(w));
        changed |= old.transfers.len() != before;
        for (x, y) in old.params.iter_mut().zip(&new.params) {
            match (&*x, y) {
                (Kind::Null, Kind::Null) | (_, Kind::Null) | (Kind::Scalar, _) | (Kind::Owned, Kind::Owned) => {}
                (Kind::Null, y) => {
                    *x = y.clone();
                    changed = true;
                }
                (Kind::Borrowed(s), Kind::Borrowed(t)) => {
                    let keep: Vec<Src> = s.iter().filter(|a| t.contains(a)).copied().collect();
                    if keep.len() != s.len() {
                        *x = Kind::Borrowed(keep);
                        changed = true;
                    }
                }
                // Owned on one edge, borrowed on another: reported by the final pass.
                (Kind::Owned, _) | (Kind::Borrowed(_), _) => {}
            }
        }
        changed
    }

    /// Report how edge state `new` from `from` disagrees with the entry `old` of `to`.
    fn compare(&mut self, from: Block, to: Block, old: &Entry, new: &Entry) {
        let mut vs: Vec<Value> = old.counts.keys().chain(new.counts.keys()).copied().collect();
        vs.sort();
        vs.dedup();
        for v in vs {
            let (x, y) = (old.counts.get(&v).copied().unwrap_or(0), new.counts.get(&v).copied().unwrap_or(0));
            if x != y {
                let kind = if matches!(self.f.values[v].def, ValueDef::Param(b, _) if b == to)
                    || matches!(self.f.values[v].def, ValueDef::Result(i, _) if self.def_block(i) == Some(to))
                {
                    " (it is redefined there: a leak)"
                } else {
                    ""
                };
                self.err(
                    None,
                    format!(
                        "{v} holds {y} reference(s) on the edge from {from} to {to} but {x} on another edge into {to}: a leak on one path, or a release of a reference not held{kind}"
                    ),
                );
            }
        }
        let params = self.f.blocks[to].params.clone();
        for ((x, y), p) in old.params.iter().zip(&new.params).zip(params) {
            let owned = |k: &Kind| matches!(k, Kind::Owned);
            let borrowed = |k: &Kind| matches!(k, Kind::Borrowed(_));
            if owned(x) && borrowed(y) || borrowed(x) && owned(y) {
                let (a, b) = if owned(y) { ("an owned", "a borrowed") } else { ("a borrowed", "an owned") };
                self.err(None, format!("{p} of {to} is passed {a} reference from {from} but {b} one on another edge"));
            }
        }
    }

    fn def_block(&self, i: Inst) -> Option<Block> {
        self.f.blocks.iter().find(|(_, d)| d.insts.contains(&i)).map(|(b, _)| b)
    }

    /// Visit block `b` from its entry state; returns its out-edges' states.
    fn visit(&mut self, facts: &[InstFacts], b: Block, entry: &Entry) -> Vec<(Block, Entry)> {
        self.block = b;
        let mut st = self.enter(b, entry);
        let f = self.f;
        let data = &f.blocks[b];
        let mut outs = Vec::new();
        for &i in &data.insts {
            if let Some((e, s)) = self.step(&facts[i.index()], &mut st, i) {
                outs.push((e, self.edge(&s, e, &[])));
            }
        }
        match &data.term {
            Terminator::Open => {}
            Terminator::Jump(c) => outs.push((c.block, self.edge(&st, c.block, &c.args))),
            Terminator::Branch { then, otherwise, .. } => {
                outs.push((then.block, self.edge(&st, then.block, &then.args)));
                outs.push((otherwise.block, self.edge(&st, otherwise.block, &otherwise.args)));
            }
            Terminator::BranchEq { a, b: bb, then, otherwise } => {
                self.use_value(&st, *a, None, "identity test of");
                self.use_value(&st, *bb, None, "identity test of");
                outs.push((then.block, self.edge(&st, then.block, &then.args)));
                outs.push((otherwise.block, self.edge(&st, otherwise.block, &otherwise.args)));
            }
            Terminator::Return(v) => {
                let v = *v;
                if self.is_obj(v) && !self.is_null(&st, v) {
                    if st.count(v) == 0 {
                        let m = if self.alive(&st, v, 0) {
                            format!("return of {v}, which holds no reference (a borrow)")
                        } else {
                            self.dead_msg(&st, v, "return of")
                        };
                        self.err(None, m);
                    }
                    st.add(v, -1);
                }
                self.leaks(&st, "return");
            }
            Terminator::Raise => self.leaks(&st, "raise"),
        }
        outs
    }

    fn leaks(&mut self, st: &State, at: &str) {
        if !self.report {
            return;
        }
        let owned: Vec<(Value, u32)> = st.counts.iter().map(|(v, c)| (*v, *c)).collect();
        for (v, c) in owned {
            self.err(None, format!("{v} still holds {c} reference(s) at {at} (leak)"));
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
                ResultRef::Code | ResultRef::Immortal => Origin::Always,
                ResultRef::Null => Origin::Null,
                ResultRef::Slot => Origin::Slot(slot.unwrap_or(u32::MAX)),
            };
        }
        let mut kills = Vec::new();
        if let Some(s) = slot
            && (args.contains(&ArgRef::StoreSlot) || results.contains(&ResultRef::TakeSlot))
        {
            kills.push(s);
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
                (SlotWrite::Slot(_), Some(s)) => kills.push(s),
                (SlotWrite::Last(_), Some(n)) => kills.extend(f.nlocalsplus.saturating_sub(n)..f.nlocalsplus),
                (SlotWrite::None, _) => {}
                (_, None) => setup_errs.push((i, format!("{}: the slot operand must be a constant", d.op))),
            }
        }
        facts.push(InstFacts { args, results, slot, writes: kills });
    }
    let order = f.rpo();
    let epochs = slot_epochs(f, &facts, &order);
    let mut c = Checker {
        f,
        origin,
        load_epoch: vec![0; f.values.len()],
        epochs,
        errs: Vec::new(),
        report: false,
        block: entry,
    };
    for (i, msg) in setup_errs {
        if let Some((b, _)) = f.blocks.iter().find(|(_, d)| d.insts.contains(&i)) {
            errs.push(VerifyError { block: b, inst: Some(i), msg });
        }
    }

    // Fixed point over entry states, blocks in reverse post-order.
    let mut rank = vec![usize::MAX; f.blocks.len()];
    for (k, b) in order.iter().enumerate() {
        rank[b.index()] = k;
    }
    let mut entries: Vec<Option<Entry>> = vec![None; f.blocks.len()];
    entries[entry.index()] = Some(Entry {
        counts: BTreeMap::new(),
        links: BTreeMap::new(),
        transfers: BTreeMap::new(),
        params: vec![Kind::Scalar; f.blocks[entry].params.len()],
    });
    let mut queued = vec![false; f.blocks.len()];
    let mut work: VecDeque<Block> = VecDeque::from([entry]);
    queued[entry.index()] = true;
    while let Some(b) = work.pop_front() {
        queued[b.index()] = false;
        let e = entries[b.index()].clone().expect("queued blocks have a state");
        for (t, s) in c.visit(&facts, b, &e) {
            let changed = match &mut entries[t.index()] {
                slot @ None => {
                    *slot = Some(s);
                    true
                }
                Some(old) => c.merge(old, &s),
            };
            if changed && !queued[t.index()] && rank[t.index()] != usize::MAX {
                queued[t.index()] = true;
                work.push_back(t);
            }
        }
    }

    // Report, from the final entry states.
    c.report = true;
    for &b in &order {
        let Some(e) = entries[b.index()].clone() else { continue };
        for (t, s) in c.visit(&facts, b, &e) {
            if let Some(old) = &entries[t.index()] {
                c.block = t;
                c.compare(b, t, old, &s);
            }
        }
    }
    errs.append(&mut c.errs);
}

/// Slot epochs at each reachable block's entry: 0 on entry to the function, `1 + inst` after
/// an instruction writes the slot, `1 + #insts + block` where predecessors disagree. Each
/// block's entry is recomputed from its incoming edges until nothing changes (after many
/// rounds a join epoch, once reached, is kept, which ends any oscillation).
fn slot_epochs(f: &Function, facts: &[InstFacts], order: &[Block]) -> Vec<Option<Vec<u32>>> {
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
    let mut incoming: Vec<Vec<Option<Vec<u32>>>> = npreds.iter().map(|&n| vec![None; n]).collect();
    let mut entry: Vec<Option<Vec<u32>>> = vec![None; nb];
    let start = vec![0u32; f.nlocalsplus as usize];
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
            let mut cur = e.clone();
            entry[b.index()] = Some(e);
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
    entry
}
