//! # bytecode-cfg
//!
//! Turns the raw parts of a CPython 3.14 code object into a control-flow graph of basic blocks.
//!
//! The stages, and what each guarantees to `ir-cfg`:
//! 1. [`opcodes`] — every opcode fact (number, name, inline cache entries, stack effect,
//!    specialised→base mapping) comes from `rustpython-compiler-core`, in this one module.
//! 2. [`decode`] — the code units become [`Instr`]s: `EXTENDED_ARG` folded into the oparg,
//!    inline `CACHE` entries skipped, specialised and instrumented opcodes mapped to their base
//!    opcode (the stored form is kept as feedback), every jump target checked to land on an
//!    instruction.
//! 3. [`opargs`] — every oparg checked against the code object's tables (`co_consts`,
//!    `co_names`, localsplus) and the interpreter's tables it indexes (intrinsics, binary
//!    operators, common constants, ...), reachable or not.
//! 4. [`exception_table`] — `co_exceptiontable` decoded into sorted, non-overlapping, in-range
//!    entries.
//! 5. [`linetable`] — `co_linetable` decoded into a source line per instruction.
//! 6. [`cfg`] — basic blocks (split at jump targets, after terminators and at exception range
//!    boundaries, so a block has at most one handler), a petgraph graph with fall-through, jump
//!    and exception edges, and a stack depth before every instruction, checked to agree at every
//!    join and to stay within `co_stacksize`.
//!
//! Malformed input is a typed [`CfgError`] carrying the byte offset; nothing here panics on input
//! and nothing recurses to a depth the input controls.
#![deny(missing_docs)]

pub mod cfg;
pub mod decode;
pub mod error;
pub mod exception_table;
pub mod linetable;
pub mod opargs;
pub mod opcodes;

pub use cfg::{BasicBlock, BlockIdx, BytecodeCfg, EdgeKind, Handler};
pub use decode::Instr;
pub use error::CfgError;
pub use exception_table::ExceptionEntry;
pub use opcodes::Opcode;

/// Flag bits of `co_flags` that matter to the pipeline (CPython's `Include/cpython/code.h`).
pub mod co_flags {
    /// Fast locals: the code is a function body, not a module or class body.
    pub const OPTIMIZED: u32 = 0x0001;
    /// A new locals dict is made for the frame.
    pub const NEWLOCALS: u32 = 0x0002;
    /// Has `*args`.
    pub const VARARGS: u32 = 0x0004;
    /// Has `**kwargs`.
    pub const VARKEYWORDS: u32 = 0x0008;
    /// Nested function.
    pub const NESTED: u32 = 0x0010;
    /// Generator function.
    pub const GENERATOR: u32 = 0x0020;
    /// Coroutine (`async def`).
    pub const COROUTINE: u32 = 0x0080;
    /// Generator-based coroutine.
    pub const ITERABLE_COROUTINE: u32 = 0x0100;
    /// Async generator.
    pub const ASYNC_GENERATOR: u32 = 0x0200;
    /// Any of the kinds whose call makes an object that runs the frame when resumed
    /// (generators, coroutines, async generators).
    pub const ANY_GENERATOR: u32 = GENERATOR | COROUTINE | ITERABLE_COROUTINE | ASYNC_GENERATOR;
}

/// The raw parts of a code object that the CFG is built from. Names and constants are opaque
/// indices here; only their counts are needed to check opargs.
#[derive(Clone, Debug, Default)]
pub struct CodeInput<'a> {
    /// `co_code` as bytes: base opcodes, inline caches as zero (`PyCode_GetCode`).
    pub code: &'a [u8],
    /// `co_code_adaptive` at the time of compilation, if available: specialised opcodes and
    /// live inline caches, used only as feedback. Must have the same length as `code`.
    pub adaptive: Option<&'a [u8]>,
    /// `co_exceptiontable`.
    pub exception_table: &'a [u8],
    /// `co_linetable`.
    pub linetable: &'a [u8],
    /// `co_firstlineno`.
    pub first_line: i32,
    /// `co_flags`.
    pub flags: u32,
    /// `co_argcount`.
    pub argcount: u32,
    /// Number of `localsplus` slots (locals, cells and free variables).
    pub nlocalsplus: u32,
    /// `co_stacksize`.
    pub stacksize: u32,
    /// `len(co_consts)`.
    pub nconsts: u32,
    /// `len(co_names)`.
    pub nnames: u32,
}
