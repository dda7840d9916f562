//! # ir-cfg
//!
//! coir's lowered IR and the lowering into it from a [`bytecode_cfg::BytecodeCfg`], and the
//! optimising tier's SSA IR that the backend compiles.
//!
//! - [`ir`]: the IR (typed variables, blocks with explicit error edges, explicit reference
//!   counting), printable as text and Graphviz dot;
//! - [`helpers`]: the one table of runtime helpers native code calls (it lives in `runtime-abi`,
//!   which also generates the C runtime's side of it);
//! - [`builder`]: the function builder;
//! - [`lower`]: bytecode → IR, one submodule per opcode family;
//! - [`verify`]: the lowered IR's verifier, run after lowering;
//! - [`ssa`]: the SSA IR (one operation table, SSA construction, verifier with ownership, the
//!   pass pipeline); today's lowered IR is translated into it by [`ssa::from_vars`].
#![deny(missing_docs)]

pub mod builder;
pub mod ir;
pub mod lower;
pub mod ssa;
pub mod verify;

pub use runtime_abi::helpers;
/// The opargs facts (for the backend's fast paths of generic operations).
pub use bytecode_cfg::opargs;
pub use helpers::{ErrConv, Helper, Ty};

// LOAD_SMALL_INT's range is the number of small ints the ABI record carries.
const _: () = assert!(bytecode_cfg::opargs::SMALL_INT_LIMIT as usize == runtime_abi::abi::SMALL_INTS);
pub use ir::{Block, BlockId, CacheWidth, Function, Inst, Operand, Singleton, Term, Var};
pub use lower::{cold_blocks, lower, may_inline, Callee, CodeInfo, LowerError, StackMismatch, MAX_INLINE_INSTRS};
pub use verify::{verify, VerifyError};

/// Lower and verify. A verifier failure is a bug in lowering, reported as text.
pub fn lower_verified(cfg: &bytecode_cfg::BytecodeCfg, info: &CodeInfo) -> Result<Function, String> {
    let f = lower(cfg, info).map_err(|e| e.to_string())?;
    verify(&f).map_err(|errs| {
        let msgs: Vec<String> = errs.iter().take(20).map(|e| e.to_string()).collect();
        format!("internal error: IR verification failed for {}:\n{}\n{}", info.name, msgs.join("\n"), f.to_text())
    })?;
    Ok(f)
}
