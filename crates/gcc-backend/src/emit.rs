//! IR → libgccjit. One context per function; one gccjit block per IR block, split after each
//! fallible call into "error" and "continue" edges.
use std::collections::HashMap;
use std::time::Instant;

use gccjit::{
    BinaryOp, Block, ComparisonOp, Context, FunctionType, LValue, OptimizationLevel, OutputKind, RValue, ToRValue,
    Type,
};
use ir_cfg::{ErrConv, Function, Inst, Operand, Singleton, Term, Ty, Var};

use crate::cache;
use crate::{Abi, Artefact, BackendError, CodeConsts, Compiled, EntryFn, Options, Reloc};

/// The exported symbol of a function's native code: `py_` and its qualified name with every
/// character other than an ASCII letter, digit or `_` made `_` (`py_Holder_method`,
/// `py_f__locals___lambda_`). Profilers that read the shared object's symbols (`perf report`)
/// show it; the name is part of the IR, hence of the cache key.
pub(crate) fn entry_symbol(qualname: &str) -> String {
    let mut s = String::with_capacity(qualname.len() + 3);
    s.push_str("py_");
    s.extend(qualname.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }));
    s
}

struct Types<'c> {
    void: Type<'c>,
    ptr: Type<'c>,
    int: Type<'c>,
    word: Type<'c>,
    u32: Type<'c>,
    i32: Type<'c>,
    u64: Type<'c>,
    char: Type<'c>,
    /// `union { void *p; uint64_t u; }`: libgccjit (GCC 12) casts no pointer to integer.
    conv: Type<'c>,
    conv_p: gccjit::Field<'c>,
    conv_u: gccjit::Field<'c>,
}

impl<'c> Types<'c> {
    fn new(ctx: &'c Context<'c>) -> Self {
        let ptr = ctx.new_type::<()>().make_pointer();
        let u64 = ctx.new_int_type(8, false);
        let conv_p = ctx.new_field(None, ptr, "p");
        let conv_u = ctx.new_field(None, u64, "u");
        Types {
            void: ctx.new_type::<()>(),
            ptr,
            int: ctx.new_int_type(4, true),
            word: ctx.new_int_type(8, true),
            u32: ctx.new_int_type(4, false),
            i32: ctx.new_int_type(4, true),
            u64,
            char: ctx.new_int_type(1, true),
            conv: ctx.new_union_type(None, "coir_conv", &[conv_p, conv_u]),
            conv_p,
            conv_u,
        }
    }

    /// Reinterpret a pointer as its bits, through a union local of `f`.
    fn to_u64(&self, f: gccjit::Function<'c>, b: Block<'c>, v: RValue<'c>, name: &str) -> RValue<'c> {
        let l = f.new_local(None, self.conv, name);
        b.add_assignment(None, l.access_field(None, self.conv_p), v);
        l.access_field(None, self.conv_u).to_rvalue()
    }

    /// Reinterpret bits as a pointer, through a union local of `f`.
    fn to_ptr(&self, f: gccjit::Function<'c>, b: Block<'c>, v: RValue<'c>, name: &str) -> RValue<'c> {
        let l = f.new_local(None, self.conv, name);
        b.add_assignment(None, l.access_field(None, self.conv_u), v);
        l.access_field(None, self.conv_p).to_rvalue()
    }
}

struct Emitter<'c, 'a> {
    ctx: &'c Context<'c>,
    t: Types<'c>,
    abi: &'a Abi,
    consts: &'a CodeConsts,
    func: gccjit::Function<'c>,
    tstate: RValue<'c>,
    frame: RValue<'c>,
    locals: Vec<LValue<'c>>,
    scratch: Option<LValue<'c>>,
    /// GCC block of each IR block; `None` for IR blocks no path reaches.
    blocks: Vec<Option<Block<'c>>>,
    incref: gccjit::Function<'c>,
    xincref: gccjit::Function<'c>,
    decref: gccjit::Function<'c>,
    xdecref: gccjit::Function<'c>,
    store_local: gccjit::Function<'c>,
    fn_types: HashMap<ir_cfg::Helper, Type<'c>>,
    temps: u32,
    /// The entry's third parameter: the relocation table (`void **`).
    reloc_table: RValue<'c>,
    /// What each slot of the relocation table holds, in order of first use.
    relocs: std::cell::RefCell<Vec<Reloc>>,
}

fn ty_of<'c>(t: &Types<'c>, ty: Ty) -> Type<'c> {
    match ty {
        Ty::Obj | Ty::TState | Ty::Frame | Ty::ObjArray | Ty::ObjOut => t.ptr,
        Ty::Int => t.int,
        Ty::Word => t.word,
        Ty::Void => t.void,
    }
}

/// `*(T *)((char *)base + off)`.
fn at<'c>(ctx: &'c Context<'c>, t: &Types<'c>, base: RValue<'c>, off: usize, ty: Type<'c>) -> LValue<'c> {
    let cp = ctx.new_cast(None, base, t.char.make_pointer());
    let idx = ctx.new_rvalue_from_long(t.word, off as i64);
    let addr = ctx.new_array_access(None, cp, idx).get_address(None);
    ctx.new_cast(None, addr, ty.make_pointer()).dereference(None)
}

pub(crate) fn compile(f: &Function, abi: &Abi, consts: &CodeConsts, opts: &Options) -> Result<Compiled, BackendError> {
    let ctx = Context::default();
    ctx.set_optimization_level(match opts.opt_level {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Limited,
        _ => OptimizationLevel::Standard,
    });
    // NOTE: errors are returned as values; printing them would interleave with the program's
    // stderr, which differential tests compare byte for byte.
    ctx.set_print_errors_to_stderr(false);
    // GCC's garbage collector waits for its heap to grow past a size scaled to the machine's
    // memory (tens of MiB here) before it collects; in a long-lived process that runs GCC
    // thousands of times, that is the largest part of the resident memory (measured: 310 MiB
    // plateau after 700 compiles by default, 45 MiB with these settings, no slower).
    ctx.add_command_line_option("--param=ggc-min-heapsize=8192");
    ctx.add_command_line_option("--param=ggc-min-expand=20");
    if let Ok(extra) = std::env::var("COIR_GCC_OPTIONS") {
        for o in extra.split_whitespace() {
            ctx.add_command_line_option(o);
        }
    }
    let t = Types::new(&ctx);
    let (incref, xincref, decref, xdecref, store_local) = refcount_functions(&ctx, &t, abi);
    let params = [
        ctx.new_parameter(None, t.ptr, "tstate"),
        ctx.new_parameter(None, t.ptr, "frame"),
        ctx.new_parameter(None, t.ptr.make_pointer(), "relocs"),
    ];
    let symbol = entry_symbol(&f.name);
    let func = ctx.new_function(None, FunctionType::Exported, t.ptr, &params, &symbol, false);
    let locals = f
        .vars
        .iter()
        .enumerate()
        .map(|(i, ty)| func.new_local(None, ty_of(&t, *ty), format!("v{i}")))
        .collect();
    // scratch[0] is the writable slot before the arguments that PY_VECTORCALL_ARGUMENTS_OFFSET
    // lets callees use; one more keeps `&scratch[1]` in bounds for empty arrays.
    let scratch = {
        let arr = ctx.new_array_type(None, t.ptr, f.max_array as u64 + 2);
        Some(func.new_local(None, arr, "scratch"))
    };
    // libgccjit refuses a block no path reaches ("unreachable block"), and lowering may leave
    // some (the shared raise block of a function where nothing can fail, a handler whose
    // covered instructions cannot raise): only reachable blocks become GCC blocks.
    let reachable = reachable_blocks(f);
    let blocks = f
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| reachable[i].then(|| func.new_block(format!("bb{i}_{}", b.name))))
        .collect();
    let mut e = Emitter {
        ctx: &ctx,
        tstate: func.get_param(0).to_rvalue(),
        frame: func.get_param(1).to_rvalue(),
        t,
        abi,
        consts,
        func,
        locals,
        scratch,
        blocks,
        incref,
        xincref,
        decref,
        xdecref,
        store_local,
        fn_types: HashMap::new(),
        temps: 0,
        reloc_table: func.get_param(2).to_rvalue(),
        relocs: std::cell::RefCell::new(Vec::new()),
    };
    for (i, b) in f.blocks.iter().enumerate() {
        if reachable[i] {
            e.emit_block(f, i, b)?;
        }
    }

    let stem = opts.dump_dir.as_ref().map(|d| d.join(&opts.dump_stem));
    let want = |a: Artefact| stem.is_some() && opts.artefacts.contains(&a);
    let path = |a: Artefact| {
        let s = stem.as_ref().expect("checked by want");
        format!("{}.{}", s.display(), a.suffix())
    };
    if let Some(dir) = &opts.dump_dir {
        std::fs::create_dir_all(dir).map_err(|x| BackendError::Dump(x.to_string()))?;
    }
    let write = |a: Artefact, text: String| std::fs::write(path(a), text).map_err(|x| BackendError::Dump(x.to_string()));
    if want(Artefact::Ir) {
        write(Artefact::Ir, f.to_text())?;
    }
    if want(Artefact::Dot) {
        write(Artefact::Dot, f.to_dot())?;
    }
    if want(Artefact::CDump) {
        ctx.dump_to_file(path(Artefact::CDump), false);
    }
    if want(Artefact::Reproducer) {
        ctx.dump_reproducer_to_file(path(Artefact::Reproducer));
    }
    if want(Artefact::Asm) {
        signals_deferred(|| ctx.compile_to_file(OutputKind::Assembler, path(Artefact::Asm)));
    }
    let relocs = e.relocs.into_inner();
    // Everything that decides the machine code: the IR (address-free), the layout facts
    // (offsets, tags, masks: constants of one interpreter build), the optimisation level and
    // the backend's own sources. Addresses are not part of it: they come through `relocs`.
    let key = opts.cache_dir.as_ref().map(|_| {
        cache::key(&[
            format!("{f:?}"),
            format!("{:?}", abi.layout_facts()),
            format!("O{} {}", opts.opt_level, std::env::var("COIR_GCC_OPTIONS").unwrap_or_default()),
            format!("{relocs:?}"),
        ])
    });
    let gimple = want(Artefact::Gimple).then(|| path(Artefact::Gimple));
    if gimple.is_some() {
        ctx.set_dump_initial_gimple(true);
    }
    let start = Instant::now();
    let so = match (&opts.cache_dir, &key) {
        (Some(dir), Some(k)) => cache::path(dir, k),
        _ => std::env::temp_dir().join(cache::temp_name()),
    };
    let mut cached = gimple.is_none() && key.is_some() && so.exists();
    let loaded = loop {
        if !cached {
            // Written beside its final name (same file system), then renamed into place: a
            // concurrent reader sees the whole file or none.
            let dir = so.parent().map(std::path::Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
            let _ = std::fs::create_dir_all(&dir);
            let tmp = dir.join(cache::temp_name());
            signals_deferred(|| match &gimple {
                Some(p) => stderr_to_file(p, || ctx.compile_to_file(OutputKind::DynamicLibrary, tmp.to_string_lossy())),
                None => ctx.compile_to_file(OutputKind::DynamicLibrary, tmp.to_string_lossy()),
            });
            if let Ok(Some(err)) = ctx.get_first_error() {
                let _ = std::fs::remove_file(&tmp);
                return Err(BackendError::Gcc(err.to_string()));
            }
            if !tmp.exists() {
                return Err(BackendError::Gcc("libgccjit wrote no shared object".into()));
            }
            if let Err(e) = std::fs::rename(&tmp, &so) {
                let _ = std::fs::remove_file(&tmp);
                return Err(BackendError::Gcc(format!("cannot write {}: {e}", so.display())));
            }
        }
        let loaded = cache::Loaded::open(&so, &symbol);
        if opts.cache_dir.is_none() {
            // The mapping stays; the file is not needed once loaded.
            let _ = std::fs::remove_file(&so);
        }
        match loaded {
            Ok(l) => break l,
            // A cached object that does not load (damaged on disk): replace it.
            Err(_) if cached => {
                let _ = std::fs::remove_file(&so);
                cached = false;
            }
            Err(e) => return Err(BackendError::Gcc(e)),
        }
    };
    let gcc_seconds = start.elapsed().as_secs_f64();
    let table = resolve(&relocs, abi, consts)?;
    // SAFETY: the function was defined above with exactly this signature.
    let entry: EntryFn = unsafe { std::mem::transmute::<*mut std::ffi::c_void, EntryFn>(loaded.entry) };
    Ok(Compiled { _loaded: loaded, relocs: table, entry, gcc_seconds, cached })
}

/// The address each relocation stands for in this process.
fn resolve(relocs: &[Reloc], abi: &Abi, consts: &CodeConsts) -> Result<Box<[usize]>, BackendError> {
    relocs
        .iter()
        .map(|r| {
            Ok(match *r {
                Reloc::Const(i) => *consts.consts.get(i as usize).ok_or_else(|| BackendError::BadOperand(format!("const {i}")))?,
                Reloc::Name(i) => *consts.names.get(i as usize).ok_or_else(|| BackendError::BadOperand(format!("name {i}")))?,
                Reloc::Singleton(s) => abi.singletons[singleton_index(s)],
                Reloc::SmallInt(i) => {
                    *abi.small_ints.get(i as usize).ok_or_else(|| BackendError::BadOperand(format!("small int {i}")))?
                }
                Reloc::Helper(h) => *abi.helpers.get(&h).ok_or(BackendError::MissingHelper(h.symbol()))?,
                Reloc::CodeBase => consts.code_base,
            })
        })
        .collect()
}

fn singleton_index(s: Singleton) -> usize {
    match s {
        Singleton::None => 0,
        Singleton::True => 1,
        Singleton::False => 2,
    }
}

/// Run `f` (a libgccjit compile) with the program's asynchronous signals blocked on this
/// thread, then unblock them: a signal that arrived meanwhile is delivered then, to the
/// program's own handler (CPython's turns SIGINT into `KeyboardInterrupt`), and GCC's system
/// calls (waiting for `as` and `ld`, writing temporary files) are never cut short by EINTR.
/// Signals that report a fault of this thread stay unblocked. GCC's own handlers never reach
/// the process at all: see [`crate::shield`].
fn signals_deferred<T>(f: impl FnOnce() -> T) -> T {
    crate::shield::install();
    let old = crate::shield::block_async_signals();
    let r = f();
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    r
}

unsafe extern "C" {
    fn dup(fd: i32) -> i32;
    fn dup2(old: i32, new: i32) -> i32;
    fn close(fd: i32) -> i32;
    fn fflush(stream: *mut u8) -> i32;
}

/// Run `f` with file descriptor 2 sent to `path` (libgccjit prints GIMPLE to stderr).
fn stderr_to_file<T>(path: &str, f: impl FnOnce() -> T) -> T {
    use std::os::fd::AsRawFd;
    let Ok(file) = std::fs::File::create(path) else { return f() };
    // SAFETY: plain POSIX fd juggling; fd 2 is restored before returning.
    unsafe {
        fflush(std::ptr::null_mut());
        let saved = dup(2);
        dup2(file.as_raw_fd(), 2);
        let r = f();
        fflush(std::ptr::null_mut());
        dup2(saved, 2);
        close(saved);
        r
    }
}

/// The inlinable reference-counting helpers, following `Include/refcount.h` (64-bit, GIL):
/// the refcount is the low 32 bits of the first word; increfs skip objects at or above the
/// immortal threshold, decrefs skip objects whose 32-bit count is negative.
#[allow(clippy::type_complexity)]
fn refcount_functions<'c>(
    ctx: &'c Context<'c>,
    t: &Types<'c>,
    abi: &Abi,
) -> (gccjit::Function<'c>, gccjit::Function<'c>, gccjit::Function<'c>, gccjit::Function<'c>, gccjit::Function<'c>) {
    let one = |name: &str| {
        let p = ctx.new_parameter(None, t.ptr, "o");
        let f = ctx.new_function(None, FunctionType::Internal, t.void, &[p], name, false);
        (f, p.to_rvalue())
    };
    let rc = |o: RValue<'c>| ctx.new_cast(None, o, t.u32.make_pointer()).dereference(None);
    let null = ctx.new_null(t.ptr);
    // Called by name: `_Py_Dealloc` is exported by the interpreter (the shared object is
    // loaded into it), so code stays free of process-specific addresses.
    let dealloc_fn = ctx.new_function(None, FunctionType::Extern, t.void, &[ctx.new_parameter(None, t.ptr, "o")], "_Py_Dealloc", false);

    let (incref, o) = one("coir_incref");
    let b0 = incref.new_block("entry");
    let bump = incref.new_block("bump");
    let done = incref.new_block("done");
    let thr = ctx.new_rvalue_from_long(t.u32, abi.incref_immortal_threshold as i64);
    b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::LessThan, rc(o), thr), bump, done);
    bump.add_assignment(None, rc(o), ctx.new_binary_op(None, BinaryOp::Plus, t.u32, rc(o), ctx.new_rvalue_one(t.u32)));
    bump.end_with_void_return(None);
    done.end_with_void_return(None);

    let (decref, o) = one("coir_decref");
    let b0 = decref.new_block("entry");
    let dec = decref.new_block("dec");
    let free = decref.new_block("free");
    let done = decref.new_block("done");
    let signed = ctx.new_cast(None, rc(o), t.i32);
    b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::LessThan, signed, ctx.new_rvalue_zero(t.i32)), done, dec);
    dec.add_assignment(None, rc(o), ctx.new_binary_op(None, BinaryOp::Minus, t.u32, rc(o), ctx.new_rvalue_one(t.u32)));
    dec.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::Equals, rc(o), ctx.new_rvalue_zero(t.u32)), free, done);
    free.add_eval(None, ctx.new_call(None, dealloc_fn, &[o]));
    free.end_with_void_return(None);
    done.end_with_void_return(None);

    let guarded = |name: &str, inner: gccjit::Function<'c>| {
        let (f, o) = one(name);
        let b0 = f.new_block("entry");
        let go = f.new_block("go");
        let done = f.new_block("done");
        b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::NotEquals, o, null), go, done);
        go.add_eval(None, ctx.new_call(None, inner, &[o]));
        go.end_with_void_return(None);
        done.end_with_void_return(None);
        f
    };
    let xincref = guarded("coir_xincref", incref);
    let xdecref = guarded("coir_xdecref", decref);

    // store_local(slot, v): PyStackRef_FromPyObjectSteal into the slot, then XCLOSE the old.
    let ps = ctx.new_parameter(None, t.u64.make_pointer(), "slot");
    let pv = ctx.new_parameter(None, t.ptr, "v");
    let store = ctx.new_function(None, FunctionType::Internal, t.void, &[ps, pv], "coir_store_local", false);
    let (slot, v) = (ps.to_rvalue().dereference(None), pv.to_rvalue());
    let old = store.new_local(None, t.u64, "old");
    let newbits = store.new_local(None, t.u64, "newbits");
    let b0 = store.new_block("entry");
    let isnull = store.new_block("isnull");
    let notnull = store.new_block("notnull");
    let immortal = store.new_block("immortal");
    let mortal = store.new_block("mortal");
    let put = store.new_block("put");
    let close = store.new_block("close");
    let done = store.new_block("done");
    b0.add_assignment(None, old, slot);
    b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::Equals, v, null), isnull, notnull);
    isnull.add_assignment(None, newbits, ctx.new_rvalue_from_long(t.u64, abi.stackref_null as i64));
    isnull.end_with_jump(None, put);
    let vbits = t.to_u64(store, notnull, v, "vbits");
    let signed = ctx.new_cast(None, rc(v), t.i32);
    notnull.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::LessThan, signed, ctx.new_rvalue_zero(t.i32)), immortal, mortal);
    immortal.add_assignment(None, newbits, ctx.new_binary_op(None, BinaryOp::BitwiseOr, t.u64, vbits, ctx.new_rvalue_one(t.u64)));
    immortal.end_with_jump(None, put);
    mortal.add_assignment(None, newbits, vbits);
    mortal.end_with_jump(None, put);
    put.add_assignment(None, slot, newbits);
    let tag = ctx.new_binary_op(None, BinaryOp::BitwiseAnd, t.u64, old, ctx.new_rvalue_from_long(t.u64, abi.stackref_tag_bits as i64));
    put.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::Equals, tag, ctx.new_rvalue_zero(t.u64)), close, done);
    let oldp = t.to_ptr(store, close, old.to_rvalue(), "oldp");
    close.add_eval(None, ctx.new_call(None, decref, &[oldp]));
    close.end_with_void_return(None);
    done.end_with_void_return(None);
    (incref, xincref, decref, xdecref, store)
}

impl<'c> Emitter<'c, '_> {
    fn local(&self, v: Var) -> LValue<'c> {
        self.locals[v.0 as usize]
    }

    /// The value of relocation `r` (`relocs[i]`, a load from the entry's third parameter).
    fn reloc(&self, r: Reloc) -> RValue<'c> {
        let mut relocs = self.relocs.borrow_mut();
        let i = match relocs.iter().position(|x| *x == r) {
            Some(i) => i,
            None => {
                relocs.push(r);
                relocs.len() - 1
            }
        };
        let idx = self.ctx.new_rvalue_from_long(self.t.word, i as i64);
        self.ctx.new_array_access(None, self.reloc_table, idx).to_rvalue()
    }

    fn slot_lvalue(&self, index: u32) -> LValue<'c> {
        at(self.ctx, &self.t, self.frame, self.abi.frame_localsplus + 8 * index as usize, self.t.u64)
    }

    fn scratch_at(&self, i: u32) -> LValue<'c> {
        let s = self.scratch.expect("max_array covers every array operand");
        self.ctx.new_array_access(None, s.to_rvalue(), self.ctx.new_rvalue_from_long(self.t.word, i as i64))
    }

    fn operand(&self, op: &Operand, want: Type<'c>) -> Result<RValue<'c>, BackendError> {
        let c = self.ctx;
        Ok(match op {
            Operand::Var(v) => {
                let r = self.local(*v).to_rvalue();
                if r.get_type() != want { c.new_cast(None, r, want) } else { r }
            }
            Operand::Addr(v) => c.new_cast(None, self.local(*v).get_address(None), self.t.ptr),
            Operand::Array(..) | Operand::OutArray(..) => c.new_cast(None, self.scratch_at(1).get_address(None), self.t.ptr),
            Operand::Const(i) => {
                if *i as usize >= self.consts.consts.len() {
                    return Err(BackendError::BadOperand(format!("const {i}")));
                }
                self.reloc(Reloc::Const(*i))
            }
            Operand::Name(i) => {
                if *i as usize >= self.consts.names.len() {
                    return Err(BackendError::BadOperand(format!("name {i}")));
                }
                self.reloc(Reloc::Name(*i))
            }
            Operand::Singleton(s) => self.reloc(Reloc::Singleton(*s)),
            Operand::SmallInt(i) => {
                if *i as usize >= self.abi.small_ints.len() {
                    return Err(BackendError::BadOperand(format!("small int {i}")));
                }
                self.reloc(Reloc::SmallInt(*i))
            }
            Operand::Null => c.new_null(self.t.ptr),
            Operand::Imm(i) => c.new_rvalue_from_long(want, *i),
            Operand::TState => self.tstate,
            Operand::Frame => self.frame,
        })
    }

    /// A helper's address as a function pointer of the type its table entry declares (one
    /// pointer type per helper, made on first use).
    fn helper_ptr(&mut self, helper: ir_cfg::Helper) -> Result<RValue<'c>, BackendError> {
        let fty = match self.fn_types.get(&helper) {
            Some(t) => *t,
            None => {
                let ps: Vec<Type<'c>> = helper.params().iter().map(|p| ty_of(&self.t, *p)).collect();
                let ft = self.ctx.new_function_pointer_type(None, ty_of(&self.t, helper.ret()), &ps, false);
                self.fn_types.insert(helper, ft);
                ft
            }
        };
        if !self.abi.helpers.contains_key(&helper) {
            return Err(BackendError::MissingHelper(helper.symbol()));
        }
        Ok(self.ctx.new_cast(None, self.reloc(Reloc::Helper(helper)), fty))
    }

    /// The GCC block of a reachable IR block (reachable blocks only jump to reachable ones).
    fn block(&self, i: usize) -> Block<'c> {
        self.blocks[i].expect("successors of reachable blocks are reachable")
    }

    fn temp(&mut self, ty: Type<'c>) -> LValue<'c> {
        self.temps += 1;
        self.func.new_local(None, ty, format!("t{}", self.temps))
    }

    fn emit_block(&mut self, f: &Function, i: usize, b: &ir_cfg::Block) -> Result<(), BackendError> {
        let c = self.ctx;
        let mut cur = self.block(i);
        let mut split = 0;
        for inst in &b.insts {
            match inst {
                Inst::Call { helper, args, dst, err } => {
                    let params = helper.params();
                    assert_eq!(params.len(), args.len(), "the verifier checks arity of {helper}");
                    let mut out_array = None;
                    let mut argv = Vec::with_capacity(args.len());
                    for (a, p) in args.iter().zip(params) {
                        match a {
                            Operand::Array(first, n) => {
                                for k in 0..*n {
                                    cur.add_assignment(None, self.scratch_at(1 + k), self.local(Var(first.0 + k)));
                                }
                            }
                            Operand::OutArray(first, n) => out_array = Some((*first, *n)),
                            _ => {}
                        }
                        argv.push(self.operand(a, ty_of(&self.t, *p))?);
                    }
                    let call = c.new_call_through_ptr(None, self.helper_ptr(*helper)?, &argv);
                    let ret = helper.ret();
                    let result = if ret == Ty::Void {
                        cur.add_eval(None, call);
                        None
                    } else {
                        let lv = match dst {
                            Some(d) => self.local(*d),
                            None => self.temp(ty_of(&self.t, ret)),
                        };
                        cur.add_assignment(None, lv, call);
                        Some(lv)
                    };
                    let failed = match (helper.err(), result) {
                        (ErrConv::Null, Some(r)) => Some(c.new_comparison(None, ComparisonOp::Equals, r, c.new_null(self.t.ptr))),
                        (ErrConv::Negative, Some(r)) => {
                            Some(c.new_comparison(None, ComparisonOp::LessThan, r, c.new_rvalue_zero(self.t.int)))
                        }
                        _ => None,
                    };
                    if let (Some(cond), Some(e)) = (failed, err) {
                        split += 1;
                        let next = self.func.new_block(format!("bb{i}_{split}"));
                        cur.end_with_conditional(None, cond, self.block(e.0 as usize), next);
                        cur = next;
                    }
                    if let Some((first, n)) = out_array {
                        for k in 0..n {
                            cur.add_assignment(None, self.local(Var(first.0 + k)), self.scratch_at(1 + k));
                        }
                    }
                }
                Inst::Move { dst, src } => {
                    let ty = ty_of(&self.t, f.vars[dst.0 as usize]);
                    cur.add_assignment(None, self.local(*dst), self.operand(src, ty)?);
                }
                Inst::Copy { dst, src } => cur.add_assignment(None, self.local(*dst), self.local(*src)),
                Inst::Incref(v) => cur.add_eval(None, c.new_call(None, self.incref, &[self.local(*v).to_rvalue()])),
                Inst::XIncref(v) => cur.add_eval(None, c.new_call(None, self.xincref, &[self.local(*v).to_rvalue()])),
                Inst::Decref(v) => cur.add_eval(None, c.new_call(None, self.decref, &[self.local(*v).to_rvalue()])),
                Inst::XDecref(v) => cur.add_eval(None, c.new_call(None, self.xdecref, &[self.local(*v).to_rvalue()])),
                Inst::LoadLocal { dst, index } | Inst::TakeLocal { dst, index } => {
                    let slot = self.slot_lvalue(*index);
                    let mask = c.new_rvalue_from_long(self.t.u64, !(self.abi.stackref_tag_bits as i64));
                    let bits = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, slot, mask);
                    self.temps += 1;
                    let p = self.t.to_ptr(self.func, cur, bits, &format!("cv{}", self.temps));
                    cur.add_assignment(None, self.local(*dst), p);
                    if matches!(inst, Inst::TakeLocal { .. }) {
                        cur.add_assignment(None, slot, c.new_rvalue_from_long(self.t.u64, self.abi.stackref_null as i64));
                    }
                }
                Inst::StoreLocal { index, src } => {
                    let addr = self.slot_lvalue(*index).get_address(None);
                    cur.add_eval(None, c.new_call(None, self.store_local, &[addr, self.local(*src).to_rvalue()]));
                }
                Inst::SetInstrPtr(unit) => {
                    let ip = at(c, &self.t, self.frame, self.abi.frame_instr_ptr, self.t.ptr);
                    let base = c.new_cast(None, self.reloc(Reloc::CodeBase), self.t.char.make_pointer());
                    let unit_addr = c.new_array_access(None, base, c.new_rvalue_from_long(self.t.word, 2 * *unit as i64));
                    cur.add_assignment(None, ip, c.new_cast(None, unit_addr.get_address(None), self.t.ptr));
                }
                Inst::CheckEvalBreaker { err } => {
                    let eb = at(c, &self.t, self.tstate, self.abi.tstate_eval_breaker, self.t.u64);
                    let mask = c.new_rvalue_from_long(self.t.u64, self.abi.eval_events_mask as i64);
                    let bits = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, eb, mask);
                    split += 1;
                    let slow = self.func.new_block(format!("bb{i}_pending{split}"));
                    let next = self.func.new_block(format!("bb{i}_{split}"));
                    cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, bits, c.new_rvalue_zero(self.t.u64)), slow, next);
                    let r = c.new_call_through_ptr(None, self.helper_ptr(ir_cfg::Helper::HandlePending)?, &[self.tstate]);
                    slow.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, r, c.new_rvalue_zero(self.t.int)), self.block(err.0 as usize), next);
                    cur = next;
                }
            }
        }
        match &b.term {
            Term::Open => return Err(BackendError::Gcc(format!("bb{i} is not terminated"))),
            Term::Jump(t) => cur.end_with_jump(None, self.block(t.0 as usize)),
            Term::Branch { cond, then, otherwise } => {
                let v = self.operand(cond, self.t.int)?;
                let z = c.new_rvalue_zero(v.get_type());
                cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, v, z), self.block(then.0 as usize), self.block(otherwise.0 as usize));
            }
            Term::BranchEq { a, b: bb, then, otherwise } => {
                let x = self.operand(a, self.t.ptr)?;
                let y = self.operand(bb, self.t.ptr)?;
                cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, x, y), self.block(then.0 as usize), self.block(otherwise.0 as usize));
            }
            Term::Return(v) => cur.end_with_return(None, self.local(*v)),
            Term::Raise => cur.end_with_return(None, c.new_null(self.t.ptr)),
        }
        Ok(())
    }
}

/// Which IR blocks the entry block (block 0) reaches, error edges included.
fn reachable_blocks(f: &Function) -> Vec<bool> {
    let mut seen = vec![false; f.blocks.len()];
    let mut work = vec![0usize];
    while let Some(b) = work.pop() {
        if b >= seen.len() || seen[b] {
            continue;
        }
        seen[b] = true;
        work.extend(f.successors(ir_cfg::BlockId(b as u32)).into_iter().map(|s| s.0 as usize));
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::entry_symbol;

    #[test]
    fn entry_symbols_are_c_identifiers_named_after_the_function() {
        assert_eq!(entry_symbol("f"), "py_f");
        assert_eq!(entry_symbol("Holder.method"), "py_Holder_method");
        assert_eq!(entry_symbol("g.<locals>.<lambda>"), "py_g__locals___lambda_");
        assert_eq!(entry_symbol("café"), "py_caf_");
    }
}
