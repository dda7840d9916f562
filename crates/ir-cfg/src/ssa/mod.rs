//! The SSA IR of the optimising tier (issue 7), stage 1: typed values defined once, blocks
//! with parameters, one table of operations ([`ops`]) from which the builder, the printer and
//! the verifier take every fact about an operation.
//!
//! - [`entities`]: typed ids (`Value`, `Block`, `Inst`, `Variable`);
//! - [`ops`]: types, effects and the operation table;
//! - [`function`]: the function (values, instructions, blocks, terminators);
//! - [`builder`]: SSA construction from assigned variables (Braun et al.);
//! - [`verify`]: types, shapes, error edges, dominance, and reference ownership (`ownership`);
//! - [`from_vars`]: today's lowered code in SSA form (the bridge while lowering moves over).
pub mod builder;
pub mod entities;
pub mod from_vars;
pub mod function;
pub mod ops;
mod ownership;
pub mod passes;
mod print;
pub mod verify;

pub use builder::{BuildError, SsaBuilder};
pub use entities::{Block, EntityRef, Inst, Value, Variable};
pub use from_vars::from_vars;
pub use function::{BlockCall, BlockData, Function, InstData, Terminator, ValueData, ValueDef};
pub use ops::{ArgRef, ArrayArg, Effects, FrameState, GuardKind, HelperCall, Imm, Opcode, ResultRef, StackSlot, Type};
pub use verify::{verify, VerifyError};
