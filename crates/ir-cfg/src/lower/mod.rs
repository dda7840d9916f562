//! Lowering a [`BytecodeCfg`] into the IR.
//!
//! The value stack is modelled at compile time: slot `d` is variable `v{d}`, and for each slot
//! lowering knows whether it holds an owned reference, a borrowed one (`LOAD_FAST_BORROW`,
//! constants) or a tagged int (`lasti`). Blocks with several predecessors (and handlers) start
//! in a canonical state in which every object slot is owned; edges from a state with borrowed
//! slots get an edge block that takes the missing references.
//!
//! Every fallible instruction gets its own error block, made from the exception table with the
//! stack as it is *before* the instruction (helpers borrow their arguments): add the traceback
//! entry, release the slots above the handler's depth, then go to the handler's landing block
//! (push lasti if asked, push the exception) or leave the frame. The opcode families live in
//! the submodules; [`Lowerer::lower_instr`] is the one dispatch over opcodes.
use std::collections::HashMap;

use bytecode_cfg::{opcodes, BlockIdx, BytecodeCfg, EdgeKind, Instr, Opcode};
use thiserror::Error;

use crate::builder::FunctionBuilder;
use crate::helpers::{ErrConv, Helper, Ty};
use crate::ir::{BlockId, Function, Inst, Operand, Term, Var};
use crate::ssa::{FrameState, GuardKind, Imm, Opcode as SsaOp, StackSlot};
pub use inline::{cold_blocks, may_inline, Callee, MAX_INLINE_INSTRS};

mod build;
mod calls;
mod control;
mod exceptions;
mod generators;
mod inline;
mod int_chain;
mod locals;
mod ops;

/// Facts about the code object beyond its bytecode.
#[derive(Clone, Debug, Default)]
pub struct CodeInfo {
    /// Qualified name, for dumps.
    pub name: String,
    /// `co_flags`.
    pub flags: u32,
    /// `localsplus` slots.
    pub nlocalsplus: u32,
    /// `len(co_consts)`.
    pub nconsts: u32,
    /// `len(co_names)`.
    pub nnames: u32,
    /// Number of free variables (the last slots of `localsplus`).
    pub nfree: u32,
    /// Code units of instructions whose speculation failed too often in earlier compiled code:
    /// they are lowered without guards.
    pub no_speculate: Vec<u32>,
    /// Never speculate (no guards at all: every operation through its runtime helper).
    pub no_speculation: bool,
    /// Per `co_consts` entry, what it is known to be (an exact float, a compact int); empty
    /// if the compiler was not told.
    pub const_kinds: Vec<Option<GuardKind>>,
    /// Functions the calls may run inline (see `inline.rs`), by the code units of the
    /// instructions whose feedback named them (CALLs, or loads of the callable).
    pub callees: Vec<Callee>,
    /// Loads of callables found to push a `math` function a call computes inline (see
    /// `calls.rs`): (the load's code unit, the function, the `co_consts`-relocated index
    /// (`Operand::Const`) of the function object, for the test that the callable is it).
    pub math_calls: Vec<(u32, runtime_abi::abi::MathFn, u32)>,
}

/// Why a code object was not lowered. Offsets are byte offsets.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum LowerError {
    /// An opcode native code does not implement yet.
    #[error("unsupported opcode {name} at byte offset {offset}")]
    Unsupported {
        /// Opcode name.
        name: &'static str,
        /// Where.
        offset: u32,
    },
    /// A kind of code object native code does not run (generators, module bodies, ...).
    #[error("unsupported code object: {0}")]
    UnsupportedCode(&'static str),
    /// An oparg that indexes outside its table.
    #[error("oparg {oparg} of {name} at byte offset {offset} is out of range")]
    BadOparg {
        /// Opcode name.
        name: &'static str,
        /// Oparg.
        oparg: u32,
        /// Where.
        offset: u32,
    },
    /// A stack slot holding an exception handler's tagged `lasti` used as an object (only
    /// `RERAISE` may read it; the interpreter would dereference a tagged int).
    #[error("stack slot {slot} holds a tagged lasti, not an object, at byte offset {offset}")]
    LastiAsObject {
        /// Slot.
        slot: u32,
        /// Where.
        offset: u32,
    },
    /// Lowering's model of the stack disagrees with itself or with the CFG: a bug in lowering
    /// or in the CFG's stack effects, refused rather than compiled.
    #[error("inconsistent stack at byte offset {offset}: {what}")]
    InconsistentStack {
        /// Where (the instruction, or the block or handler entered).
        offset: u32,
        /// What disagrees.
        what: StackMismatch,
    },
}

/// How lowering's stack model is inconsistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackMismatch {
    /// Paths into a block disagree about what a stack slot holds.
    SlotKind {
        /// Slot.
        slot: u32,
    },
    /// Lowering models a different depth than the CFG computed.
    Depth {
        /// Lowering's depth.
        lowered: u32,
        /// The CFG's depth.
        cfg: u32,
    },
}

impl std::fmt::Display for StackMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StackMismatch::SlotKind { slot } => write!(f, "stack slot {slot} holds different kinds of value on paths into it"),
            StackMismatch::Depth { lowered, cfg } => write!(f, "lowering models depth {lowered}, the CFG computed {cfg}"),
        }
    }
}

/// What a stack slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An owned reference (`nonnull: false` when it may be NULL).
    Owned {
        /// Known non-NULL.
        nonnull: bool,
    },
    /// A borrowed reference.
    Borrowed,
    /// A tagged int (`lasti`).
    TagInt,
}

const OWNED: Kind = Kind::Owned { nonnull: true };
const MAYBE_NULL: Kind = Kind::Owned { nonnull: false };

type Result<T> = std::result::Result<T, LowerError>;

/// Lower `cfg` into a verified-shape IR function.
pub fn lower(cfg: &BytecodeCfg, info: &CodeInfo) -> Result<Function> {
    if info.flags & bytecode_cfg::co_flags::OPTIMIZED == 0 {
        return Err(LowerError::UnsupportedCode("module or class body"));
    }
    if cfg.max_depth > MAX_NATIVE_STACK {
        return Err(LowerError::UnsupportedCode("value stack deeper than MAX_NATIVE_STACK"));
    }
    let mut l = Lowerer {
        cfg,
        info,
        fb: FunctionBuilder::new(&info.name, cfg.max_depth, info.nlocalsplus),
        stack: Vec::new(),
        blocks: HashMap::new(),
        entry: HashMap::new(),
        landings: HashMap::new(),
        lastis: HashMap::new(),
        raise_block: BlockId(0),
        ins: None,
        prev: None,
        cur_block: BlockIdx::new(0),
        quiet_after_call: true,
        callable_loads: Vec::new(),
    };
    let generator = l.is_generator();
    let entry = l.fb.new_block("entry");
    l.raise_block = l.fb.new_block("raise");
    l.fb.terminate_at(l.raise_block, Term::Raise);
    let first = BlockIdx::new(0);
    l.entry.insert(first, Vec::new());
    let b0 = l.block_for(first);
    if !generator {
        l.fb.terminate_at(entry, Term::Jump(b0));
    }
    // Blocks are lowered once their entry state is known. Reverse postorder gives it before
    // the block for every edge but a back edge; a block whose only forward way in is an
    // exception edge never realised (no fallible instruction under the handler) can get its
    // state later through a back edge, so passes repeat until none lowers a new block.
    let order = cfg.reverse_postorder();
    let mut lowered = vec![false; cfg.graph.node_count()];
    loop {
        let mut progress = false;
        for &b in &order {
            if lowered[b.index()] {
                continue;
            }
            let Some(state) = l.entry.get(&b).cloned() else { continue };
            lowered[b.index()] = true;
            progress = true;
            l.lower_block(b, state)?;
        }
        if !progress {
            break;
        }
    }
    if generator {
        l.resume_dispatch(entry)?;
    }
    Ok(l.fb.finish())
}

/// Deepest value stack lowered natively. A policy, not a CPython fact: each slot becomes a C
/// local, and a code object may declare (and a few instructions reach) millions of slots, which
/// would exhaust memory here or in GCC; CPython's compiler keeps stacks far below this.
pub const MAX_NATIVE_STACK: u32 = 1 << 12;

/// Lowering state.
pub(crate) struct Lowerer<'a> {
    cfg: &'a BytecodeCfg,
    info: &'a CodeInfo,
    fb: FunctionBuilder,
    /// What each stack slot holds at the current point.
    stack: Vec<Kind>,
    blocks: HashMap<BlockIdx, BlockId>,
    entry: HashMap<BlockIdx, Vec<Kind>>,
    landings: HashMap<BlockIdx, BlockId>,
    /// The variable holding the handler's tagged `lasti` at each stack depth where one has
    /// been (a word, never a reference: the stack slot's object variable is not used there).
    lastis: HashMap<usize, Var>,
    raise_block: BlockId,
    ins: Option<&'a Instr>,
    /// The instruction before `ins` in its block, if any (what pushed the top of the stack:
    /// a power's constant exponent).
    prev: Option<&'a Instr>,
    cur_block: BlockIdx,
    /// Whether the instruction after a call needs `guard_quiet` (not when the call ran its
    /// callee's body inline, whose way through the ordinary call has its own).
    quiet_after_call: bool,
    /// The loads of callables (LOAD_ATTR with the method bit, LOAD_GLOBAL with the NULL bit)
    /// whose callable is still on the stack in this block: (its depth, the load's code unit); a
    /// CALL looks up its callee by them.
    callable_loads: Vec<(usize, u32)>,
}

impl<'a> Lowerer<'a> {
    fn lower_block(&mut self, b: BlockIdx, state: Vec<Kind>) -> Result<()> {
        let cfg = self.cfg;
        self.stack = state;
        let irb = self.block_for(b);
        self.fb.switch_to(irb);
        self.cur_block = b;
        self.callable_loads.clear();
        let bb = &cfg.graph[b];
        let mut i = bb.first;
        while i < bb.end {
            let ins = &cfg.instrs[i];
            self.ins = Some(ins);
            self.prev = (i > bb.first).then(|| &cfg.instrs[i - 1]);
            // The modelled stack must be the one the CFG computed, at every instruction.
            self.check_depth(ins.byte_offset(), ins.depth)?;
            if self.quiet_after_call && self.prev.is_some_and(|p| matches!(p.opcode, Opcode::Call | Opcode::CallKw | Opcode::CallFunctionEx)) {
                self.guard_quiet();
            }
            if i == bb.first && self.after_send(b) {
                // SEND ran the delegate's code (an awaited coroutine's body, as a call runs
                // a callee's): it may have switched tracing on (pdb's `set_trace_async`).
                self.guard_quiet();
            }
            self.quiet_after_call = true;
            let run = if self.info.no_speculation {
                None
            } else {
                int_chain::scan(&cfg.instrs[i..bb.end], self.stack.len(), &self.info.const_kinds)
                    .filter(|c| self.chain_operands_are_objects(c))
            };
            let slice_subscr = cfg.instrs[i..bb.end].get(1).filter(|next| {
                ins.opcode == Opcode::BuildSlice
                    && ins.oparg == 3
                    && next.opcode == Opcode::BinaryOp
                    && next.oparg == bytecode_cfg::opargs::NB_SUBSCR
            });
            match (run, slice_subscr) {
                (Some(c), _) => {
                    let n = c.len;
                    self.lower_chain(&cfg.instrs[i..i + n], c)?;
                    i += n;
                }
                (None, Some(subscr)) => {
                    self.lower_slice_subscript(subscr)?;
                    i += 2;
                }
                (None, None) => {
                    self.lower_instr(ins)?;
                    i += 1;
                }
            }
            if !self.fb.is_open() {
                break;
            }
        }
        if self.fb.is_open() {
            let next = cfg.successor(b, bytecode_cfg::EdgeKind::Fallthrough).expect("the CFG checked fall-through");
            let t = self.edge_to(next)?;
            self.fb.terminate(Term::Jump(t));
        }
        Ok(())
    }

    fn ins(&self) -> &'a Instr {
        self.ins.expect("lowering an instruction")
    }

    /// `InconsistentStack` unless the modelled depth is `cfg_depth`.
    fn check_depth(&self, offset: u32, cfg_depth: u32) -> Result<()> {
        if self.stack.len() == cfg_depth as usize {
            return Ok(());
        }
        let what = StackMismatch::Depth { lowered: self.stack.len() as u32, cfg: cfg_depth };
        Err(LowerError::InconsistentStack { offset, what })
    }

    fn offset(&self) -> u32 {
        self.ins().byte_offset()
    }

    pub(crate) fn unsupported(&self) -> LowerError {
        LowerError::Unsupported { name: opcodes::name(self.ins().opcode), offset: self.offset() }
    }

    pub(crate) fn bad_oparg(&self) -> LowerError {
        let ins = self.ins();
        LowerError::BadOparg { name: opcodes::name(ins.opcode), oparg: ins.oparg, offset: ins.byte_offset() }
    }

    /// Check an index into a table of `len` entries.
    pub(crate) fn check_index(&self, index: u32, len: u32) -> Result<u32> {
        if index < len { Ok(index) } else { Err(self.bad_oparg()) }
    }

    /// The inline-cache field `field` of `ins` as an operand (relocated: see `Operand::Cache`).
    pub(crate) fn cache_operand(ins: &Instr, field: runtime_abi::caches::CacheField, width: crate::ir::CacheWidth) -> Operand {
        debug_assert_eq!(field.units, width.units());
        Operand::Cache(ins.offset + field.unit, width)
    }

    /// The variable of stack slot `d`.
    pub(crate) fn slot(d: usize) -> Var {
        Var(d as u32)
    }

    /// The variable of the tagged `lasti` at stack depth `d` (made on first use).
    pub(crate) fn lasti_var(&mut self, d: usize) -> Var {
        if let Some(v) = self.lastis.get(&d) {
            return *v;
        }
        let v = self.fb.new_var(Ty::Word);
        self.lastis.insert(d, v);
        v
    }

    /// The variable holding stack slot `d` when it holds `kind`.
    pub(crate) fn var_of(&mut self, d: usize, kind: Kind) -> Var {
        if kind == Kind::TagInt { self.lasti_var(d) } else { Self::slot(d) }
    }

    /// The variable `n` below the top (`peek(0)` is the top).
    pub(crate) fn peek(&self, n: usize) -> Var {
        Self::slot(self.stack.len() - 1 - n)
    }

    pub(crate) fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Push a slot holding `kind`; returns its variable (to be defined by the caller).
    pub(crate) fn push(&mut self, kind: Kind) -> Var {
        self.stack.push(kind);
        Self::slot(self.stack.len() - 1)
    }

    /// Pop the top slot and release what it holds.
    pub(crate) fn pop_release(&mut self) {
        let k = self.stack.pop().expect("the CFG checked depths");
        let v = Self::slot(self.stack.len());
        self.release(v, k);
    }

    /// Pop `n` slots, releasing each (bottom first, as `DECREF_INPUTS`).
    pub(crate) fn pop_release_n(&mut self, n: usize) {
        let base = self.stack.len() - n;
        for d in base..self.stack.len() {
            let k = self.stack[d];
            self.release(Self::slot(d), k);
        }
        self.stack.truncate(base);
    }

    /// Pop the top slot without releasing it (its ownership moves elsewhere).
    pub(crate) fn pop_keep(&mut self) -> (Var, Kind) {
        let k = self.stack.pop().expect("the CFG checked depths");
        (Self::slot(self.stack.len()), k)
    }

    pub(crate) fn release(&mut self, v: Var, k: Kind) {
        match k {
            Kind::Owned { nonnull: true } => self.fb.push(Inst::Decref(v)),
            Kind::Owned { nonnull: false } => self.fb.push(Inst::XDecref(v)),
            Kind::Borrowed | Kind::TagInt => {}
        }
    }

    /// Make slot `d` hold an owned reference (for values that outlive a borrow).
    pub(crate) fn make_owned(&mut self, d: usize) {
        if self.stack[d] == Kind::Borrowed {
            self.fb.push(Inst::Incref(Self::slot(d)));
            self.stack[d] = OWNED;
        }
    }

    /// Before a local slot is overwritten or cleared: no borrowed value on the stack may
    /// outlive it. CPython's compiler emits LOAD_FAST_BORROW only where the slot survives the
    /// borrow, so for its code this finds borrows of *other* slots and constants at most
    /// (an incref each, rare); for a hand-made code object that breaks the rule it keeps the
    /// value alive where the interpreter would read freed memory.
    pub(crate) fn own_borrows_before_local_write(&mut self) {
        for d in 0..self.stack.len() {
            self.make_owned(d);
        }
    }

    pub(crate) fn new_obj(&mut self) -> Var {
        self.fb.new_var(Ty::Obj)
    }

    /// Call a helper; a fallible one gets an error block for the current instruction, built
    /// from the current stack (so call it before popping the inputs).
    pub(crate) fn call(&mut self, helper: Helper, args: Vec<Operand>, dst: Option<Var>) -> Result<()> {
        // A tagged lasti is not an object: only RERAISE hands one to a helper. Hostile code can
        // route one anywhere (CHECK_EXC_MATCH, STORE_FAST, a tuple, ...), which is refused here,
        // in the one place every helper call passes.
        if helper != Helper::RestoreLasti {
            for a in &args {
                let (first, n) = match *a {
                    Operand::Var(v) => (v.0 as usize, 1),
                    Operand::Array(base, n) => (base.0 as usize, n as usize),
                    _ => continue,
                };
                self.check_objects(first, n)?;
            }
        }
        let err = match helper.err() {
            ErrConv::Never => None,
            ErrConv::Null | ErrConv::Negative | ErrConv::Always => Some(self.error_block(true)?),
        };
        self.fb.push(Inst::Call { helper, args, dst, err });
        if helper.err() == ErrConv::Always {
            // Nothing follows a raising helper: the block ends in its error edge.
            self.fb.terminate(Term::Jump(err.expect("made above")));
        }
        Ok(())
    }

    /// Refuse if any of the variables `first..first + n` is a stack slot holding a tagged int.
    pub(crate) fn check_objects(&self, first: usize, n: usize) -> Result<()> {
        let end = (first + n).min(self.stack.len());
        match (first..end).find(|&d| self.stack[d] == Kind::TagInt) {
            Some(d) => Err(LowerError::LastiAsObject { slot: d as u32, offset: self.offset() }),
            None => Ok(()),
        }
    }

    /// Call a helper returning a new object and push it.
    pub(crate) fn call_push(&mut self, helper: Helper, args: Vec<Operand>, pops: usize) -> Result<()> {
        let tmp = self.new_obj();
        self.call(helper, args, Some(tmp))?;
        self.pop_release_n(pops);
        let kind = if helper.borrowed_result() { Kind::Borrowed } else { OWNED };
        let dst = self.push(kind);
        self.fb.push(Inst::Move { dst, src: Operand::Var(tmp) });
        Ok(())
    }

    /// The error block for the current instruction at the current stack.
    pub(crate) fn error_block(&mut self, traceback: bool) -> Result<BlockId> {
        let b = self.fb.new_block(format!("err_{}", self.offset()));
        if traceback {
            self.fb.push_at(b, Inst::Call { helper: Helper::TracebackHere, args: vec![Operand::Frame], dst: None, err: None });
        }
        self.unwind_from(b)?;
        Ok(b)
    }

    /// Fill block `b` with the unwinding of the current stack to the current instruction's
    /// handler (or out of the frame) and terminate it.
    pub(crate) fn unwind_from(&mut self, b: BlockId) -> Result<()> {
        let bidx = self.cur_block;
        let handler = self.cfg.graph[bidx].handler;
        let level = handler.map_or(0, |h| h.depth as usize);
        for d in (level..self.stack.len()).rev() {
            let k = self.stack[d];
            match k {
                Kind::Owned { nonnull: true } => self.fb.push_at(b, Inst::Decref(Self::slot(d))),
                Kind::Owned { nonnull: false } => self.fb.push_at(b, Inst::XDecref(Self::slot(d))),
                Kind::Borrowed | Kind::TagInt => {}
            }
        }
        let Some(h) = handler else {
            self.fb.terminate_at(b, Term::Jump(self.raise_block));
            return Ok(());
        };
        let prefix: Vec<Kind> = self.stack[..level].to_vec();
        let canon = canonical(&prefix);
        for (d, (have, want)) in prefix.iter().zip(&canon).enumerate() {
            if *have == Kind::Borrowed && *want != Kind::Borrowed {
                self.fb.push_at(b, Inst::Incref(Self::slot(d)));
            }
        }
        let mut state = canon;
        if h.lasti {
            state.push(Kind::TagInt);
        }
        state.push(OWNED);
        let target = self.cfg.graph[bidx].handler.expect("checked").block;
        // The handler is entered with the depth the CFG computed for it.
        let handler_depth = self.cfg.graph[target].depth_in;
        if handler_depth != Some(state.len() as u32) {
            let what = StackMismatch::Depth { lowered: state.len() as u32, cfg: handler_depth.unwrap_or(u32::MAX) };
            return Err(LowerError::InconsistentStack { offset: h.target * 2, what });
        }
        match self.entry.get(&target) {
            Some(old) => {
                if !same_shape(old, &state) {
                    let what = StackMismatch::SlotKind { slot: level as u32 };
                    return Err(LowerError::InconsistentStack { offset: h.target * 2, what });
                }
            }
            None => {
                self.entry.insert(target, state);
            }
        }
        let landing = self.landing(target, level, h.lasti);
        self.fb.terminate_at(b, Term::Jump(landing));
        Ok(())
    }

    fn landing(&mut self, target: BlockIdx, level: usize, lasti: bool) -> BlockId {
        if let Some(b) = self.landings.get(&target) {
            return *b;
        }
        let b = self.fb.new_block(format!("landing_{}", self.cfg.instrs[self.cfg.graph[target].first].byte_offset()));
        let mut d = level;
        if lasti {
            let dst = self.lasti_var(d);
            self.fb.push_at(b, Inst::Call { helper: Helper::Lasti, args: vec![Operand::Frame], dst: Some(dst), err: None });
            d += 1;
        }
        self.fb.push_at(b, Inst::Call { helper: Helper::FetchExc, args: vec![Operand::TState], dst: Some(Self::slot(d)), err: None });
        let hb = self.block_for(target);
        self.fb.terminate_at(b, Term::Jump(hb));
        self.landings.insert(target, b);
        b
    }

    /// Whether the code is a generator, coroutine or async generator.
    pub(crate) fn is_generator(&self) -> bool {
        self.info.flags & bytecode_cfg::co_flags::ANY_GENERATOR != 0
    }

    pub(crate) fn block_for(&mut self, b: BlockIdx) -> BlockId {
        if let Some(x) = self.blocks.get(&b) {
            return *x;
        }
        let first = &self.cfg.instrs[self.cfg.graph[b].first];
        let id = self.fb.new_block(format!("b{}_{}", first.byte_offset(), opcodes::name(first.opcode)));
        self.blocks.insert(b, id);
        id
    }

    /// The IR block to jump to for the edge to bytecode block `t` from the current state.
    pub(crate) fn edge_to(&mut self, t: BlockIdx) -> Result<BlockId> {
        let target = self.block_for(t);
        let offset = self.cfg.instrs[self.cfg.graph[t].first].byte_offset();
        if !self.entry.contains_key(&t) {
            let single = self.cfg.predecessor_count(t) <= 1 && !self.cfg.graph[t].is_handler && !self.resumes_at(t);
            let state = if single { self.stack.clone() } else { canonical(&self.stack) };
            self.entry.insert(t, state);
        }
        let want = self.entry[&t].clone();
        if want.len() != self.stack.len() {
            let what = StackMismatch::Depth { lowered: self.stack.len() as u32, cfg: want.len() as u32 };
            return Err(LowerError::InconsistentStack { offset, what });
        }
        let mut fixes = Vec::new();
        for (d, (have, w)) in self.stack.iter().zip(&want).enumerate() {
            match (have, w) {
                (Kind::Borrowed, Kind::Owned { .. }) => fixes.push(d),
                (Kind::Owned { .. }, Kind::Owned { .. }) | (Kind::Borrowed, Kind::Borrowed) | (Kind::TagInt, Kind::TagInt) => {}
                _ => return Err(LowerError::InconsistentStack { offset, what: StackMismatch::SlotKind { slot: d as u32 } }),
            }
        }
        if fixes.is_empty() {
            return Ok(target);
        }
        let e = self.fb.new_block(format!("edge_{offset}"));
        for d in fixes {
            self.fb.push_at(e, Inst::Incref(Self::slot(d)));
        }
        self.fb.terminate_at(e, Term::Jump(target));
        Ok(e)
    }

    /// The frame state at the start of the current instruction: resume at it (at its first
    /// `EXTENDED_ARG`) with the current stack. `None` (do not speculate) if the instruction's
    /// speculation kept failing before (`CodeInfo::no_speculate`).
    pub(crate) fn frame_state(&self) -> Option<FrameState> {
        if self.info.no_speculation || self.info.no_speculate.contains(&self.ins().start) {
            return None;
        }
        Some(self.exit_state())
    }

    /// The frame state at the start of the current instruction whatever the speculation
    /// settings: where the frame leaves for the interpreter when monitoring is switched on,
    /// and where a generator suspends.
    fn exit_state(&self) -> FrameState {
        let stack = self
            .stack
            .iter()
            .map(|k| match k {
                Kind::Owned { .. } => StackSlot::Owned,
                Kind::Borrowed => StackSlot::Borrowed,
                Kind::TagInt => StackSlot::TagInt,
            })
            .collect();
        FrameState { unit: self.ins().start, stack }
    }

    /// The eval breaker's check at a function's entry or a loop's back edge: the frame can
    /// leave for the interpreter there if monitoring was switched on meanwhile.
    pub(crate) fn check_periodic(&mut self) -> Result<()> {
        let err = self.error_block(true)?;
        let fs = self.exit_state();
        let args = self.with_stack(vec![], &fs);
        self.fb.push(Inst::Op { op: SsaOp::CheckPeriodic, imm: Imm::Guard(GuardKind::Instrumentation, fs), args, dsts: vec![], err: Some(err) });
        Ok(())
    }

    /// Whether block `b` is where a SEND goes on (the value yielded or returned), not through
    /// an exception.
    fn after_send(&self, b: BlockIdx) -> bool {
        self.cfg.predecessors(b).any(|(p, kind)| {
            kind != EdgeKind::Exception && self.cfg.block_instrs(p).last().is_some_and(|i| i.opcode == Opcode::Send)
        })
    }

    /// After a call, before the instruction that follows it: the callee may have switched
    /// monitoring on (`breakpoint()`, `sys.settrace`), and from here on the interpreter must
    /// run the frame so that its events are reported.
    fn guard_quiet(&mut self) {
        self.guard_quiet_at(self.ins().start);
    }

    /// `guard_quiet` resuming at code unit `unit` with the current stack.
    pub(crate) fn guard_quiet_at(&mut self, unit: u32) {
        let fs = FrameState { unit, ..self.exit_state() };
        let args = self.with_stack(vec![], &fs);
        self.fb.push(Inst::Op { op: SsaOp::GuardQuiet, imm: Imm::Guard(GuardKind::Instrumentation, fs), args, dsts: vec![], err: None });
    }

    /// Guard that `v` is `kind`, deoptimising to `fs` (the current stack) if not.
    pub(crate) fn guard(&mut self, kind: GuardKind, v: Var, fs: &FrameState) {
        let args = self.with_stack(vec![v], fs);
        self.fb.push(Inst::Op { op: SsaOp::Guard, imm: Imm::Guard(kind, fs.clone()), args, dsts: vec![], err: None });
    }

    /// The operands of an operation that deoptimises to `fs`: `args`, then the stack slots the
    /// frame state writes.
    pub(crate) fn with_stack(&mut self, mut args: Vec<Var>, fs: &FrameState) -> Vec<Var> {
        for (d, slot) in fs.stack.iter().enumerate() {
            args.push(if *slot == StackSlot::TagInt { self.lasti_var(d) } else { Self::slot(d) });
        }
        args
    }

    /// An operation of the SSA table with one result and no error edge, into a new variable.
    pub(crate) fn op1(&mut self, op: SsaOp, imm: Imm, args: Vec<Var>) -> Var {
        let ty = match op.info().sig {
            crate::ssa::ops::Sig::Fixed(_, [t]) => *t,
            _ => unreachable!("op1 is for operations with one fixed result"),
        };
        let d = self.fb.new_var(ty.helper_ty());
        self.fb.push(Inst::Op { op, imm, args, dsts: vec![d], err: None });
        d
    }

    /// Set `frame->instr_ptr` to the current instruction.
    pub(crate) fn save_ip(&mut self) {
        let off = self.ins().offset;
        self.fb.push(Inst::SetInstrPtr(off));
    }

    /// The single dispatch over opcodes: each family's lowering lives in a submodule.
    fn lower_instr(&mut self, ins: &'a Instr) -> Result<()> {
        use Opcode as O;
        if !matches!(
            ins.opcode,
            O::Nop | O::NotTaken | O::LoadFast | O::LoadFastBorrow | O::LoadFastLoadFast | O::LoadFastBorrowLoadFastBorrow
                | O::LoadConst | O::LoadSmallInt | O::PushNull | O::Copy | O::Swap | O::JumpForward
                | O::JumpBackwardNoInterrupt | O::EndFor | O::ExtendedArg
        ) {
            self.save_ip();
        }
        let op = ins.opcode;
        match op {
            O::Nop | O::NotTaken | O::ExtendedArg => Ok(()),
            O::Resume => self.lower_resume(),
            O::LoadFast | O::LoadFastBorrow | O::LoadFastCheck | O::LoadFastAndClear | O::LoadFastLoadFast
            | O::LoadFastBorrowLoadFastBorrow | O::StoreFast | O::StoreFastLoadFast | O::StoreFastStoreFast
            | O::DeleteFast | O::LoadDeref | O::StoreDeref | O::DeleteDeref | O::MakeCell | O::CopyFreeVars
            | O::LoadConst | O::LoadSmallInt | O::LoadCommonConstant | O::LoadGlobal | O::StoreGlobal
            | O::DeleteGlobal | O::LoadBuildClass | O::LoadFromDictOrGlobals | O::LoadFromDictOrDeref => {
                self.lower_locals(ins)
            }
            O::PopTop | O::PushNull | O::Copy | O::Swap | O::EndFor | O::PopIter => self.lower_stack(ins),
            O::BinaryOp | O::CompareOp | O::UnaryNegative | O::UnaryInvert | O::UnaryNot | O::ToBool | O::IsOp
            | O::ContainsOp | O::BinarySlice | O::StoreSlice | O::StoreSubscr | O::DeleteSubscr | O::GetLen
            | O::FormatSimple | O::FormatWithSpec | O::ConvertValue => self.lower_ops(ins),
            O::JumpForward | O::JumpBackward | O::JumpBackwardNoInterrupt | O::PopJumpIfFalse | O::PopJumpIfTrue
            | O::PopJumpIfNone | O::PopJumpIfNotNone | O::GetIter | O::ForIter | O::ReturnValue => {
                self.lower_control(ins)
            }
            O::Call | O::CallKw | O::CallFunctionEx | O::CallIntrinsic1 | O::CallIntrinsic2 | O::LoadAttr
            | O::StoreAttr | O::DeleteAttr | O::LoadSuperAttr | O::MakeFunction | O::SetFunctionAttribute
            | O::ImportName | O::ImportFrom | O::LoadSpecial => self.lower_calls(ins),
            O::BuildList | O::BuildTuple | O::BuildSet | O::BuildMap | O::BuildSlice | O::BuildString
            | O::ListAppend | O::SetAdd | O::MapAdd | O::ListExtend | O::SetUpdate | O::DictUpdate
            | O::DictMerge | O::UnpackSequence | O::UnpackEx | O::BuildTemplate | O::BuildInterpolation
            | O::MatchClass | O::MatchMapping | O::MatchSequence | O::MatchKeys => self.lower_build(ins),
            O::PushExcInfo | O::PopExcept | O::CheckExcMatch | O::Reraise | O::RaiseVarargs
            | O::WithExceptStart | O::CheckEgMatch => self.lower_exceptions(ins),
            // Module and class bodies are refused before lowering.
            O::YieldValue => self.lower_yield(),
            O::ReturnGenerator => self.lower_return_generator(),
            O::Send => self.lower_send(),
            O::EndSend => self.lower_end_send(),
            O::EndAsyncFor => self.lower_end_async_for(),
            O::GetYieldFromIter | O::GetAwaitable | O::GetAiter | O::GetAnext => self.lower_awaitables(ins),
            // CLEANUP_THROW's handler covers only a yield inside `yield from`/`await`, which
            // raises there only when throw() resumes it (in the interpreter): never lowered.
            O::CleanupThrow | O::ExitInitCheck | O::LoadLocals | O::SetupAnnotations | O::LoadName
            | O::StoreName | O::DeleteName => Err(self.unsupported()),
            // The decoder maps specialised and instrumented forms to their base opcode and
            // refuses CACHE/RESERVED/INTERPRETER_EXIT/ENTER_EXECUTOR, so nothing else arrives.
            other => {
                debug_assert!(opcodes::base(other) != other || opcodes::is_invalid_in_code(other), "{other:?}");
                Err(self.unsupported())
            }
        }
    }

    fn lower_resume(&mut self) -> Result<()> {
        // RESUME at function start and after a yield checks the eval breaker, not after a
        // `yield from` or `await` (_CHECK_PERIODIC_IF_NOT_YIELD_FROM: RESUME_AFTER_YIELD_FROM).
        if self.ins().oparg & 3 < 2 {
            self.check_periodic()?;
        }
        Ok(())
    }
}

/// The canonical state at joins: every object slot owned (maybe NULL), tagged ints kept.
fn canonical(state: &[Kind]) -> Vec<Kind> {
    state.iter().map(|k| if *k == Kind::TagInt { Kind::TagInt } else { MAYBE_NULL }).collect()
}

fn same_shape(a: &[Kind], b: &[Kind]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (*x == Kind::TagInt) == (*y == Kind::TagInt))
}
