//! The C runtime's interface (`csrc/runtime.h`): its functions, mirrored; its records and
//! constants come from `runtime-abi`, which also generates their C definitions.
use std::ffi::{c_char, c_int, c_void};

// The records and constants shared with C are declared once, in runtime-abi; the C side is
// generated from them (build.rs).
pub use runtime_abi::abi::{CoirAbi, CoirCodeState, CoirCounters, CoirEntryFn, CompileMode, Fallback};

/// Entries written by `coir_code_facts` (`COIR_CODE_FACTS`).
pub const CODE_FACTS: usize = runtime_abi::abi::CodeFact::COUNT;

unsafe extern "C" {
    pub static coir_counters: CoirCounters;
    pub static mut coir_inflight: std::ffi::c_long;
    pub fn coir_get_abi(abi: *mut CoirAbi);
    pub fn coir_code_state(code: *mut c_void, create: c_int) -> *mut CoirCodeState;
    /// Fills `CODE_FACTS` words (see runtime.h).
    pub fn coir_code_facts(code: *mut c_void, out: *mut usize);
    pub fn coir_init() -> c_int;
    pub fn coir_enable(threshold: c_int, only_explicit: c_int);
    pub fn coir_disable();
    pub fn coir_rearm() -> c_int;
    pub fn coir_set_background(on: c_int);
    pub fn coir_set_hot_calls(n: std::ffi::c_long);
    pub fn coir_is_enabled() -> c_int;
    pub fn coir_is_armed() -> c_int;
    pub fn coir_get_threshold() -> c_int;
    pub fn coir_is_explicit_only() -> c_int;
    /// CPython's perf-map API (3.12+): appends `ADDR SIZE NAME` to /tmp/perf-<pid>.map,
    /// opening it on first use; thread-safe (its own lock). 0 on success.
    pub fn PyUnstable_WritePerfMapEntry(code_addr: *const c_void, code_size: std::ffi::c_uint, entry_name: *const c_char) -> c_int;
}
