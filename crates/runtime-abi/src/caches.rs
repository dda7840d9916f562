//! Where the inline-cache fields that lowering reads as feedback sit (CPython 3.14,
//! `internal/pycore_code.h`). Each field is named by its code unit after the opcode (unit 1 is
//! the counter) and its length in units, and by the C struct field it is; the generated header
//! asserts `offsetof` and `sizeof` of that field against the headers the runtime is built
//! with, so a cache that moved fails the build.
//!
//! Specialised forms read the same cache through different struct views: `LOAD_ATTR` is sized
//! as `_PyLoadMethodCache`, but its attribute forms (`_INSTANCE_VALUE`, `_SLOT`) are
//! specialised through `_PyAttrCache` (`specialize.c`), as is `STORE_ATTR`.

/// One field of an inline cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheField {
    /// The first code unit after the opcode (1-based: unit 1 is the counter).
    pub unit: u32,
    /// Its length in 16-bit code units.
    pub units: u32,
    /// The C struct that lays the cache out.
    pub c_struct: &'static str,
    /// The field of that struct.
    pub c_field: &'static str,
}

macro_rules! cache_fields {
    ($( $(#[doc = $doc:literal])* $name:ident = $st:ident . $f:ident @ $unit:literal, $units:literal; )*) => {
        $( $(#[doc = $doc])* pub const $name: CacheField =
            CacheField { unit: $unit, units: $units, c_struct: stringify!($st), c_field: stringify!($f) }; )*

        /// Every field, with its Rust name.
        pub const ALL: &[(&str, CacheField)] = &[$((stringify!($name), $name)),*];
    };
}

cache_fields! {
    /// `LOAD_ATTR_{INSTANCE_VALUE,SLOT}`, `STORE_ATTR_*`: the type version (32 bits).
    ATTR_TYPE_VERSION = _PyAttrCache.version @ 2, 2;
    /// `LOAD_ATTR_INSTANCE_VALUE`, `STORE_ATTR_INSTANCE_VALUE`: the value's offset;
    /// `LOAD_ATTR_SLOT`, `STORE_ATTR_SLOT`: the slot's byte offset.
    ATTR_INDEX = _PyAttrCache.index @ 4, 1;
    /// `LOAD_ATTR_METHOD_*`: the type version (32 bits).
    METHOD_TYPE_VERSION = _PyLoadMethodCache.type_version @ 2, 2;
    /// `LOAD_ATTR_METHOD_WITH_VALUES`: the shared keys' version (32 bits).
    METHOD_KEYS_VERSION = _PyLoadMethodCache.keys_version @ 4, 2;
    /// `LOAD_ATTR_METHOD_*`: the method descriptor (a pointer, 64 bits).
    METHOD_DESCR = _PyLoadMethodCache.descr @ 6, 4;
    /// `LOAD_GLOBAL_{MODULE,BUILTIN}`: the globals' keys version (16 bits).
    GLOBAL_MODULE_KEYS_VERSION = _PyLoadGlobalCache.module_keys_version @ 2, 1;
    /// `LOAD_GLOBAL_BUILTIN`: the builtins' keys version (16 bits).
    GLOBAL_BUILTIN_KEYS_VERSION = _PyLoadGlobalCache.builtin_keys_version @ 3, 1;
    /// `LOAD_GLOBAL_{MODULE,BUILTIN}`: the entry's index in the dict's keys (16 bits).
    GLOBAL_INDEX = _PyLoadGlobalCache.index @ 4, 1;
    /// `CALL_PY_EXACT_ARGS`, `CALL_BOUND_METHOD_EXACT_ARGS`: the callee's function version
    /// (32 bits).
    CALL_FUNC_VERSION = _PyCallCache.func_version @ 2, 2;
}

/// `POP_JUMP_IF_*`: the branch history in the instruction's one cache unit, the last 16
/// outcomes with the latest in bit 0 (1: jumped), shifted in by the interpreter's
/// RECORD_BRANCH_TAKEN. A plain `uint16_t` unit, laid out by no C struct.
pub const BRANCH_HISTORY_UNIT: u32 = 1;

/// One in the value of an adaptive instruction's counter (unit 1): a 12-bit value above a
/// `BACKOFF_BITS`-bit backoff (`pycore_backoff.h`).
pub const COUNTER_VALUE_ONE: u16 = 1 << 4;

/// The counter of an adaptive instruction not yet specialised: the warm-up value 1 and backoff 1
/// (`adaptive_counter_warmup`). One execution takes the value to 0, and the next tries to
/// specialise, after which the counter is never this again: a counter at either means the
/// instruction ran at most once.
pub const WARMUP_COUNTER: u16 = COUNTER_VALUE_ONE | 1;

// Lowering reads one type version for every LOAD_ATTR form.
const _: () = assert!(ATTR_TYPE_VERSION.unit == METHOD_TYPE_VERSION.unit && ATTR_TYPE_VERSION.units == METHOD_TYPE_VERSION.units);
