//! Small functions run inline at their call sites.
//!
//! A CALL whose feedback names one Python function (see [`Callee`]) whose body reads and
//! stores attributes and computes (its arguments and locals, attributes through their type
//! version, immortal constants, list and tuple items, `+ - *` and comparisons of ints and
//! floats, `//` `%` of ints and `/` of floats by a non-zero divisor, truth tests, `is`, `not`,
//! forward branches) gets that body as a fast path before the call:
//!
//! ```text
//!     ok = inline_ok callable, version      # the function, no recursion limit, RESUME_CHECK
//!     branch ok ? body : slow
//! body:                                     # the callee's instructions, on its own values
//!     ...  any test failing: leave (below)
//!     jump join(result)
//! slow:
//!     result = call call(...)               # the call as without inlining
//! join(result):
//! ```
//!
//! The body cannot raise or run Python code, so nothing can observe that the callee's frame
//! was never pushed. What the interpreter checks on entering a function stays checked: the
//! recursion limit and the eval breaker (a pending signal takes the ordinary call, whose RESUME
//! handles it). Code that sys.monitoring has ever instrumented is never run inline, so no
//! event is skipped.
//!
//! Leaving the body halfway: a body without effects (no store) has done nothing but reference
//! counts, which it undoes, and the ordinary call starts from scratch. A body that stores
//! (`attr_write`, done only when releasing the value replaced runs no code) cannot run twice:
//! it is left by finishing the call in the interpreter from the callee instruction where it
//! stopped, in a frame made from the body's locals and stack (`resume_inline`); so every test
//! comes before its instruction's pops and pushes. Blocks that end in a raise, and cold blocks
//! (the interpreter's branch history says no way into them is being taken) with an instruction
//! the body cannot run, are left on entry.
//!
//! The callee's locals and stack depths are one variable each (consecutive: `resume_inline`
//! gets them as one array), and lowering knows which hold an owned reference: the arguments
//! are borrowed from the caller's slots, what the body reads is owned, constants and bools are
//! immortal. Where paths join in the callee every value is owned (the edge takes the missing
//! references) but the arguments never stored to, so the paths agree; leaving releases what is
//! owned. `xincref`/`xdecref` throughout: a failed read leaves NULL in its variable, an unbound
//! local is NULL, and the caller's `self_or_null` slot may be NULL as far as lowering knows.
use std::collections::HashMap;

use bytecode_cfg::{opargs, BlockIdx, BytecodeCfg, EdgeKind, Instr, Opcode};

use super::ops::{int_bit_op, numeric_binary_op, numeric_compare};
use super::{Lowerer, Result, OWNED};
use crate::helpers::{Helper, Ty};
use crate::ir::{BlockId, CacheWidth, Inst, Operand, Term, Var};
use crate::ssa::{GuardKind, Imm, Opcode as SsaOp};
use runtime_abi::caches;

/// A function a CALL may run inline: its code, found from feedback when the caller was
/// compiled: the function version in the CALL's cache (CALL_PY_EXACT_ARGS; a valid function
/// version is its code's `co_version`, unique to one code object), the method a
/// LOAD_ATTR_METHOD_* cache names, or the function the module binds a LOAD_GLOBAL's name to
/// (the loads that pushed the callable).
#[derive(Clone, Debug)]
pub struct Callee {
    /// Code units of the instructions whose feedback named it: CALLs, or the callables' loads
    /// (a method's load and its CALL both name it once the CALL is specialised: one entry, so
    /// the caller's IR, and its code-cache key, do not depend on whether the CALL was).
    pub call_units: Vec<u32>,
    /// Those of `call_units` that are loads of a class whose `__init__` this is: a call of
    /// the class allocates the instance and runs the body on it (see [`Plan::init`]).
    pub init_units: Vec<u32>,
    /// Where its code's feedback is in the caller's relocated snapshot (`Operand::Cache`
    /// units): its inline caches at `base + unit`, and its `co_version` (tested against the
    /// callable's at run time) in the two units after its code.
    pub base: u32,
    /// Where its `co_names` are in the caller's relocated names (`Operand::Name`).
    pub names_base: u32,
    /// Its code, with its own feedback.
    pub cfg: BytecodeCfg,
    /// `co_flags`.
    pub flags: u32,
    /// `co_argcount`.
    pub argcount: u32,
    /// `co_kwonlyargcount`.
    pub kwonlyargcount: u32,
    /// `co_nlocalsplus` (free variables are its last slots; cells make a body that is never
    /// inlined: MAKE_CELL is not among the instructions handled).
    pub nlocalsplus: u32,
    /// Per `co_consts` entry, how the body loads it: the immortal object it is (`None`,
    /// `True`, `False`, a small int), or the constant relocated from the callee's code
    /// (`Operand::Const`, borrowed: the code is alive once the entry test found it).
    pub consts: Vec<Operand>,
    /// Its loads of globals that pushed a `math` function when the caller was compiled (as
    /// `CodeInfo::math_calls`: the load's code unit, the function, and the caller's relocated
    /// constant holding it): a call of one argument after such a load is computed inline.
    pub math_calls: Vec<(u32, runtime_abi::abi::MathFn, u32)>,
}

/// The most instructions a body inlined may have: beyond a few reads, the call's own cost
/// matters less and the caller's code grows at every site.
pub const MAX_INLINE_INSTRS: usize = 40;

/// How a callee runs inline (see [`plan`]).
#[derive(Clone, Copy)]
struct Plan {
    /// `self_or_null` must be set (a method: it is the first argument); else it must be NULL.
    with_self: bool,
    /// The body stores an attribute where it is not left: once it has, it cannot be left for
    /// the call, and finishes the call in the interpreter instead, from where it stopped
    /// (`resume_inline`).
    stores: bool,
    /// The callable is a class and the body its `__init__`: `init_of` tests the class and
    /// names the function (`inline_ok` tests it as any callee's), `alloc_instance` makes the
    /// instance, the body's first local, and the call's result is the instance. Allocating is
    /// the body's first effect (the body is left by finishing `__init__` in the interpreter,
    /// never by calling the class again), and the body returns only `None` (what type_call
    /// checks of `__init__`'s result).
    init: bool,
}

/// Whether `callee` can run inline at a call with `nargs` arguments after `callable` and
/// `self_or_null` (NULL after a class: `init`), and how.
fn plan(callee: &Callee, nargs: u32, init: bool) -> Option<Plan> {
    let with_self = if init {
        if callee.argcount != nargs + 1 || !returns_none(callee) {
            return None;
        }
        false
    } else if callee.argcount == nargs + 1 {
        true
    } else if callee.argcount == nargs {
        false
    } else {
        return None;
    };
    body_stores(callee).map(|stores| Plan { with_self, stores: stores || init, init })
}

/// Whether every RETURN_VALUE of `callee`'s body returns the constant `None`.
fn returns_none(callee: &Callee) -> bool {
    let cfg = &callee.cfg;
    let none = Operand::Singleton(crate::ir::Singleton::None);
    cfg.graph.node_indices().filter(|&b| cfg.graph[b].depth_in.is_some() && !leaves(callee, b)).all(|b| {
        let instrs = &cfg.instrs[cfg.graph[b].first..cfg.graph[b].end];
        instrs.iter().enumerate().filter(|(_, ins)| ins.opcode == Opcode::ReturnValue).all(|(j, _)| {
            j > 0 && instrs[j - 1].opcode == Opcode::LoadConst && callee.consts.get(instrs[j - 1].oparg as usize) == Some(&none)
        })
    })
}

/// Whether `callee` can run inline at some call: the compiler keeps only those, so that
/// callees it would never run inline move nothing in the caller's relocated tables.
pub fn may_inline(callee: &Callee) -> bool {
    body_stores(callee).is_some()
}

/// Whether `callee`'s body can run inline whatever the call's arguments ([`plan`]'s tests but
/// the arity), and if so [`Plan::stores`].
fn body_stores(callee: &Callee) -> Option<bool> {
    use bytecode_cfg::co_flags::*;
    let f = callee.flags;
    if f & OPTIMIZED == 0 || f & (ANY_GENERATOR | VARARGS | VARKEYWORDS) != 0 {
        return None;
    }
    if callee.kwonlyargcount != 0 || !callee.cfg.exception_table.is_empty() {
        return None;
    }
    let cfg = &callee.cfg;
    let (mut count, mut stores) = (0, false);
    for b in cfg.graph.node_indices().filter(|&b| cfg.graph[b].depth_in.is_some()) {
        // A block that raises, or a cold one, is left, whatever it holds.
        if leaves(callee, b) {
            continue;
        }
        let instrs = &cfg.instrs[cfg.graph[b].first..cfg.graph[b].end];
        count += instrs.len();
        if !instrs.iter().enumerate().all(|(j, ins)| supported(callee, ins) || math_call(callee, instrs, j)) {
            return None;
        }
        stores |= instrs.iter().any(|ins| ins.opcode == Opcode::StoreAttr);
    }
    (count <= MAX_INLINE_INSTRS).then_some(stores)
}

/// Whether `instrs[j]` is a CALL of one argument whose callable a load of a `math` function
/// earlier in the block pushed (with the NULL after it), left on the stack since: the body
/// computes it ([`Lowerer::inline_math_call`]).
fn math_call(callee: &Callee, instrs: &[Instr], j: usize) -> bool {
    let call = &instrs[j];
    if call.opcode != Opcode::Call || call.oparg != 1 || call.depth < 3 {
        return false;
    }
    let at = call.depth - 3;
    let Some(i) = instrs[..j].iter().rposition(|ins| ins.depth == at && ins.opcode == Opcode::LoadGlobal) else { return false };
    let load = &instrs[i];
    let is_math = load.oparg & 1 == 1 && callee.math_calls.iter().any(|&(u, ..)| u == load.offset);
    // Nothing in between reaches below the callable and its NULL.
    is_math
        && instrs[i + 1..j].iter().all(|ins| {
            bytecode_cfg::opcodes::stack_effect(ins.opcode, ins.oparg).is_some_and(|(pops, _)| ins.depth >= at + 2 + pops)
        })
}

/// The number of free variables COPY_FREE_VARS copies (0 without it).
fn free_vars(cfg: &BytecodeCfg) -> u32 {
    cfg.instrs.iter().find(|i| i.opcode == Opcode::CopyFreeVars).map_or(0, |i| i.oparg)
}

/// Whether any instruction of `cfg` stores to local `i`.
fn stored_to(cfg: &BytecodeCfg, i: u32) -> bool {
    cfg.instrs.iter().any(|ins| match ins.opcode {
        Opcode::StoreFast => ins.oparg == i,
        Opcode::StoreFastLoadFast => ins.oparg >> 4 == i,
        Opcode::StoreFastStoreFast => ins.oparg >> 4 == i || ins.oparg & 15 == i,
        _ => false,
    })
}

/// Whether the body is left on entering callee block `b`, for the call (or the interpreter)
/// to run it: a block that ends in a raise (`raise` in the source: the exception then has the
/// callee's frame in its traceback), and a cold block whose instructions the body cannot run
/// hardly ran.
fn leaves(callee: &Callee, b: BlockIdx) -> bool {
    let cfg = &callee.cfg;
    let bb = &cfg.graph[b];
    let raises = bb.end > bb.first && matches!(cfg.instrs[bb.end - 1].opcode, Opcode::RaiseVarargs | Opcode::Reraise);
    // Both signs, as each alone misleads: a branch not taken in its last 16 outcomes can still
    // be taken one time in twenty (richards' `enqueue_on` loop: every such call then finished
    // in the interpreter), and a callee compiled after a few calls has many instructions that
    // ran at most once.
    let mut unsupported = cfg.instrs[bb.first..bb.end].iter().filter(|ins| !supported(callee, ins)).peekable();
    raises || (unsupported.peek().is_some() && cold(cfg, b) && unsupported.all(|ins| hardly_ran(cfg, ins)))
}

/// Whether an adaptive instruction ran at most once: not specialised, and its counter still at
/// the warm-up value or one below (`caches::WARMUP_COUNTER`). An instruction without a counter
/// gives no such sign.
fn hardly_ran(cfg: &BytecodeCfg, ins: &Instr) -> bool {
    use caches::{COUNTER_VALUE_ONE, WARMUP_COUNTER};
    ins.stored == ins.opcode && cfg.cache_u16(ins, 1).is_some_and(|c| c == WARMUP_COUNTER || c == WARMUP_COUNTER - COUNTER_VALUE_ONE)
}

/// The blocks the interpreter's branch history says are not being run: those [`cold`] names,
/// and the blocks only they lead into.
pub fn cold_blocks(cfg: &BytecodeCfg) -> Vec<BlockIdx> {
    let mut is_cold: Vec<bool> = cfg.graph.node_indices().map(|b| cold(cfg, b)).collect();
    // Forward (code order) until nothing changes: a block whose every way in is from a cold one.
    loop {
        let mut changed = false;
        for b in cfg.graph.node_indices() {
            if !is_cold[b.index()] {
                let mut ways = cfg.predecessors(b).peekable();
                if ways.peek().is_some() && ways.all(|(from, _)| is_cold[from.index()]) {
                    is_cold[b.index()] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    cfg.graph.node_indices().filter(|b| is_cold[b.index()]).collect()
}

/// Whether the interpreter's branch history says block `b` is not being run: every way into it
/// is a conditional jump whose last 16 outcomes all went the other way.
fn cold(cfg: &BytecodeCfg, b: BlockIdx) -> bool {
    let mut ways = cfg.predecessors(b).peekable();
    ways.peek().is_some()
        && ways.all(|(from, kind)| {
            let from = &cfg.graph[from];
            let Some(jump) = from.end.checked_sub(1).map(|i| &cfg.instrs[i]) else { return false };
            let conditional = matches!(jump.opcode, Opcode::PopJumpIfTrue | Opcode::PopJumpIfFalse | Opcode::PopJumpIfNone | Opcode::PopJumpIfNotNone);
            match (conditional, cfg.cache_u16(jump, caches::BRANCH_HISTORY_UNIT), kind) {
                (true, Some(history), EdgeKind::Jump) => history == 0,
                (true, Some(history), EdgeKind::Fallthrough) => history == u16::MAX,
                _ => false,
            }
        })
}

/// Whether the body's lowering handles `ins` (with its feedback).
fn supported(callee: &Callee, ins: &Instr) -> bool {
    use Opcode as O;
    let local = |i: u32| i < callee.nlocalsplus;
    match ins.opcode {
        O::Resume | O::Nop | O::NotTaken | O::PopTop | O::JumpForward | O::ReturnValue | O::IsOp | O::UnaryNot => true,
        O::PopJumpIfTrue | O::PopJumpIfFalse | O::PopJumpIfNone | O::PopJumpIfNotNone => true,
        O::Copy | O::Swap => ins.oparg >= 1,
        O::LoadFast | O::LoadFastBorrow | O::LoadFastCheck | O::StoreFast => local(ins.oparg),
        O::LoadFastLoadFast | O::LoadFastBorrowLoadFastBorrow | O::StoreFastLoadFast | O::StoreFastStoreFast => {
            local(ins.oparg >> 4) && local(ins.oparg & 15)
        }
        O::LoadSmallInt => true,
        O::LoadConst => (ins.oparg as usize) < callee.consts.len(),
        // A global (through the function's dicts and a cell); a callable one only where it
        // pushed a `math` function, which a CALL then computes.
        O::LoadGlobal => ins.oparg & 1 == 0 || callee.math_calls.iter().any(|&(u, ..)| u == ins.offset),
        // (CALL: only of a `math` load, which `math_call` tells from the block.)
        O::LoadAttr => ins.oparg & 1 == 0 && attr_feedback(&callee.cfg, ins).is_some(),
        O::StoreAttr => attr_feedback(&callee.cfg, ins).is_some(),
        // What TO_BOOL saw: `quick_truth` knows bools, None, ints and lists.
        O::ToBool => matches!(ins.stored, O::ToBoolBool | O::ToBoolNone | O::ToBoolInt | O::ToBoolList),
        O::BinaryOp => {
            matches!(ins.stored, O::BinaryOpSubscrListInt | O::BinaryOpSubscrTupleInt) || arithmetic(ins).is_some()
        }
        O::CompareOp => numeric_compare(ins.stored).is_some() && ins.oparg >> 5 < opargs::NUM_COMPARISONS,
        // The free variables (the last locals); LOAD_DEREF of one of them.
        O::CopyFreeVars => ins.oparg <= callee.nlocalsplus,
        O::LoadDeref => local(ins.oparg) && ins.oparg >= callee.nlocalsplus.saturating_sub(free_vars(&callee.cfg)),
        _ => false,
    }
}

/// The operands of an inlined arithmetic instruction.
#[derive(Clone, Copy, PartialEq)]
enum Operands {
    /// Both of the kind, unboxed (`unbox_int`, `unbox_float`).
    Both(GuardKind),
    /// Exact floats or compact ints, as doubles (`as_doubles`): one a float, or, for true
    /// division, any.
    Doubles,
}

/// The arithmetic a body computes for a BINARY_OP: `+ - *` on the numbers its feedback names
/// (two ints or two floats; BINARY_OP_EXTEND: a float and a compact int, or `&` `|` `^` of two
/// compact ints), and, where the interpreter specialises nothing (plain BINARY_OP), `//` and
/// `%` on compact ints and `/` on floats and compact ints, once the divisor is tested non-zero
/// (`true`: the interpreter raises ZeroDivisionError, so the body is left there).
fn arithmetic(ins: &Instr) -> Option<(Operands, SsaOp, bool)> {
    if let Some((kind, op)) = numeric_binary_op(ins.stored) {
        return Some((Operands::Both(kind), op, false));
    }
    if let (Opcode::BinaryOpExtend, Some(op)) = (ins.stored, int_bit_op(ins.oparg)) {
        return Some((Operands::Both(GuardKind::CompactInt), op, false));
    }
    match (ins.stored, opargs::nb_operator(ins.oparg)) {
        (Opcode::BinaryOpExtend, opargs::NB_ADD) => Some((Operands::Doubles, SsaOp::FAdd, false)),
        (Opcode::BinaryOpExtend, opargs::NB_SUBTRACT) => Some((Operands::Doubles, SsaOp::FSub, false)),
        (Opcode::BinaryOpExtend, opargs::NB_MULTIPLY) => Some((Operands::Doubles, SsaOp::FMul, false)),
        (Opcode::BinaryOp | Opcode::BinaryOpExtend, opargs::NB_TRUE_DIVIDE) => Some((Operands::Doubles, SsaOp::FDiv, true)),
        (Opcode::BinaryOp, opargs::NB_FLOOR_DIVIDE) => Some((Operands::Both(GuardKind::CompactInt), SsaOp::IFloorDiv, true)),
        (Opcode::BinaryOp, opargs::NB_REMAINDER) => Some((Operands::Both(GuardKind::CompactInt), SsaOp::IMod, true)),
        _ => None,
    }
}

/// Whether an attribute load or store is the instance-value form (true: LOAD_ATTR_ or
/// STORE_ATTR_INSTANCE_VALUE) or the slot form (false) with a type version and an index (the
/// forms share the cache layout); None for any other form.
fn attr_feedback(cfg: &BytecodeCfg, ins: &Instr) -> Option<bool> {
    use Opcode as O;
    let inline_values = match ins.stored {
        O::LoadAttrInstanceValue | O::StoreAttrInstanceValue => true,
        O::LoadAttrSlot | O::StoreAttrSlot => false,
        _ => return None,
    };
    cfg.cache_u32(ins, caches::ATTR_TYPE_VERSION.unit).filter(|&v| v != 0)?;
    cfg.cache_u16(ins, caches::ATTR_INDEX.unit)?;
    Some(inline_values)
}

/// Lowering of one inlined body: the callee's locals, then its stack, as one variable each.
struct Body<'c> {
    callee: &'c Callee,
    /// The variable of each local, then of each stack depth.
    vars: Vec<Var>,
    /// Whether each local, then each stack depth up to the current one, holds an owned
    /// reference (else a borrowed or immortal one, or NULL).
    owned: Vec<bool>,
    /// What each local holds where paths join: owned, but for arguments never stored to
    /// (borrowed from the caller throughout).
    joined_locals: Vec<bool>,
    /// The function whose body runs (its closure gives free variables): the callable, or the
    /// `__init__` of a class called (Plan::init).
    callable: Var,
    /// The instance a class's call made (Plan::init), owned until it becomes the result.
    instance: Option<Var>,
    /// The IR block of each reachable callee block.
    blocks: HashMap<BlockIdx, BlockId>,
    /// What each callee block's depths hold on entry, once an edge into it is lowered.
    entry: HashMap<BlockIdx, Vec<bool>>,
    /// Where a failing test goes once the body's values are released.
    slow: BlockId,
    /// Where the result goes.
    join: BlockId,
    /// The caller's variable receiving the result.
    result: Var,
    /// Whether the body stores (see [`Plan::stores`]): leaving it after a store resumes the
    /// callee in the interpreter, whose errors go to this, the caller's error block for the CALL.
    resume: Option<BlockId>,
    /// Whether the path being lowered has had an effect (stored); before, the body is left for
    /// the ordinary call, which is cheaper than the interpreter.
    effected: bool,
    /// Per callee block: whether some path into it has had an effect.
    entry_effected: HashMap<BlockIdx, bool>,
    /// Code unit of the callee instruction being lowered (its first `EXTENDED_ARG`): where the
    /// interpreter resumes if the body is left there.
    unit: u32,
    /// Stack depths holding a `math` function a load pushed (see [`Callee::math_calls`]): the
    /// function and its relocated constant.
    math_at: Vec<(usize, runtime_abi::abi::MathFn, u32)>,
}

impl Lowerer<'_> {
    /// The CALL being lowered, inline if its feedback names a callee [`plan`] accepts;
    /// otherwise (and on the inline path's failure) the call of `helper` with `args`.
    pub(super) fn lower_call_maybe_inline(&mut self, helper: Helper, args: Vec<Operand>, pops: usize) -> Result<()> {
        let (ins, info) = (self.ins(), self.info);
        let nargs = ins.oparg;
        let base = self.depth() - nargs as usize - 2;
        // The CALL's own feedback first, then the load that pushed the callable.
        let load = self.callable_loads.iter().find(|&&(d, _)| d == base).map(|&(_, unit)| unit);
        self.callable_loads.retain(|&(d, _)| d < base);
        let named_at = |u: u32| info.callees.iter().find(|c| c.call_units.contains(&u));
        let by_load = || load.and_then(named_at);
        // Not where leaving the body kept costing the interpreter's time (`resume_inline`).
        let despecialised = info.no_speculate.contains(&ins.start);
        // A class's load names its `__init__` (never the CALL: CALL_ALLOC_AND_ENTER_INIT is
        // not among the feedback read).
        let init_of = |c: &Callee| load.is_some_and(|u| c.init_units.contains(&u)) && !c.call_units.contains(&ins.offset);
        let Some((callee, plan)) = named_at(ins.offset)
            .or_else(by_load)
            .filter(|_| !despecialised)
            .and_then(|c| plan(c, nargs, init_of(c)).map(|p| (c, p)))
        else {
            return self.call_push(helper, args, pops);
        };
        let resume = match plan.stores {
            true => Some(self.error_block(true)?),
            false => None,
        };
        let (callable, self_or_null) = (Self::slot(base), Self::slot(base + 1));
        let first_arg = if plan.with_self { base + 1 } else { base + 2 };
        let off = ins.byte_offset();
        let result = self.new_obj();
        let slow = self.fb.new_block(format!("inline_slow_{off}"));
        // Where the body returns to (its result in `result`), before the join of the two ways.
        let returned = self.fb.new_block(format!("inline_returned_{off}"));
        let join = self.fb.new_block(format!("inline_join_{off}"));

        // The entry test, then self_or_null as the callee's arity needs it.
        let version = self.fb.new_var(Ty::Word);
        // The callee's own version, whichever instruction named it (the same IR either way).
        let src = Operand::Cache(callee.base + callee.cfg.units, CacheWidth::U32);
        self.fb.push(Inst::Move { dst: version, src });
        // The function whose body runs: the callable, or a class's `__init__`.
        let function = if plan.init {
            let init = self.new_obj();
            self.fb.push(Inst::Call { helper: Helper::InitOf, args: vec![Operand::Var(callable)], dst: Some(init), err: None });
            let found = self.fb.new_block(format!("inline_init_{off}"));
            self.fb.terminate(Term::BranchEq { a: Operand::Var(init), b: Operand::Null, then: slow, otherwise: found });
            self.fb.switch_to(found);
            init
        } else {
            callable
        };
        let ok = self.op1(SsaOp::InlineOk, Imm::None, vec![function, version]);
        let arity = self.fb.new_block(format!("inline_arity_{off}"));
        self.fb.terminate(Term::Branch { cond: Operand::Var(ok), then: arity, otherwise: slow });

        let cfg = &callee.cfg;
        let nlocals = callee.nlocalsplus as usize;
        let mut b = Body {
            callee,
            vars: (0..nlocals + cfg.max_depth as usize).map(|_| self.new_obj()).collect(),
            owned: Vec::new(),
            joined_locals: (0..nlocals).map(|i| i >= callee.argcount as usize || stored_to(cfg, i as u32)).collect(),
            callable: function,
            instance: plan.init.then(|| self.new_obj()),
            blocks: HashMap::new(),
            entry: HashMap::new(),
            slow,
            join: returned,
            result,
            resume,
            unit: 0,
            math_at: Vec::new(),
            effected: false,
            entry_effected: HashMap::new(),
        };
        let order = cfg.reverse_postorder();
        for &cb in &order {
            if cfg.graph[cb].depth_in.is_some() {
                let name = format!("inline_{off}_{}", cfg.instrs[cfg.graph[cb].first].byte_offset());
                b.blocks.insert(cb, self.fb.new_block(name));
            }
        }
        // The callee's locals: its arguments borrowed from the caller's slots, the others
        // unbound (NULL, owned so that every path releases locals alike).
        let body = self.fb.new_block(format!("inline_{off}"));
        self.fb.switch_to(arity);
        let (if_null, if_set) = if plan.with_self { (slow, body) } else { (body, slow) };
        self.fb.terminate(Term::BranchEq { a: Operand::Var(self_or_null), b: Operand::Null, then: if_null, otherwise: if_set });
        self.fb.switch_to(body);
        // A class's instance, its `__init__`'s first argument (a MemoryError is the call's).
        let first_arg = match b.instance {
            Some(instance) => {
                let err = b.resume.expect("an __init__ body can be left (Plan::init)");
                self.fb.push(Inst::Call { helper: Helper::AllocInstance, args: vec![Operand::Var(callable)], dst: Some(instance), err: Some(err) });
                b.effected = true;
                first_arg - 1
            }
            None => first_arg,
        };
        for i in 0..nlocals {
            let bound = i < callee.argcount as usize;
            match (bound, b.instance) {
                (true, Some(instance)) if i == 0 => self.fb.push(Inst::Copy { dst: b.vars[i], src: instance }),
                (true, _) => self.fb.push(Inst::Copy { dst: b.vars[i], src: Self::slot(first_arg + i) }),
                // (NULL counts as owned: releasing it is a no-op.)
                (false, _) => self.fb.push(Inst::Move { dst: b.vars[i], src: Operand::Null }),
            }
            b.owned.push(!bound);
        }
        let first = self.inline_edge(&mut b, BlockIdx::new(0));
        self.fb.terminate(Term::Jump(first));
        for cb in order {
            if let Some(kinds) = b.entry.get(&cb).cloned() {
                self.inline_block(&mut b, cb, kinds);
            }
        }

        // The ordinary call, for every way the body was left. Only it can have switched
        // monitoring on (the body runs no code): `guard_quiet` after it, not after the join.
        let before = self.stack.clone();
        self.fb.switch_to(slow);
        self.call(helper, args, Some(result))?;
        self.pop_release_n(pops);
        let dst = self.push(OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(result) });
        self.guard_quiet_at(ins.offset + 1 + ins.caches);
        self.fb.terminate(Term::Jump(join));
        self.stack = before;
        self.fb.switch_to(returned);
        self.pop_release_n(pops);
        let dst = self.push(OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(result) });
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(join);
        self.quiet_after_call = false;
        Ok(())
    }

    fn inline_block(&mut self, b: &mut Body<'_>, cb: BlockIdx, kinds: Vec<bool>) {
        let cfg = &b.callee.cfg;
        let bb = &cfg.graph[cb];
        self.fb.switch_to(b.blocks[&cb]);
        b.owned = kinds;
        b.effected = b.entry_effected.get(&cb).copied().unwrap_or(false);
        b.unit = cfg.instrs[bb.first].start;
        if leaves(b.callee, cb) {
            let bail = self.inline_bail(b);
            self.fb.terminate(Term::Jump(bail));
            return;
        }
        let instrs = &cfg.instrs[bb.first..bb.end];
        for (k, ins) in instrs.iter().enumerate() {
            b.unit = ins.start;
            // TO_BOOL then a jump on the bool (the last instruction): the jump tests the truth
            // itself, and the bool is never made.
            if let (Opcode::ToBool, Some(jump)) = (ins.opcode, instrs.get(k + 1))
                && matches!(jump.opcode, Opcode::PopJumpIfTrue | Opcode::PopJumpIfFalse)
            {
                self.inline_truth_jump(b, cb, jump.opcode == Opcode::PopJumpIfTrue);
                return;
            }
            self.inline_instr(b, cb, ins);
            if !self.fb.is_open() {
                return;
            }
        }
        let next = cfg.successor(cb, EdgeKind::Fallthrough).expect("the CFG checked fall-through");
        let t = self.inline_edge(b, next);
        self.fb.terminate(Term::Jump(t));
    }

    /// The block to jump to for the edge to callee block `to` from the current state. A block
    /// with one way in starts in that state; one with several starts with every value owned
    /// but the arguments never stored to, and the edge takes the references a borrowed value
    /// lacks (an edge block).
    fn inline_edge(&mut self, b: &mut Body<'_>, to: BlockIdx) -> BlockId {
        let target = b.blocks[&to];
        *b.entry_effected.entry(to).or_insert(false) |= b.effected;
        if b.callee.cfg.predecessor_count(to) <= 1 {
            b.entry.insert(to, b.owned.clone());
            return target;
        }
        let mut joined = b.joined_locals.clone();
        joined.resize(b.owned.len(), true);
        let lacking: Vec<Var> = (0..joined.len()).filter(|&d| joined[d] && !b.owned[d]).map(|d| b.vars[d]).collect();
        b.entry.insert(to, joined);
        if lacking.is_empty() {
            return target;
        }
        let edge = self.fb.new_block(format!("inline_edge_{}", self.ins().byte_offset()));
        for v in lacking {
            self.fb.push_at(edge, Inst::XIncref(v));
        }
        self.fb.terminate_at(edge, Term::Jump(target));
        edge
    }

    /// Push `src`: borrowed or immortal, or (`owned`) a new reference.
    fn inline_push(&mut self, b: &mut Body<'_>, src: Operand, owned: bool) {
        let v = b.vars[b.owned.len()];
        match src {
            // An owned value's reference moves into the depth's variable.
            Operand::Var(s) if !owned => self.fb.push(Inst::Copy { dst: v, src: s }),
            other => self.fb.push(Inst::Move { dst: v, src: other }),
        }
        b.owned.push(owned);
    }

    /// Pop the top value, releasing it.
    fn inline_pop(&mut self, b: &mut Body<'_>) -> Var {
        let (v, owned) = self.inline_take(b);
        if owned {
            self.fb.push(Inst::XDecref(v));
        }
        v
    }

    /// Pop the top value, keeping its reference: (its variable, whether it is owned).
    fn inline_take(&mut self, b: &mut Body<'_>) -> (Var, bool) {
        let owned = b.owned.pop().expect("the CFG checked depths");
        (b.vars[b.owned.len()], owned)
    }

    /// STORE_FAST: the top value, owned, into local `i`, releasing the local's.
    fn inline_store(&mut self, b: &mut Body<'_>, i: usize) {
        let (v, owned) = self.inline_take(b);
        if !owned {
            self.fb.push(Inst::XIncref(v));
        }
        if b.owned[i] {
            self.fb.push(Inst::XDecref(b.vars[i]));
        }
        self.fb.push(Inst::Move { dst: b.vars[i], src: Operand::Var(v) });
        b.owned[i] = true;
    }

    /// LOAD_FAST: local `i`, borrowed; a local that may be unbound (LOAD_FAST_CHECK of one
    /// that is not an argument) takes the call when it is (UnboundLocalError).
    fn inline_load(&mut self, b: &mut Body<'_>, i: usize, check: bool) {
        if check && i >= b.callee.argcount as usize {
            self.inline_bail_if_null(b, b.vars[i], false, "bound");
        }
        self.inline_push(b, Operand::Var(b.vars[i]), false);
    }

    /// A block that leaves the body where it is: releases the body's values and makes the
    /// ordinary call, or, once the path has stored, finishes the call in the interpreter from
    /// the current callee instruction with the body's values as its frame.
    fn inline_bail(&mut self, b: &Body<'_>) -> BlockId {
        self.inline_bail_releasing(b, None)
    }

    /// [`Self::inline_bail`], releasing `extra` too (a result the instruction made, NULL
    /// there, not yet on the body's stack).
    fn inline_bail_releasing(&mut self, b: &Body<'_>, extra: Option<Var>) -> BlockId {
        let off = self.ins().byte_offset();
        let blk = self.fb.new_block(format!("inline_bail_{off}"));
        if let Some(v) = extra {
            self.fb.push_at(blk, Inst::XDecref(v));
        }
        let release = |s: &mut Self, at: BlockId| {
            for (d, _) in b.owned.iter().enumerate().filter(|(_, o)| **o) {
                s.fb.push_at(at, Inst::XDecref(b.vars[d]));
            }
        };
        let Some(error) = b.resume.filter(|_| b.effected) else {
            release(self, blk);
            self.fb.terminate_at(blk, Term::Jump(b.slow));
            return blk;
        };
        // The locals, then the stack: consecutive variables (see `lower_call_maybe_inline`).
        let n = b.owned.len() as u32;
        let failed = self.fb.new_block(format!("inline_resume_failed_{off}"));
        let r = self.new_obj();
        let call = self.ins();
        let args = vec![
            Operand::TState,
            Operand::Frame,
            Operand::Var(b.callable),
            Operand::Array(b.vars[0], n),
            Operand::Imm(n as i64),
            Operand::Imm(b.unit as i64),
            Operand::Imm(call.start as i64),
            Operand::SiteCache(call.offset),
        ];
        self.fb.push_at(blk, Inst::Call { helper: Helper::ResumeInline, args, dst: Some(r), err: Some(failed) });
        release(self, blk);
        match b.instance {
            // `__init__` finished (its result is None: Plan::init); the instance is the call's.
            Some(instance) => {
                self.fb.push_at(blk, Inst::XDecref(r));
                self.fb.push_at(blk, Inst::Move { dst: b.result, src: Operand::Var(instance) });
            }
            None => self.fb.push_at(blk, Inst::Move { dst: b.result, src: Operand::Var(r) }),
        }
        self.fb.terminate_at(blk, Term::Jump(b.join));
        release(self, failed);
        if let Some(instance) = b.instance {
            self.fb.push_at(failed, Inst::XDecref(instance));
        }
        self.fb.terminate_at(failed, Term::Jump(error));
        blk
    }

    /// TO_BOOL; POP_JUMP_IF_TRUE (`if_true`) or POP_JUMP_IF_FALSE, ending callee block `cb`.
    fn inline_truth_jump(&mut self, b: &mut Body<'_>, cb: BlockIdx, if_true: bool) {
        let truth = self.inline_truth(b);
        let cfg = &b.callee.cfg;
        let edge = |kind| cfg.successor(cb, kind).expect("the CFG checked the edge");
        let taken = self.inline_edge(b, edge(EdgeKind::Jump));
        let fall = self.inline_edge(b, edge(EdgeKind::Fallthrough));
        let (then, otherwise) = if if_true { (taken, fall) } else { (fall, taken) };
        self.fb.terminate(Term::Branch { cond: Operand::Var(truth), then, otherwise });
    }

    /// The truth of the top value, popped (`quick_truth`: bools, None, ints, lists; anything
    /// else takes the call).
    fn inline_truth(&mut self, b: &mut Body<'_>) -> Var {
        let v = b.vars[b.owned.len() - 1];
        let known = self.fb.new_var(Ty::Int);
        let truth = self.fb.new_var(Ty::Int);
        self.fb.push(Inst::Op { op: SsaOp::QuickTruth, imm: Imm::None, args: vec![v], dsts: vec![known, truth], err: None });
        self.inline_bail_unless(b, known, "truth");
        self.inline_pop(b);
        truth
    }

    /// Continue where the int `cond` is non-zero; elsewhere the call is made.
    fn inline_bail_unless(&mut self, b: &Body<'_>, cond: Var, name: &str) {
        self.inline_bail_when(b, cond, false, name);
    }

    /// Leave the body where the int `cond` is non-zero (`leave_if` true) or zero, continue
    /// elsewhere.
    fn inline_bail_when(&mut self, b: &Body<'_>, cond: Var, leave_if: bool, name: &str) {
        let bail = self.inline_bail(b);
        let next = self.inline_continue(name);
        let (then, otherwise) = if leave_if { (bail, next) } else { (next, bail) };
        self.fb.terminate(Term::Branch { cond: Operand::Var(cond), then, otherwise });
        self.fb.switch_to(next);
    }

    /// Continue where `v` is not NULL; elsewhere the body is left. `made`: `v` is the
    /// instruction's new result, not yet on the body's stack.
    fn inline_bail_if_null(&mut self, b: &Body<'_>, v: Var, made: bool, name: &str) {
        let bail = self.inline_bail_releasing(b, made.then_some(v));
        let next = self.inline_continue(name);
        self.fb.terminate(Term::BranchEq { a: Operand::Var(v), b: Operand::Null, then: bail, otherwise: next });
        self.fb.switch_to(next);
    }

    /// [`Self::inline_bail`] for an error edge: the exception is forgotten first.
    fn inline_bail_clearing(&mut self, b: &Body<'_>) -> BlockId {
        let bail = self.inline_bail(b);
        let blk = self.fb.new_block(format!("inline_forget_{}", self.ins().byte_offset()));
        self.fb.push_at(blk, Inst::Call { helper: Helper::ClearError, args: vec![Operand::TState], dst: None, err: None });
        self.fb.terminate_at(blk, Term::Jump(bail));
        blk
    }

    /// The two top values as numbers of the kind `operands` says, tested (a body is left
    /// when they are not: the instruction runs in the call); `any` as for `as_doubles`.
    fn inline_numbers(&mut self, b: &mut Body<'_>, operands: Operands, any: bool) -> (Var, Var) {
        let (x, y) = (b.vars[b.owned.len() - 2], b.vars[b.owned.len() - 1]);
        let kind = match operands {
            Operands::Both(kind) => kind,
            Operands::Doubles => {
                let (ok, xd, yd) = self.as_doubles(x, y, any);
                self.inline_bail_unless(b, ok, "number");
                return (xd, yd);
            }
        };
        let (test, unbox) = match kind {
            GuardKind::Float => (SsaOp::IsFloat, SsaOp::UnboxFloat),
            _ => (SsaOp::IsCompactInt, SsaOp::UnboxInt),
        };
        for v in [x, y] {
            let ok = self.op1(test, Imm::None, vec![v]);
            self.inline_bail_unless(b, ok, "number");
        }
        (self.op1(unbox, Imm::None, vec![x]), self.op1(unbox, Imm::None, vec![y]))
    }

    /// The type version and index of a callee's attribute instruction, as relocated words of its
    /// feedback.
    fn inline_attr_cache(&mut self, b: &Body<'_>, ins: &Instr) -> (Var, Var) {
        let field = |f: caches::CacheField, w| Operand::Cache(b.callee.base + ins.offset + f.unit, w);
        let tvv = self.fb.new_var(Ty::Word);
        self.fb.push(Inst::Move { dst: tvv, src: field(caches::ATTR_TYPE_VERSION, CacheWidth::U32) });
        let idx = self.fb.new_var(Ty::Word);
        self.fb.push(Inst::Move { dst: idx, src: field(caches::ATTR_INDEX, CacheWidth::U16) });
        (tvv, idx)
    }

    /// A new block of the body.
    fn inline_continue(&mut self, name: &str) -> BlockId {
        self.fb.new_block(format!("inline_{name}_{}", self.ins().byte_offset()))
    }

    /// CALL 1 after a load of a `math` function: the function computed inline where the
    /// callable is still that function and its argument an exact float or a compact int in its
    /// domain (as `lower_math_call`); anywhere else, and after any other callable, the body is
    /// left for the call.
    fn inline_math_call(&mut self, b: &mut Body<'_>) {
        let base = b.owned.len() - 3;
        let Some(&(_, m, k)) = b.math_at.iter().find(|&&(d, ..)| d == base) else {
            let bail = self.inline_bail(b);
            self.fb.terminate(Term::Jump(bail));
            return;
        };
        b.math_at.retain(|&(d, ..)| d < base);
        let (callable, arg) = (b.vars[base], b.vars[base + 2]);
        let f = self.fb.new_var(Ty::Obj);
        self.fb.push(Inst::Move { dst: f, src: Operand::Const(k) });
        let same = self.op1(SsaOp::Is, Imm::Int(0), vec![callable, f]);
        self.inline_bail_unless(b, same, "math");
        // (As two operands of true division: the second is the argument again.)
        let (number, x, _) = self.as_doubles(arg, arg, true);
        self.inline_bail_unless(b, number, "math_arg");
        let [inside, y] = [Ty::Int, Ty::F64].map(|t| self.fb.new_var(t));
        self.fb.push(Inst::Op { op: SsaOp::MathCall, imm: Imm::Int(m as i64), args: vec![x], dsts: vec![inside, y], err: None });
        self.inline_bail_unless(b, inside, m.name());
        let r = self.new_obj();
        let err = self.inline_bail_clearing(b);
        self.fb.push(Inst::Call { helper: Helper::BoxFloat, args: vec![Operand::Var(y)], dst: Some(r), err: Some(err) });
        for _ in 0..3 {
            self.inline_pop(b);
        }
        self.inline_push(b, Operand::Var(r), true);
    }

    fn inline_instr(&mut self, b: &mut Body<'_>, cb: BlockIdx, ins: &Instr) {
        use crate::ir::Singleton;
        use Opcode as O;
        let cfg = &b.callee.cfg;
        let succ = |kind| cfg.successor(cb, kind).expect("the CFG checked the edge");
        let top = |b: &Body<'_>| b.vars[b.owned.len() - 1];
        match ins.opcode {
            O::Resume | O::Nop | O::NotTaken => {}
            O::LoadFast | O::LoadFastBorrow | O::LoadFastCheck => self.inline_load(b, ins.oparg as usize, ins.opcode == O::LoadFastCheck),
            O::LoadFastLoadFast | O::LoadFastBorrowLoadFastBorrow => {
                self.inline_load(b, (ins.oparg >> 4) as usize, false);
                self.inline_load(b, (ins.oparg & 15) as usize, false);
            }
            O::StoreFast => self.inline_store(b, ins.oparg as usize),
            O::StoreFastLoadFast => {
                self.inline_store(b, (ins.oparg >> 4) as usize);
                self.inline_load(b, (ins.oparg & 15) as usize, false);
            }
            O::StoreFastStoreFast => {
                self.inline_store(b, (ins.oparg >> 4) as usize);
                self.inline_store(b, (ins.oparg & 15) as usize);
            }
            O::BinaryOp if arithmetic(ins).is_some() => {
                let (operands, op, divides) = arithmetic(ins).expect("checked by the guard");
                let (x, y) = self.inline_numbers(b, operands, divides);
                let float = operands != Operands::Both(GuardKind::CompactInt);
                let z = match divides {
                    false => self.op1(op, Imm::None, vec![x, y]),
                    true => {
                        let is_zero = self.is_zero(y, float, &mut None);
                        self.inline_bail_when(b, is_zero, true, "divisor");
                        // (Its ZeroDivisionError edge is never taken: the divisor is not zero.)
                        let err = self.inline_bail_clearing(b);
                        let ty = if float { Ty::F64 } else { Ty::I64 };
                        let z = self.fb.new_var(ty);
                        self.fb.push(Inst::Op { op, imm: Imm::None, args: vec![x, y], dsts: vec![z], err: Some(err) });
                        z
                    }
                };
                // Boxing fails only with MemoryError: forgotten, and the call computes again.
                let r = self.new_obj();
                let helper = if float { Helper::BoxFloat } else { Helper::BoxInt };
                let err = self.inline_bail_clearing(b);
                self.fb.push(Inst::Call { helper, args: vec![Operand::Var(z)], dst: Some(r), err: Some(err) });
                self.inline_pop(b);
                self.inline_pop(b);
                self.inline_push(b, Operand::Var(r), true);
            }
            O::CompareOp => {
                let (kind, op) = numeric_compare(ins.stored).expect("plan checked the feedback");
                let (x, y) = self.inline_numbers(b, Operands::Both(kind), false);
                let c = self.op1(op, Imm::Int((ins.oparg >> 5) as i64), vec![x, y]);
                self.inline_pop(b);
                self.inline_pop(b);
                let r = self.op1(SsaOp::Bool, Imm::None, vec![c]);
                self.inline_push(b, Operand::Var(r), false);
            }
            O::CopyFreeVars => {
                let n = ins.oparg as usize;
                let nlocals = b.callee.nlocalsplus as usize;
                for j in 0..n {
                    let cell = self.op1(SsaOp::ClosureCell, Imm::Int(j as i64), vec![b.callable]);
                    let slot = nlocals - n + j;
                    if b.owned[slot] {
                        self.fb.push(Inst::XDecref(b.vars[slot]));
                    }
                    self.fb.push(Inst::Move { dst: b.vars[slot], src: Operand::Var(cell) });
                    b.owned[slot] = true;
                }
            }
            O::LoadDeref => {
                // Each test before the instruction's pops and pushes: a body left there resumes
                // at the instruction.
                let content = self.op1(SsaOp::CellGet, Imm::None, vec![b.vars[ins.oparg as usize]]);
                self.inline_bail_if_null(b, content, true, "deref");
                self.inline_push(b, Operand::Var(content), true);
            }
            O::BinaryOp => {
                let tuple = ins.stored == O::BinaryOpSubscrTupleInt;
                let (seq, index) = (b.vars[b.owned.len() - 2], top(b));
                let item = self.op1(SsaOp::ItemRead, Imm::Int(tuple as i64), vec![seq, index]);
                self.inline_bail_if_null(b, item, true, "item");
                self.inline_pop(b);
                self.inline_pop(b);
                self.inline_push(b, Operand::Var(item), true);
            }
            O::LoadSmallInt => self.inline_push(b, Operand::SmallInt(ins.oparg), false),
            O::LoadConst => {
                self.inline_push(b, b.callee.consts[ins.oparg as usize], false);
            }
            // A borrowed alias: nothing the body does can free what it copies.
            O::Copy => self.inline_push(b, Operand::Var(b.vars[b.owned.len() - ins.oparg as usize]), false),
            O::Swap => {
                let (i, j) = (b.owned.len() - 1, b.owned.len() - ins.oparg as usize);
                let t = self.new_obj();
                self.fb.push(Inst::Move { dst: t, src: Operand::Var(b.vars[i]) });
                self.fb.push(Inst::Move { dst: b.vars[i], src: Operand::Var(b.vars[j]) });
                self.fb.push(Inst::Move { dst: b.vars[j], src: Operand::Var(t) });
                b.owned.swap(i, j);
            }
            O::PopTop => {
                self.inline_pop(b);
            }
            O::LoadGlobal => {
                // The function's globals, then its builtins, through the site's cell; a name
                // unbound, or a lookup that could run code, leaves the body (the call raises).
                let r = self.new_obj();
                let err = self.inline_bail_clearing(b);
                let args = vec![
                    Operand::Var(b.callable),
                    Operand::Name(b.callee.names_base + (ins.oparg >> 1)),
                    Operand::SiteCache(b.callee.base + ins.offset),
                ];
                self.fb.push(Inst::Call { helper: Helper::LoadGlobalIn, args, dst: Some(r), err: Some(err) });
                let depth = b.owned.len();
                b.math_at.retain(|&(d, ..)| d < depth);
                if let Some(&(_, m, k)) = b.callee.math_calls.iter().find(|&&(u, ..)| u == ins.offset) {
                    b.math_at.push((depth, m, k));
                }
                self.inline_push(b, Operand::Var(r), true);
                if ins.oparg & 1 == 1 {
                    // (NULL counts as owned: releasing it is a no-op.)
                    self.inline_push(b, Operand::Null, true);
                }
            }
            O::Call => self.inline_math_call(b),
            O::LoadAttr => {
                let inline_values = attr_feedback(cfg, ins).expect("plan checked the feedback");
                let (tvv, idx) = self.inline_attr_cache(b, ins);
                let name = self.fb.new_var(Ty::Obj);
                self.fb.push(Inst::Move { dst: name, src: Operand::Name(b.callee.names_base + (ins.oparg >> 1)) });
                // The site's own cache of the types it meets, in the callee's part of the units.
                let site = self.fb.new_var(Ty::Word);
                self.fb.push(Inst::Move { dst: site, src: Operand::SiteCache(b.callee.base + ins.offset) });
                let owner = top(b);
                let value = self.op1(SsaOp::AttrRead, Imm::Int(inline_values as i64), vec![owner, tvv, idx, name, site]);
                self.inline_bail_if_null(b, value, true, "attr");
                self.inline_pop(b);
                self.inline_push(b, Operand::Var(value), true);
            }
            O::StoreAttr => {
                // `owner.name = value`: the owner on top.
                let inline_values = attr_feedback(cfg, ins).expect("plan checked the feedback");
                let (tvv, idx) = self.inline_attr_cache(b, ins);
                let (owner, value) = (top(b), b.vars[b.owned.len() - 2]);
                let done = self.op1(SsaOp::AttrWrite, Imm::Int(inline_values as i64), vec![owner, tvv, idx, value]);
                self.inline_bail_unless(b, done, "store");
                b.effected = true;
                self.inline_pop(b);
                self.inline_pop(b);
            }
            O::ToBool => {
                let truth = self.inline_truth(b);
                let r = self.op1(SsaOp::Bool, Imm::None, vec![truth]);
                self.inline_push(b, Operand::Var(r), false);
            }
            O::UnaryNot => {
                // As the interpreter's: True exactly when the operand is False (TO_BOOL made it
                // a bool).
                let v = top(b);
                let f = self.fb.new_var(Ty::Obj);
                self.fb.push(Inst::Move { dst: f, src: Operand::Singleton(Singleton::False) });
                let is_false = self.op1(SsaOp::Is, Imm::Int(0), vec![v, f]);
                self.inline_pop(b);
                let r = self.op1(SsaOp::Bool, Imm::None, vec![is_false]);
                self.inline_push(b, Operand::Var(r), false);
            }
            O::IsOp => {
                let (x, y) = (b.vars[b.owned.len() - 2], top(b));
                let c = self.op1(SsaOp::Is, Imm::Int((ins.oparg & 1) as i64), vec![x, y]);
                self.inline_pop(b);
                self.inline_pop(b);
                let r = self.op1(SsaOp::Bool, Imm::None, vec![c]);
                self.inline_push(b, Operand::Var(r), false);
            }
            O::PopJumpIfTrue | O::PopJumpIfFalse | O::PopJumpIfNone | O::PopJumpIfNotNone => {
                let against = match ins.opcode {
                    O::PopJumpIfTrue | O::PopJumpIfFalse => Singleton::True,
                    _ => Singleton::None,
                };
                let s = self.fb.new_var(Ty::Obj);
                self.fb.push(Inst::Move { dst: s, src: Operand::Singleton(against) });
                let c = self.op1(SsaOp::Is, Imm::Int(0), vec![top(b), s]);
                self.inline_pop(b);
                let taken = self.inline_edge(b, succ(EdgeKind::Jump));
                let fall = self.inline_edge(b, succ(EdgeKind::Fallthrough));
                let (then, otherwise) = match ins.opcode {
                    O::PopJumpIfTrue | O::PopJumpIfNone => (taken, fall),
                    _ => (fall, taken),
                };
                self.fb.terminate(Term::Branch { cond: Operand::Var(c), then, otherwise });
            }
            O::JumpForward => {
                let t = self.inline_edge(b, succ(EdgeKind::Jump));
                self.fb.terminate(Term::Jump(t));
            }
            O::ReturnValue => {
                let v = top(b);
                let owned = b.owned.pop().expect("the CFG checked depths");
                match b.instance {
                    // `None` (Plan::init): the call's result is the instance.
                    Some(instance) => {
                        if owned {
                            self.fb.push(Inst::XDecref(v));
                        }
                        self.fb.push(Inst::Move { dst: b.result, src: Operand::Var(instance) });
                    }
                    None => {
                        if !owned {
                            self.fb.push(Inst::XIncref(v));
                        }
                        self.fb.push(Inst::Move { dst: b.result, src: Operand::Var(v) });
                    }
                }
                while !b.owned.is_empty() {
                    self.inline_pop(b);
                }
                self.fb.terminate(Term::Jump(b.join));
            }
            _ => unreachable!("plan accepted only the opcodes lowered here"),
        }
    }
}
