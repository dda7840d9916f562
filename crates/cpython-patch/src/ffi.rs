//! The C runtime's interface (`csrc/runtime.h`), mirrored.
use std::ffi::{c_char, c_int, c_void};

/// A helper's name and address.
#[repr(C)]
pub struct CoirHelper {
    pub name: *const c_char,
    pub addr: *mut c_void,
}

/// Layout facts (`CoirAbi` in runtime.h).
#[repr(C)]
pub struct CoirAbi {
    pub frame_localsplus: usize,
    pub frame_instr_ptr: usize,
    pub tstate_eval_breaker: usize,
    pub eval_events_mask: u64,
    pub incref_immortal_threshold: u32,
    pub stackref_tag_bits: u64,
    pub stackref_null: u64,
    pub none: *mut c_void,
    pub true_: *mut c_void,
    pub false_: *mut c_void,
    pub small_ints: [*mut c_void; 256],
    pub helpers: *const CoirHelper,
}

/// Entries written by `coir_code_facts` (`COIR_CODE_FACTS`).
pub const CODE_FACTS: usize = 6;

/// Native entry point.
pub type CoirEntryFn = unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void) -> *mut c_void;

/// Per-code state in co_extra (`CoirCodeState`).
#[repr(C)]
pub struct CoirCodeState {
    pub calls: std::ffi::c_long,
    pub entry: Option<CoirEntryFn>,
    pub relocs: *const c_void,
    pub compiled: *mut c_void,
    pub refused: c_int,
    pub forced: c_int,
    pub pending: c_int,
    pub cold: c_int,
}

/// `coir_rs_compile` modes (runtime.h).
pub const COMPILE_COLD: c_int = 0;
/// Now, fully optimised.
pub const COMPILE_NOW: c_int = 1;
/// On the compile thread, fully optimised.
pub const COMPILE_HOT: c_int = 2;

/// Counters (`CoirCounters`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CoirCounters {
    pub native_calls: u64,
    pub fallback: [u64; 3],
}

unsafe extern "C" {
    pub static coir_counters: CoirCounters;
    /// `COIR_CODE_FACTS`, checked against [`CODE_FACTS`] at import.
    pub static coir_code_facts_count: usize;
    /// `COIR_COMPILE_COLD, _NOW, _HOT`, checked against [`COMPILE_COLD`].. at import.
    pub static coir_compile_modes: [c_int; 3];
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
