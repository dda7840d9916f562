//! The C runtime's interface: its records, constants, functions and globals come from
//! `runtime-abi`, which also generates their C declarations (`coir_facts.h`).
use std::ffi::{c_char, c_int, c_void};

// The records and constants shared with C are declared once, in runtime-abi; the C side is
// generated from them (build.rs).
pub use runtime_abi::abi::{CoirAbi, CoirCodeState, CoirEntryFn, CompileMode, Fallback};

/// Entries written by `coir_code_facts` (`COIR_CODE_FACTS`).
pub const CODE_FACTS: usize = runtime_abi::abi::CodeFact::COUNT;

/// The functions and globals of the C runtime (declared once, in `runtime-abi`).
pub use runtime_abi::api::*;

unsafe extern "C" {
    /// CPython's perf-map API (3.12+): appends `ADDR SIZE NAME` to /tmp/perf-<pid>.map,
    /// opening it on first use; thread-safe (its own lock). 0 on success.
    pub fn PyUnstable_WritePerfMapEntry(code_addr: *const c_void, code_size: std::ffi::c_uint, entry_name: *const c_char) -> c_int;
}
