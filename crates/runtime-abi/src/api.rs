//! The functions and globals through which the Rust side and the C runtime call each other,
//! declared once: this module is the Rust side's `extern` block (for what C implements) and
//! holds the types of what Rust implements; [`c_prototypes`] is the C side's declarations
//! (the generated header carries them, so `runtime.c`'s definitions must match).
//!
//! A Rust definition is checked against its entry with
//! `const _: runtime_abi::api::rust_fns::coir_rs_x = coir_rs_x;` (a type error if it differs).
#![allow(non_upper_case_globals)]
use std::ffi::{c_char, c_int, c_long, c_void};

use crate::abi::{CoirAbi, CoirCodeState, CoirCounters};
use crate::c::CType;

/// `void` or the result type's C spelling, around a declarator.
macro_rules! c_ret {
    ($decl:expr;) => { format!("void {}", $decl) };
    ($decl:expr; $r:ty) => { <$r as CType>::c_decl(&$decl) };
}

/// A prototype's parameter list (`void` if none).
fn params(ps: &[String]) -> String {
    if ps.is_empty() { "void".into() } else { ps.join(", ") }
}

macro_rules! c_api {
    (
        implemented_in_c { $( $(#[doc = $cd:literal])* fn $cf:ident ( $($cp:ident : $ct:ty),* ) $(-> $cr:ty)? ; )* }
        data_in_c { $( $(#[doc = $dd:literal])* $dn:ident : $dt:ty ; )* }
        implemented_in_rust { $( $(#[doc = $rd:literal])* fn $rf:ident ( $($rp:ident : $rt:ty),* ) $(-> $rr:ty)? ; )* }
    ) => {
        unsafe extern "C" {
            $( $(#[doc = $cd])* pub fn $cf($($cp: $ct),*) $(-> $cr)?; )*
            $( $(#[doc = $dd])* pub static mut $dn: $dt; )*
        }

        /// The type of each function Rust implements for C.
        #[allow(non_camel_case_types)]
        pub mod rust_fns {
            use super::*;
            $( $(#[doc = $rd])* pub type $rf = extern "C" fn($($rp: $rt),*) $(-> $rr)?; )*
        }

        /// The C declarations of everything above, one a line.
        pub fn c_prototypes() -> String {
            let mut s = String::new();
            $( s += "/* Implemented in C. */ "; s += &c_ret!(format!("{}({})", stringify!($cf), params(&[$(<$ct as CType>::c_decl(stringify!($cp))),*])); $($cr)?); s += ";\n"; )*
            $( s += "extern "; s += &<$dt as CType>::c_decl(stringify!($dn)); s += ";\n"; )*
            $( s += "/* Implemented in Rust. */ "; s += &c_ret!(format!("{}({})", stringify!($rf), params(&[$(<$rt as CType>::c_decl(stringify!($rp))),*])); $($rr)?); s += ";\n"; )*
            s
        }
    };
}

c_api! {
    implemented_in_c {
        /// Fills the ABI record (generated: `coir_facts.h`).
        fn coir_get_abi(abi: *mut CoirAbi);
        /// The code object's state (created if `create`), or NULL.
        fn coir_code_state(code: *mut c_void, create: c_int) -> *mut CoirCodeState;
        /// Writes `CodeFact::COUNT` words (`crate::abi::CodeFact`).
        fn coir_code_facts(code: *mut c_void, out: *mut usize);
        /// The code object of the functions of version `version` (what CALL_PY_EXACT_ARGS
        /// caches), borrowed, or NULL if the interpreter no longer knows it (GIL held).
        fn coir_code_by_func_version(version: u32) -> *mut c_void;
        /// The code of the method a LOAD_ATTR_METHOD_* cache names (its type version and
        /// descriptor), borrowed, or NULL unless a type of that version still exists (so the
        /// descriptor is alive) and the descriptor is a Python function (GIL held).
        fn coir_method_code(type_version: u32, descr: *mut c_void) -> *mut c_void;
        /// The code of `cls.__init__` if `cls` (any object) is a class whose calls coir
        /// allocates itself and runs `__init__` of (`plain_init_class` in runtime.c),
        /// borrowed, or NULL (GIL held; runs no Python code).
        fn coir_init_code(cls: *mut c_void) -> *mut c_void;
        /// What `name` (a str) is bound to in `dict` (an exact dict of str keys), borrowed, or
        /// NULL (GIL held; runs no Python code).
        fn coir_dict_value(dict: *mut c_void, name: *mut c_void) -> *mut c_void;
        /// The dict of `obj` if it is exactly a module, borrowed, else NULL.
        fn coir_module_dict(obj: *mut c_void) -> *mut c_void;
        /// A new reference to the `math` module's `name`, or NULL (no exception set): what
        /// `CoirAbi::math` keeps.
        fn coir_math_function(name: *const c_char) -> *mut c_void;
        /// Module initialisation; -1 with an exception set on failure.
        fn coir_init() -> c_int;
        /// Installs the hook.
        fn coir_enable(threshold: c_int, only_explicit: c_int);
        /// Profile mode: no hook; hot code found by sampling every `period_us`, compiled after
        /// `hot_samples`, entered through function vectorcalls. -1 with an exception set if no
        /// function watcher is left.
        fn coir_enable_profile(period_us: c_long, hot_samples: c_int) -> c_int;
        /// Whether profile mode is on.
        fn coir_is_profiling() -> c_int;
        /// Profile mode: route a function's calls through its compiled code.
        fn coir_attach(func: *mut c_void);
        /// While `on`, nothing compiles (as during a compile): code runs interpreted or as
        /// compiled already (`os.fork`'s window, where coir holds its locks).
        fn coir_hold_compiles(on: c_int);
        /// Stops the sampler thread (interpreter shutdown).
        fn coir_stop_sampler();
        /// After `os.fork()` (parent and child): restarts the sampler thread in profile mode.
        fn coir_sampler_after_fork();
        /// Removes the hook (and stops profile mode).
        fn coir_disable();
        /// Re-installs the hook if no monitoring tool is active; 1 if armed.
        fn coir_rearm() -> c_int;
        /// Whether hot functions compile on the worker thread.
        fn coir_set_background(on: c_int);
        /// Native calls after which cold code is recompiled optimised.
        fn coir_set_hot_calls(n: c_long);
        /// Whether `enable()` (or a `coir.jit` function) asked for the hook.
        fn coir_is_enabled() -> c_int;
        /// Whether the hook is installed now.
        fn coir_is_armed() -> c_int;
        /// The call threshold.
        fn coir_get_threshold() -> c_int;
        /// Whether only `coir.jit`/`coir.compile` functions run natively.
        fn coir_is_explicit_only() -> c_int;
    }
    data_in_c {
        /// Counters kept by the hook.
        coir_counters: CoirCounters;
        /// Background compilations queued and not yet installed; while non-zero the hook polls.
        coir_inflight: c_long;
        /// Set (atomically) by the compile thread when it has left results for
        /// `coir_rs_poll`; the hook calls the poll only then, not on every call.
        coir_done_ready: c_int;
    }
    implemented_in_rust {
        /// Called by the hook when a code object gets hot (`mode`: `CompileMode`); `globals`
        /// (or NULL) are those of the function that runs it.
        fn coir_rs_compile(code: *mut c_void, st: *mut CoirCodeState, mode: c_int, globals: *mut c_void);
        /// Installs finished background compilations.
        fn coir_rs_poll();
        /// Frees Rust-owned compiled code.
        fn coir_rs_free(compiled: *mut c_void);
        /// Whether a generator's code has a loop without a yield in it (bytecode-cfg,
        /// `has_loop_without_yield`): 1 or 0 (0 also for code that does not decode).
        fn coir_rs_loops_between_yields(code: *mut c_void) -> c_int;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prototypes() {
        let p = super::c_prototypes();
        assert!(p.contains("CoirCodeState *coir_code_state(void *code, int create);"), "{p}");
        assert!(p.contains("void coir_disable(void);"), "{p}");
        assert!(p.contains("void coir_code_facts(void *code, size_t *out);"), "{p}");
        assert!(p.contains("extern long coir_inflight;"), "{p}");
        assert!(p.contains("void coir_rs_compile(void *code, CoirCodeState *st, int mode, void *globals);"), "{p}");
    }
}
