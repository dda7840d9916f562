//! # gcc-backend
//!
//! Compiles an [`ir_cfg::ssa::Function`] through libgccjit (GCC 12's API, the `gccjit` crate
//! without `master`; at run time GCC 14's where `setup.sh` put it, see [`libgccjit`]) into a native function `PyObject *f(PyThreadState *, _PyInterpreterFrame *)`.
//!
//! The backend knows nothing of CPython's headers: struct offsets, refcount constants and the
//! addresses of runtime helpers arrive as an [`Abi`] made by `cpython-patch` from the real
//! headers; the constants of one code object arrive as [`CodeConsts`]. Reference counting is
//! emitted inline (small internal functions GCC inlines); helpers are called through constant
//! function pointers, checked against the helper table's signature.
//!
//! GCC itself (libgccjit's playback) runs in a child process forked per compile, whose exit
//! frees what libgccjit 12 loses per compile ([`isolate`]; `COIR_GCC_ISOLATE=0`: in-process).
//!
//! Dumps: [`Options::dump_dir`] writes, per function, the IR text and dot, libgccjit's C-like
//! dump, the initial GIMPLE, the assembly and a C reproducer ([`Artefact`]).
#![deny(missing_docs)]

mod cache;
mod emit;
pub mod half_power;
pub mod isolate;
pub mod libgccjit;
pub mod shield;

pub use cache::{trim as trim_code_cache, trim_in_background as trim_code_cache_in_background};

use std::collections::HashMap;
use std::path::PathBuf;

use ir_cfg::Helper;
pub use runtime_abi::abi::{BuiltinType, LayoutFacts};
use ir_cfg::ssa::Function;
use thiserror::Error;
pub use emit::Unit;

/// Facts about the target interpreter, extracted from its headers by `cpython-patch`.
#[derive(Clone, Debug, Default)]
pub struct Abi {
    /// The layout facts (offsets, masks, refcount and stackref constants), declared once in
    /// `runtime-abi` and computed by the C runtime; `abi.frame_localsplus` etc. read them.
    pub facts: LayoutFacts,
    /// Addresses of the singletons, in [`SINGLETONS`]' order.
    pub singletons: [usize; 3],
    /// Addresses of the small ints 0..`runtime_abi::abi::SMALL_INTS`.
    pub small_ints: Vec<usize>,
    /// Addresses of the builtin types guards test for, by [`BuiltinType`].
    pub types: [usize; BuiltinType::COUNT],
    /// Addresses of the `math` functions computed inline, by `MathFn` (0 if missing).
    pub math: [usize; runtime_abi::abi::MathFn::COUNT],
    /// Address of every runtime helper.
    pub helpers: HashMap<Helper, usize>,
}

impl std::ops::Deref for Abi {
    type Target = LayoutFacts;
    fn deref(&self) -> &LayoutFacts {
        &self.facts
    }
}

impl Abi {
    /// The facts that shape machine code (everything but addresses).
    pub fn layout_facts(&self) -> Vec<u64> {
        self.facts.words()
    }
}

/// The objects one code object's native code refers to (borrowed: the code object owns them,
/// and compiled code dies with it).
#[derive(Clone, Debug, Default)]
pub struct CodeConsts {
    /// `co_consts[i]`.
    pub consts: Vec<usize>,
    /// `co_names[i]`.
    pub names: Vec<usize>,
    /// `_PyCode_CODE(code)`: the first code unit, for `instr_ptr`.
    pub code_base: usize,
    /// The adaptive code the function was lowered from (feedback read at compile time names
    /// objects and versions by their inline-cache field here: `Reloc::Cache`).
    pub adaptive: Vec<u8>,
}

/// A dump artefact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Artefact {
    /// The IR as text (`.ir`).
    Ir,
    /// The IR's CFG as Graphviz dot (`.dot`).
    Dot,
    /// libgccjit's C-like dump of the context (`.c`).
    CDump,
    /// The initial GIMPLE (`.gimple`).
    Gimple,
    /// The generated assembly (`.s`).
    Asm,
    /// A C program that replays the libgccjit calls (`.repro.c`).
    Reproducer,
}

impl Artefact {
    /// All artefacts.
    pub const ALL: [Artefact; 6] =
        [Artefact::Ir, Artefact::Dot, Artefact::CDump, Artefact::Gimple, Artefact::Asm, Artefact::Reproducer];

    /// File suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            Artefact::Ir => "ir",
            Artefact::Dot => "dot",
            Artefact::CDump => "c",
            Artefact::Gimple => "gimple",
            Artefact::Asm => "s",
            Artefact::Reproducer => "repro.c",
        }
    }

    /// The artefact named by a stage name (`ir`, `dot`, `c`, `gimple`, `asm`, `reproducer`).
    pub fn from_name(s: &str) -> Option<Artefact> {
        Some(match s {
            "ir" => Artefact::Ir,
            "dot" => Artefact::Dot,
            "c" | "cdump" => Artefact::CDump,
            "gimple" => Artefact::Gimple,
            "asm" | "s" => Artefact::Asm,
            "reproducer" | "repro" => Artefact::Reproducer,
            _ => return None,
        })
    }
}

/// Compilation options.
#[derive(Clone, Debug)]
pub struct Options {
    /// GCC optimisation level 0..=3: 3 is -O3 where the loaded libgccjit supports it
    /// ([`libgccjit::supports_o3`]); otherwise it is treated as 2 (GCC 12's libgccjit has been
    /// seen to crash at -O3 on this backend's output).
    pub opt_level: u8,
    /// Where to write dumps (`<dir>/<name>.<suffix>`), if anywhere.
    pub dump_dir: Option<PathBuf>,
    /// Which artefacts to write.
    pub artefacts: Vec<Artefact>,
    /// A unique file stem for this function's dumps.
    pub dump_stem: String,
    /// Where compiled code is kept across processes (None: nowhere), keyed by everything
    /// that decides the machine code.
    pub cache_dir: Option<PathBuf>,
    /// Deopt stress mode (`COIR_DEOPT_STRESS=1`): every guard fails on its first execution,
    /// so each deoptimisation path runs.
    pub deopt_stress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { opt_level: 2, dump_dir: None, artefacts: Artefact::ALL.to_vec(), dump_stem: "func".into(), cache_dir: None, deopt_stress: false }
    }
}

/// Why compilation failed.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum BackendError {
    /// The ABI lacks a helper address.
    #[error("runtime helper {0} has no address")]
    MissingHelper(&'static str),
    /// An operand refers to a constant or name the code object does not have.
    #[error("operand out of range: {0}")]
    BadOperand(String),
    /// libgccjit refused the code.
    #[error("libgccjit: {0}")]
    Gcc(String),
    /// A dump could not be written.
    #[error("dump: {0}")]
    Dump(String),
    /// The process is ending and the compile was stopped ([`isolate::cancel_all`]): no fault.
    #[error("compile stopped: the process is ending")]
    Cancelled,
}

/// The native entry point's type: `relocs` is [`Compiled::relocs`].
pub type EntryFn = unsafe extern "C" fn(tstate: *mut u8, frame: *mut u8, relocs: *const usize) -> *mut u8;

/// A process-specific address that compiled code reads from its relocation table instead of
/// embedding it, so that the same machine code serves every process (the on-disk cache).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reloc {
    /// `co_consts[i]`.
    Const(u32),
    /// `co_names[i]`.
    Name(u32),
    /// An immortal singleton.
    Singleton(ir_cfg::Singleton),
    /// The small int `i`.
    SmallInt(u32),
    /// A runtime helper.
    Helper(Helper),
    /// `_PyCode_CODE(code)`, the base of `instr_ptr` values.
    CodeBase,
    /// A builtin type's address.
    Type(BuiltinType),
    /// The inline-cache field at code unit `u` of [`CodeConsts::adaptive`], zero-extended.
    Cache(u32, ir_cfg::CacheWidth),
    /// Word `k` of the attribute load at code unit `u`'s own cache (see `Operand::SiteCache`):
    /// writable, 0 at first.
    SiteCache(u32, u32),
    /// Guard `n`'s word of state: its failure count (in deopt stress mode, also what makes
    /// its first execution fail). Starts at 0.
    GuardState(u32),
}

/// The cache widths in the order [`Reloc::encode`] numbers them.
const WIDTHS: [ir_cfg::CacheWidth; 3] = [ir_cfg::CacheWidth::U16, ir_cfg::CacheWidth::U32, ir_cfg::CacheWidth::Word];
/// The singletons in the order of [`Abi::singletons`] (and of [`Reloc::encode`]'s numbers).
pub const SINGLETONS: [ir_cfg::Singleton; 3] = [ir_cfg::Singleton::None, ir_cfg::Singleton::True, ir_cfg::Singleton::False];

/// `s`'s index in [`SINGLETONS`].
pub(crate) fn singleton_index(s: ir_cfg::Singleton) -> usize {
    SINGLETONS.iter().position(|&x| x == s).expect("every singleton is listed")
}

impl Reloc {
    /// Three words naming the relocation, which [`Reloc::decode`] reads back: what the
    /// compiled object keeps of its relocation table, so that a later process that finds the
    /// object in the cache builds the table without emitting the function again.
    pub(crate) fn encode(self) -> [u32; 3] {
        let width = |w| WIDTHS.iter().position(|&x| x == w);
        match self {
            Reloc::Const(i) => [0, i, 0],
            Reloc::Name(i) => [1, i, 0],
            Reloc::Singleton(s) => [2, singleton_index(s) as u32, 0],
            Reloc::SmallInt(i) => [3, i, 0],
            Reloc::Helper(h) => [4, Helper::ALL.iter().position(|&x| x == h).expect("every helper") as u32, 0],
            Reloc::CodeBase => [5, 0, 0],
            Reloc::Type(t) => [6, t as u32, 0],
            Reloc::Cache(u, w) => [7, u, width(w).expect("every width") as u32],
            Reloc::SiteCache(u, k) => [8, u, k],
            Reloc::GuardState(n) => [9, n, 0],
        }
    }

    /// The relocation [`Reloc::encode`] wrote, or None for words it never writes.
    pub(crate) fn decode([kind, a, b]: [u32; 3]) -> Option<Reloc> {
        Some(match kind {
            0 => Reloc::Const(a),
            1 => Reloc::Name(a),
            2 => Reloc::Singleton(*SINGLETONS.get(a as usize)?),
            3 => Reloc::SmallInt(a),
            4 => Reloc::Helper(*Helper::ALL.get(a as usize)?),
            5 => Reloc::CodeBase,
            6 => Reloc::Type(*BuiltinType::ALL.get(a as usize)?),
            7 => Reloc::Cache(a, *WIDTHS.get(b as usize)?),
            8 => Reloc::SiteCache(a, b),
            9 => Reloc::GuardState(a),
            _ => return None,
        })
    }
}

/// Compiled native code; the code stays valid as long as this value lives.
pub struct Compiled {
    _loaded: cache::Loaded,
    relocs: Box<[usize]>,
    entry: EntryFn,
    /// Wall-clock seconds spent in libgccjit (or loading from the cache).
    pub gcc_seconds: f64,
    /// Whether the code came from the on-disk cache.
    pub cached: bool,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").field("entry", &(self.entry as usize)).finish()
    }
}

// SAFETY: the compiled code is immutable machine code; libgccjit's result handle is only
// released on drop, which the owner serialises (CPython's GIL).
unsafe impl Send for Compiled {}

impl Compiled {
    /// The entry point.
    pub fn entry(&self) -> EntryFn {
        self.entry
    }

    /// The size in bytes of the entry function's machine code (its ELF symbol size; 0 if the
    /// loader does not know it), e.g. for a profiler's map of code addresses.
    pub fn code_size(&self) -> usize {
        self._loaded.entry_size
    }

    /// The relocation table to pass to [`Compiled::entry`] (lives as long as `self`).
    pub fn relocs(&self) -> *const usize {
        self.relocs.as_ptr()
    }
}

fn check_helpers(abi: &Abi) -> Result<(), BackendError> {
    match Helper::ALL.iter().find(|h| !abi.helpers.contains_key(h)) {
        Some(h) => Err(BackendError::MissingHelper(h.symbol())),
        None => Ok(()),
    }
}

/// Compile `f` for a code object with constants `consts`.
pub fn compile(f: &Function, abi: &Abi, consts: &CodeConsts, opts: &Options) -> Result<Compiled, BackendError> {
    check_helpers(abi)?;
    emit::compile(f, abi, consts, opts)
}

/// Compile several functions in one run of GCC (see [`Unit`]); one result per unit, in order.
pub fn compile_batch(units: &[Unit<'_>], abi: &Abi) -> Vec<Result<Compiled, BackendError>> {
    match check_helpers(abi) {
        Ok(()) => emit::compile_batch(units, abi),
        Err(e) => units.iter().map(|_| Err(e.clone())).collect(),
    }
}

#[cfg(test)]
mod reloc_tests {
    use super::*;

    /// What a cached object keeps of its relocation table reads back as written, for every
    /// kind; words no encoding writes are refused.
    #[test]
    fn relocations_read_back_as_encoded() {
        let mut all = vec![Reloc::Const(7), Reloc::Name(3), Reloc::SmallInt(255), Reloc::CodeBase, Reloc::SiteCache(40, 2), Reloc::GuardState(9)];
        all.extend(SINGLETONS.map(Reloc::Singleton));
        all.extend(Helper::ALL.iter().map(|&h| Reloc::Helper(h)));
        all.extend(BuiltinType::ALL.iter().map(|&t| Reloc::Type(t)));
        all.extend(WIDTHS.map(|w| Reloc::Cache(12, w)));
        for r in all {
            assert_eq!(Reloc::decode(r.encode()), Some(r), "{r:?}");
        }
        for bad in [[10, 0, 0], [2, 3, 0], [4, Helper::ALL.len() as u32, 0], [6, BuiltinType::COUNT as u32, 0], [7, 0, 3]] {
            assert_eq!(Reloc::decode(bad), None, "{bad:?}");
        }
    }
}
