//! The SSA verifier: types and shapes against the operation table, block arguments against
//! parameters, error edges (present exactly when an operation can raise, to a block with no
//! parameters and no other predecessor), single definitions, and dominance: every use is
//! reached only through its definition. Dominance is computed on *segments* (a block cut after
//! each instruction with an error edge), since a raising instruction's results, and whatever
//! follows it, do not exist on its error path. A function without such findings is then
//! checked for reference ownership ([`super::ownership`]).
use std::collections::HashMap;
use std::fmt;

use super::entities::{Block, EntityRef, Inst, Value};
use super::function::{Function, Terminator, ValueDef};
use super::ops::{Effects, Type};

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// Where.
    pub block: Block,
    /// Which instruction, if one.
    pub inst: Option<Inst>,
    /// What.
    pub msg: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inst {
            Some(i) => write!(f, "{} {i}: {}", self.block, self.msg),
            None => write!(f, "{}: {}", self.block, self.msg),
        }
    }
}

/// Check `f`; every problem is reported.
pub fn verify(f: &Function) -> Result<(), Vec<VerifyError>> {
    let mut errs = Vec::new();
    let mut err = |block: Block, inst: Option<Inst>, msg: String| errs.push(VerifyError { block, inst, msg });
    let Some(entry) = f.entry else {
        return Err(vec![VerifyError { block: Block::new(0), inst: None, msg: "no entry block".into() }]);
    };
    let entry_tys: Vec<Type> = f.blocks[entry].params.iter().map(|v| f.ty(*v)).collect();
    if entry_tys != [Type::TState, Type::Frame] {
        err(entry, None, format!("entry parameters are {entry_tys:?}, not (tstate, frame)"));
    }

    // Definitions: each value once, where its ValueDef says.
    let mut defined: HashMap<Value, (Block, Option<usize>)> = HashMap::new();
    let mut error_preds: HashMap<Block, usize> = HashMap::new();
    let mut preds: HashMap<Block, usize> = HashMap::new();
    for (b, data) in f.blocks.iter() {
        for (i, &p) in data.params.iter().enumerate() {
            if f.values.get(p).map(|d| d.def) != Some(ValueDef::Param(b, i as u32)) {
                err(b, None, format!("parameter {p} does not record its definition"));
            }
            if defined.insert(p, (b, None)).is_some() {
                err(b, None, format!("{p} defined twice"));
            }
        }
        for (pos, &i) in data.insts.iter().enumerate() {
            let d = &f.insts[i];
            for (n, &r) in d.results.iter().enumerate() {
                if f.values.get(r).map(|x| x.def) != Some(ValueDef::Result(i, n as u32)) {
                    err(b, Some(i), format!("result {r} does not record its definition"));
                }
                if defined.insert(r, (b, Some(pos))).is_some() {
                    err(b, Some(i), format!("{r} defined twice"));
                }
            }
            if let Some(e) = d.err {
                *error_preds.entry(e).or_default() += 1;
                *preds.entry(e).or_default() += 1;
            }
        }
        for c in data.term.calls() {
            *preds.entry(c.block).or_default() += 1;
        }
    }

    // Shapes and types.
    for (b, data) in f.blocks.iter() {
        for &i in &data.insts {
            let d = &f.insts[i];
            if d.imm.kind() != d.op.info().imm {
                err(b, Some(i), format!("{}: immediate {:?}, expected kind {:?}", d.op, d.imm, d.op.info().imm));
            }
            match d.signature() {
                None => err(b, Some(i), format!("{}: call shape {:?} does not fit its helper", d.op, d.imm)),
                Some((args, results)) => {
                    let got: Vec<Type> = d.args.iter().map(|v| f.ty(*v)).collect();
                    if got != args {
                        err(b, Some(i), format!("{} operands {got:?}, expected {args:?}", d.op));
                    }
                    let got: Vec<Type> = d.results.iter().map(|v| f.ty(*v)).collect();
                    if got != results {
                        err(b, Some(i), format!("{} results {got:?}, expected {results:?}", d.op));
                    }
                }
            }
            match (d.effects().contains(Effects::RAISES), d.err) {
                (true, None) => err(b, Some(i), format!("{} can raise but has no error edge", d.op)),
                (false, Some(e)) => err(b, Some(i), format!("{} cannot raise but has error edge {e}", d.op)),
                (_, Some(e)) => {
                    if !f.blocks[e].params.is_empty() {
                        err(b, Some(i), format!("error edge to {e}, which has parameters"));
                    }
                    if preds.get(&e).copied().unwrap_or(0) != 1 {
                        err(b, Some(i), format!("error edge to {e}, which has other predecessors"));
                    }
                }
                (false, None) => {}
            }
        }
        match &data.term {
            Terminator::Open => err(b, None, "not terminated".into()),
            Terminator::Branch { cond, .. } if !f.ty(*cond).is_integer() => {
                err(b, None, format!("branch on {cond}: {}", f.ty(*cond)))
            }
            Terminator::BranchEq { a, b: bb, .. } if f.ty(*a) != Type::Obj || f.ty(*bb) != Type::Obj => {
                err(b, None, format!("identity test of {a}: {} and {bb}: {}", f.ty(*a), f.ty(*bb)))
            }
            Terminator::Return(v) if f.ty(*v) != Type::Obj => err(b, None, format!("return of {v}: {}", f.ty(*v))),
            _ => {}
        }
        for c in data.term.calls() {
            let want: Vec<Type> = f.blocks[c.block].params.iter().map(|v| f.ty(*v)).collect();
            let got: Vec<Type> = c.args.iter().map(|v| f.ty(*v)).collect();
            if want != got {
                err(b, None, format!("jump to {} with {got:?}, parameters {want:?}", c.block));
            }
            if Some(c.block) == f.entry {
                err(b, None, "jump to the entry block".into());
            }
        }
    }
    if let Some(n) = preds.get(&entry) {
        err(entry, None, format!("the entry has {n} predecessors"));
    }

    // Dominance, on segments.
    let segs = Segments::new(f);
    let idom = segs.dominators();
    let dominates = |a: usize, mut b: usize| -> bool {
        loop {
            if a == b {
                return true;
            }
            match idom[b] {
                Some(p) if p != b => b = p,
                _ => return false,
            }
        }
    };
    for (b, data) in f.blocks.iter() {
        if idom[segs.first[b.index()]].is_none() {
            continue; // unreachable
        }
        let mut check = |v: Value, use_seg: usize, use_pos: Option<usize>, inst: Option<Inst>| {
            let Some(&(db, dpos)) = defined.get(&v) else {
                err(b, inst, format!("{v} is used but never defined"));
                return;
            };
            let dseg = match dpos {
                None => segs.first[db.index()],
                Some(p) => segs.seg_of(db, p + 1),
            };
            let ok = if dseg == use_seg {
                match (dpos, use_pos) {
                    (None, _) => true,
                    (Some(d), Some(u)) => d < u,
                    (Some(_), None) => true,
                }
            } else {
                idom[dseg].is_some() && dominates(dseg, use_seg)
            };
            if !ok {
                err(b, inst, format!("{v} does not dominate this use"));
            }
        };
        for (pos, &i) in data.insts.iter().enumerate() {
            for &a in &f.insts[i].args {
                check(a, segs.seg_of(b, pos), Some(pos), Some(i));
            }
        }
        let last = segs.seg_of(b, data.insts.len());
        for v in data.term.operands() {
            check(v, last, None, None);
        }
        for c in data.term.calls() {
            for &v in &c.args {
                check(v, last, None, None);
            }
        }
    }
    if errs.is_empty() {
        // Ownership assumes a well-formed function.
        super::ownership::check(f, &mut errs);
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// Blocks cut after every instruction with an error edge.
struct Segments {
    /// First segment of each block.
    first: Vec<usize>,
    /// Per block: positions where a new segment starts (after each raising instruction).
    cuts: Vec<Vec<usize>>,
    /// Successor segments.
    succs: Vec<Vec<usize>>,
    entry: usize,
}

impl Segments {
    fn new(f: &Function) -> Self {
        let mut first = Vec::new();
        let mut cuts = Vec::new();
        let mut n = 0;
        for (_, data) in f.blocks.iter() {
            first.push(n);
            let c: Vec<usize> =
                data.insts.iter().enumerate().filter(|(_, i)| f.insts[**i].err.is_some()).map(|(p, _)| p + 1).collect();
            n += 1 + c.len();
            cuts.push(c);
        }
        let mut succs = vec![Vec::new(); n];
        for (b, data) in f.blocks.iter() {
            let mut seg = first[b.index()];
            for &i in &data.insts {
                if let Some(e) = f.insts[i].err {
                    succs[seg].push(first[e.index()]);
                    succs[seg].push(seg + 1);
                    seg += 1;
                }
            }
            for c in data.term.calls() {
                succs[seg].push(first[c.block.index()]);
            }
        }
        let entry = f.entry.map(|e| first[e.index()]).unwrap_or(0);
        Segments { first, cuts, succs, entry }
    }

    /// The segment holding position `pos` of block `b` (a definition by the instruction at
    /// `p` is at `p + 1`).
    fn seg_of(&self, b: Block, pos: usize) -> usize {
        self.first[b.index()] + self.cuts[b.index()].iter().filter(|&&c| c <= pos).count()
    }

    /// Immediate dominators (Cooper, Harvey, Kennedy); `None` for unreachable segments, the
    /// entry its own.
    fn dominators(&self) -> Vec<Option<usize>> {
        let n = self.succs.len();
        let mut order = Vec::new();
        let mut seen = vec![false; n];
        let mut stack = vec![(self.entry, 0usize)];
        seen[self.entry] = true;
        while let Some((s, i)) = stack.last_mut() {
            if let Some(&t) = self.succs[*s].get(*i) {
                *i += 1;
                if !seen[t] {
                    seen[t] = true;
                    stack.push((t, 0));
                }
            } else {
                order.push(*s);
                stack.pop();
            }
        }
        order.reverse();
        let mut rpo_index = vec![usize::MAX; n];
        for (k, &s) in order.iter().enumerate() {
            rpo_index[s] = k;
        }
        let mut preds = vec![Vec::new(); n];
        for &s in &order {
            for &t in &self.succs[s] {
                preds[t].push(s);
            }
        }
        let mut idom: Vec<Option<usize>> = vec![None; n];
        idom[self.entry] = Some(self.entry);
        let intersect = |idom: &Vec<Option<usize>>, mut a: usize, mut b: usize| {
            while a != b {
                while rpo_index[a] > rpo_index[b] {
                    a = idom[a].expect("processed");
                }
                while rpo_index[b] > rpo_index[a] {
                    b = idom[b].expect("processed");
                }
            }
            a
        };
        let mut changed = true;
        while changed {
            changed = false;
            for &s in order.iter().skip(1) {
                let mut new: Option<usize> = None;
                for &p in &preds[s] {
                    if idom[p].is_some() {
                        new = Some(match new {
                            None => p,
                            Some(x) => intersect(&idom, p, x),
                        });
                    }
                }
                if new.is_some() && idom[s] != new {
                    idom[s] = new;
                    changed = true;
                }
            }
        }
        idom
    }
}
