//! Typed errors for malformed or unsupported bytecode. Every variant names the byte offset.
use thiserror::Error;

/// Why a code object could not be turned into a CFG. Offsets are in bytes from the start of
/// `co_code`, as `dis` prints them.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum CfgError {
    /// The code is empty or has an odd number of bytes.
    #[error("code of {len} bytes is not a whole number of code units")]
    BadLength {
        /// Length of `co_code` in bytes.
        len: usize,
    },
    /// A byte that is not an opcode of CPython 3.14.
    #[error("unknown opcode {opcode} at byte offset {offset}")]
    UnknownOpcode {
        /// The byte.
        opcode: u8,
        /// Where it is.
        offset: u32,
    },
    /// An opcode that never appears in a compiled code object (`CACHE`, `RESERVED`, ...).
    #[error("opcode {name} cannot appear in compiled code (byte offset {offset})")]
    InvalidOpcode {
        /// Opcode name.
        name: &'static str,
        /// Where it is.
        offset: u32,
    },
    /// The instruction or its inline caches run past the end of the code.
    #[error("instruction at byte offset {offset} is truncated")]
    Truncated {
        /// Where it starts.
        offset: u32,
    },
    /// A jump whose target is outside the code or inside another instruction.
    #[error("jump at byte offset {offset} targets byte offset {target}, which is not an instruction")]
    BadJumpTarget {
        /// The jump.
        offset: u32,
        /// Where it would land (may be negative).
        target: i64,
    },
    /// An oparg out of range for its table (`co_consts`, `co_names`, locals) or opcode.
    #[error("oparg {oparg} of {name} at byte offset {offset} is out of range")]
    BadOparg {
        /// Opcode name.
        name: &'static str,
        /// The oparg after `EXTENDED_ARG` folding.
        oparg: u32,
        /// Where it is.
        offset: u32,
    },
    /// An oparg outside the table or set of values its opcode selects from (see
    /// [`crate::opargs`]).
    #[error("oparg {oparg} of {name} at byte offset {offset} is out of range: {what} {limit}")]
    OpargOutOfRange {
        /// Opcode name.
        name: &'static str,
        /// The oparg after `EXTENDED_ARG` folding.
        oparg: u32,
        /// Where the opcode is.
        offset: u32,
        /// What the oparg is and what it exceeds.
        what: &'static str,
        /// The limit or table size.
        limit: u64,
    },
    /// The exception table cannot be decoded or does not fit the code.
    #[error("bad exception table at table byte {at}: {why}")]
    BadExceptionTable {
        /// Byte index into `co_exceptiontable`.
        at: usize,
        /// What is wrong.
        why: &'static str,
    },
    /// The location table cannot be decoded.
    #[error("bad line table at table byte {at}")]
    BadLineTable {
        /// Byte index into `co_linetable`.
        at: usize,
    },
    /// Two paths reach an instruction with different stack depths.
    #[error("stack depth {a} and {b} disagree at byte offset {offset}")]
    DepthMismatch {
        /// The join.
        offset: u32,
        /// One depth.
        a: u32,
        /// The other.
        b: u32,
    },
    /// An instruction pops more than is on the stack.
    #[error("stack underflow at byte offset {offset} (depth {depth}, pops {pops})")]
    StackUnderflow {
        /// The instruction.
        offset: u32,
        /// Depth before it.
        depth: u32,
        /// What it pops.
        pops: u32,
    },
    /// The stack grows beyond `co_stacksize`.
    #[error("stack depth {depth} exceeds co_stacksize {stacksize} at byte offset {offset}")]
    StackOverflow {
        /// The instruction.
        offset: u32,
        /// Depth reached.
        depth: u32,
        /// Declared maximum.
        stacksize: u32,
    },
    /// Control runs off the end of the code.
    #[error("control falls off the end of the code after byte offset {offset}")]
    FallsOffEnd {
        /// Last instruction.
        offset: u32,
    },
}
