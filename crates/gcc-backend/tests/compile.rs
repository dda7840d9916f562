//! SSA → native code, run without an interpreter: functions that touch no CPython object
//! (integer block parameters, a helper of our own, relocated constants) are compiled and
//! called, so the backend's control flow and block-argument passing are checked by running.
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};

use gcc_backend::{Abi, BuiltinType, CodeConsts, LayoutFacts, Options};
use ir_cfg::helpers::Helper;
use ir_cfg::ssa::{self, HelperCall, Imm, Opcode, SsaBuilder, Terminator, Type};

/// Stand-in for the interpreter's `_Py_Dealloc`, which compiled code calls by name.
#[unsafe(no_mangle)]
pub extern "C" fn _Py_Dealloc(o: *mut u8) {
    DEALLOCATED.lock().unwrap().push(o as usize);
}

/// Stand-ins for what compiled code's float boxing and freeing read by name: `_PyRuntime` with
/// a reference tracer set (its first word: every layout fact is 0 here), so they always take
/// the interpreter's functions, `PyFloat_FromDouble` (the `box_float` below), `PyLong_FromLongLong`
/// (records the value: `BOXED_INTS`) and `_Py_Dealloc`.
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals)]
pub static _PyRuntime: [usize; 2] = [1, 0];
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals)]
pub static PyFloat_Type: [usize; 2] = [0, 0];
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals)]
pub static PyLong_Type: [usize; 2] = [0, 0];
#[unsafe(no_mangle)]
pub extern "C" fn PyLong_FromLongLong(v: i64) -> *mut u8 {
    BOXED_INTS.with(|b| b.borrow_mut().push(v));
    1 as *mut u8
}
#[unsafe(no_mangle)]
pub extern "C" fn PyFloat_FromDouble(x: f64) -> *mut u8 {
    box_float(x) as *mut u8
}

static PENDING_CALLS: AtomicI32 = AtomicI32::new(0);
static LIMIT: AtomicI32 = AtomicI32::new(0);

/// Plays `handle_pending`: 1 for the first LIMIT calls, then 0.
extern "C" fn countdown(_tstate: *mut u8) -> i32 {
    let n = PENDING_CALLS.fetch_add(1, Ordering::SeqCst);
    i32::from(n < LIMIT.load(Ordering::SeqCst))
}

fn abi() -> Abi {
    let mut helpers = HashMap::new();
    for &h in Helper::ALL {
        helpers.insert(h, 0xdead_0000);
    }
    helpers.insert(Helper::HandlePending, countdown as extern "C" fn(*mut u8) -> i32 as usize);
    let facts = LayoutFacts { stackref_tag_bits: 1, stackref_null: 1, incref_immortal_threshold: u32::MAX, stackref_size: 8, ..LayoutFacts::default() };
    Abi { facts, helpers, ..Abi::default() }
}

/// `x, y = 1, 0; while countdown(): x, y = y, x; return consts[0] if x else consts[1]`
fn swap_loop() -> ssa::Function {
    named_swap_loop("swap_loop")
}

fn named_swap_loop(name: &str) -> ssa::Function {
    let mut b = SsaBuilder::new(name, 0);
    let (tstate, _) = b.entry_params();
    let x = b.declare_var(Type::CInt);
    let y = b.declare_var(Type::CInt);
    let (header, body, err, exit, yes, no) = (
        b.new_block("header"),
        b.new_block("body"),
        b.new_block("err"),
        b.new_block("exit"),
        b.new_block("yes"),
        b.new_block("no"),
    );
    let one = b.ins1(Opcode::CInt, Imm::Int(1), vec![], None).unwrap();
    let zero = b.ins1(Opcode::CInt, Imm::Int(0), vec![], None).unwrap();
    b.def_var(x, one).unwrap();
    b.def_var(y, zero).unwrap();
    b.terminate(Terminator::Jump(SsaBuilder::call(header))).unwrap();
    b.switch_to(header);
    let call = Imm::Call(HelperCall { helper: Helper::HandlePending, arrays: vec![] });
    let more = b.ins1(Opcode::Call, call, vec![tstate], Some(err)).unwrap();
    b.terminate(Terminator::Branch { cond: more, then: SsaBuilder::call(body), otherwise: SsaBuilder::call(exit) }).unwrap();
    for blk in [body, err, exit] {
        b.seal_block(blk);
    }
    b.switch_to(body);
    let (vx, vy) = (b.use_var(x).unwrap(), b.use_var(y).unwrap());
    b.def_var(x, vy).unwrap();
    b.def_var(y, vx).unwrap();
    b.terminate(Terminator::Jump(SsaBuilder::call(header))).unwrap();
    b.seal_block(header);
    b.switch_to(err);
    b.terminate(Terminator::Raise).unwrap();
    b.switch_to(exit);
    let vx = b.use_var(x).unwrap();
    b.terminate(Terminator::Branch { cond: vx, then: SsaBuilder::call(yes), otherwise: SsaBuilder::call(no) }).unwrap();
    for (blk, i) in [(yes, 0), (no, 1)] {
        b.seal_block(blk);
        b.switch_to(blk);
        let c = b.ins1(Opcode::Const, Imm::Const(i), vec![], None).unwrap();
        b.ins(Opcode::Incref, Imm::None, vec![c], None).unwrap();
        b.terminate(Terminator::Return(c)).unwrap();
    }
    let f = b.finish().unwrap();
    ssa::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    f
}

#[test]
fn block_arguments_are_parallel_copies() {
    let f = swap_loop();
    // The header takes both variables as parameters and the back edge swaps them.
    assert_eq!(f.blocks[f.rpo()[1]].params.len(), 2, "{}", f.to_text());
    // Stand-ins for objects: a refcount word at the immortal threshold, which incref leaves alone.
    static YES: [u32; 4] = [u32::MAX, 0, 0, 0];
    static NO: [u32; 4] = [u32::MAX, 0, 0, 0];
    let consts = CodeConsts { consts: vec![YES.as_ptr() as usize, NO.as_ptr() as usize], names: vec![], code_base: 0, adaptive: vec![] };
    for opt in [0, 2] {
        let opts = Options { opt_level: opt, ..Options::default() };
        let code = gcc_backend::compile(&f, &abi(), &consts, &opts).unwrap_or_else(|e| panic!("-O{opt}: {e}"));
        for (swaps, want) in [(0, YES.as_ptr()), (1, NO.as_ptr()), (2, YES.as_ptr()), (5, NO.as_ptr())] {
            PENDING_CALLS.store(0, Ordering::SeqCst);
            LIMIT.store(swaps, Ordering::SeqCst);
            // SAFETY: the function touches neither the thread state nor the frame.
            let r = unsafe { (code.entry())(std::ptr::null_mut(), std::ptr::null_mut(), code.relocs()) };
            assert_eq!(r as usize, want as usize, "-O{opt}, {swaps} swaps");
        }
    }
}

#[test]
fn out_of_range_constants_are_refused() {
    let f = swap_loop();
    let consts = CodeConsts { consts: vec![1], names: vec![], code_base: 0, adaptive: vec![] };
    let r = gcc_backend::compile(&f, &abi(), &consts, &Options::default());
    assert!(matches!(r, Err(gcc_backend::BackendError::BadOperand(_))), "{r:?}");
}

/// Runs a compiled `swap_loop` for `swaps` swaps.
fn run_swaps(code: &gcc_backend::Compiled, swaps: i32) -> usize {
    PENDING_CALLS.store(0, Ordering::SeqCst);
    LIMIT.store(swaps, Ordering::SeqCst);
    // SAFETY: the function touches neither the thread state nor the frame.
    unsafe { (code.entry())(std::ptr::null_mut(), std::ptr::null_mut(), code.relocs()) as usize }
}

#[test]
fn a_batch_is_one_shared_object_and_each_member_its_own_cache_entry() {
    static A: [u32; 4] = [u32::MAX, 0, 0, 0];
    static B: [u32; 4] = [u32::MAX, 0, 0, 0];
    let (a, b) = (A.as_ptr() as usize, B.as_ptr() as usize);
    let fs = [named_swap_loop("first"), named_swap_loop("second"), named_swap_loop("third")];
    // Each member its own constants: the same code, opposite answers, and a table too short.
    let consts = [
        CodeConsts { consts: vec![a, b], names: vec![], code_base: 0, adaptive: vec![] },
        CodeConsts { consts: vec![b, a], names: vec![], code_base: 0, adaptive: vec![] },
        CodeConsts { consts: vec![a], names: vec![], code_base: 0, adaptive: vec![] },
    ];
    let dir = std::env::temp_dir().join(format!("coir-batch-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = Options { cache_dir: Some(dir.clone()), ..Options::default() };
    let units: Vec<gcc_backend::Unit<'_>> =
        fs.iter().zip(&consts).map(|(f, c)| gcc_backend::Unit { f, consts: c, opts: &opts }).collect();
    let check = |results: Vec<Result<gcc_backend::Compiled, gcc_backend::BackendError>>, cached: bool| {
        let [first, second, third]: [_; 3] = results.try_into().unwrap_or_else(|_| panic!("three results"));
        let (first, second) = (first.unwrap(), second.unwrap());
        assert!(matches!(third, Err(gcc_backend::BackendError::BadOperand(_))), "{third:?}");
        assert_eq!((first.cached, second.cached), (cached, cached));
        for swaps in [0, 1, 4] {
            let even = swaps % 2 == 0;
            assert_eq!(run_swaps(&first, swaps), if even { a } else { b }, "first, {swaps} swaps");
            assert_eq!(run_swaps(&second, swaps), if even { b } else { a }, "second, {swaps} swaps");
        }
    };
    check(gcc_backend::compile_batch(&units, &abi()), false);
    // Two cache entries, hard links to one shared object: the third member, refused while
    // being emitted, is not in it.
    let mut objects = Vec::new();
    for sub in std::fs::read_dir(&dir).unwrap() {
        for e in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            objects.push(e.unwrap().path());
        }
    }
    assert_eq!(objects.len(), 2, "{objects:?}");
    use std::os::unix::fs::MetadataExt;
    let inodes: std::collections::HashSet<u64> = objects.iter().map(|p| std::fs::metadata(p).unwrap().ino()).collect();
    assert_eq!(inodes.len(), 1, "one shared object: {objects:?}");
    // A later batch (another process, in practice) finds every member in the cache.
    check(gcc_backend::compile_batch(&units, &abi()), true);
    // And so does a lone compile of one of them.
    let alone = gcc_backend::compile(&fs[1], &abi(), &consts[1], &opts).unwrap();
    assert!(alone.cached);
    assert_eq!(run_swaps(&alone, 1), a);
    let _ = std::fs::remove_dir_all(&dir);
}

/// End the function: its one error block `err` raises; the function, verified.
fn finish_raising(mut b: SsaBuilder, err: ssa::Block) -> ssa::Function {
    b.seal_block(err);
    b.switch_to(err);
    b.terminate(Terminator::Raise).unwrap();
    let f = b.finish().unwrap();
    ssa::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    f
}

/// Stand-ins for objects the guards look at: `{refcount, type, payload}`.
#[repr(C)]
struct Obj {
    refcnt: u64,
    ty: *const u8,
    payload: u64,
}

static FLOAT_TYPE: u8 = 0;
static LONG_TYPE: u8 = 0;

fn float(v: f64) -> Box<Obj> {
    Box::new(Obj { refcnt: u32::MAX as u64, ty: &FLOAT_TYPE, payload: v.to_bits() })
}

thread_local! {
    static BOXED: std::cell::RefCell<Vec<Box<Obj>>> = const { std::cell::RefCell::new(Vec::new()) };
    static DEOPTS: std::cell::RefCell<Vec<(Vec<usize>, i32, i32, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

extern "C" fn box_float(v: f64) -> *mut Obj {
    BOXED.with(|b| {
        let mut o = float(v);
        let p: *mut Obj = &mut *o;
        b.borrow_mut().push(o);
        p
    })
}

extern "C" fn deopt(_frame: *mut u8, items: *const usize, n: i32, unit: i32, reason: i32, kinds: *const u8, _failures: isize) {
    // SAFETY: the exit passes `n` words and a string of `n` letters.
    let (items, kinds) = unsafe { (std::slice::from_raw_parts(items, n as usize).to_vec(), std::slice::from_raw_parts(kinds, n as usize)) };
    DEOPTS.with(|d| d.borrow_mut().push((items, unit, reason, String::from_utf8_lossy(kinds).into_owned())));
}

/// `return local[0] + local[1]`, speculating on floats (a guard per operand, deopt to unit 3
/// with both operands on the stack, borrowed).
fn guarded_add() -> ssa::Function {
    use ssa::{FrameState, GuardKind, StackSlot};
    let mut b = SsaBuilder::new("guarded_add", 2);
    let err = b.new_block("err");
    let a = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    let y = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    let fs = FrameState { unit: 3, stack: vec![StackSlot::Borrowed, StackSlot::Borrowed] };
    for v in [a, y] {
        b.ins(Opcode::Guard, Imm::Guard(GuardKind::Float, fs.clone()), vec![v, a, y], None).unwrap();
    }
    let (x0, x1) = (b.ins1(Opcode::UnboxFloat, Imm::None, vec![a], None).unwrap(), b.ins1(Opcode::UnboxFloat, Imm::None, vec![y], None).unwrap());
    let s = b.ins1(Opcode::FAdd, Imm::None, vec![x0, x1], None).unwrap();
    let o = b.ins1(Opcode::Call, Imm::Call(HelperCall { helper: Helper::BoxFloat, arrays: vec![] }), vec![s], Some(err)).unwrap();
    b.terminate(Terminator::Return(o)).unwrap();
    finish_raising(b, err)
}

#[test]
fn a_failing_guard_writes_its_frame_state_and_returns_deopted() {
    let mut abi = abi();
    abi.facts.ob_type = 8;
    abi.facts.float_value = 16;
    abi.types[BuiltinType::Float as usize] = &FLOAT_TYPE as *const u8 as usize;
    abi.types[BuiltinType::Long as usize] = &LONG_TYPE as *const u8 as usize;
    abi.helpers.insert(Helper::BoxFloat, box_float as extern "C" fn(f64) -> *mut Obj as usize);
    abi.helpers.insert(Helper::Deopt, deopt as extern "C" fn(*mut u8, *const usize, i32, i32, i32, *const u8, isize) as usize);
    let f = guarded_add();
    let consts = CodeConsts::default();
    let (x, y) = (float(1.5), float(2.25));
    let not_float = Box::new(Obj { refcnt: u32::MAX as u64, ty: &LONG_TYPE, payload: 7 });
    let run = |code: &gcc_backend::Compiled, a: &Obj, b: &Obj| -> usize {
        // The frame is its local slots (localsplus at offset 0 in this ABI), as stackrefs.
        let mut frame = [a as *const Obj as usize, b as *const Obj as usize];
        // SAFETY: the function reads two local slots and calls the stand-ins above.
        unsafe { (code.entry())(std::ptr::null_mut(), frame.as_mut_ptr() as *mut u8, code.relocs()) as usize }
    };
    for stress in [false, true] {
        let opts = Options { deopt_stress: stress, ..Options::default() };
        let code = gcc_backend::compile(&f, &abi, &consts, &opts).unwrap_or_else(|e| panic!("{e}"));
        DEOPTS.with(|d| d.borrow_mut().clear());
        if stress {
            // Each guard fails once: the first call leaves at the first guard, the second at
            // the second, and then both pass.
            assert_eq!(run(&code, &x, &y), runtime_abi::abi::DEOPTED);
            assert_eq!(run(&code, &x, &y), runtime_abi::abi::DEOPTED);
            DEOPTS.with(|d| d.borrow_mut().clear());
        }
        let r = run(&code, &x, &y);
        // SAFETY: a box made by `box_float` above.
        assert_eq!(f64::from_bits(unsafe { (*(r as *const Obj)).payload }), 3.75);
        assert_eq!(run(&code, &x, &not_float), runtime_abi::abi::DEOPTED);
        let d = DEOPTS.with(|d| d.borrow().clone());
        let want = vec![&*x as *const Obj as usize, &*not_float as *const Obj as usize];
        assert_eq!(d, vec![(want, 3, runtime_abi::abi::DeoptReason::NotFloat as i32, "bb".to_string())], "stress {stress}");
    }
}

/// Calls of the `load_method_cached` stand-in.
static SLOW_METHOD_LOADS: AtomicI32 = AtomicI32::new(0);
/// The count the stand-in keeps in the site's cache, after its last call.
static SITE_WORD: AtomicI32 = AtomicI32::new(0);

/// Plays `load_method_cached`: returns its descriptor argument, with no `self`.
extern "C" fn descr_argument(_o: usize, _n: usize, self_out: *mut usize, _tv: usize, _kv: usize, descr: usize, site: *mut u64) -> usize {
    SLOW_METHOD_LOADS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: the site's cache is SITE_CACHE_WORDS writable words of the relocation table,
    // zero until written: the stand-in counts its calls in the last one.
    unsafe {
        let last = site.add(runtime_abi::abi::SITE_CACHE_WORDS - 1);
        *last += 1;
        SITE_WORD.store(*last as i32, Ordering::SeqCst);
    }
    // SAFETY: compiled code passes the address of its out-value.
    unsafe { *self_out = 0 };
    descr
}

/// `m, s = load_method_cached(local[0], NULL, cache_u32 @0, -1, cache_word @2, site_cache @0);
/// return m`: a method load with LOAD_ATTR_METHOD_NO_DICT's feedback, the type version at unit 0
/// and the descriptor at unit 2.
fn returns_cache_word() -> ssa::Function {
    let mut b = SsaBuilder::new("returns_cache_word", 1);
    let err = b.new_block("err");
    let owner = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    let null = b.ins1(Opcode::Null, Imm::None, vec![], None).unwrap();
    let tv = b.ins1(Opcode::CacheU32, Imm::Unit(0), vec![], None).unwrap();
    let kv = b.ins1(Opcode::Word, Imm::Int(-1), vec![], None).unwrap();
    let descr = b.ins1(Opcode::CacheWord, Imm::Unit(2), vec![], None).unwrap();
    let site = b.ins1(Opcode::SiteCache, Imm::Unit(0), vec![], None).unwrap();
    let call = Imm::Call(HelperCall { helper: Helper::LoadMethodCached, arrays: vec![] });
    let r = b.ins(Opcode::Call, call, vec![owner, null, tv, kv, descr, site], Some(err)).unwrap();
    b.ins(Opcode::XDecref, Imm::None, vec![r[1]], None).unwrap();
    b.terminate(Terminator::Return(r[0])).unwrap();
    finish_raising(b, err)
}

#[test]
fn cache_fields_are_relocated_so_the_cache_key_does_not_hold_them() {
    let f = returns_cache_word();
    let mut abi = abi();
    abi.facts.ob_type = 8;
    abi.helpers.insert(Helper::LoadMethodCached, descr_argument as extern "C" fn(usize, usize, *mut usize, usize, usize, usize, *mut u64) -> usize as usize);
    // Two types, with version tags (at offset 0 in this ABI) 7 and 8.
    static SEVEN: [u32; 2] = [7, 0];
    static EIGHT: [u32; 2] = [8, 0];
    let seven = Obj { refcnt: u32::MAX as u64, ty: SEVEN.as_ptr() as *const u8, payload: 0 };
    let eight = Obj { refcnt: u32::MAX as u64, ty: EIGHT.as_ptr() as *const u8, payload: 0 };
    // The same feedback in two processes: the descriptor at another address, and the type
    // numbered 7 in one and 8 in the other (versions are given out in order of use).
    let (d1, d2) = (float(1.0), float(2.0));
    let code = |d: &Obj, version: u32| -> Vec<u8> {
        [version.to_le_bytes().to_vec(), (d as *const Obj as u64).to_le_bytes().to_vec(), vec![0u8; 2]].concat()
    };
    let dir = std::env::temp_dir().join(format!("coir-cache-word-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = Options { cache_dir: Some(dir.clone()), ..Options::default() };
    for (d, version, cached) in [(&d1, 7, false), (&d2, 8, true)] {
        let consts = CodeConsts { adaptive: code(d, version), ..CodeConsts::default() };
        let c = gcc_backend::compile(&f, &abi, &consts, &opts).unwrap();
        assert_eq!(c.cached, cached);
        let (same, other) = if version == 7 { (&seven, &eight) } else { (&eight, &seven) };
        for (owner, slow) in [(same, 0), (other, 1)] {
            SLOW_METHOD_LOADS.store(0, Ordering::SeqCst);
            let mut frame = [owner as *const Obj as usize];
            // SAFETY: the function reads one local slot and calls the stand-in above.
            let r = unsafe { (c.entry())(std::ptr::null_mut(), frame.as_mut_ptr() as *mut u8, c.relocs()) };
            assert_eq!(r as usize, &**d as *const Obj as usize);
            // The fast path inline when the type's version is the feedback's, the helper not.
            assert_eq!(SLOW_METHOD_LOADS.load(Ordering::SeqCst), slow);
        }
        // The site's cache is the loaded code's own, and lasts between calls.
        let mut frame = [other as *const Obj as usize];
        // SAFETY: as above.
        unsafe { (c.entry())(std::ptr::null_mut(), frame.as_mut_ptr() as *mut u8, c.relocs()) };
        assert_eq!(SITE_WORD.load(Ordering::SeqCst), 2);
    }
    // A field past the code is refused, not read.
    let short = CodeConsts { adaptive: vec![0u8; 8], ..CodeConsts::default() };
    let r = gcc_backend::compile(&f, &abi, &short, &Options::default());
    assert!(matches!(r, Err(gcc_backend::BackendError::BadOperand(_))), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Objects the `_Py_Dealloc` stand-in was given.
static DEALLOCATED: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

/// `incref local[0]; decref local[0]; return local[0]`: a release that deallocates when the
/// count was zero before the increment.
fn incref_decref() -> ssa::Function {
    let mut b = SsaBuilder::new("incref_decref", 1);
    let x = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![x], None).unwrap();
    b.ins(Opcode::Decref, Imm::None, vec![x], None).unwrap();
    b.ins(Opcode::Incref, Imm::None, vec![x], None).unwrap();
    b.terminate(Terminator::Return(x)).unwrap();
    let f = b.finish().unwrap();
    ssa::verify(&f).unwrap_or_else(|e| panic!("{e:?}\n{}", f.to_text()));
    f
}

/// The decrement is inline and the release of a last reference out of line
/// (`coir_release_last_reference`): the object reaches the interpreter's deallocation exactly
/// when its count drops to zero, and immortal objects (negative 32-bit count) are not touched.
#[test]
fn only_the_last_reference_is_deallocated() {
    let code = gcc_backend::compile(&incref_decref(), &abi(), &CodeConsts::default(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let run = |o: &mut Obj| {
        let mut frame = [o as *mut Obj as usize];
        // SAFETY: the function reads one local slot and counts references of its object.
        unsafe { (code.entry())(std::ptr::null_mut(), frame.as_mut_ptr() as *mut u8, code.relocs()) as usize }
    };
    let dead = |o: &Obj| DEALLOCATED.lock().unwrap().contains(&(o as *const Obj as usize));
    for (count, freed, after) in [(0u64, true, 1u64), (3, false, 4), (0xffff_ffff, false, 0xffff_ffff)] {
        let mut o = Obj { refcnt: count, ty: std::ptr::null(), payload: 0 };
        assert_eq!(run(&mut o), &o as *const Obj as usize);
        assert_eq!((dead(&o), o.refcnt), (freed, after), "count {count}");
        DEALLOCATED.lock().unwrap().retain(|&p| p != &o as *const Obj as usize);
    }
}

/// Stand-ins for int objects of up to two 30-bit digits, laid out as the test ABI below says:
/// `{refcount, type, tag, digits}`, the tag `ndigits << 3 | sign` (0 positive, 1 zero, 2
/// negative), as CPython's `lv_tag`.
#[repr(C)]
struct Int {
    refcnt: u64,
    ty: *const u8,
    tag: u64,
    digits: [u32; 2],
}

fn int(v: i64) -> Int {
    let m = v.unsigned_abs();
    assert!(m < 1 << 60);
    let n = if m == 0 { 0 } else if m < 1 << 30 { 1 } else { 2 };
    // Past its digits, memory the reader must not use.
    let digits = [(m & ((1 << 30) - 1)) as u32, if n == 2 { (m >> 30) as u32 } else { 0x2aaa_aaaa }];
    let sign = match v.signum() { 1 => 0, 0 => 1, _ => 2 };
    Int { refcnt: u32::MAX as u64, ty: &LONG_TYPE, tag: n << 3 | sign, digits }
}

thread_local! {
    static BOXED_INTS: std::cell::RefCell<Vec<i64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `a, b = local[0], local[1]; if is_medium_int(a) and is_medium_int(b): (fits, r) =
/// medium_arith[nb](unbox_medium_int(a), unbox_medium_int(b)); return box_int(r) if fits;
/// return NULL`.
fn medium(nb: u32) -> ssa::Function {
    let mut b = SsaBuilder::new("medium", 2);
    let (err, both, fits, no) = (b.new_block("err"), b.new_block("both"), b.new_block("fits"), b.new_block("no"));
    let x = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    let y = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    let (mx, my) = (b.ins1(Opcode::IsMediumInt, Imm::None, vec![x], None).unwrap(), b.ins1(Opcode::IsMediumInt, Imm::None, vec![y], None).unwrap());
    let second = b.new_block("second");
    b.terminate(Terminator::Branch { cond: mx, then: SsaBuilder::call(second), otherwise: SsaBuilder::call(no) }).unwrap();
    b.seal_block(second);
    b.switch_to(second);
    b.terminate(Terminator::Branch { cond: my, then: SsaBuilder::call(both), otherwise: SsaBuilder::call(no) }).unwrap();
    b.seal_block(both);
    b.switch_to(both);
    let (ux, uy) = (b.ins1(Opcode::UnboxMediumInt, Imm::None, vec![x], None).unwrap(), b.ins1(Opcode::UnboxMediumInt, Imm::None, vec![y], None).unwrap());
    let r = b.ins(Opcode::MediumArith, Imm::Int(nb as i64), vec![ux, uy], None).unwrap();
    b.terminate(Terminator::Branch { cond: r[0], then: SsaBuilder::call(fits), otherwise: SsaBuilder::call(no) }).unwrap();
    b.seal_block(fits);
    b.switch_to(fits);
    let o = b.ins1(Opcode::Call, Imm::Call(HelperCall { helper: Helper::BoxInt, arrays: vec![] }), vec![r[1]], Some(err)).unwrap();
    b.terminate(Terminator::Return(o)).unwrap();
    b.seal_block(no);
    b.switch_to(no);
    let null = b.ins1(Opcode::Null, Imm::None, vec![], None).unwrap();
    b.terminate(Terminator::Return(null)).unwrap();
    finish_raising(b, err)
}

/// Two-digit ints are read as CPython stores them (sign, two 30-bit digits, the second read only
/// when there are two), and `+ - * & | ^` of their values are exact: a result that fits 64 bits
/// is boxed, one that does not takes the other way, as does an int of three digits or another
/// type. Python's `&`, `|` and `^` of negative ints are two's complement, as `i128`'s.
#[test]
fn two_digit_int_arithmetic_is_exact_or_refused() {
    use ir_cfg::opargs::{NB_ADD, NB_AND, NB_MULTIPLY, NB_OR, NB_SUBTRACT, NB_XOR};
    let mut abi = abi();
    abi.facts.ob_type = 8;
    abi.facts.long_tag = 16;
    abi.facts.long_digits = 24;
    abi.facts.long_shift = 30;
    abi.facts.long_sign_mask = 3;
    abi.facts.long_compact_below = 2 << 3;
    abi.facts.long_medium_below = 3 << 3;
    abi.types[BuiltinType::Long as usize] = &LONG_TYPE as *const u8 as usize;
    let values = [0i64, 1, -1, 7, (1 << 30) - 1, 1 << 30, -(1 << 30), (1 << 45) + 12345, -(1 << 59) + 3, (1 << 60) - 1, -(1 << 60) + 1];
    let ops: [(u32, fn(i128, i128) -> i128); 6] =
        [(NB_ADD, |a, b| a + b), (NB_SUBTRACT, |a, b| a - b), (NB_MULTIPLY, |a, b| a * b), (NB_AND, |a, b| a & b), (NB_OR, |a, b| a | b), (NB_XOR, |a, b| a ^ b)];
    for (nb, op) in ops {
        let code = gcc_backend::compile(&medium(nb), &abi, &CodeConsts::default(), &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        let run = |a: &Int, b: &Int| -> (usize, Option<i64>) {
            let mut frame = [a as *const Int as usize, b as *const Int as usize];
            BOXED_INTS.with(|v| v.borrow_mut().clear());
            // SAFETY: the function reads two local slots, the stand-in objects' fields, and calls
            // the box stand-in.
            let r = unsafe { (code.entry())(std::ptr::null_mut(), frame.as_mut_ptr() as *mut u8, code.relocs()) as usize };
            (r, BOXED_INTS.with(|v| v.borrow().last().copied()))
        };
        for &a in &values {
            for &b in &values {
                let want = op(a as i128, b as i128);
                let got = run(&int(a), &int(b));
                // (Zero is the small int the ABI's zero facts make: the runtime's array, not a box.)
                match i64::try_from(want) {
                    Ok(0) => assert_eq!(got, (_PyRuntime.as_ptr() as usize, None), "{a} op{nb} {b}"),
                    Ok(w) => assert_eq!(got, (1, Some(w)), "{a} op{nb} {b}"),
                    Err(_) => assert_eq!(got, (0, None), "{a} op{nb} {b} = {want} does not fit"),
                }
            }
        }
        // Three digits, or not an int: not taken.
        let mut big = int(5);
        big.tag = 3 << 3;
        assert_eq!(run(&big, &int(5)), (0, None));
        let mut other = int(5);
        other.ty = &FLOAT_TYPE;
        assert_eq!(run(&int(5), &other), (0, None));
    }
}

/// `attr_write` (inline values) of `local[1]` into `local[0]` at the value slot `index`, type
/// version 77; returns NULL when stored, the small int 0 when the write was left to the caller.
fn attr_write(index: usize) -> ssa::Function {
    let mut b = SsaBuilder::new("attr_write", 2);
    let (err, stored, left) = (b.new_block("err"), b.new_block("stored"), b.new_block("left"));
    let owner = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
    let v = b.ins1(Opcode::LoadLocal, Imm::Slot(1), vec![], None).unwrap();
    let tv = b.ins1(Opcode::Word, Imm::Int(77), vec![], None).unwrap();
    let off = b.ins1(Opcode::Word, Imm::Int((VALUES_AT + 8 + 8 * index) as i64), vec![], None).unwrap();
    let r = b.ins1(Opcode::AttrWrite, Imm::Int(1), vec![owner, tv, off, v], None).unwrap();
    b.terminate(Terminator::Branch { cond: r, then: SsaBuilder::call(stored), otherwise: SsaBuilder::call(left) }).unwrap();
    b.seal_block(stored);
    b.switch_to(stored);
    let null = b.ins1(Opcode::Null, Imm::None, vec![], None).unwrap();
    b.terminate(Terminator::Return(null)).unwrap();
    b.seal_block(left);
    b.switch_to(left);
    let zero = b.ins1(Opcode::SmallInt, Imm::SmallInt(0), vec![], None).unwrap();
    b.terminate(Terminator::Return(zero)).unwrap();
    finish_raising(b, err)
}

/// Where a stand-in instance's inline values start (its type's basic size).
const VALUES_AT: usize = 16;

/// A stand-in instance with inline values: the managed-dict word before the object, the object
/// head (`{refcount, type}`), then `PyDictValues` (capacity, size, embedded, valid, padding, four
/// value slots, then the insertion order, a byte per value).
#[repr(C)]
struct Instance {
    managed_dict: usize,
    refcnt: u64,
    ty: *const StandInType,
    capacity: u8,
    size: u8,
    embedded: u8,
    valid: u8,
    _pad: u32,
    values: [usize; 4],
    order: [u8; 8],
}

#[repr(C)]
struct StandInType {
    version: u32,
    _pad: u32,
    basicsize: i64,
}

/// A new attribute stored into inline values joins the insertion order (its index appended, the
/// size counted), as the interpreter's STORE_ATTR_INSTANCE_VALUE does; an attribute already
/// there is replaced (the old value released, the order kept); another type, a managed dict or
/// values no longer valid leave the store to the caller.
#[test]
fn inline_values_stores_keep_the_insertion_order() {
    let mut abi = abi();
    abi.facts.ob_type = 8;
    abi.facts.type_version_tag = 0;
    abi.facts.type_basicsize = 8;
    abi.facts.managed_dict_offset = -8;
    abi.facts.dict_values_capacity = 0;
    abi.facts.dict_values_size = 1;
    abi.facts.dict_values_valid = 3;
    abi.facts.dict_values_values = 8;
    // The "left" result: the small int 0's address.
    abi.small_ints = vec![0x5a11];
    let ty = StandInType { version: 77, _pad: 0, basicsize: VALUES_AT as i64 };
    let other = StandInType { version: 78, _pad: 0, basicsize: VALUES_AT as i64 };
    let fresh = |ty: &StandInType| Instance {
        managed_dict: 0,
        refcnt: 1,
        ty,
        capacity: 4,
        size: 0,
        embedded: 1,
        valid: 1,
        _pad: 0,
        values: [0; 4],
        order: [0xee; 8],
    };
    let codes: Vec<_> = (0..4).map(|i| gcc_backend::compile(&attr_write(i), &abi, &CodeConsts::default(), &Options::default()).unwrap_or_else(|e| panic!("{e}"))).collect();
    let store = |inst: &mut Instance, index: usize, v: &Obj| -> bool {
        let mut frame = [&raw mut inst.refcnt as usize, v as *const Obj as usize];
        // SAFETY: the function reads two local slots and the stand-ins' fields the facts name.
        let r = unsafe { (codes[index].entry())(std::ptr::null_mut(), frame.as_mut_ptr() as *mut u8, codes[index].relocs()) as usize };
        assert!(r == 0 || r == 0x5a11, "{r:#x}");
        r == 0
    };
    let value = |refcnt: u64| Obj { refcnt, ty: &FLOAT_TYPE, payload: 0 };
    // Stored in the order 2, 0, 3: the order bytes say so, the rest untouched.
    let (a, b, c) = (value(1), value(1), value(1));
    let mut inst = fresh(&ty);
    assert!(store(&mut inst, 2, &a) && store(&mut inst, 0, &b) && store(&mut inst, 3, &c));
    assert_eq!((inst.size, &inst.order[..4]), (3, &[2, 0, 3, 0xee][..]));
    assert_eq!(inst.values, [&b as *const Obj as usize, 0, &a as *const Obj as usize, &c as *const Obj as usize]);
    assert_eq!((a.refcnt, b.refcnt, c.refcnt), (2, 2, 2));
    // Replaced: the old value released, the order as it was.
    let d = value(1);
    assert!(store(&mut inst, 2, &d));
    assert_eq!((inst.size, &inst.order[..4], inst.values[2]), (3, &[2, 0, 3, 0xee][..], &d as *const Obj as usize));
    assert_eq!((a.refcnt, d.refcnt), (1, 2));
    // Left to the caller: another type, a managed dict, invalid values; nothing written.
    for spoil in [|i: &mut Instance, o: &StandInType| i.ty = o, |i: &mut Instance, _: &StandInType| i.managed_dict = 1, |i: &mut Instance, _: &StandInType| i.valid = 0] {
        let mut inst = fresh(&ty);
        spoil(&mut inst, &other);
        let e = value(1);
        assert!(!store(&mut inst, 1, &e));
        assert_eq!((inst.size, inst.values, e.refcnt), (0, [0; 4], 1));
    }
}
