//! The records and constants that cross the boundary between the Rust side and the C runtime.
//! Each is declared here once; the C definitions are generated ([`crate::header`]).
use std::ffi::{c_char, c_int, c_long, c_void};

/// Declares the layout facts: each a field of [`LayoutFacts`] with the C expression that
/// computes it from the interpreter's headers (the generated `coir_fill_layout_facts` assigns
/// every one, so a fact added here is filled, or the C build fails).
macro_rules! layout_facts {
    ($( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $expr:literal; )*) => {
        crate::c_record! {
            /// Facts about the target interpreter that shape machine code, computed by the C
            /// runtime from the interpreter's own headers (`CoirLayoutFacts` in C).
            CoirLayoutFacts {
                $( $(#[doc = $doc])* $field: $ty, )*
            }
        }

        /// The Rust name of the layout facts.
        pub type LayoutFacts = CoirLayoutFacts;

        impl CoirLayoutFacts {
            /// `(field, C expression)` of every fact, in order.
            pub const C_EXPRESSIONS: &'static [(&'static str, &'static str)] = &[$((stringify!($field), $expr)),*];

            /// Every fact as a word, in order (a key for cached machine code).
            pub fn words(&self) -> Vec<u64> {
                vec![$(self.$field as u64),*]
            }
        }

        impl Default for CoirLayoutFacts {
            fn default() -> Self {
                CoirLayoutFacts { $($field: 0,)* }
            }
        }
    };
}

layout_facts! {
    /// `offsetof(_PyInterpreterFrame, localsplus)`.
    frame_localsplus: usize = "offsetof(_PyInterpreterFrame, localsplus)";
    /// `offsetof(_PyInterpreterFrame, instr_ptr)`.
    frame_instr_ptr: usize = "offsetof(_PyInterpreterFrame, instr_ptr)";
    /// `offsetof(_PyInterpreterFrame, stackpointer)`.
    frame_stackpointer: usize = "offsetof(_PyInterpreterFrame, stackpointer)";
    /// `sizeof(_PyStackRef)`: the step of a frame's stack pointer.
    stackref_size: usize = "sizeof(_PyStackRef)";
    /// `offsetof(PyThreadState, eval_breaker)`.
    tstate_eval_breaker: usize = "offsetof(PyThreadState, eval_breaker)";
    /// Mask of the eval breaker's event bits (`_PY_EVAL_EVENTS_MASK`).
    eval_events_mask: u64 = "_PY_EVAL_EVENTS_MASK";
    /// Py_INCREF skips objects whose 32-bit refcount is at least this
    /// (`_Py_IMMORTAL_INITIAL_REFCNT`).
    incref_immortal_threshold: u32 = "(uint32_t)_Py_IMMORTAL_INITIAL_REFCNT";
    /// Tag bits of a `_PyStackRef` (`Py_TAG_BITS`).
    stackref_tag_bits: u64 = "Py_TAG_BITS";
    /// `PyStackRef_NULL.bits`.
    stackref_null: u64 = "PyStackRef_NULL.bits";
    /// `offsetof(PyObject, ob_type)`.
    ob_type: usize = "offsetof(PyObject, ob_type)";
    /// `offsetof(PyFloatObject, ob_fval)`.
    float_value: usize = "offsetof(PyFloatObject, ob_fval)";
    /// `offsetof(_PyRuntimeState, ref_tracer.tracer_func)`: a reference tracer
    /// (`PyRefTracer_SetTracer`) sees every object made and destroyed; while one is set, floats
    /// are made and freed by the interpreter's functions, not inline.
    runtime_ref_tracer: usize = "offsetof(_PyRuntimeState, ref_tracer.tracer_func)";
    /// `offsetof(_PyRuntimeState, interpreters.main)` (coir runs in the main interpreter only:
    /// its module refuses subinterpreters).
    runtime_main_interp: usize = "offsetof(_PyRuntimeState, interpreters.main)";
    /// `offsetof(PyInterpreterState, object_state.freelists.floats)`: the float free list
    /// (`_Py_FREELIST_POP(PyFloatObject, floats)`; objects on it keep their type).
    interp_float_freelist: usize = "offsetof(PyInterpreterState, object_state.freelists.floats)";
    /// `offsetof(struct _Py_freelist, freelist)`: the first free object, whose first word
    /// links the next.
    freelist_head: usize = "offsetof(struct _Py_freelist, freelist)";
    /// `offsetof(struct _Py_freelist, size)` (a Py_ssize_t).
    freelist_size: usize = "offsetof(struct _Py_freelist, size)";
    /// `Py_floats_MAXFREELIST`.
    float_freelist_max: u64 = "Py_floats_MAXFREELIST";
    /// `offsetof(PyInterpreterState, object_state.freelists.ints)`: the free list of compact
    /// ints (`_PyLong_FromMedium`, `_PyLong_ExactDealloc`).
    interp_int_freelist: usize = "offsetof(PyInterpreterState, object_state.freelists.ints)";
    /// `Py_ints_MAXFREELIST`.
    int_freelist_max: u64 = "Py_ints_MAXFREELIST";
    /// `IMMORTALITY_BIT_MASK`: the int tag's bit of the (immortal) small ints.
    long_immortal_bit: u64 = "IMMORTALITY_BIT_MASK";
    /// `SIGN_NEGATIVE`: the tag's sign bits of a negative int.
    long_sign_negative: u64 = "SIGN_NEGATIVE";
    /// The least and greatest small int (`-_PY_NSMALLNEGINTS`, `_PY_NSMALLPOSINTS - 1`): made
    /// once, immortal; `PyLong_FromLongLong` returns those.
    small_int_min: i64 = "-_PY_NSMALLNEGINTS";
    /// See `small_int_min`.
    small_int_max: i64 = "_PY_NSMALLPOSINTS - 1";
    /// `offsetof(_PyRuntimeState, static_objects.singletons.small_ints)`: the small ints, an
    /// array from `small_int_min` up (`_PyLong_SMALL_INTS`).
    runtime_small_ints: usize = "offsetof(_PyRuntimeState, static_objects.singletons.small_ints)";
    /// `sizeof(PyLongObject)`: the stride of the small ints' array.
    small_int_size: usize = "sizeof(PyLongObject)";
    /// `offsetof(PyLongObject, long_value.lv_tag)`.
    long_tag: usize = "offsetof(PyLongObject, long_value.lv_tag)";
    /// `offsetof(PyLongObject, long_value.ob_digit)`.
    long_digits: usize = "offsetof(PyLongObject, long_value.ob_digit)";
    /// An int is compact (one digit at most: `_PyLong_IsCompact`) when its tag is below this.
    long_compact_below: u64 = "(2 << _PyLong_NON_SIZE_BITS)";
    /// An int has two digits at most (`|v| < 2**(2 * shift)`) when its tag is below this.
    long_medium_below: u64 = "(3 << _PyLong_NON_SIZE_BITS)";
    /// The tag's sign bits of zero (`SIGN_ZERO` of `pycore_long.h`).
    long_sign_zero: u64 = "SIGN_ZERO";
    /// Bits per int digit (`PyLong_SHIFT`): a compact int's magnitude is below `2**shift`.
    long_shift: u32 = "PyLong_SHIFT";
    /// Mask of the tag's sign bits (`_PyLong_SIGN_MASK`); the sign is `1 - (tag & mask)`.
    long_sign_mask: u64 = "_PyLong_SIGN_MASK";
    /// `offsetof(_PyRangeIterObject, start)` (a C long; `step` and `len` follow).
    range_iter_start: usize = "offsetof(_PyRangeIterObject, start)";
    /// `offsetof(_PyRangeIterObject, step)`.
    range_iter_step: usize = "offsetof(_PyRangeIterObject, step)";
    /// `offsetof(_PyRangeIterObject, len)`.
    range_iter_len: usize = "offsetof(_PyRangeIterObject, len)";
    /// `offsetof(PyTypeObject, tp_version_tag)`.
    type_version_tag: usize = "offsetof(PyTypeObject, tp_version_tag)";
    /// `offsetof(PyTypeObject, tp_basicsize)` (inline values follow the object's basic size).
    type_basicsize: usize = "offsetof(PyTypeObject, tp_basicsize)";
    /// `offsetof(PyHeapTypeObject, ht_cached_keys)` (the shared keys of instances' inline values).
    heap_type_cached_keys: usize = "offsetof(PyHeapTypeObject, ht_cached_keys)";
    /// `MANAGED_DICT_OFFSET`: where an object with a managed dict keeps its pointer, before the
    /// object (negative).
    managed_dict_offset: i64 = "MANAGED_DICT_OFFSET";
    /// `offsetof(PyDictValues, valid)`.
    dict_values_valid: usize = "offsetof(PyDictValues, valid)";
    /// `offsetof(PyDictValues, capacity)` (a byte: the values array's length; the insertion
    /// order, a byte per value, follows the array).
    dict_values_capacity: usize = "offsetof(PyDictValues, capacity)";
    /// `offsetof(PyDictValues, size)` (a byte: how many values are in the insertion order).
    dict_values_size: usize = "offsetof(PyDictValues, size)";
    /// `offsetof(PyDictValues, values)`: the inline values' array.
    dict_values_values: usize = "offsetof(PyDictValues, values)";
    /// `offsetof(PyVarObject, ob_size)` (a list's or tuple's length).
    var_size: usize = "offsetof(PyVarObject, ob_size)";
    /// `offsetof(PyListObject, ob_item)` (the items array's address).
    list_items: usize = "offsetof(PyListObject, ob_item)";
    /// `offsetof(PyListObject, allocated)` (the items array's capacity).
    list_allocated: usize = "offsetof(PyListObject, allocated)";
    /// `offsetof(_PyInterpreterFrame, f_funcobj)` (a `_PyStackRef`: the function).
    frame_funcobj: usize = "offsetof(_PyInterpreterFrame, f_funcobj)";
    /// `offsetof(PyFunctionObject, func_closure)` (a tuple of cells, or NULL).
    func_closure: usize = "offsetof(PyFunctionObject, func_closure)";
    /// `offsetof(PyFunctionObject, func_globals)` (the dict its global reads use).
    func_globals: usize = "offsetof(PyFunctionObject, func_globals)";
    /// `offsetof(PyFunctionObject, func_builtins)`.
    func_builtins: usize = "offsetof(PyFunctionObject, func_builtins)";
    /// `offsetof(PyModuleObject, md_dict)`.
    module_dict: usize = "offsetof(PyModuleObject, md_dict)";
    /// `offsetof(PyCodeObject, co_version)` (a `uint32_t`, unique to the code object: a
    /// function's version, which CALL_PY_EXACT_ARGS caches, is its code's when valid, and is
    /// cleared for good when its vectorcall is set, as profile mode does).
    code_version: usize = "offsetof(PyCodeObject, co_version)";
    /// `offsetof(PyFunctionObject, func_code)`.
    func_code: usize = "offsetof(PyFunctionObject, func_code)";
    /// `offsetof(PyThreadState, py_recursion_remaining)` (a C int; `_Py_EnterRecursivePy`
    /// fails when it is not positive).
    tstate_py_recursion_remaining: usize = "offsetof(PyThreadState, py_recursion_remaining)";
    /// `offsetof(PyCodeObject, _co_instrumentation_version)` (a `uintptr_t`: RESUME_CHECK runs
    /// a function's body without further checks when it equals the thread's eval breaker).
    code_instrumentation_version: usize = "offsetof(PyCodeObject, _co_instrumentation_version)";
    /// `offsetof(PyCodeObject, _co_monitoring)` (NULL until sys.monitoring instruments the code).
    code_monitoring: usize = "offsetof(PyCodeObject, _co_monitoring)";
    /// `offsetof(PyCellObject, ob_ref)` (the cell's value, or NULL when empty).
    cell_ref: usize = "offsetof(PyCellObject, ob_ref)";
    /// `offsetof(PyTupleObject, ob_item)` (the items, inline).
    tuple_items: usize = "offsetof(PyTupleObject, ob_item)";
    /// `offsetof(_PyListIterObject, it_index)` (a Py_ssize_t; `it_seq`, the list or NULL once
    /// exhausted, is at `list_iter_seq`).
    list_iter_index: usize = "offsetof(_PyListIterObject, it_index)";
    /// `offsetof(_PyListIterObject, it_seq)`.
    list_iter_seq: usize = "offsetof(_PyListIterObject, it_seq)";
    /// `offsetof(_PyTupleIterObject, it_index)`.
    tuple_iter_index: usize = "offsetof(_PyTupleIterObject, it_index)";
    /// `offsetof(_PyTupleIterObject, it_seq)`.
    tuple_iter_seq: usize = "offsetof(_PyTupleIterObject, it_seq)";
    /// `offsetof(_PyInterpreterFrame, f_globals)`.
    frame_globals: usize = "offsetof(_PyInterpreterFrame, f_globals)";
    /// `offsetof(_PyInterpreterFrame, f_builtins)`.
    frame_builtins: usize = "offsetof(_PyInterpreterFrame, f_builtins)";
    /// `offsetof(PyDictKeysObject, dk_version)` (a uint32_t).
    dict_keys_version: usize = "offsetof(PyDictKeysObject, dk_version)";
    /// `offsetof(PyDictKeysObject, dk_nentries)` (a Py_ssize_t).
    dict_keys_nentries: usize = "offsetof(PyDictKeysObject, dk_nentries)";
}

/// How many small ints (0, 1, ...) the ABI record carries: `LOAD_SMALL_INT`'s range
/// (`bytecode_cfg::opargs::SMALL_INT_LIMIT`; `ir-cfg` asserts the two agree at compile time).
pub const SMALL_INTS: usize = 256;

crate::c_record! {
    /// A runtime helper's C symbol and address (the table ends with a NULL name).
    CoirHelper {
        /// The C symbol.
        name: *const c_char,
        /// Its address.
        addr: *mut c_void,
    }
}

crate::c_enum! {
    /// The builtin types whose address native code compares an object's type with
    /// (`CoirAbi::types` index).
    BuiltinType, "COIR_TYPE_COUNT" {
        /// `float`.
        Float = "COIR_TYPE_FLOAT",
        /// `int`.
        Long = "COIR_TYPE_LONG",
        /// `list`.
        List = "COIR_TYPE_LIST",
        /// `tuple`.
        Tuple = "COIR_TYPE_TUPLE",
        /// The range iterator.
        RangeIter = "COIR_TYPE_RANGE_ITER",
        /// `bool`.
        Bool = "COIR_TYPE_BOOL",
        /// `dict`.
        Dict = "COIR_TYPE_DICT",
        /// The list iterator.
        ListIter = "COIR_TYPE_LIST_ITER",
        /// The tuple iterator.
        TupleIter = "COIR_TYPE_TUPLE_ITER",
        /// `str`.
        Unicode = "COIR_TYPE_UNICODE",
        /// A Python function.
        Function = "COIR_TYPE_FUNCTION",
        /// A module (exactly `types.ModuleType`).
        Module = "COIR_TYPE_MODULE",
        /// Not a type: the method descriptor `list.append`, which a call's callable is compared
        /// with as CALL_LIST_APPEND does (the interpreter's `callable_cache.list_append`).
        ListAppend = "COIR_TYPE_LIST_APPEND",
    }
}

impl BuiltinType {
    /// The C expression of the address `CoirAbi::types` holds.
    pub fn c_address(self) -> &'static str {
        match self {
            BuiltinType::Float => "&PyFloat_Type",
            BuiltinType::Long => "&PyLong_Type",
            BuiltinType::List => "&PyList_Type",
            BuiltinType::Tuple => "&PyTuple_Type",
            BuiltinType::RangeIter => "&PyRangeIter_Type",
            BuiltinType::Bool => "&PyBool_Type",
            BuiltinType::Dict => "&PyDict_Type",
            BuiltinType::ListIter => "&PyListIter_Type",
            BuiltinType::TupleIter => "&PyTupleIter_Type",
            BuiltinType::Unicode => "&PyUnicode_Type",
            BuiltinType::Function => "&PyFunction_Type",
            BuiltinType::Module => "&PyModule_Type",
            BuiltinType::ListAppend => "_PyInterpreterState_GET()->callable_cache.list_append",
        }
    }
}

crate::c_enum! {
    /// The `math` module's functions a call of which native code computes inline
    /// (`CoirAbi::math` index): one argument, an exact float or a compact int, in the domain
    /// where the function's C counterpart returns what `math` does without an error
    /// ([`MathFn::domain`]); any other call is made.
    MathFn, "COIR_MATH_COUNT" {
        /// `math.sqrt`.
        Sqrt = "COIR_MATH_SQRT",
        /// `math.sin`.
        Sin = "COIR_MATH_SIN",
        /// `math.cos`.
        Cos = "COIR_MATH_COS",
        /// `math.exp`.
        Exp = "COIR_MATH_EXP",
        /// `math.log` (of one argument).
        Log = "COIR_MATH_LOG",
    }
}

/// Where a [`MathFn`]'s C function gives `math`'s result with no error to raise (Modules/
/// mathmodule.c: `math_1`'s checks of errno, NaN and infinite results, `m_log`'s of zero and
/// negatives).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// `x >= 0` (+inf included; NaN not).
    NonNegative,
    /// `x > 0` (+inf included).
    Positive,
    /// Finite `x` (the trigonometric functions raise ValueError for infinities).
    Finite,
    /// `x <= bound` (exp overflows beyond about 709.78: OverflowError); NaN not.
    AtMost(f64),
}

impl MathFn {
    /// Its name in `math` and its C function's in libm.
    pub fn name(self) -> &'static str {
        match self {
            MathFn::Sqrt => "sqrt",
            MathFn::Sin => "sin",
            MathFn::Cos => "cos",
            MathFn::Exp => "exp",
            MathFn::Log => "log",
        }
    }

    /// Where it runs inline.
    pub fn domain(self) -> Domain {
        match self {
            MathFn::Sqrt => Domain::NonNegative,
            MathFn::Log => Domain::Positive,
            MathFn::Sin | MathFn::Cos => Domain::Finite,
            MathFn::Exp => Domain::AtMost(709.0),
        }
    }
}

/// How `coir_rt_deopt` writes one value-stack slot: the letters of its `kinds` string.
pub mod deopt_slot {
    /// An owned reference (or NULL), moved into the frame.
    pub const OWNED: u8 = b'o';
    /// A borrowed reference: the frame gets a new one.
    pub const BORROWED: u8 = b'b';
    /// A double's bits: a new float.
    pub const F64: u8 = b'f';
    /// An int64: a new int.
    pub const I64: u8 = b'i';
    /// A tagged int's bits (a handler's `lasti`): written as they are.
    pub const TAG_INT: u8 = b't';
    /// Each letter with its C name (`COIR_SLOT_…`), for the generated header.
    pub const C_NAMES: &[(&str, u8)] = &[
        ("COIR_SLOT_OWNED", OWNED),
        ("COIR_SLOT_BORROWED", BORROWED),
        ("COIR_SLOT_F64", F64),
        ("COIR_SLOT_I64", I64),
        ("COIR_SLOT_TAG_INT", TAG_INT),
    ];
}

crate::c_record! {
    /// Everything native code needs from the running interpreter (`coir_get_abi` fills it).
    CoirAbi {
        /// Layout facts.
        facts: CoirLayoutFacts,
        /// `Py_None`.
        none: *mut c_void,
        /// `Py_True`.
        true_: *mut c_void,
        /// `Py_False`.
        false_: *mut c_void,
        /// The builtin types native code tests for, by [`BuiltinType`].
        types: [*mut c_void; BuiltinType::COUNT],
        /// The small ints `0..COIR_SMALL_INTS` (immortal).
        small_ints: [*mut c_void; SMALL_INTS],
        /// The `math` functions by [`MathFn`]: references kept for the process's life (a call
        /// is computed inline once its callable is found to be one), NULL if missing.
        math: [*mut c_void; MathFn::COUNT],
        /// Every helper of `Helper::ALL`, in that order, then `{NULL, NULL}`.
        helpers: *const CoirHelper,
    }
}

/// Native code's entry point: `relocs` is its table of process-specific addresses
/// (gcc-backend's `Reloc`).
pub type CoirEntryFn = unsafe extern "C" fn(tstate: *mut c_void, frame: *mut c_void, relocs: *const c_void) -> *mut c_void;

crate::c_record! {
    /// Per-code state, in runtime.c's table keyed by the code object.
    CoirCodeState {
        /// Calls counted towards the threshold (profile mode: samples).
        calls: c_long,
        /// The compiled entry, or NULL.
        entry: Option<CoirEntryFn>,
        /// `entry`'s relocation table.
        relocs: *const c_void,
        /// The code object this state belongs to; NULL once freed (states are
        /// reused, never given back, so a call site's cache of one stays readable).
        code: *mut c_void,
        /// Rust-owned compiled code.
        compiled: *mut c_void,
        /// Refused: always interpreted.
        refused: c_int,
        /// `coir.jit`: compile on first call.
        forced: c_int,
        /// Queued for background compilation.
        pending: c_int,
        /// Compiled at the cold optimisation level; recompiled when hot.
        cold: c_int,
        /// A guard failed [`DESPECIALISE_AFTER`] times: 1, compile again without speculating
        /// at the units in `no_speculate`; 2, that compile is under way (its code replaces
        /// the current one).
        recompile: c_int,
        /// How many entries of `no_speculate` are used.
        n_no_speculate: c_int,
        /// Global reads since the last compile whose keys versions were not the compiled ones
        /// (the module or builtins gained or lost names): at `GLOBAL_MISSES_RECOMPILE`, the
        /// function is compiled again with the interpreter's fresh feedback.
        global_misses: c_long,
        /// Recompiles asked for by `global_misses` (at most `GLOBAL_RECOMPILES_MAX`).
        global_recompiles: c_int,
        /// Code units (instructions) where compiled code no longer speculates.
        no_speculate: [c_int; NO_SPECULATE_MAX],
        /// Profile mode's verdict on a generator or coroutine, asked once (0 not yet, 1 yes, 2
        /// no): whether it has a loop that runs without yielding (`coir_rs_loops_between_yields`).
        /// Only those are compiled from samples and resumed natively. Resuming through C
        /// (coir_gen_iternext, coir_am_send) costs more than the interpreter's inline frame
        /// push, so one that does a few instructions per value runs faster interpreted
        /// (measured: tests/bench/programs/generators.py 0.66x the interpreter with every
        /// generator resumed natively, 1.0x with these only). The frame hook resumes every
        /// compiled generator natively.
        works_between_yields: c_int,
        /// A generator, coroutine or async generator: its compiled code runs the frame when it
        /// resumes, never a call (which runs RETURN_GENERATOR in the interpreter).
        generator: c_int,
    }
}

crate::c_record! {
    /// What a global read with feedback finds (LOAD_GLOBAL_MODULE, LOAD_GLOBAL_BUILTIN): the
    /// object `globals[name]`, else `builtins[name]`, kept up to date by a dict watcher on
    /// both dicts (runtime.c, "globals as cells"). Native code reads `value` through the word
    /// of its site's cache that names the cell, where the frame's dicts are the cell's; the
    /// helper fills that word and the cell. Cells are never freed (a site may still name one).
    CoirGlobalCell {
        /// The object, borrowed from the dict holding it (the watcher clears this before the
        /// dict changes the name's entry or goes away); NULL: look the name up.
        value: *mut c_void,
        /// The frame's `f_globals` the cell is for; NULL once that dict is gone.
        globals: *mut c_void,
        /// The frame's `f_builtins` the cell is for; NULL once that dict is gone.
        builtins: *mut c_void,
        /// The name (a strong reference).
        name: *mut c_void,
        /// The name's hash.
        hash: i64,
        /// The next cell of the watcher's table with the same (globals, hash) bucket.
        next_globals: *mut c_void,
        /// The next cell of the watcher's table with the same (builtins, hash) bucket.
        next_builtins: *mut c_void,
    }
}

crate::c_enum! {
    /// How a compile was asked for (`coir_rs_compile`'s `mode`).
    CompileMode, "COIR_COMPILE_COUNT" {
        /// First call at threshold 0: now, cheap optimisation.
        Cold = "COIR_COMPILE_COLD",
        /// `coir.jit` / `coir.compile`: now, full optimisation.
        Now = "COIR_COMPILE_NOW",
        /// Hot (or a cold compile turned hot): on the compile thread.
        Hot = "COIR_COMPILE_HOT",
    }
}

crate::c_enum! {
    /// Why the hook ran a frame in the interpreter (`CoirCounters::fallback` index).
    Fallback, "COIR_FB_COUNT" {
        /// A monitoring tool is active.
        Monitoring = "COIR_FB_MONITORING",
        /// A generator resumed with `throw()`.
        Throw = "COIR_FB_THROW",
        /// A generator, coroutine or async generator frame.
        GeneratorFrame = "COIR_FB_GENERATOR_FRAME",
        /// Compiled code whose guards failed too often, while its replacement compiles.
        Recompiling = "COIR_FB_RECOMPILING",
        /// Code whose instrumentation is older than the interpreter's (monitoring was switched
        /// on and off since it last ran interpreted): one call in the interpreter, whose
        /// RESUME brings it up to date, before native code runs it again (a guard's exit
        /// continues in the interpreter past RESUME, with the code as it is).
        StaleInstrumentation = "COIR_FB_STALE_INSTRUMENTATION",
    }
}

impl Fallback {
    /// The reason as `coir.stats()['fallbacks']` names it.
    pub fn reason(self) -> &'static str {
        match self {
            Fallback::Monitoring => "monitoring active",
            Fallback::Throw => "generator throw",
            Fallback::GeneratorFrame => "generator frame",
            Fallback::Recompiling => "recompiling without a failing speculation",
            Fallback::StaleInstrumentation => "instrumentation out of date",
        }
    }
}

crate::c_enum! {
    /// Why a guard failed and native code left a frame to the interpreter
    /// (`CoirCounters::deopts` index; `coir_rt_deopt`'s reason).
    DeoptReason, "COIR_DEOPT_COUNT" {
        /// A value was not a float.
        NotFloat = "COIR_DEOPT_NOT_FLOAT",
        /// A value was not a compact int.
        NotCompactInt = "COIR_DEOPT_NOT_COMPACT_INT",
        /// A value was not a list.
        NotList = "COIR_DEOPT_NOT_LIST",
        /// A value was not a tuple.
        NotTuple = "COIR_DEOPT_NOT_TUPLE",
        /// A sequence to unpack had another length than the feedback saw.
        WrongLength = "COIR_DEOPT_WRONG_LENGTH",
        /// An iterator was not a range iterator.
        NotRangeIter = "COIR_DEOPT_NOT_RANGE_ITER",
        /// A truth test's value was not of the type the feedback saw (bool, None).
        TruthType = "COIR_DEOPT_TRUTH_TYPE",
        /// A list or tuple index was out of bounds (or negative).
        IndexOutOfRange = "COIR_DEOPT_INDEX_OUT_OF_RANGE",
        /// An operand of a true division or power was neither a float nor a compact int.
        NotNumber = "COIR_DEOPT_NOT_NUMBER",
        /// A power was not float's plain case (a base not positive and finite, or a result
        /// that overflows): the interpreter raises or makes a complex.
        PowDomain = "COIR_DEOPT_POW_DOMAIN",
        /// Tracing, profiling or a monitoring tool became active while the frame ran natively
        /// (the interpreter's instrumentation version changed): the frame goes on in the
        /// interpreter, whose instrumented code reports its events from then on.
        Instrumented = "COIR_DEOPT_INSTRUMENTED",
    }
}

impl DeoptReason {
    /// The reason as `coir.stats()['deopts']` names it.
    pub fn name(self) -> &'static str {
        match self {
            DeoptReason::NotFloat => "not a float",
            DeoptReason::NotCompactInt => "not a compact int",
            DeoptReason::NotList => "not a list",
            DeoptReason::NotTuple => "not a tuple",
            DeoptReason::IndexOutOfRange => "index out of range",
            DeoptReason::NotRangeIter => "not a range iterator",
            DeoptReason::WrongLength => "wrong length",
            DeoptReason::TruthType => "truth test of another type",
            DeoptReason::NotNumber => "not a float or compact int",
            DeoptReason::PowDomain => "power outside float's plain case",
            DeoptReason::Instrumented => "monitoring switched on",
        }
    }
}

/// Failures of one guard after which its instruction is compiled again without speculation.
pub const DESPECIALISE_AFTER: usize = 64;

/// Global reads of one function, since it was compiled, that missed the compiled keys versions
/// after which it is compiled again (with the interpreter's feedback, refreshed meanwhile by
/// the calls that run interpreted while the compile is under way); and how many times.
pub const GLOBAL_MISSES_RECOMPILE: usize = 512;
/// See [`GLOBAL_MISSES_RECOMPILE`].
pub const GLOBAL_RECOMPILES_MAX: usize = 4;

/// Instructions per function that can lose their speculation (later ones keep deoptimising).
pub const NO_SPECULATE_MAX: usize = 16;

/// Entries of an attribute or method load's own cache (`coir_rt_load_attr_poly`,
/// `coir_rt_load_method_poly`): the types it has seen, up to this many; and the words of native
/// code's relocation table that hold it (two per entry). Entry `i` is words `2i` and `2i+1`;
/// the runtime fills them, native code (the backend's site probes) and the runtime read them:
/// - word `2i`: the type's version in the low 32 bits (0: the entry is empty); in the high 32,
///   for an attribute, its index in the inline values; for a method, the number of entries of
///   the type's shared keys + 1 (0: instances have no dict);
/// - word `2i+1`: for an attribute, 0 (an instance value) or a property's getter; for a
///   method, its descriptor.
pub const SITE_CACHE_ENTRIES: usize = 4;
/// See [`SITE_CACHE_ENTRIES`].
pub const SITE_CACHE_WORDS: usize = 2 * SITE_CACHE_ENTRIES;

/// What a native function returns after a guard failed and `coir_rt_deopt` wrote its frame for
/// the interpreter (`COIR_DEOPTED`; never an object's address).
pub const DEOPTED: usize = 1;

crate::c_record! {
    /// Counters kept by the C hook.
    CoirCounters {
        /// Calls that ran native code.
        native_calls: u64,
        /// Samples taken in profile mode.
        samples: u64,
        /// Global reads of native code that took the helper: the name's cell not yet made
        /// for the frame's dicts, or cleared by a change to the name (see [`CoirGlobalCell`]).
        global_lookups: u64,
        /// Frames run in the interpreter, by [`Fallback`].
        fallback: [u64; Fallback::COUNT],
        /// Native frames finished in the interpreter after a failed guard, by [`DeoptReason`].
        deopts: [u64; DeoptReason::COUNT],
    }
}

/// Facts of a code object that `coir_code_facts` writes, in this order (their count is
/// `COIR_CODE_FACTS` in C).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum CodeFact {
    /// `co_nlocalsplus`.
    NLocalsPlus,
    /// `_PyCode_CODE(co)`: the address of the first code unit.
    CodeBase,
    /// `co_nfreevars`.
    NFreeVars,
    /// `co_stacksize`.
    StackSize,
    /// Code units (`Py_SIZE(co)`).
    CodeUnits,
    /// Whether monitoring ever instrumented it (then its stored bytes may hold
    /// `INSTRUMENTED_LINE`/`INSTRUMENTED_INSTRUCTION`).
    Instrumented,
    /// `co_version`: unique to the code object (a valid function version is its code's).
    Version,
}

impl CodeFact {
    /// `(fact, C expression on `PyCodeObject *co`)` in order: the generated `coir_code_facts`
    /// writes each.
    pub const C_EXPRESSIONS: &'static [(CodeFact, &'static str)] = &[
        (CodeFact::NLocalsPlus, "(size_t)co->co_nlocalsplus"),
        (CodeFact::CodeBase, "(size_t)_PyCode_CODE(co)"),
        (CodeFact::NFreeVars, "(size_t)co->co_nfreevars"),
        (CodeFact::StackSize, "(size_t)co->co_stacksize"),
        (CodeFact::CodeUnits, "(size_t)Py_SIZE(co)"),
        (CodeFact::Instrumented, "co->_co_monitoring != NULL"),
        (CodeFact::Version, "(size_t)co->co_version"),
    ];
    /// How many there are.
    pub const COUNT: usize = CodeFact::C_EXPRESSIONS.len();
}

const _: () = {
    let mut i = 0;
    while i < CodeFact::COUNT {
        assert!(CodeFact::C_EXPRESSIONS[i].0 as usize == i, "CodeFact::C_EXPRESSIONS is in declaration order");
        i += 1;
    }
};
