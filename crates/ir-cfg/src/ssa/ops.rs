//! The one table of operations. Each opcode is declared once, with its text mnemonic, the kind
//! of immediate it carries, its operand and result types, what it does with references (see
//! [`ArgRef`], [`ResultRef`]) and its effects; the builder, the
//! printer, the verifier and the passes' effect queries all read this table (nothing else
//! matches over opcodes to learn these facts). A runtime-helper call takes its signature and
//! error convention from the helper table ([`crate::helpers`]), the other single source.
use std::fmt;

use crate::helpers::{ErrConv, Helper, SlotWrite, Ty};
use crate::ir::Singleton;

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `PyObject *` (NULL where an operation allows it: unbound locals, `self_or_null`).
    Obj,
    /// C `int` (helper status codes, opargs).
    CInt,
    /// `intptr_t`: a raw machine word.
    Word,
    /// `PyThreadState *`.
    TState,
    /// `_PyInterpreterFrame *`.
    Frame,
    /// A 64-bit signed integer: an unboxed compact `int`.
    I64,
    /// A C `double`: an unboxed `float`.
    F64,
}

impl Type {
    /// The type of a helper parameter or result (`None` for arrays and out-parameters, which
    /// are not values, and for `void`).
    pub fn of_helper(ty: Ty) -> Option<Type> {
        match ty {
            Ty::Obj => Some(Type::Obj),
            Ty::Int => Some(Type::CInt),
            Ty::Word => Some(Type::Word),
            Ty::TState => Some(Type::TState),
            Ty::Frame => Some(Type::Frame),
            Ty::I64 => Some(Type::I64),
            Ty::F64 => Some(Type::F64),
            Ty::ObjArray | Ty::ObjOut | Ty::Void => None,
        }
    }

    /// The helper-table type of the same C type (the variable IR's types).
    pub fn helper_ty(self) -> Ty {
        match self {
            Type::Obj => Ty::Obj,
            Type::CInt => Ty::Int,
            Type::Word => Ty::Word,
            Type::TState => Ty::TState,
            Type::Frame => Ty::Frame,
            Type::I64 => Ty::I64,
            Type::F64 => Ty::F64,
        }
    }

    /// Whether a branch can test it for non-zero.
    pub fn is_integer(self) -> bool {
        matches!(self, Type::CInt | Type::Word)
    }

    /// Whether a frame state may hold it (an unboxed value is boxed when the frame is written).
    pub fn in_frame_state(self) -> bool {
        matches!(self, Type::Obj | Type::I64 | Type::F64)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Obj => "obj",
            Type::CInt => "cint",
            Type::Word => "word",
            Type::TState => "tstate",
            Type::Frame => "frame",
            Type::I64 => "i64",
            Type::F64 => "f64",
        })
    }
}

/// What an operation may do besides computing its results; passes ask these, never the
/// opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Effects(u8);

impl Effects {
    /// Nothing: a pure computation of its results (may be moved, merged or removed).
    pub const NONE: Effects = Effects(0);
    /// May fail with a Python exception: the instruction has an error edge.
    pub const RAISES: Effects = Effects(1);
    /// May run arbitrary Python code (and so read or write anything, including the frame).
    pub const ARBITRARY: Effects = Effects(2);
    /// Reads the frame's local slots.
    pub const READS_FRAME: Effects = Effects(4);
    /// Writes the frame (local slots, `instr_ptr`).
    pub const WRITES_FRAME: Effects = Effects(8);
    /// Changes a reference count.
    pub const REFCOUNT: Effects = Effects(16);
    /// Writes memory of an object (not a reference count): must run, in order.
    pub const WRITES_MEMORY: Effects = Effects(64);
    /// May leave native code for the interpreter (a guard): the instruction names a frame
    /// state, and must stay where it is.
    pub const DEOPTS: Effects = Effects(32);

    /// Union.
    pub const fn with(self, o: Effects) -> Effects {
        Effects(self.0 | o.0)
    }

    /// Whether every effect of `o` is in `self`.
    pub const fn contains(self, o: Effects) -> bool {
        self.0 & o.0 == o.0
    }

    /// Whether the operation may be removed when its results are unused.
    pub const fn is_pure(self) -> bool {
        self.0 == 0
    }
}

/// The kind of immediate an opcode carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmKind {
    /// None.
    None,
    /// `co_consts` index.
    Const,
    /// `co_names` index.
    Name,
    /// An immortal singleton.
    Singleton,
    /// A small int 0..=255.
    SmallInt,
    /// An integer constant.
    Int,
    /// A `localsplus` slot.
    Slot,
    /// A code unit (for `instr_ptr`).
    Unit,
    /// A helper call's shape.
    Call,
    /// A guard: what it checks and the frame state it deoptimises to.
    Guard,
}

/// An instruction's immediate.
#[derive(Clone, Debug, PartialEq)]
pub enum Imm {
    /// None.
    None,
    /// `co_consts[i]`.
    Const(u32),
    /// `co_names[i]`.
    Name(u32),
    /// A singleton.
    Singleton(Singleton),
    /// Small int.
    SmallInt(u32),
    /// Integer.
    Int(i64),
    /// Frame slot.
    Slot(u32),
    /// Code unit.
    Unit(u32),
    /// Helper and the shape of its array parameters.
    Call(HelperCall),
    /// What a guard checks, and where it resumes in the interpreter.
    Guard(GuardKind, FrameState),
}

/// What a guard checks of its object operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GuardKind {
    /// `type(v) is float`.
    Float,
    /// `type(v) is int` and `v` is compact (its value fits a machine word; what CPython's
    /// `_PyLong_IsCompact` tests and the specialised int instructions require).
    CompactInt,
    /// `type(v) is list`.
    List,
    /// `type(v) is tuple`.
    Tuple,
    /// `type(v)` is the range iterator.
    RangeIter,
    /// `type(v) is bool`.
    Bool,
    /// `v is None`.
    None,
    /// (`item`) the index is within the list's bounds (`0 <= i < len`).
    ListIndex,
    /// (`item`) the index is within the tuple's bounds.
    TupleIndex,
    /// A list's or tuple's length is this (a list's can change whenever code runs).
    Len(u32),
    /// (`to_double`) `type(v) is float`, or `v` is a compact int: a number whose double is
    /// exact, as true division and float's power take it.
    Number,
    /// (`fpow`) the base is positive and finite and the result finite: C's `pow` is float's
    /// `**` there.
    PowDomain,
    /// (`guard_quiet`, `periodic`) the interpreter's instrumentation version (the eval
    /// breaker's bits above its event bits) is the one the native function entered at: no
    /// tracer, profiler or monitoring tool became active since (`sys.settrace` instruments the
    /// code of every frame on every stack at once, and from then on the interpreter must run
    /// the frame to report its events). Native code is entered only with none active.
    Instrumentation,
    /// (`suspend`) never passes: YIELD_VALUE with this oparg writes the frame state (the
    /// yielded value on top, returned) and suspends the generator.
    Yield(u32),
}

impl GuardKind {
    /// The builtin type whose exact instances the guard accepts (a compact int is also an
    /// exact int), if the guard is a type test.
    pub fn exact_type(self) -> Option<runtime_abi::abi::BuiltinType> {
        use runtime_abi::abi::BuiltinType as T;
        match self {
            GuardKind::Float => Some(T::Float),
            GuardKind::CompactInt => Some(T::Long),
            GuardKind::List => Some(T::List),
            GuardKind::Tuple => Some(T::Tuple),
            GuardKind::RangeIter => Some(T::RangeIter),
            GuardKind::Bool => Some(T::Bool),
            GuardKind::None
            | GuardKind::ListIndex
            | GuardKind::TupleIndex
            | GuardKind::Len(_)
            | GuardKind::Number
            | GuardKind::PowDomain
            | GuardKind::Instrumentation
            | GuardKind::Yield(_) => None,
        }
    }

    /// Whether a value that passed the guard passes it for good (an exact builtin type),
    /// whatever code runs after.
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            GuardKind::Float
                | GuardKind::CompactInt
                | GuardKind::List
                | GuardKind::Tuple
                | GuardKind::RangeIter
                | GuardKind::Bool
                | GuardKind::None
                | GuardKind::Number
        )
    }

    /// Its name in dumps.
    pub fn name(self) -> &'static str {
        match self {
            GuardKind::Float => "float",
            GuardKind::CompactInt => "compact_int",
            GuardKind::List => "list",
            GuardKind::Tuple => "tuple",
            GuardKind::RangeIter => "range_iter",
            GuardKind::Bool => "bool",
            GuardKind::None => "none",
            GuardKind::ListIndex => "list_index",
            GuardKind::TupleIndex => "tuple_index",
            GuardKind::Number => "number",
            GuardKind::PowDomain => "pow_domain",
            GuardKind::Instrumentation => "instrumentation",
            GuardKind::Yield(_) => "yield",
            GuardKind::Len(_) => "len",
        }
    }

    /// The reason counted when it fails.
    pub fn reason(self) -> runtime_abi::abi::DeoptReason {
        match self {
            GuardKind::Float => runtime_abi::abi::DeoptReason::NotFloat,
            GuardKind::CompactInt => runtime_abi::abi::DeoptReason::NotCompactInt,
            GuardKind::List => runtime_abi::abi::DeoptReason::NotList,
            GuardKind::Tuple => runtime_abi::abi::DeoptReason::NotTuple,
            GuardKind::RangeIter => runtime_abi::abi::DeoptReason::NotRangeIter,
            GuardKind::Bool | GuardKind::None => runtime_abi::abi::DeoptReason::TruthType,
            GuardKind::ListIndex | GuardKind::TupleIndex => runtime_abi::abi::DeoptReason::IndexOutOfRange,
            GuardKind::Len(_) => runtime_abi::abi::DeoptReason::WrongLength,
            GuardKind::Number => runtime_abi::abi::DeoptReason::NotNumber,
            GuardKind::PowDomain => runtime_abi::abi::DeoptReason::PowDomain,
            GuardKind::Instrumentation => runtime_abi::abi::DeoptReason::Instrumented,
            // Not counted: a suspension is no deoptimisation (the emitter calls `suspend`).
            GuardKind::Yield(_) => runtime_abi::abi::DeoptReason::Instrumented,
        }
    }
}

impl fmt::Display for GuardKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardKind::Len(n) => write!(f, "len({n})"),
            GuardKind::Yield(n) => write!(f, "yield({n})"),
            k => f.write_str(k.name()),
        }
    }
}

/// Where a failing guard resumes in the interpreter: the code unit to execute next (the
/// instruction being lowered, or its first `EXTENDED_ARG`) and how to write each value-stack
/// slot, from the bottom. The slots' values are the guard's operands after the checked one;
/// the locals are in the frame already.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FrameState {
    /// Code unit to resume at.
    pub unit: u32,
    /// How each stack slot is written.
    pub stack: Vec<StackSlot>,
}

/// How a frame state writes one value-stack slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StackSlot {
    /// An object (or NULL) whose reference the function holds: moved into the frame.
    Owned,
    /// An object borrowed from elsewhere: the frame gets a new reference.
    Borrowed,
    /// An unboxed float: a new float object.
    F64,
    /// An unboxed int: a new int object.
    I64,
    /// A handler's tagged `lasti` (a word, never a reference): written into the frame as it
    /// is.
    TagInt,
}

impl StackSlot {
    /// Its letter in `coir_rt_deopt`'s `kinds` string (runtime-abi's `deopt_slot`).
    pub fn deopt_letter(self) -> u8 {
        use runtime_abi::abi::deopt_slot;
        match self {
            StackSlot::Owned => deopt_slot::OWNED,
            StackSlot::Borrowed => deopt_slot::BORROWED,
            StackSlot::F64 => deopt_slot::F64,
            StackSlot::I64 => deopt_slot::I64,
            StackSlot::TagInt => deopt_slot::TAG_INT,
        }
    }

    /// Its name in dumps.
    pub fn name(self) -> &'static str {
        match self {
            StackSlot::Owned => "owned",
            StackSlot::Borrowed => "borrowed",
            StackSlot::F64 => "f64",
            StackSlot::I64 => "i64",
            StackSlot::TagInt => "lasti",
        }
    }

    /// The type of the operand giving the slot.
    pub fn ty(self) -> Type {
        match self {
            StackSlot::Owned | StackSlot::Borrowed => Type::Obj,
            StackSlot::TagInt => Type::Word,
            StackSlot::F64 => Type::F64,
            StackSlot::I64 => Type::I64,
        }
    }
}

impl Imm {
    /// Its kind.
    pub fn kind(&self) -> ImmKind {
        match self {
            Imm::None => ImmKind::None,
            Imm::Const(_) => ImmKind::Const,
            Imm::Name(_) => ImmKind::Name,
            Imm::Singleton(_) => ImmKind::Singleton,
            Imm::SmallInt(_) => ImmKind::SmallInt,
            Imm::Int(_) => ImmKind::Int,
            Imm::Slot(_) => ImmKind::Slot,
            Imm::Unit(_) => ImmKind::Unit,
            Imm::Call(_) => ImmKind::Call,
            Imm::Guard(..) => ImmKind::Guard,
        }
    }
}

/// A helper parameter of type [`Ty::ObjArray`] is either a run of operands passed in or a run
/// of results written out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrayArg {
    /// `n` operands, copied to a scratch array.
    In(u32),
    /// `n` results, written by the helper (each a new reference).
    Out(u32),
}

/// A helper call: the helper, and one [`ArrayArg`] per array parameter, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct HelperCall {
    /// The helper.
    pub helper: Helper,
    /// Shapes of its array parameters.
    pub arrays: Vec<ArrayArg>,
}

impl HelperCall {
    /// Operand and result types of the call, from the helper table: scalar parameters and
    /// `In` arrays are operands; the return value (if any), then each out-parameter and `Out`
    /// array in parameter order, are results. `None` if `arrays` does not fit the helper.
    pub fn signature(&self) -> Option<(Vec<Type>, Vec<Type>)> {
        let mut args = Vec::new();
        let mut results: Vec<Type> = Type::of_helper(self.helper.ret()).into_iter().collect();
        let mut arrays = self.arrays.iter();
        for &p in self.helper.params() {
            match p {
                Ty::ObjArray => match arrays.next()? {
                    ArrayArg::In(n) => args.extend(std::iter::repeat_n(Type::Obj, *n as usize)),
                    ArrayArg::Out(n) => results.extend(std::iter::repeat_n(Type::Obj, *n as usize)),
                },
                Ty::ObjOut => results.push(Type::Obj),
                _ => args.push(Type::of_helper(p)?),
            }
        }
        arrays.next().is_none().then_some((args, results))
    }

    /// What the call does with references: helpers borrow every operand; the return value is
    /// new unless the helper table marks it borrowed (immortal); out-parameters and `Out`
    /// arrays receive new references (or NULL). `None` if `arrays` does not fit the helper.
    pub fn refs(&self) -> Option<(Vec<ArgRef>, Vec<ResultRef>)> {
        let (args, results) = self.signature()?;
        let has_ret = Type::of_helper(self.helper.ret()).is_some();
        let res = results
            .iter()
            .enumerate()
            .map(|(i, t)| match (t, i == 0 && has_ret) {
                (Type::Obj, true) if self.helper.borrowed_result() => ResultRef::Immortal,
                (Type::Obj, _) => ResultRef::New,
                _ => ResultRef::Scalar,
            })
            .collect();
        Some((vec![ArgRef::Borrow; args.len()], res))
    }

    /// The frame slots the call writes, and the operand giving the slot or count (which must
    /// be a constant), from the helper table.
    pub fn slot_write(&self) -> Option<(SlotWrite, usize)> {
        let sw = self.helper.slot_write();
        let SlotWrite::Slot(p) = sw else { return None };
        // Operand index of parameter `p`: scalars and `In` arrays before it are operands.
        let mut arrays = self.arrays.iter();
        let mut k = 0;
        for &t in &self.helper.params()[..p] {
            match t {
                Ty::ObjArray => {
                    if let Some(ArrayArg::In(n)) = arrays.next() {
                        k += *n as usize;
                    }
                }
                Ty::ObjOut => {}
                _ => k += 1,
            }
        }
        Some((sw, k))
    }

    /// The call's effects: a helper may run arbitrary code unless the table marks it `quiet`,
    /// and raises unless its convention says never.
    pub fn effects(&self) -> Effects {
        let e = if self.helper.runs_code() { Effects::ARBITRARY } else { Effects::NONE };
        if self.helper.err() == ErrConv::Never { e } else { e.with(Effects::RAISES) }
    }
}

/// What an operation does with the reference of one operand (for non-object operands:
/// [`ArgRef::Borrow`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgRef {
    /// Reads it: the operand's own reference, or its owner's, keeps it alive throughout.
    Borrow,
    /// Takes one more reference (`incref`; `xincref` of NULL takes none).
    Incref,
    /// Releases one reference (`decref`, `xdecref`).
    Release,
    /// Moves one reference into the frame slot named by the immediate; the slot's old value
    /// is released, so the borrows of the slot go stale (`store_local`).
    StoreSlot,
}

/// Where the reference of a result comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultRef {
    /// Not an object.
    Scalar,
    /// A new reference (or NULL) the function must release or hand on.
    New,
    /// Borrowed from the code object (`co_consts`, `co_names`) or the running function (its
    /// closure's cells): alive while the frame runs.
    Code,
    /// An immortal object, or a tagged int: needs no reference.
    Immortal,
    /// `NULL`: nothing to release (releasing it is a no-op).
    Null,
    /// Borrowed from the frame slot named by the immediate: stale once the slot is written.
    Slot,
    /// The reference the slot named by the immediate held, moved out (the slot is left NULL):
    /// a new reference to release, and the borrows of the slot now borrow from it.
    TakeSlot,
}

/// Operand and result types of an opcode.
#[derive(Clone, Copy, Debug)]
pub enum Sig {
    /// Fixed.
    Fixed(&'static [Type], &'static [Type]),
    /// From the helper table ([`HelperCall::signature`]).
    Helper,
    /// Fixed operands and results, then one operand per stack slot of the frame state (object
    /// or unboxed; see [`FrameState`]), each borrowed.
    Deopt(&'static [Type], &'static [Type]),
}

/// What the table says about one opcode.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// Text mnemonic.
    pub name: &'static str,
    /// Immediate kind.
    pub imm: ImmKind,
    /// Types.
    pub sig: Sig,
    /// What it does with references, per operand and per result (for [`Sig::Helper`]:
    /// empty, see [`HelperCall::refs`]).
    pub refs: (&'static [ArgRef], &'static [ResultRef]),
    /// Effects (for [`Sig::Helper`], those of the helper are added).
    pub effects: Effects,
    /// What is known of an object result whatever the operands.
    pub result: ResultFact,
}

/// What the table knows of an operation's object result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultFact {
    /// Nothing (may be NULL where the operation allows it).
    Any,
    /// Never NULL.
    NonNull,
    /// An immortal object: reference counting on it does nothing.
    Immortal,
    /// Always NULL.
    Null,
}

impl ResultFact {
    /// What an operation's first result's reference source says of it (one source: the
    /// table's ownership column).
    pub const fn of(results: &[ResultRef]) -> ResultFact {
        match results.first() {
            Some(ResultRef::Code) => ResultFact::NonNull,
            Some(ResultRef::Immortal) => ResultFact::Immortal,
            Some(ResultRef::Null) => ResultFact::Null,
            _ => ResultFact::Any,
        }
    }
}

/// The signature of a table entry: fixed, or (for an operation that may deoptimise) fixed
/// operands followed by its frame state's stack.
const fn sig_of(a: &'static [Type], r: &'static [Type], e: Effects) -> Sig {
    if e.contains(Effects::DEOPTS) { Sig::Deopt(a, r) } else { Sig::Fixed(a, r) }
}

macro_rules! ops {
    (helper_call: $(#[doc = $cdoc:literal])* $call:ident $ctext:literal;
     $( $(#[doc = $doc:literal])* $op:ident $text:literal $imm:ident ($($a:ident),*) -> ($($r:ident),*)
        [$($ar:ident),* => $($rr:ident),*] $(| $eff:ident)*; )*) => {
        /// An operation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Opcode {
            $( $(#[doc = $doc])* $op, )*
            $(#[doc = $cdoc])* $call,
        }

        impl Opcode {
            /// Every opcode.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$op,)* Opcode::$call];

            /// The table's entry.
            pub fn info(self) -> &'static OpInfo {
                match self {
                    $(Opcode::$op => const { &OpInfo {
                        name: $text,
                        imm: ImmKind::$imm,
                        sig: sig_of(&[$(Type::$a),*], &[$(Type::$r),*], Effects::NONE$(.with(Effects::$eff))*),
                        refs: (&[$(ArgRef::$ar),*], &[$(ResultRef::$rr),*]),
                        effects: Effects::NONE$(.with(Effects::$eff))*,
                        result: ResultFact::of(&[$(ResultRef::$rr),*]),
                    } },)*
                    Opcode::$call => &OpInfo {
                        name: $ctext,
                        imm: ImmKind::Call,
                        sig: Sig::Helper,
                        refs: (&[], &[]),
                        effects: Effects::NONE,
                        result: ResultFact::Any,
                    },
                }
            }
        }
    };
}

ops! {
    helper_call:
    /// Call a runtime helper (types and error convention from the helper table).
    Call "call";
    /// `co_consts[i]`, borrowed from the code object.
    Const "const" Const () -> (Obj) [=> Code];
    /// `co_names[i]`, borrowed from the code object.
    Name "name" Name () -> (Obj) [=> Code];
    /// An immortal singleton.
    Singleton "singleton" Singleton () -> (Obj) [=> Immortal];
    /// The immortal small int `i`.
    SmallInt "small_int" SmallInt () -> (Obj) [=> Immortal];
    /// `NULL`.
    Null "null" None () -> (Obj) [=> Null];
    /// A C int constant.
    CInt "cint" Int () -> (CInt) [=> Scalar];
    /// A word constant.
    Word "word" Int () -> (Word) [=> Scalar];
    /// The pointer-sized inline-cache field at code unit `u` of the adaptive code lowered from
    /// (relocated: see `Operand::Cache`).
    CacheWord "cache_word" Unit () -> (Word) [=> Scalar];
    /// The 32-bit inline-cache field at code unit `u` (a type or keys version), zero-extended.
    CacheU32 "cache_u32" Unit () -> (Word) [=> Scalar];
    /// The 16-bit inline-cache field at code unit `u` (a globals keys version), zero-extended.
    CacheU16 "cache_u16" Unit () -> (Word) [=> Scalar];
    /// The address of the writable cache of the attribute load at code unit `u` (see
    /// `Operand::SiteCache`).
    SiteCache "site_cache" Unit () -> (Word) [=> Scalar];
    /// Take a new reference to a non-NULL object.
    Incref "incref" None (Obj) -> () [Incref =>] | REFCOUNT;
    /// Take a new reference unless NULL.
    XIncref "xincref" None (Obj) -> () [Incref =>] | REFCOUNT;
    /// Release a reference to a non-NULL object (a deallocation may run `__del__`).
    Decref "decref" None (Obj) -> () [Release =>] | REFCOUNT | ARBITRARY;
    /// Release a reference unless NULL.
    XDecref "xdecref" None (Obj) -> () [Release =>] | REFCOUNT | ARBITRARY;
    /// `localsplus[i]`, borrowed from the frame (NULL if unbound).
    LoadLocal "local" Slot () -> (Obj) [=> Slot] | READS_FRAME;
    /// LOAD_FAST_AND_CLEAR: `localsplus[i]` as a new reference (or NULL); the slot left NULL.
    TakeLocal "take_local" Slot () -> (Obj) [=> TakeSlot] | READS_FRAME | WRITES_FRAME | REFCOUNT;
    /// `localsplus[i] = v`, stealing `v` (or NULL) and releasing the old value.
    StoreLocal "store_local" Slot (Obj) -> () [StoreSlot =>] | WRITES_FRAME | REFCOUNT | ARBITRARY;
    /// A float of value `x` about to be stored into local slot `i` (see
    /// `passes::reuse_float_locals`): when the slot owns an exact float nothing else references,
    /// that float with `x` written into it and one more reference (the store then releases the
    /// slot's); otherwise a new float, as `box_float`. MemoryError when allocating fails.
    BoxFloatInto "box_float_into" Slot (F64) -> (Obj) [Borrow => New] | READS_FRAME | WRITES_MEMORY | RAISES;
    /// An int of value `v` about to be stored into local slot `i`, as `box_float_into`: when
    /// the slot owns an exact int nothing else references and `v` is a compact int's value but
    /// not a small int's (those are the interpreter's immortal objects), that int with `v`
    /// written into it and one more reference; otherwise `box_int`.
    BoxIntInto "box_int_into" Slot (I64) -> (Obj) [Borrow => New] | READS_FRAME | WRITES_MEMORY | RAISES;
    /// A float of value `x` about to replace `w` in the list item `w` was read from (see
    /// `passes::reuse_float_locals`): when `w` (an exact float) has just the references of the
    /// list and of the function (the immediate: 2), `w` with `x` written into it and one more
    /// reference; otherwise a new float, as `box_float`. MemoryError when allocating fails.
    BoxFloatOver "box_float_over" Int (F64, Obj) -> (Obj) [Borrow, Borrow => New] | WRITES_MEMORY | RAISES;
    /// `frame->instr_ptr = code + unit`, before anything that can raise or look at the frame.
    SetInstrPtr "instr_ptr" Unit () -> () [=>] | WRITES_FRAME;
    /// The eval breaker: handles signals, GIL requests, async exceptions.
    CheckEvalBreaker "eval_breaker" None (TState) -> () [Borrow =>] | RAISES | ARBITRARY;
    /// The eval breaker where the frame can leave for the interpreter (loop back edges,
    /// function entry: the interpreter's `_CHECK_PERIODIC`): as `eval_breaker`, then, if what
    /// it handled (another thread, a signal handler) switched monitoring on, `guard_quiet`'s
    /// exit. Its immediate is `instrumentation` and the frame state.
    CheckPeriodic "periodic" Guard () -> () [=>] | RAISES | ARBITRARY | DEOPTS;
    /// YIELD_VALUE: write the frame state's stack but its top into the generator's frame,
    /// suspend it and return the top (runtime.c, coir_rt_suspend). Control never goes on past
    /// it; for the IR it does, with the stack as it was (the top standing for the value sent
    /// in), into the instruction after the yield, which native code enters when the generator
    /// resumes (lower/generators.rs). Its immediate is `yield(oparg)` and the frame state.
    Suspend "suspend" Guard () -> () [=>] | DEOPTS | WRITES_FRAME;
    /// A generator's first resumption (`lower/generators.rs`): the value sent in (None, an
    /// immortal: nothing to release) popped off the frame's value stack.
    DropSent "drop_sent" None () -> () [=>] | WRITES_FRAME;
    /// Whether the frame's `instr_ptr` is at this code unit (where a generator resumes): 1
    /// or 0.
    AtUnit "at_unit" Unit () -> (CInt) [=> Scalar] | READS_FRAME;
    /// Continue while the frame's code is instrumented at the interpreter's version (after a
    /// call: the callee may have called `sys.settrace`, as `breakpoint()` does); otherwise
    /// write the frame state and finish the function in the interpreter.
    GuardQuiet "guard_quiet" Guard () -> () [=>] | DEOPTS;
    /// Continue if the object is what the kind says; otherwise write the frame state and
    /// finish the function in the interpreter.
    Guard "guard" Guard (Obj) -> () [Borrow =>] | DEOPTS;
    /// Continue if the int's value is that of a compact int (`|v| < 2**30`, one digit):
    /// `guard compact_int` on the box of an unboxed int, without the box.
    GuardCompact "guard_compact" Guard (I64) -> () [Borrow =>] | DEOPTS;
    /// Whether an object is a compact int (exactly `int`, one digit): 1 or 0. The test of
    /// `guard compact_int` for int operations whose other answer takes the generic path
    /// rather than deoptimising (ints outgrow a digit in ordinary code).
    IsCompactInt "is_compact_int" None (Obj) -> (CInt) [Borrow => Scalar];
    /// Whether an object is exactly `int` with two digits at most (`|v| < 2**60`: hashes,
    /// 32-bit masks), where the interpreter's int specialisations give up: 1 or 0.
    IsMediumInt "is_medium_int" None (Obj) -> (CInt) [Borrow => Scalar];
    /// Whether an object is exactly a `str`: 1 or 0 (COMPARE_OP_STR's test).
    IsStr "is_str" None (Obj) -> (CInt) [Borrow => Scalar];
    /// Whether an unboxed int's value is a compact int's: `is_compact_int` of its box.
    FitsCompact "fits_compact" None (I64) -> (CInt) [Borrow => Scalar];
    /// The value of a float (only where a guard or the producer proved the type).
    UnboxFloat "unbox_float" None (Obj) -> (F64) [Borrow => Scalar];
    /// The value of a compact int (only where a guard proved it).
    UnboxInt "unbox_int" None (Obj) -> (I64) [Borrow => Scalar];
    /// `a + b` on doubles.
    FAdd "fadd" None (F64, F64) -> (F64) [Borrow, Borrow => Scalar];
    /// `a - b` on doubles.
    FSub "fsub" None (F64, F64) -> (F64) [Borrow, Borrow => Scalar];
    /// `a * b` on doubles.
    FMul "fmul" None (F64, F64) -> (F64) [Borrow, Borrow => Scalar];
    /// The value of an int of two digits at most (only where `is_medium_int` said so).
    UnboxMediumInt "unbox_medium_int" None (Obj) -> (I64) [Borrow => Scalar];
    /// `a op b` on two medium ints' values, the immediate the operator (`NB_ADD`,
    /// `NB_SUBTRACT`, `NB_MULTIPLY`, `NB_AND`, `NB_OR`, `NB_XOR`), computed exactly (in 128
    /// bits): (1, the result) when it fits in 64 bits, else (0, anything).
    MediumArith "medium_arith" Int (I64, I64) -> (CInt, I64) [Borrow, Borrow => Scalar, Scalar];
    /// `a + b` on compact ints' values (below 2**30 in magnitude, so it cannot overflow).
    IAdd "iadd" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar];
    /// `a - b` on compact ints' values.
    ISub "isub" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar];
    /// `a * b` on compact ints' values (below 2**60 in magnitude).
    IMul "imul" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar];
    /// `a & b` on ints' values (two's complement, as int's `&`).
    IAnd "iand" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar];
    /// `a | b` on ints' values.
    IOr "ior" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar];
    /// `a ^ b` on ints' values.
    IXor "ixor" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar];
    /// The double nearest an int's value (as `PyLong_AsDouble`; exact below 2**53).
    IToF "itof" None (I64) -> (F64) [Borrow => Scalar];
    /// `a / b` on doubles; ZeroDivisionError when `b` is zero (float's true division).
    FDiv "fdiv" None (F64, F64) -> (F64) [Borrow, Borrow => Scalar] | RAISES;
    /// `a // b` on ints below 2**62 in magnitude (rounding towards minus infinity);
    /// ZeroDivisionError when `b` is zero.
    IFloorDiv "ifloordiv" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar] | RAISES;
    /// `a % b` on ints below 2**62 in magnitude (the result has `b`'s sign);
    /// ZeroDivisionError when `b` is zero.
    IMod "imod" None (I64, I64) -> (I64) [Borrow, Borrow => Scalar] | RAISES;
    /// Compare doubles; the immediate is COMPARE_OP's comparison (`oparg >> 5`: `<`, `<=`,
    /// `==`, `!=`, `>`, `>=`). 1 or 0.
    FCmp "fcmp" Int (F64, F64) -> (CInt) [Borrow, Borrow => Scalar];
    /// Compare integers, as `fcmp`.
    ICmp "icmp" Int (I64, I64) -> (CInt) [Borrow, Borrow => Scalar];
    /// Whether a compact int is non-zero (guarded): 1 or 0.
    IntTruth "int_truth" None (Obj) -> (CInt) [Borrow => Scalar];
    /// Whether a list or tuple is non-empty (guarded): 1 or 0.
    SizeTruth "size_truth" None (Obj) -> (CInt) [Borrow => Scalar];
    /// `a is b` (the immediate 0), `a is not b` (1): 1 or 0.
    Is "is" Int (Obj, Obj) -> (CInt) [Borrow, Borrow => Scalar];
    /// `True` if the int is non-zero, else `False`.
    Bool "bool" None (CInt) -> (Obj) [Borrow => Immortal];
    /// `seq[i]` of a list or tuple (the kind says which, the sequence's type is guarded),
    /// as a new reference; deoptimises when `i` is out of bounds (the interpreter raises).
    Item "item" Guard (Obj, I64) -> (Obj) [Borrow, Borrow => New] | DEOPTS;
    /// Cell `i` of the running function's closure (`f_funcobj->func_closure[i]`), borrowed:
    /// the frame holds the function, the function its closure (COPY_FREE_VARS).
    FreeVar "free_var" Int () -> (Obj) [=> Code];
    /// The value of a cell (LOAD_DEREF's `PyCell_GetRef`, the frame's slot holds the cell) as a
    /// new reference, or NULL when the cell is empty.
    CellGet "cell_get" None (Obj) -> (Obj) [Borrow => New] | REFCOUNT;
    /// Item `i` (the immediate) of a tuple whose type and length were guarded, as a new
    /// reference.
    TupleItem "tuple_item" Int (Obj) -> (Obj) [Borrow => New] | REFCOUNT;
    /// Item `i` of a list whose type and length were guarded (with nothing in between that
    /// could change it), as a new reference.
    ListItem "list_item" Int (Obj) -> (Obj) [Borrow => New] | REFCOUNT;
    /// Advance a range iterator (guarded): 1 and the next value, or 0 (and 0) when it is
    /// exhausted.
    RangeNext "range_next" None (Obj) -> (CInt, I64) [Borrow => Scalar, Scalar] | WRITES_MEMORY;
    /// The test before an inlined call's body (`lower/inline.rs`): `callable` is a function
    /// whose code's version is `version` (the code inlined), the thread's Python recursion
    /// limit is not reached, and the code's RESUME_CHECK would pass (no eval-breaker event
    /// pending, instrumentation current) with sys.monitoring never having instrumented the
    /// code. 1 or 0; on 0 the call is made as any other. Reads memory other threads and signal
    /// handlers write: never moved or merged.
    InlineOk "inline_ok" None (Obj, Word) -> (CInt) [Borrow, Borrow => Scalar] | WRITES_MEMORY;
    /// An attribute read that runs no code, as LOAD_ATTR_INSTANCE_VALUE (the immediate 1) or
    /// LOAD_ATTR_SLOT (0) with the type version and the value's index (the slot's byte offset),
    /// then (another type) the instance value of the name through the site's cache
    /// (`attr_read_quiet`): operands owner, version, index, name, site. The value as a new
    /// reference, or NULL (no exception set) for anything else.
    AttrRead "attr_read" Int (Obj, Word, Word, Obj, Word) -> (Obj) [Borrow, Borrow, Borrow, Borrow, Borrow => New] | REFCOUNT;
    /// An attribute store that runs no code, as STORE_ATTR_INSTANCE_VALUE (the immediate 1)
    /// or STORE_ATTR_SLOT (0) with the type version and the value's index (the slot's byte
    /// offset): operands owner, version, index, value. 1 when done (the owner holds a new
    /// reference to the value); 0, with nothing done, when the tests fail, when an instance
    /// value is not there yet (a new one joins the insertion order: the interpreter's to do),
    /// or when releasing the value replaced could run code (its last reference, unless an exact
    /// float, int or str).
    AttrWrite "attr_write" Int (Obj, Word, Word, Obj) -> (CInt) [Borrow, Borrow, Borrow, Borrow => Scalar] | WRITES_MEMORY | REFCOUNT;
    /// Cell `i` (the immediate) of a function's closure as a new reference (an inlined body's
    /// COPY_FREE_VARS: the function is the callable its entry test accepted).
    ClosureCell "closure_cell" Int (Obj) -> (Obj) [Borrow => New] | REFCOUNT;
    /// Whether an object is exactly a `float`: 1 or 0.
    IsFloat "is_float" None (Obj) -> (CInt) [Borrow => Scalar];
    /// Two operands as doubles, as float's arithmetic and true division take them: (1, x, y)
    /// when each is an exact float or a compact int (whose double is exact) and, unless the
    /// immediate is 1 (true division, whose result is a float whatever the operands), one is
    /// a float; (0, 0, 0) otherwise.
    AsDoubles "as_doubles" Int (Obj, Obj) -> (CInt, F64, F64) [Borrow, Borrow => Scalar, Scalar, Scalar];
    /// An operand of a true division or of a power with a float exponent as a double: an
    /// exact float's value, or a compact int's (exact); deoptimises (`GuardKind::Number`) for
    /// anything else.
    ToDouble "to_double" Guard (Obj) -> (F64) [Borrow => Scalar] | DEOPTS;
    /// `x ** y` as float's `**` computes it, by C's `pow`, where the base is positive and
    /// finite and the result finite; deoptimises (`GuardKind::PowDomain`) elsewhere, where the
    /// interpreter raises (zero to a negative power, an overflow) or makes a complex.
    FPow "fpow" Guard (F64, F64) -> (F64) [Borrow, Borrow => Scalar] | DEOPTS;
    /// `math.<f>(x)` by its C function, `f` the immediate (a `runtime_abi::abi::MathFn`):
    /// (1, the result) where `x` is in the function's domain (`MathFn::domain`), where `math`
    /// returns the same and raises nothing; (0, 0) elsewhere.
    MathCall "math" Int (F64) -> (CInt, F64) [Borrow => Scalar, Scalar];
    /// `seq[i]` of an exact list (the immediate 0) or tuple (1) and a compact int `i` in its
    /// bounds, as BINARY_OP_SUBSCR_LIST_INT / _TUPLE_INT do it: the item as a new reference;
    /// NULL (no exception set) for anything else.
    ItemRead "item_read" Int (Obj, Obj) -> (Obj) [Borrow, Borrow => New] | REFCOUNT;
    /// The truth of `True`, `False`, `None`, an exact int or an exact list, with no call: (1,
    /// truth); (0, 0) for any other object.
    QuickTruth "quick_truth" None (Obj) -> (CInt, CInt) [Borrow => Scalar, Scalar];
    /// `list[i] = v`, moving `v`'s reference into the list and releasing the item it
    /// replaces (which may run `__del__`); deoptimises when `i` is out of bounds.
    StoreItem "store_item" Guard (Obj, I64, Obj) -> () [Borrow, Borrow, Release =>] | DEOPTS | REFCOUNT | ARBITRARY;
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnemonics_are_unique() {
        let mut names: Vec<_> = Opcode::ALL.iter().map(|o| o.info().name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Opcode::ALL.len());
    }

    #[test]
    fn every_helper_has_a_call_signature() {
        for &h in Helper::ALL {
            let arrays: Vec<ArrayArg> =
                h.params().iter().filter(|p| **p == Ty::ObjArray).map(|_| ArrayArg::In(2)).collect();
            assert!(HelperCall { helper: h, arrays }.signature().is_some(), "{h}");
        }
    }

    #[test]
    fn every_opcode_describes_the_references_of_its_operands_and_results() {
        for &op in Opcode::ALL {
            let info = op.info();
            if let Sig::Fixed(a, r) | Sig::Deopt(a, r) = info.sig {
                assert_eq!(a.len(), info.refs.0.len(), "{op}");
                assert_eq!(r.len(), info.refs.1.len(), "{op}");
                for (t, rr) in r.iter().zip(info.refs.1) {
                    assert_eq!(*t == Type::Obj, *rr != ResultRef::Scalar, "{op}");
                }
            }
        }
        for &h in Helper::ALL {
            let arrays: Vec<ArrayArg> =
                h.params().iter().filter(|p| **p == Ty::ObjArray).map(|_| ArrayArg::Out(2)).collect();
            let c = HelperCall { helper: h, arrays };
            let (args, results) = c.signature().unwrap();
            let (ar, rr) = c.refs().unwrap();
            assert_eq!((args.len(), results.len()), (ar.len(), rr.len()), "{h}");
            if let Some((_, k)) = c.slot_write() {
                assert_eq!(args[k], Type::CInt, "{h}");
            }
        }
    }

    #[test]
    fn call_shapes_must_fit() {
        let h = Helper::ALL.iter().copied().find(|h| h.params().contains(&Ty::ObjArray)).unwrap();
        assert!(HelperCall { helper: h, arrays: vec![] }.signature().is_none());
    }
}
