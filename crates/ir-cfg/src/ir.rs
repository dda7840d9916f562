//! The IR: a function is a list of blocks of instructions ending in a terminator. Values live
//! in typed variables (`v3`), which the backend turns into C locals; stack slot `d` of the
//! bytecode is always variable `v{d}`, so joins need no moves. Every fallible instruction
//! names its error block; error blocks are ordinary blocks built from the exception table.
//! Reference counting is explicit (`incref`, `decref`, `xdecref`); the verifier checks it.
use std::fmt::{self, Write};

use crate::helpers::{Helper, Ty};

/// A variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub u32);

/// A block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub u32);

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bb{}", self.0)
    }
}

/// Immortal singletons native code may refer to directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Singleton {
    /// `None`.
    None,
    /// `True`.
    True,
    /// `False`.
    False,
}

/// The width of an inline-cache field read as an operand (see [`Operand::Cache`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheWidth {
    /// One code unit (`read_u16`).
    U16,
    /// Two code units (`read_u32`).
    U32,
    /// Four code units, a pointer (`read_obj`).
    Word,
}

impl CacheWidth {
    /// Its length in 16-bit code units.
    pub fn units(self) -> u32 {
        match self {
            CacheWidth::U16 => 1,
            CacheWidth::U32 => 2,
            CacheWidth::Word => 4,
        }
    }

    /// The SSA operation that reads it (also its name in the text of both IRs).
    pub fn op(self) -> crate::ssa::Opcode {
        use crate::ssa::Opcode;
        match self {
            CacheWidth::U16 => Opcode::CacheU16,
            CacheWidth::U32 => Opcode::CacheU32,
            CacheWidth::Word => Opcode::CacheWord,
        }
    }

    /// Its name in the IR text.
    pub fn name(self) -> &'static str {
        self.op().info().name
    }

    /// The field's value in little-endian code units `units` starting at byte `at` (None past
    /// the end).
    pub fn read(self, code: &[u8], at: usize) -> Option<u64> {
        let bytes = code.get(at..at + 2 * self.units() as usize)?;
        Some(bytes.iter().rev().fold(0u64, |acc, b| acc << 8 | *b as u64))
    }
}

/// An instruction operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A variable's value.
    Var(Var),
    /// The address of an object variable (an out-parameter).
    Addr(Var),
    /// The address of a run of consecutive stack-slot variables, copied to a scratch array
    /// before the call: `first` and `count`.
    Array(Var, u32),
    /// The address of a scratch array whose `count` entries are written by the call and then
    /// copied into consecutive variables starting at `first` (each becomes owned).
    OutArray(Var, u32),
    /// `co_consts[i]`, borrowed (the code object keeps it alive).
    Const(u32),
    /// `co_names[i]`, borrowed.
    Name(u32),
    /// An immortal singleton.
    Singleton(Singleton),
    /// The immortal small int `i` (0..=255), as `LOAD_SMALL_INT` pushes.
    SmallInt(u32),
    /// `NULL`.
    Null,
    /// A C int constant.
    Imm(i64),
    /// The inline-cache field of `width` at code unit `u` of the adaptive code the function was
    /// lowered from (an object the feedback names, such as a method's descriptor, or a type or
    /// dict keys version). Relocated, not an immediate: its value differs between processes
    /// (versions are numbered in the order types and dicts are first specialised on), and the
    /// code cache's key must not. Lowering and relocation read the same snapshot of the code.
    Cache(u32, CacheWidth),
    /// The address (a word) of the writable cache of the attribute load at code unit `u`
    /// (`SITE_CACHE_WORDS` words of the relocation table, zero at first).
    SiteCache(u32),
    /// The thread state.
    TState,
    /// The frame.
    Frame,
}

/// An instruction.
#[derive(Clone, Debug, PartialEq)]
pub enum Inst {
    /// Call a runtime helper; on error (per the helper's convention) go to `err`.
    Call {
        /// The helper.
        helper: Helper,
        /// Arguments, as the helper's parameters.
        args: Vec<Operand>,
        /// Where the result goes.
        dst: Option<Var>,
        /// Error block (required for fallible helpers).
        err: Option<BlockId>,
    },
    /// `dst = src`, moving ownership: an owned `src` variable is dead afterwards.
    Move {
        /// Destination.
        dst: Var,
        /// Source.
        src: Operand,
    },
    /// `dst = src` as a borrowed alias; `src` keeps its ownership.
    Copy {
        /// Destination.
        dst: Var,
        /// Source variable.
        src: Var,
    },
    /// Take a new reference: the variable becomes owned.
    Incref(Var),
    /// Take a new reference if the variable is not NULL: it becomes owned (maybe NULL).
    XIncref(Var),
    /// Release an owned, non-NULL reference.
    Decref(Var),
    /// Release an owned reference that may be NULL.
    XDecref(Var),
    /// `dst = localsplus[i]` as a borrowed reference (NULL if unbound).
    LoadLocal {
        /// Destination.
        dst: Var,
        /// Slot.
        index: u32,
    },
    /// `dst = localsplus[i]` taking its reference (owned, or NULL if unbound); the slot is left
    /// NULL (LOAD_FAST_AND_CLEAR).
    TakeLocal {
        /// Destination.
        dst: Var,
        /// Slot.
        index: u32,
    },
    /// `localsplus[i] = src`, stealing `src` (owned or NULL) and releasing the old value.
    StoreLocal {
        /// Slot.
        index: u32,
        /// Value.
        src: Var,
    },
    /// `frame->instr_ptr = code + unit`, before anything that can raise or look at the frame.
    SetInstrPtr(u32),
    /// Check the eval breaker and handle pending events; on error go to `err`.
    CheckEvalBreaker {
        /// Error block.
        err: BlockId,
    },
    /// An operation of the SSA table on variables: `dsts = op[imm](args)` (types, references
    /// and effects as [`crate::ssa::Opcode`] says; a guard's operands after the first are the
    /// stack slots of its frame state).
    Op {
        /// The operation.
        op: crate::ssa::Opcode,
        /// Its immediate.
        imm: crate::ssa::Imm,
        /// Operands.
        args: Vec<Var>,
        /// Results.
        dsts: Vec<Var>,
        /// Error block (exactly when the operation can raise).
        err: Option<BlockId>,
    },
}

/// How a block ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// Not yet terminated (only while building).
    Open,
    /// Go to a block.
    Jump(BlockId),
    /// Go to `then` if the int is non-zero, else `otherwise`.
    Branch {
        /// The int.
        cond: Operand,
        /// Non-zero.
        then: BlockId,
        /// Zero.
        otherwise: BlockId,
    },
    /// Go to `then` if the two pointers are equal, else `otherwise`.
    BranchEq {
        /// One pointer.
        a: Operand,
        /// The other.
        b: Operand,
        /// Equal.
        then: BlockId,
        /// Different.
        otherwise: BlockId,
    },
    /// Return an owned reference from the frame.
    Return(Var),
    /// Leave the frame with the current exception (returns NULL).
    Raise,
}

impl Term {
    /// Successor blocks.
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            Term::Open | Term::Return(_) | Term::Raise => vec![],
            Term::Jump(b) => vec![*b],
            Term::Branch { then, otherwise, .. } | Term::BranchEq { then, otherwise, .. } => vec![*then, *otherwise],
        }
    }
}

impl Inst {
    /// The error block, if the instruction can fail.
    pub fn error_block(&self) -> Option<BlockId> {
        match self {
            Inst::Call { err, .. } => *err,
            Inst::CheckEvalBreaker { err } => Some(*err),
            Inst::Op { err, .. } => *err,
            Inst::Move { .. }
            | Inst::Copy { .. }
            | Inst::Incref(_)
            | Inst::XIncref(_)
            | Inst::Decref(_)
            | Inst::XDecref(_)
            | Inst::LoadLocal { .. }
            | Inst::TakeLocal { .. }
            | Inst::StoreLocal { .. }
            | Inst::SetInstrPtr(_) => None,
        }
    }
}

/// A block.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// A name for dumps (`b12_FOR_ITER`, `err_34`).
    pub name: String,
    /// Instructions.
    pub insts: Vec<Inst>,
    /// Terminator.
    pub term: Term,
}

/// A lowered function.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Name (the code object's qualified name).
    pub name: String,
    /// Type of every variable.
    pub vars: Vec<Ty>,
    /// Blocks; block 0 is the entry.
    pub blocks: Vec<Block>,
    /// The longest object array an `Operand::Array` needs.
    pub max_array: u32,
    /// Number of `localsplus` slots.
    pub nlocalsplus: u32,
}

impl Function {
    /// Successors of a block, error edges included.
    pub fn successors(&self, b: BlockId) -> Vec<BlockId> {
        let blk = &self.blocks[b.0 as usize];
        let mut s: Vec<BlockId> = blk.insts.iter().filter_map(Inst::error_block).collect();
        s.extend(blk.term.successors());
        s
    }

    /// The function as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "function {} (locals {}, vars {})", self.name, self.nlocalsplus, self.vars.len());
        for (i, b) in self.blocks.iter().enumerate() {
            let _ = writeln!(s, "bb{i}: # {}", b.name);
            for inst in &b.insts {
                let _ = writeln!(s, "    {}", InstText(inst));
            }
            let _ = writeln!(s, "    {}", TermText(&b.term));
        }
        s
    }

    /// The CFG in Graphviz dot; error edges dashed.
    pub fn to_dot(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "digraph \"{}\" {{\n  node [shape=box, fontname=monospace];", self.name.replace('"', "'"));
        for (i, b) in self.blocks.iter().enumerate() {
            let _ = writeln!(s, "  bb{i} [label=\"bb{i}: {}\\l{} insts\\l\"];", b.name, b.insts.len());
            for e in b.insts.iter().filter_map(Inst::error_block) {
                let _ = writeln!(s, "  bb{i} -> {e} [style=dashed];");
            }
            for t in b.term.successors() {
                let _ = writeln!(s, "  bb{i} -> {t};");
            }
        }
        s.push_str("}\n");
        s
    }
}

struct OpText<'a>(&'a Operand);

impl fmt::Display for OpText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Operand::Var(v) => write!(f, "{v}"),
            Operand::Addr(v) => write!(f, "&{v}"),
            Operand::Array(v, n) => write!(f, "[{v};{n}]"),
            Operand::OutArray(v, n) => write!(f, "out[{v};{n}]"),
            Operand::Const(i) => write!(f, "const[{i}]"),
            Operand::Name(i) => write!(f, "name[{i}]"),
            Operand::Singleton(s) => write!(f, "{s:?}"),
            Operand::SmallInt(i) => write!(f, "int {i}"),
            Operand::Null => f.write_str("NULL"),
            Operand::Imm(i) => write!(f, "{i}"),
            Operand::Cache(u, w) => write!(f, "{} @{u}", w.name()),
            Operand::SiteCache(u) => write!(f, "site_cache @{u}"),
            Operand::TState => f.write_str("tstate"),
            Operand::Frame => f.write_str("frame"),
        }
    }
}

struct InstText<'a>(&'a Inst);

impl fmt::Display for InstText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Inst::Call { helper, args, dst, err } => {
                if let Some(d) = dst {
                    write!(f, "{d} = ")?;
                }
                let a: Vec<String> = args.iter().map(|a| OpText(a).to_string()).collect();
                write!(f, "call {helper}({})", a.join(", "))?;
                if let Some(e) = err {
                    write!(f, " err {e}")?;
                }
                Ok(())
            }
            Inst::Move { dst, src } => write!(f, "{dst} = move {}", OpText(src)),
            Inst::Copy { dst, src } => write!(f, "{dst} = copy {src}"),
            Inst::Incref(v) => write!(f, "incref {v}"),
            Inst::XIncref(v) => write!(f, "xincref {v}"),
            Inst::Decref(v) => write!(f, "decref {v}"),
            Inst::XDecref(v) => write!(f, "xdecref {v}"),
            Inst::LoadLocal { dst, index } => write!(f, "{dst} = local[{index}]"),
            Inst::TakeLocal { dst, index } => write!(f, "{dst} = take local[{index}]"),
            Inst::StoreLocal { index, src } => write!(f, "local[{index}] = {src}"),
            Inst::SetInstrPtr(u) => write!(f, "instr_ptr = {}", u * 2),
            Inst::CheckEvalBreaker { err } => write!(f, "eval_breaker err {err}"),
            Inst::Op { op, imm, args, dsts, err } => {
                if !dsts.is_empty() {
                    let d: Vec<String> = dsts.iter().map(|v| v.to_string()).collect();
                    write!(f, "{} = ", d.join(", "))?;
                }
                write!(f, "{op}")?;
                match imm {
                    crate::ssa::Imm::None => {}
                    crate::ssa::Imm::Guard(k, fs) => write!(f, " {k} @{}", fs.unit * 2)?,
                    other => write!(f, " {other:?}")?,
                }
                let a: Vec<String> = args.iter().map(|v| v.to_string()).collect();
                if !a.is_empty() {
                    write!(f, " {}", a.join(", "))?;
                }
                if let Some(e) = err {
                    write!(f, " err {e}")?;
                }
                Ok(())
            }
        }
    }
}

struct TermText<'a>(&'a Term);

impl fmt::Display for TermText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Term::Open => f.write_str("<open>"),
            Term::Jump(b) => write!(f, "jump {b}"),
            Term::Branch { cond, then, otherwise } => write!(f, "branch {} ? {then} : {otherwise}", OpText(cond)),
            Term::BranchEq { a, b, then, otherwise } => {
                write!(f, "branch {} == {} ? {then} : {otherwise}", OpText(a), OpText(b))
            }
            Term::Return(v) => write!(f, "return {v}"),
            Term::Raise => f.write_str("raise"),
        }
    }
}
