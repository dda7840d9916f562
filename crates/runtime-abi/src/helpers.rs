//! The runtime helpers native code calls, declared once. The table gives each helper its C
//! symbol (implemented by `cpython-patch`'s C runtime), parameter types, result type and error
//! convention; lowering, the verifier and the backend all read it, and the C runtime gets its
//! prototypes and its name→address table from it ([`crate::header`]), so a C definition that
//! disagrees with its entry here does not compile.
//!
//! Ownership convention: helpers *borrow* every object argument; an object result is a new
//! reference unless the helper is marked `borrowed` (immortal singletons such as `True`).
//! Helpers that replace frame slots' references say so (`writes`, see [`SlotWrite`]). A helper
//! that runs no Python code (releases no reference, calls no method of its arguments, and fails
//! with nothing but MemoryError) is marked `quiet`; passes may then keep what
//! they know of the frame and of objects across it.
use std::fmt;

/// Type of a helper parameter or result, and of IR variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `PyObject *`.
    Obj,
    /// C `int`.
    Int,
    /// `intptr_t`: tagged ints (`lasti`) and other raw words.
    Word,
    /// `PyThreadState *`.
    TState,
    /// `_PyInterpreterFrame *`.
    Frame,
    /// `int64_t`: an unboxed int.
    I64,
    /// `double`: an unboxed float.
    F64,
    /// `PyObject **`: an array of objects (arguments, unpack targets).
    ObjArray,
    /// `PyObject **` pointing at one variable (an out-parameter).
    ObjOut,
    /// No value (result only).
    Void,
}

/// Which `localsplus` slots a helper replaces the reference of (borrows of the slot's old
/// value then go stale); the slot or count is the helper's `Int` parameter at the index given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotWrite {
    /// None (the default: no other helper writes `localsplus`).
    None,
    /// The slot given by that parameter (MAKE_CELL: the slot then holds a new cell).
    Slot(usize),
}

impl Ty {
    /// The C type (the generated prototypes use it).
    pub fn c_type(self) -> &'static str {
        match self {
            Ty::Obj => "PyObject *",
            Ty::Int => "int",
            Ty::Word => "intptr_t",
            Ty::TState => "PyThreadState *",
            Ty::Frame => "_PyInterpreterFrame *",
            Ty::I64 => "int64_t",
            Ty::F64 => "double",
            Ty::ObjArray | Ty::ObjOut => "PyObject **",
            Ty::Void => "void",
        }
    }
}

/// How a helper reports an error (an exception is then set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrConv {
    /// Never fails.
    Never,
    /// Returns `NULL`.
    Null,
    /// Returns a negative int.
    Negative,
    /// Always leaves an exception set (raising helpers).
    Always,
}

macro_rules! helpers {
    ($( $(#[doc = $doc:literal])* $variant:ident = $sym:literal ( $($p:ident),* ) -> $ret:ident, $err:ident $(, $flag:ident)* $(| writes $sw:ident($swp:literal))? ;)*) => {
        /// A runtime helper.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Helper {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Helper {
            /// Every helper, in declaration order.
            pub const ALL: &'static [Helper] = &[$(Helper::$variant),*];

            /// The C symbol the runtime exports it as.
            pub fn symbol(self) -> &'static str {
                match self { $(Helper::$variant => $sym,)* }
            }

            /// Parameter types.
            pub fn params(self) -> &'static [Ty] {
                match self { $(Helper::$variant => &[$(Ty::$p),*],)* }
            }

            /// Result type.
            pub fn ret(self) -> Ty {
                match self { $(Helper::$variant => Ty::$ret,)* }
            }

            /// Error convention.
            pub fn err(self) -> ErrConv {
                match self { $(Helper::$variant => ErrConv::$err,)* }
            }

            /// Whether an object result is borrowed (an immortal singleton) rather than new.
            pub fn borrowed_result(self) -> bool {
                match self { $(Helper::$variant => helpers!(@has borrowed; $($flag)*),)* }
            }

            /// Whether it may run Python code (a finalizer, a method of an argument, ...):
            /// true unless marked `quiet` (it then only computes its result, or raises).
            pub fn runs_code(self) -> bool {
                match self { $(Helper::$variant => !helpers!(@has quiet; $($flag)*),)* }
            }

            /// The frame slots it writes (see [`SlotWrite`]).
            pub fn slot_write(self) -> SlotWrite {
                match self { $(Helper::$variant => helpers!(@w $($sw($swp))?),)* }
            }
        }
    };
    (@w $sw:ident($swp:literal)) => { SlotWrite::$sw($swp) };
    (@w) => { SlotWrite::None };
    // Whether the flag list holds the flag.
    (@has $want:ident; ) => { false };
    (@has borrowed; borrowed $($rest:ident)*) => { true };
    (@has quiet; quiet $($rest:ident)*) => { true };
    (@has $want:ident; $other:ident $($rest:ident)*) => { helpers!(@has $want; $($rest)*) };
}

helpers! {
    /// `_PyEval_BinaryOps[oparg](l, r)` (BINARY_OP, subscript included).
    BinaryOp = "coir_rt_binary_op"(Obj, Obj, Int) -> Obj, Null;
    /// Rich comparison; oparg as COMPARE_OP's (bit 4: coerce to bool).
    CompareOp = "coir_rt_compare_op"(Obj, Obj, Int) -> Obj, Null;
    /// `-v`.
    UnaryNegative = "coir_rt_unary_negative"(Obj) -> Obj, Null;
    /// `~v`.
    UnaryInvert = "coir_rt_unary_invert"(Obj) -> Obj, Null;
    /// `bool(v)` as `True`/`False`.
    ToBool = "coir_rt_to_bool"(Obj) -> Obj, Null, borrowed;
    /// `a in b` (`not in` when the int is 1).
    ContainsOp = "coir_rt_contains_op"(Obj, Obj, Int) -> Obj, Null, borrowed;
    /// `container[start:stop]`.
    BinarySlice = "coir_rt_binary_slice"(Obj, Obj, Obj) -> Obj, Null;
    /// BUILD_SLICE 3 then BINARY_OP `[]`, as one: `container[start:stop:step]`.
    SubscrSlice3 = "coir_rt_subscr_slice3"(Obj, Obj, Obj, Obj) -> Obj, Null;
    /// `container[start:stop] = v` (v, container, start, stop).
    StoreSlice = "coir_rt_store_slice"(Obj, Obj, Obj, Obj) -> Int, Negative;
    /// `container[sub] = v` (v, container, sub).
    StoreSubscr = "coir_rt_store_subscr"(Obj, Obj, Obj) -> Int, Negative;
    /// `del container[sub]`.
    DeleteSubscr = "coir_rt_delete_subscr"(Obj, Obj) -> Int, Negative;
    /// `iter(v)`.
    GetIter = "coir_rt_get_iter"(Obj) -> Obj, Null;
    /// One step of FOR_ITER: 1 and a new reference in `*out`, 0 when exhausted, -1 on error.
    ForIter = "coir_rt_for_iter"(Obj, ObjOut) -> Int, Negative;
    /// LOAD_GLOBAL by name from the frame's globals and builtins.
    LoadGlobal = "coir_rt_load_global"(Frame, Obj) -> Obj, Null;
    /// STORE_GLOBAL (frame, name, v).
    StoreGlobal = "coir_rt_store_global"(Frame, Obj, Obj) -> Int, Negative;
    /// DELETE_GLOBAL (frame, name).
    DeleteGlobal = "coir_rt_delete_global"(Frame, Obj) -> Int, Negative;
    /// LOAD_ATTR_INSTANCE_VALUE feedback: (owner, name, type_version, offset, the site's
    /// cache); falls back to `load_attr_poly` when the guards fail.
    LoadAttrInstanceValue = "coir_rt_load_attr_instance_value"(Obj, Obj, Word, Word, Word) -> Obj, Null;
    /// LOAD_ATTR (owner, name, the site's cache): instance values of the types the site has
    /// seen from its cache, the generic lookup otherwise (which fills the cache).
    LoadAttrPoly = "coir_rt_load_attr_poly"(Obj, Obj, Word) -> Obj, Null;
    /// An inlined body's attribute read (owner, name, the site's cache) when the callee's
    /// type version does not match: an instance value (no class attribute of that name) as a
    /// new reference, its place kept in the site's cache as `load_attr_poly` keeps it; NULL,
    /// with no exception, for anything else. Runs no code (ir-cfg's `lower/inline.rs`).
    AttrReadQuiet = "coir_rt_attr_read_quiet"(Obj, Obj, Word) -> Obj, Never, quiet;
    /// LOAD_ATTR of a method (owner, name, self_out, the site's cache), as `load_attr_poly`.
    LoadMethodPoly = "coir_rt_load_method_poly"(Obj, Obj, ObjOut, Word) -> Obj, Null;
    /// LOAD_ATTR_SLOT feedback: (owner, name, type_version, byte offset).
    LoadAttrSlot = "coir_rt_load_attr_slot"(Obj, Obj, Word, Word) -> Obj, Null;
    /// STORE_ATTR_SLOT feedback: (owner, name, v, type_version, byte offset).
    StoreAttrSlot = "coir_rt_store_attr_slot"(Obj, Obj, Obj, Word, Word) -> Int, Negative;
    /// LOAD_ATTR_METHOD_{WITH_VALUES,NO_DICT} feedback: (owner, name, self_out, type_version,
    /// keys_version or -1, descr, the site's cache); falls back to `load_method_poly`.
    LoadMethodCached = "coir_rt_load_method_cached"(Obj, Obj, ObjOut, Word, Word, Word, Word) -> Obj, Null;
    /// STORE_ATTR_INSTANCE_VALUE feedback: (owner, name, v, type_version, offset, the site's
    /// cache); falls back to `store_attr_poly`.
    StoreAttrInstanceValue = "coir_rt_store_attr_instance_value"(Obj, Obj, Obj, Word, Word, Word) -> Int, Negative;
    /// STORE_ATTR (owner, name, v, the site's cache): inline values of the types the site has
    /// seen from its cache, the generic store otherwise (which fills the cache).
    StoreAttrPoly = "coir_rt_store_attr_poly"(Obj, Obj, Obj, Word) -> Int, Negative;
    /// LOAD_GLOBAL_{MODULE,BUILTIN} feedback: (frame, name, globals_version, builtins_version
    /// or -1, index, the site's cache): the site's first word names the name's
    /// [`CoirGlobalCell`](crate::abi::CoirGlobalCell) for the frame's dicts once this has run.
    LoadGlobalCached = "coir_rt_load_global_cached"(Frame, Obj, Word, Word, Word, Word) -> Obj, Null;
    /// A global read of an inlined body: (the function, name, the site's cache), through the
    /// function's globals and builtins and the same cells as `load_global_cached`. NULL, with
    /// no exception, where the name is unbound or the lookup could run code (dicts that are not
    /// exact, or have keys other than str): the body is then left for the call.
    LoadGlobalIn = "coir_rt_load_global_in"(Obj, Obj, Word) -> Obj, Null;
    /// LOAD_ATTR_MODULE feedback (owner, name, the site's cache): an exact module's attribute
    /// from its dict, through a global cell of that dict (its first word) as a global read's.
    LoadAttrModule = "coir_rt_load_attr_module"(Obj, Obj, Word) -> Obj, Null;
    /// BINARY_OP with float or int feedback: exact-type fast paths, generic otherwise.
    BinaryOpNumeric = "coir_rt_binary_op_numeric"(Obj, Obj, Int) -> Obj, Null;
    /// COMPARE_OP with float or int feedback.
    CompareOpNumeric = "coir_rt_compare_op_numeric"(Obj, Obj, Int) -> Obj, Null;
    /// Two exact strs compared for equality (the int: `Py_EQ` or `Py_NE`), as COMPARE_OP_STR
    /// does: 1 or 0.
    StrCompare = "coir_rt_str_compare"(Obj, Obj, Int) -> Int, Never, quiet;
    /// A new float object.
    BoxFloat = "coir_rt_box_float"(F64) -> Obj, Null, quiet;
    /// A new (or small, immortal) int object.
    BoxInt = "coir_rt_box_int"(I64) -> Obj, Null, quiet;
    /// Forget the current exception: an inlined body that failed to box its result is left
    /// (for the ordinary call, or the interpreter), which computes (and fails) again (ir-cfg's
    /// `lower/inline.rs`).
    ClearError = "coir_rt_clear_error"(TState) -> Void, Never, quiet;
    /// An inlined body with effects left halfway (ir-cfg's `lower/inline.rs`): the callee's
    /// frame made as the interpreter would have it at the code unit given (function, its
    /// `co_nlocalsplus` locals then its value stack, `n` words in all, borrowed, NULL for an
    /// unbound local), and the interpreter finishes the call from there; its result. Counted in
    /// the call site's cache (the caller's frame, the CALL's code unit, the site's cache): a
    /// site left `DESPECIALISE_AFTER` times is compiled again without inlining.
    ResumeInline = "coir_rt_resume_inline"(TState, Frame, Obj, ObjArray, Int, Int, Int, Word) -> Obj, Null;
    /// A class's call with its `__init__` inline (lower/inline.rs): the callable's `__init__`
    /// function, borrowed (the class keeps it), if the callable is a class coir allocates
    /// instances of itself (`plain_init_class`); else NULL. `inline_ok` then tests the function.
    InitOf = "coir_rt_init_of"(Obj) -> Obj, Never, borrowed, quiet;
    /// A new instance of the class `init_of` accepted, as `object.__new__` makes it.
    AllocInstance = "coir_rt_alloc_instance"(Obj) -> Obj, Null, quiet;
    /// A guard failed (called by the guard's exit, never from the IR): write the value stack
    /// into the frame (frame, `n` words, `n`, the code unit to resume at, the `DeoptReason`,
    /// and the address of a string with one letter per word, from `abi::deopt_slot`: an owned
    /// reference or NULL, a borrowed reference, a double's bits, an int64), set `instr_ptr` and the
    /// stack pointer, and count it (the last word: how often this guard has failed); the
    /// native function then returns `COIR_DEOPTED`.
    Deopt = "coir_rt_deopt"(Frame, ObjArray, Int, Int, Int, Word, Word) -> Void, Never;
    /// BINARY_OP_SUBSCR_{LIST,TUPLE}_INT feedback.
    SubscrSeqInt = "coir_rt_subscr_seq_int"(Obj, Obj) -> Obj, Null;
    /// BINARY_OP_SUBSCR_DICT feedback: `dict[key]` of an exact dict looked up directly.
    SubscrDict = "coir_rt_subscr_dict"(Obj, Obj) -> Obj, Null;
    /// BINARY_OP_SUBSCR_STR_INT feedback: `str[i]`, a Latin-1 character the interpreter's
    /// one-character string.
    SubscrStrInt = "coir_rt_subscr_str_int"(Obj, Obj) -> Obj, Null;
    /// STORE_SUBSCR_DICT feedback (value, container, key): an exact dict's item set directly.
    StoreSubscrDict = "coir_rt_store_subscr_dict"(Obj, Obj, Obj) -> Int, Negative;
    /// `del owner.name`.
    DeleteAttr = "coir_rt_delete_attr"(Obj, Obj) -> Int, Negative;
    /// LOAD_SUPER_ATTR (global_super, class, self, name, oparg, self_out, the site's cache:
    /// the method its method form found last).
    LoadSuperAttr = "coir_rt_load_super_attr"(Obj, Obj, Obj, Obj, Int, ObjOut, Word) -> Obj, Null;
    /// CALL: array = [callable, self_or_null, args...], int = number of args, the site's cache
    /// (its first word: the code state of the Python function it called last). Python
    /// functions and bound methods are tried first, whatever the feedback.
    Call = "coir_rt_call"(TState, ObjArray, Int, Word) -> Obj, Null;
    /// CALL with CALL_LIST_APPEND feedback, as `Call`.
    CallListAppend = "coir_rt_call_list_append"(TState, ObjArray, Int) -> Obj, Null;
    /// CALL with the feedback of a call of a C function or method descriptor (CALL_BUILTIN_O,
    /// _FAST, CALL_METHOD_DESCRIPTOR_*, CALL_LEN, CALL_ISINSTANCE), as `Call`.
    CallBuiltin = "coir_rt_call_builtin"(TState, ObjArray, Int) -> Obj, Null;
    /// CALL with CALL_ALLOC_AND_ENTER_INIT feedback (a class whose `__init__` is a Python
    /// function), as `Call`.
    CallClass = "coir_rt_call_class"(TState, ObjArray, Int) -> Obj, Null;
    /// CALL_KW: array = [callable, self_or_null, args...], int = number of args incl. keywords.
    CallKw = "coir_rt_call_kw"(TState, ObjArray, Int, Obj) -> Obj, Null;
    /// CALL_FUNCTION_EX (func, callargs tuple, kwargs dict or NULL).
    CallFunctionEx = "coir_rt_call_function_ex"(Obj, Obj, Obj) -> Obj, Null;
    /// CALL_INTRINSIC_1.
    CallIntrinsic1 = "coir_rt_call_intrinsic_1"(TState, Obj, Int) -> Obj, Null;
    /// CALL_INTRINSIC_2.
    CallIntrinsic2 = "coir_rt_call_intrinsic_2"(TState, Obj, Obj, Int) -> Obj, Null;
    /// A tuple of n items.
    BuildTuple = "coir_rt_build_tuple"(ObjArray, Int) -> Obj, Null;
    /// A list of n items.
    BuildList = "coir_rt_build_list"(ObjArray, Int) -> Obj, Null;
    /// A set of n items.
    BuildSet = "coir_rt_build_set"(ObjArray, Int) -> Obj, Null;
    /// A dict of n key/value pairs laid out k0, v0, k1, v1, ...
    BuildMap = "coir_rt_build_map"(ObjArray, Int) -> Obj, Null;
    /// A slice (start, stop, step or NULL).
    BuildSlice = "coir_rt_build_slice"(Obj, Obj, Obj) -> Obj, Null;
    /// `''.join` of n strings.
    BuildString = "coir_rt_build_string"(ObjArray, Int) -> Obj, Null;
    /// `list.append(v)`.
    ListAppend = "coir_rt_list_append"(Obj, Obj) -> Int, Negative;
    /// `set.add(v)`.
    SetAdd = "coir_rt_set_add"(Obj, Obj) -> Int, Negative;
    /// `dict[k] = v` (dict, k, v).
    MapAdd = "coir_rt_map_add"(Obj, Obj, Obj) -> Int, Negative;
    /// `list.extend(iterable)` with LIST_EXTEND's error message.
    ListExtend = "coir_rt_list_extend"(Obj, Obj) -> Int, Negative;
    /// `set.update(iterable)`.
    SetUpdate = "coir_rt_set_update"(Obj, Obj) -> Int, Negative;
    /// `dict.update(mapping)` with DICT_UPDATE's error message.
    DictUpdate = "coir_rt_dict_update"(Obj, Obj) -> Int, Negative;
    /// DICT_MERGE (callable for messages, dict, mapping).
    DictMerge = "coir_rt_dict_merge"(Obj, Obj, Obj) -> Int, Negative;
    /// `format(v)`.
    FormatSimple = "coir_rt_format_simple"(Obj) -> Obj, Null;
    /// `format(v, spec)`.
    FormatWithSpec = "coir_rt_format_with_spec"(Obj, Obj) -> Obj, Null;
    /// `str/repr/ascii(v)` by oparg.
    ConvertValue = "coir_rt_convert_value"(Obj, Int) -> Obj, Null;
    /// UNPACK_SEQUENCE: n new references into the array, deepest stack slot first.
    UnpackSequence = "coir_rt_unpack_sequence"(Obj, Int, ObjArray) -> Int, Negative;
    /// UNPACK_EX: like UnpackSequence with UNPACK_EX's oparg.
    UnpackEx = "coir_rt_unpack_ex"(Obj, Int, ObjArray) -> Int, Negative;
    /// RAISE_VARARGS (exc or NULL, cause or NULL): 1 for a bare re-raise, else 0.
    RaiseVarargs = "coir_rt_raise"(TState, Obj, Obj) -> Int, Never;
    /// RERAISE: sets the exception again.
    Reraise = "coir_rt_reraise"(TState, Obj) -> Void, Never;
    /// RERAISE with oparg: restore `frame->instr_ptr` from a tagged lasti.
    RestoreLasti = "coir_rt_restore_lasti"(Frame, Word) -> Void, Never;
    /// PUSH_EXC_INFO: installs exc as the handled exception, returns the previous one.
    PushExcInfo = "coir_rt_push_exc_info"(TState, Obj) -> Obj, Never;
    /// POP_EXCEPT: restores the previously handled exception.
    PopExcept = "coir_rt_pop_except"(TState, Obj) -> Void, Never;
    /// CHECK_EXC_MATCH (exception, type): True/False.
    CheckExcMatch = "coir_rt_check_exc_match"(TState, Obj, Obj) -> Obj, Null, borrowed;
    /// Takes the raised exception (non-NULL).
    FetchExc = "coir_rt_fetch_exc"(TState) -> Obj, Never;
    /// The frame's lasti as a tagged int (a stack reference's bits, tag bits 3).
    Lasti = "coir_rt_lasti"(Frame) -> Word, Never;
    /// Adds the frame's traceback entry for a new exception.
    TracebackHere = "coir_rt_traceback_here"(Frame) -> Void, Never;
    /// Handles pending events (signals, GIL drop, ...) when the eval breaker is set.
    HandlePending = "coir_rt_handle_pending"(TState) -> Int, Negative;
    /// A native generator resumed: its value stack (the frame's `n` slots above the locals,
    /// the sent value on top) moved out of the frame into the array, NULL where a slot is
    /// NULL or holds a tagged int (left in the frame for `ResumedLasti`); the frame's stack
    /// is left empty.
    ResumeStack = "coir_rt_resume_stack"(Frame, Int, ObjArray) -> Void, Never, quiet;
    /// After `ResumeStack`: the tagged int (a handler's lasti, as `Lasti` gives it) that slot
    /// `i` of the value stack held.
    ResumedLasti = "coir_rt_resumed_lasti"(Frame, Int) -> Word, Never, quiet;
    /// YIELD_VALUE (`suspend`): the `n` values of the stack, the yielded one on top, written
    /// as a guard's exit writes them (`kinds`), all but the top into the frame, which is
    /// suspended as the interpreter's YIELD_VALUE leaves it (oparg: yield or yield from) with
    /// `instr_ptr` at code unit `unit`; returns the yielded value.
    Suspend = "coir_rt_suspend"(TState, Frame, ObjArray, Int, Int, Word, Int) -> Obj, Never;
    /// A generator's frame resumed where native code has no entry (after a yield only
    /// `throw()` reaches, which the interpreter ran; or a hand-made code object): the marker
    /// (`COIR_DEOPTED`) that makes run_native hand the frame, as it is, to the interpreter.
    ResumeInInterpreter = "coir_rt_resume_in_interpreter"(Frame) -> Obj, Never, quiet;
    /// SEND (receiver, value sent): a native generator or coroutine resumed directly, as the
    /// interpreter's SEND_GEN pushes its frame, anything else as its generic SEND
    /// (PyIter_Send): 1 and the next value yielded, 0 and the value returned (the jump to
    /// END_SEND), or -1.
    Send = "coir_rt_send"(TState, Obj, Obj, ObjOut) -> Int, Negative;
    /// GET_YIELD_FROM_ITER (the frame's code decides whether a coroutine may be delegated to).
    GetYieldFromIter = "coir_rt_get_yield_from_iter"(Frame, Obj) -> Obj, Null;
    /// GET_AWAITABLE (iterable, oparg).
    GetAwaitable = "coir_rt_get_awaitable"(Obj, Int) -> Obj, Null;
    /// GET_AITER.
    GetAiter = "coir_rt_get_aiter"(Obj) -> Obj, Null;
    /// GET_ANEXT.
    GetAnext = "coir_rt_get_anext"(Obj) -> Obj, Null;
    /// END_ASYNC_FOR's test of the exception: 0 when it is StopAsyncIteration (the loop ends),
    /// else -1 with it raised again.
    EndAsyncFor = "coir_rt_end_async_for"(Obj) -> Int, Negative;
    /// LOAD_DEREF.
    LoadDeref = "coir_rt_load_deref"(Frame, Int) -> Obj, Null;
    /// STORE_DEREF (frame, index, v).
    StoreDeref = "coir_rt_store_deref"(Frame, Int, Obj) -> Void, Never;
    /// DELETE_DEREF.
    DeleteDeref = "coir_rt_delete_deref"(Frame, Int) -> Int, Negative;
    /// MAKE_CELL.
    MakeCell = "coir_rt_make_cell"(Frame, Int) -> Int, Negative | writes Slot(1);
    /// Raises ZeroDivisionError("division by zero"), the interpreter's error for `/`, `//` and
    /// `%` of ints and floats by zero (the inline arithmetic's slow path).
    ZeroDivision = "coir_rt_zero_division"(TState) -> Void, Always;
    /// Raises UnboundLocalError for a local.
    UnboundLocal = "coir_rt_unbound_local"(TState, Frame, Int) -> Void, Always;
    /// MAKE_FUNCTION from a code object.
    MakeFunction = "coir_rt_make_function"(Frame, Obj) -> Obj, Null;
    /// SET_FUNCTION_ATTRIBUTE (attr, func, oparg).
    SetFunctionAttribute = "coir_rt_set_function_attribute"(Obj, Obj, Int) -> Int, Negative;
    /// IMPORT_NAME (frame, name, fromlist, level).
    ImportName = "coir_rt_import_name"(TState, Frame, Obj, Obj, Obj) -> Obj, Null;
    /// IMPORT_FROM (module, name).
    ImportFrom = "coir_rt_import_from"(TState, Obj, Obj) -> Obj, Null;
    /// LOAD_COMMON_CONSTANT.
    LoadCommonConstant = "coir_rt_load_common_constant"(TState, Int) -> Obj, Never;
    /// LOAD_BUILD_CLASS: `builtins.__build_class__`.
    LoadBuildClass = "coir_rt_load_build_class"(TState, Frame) -> Obj, Null;
    /// LOAD_FROM_DICT_OR_GLOBALS (frame, dict, name).
    LoadFromDictOrGlobals = "coir_rt_load_from_dict_or_globals"(Frame, Obj, Obj) -> Obj, Null;
    /// LOAD_FROM_DICT_OR_DEREF (frame, dict, local index of the cell).
    LoadFromDictOrDeref = "coir_rt_load_from_dict_or_deref"(Frame, Obj, Int) -> Obj, Null;
    /// MATCH_CLASS (subject, type, nargs, names): attributes tuple, or None if no match.
    MatchClass = "coir_rt_match_class"(TState, Obj, Obj, Int, Obj) -> Obj, Null;
    /// MATCH_MAPPING (int 0) / MATCH_SEQUENCE (int 1): True/False from the type's flags.
    MatchTypeFlag = "coir_rt_match_type_flag"(Obj, Int) -> Obj, Never, borrowed;
    /// MATCH_KEYS (subject, keys): values tuple or None.
    MatchKeys = "coir_rt_match_keys"(TState, Obj, Obj) -> Obj, Null;
    /// BUILD_TEMPLATE (strings, interpolations).
    BuildTemplate = "coir_rt_build_template"(Obj, Obj) -> Obj, Null;
    /// BUILD_INTERPOLATION (value, str, format or NULL, oparg).
    BuildInterpolation = "coir_rt_build_interpolation"(Obj, Obj, Obj, Int) -> Obj, Null;
    /// CHECK_EG_MATCH (frame, exc_value, match_type, out[rest, match]).
    CheckEgMatch = "coir_rt_check_eg_match"(TState, Frame, Obj, Obj, ObjArray) -> Int, Negative;
    /// GET_LEN.
    GetLen = "coir_rt_get_len"(Obj) -> Obj, Null;
    /// LOAD_SPECIAL: returns the method, `*self_out` = owner (new ref) or NULL.
    LoadSpecial = "coir_rt_load_special"(TState, Obj, Int, ObjOut) -> Obj, Null;
    /// WITH_EXCEPT_START (exit_func, exit_self or NULL, lasti-word, val).
    WithExceptStart = "coir_rt_with_except_start"(Obj, Obj, Obj) -> Obj, Null;
}

impl fmt::Display for Helper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol().trim_start_matches("coir_rt_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut syms: Vec<_> = Helper::ALL.iter().map(|h| h.symbol()).collect();
        syms.sort();
        syms.dedup();
        assert_eq!(syms.len(), Helper::ALL.len(), "symbols are unique");
        for h in Helper::ALL {
            // A borrowed result only makes sense for object results.
            assert!(!h.borrowed_result() || h.ret() == Ty::Obj, "{h}");
            // A slot write names an int parameter.
            if let SlotWrite::Slot(p) = h.slot_write() {
                assert_eq!(h.params().get(p), Some(&Ty::Int), "{h}");
            }
            // Error conventions match the result type.
            match h.err() {
                ErrConv::Null => assert_eq!(h.ret(), Ty::Obj, "{h}"),
                ErrConv::Negative => assert_eq!(h.ret(), Ty::Int, "{h}"),
                ErrConv::Never | ErrConv::Always => {}
            }
        }
    }
}
