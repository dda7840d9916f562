//! SSA IR → libgccjit. One context per compile (of one function, or of a batch of them: see
//! [`compile_batch`]); one gccjit block per IR block, split after
//! each fallible instruction into "error" and "continue" edges. Every SSA value is a C local
//! (GCC builds its own SSA from them); a jump with block arguments assigns them to the target's
//! parameter locals, through temporaries (the copies are parallel: a loop may swap values).
use std::collections::HashMap;
use std::time::Instant;

use gccjit::{
    BinaryOp, Block, ComparisonOp, Context, FunctionType, GlobalKind, LValue, OptimizationLevel, OutputKind, RValue, ToRValue,
    Type, UnaryOp,
};
use ir_cfg::ssa::{ArrayArg, BlockCall, EntityRef, Function, GuardKind, Imm, Opcode, StackSlot, Terminator, Value};
use ir_cfg::{CacheWidth, ErrConv, Singleton, Ty};

use crate::cache;
use crate::half_power;
use crate::isolate;
use ir_cfg::opargs::{nb_operator, NB_POWER, NB_TRUE_DIVIDE};
use crate::{singleton_index, Abi, Artefact, BackendError, BuiltinType, CodeConsts, Compiled, EntryFn, Options, Reloc};

/// The start of the exported symbol of a function's native code: `py_` and its qualified name
/// with every character other than an ASCII letter, digit or `_` made `_` (`py_Holder_method`,
/// `py_f__locals___lambda_`); [`identity`] appends part of the cache key. Profilers that read
/// the shared object's symbols (`perf report`) show it.
pub(crate) fn entry_symbol(qualname: &str) -> String {
    let mut s = String::with_capacity(qualname.len() + 3);
    s.push_str("py_");
    s.extend(qualname.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }));
    s
}

#[derive(Clone, Copy)]
struct Types<'c> {
    void: Type<'c>,
    ptr: Type<'c>,
    int: Type<'c>,
    word: Type<'c>,
    u32: Type<'c>,
    i32: Type<'c>,
    u64: Type<'c>,
    char: Type<'c>,
    /// `uint8_t` (the insertion order of inline values).
    u8: Type<'c>,
    /// `union { void *p; uint64_t u; }`: libgccjit (GCC 12) casts no pointer to integer.
    conv: Type<'c>,
    conv_p: gccjit::Field<'c>,
    conv_u: gccjit::Field<'c>,
    f64: Type<'c>,
    bool: Type<'c>,
    /// `union { uint64_t u; double d; }`: a double's bits.
    dconv: Type<'c>,
    dconv_u: gccjit::Field<'c>,
    dconv_d: gccjit::Field<'c>,
}

impl<'c> Types<'c> {
    fn new(ctx: &'c Context<'c>) -> Self {
        let ptr = ctx.new_type::<()>().make_pointer();
        let u64 = ctx.new_int_type(8, false);
        let conv_p = ctx.new_field(None, ptr, "p");
        let conv_u = ctx.new_field(None, u64, "u");
        let f64 = ctx.new_type::<f64>();
        let dconv_u = ctx.new_field(None, u64, "u");
        let dconv_d = ctx.new_field(None, f64, "d");
        Types {
            void: ctx.new_type::<()>(),
            ptr,
            int: ctx.new_int_type(4, true),
            word: ctx.new_int_type(8, true),
            u32: ctx.new_int_type(4, false),
            i32: ctx.new_int_type(4, true),
            u64,
            char: ctx.new_int_type(1, true),
            u8: ctx.new_int_type(1, false),
            conv: ctx.new_union_type(None, "coir_conv", &[conv_p, conv_u]),
            conv_p,
            conv_u,
            f64,
            bool: ctx.new_type::<bool>(),
            dconv: ctx.new_union_type(None, "coir_dconv", &[dconv_u, dconv_d]),
            dconv_u,
            dconv_d,
        }
    }

    /// Reinterpret a double as its bits, through a union local of `f`.
    fn f64_bits(&self, f: gccjit::Function<'c>, b: Block<'c>, v: RValue<'c>, name: &str) -> RValue<'c> {
        let l = f.new_local(None, self.dconv, name);
        b.add_assignment(None, l.access_field(None, self.dconv_d), v);
        l.access_field(None, self.dconv_u).to_rvalue()
    }

    /// Reinterpret bits as a double, through a union local of `f`.
    fn bits_f64(&self, f: gccjit::Function<'c>, b: Block<'c>, v: RValue<'c>, name: &str) -> RValue<'c> {
        let l = f.new_local(None, self.dconv, name);
        b.add_assignment(None, l.access_field(None, self.dconv_u), v);
        l.access_field(None, self.dconv_d).to_rvalue()
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
    /// The C local of each SSA value.
    values: Vec<LValue<'c>>,
    scratch: Option<LValue<'c>>,
    /// GCC block of each IR block; `None` for IR blocks no path reaches.
    blocks: Vec<Option<Block<'c>>>,
    /// Jumps made so far (names of edge blocks).
    edges: u32,
    rc: RefcountFns<'c>,
    /// Set when the code may release a reference through `rc` (see [`Shared::finish`]).
    releases: std::cell::Cell<bool>,
    fn_types: HashMap<ir_cfg::Helper, Type<'c>>,
    temps: u32,
    /// The entry's third parameter: the relocation table (`void **`).
    reloc_table: RValue<'c>,
    /// What each slot of the relocation table holds, in order of first use.
    relocs: std::cell::RefCell<Vec<Reloc>>,
    /// Guards emitted so far (each gets a state word).
    guards: u32,
    /// Deopt stress mode: every guard fails on its first execution.
    stress: bool,
    /// Per IR block: reached only through an error edge (see [`cold_blocks`]).
    cold: Vec<bool>,
    /// The interpreter's instrumentation version when the function was entered (set at entry
    /// if `guard_quiet` or `periodic` read it): native code is entered only with no
    /// monitoring active, so another version means some became active since.
    entry_version: LValue<'c>,
}

/// The blocks that no path from the entry reaches without taking an error edge: error
/// blocks, the unwind path, exception handlers and what follows them. Their reference
/// releases call the interpreter's `Py_DecRef` instead of the inline decrement: the same
/// operation (`Py_XDECREF`), in a fraction of the code, so GCC has far less to optimise in
/// code that runs only when an exception is raised.
fn cold_blocks(f: &Function) -> Vec<bool> {
    let mut cold = vec![true; f.blocks.len()];
    let Some(entry) = f.entry else { return cold };
    let mut stack = vec![entry];
    cold[entry.index()] = false;
    while let Some(b) = stack.pop() {
        for c in f.blocks[b].term.calls() {
            if cold[c.block.index()] {
                cold[c.block.index()] = false;
                stack.push(c.block);
            }
        }
    }
    cold
}

fn ty_of<'c>(t: &Types<'c>, ty: Ty) -> Type<'c> {
    match ty {
        Ty::Obj | Ty::TState | Ty::Frame | Ty::ObjArray | Ty::ObjOut => t.ptr,
        Ty::Int => t.int,
        Ty::Word | Ty::I64 => t.word,
        Ty::F64 => t.f64,
        Ty::Void => t.void,
    }
}

fn value_ty<'c>(t: &Types<'c>, ty: ir_cfg::ssa::Type) -> Type<'c> {
    use ir_cfg::ssa::Type as T;
    match ty {
        T::Obj | T::TState | T::Frame => t.ptr,
        T::CInt => t.int,
        T::Word | T::I64 => t.word,
        T::F64 => t.f64,
    }
}

/// `*(T *)((char *)base + off)`.
fn at<'c>(ctx: &'c Context<'c>, t: &Types<'c>, base: RValue<'c>, off: usize, ty: Type<'c>) -> LValue<'c> {
    let cp = ctx.new_cast(None, base, t.char.make_pointer());
    let idx = ctx.new_rvalue_from_long(t.word, off as i64);
    let addr = ctx.new_array_access(None, cp, idx).get_address(None);
    ctx.new_cast(None, addr, ty.make_pointer()).dereference(None)
}

/// A context with the options of `opts`' tier; every function compiled together shares them.
fn new_context<'c>(opts: &Options) -> Result<Context<'c>, BackendError> {
    crate::libgccjit::load().map_err(|e| BackendError::Gcc(e.into()))?;
    let ctx = Context::default();
    // Level 2 (the optimised tier) is -O1 with GCC's inliner on (-O2's -finline-small-functions
    // and -finline-functions), not -O2: our code is helper calls, branches and inline
    // reference counting, and what -O2 adds beyond inlining (PRE, GCSE, VRP, jump threading,
    // scheduling, IPA passes, ...) roughly doubled GCC's time for nothing measurable. Measured
    // on the benchmark programs' functions (CPU time of the compile, as and ld included):
    // median 47 -> 36 ms, nbody's `step` 250 -> 114 ms; instructions executed in compiled code
    // (cachegrind) 1.5% fewer than -O2 gave before these changes. `max-inline-insns-auto=40`:
    // the inliner otherwise leaves `coir_store_local` (with its decref inlined) out of line
    // in some functions (+4.5% instructions in `float`).
    // Measured again with GCC 14.4's libgccjit (the private root's; `./setup.sh bench`, code
    // cache warm, 7 interleaved repetitions, median speed-up over the interpreter, geomean of
    // the 11 programs): this level 1.54x, -O2 1.42x, -O3 1.42x (GCC 12 at this level: 1.44x);
    // -O3 wins only on nbody (3.26x against 3.00x), and -O2 and -O3 take 1.6-1.7x the compile
    // time. So level 2 stays -O1 with the inliner.
    // Level 3 is -O3, where the loaded libgccjit does not crash on it (GCC 14 and later).
    let o3 = opts.opt_level >= 3 && crate::libgccjit::supports_o3();
    ctx.set_optimization_level(match opts.opt_level {
        0 => OptimizationLevel::None,
        _ if o3 => OptimizationLevel::Aggressive,
        _ => OptimizationLevel::Limited,
    });
    if opts.opt_level >= 2 && !o3 {
        ctx.add_command_line_option("-finline-small-functions");
        ctx.add_command_line_option("-finline-functions");
        // -O2's block layout: traces along the likely edges (the branch hints of
        // `Emitter::expect`), so a cache hit runs straight on and error, deoptimisation and
        // slow-path blocks leave the common path. -O1's "simple" layout kept them in creation
        // order, interleaved with it. Measured (bench, interp and coir, 3 repetitions, code
        // cache warm; hints in both): geomean 1.61x -> 1.66x (shapes 1.41x -> 1.56x, nbody
        // 2.99x -> 3.22x; richards 1.96x -> 1.83x, within this host's noise).
        ctx.add_command_line_option("-freorder-blocks-algorithm=stc");
    }
    if opts.opt_level >= 1 {
        ctx.add_command_line_option("--param=max-inline-insns-auto=40");
    }
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
    // Link the shared object from our code alone: no C runtime start files (crti.o,
    // crtbeginS.o, ...) and no default libraries (-lc, -lgcc, -lgcc_s). The code calls nothing
    // but helpers through the relocation table and `_Py_Dealloc`, which the dynamic loader
    // finds in the interpreter already loaded (libc, were it ever needed, is there too). The
    // linker then reads one object instead of a dozen files and libraries: measured, ~10 ms
    // less per compile (of ~40 ms for a small function at -O2).
    ctx.add_driver_option("-nostdlib");
    if let Some(b) = crate::libgccjit::driver_prefix_option() {
        ctx.add_driver_option(b);
    }
    if let Ok(extra) = std::env::var("COIR_GCC_DRIVER_OPTIONS") {
        for o in extra.split_whitespace() {
            ctx.add_driver_option(o);
        }
    }
    Ok(ctx)
}

/// Everything in a context that its functions share.
struct Shared<'c> {
    t: Types<'c>,
    rc: RefcountFns<'c>,
    /// Some emitted function may release a reference.
    releases: std::cell::Cell<bool>,
}

impl<'c> Shared<'c> {
    fn new(ctx: &'c Context<'c>, abi: &Abi) -> Self {
        let t = Types::new(ctx);
        let rc = refcount_functions(ctx, &t, abi);
        Shared { t, rc, releases: std::cell::Cell::new(false) }
    }

    /// Completes the shared functions once every function of the context is emitted: the
    /// out-of-line release of a last reference is defined only when some code may call it.
    /// Otherwise `decref` is unused, so GCC drops it, and its open block ends anyhow.
    fn finish(&self, ctx: &'c Context<'c>, abi: &Abi) {
        let last = self.rc.last_reference;
        if self.releases.get() {
            let o = self.rc.decref.get_param(0).to_rvalue();
            last.add_eval(None, ctx.new_call(None, release_function(ctx, &self.t, abi), &[o]));
        }
        last.end_with_void_return(None);
    }
}

/// The cache key of `f`'s machine code and the symbol of its entry point. The key hashes
/// everything that decides the machine code: the IR (address-free; it also decides the
/// relocation table, which the emitter builds from it alone), the layout facts (offsets, tags,
/// masks: constants of one interpreter build), the options and (in [`cache::key`]) the
/// backend's own sources. Addresses are not part of it: they come through the relocation
/// table. The symbol carries part of the key, so functions compiled into one shared object
/// never clash, and a later process finds `f`'s code in that object by its key alone.
pub(crate) fn identity(f: &Function, abi: &Abi, opts: &Options) -> (String, String) {
    let key = cache::key(&[
        format!("{f:?}"),
        format!("{:?}", abi.layout_facts()),
        format!(
            "O{} libgccjit {} {} driver {} stress={} half_power={}",
            opts.opt_level,
            crate::libgccjit::identity(),
            std::env::var("COIR_GCC_OPTIONS").unwrap_or_default(),
            std::env::var("COIR_GCC_DRIVER_OPTIONS").unwrap_or_default(),
            opts.deopt_stress,
            half_power::sqrt_gives_pow()
        ),
    ]);
    let symbol = format!("{}_{}", entry_symbol(&f.name), &key[..12]);
    (key, symbol)
}

/// Define `f`'s native function, named `symbol`, in `ctx`. Returns what its relocation table
/// must hold.
fn emit_function<'c>(
    ctx: &'c Context<'c>,
    shared: &Shared<'c>,
    f: &Function,
    abi: &Abi,
    consts: &CodeConsts,
    opts: &Options,
    symbol: &str,
) -> Result<Vec<Reloc>, BackendError> {
    let t = shared.t;
    let params = [
        ctx.new_parameter(None, t.ptr, "tstate"),
        ctx.new_parameter(None, t.ptr, "frame"),
        ctx.new_parameter(None, t.ptr.make_pointer(), "relocs"),
    ];
    let func = ctx.new_function(None, FunctionType::Exported, t.ptr, &params, symbol, false);
    let values: Vec<LValue<'_>> =
        f.values.iter().map(|(v, d)| func.new_local(None, value_ty(&t, d.ty), format!("{v}"))).collect();
    // scratch[0] is the writable slot before the arguments that PY_VECTORCALL_ARGUMENTS_OFFSET
    // lets callees use; one more keeps `&scratch[1]` in bounds for empty arrays.
    let max_array = f
        .insts
        .iter()
        .filter_map(|(_, d)| match &d.imm {
            Imm::Call(c) => c.arrays.iter().map(|a| match a {
                ArrayArg::In(n) | ArrayArg::Out(n) => *n,
            }).max(),
            // A guard's exit passes its stack in the scratch array.
            Imm::Guard(_, fs) => Some(fs.stack.len() as u32),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let scratch = {
        let arr = ctx.new_array_type(None, t.ptr, max_array as u64 + 2);
        Some(func.new_local(None, arr, "scratch"))
    };
    // libgccjit refuses a block no path reaches ("unreachable block"): only blocks reachable
    // from the entry become GCC blocks.
    let order = f.rpo();
    let mut blocks = vec![None; f.blocks.len()];
    for &b in &order {
        blocks[b.index()] = Some(func.new_block(format!("{b}_{}", f.blocks[b].name)));
    }
    let mut e = Emitter {
        ctx,
        tstate: func.get_param(0).to_rvalue(),
        frame: func.get_param(1).to_rvalue(),
        t,
        abi,
        consts,
        func,
        values,
        scratch,
        blocks,
        edges: 0,
        rc: shared.rc,
        releases: std::cell::Cell::new(false),
        fn_types: HashMap::new(),
        temps: 0,
        reloc_table: func.get_param(2).to_rvalue(),
        relocs: std::cell::RefCell::new(Vec::new()),
        guards: 0,
        stress: opts.deopt_stress,
        cold: cold_blocks(f),
        entry_version: func.new_local(None, t.u64, "entry_version"),
    };
    if let Some(entry) = f.entry {
        // The entry's parameters are the native function's own.
        let (ts, fr) = (f.blocks[entry].params[0], f.blocks[entry].params[1]);
        let first = e.block(entry);
        first.add_assignment(None, e.val(ts), e.tstate);
        first.add_assignment(None, e.val(fr), e.frame);
        if f.insts.iter().any(|(_, d)| matches!(d.op, Opcode::GuardQuiet | Opcode::CheckPeriodic)) {
            let eb = at(ctx, &t, e.tstate, abi.tstate_eval_breaker, t.u64.make_volatile()).to_rvalue();
            let mask = ctx.new_rvalue_from_long(t.u64, !(abi.eval_events_mask as i64));
            first.add_assignment(None, e.entry_version, ctx.new_binary_op(None, BinaryOp::BitwiseAnd, t.u64, eb, mask));
        }
    }
    for &b in &order {
        e.emit_block(f, b)?;
    }
    if e.releases.get() {
        shared.releases.set(true);
    }
    let relocs = e.relocs.into_inner();
    describe_relocs(ctx, &t, symbol, &relocs);
    Ok(relocs)
}

/// The symbol of the description of `symbol`'s relocation table in its object.
fn relocs_symbol(symbol: &str) -> String {
    format!("{symbol}_relocs")
}

/// Define `relocs_symbol(symbol)`: the number of relocations, then each one's three words
/// ([`Reloc::encode`]); what [`load_cached`] reads.
fn describe_relocs(ctx: &Context<'_>, t: &Types<'_>, symbol: &str, relocs: &[Reloc]) {
    let words: Vec<u32> = std::iter::once(relocs.len() as u32).chain(relocs.iter().flat_map(|r| r.encode())).collect();
    let array = ctx.new_array_type(None, t.u32, words.len() as u64);
    let global = ctx.new_global(None, GlobalKind::Exported, array, relocs_symbol(symbol));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    global.global_set_initializer(&bytes);
}

/// `symbol`'s code in the cached object `so`, its relocation table built from the description
/// the object keeps ([`describe_relocs`]) rather than by emitting the function again (which
/// costs more than the rest of a cache hit: decoding, lowering, the key). An object without one
/// or whose description does not resolve is an error: the caller compiles as before.
fn load_cached(so: &std::path::Path, symbol: &str, abi: &Abi, consts: &CodeConsts, started: Instant) -> Result<Compiled, BackendError> {
    let bad = |what: &str| BackendError::Gcc(format!("{}: {what}", so.display()));
    let loaded = cache::Loaded::open(so, symbol).map_err(BackendError::Gcc)?;
    let (desc, size) = loaded.data(&relocs_symbol(symbol)).ok_or_else(|| bad("no relocation description"))?;
    let word = |i: usize| -> Result<u32, BackendError> {
        if (i + 1) * 4 > size {
            return Err(bad("relocation description cut short"));
        }
        // SAFETY: within the symbol's ELF size (checked above); u32s as describe_relocs wrote them.
        Ok(unsafe { (desc as *const u32).add(i).read_unaligned() })
    };
    let n = word(0)? as usize;
    let relocs = (0..n)
        .map(|k| {
            let w = [word(1 + 3 * k)?, word(2 + 3 * k)?, word(3 + 3 * k)?];
            Reloc::decode(w).ok_or_else(|| bad("unknown relocation"))
        })
        .collect::<Result<Vec<Reloc>, BackendError>>()?;
    let table = resolve(&relocs, abi, consts)?;
    // SAFETY: the function was defined by `emit_function` with exactly this signature.
    let entry: EntryFn = unsafe { std::mem::transmute::<*mut std::ffi::c_void, EntryFn>(loaded.entry) };
    Ok(Compiled { _loaded: loaded, relocs: table, entry, gcc_seconds: started.elapsed().as_secs_f64(), cached: true })
}

/// Compile `ctx` into the shared object `tmp` (in a child process unless
/// `COIR_GCC_ISOLATE=0`, see [`isolate`]; forked with the signals blocked, so the child starts
/// with them blocked too), GIMPLE to `gimple` if given.
fn compile_context(ctx: &Context<'_>, tmp: &std::path::Path, gimple: Option<&str>) -> Result<(), BackendError> {
    let compiled = signals_deferred(|| {
        isolate::run(
            || {
                match gimple {
                    Some(p) => stderr_to_file(p, || ctx.compile_to_file(OutputKind::DynamicLibrary, tmp.to_string_lossy())),
                    None => ctx.compile_to_file(OutputKind::DynamicLibrary, tmp.to_string_lossy()),
                }
                first_error(ctx)
            },
            Some(tmp),
        )
    });
    if let Err(e) = compiled {
        let _ = std::fs::remove_file(tmp);
        return Err(e);
    }
    if !tmp.exists() {
        return Err(BackendError::Gcc("libgccjit wrote no shared object".into()));
    }
    Ok(())
}

/// Put the finished object `tmp` at `dest` (same file system), atomically: a concurrent
/// reader sees the whole file or none. `keep`: `tmp` stays too (a hard link is made).
fn publish(tmp: &std::path::Path, dest: &std::path::Path, keep: bool) -> Result<(), BackendError> {
    let dir = dest.parent().map(std::path::Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    let _ = std::fs::create_dir_all(&dir);
    let r = if keep {
        let link = dir.join(cache::temp_name());
        std::fs::hard_link(tmp, &link).and_then(|()| {
            std::fs::rename(&link, dest).inspect_err(|_| {
                let _ = std::fs::remove_file(&link);
            })
        })
    } else {
        std::fs::rename(tmp, dest)
    };
    r.map_err(|e| {
        if !keep {
            let _ = std::fs::remove_file(tmp);
        }
        BackendError::Gcc(format!("cannot write {}: {e}", dest.display()))
    })
}

/// Load `symbol` from `so` and give it its relocation table.
fn load(
    so: &std::path::Path,
    symbol: &str,
    relocs: &[Reloc],
    abi: &Abi,
    consts: &CodeConsts,
    started: Instant,
    cached: bool,
) -> Result<Compiled, BackendError> {
    let loaded = cache::Loaded::open(so, symbol).map_err(BackendError::Gcc)?;
    let table = resolve(relocs, abi, consts)?;
    // SAFETY: the function was defined by `emit_function` with exactly this signature.
    let entry: EntryFn = unsafe { std::mem::transmute::<*mut std::ffi::c_void, EntryFn>(loaded.entry) };
    Ok(Compiled { _loaded: loaded, relocs: table, entry, gcc_seconds: started.elapsed().as_secs_f64(), cached })
}

pub(crate) fn compile(f: &Function, abi: &Abi, consts: &CodeConsts, opts: &Options) -> Result<Compiled, BackendError> {
    let opts = tuned(f, opts);
    compile_as(f, abi, consts, &opts, identity(f, abi, &opts))
}

/// The options `f` compiles with: the optimised tier (level 2) takes level 3 (-O3, where the
/// loaded libgccjit supports it: `new_context`; decided there, so that finding `f` in the code
/// cache does not load libgccjit) for a loop of float arithmetic. Measured (code cache warm, 5 interleaved
/// runs, this level against -O3 for whole programs): nbody 1.14x, spectral_norm 1.09x faster at
/// -O3; strings 0.88x, shapes 0.93-0.99x slower, the rest within noise; so -O3 only where those
/// two gain: floats computed in a loop. A loop is a second eval-breaker check (RESUME has the
/// first; every JUMP_BACKWARD has one).
pub(crate) fn tuned(f: &Function, opts: &Options) -> Options {
    let mut opts = opts.clone();
    if opts.opt_level == 2 && numeric_loop(f) {
        opts.opt_level = 3;
    }
    opts
}

/// Whether `f` has a loop and float arithmetic.
fn numeric_loop(f: &Function) -> bool {
    let count = |ops: &[Opcode]| f.blocks.iter().flat_map(|(_, b)| b.insts.iter()).filter(|&&i| ops.contains(&f.insts[i].op)).count();
    count(&[Opcode::CheckEvalBreaker, Opcode::CheckPeriodic]) >= 2
        && count(&[Opcode::FAdd, Opcode::FSub, Opcode::FMul, Opcode::FDiv, Opcode::FPow, Opcode::MathCall]) > 0
}

/// [`compile`] with `f`'s [`identity`].
fn compile_as(f: &Function, abi: &Abi, consts: &CodeConsts, opts: &Options, (key, symbol): (String, String)) -> Result<Compiled, BackendError> {
    // Found in the cache: loaded without emitting (unless artefacts are dumped: GCC's).
    if let Some(dir) = opts.cache_dir.as_ref().filter(|_| opts.dump_dir.is_none()) {
        let so = cache::path(dir, &key);
        if so.exists()
            && let Ok(c) = load_cached(&so, &symbol, abi, consts, Instant::now())
        {
            cache::touch(&so);
            return Ok(c);
        }
    }
    let ctx = new_context(opts)?;
    let shared = Shared::new(&ctx, abi);
    let relocs = emit_function(&ctx, &shared, f, abi, consts, opts, &symbol)?;
    shared.finish(&ctx, abi);

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
        let asm = path(Artefact::Asm);
        signals_deferred(|| {
            isolate::run(
                || {
                    ctx.compile_to_file(OutputKind::Assembler, &asm);
                    first_error(&ctx)
                },
                None,
            )
        })?;
    }
    let gimple = want(Artefact::Gimple).then(|| path(Artefact::Gimple));
    if gimple.is_some() {
        ctx.set_dump_initial_gimple(true);
    }
    let start = Instant::now();
    let so = match &opts.cache_dir {
        Some(dir) => cache::path(dir, &key),
        None => std::env::temp_dir().join(cache::temp_name()),
    };
    let mut cached = gimple.is_none() && opts.cache_dir.is_some() && so.exists();
    loop {
        if !cached {
            let dir = so.parent().map(std::path::Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
            let _ = std::fs::create_dir_all(&dir);
            let tmp = dir.join(cache::temp_name());
            compile_context(&ctx, &tmp, gimple.as_deref())?;
            publish(&tmp, &so, false)?;
        }
        let loaded = load(&so, &symbol, &relocs, abi, consts, start, cached);
        if cached && loaded.is_ok() {
            cache::touch(&so);
        }
        if opts.cache_dir.is_none() {
            // The mapping stays; the file is not needed once loaded.
            let _ = std::fs::remove_file(&so);
        }
        match loaded {
            Ok(c) => return Ok(c),
            // A cached object that does not load (damaged on disk): replace it.
            Err(BackendError::Gcc(_)) if cached => {
                let _ = std::fs::remove_file(&so);
                cached = false;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One function of a [`compile_batch`].
pub struct Unit<'a> {
    /// The function.
    pub f: &'a Function,
    /// Its code object's constants.
    pub consts: &'a CodeConsts,
    /// Its options.
    pub opts: &'a Options,
}

/// Compile several functions with one run of GCC: one context, one shared object. What a
/// compile costs whatever its size (the fork, GCC's start-up, `as`, `ld`, `dlopen`: about
/// 20 ms of a small function's 25) is then paid once for all of them. Each function still
/// gets its own cache entry: a hard link to the shared object, whose symbol for it is named
/// after its key. Functions found in the cache are loaded from it; the others are compiled
/// together, one batch per tier (optimisation level, [`tuned`]); where they cannot be (a dump
/// is asked for, or emitting or compiling fails), each is compiled alone, so an error belongs
/// to its own function.
pub(crate) fn compile_batch(units: &[Unit<'_>], abi: &Abi) -> Vec<Result<Compiled, BackendError>> {
    let opts: Vec<Options> = units.iter().map(|u| tuned(u.f, u.opts)).collect();
    let units: Vec<Unit<'_>> = units.iter().zip(&opts).map(|(u, opts)| Unit { f: u.f, consts: u.consts, opts }).collect();
    let units = &units[..];
    let mut out: Vec<Option<Result<Compiled, BackendError>>> = units.iter().map(|_| None).collect();
    let ids: Vec<(String, String)> = units.iter().map(|u| identity(u.f, abi, u.opts)).collect();
    let mut todo = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let hit = u.opts.cache_dir.as_ref().is_some_and(|d| cache::path(d, &ids[i].0).exists());
        // The same code twice (one key) is compiled once, alone, and found in the cache or
        // compiled again for the second.
        let dup = todo.iter().any(|&j: &usize| ids[j].0 == ids[i].0);
        if hit || dup || u.opts.dump_dir.is_some() {
            out[i] = Some(compile_as(u.f, abi, u.consts, u.opts, ids[i].clone()));
        } else {
            todo.push(i);
        }
    }
    // One batch per tier: a context has one optimisation level.
    let tier = |o: &Options| (o.opt_level, o.deopt_stress);
    let mut tiers: Vec<(u8, bool)> = todo.iter().map(|&i| tier(units[i].opts)).collect();
    tiers.sort_unstable();
    tiers.dedup();
    for t in tiers {
        let group: Vec<usize> = todo.iter().copied().filter(|&i| tier(units[i].opts) == t).collect();
        let batched = if group.len() > 1 { batch(&group, units, &ids, abi) } else { None };
        match batched {
            Some(results) => {
                for (i, r) in group.iter().zip(results) {
                    out[*i] = Some(r);
                }
            }
            None => {
                for i in group {
                    out[i] = Some(compile_as(units[i].f, abi, units[i].consts, units[i].opts, ids[i].clone()));
                }
            }
        }
    }
    out.into_iter().map(|r| r.expect("every unit compiled")).collect()
}

/// The shared compile of [`compile_batch`], one result per member of `todo`; `None` if GCC
/// failed on the batch, and its members must be compiled alone to tell whose error it was.
/// A member that cannot be emitted (a bad operand) gets its error, and the batch is emitted
/// again without it: a half-defined function cannot be taken out of a context.
fn batch(todo: &[usize], units: &[Unit<'_>], ids: &[(String, String)], abi: &Abi) -> Option<Vec<Result<Compiled, BackendError>>> {
    let mut results: Vec<Option<Result<Compiled, BackendError>>> = todo.iter().map(|_| None).collect();
    let first = units[todo[0]].opts;
    let (ctx, members, relocs) = 'emit: loop {
        // (Unloadable: each compiled alone gets the error.)
        let ctx = new_context(first).ok()?;
        let shared = Shared::new(&ctx, abi);
        let members: Vec<usize> = (0..todo.len()).filter(|&n| results[n].is_none()).collect();
        let mut relocs = Vec::with_capacity(members.len());
        for &n in &members {
            let (i, u) = (todo[n], &units[todo[n]]);
            match emit_function(&ctx, &shared, u.f, abi, u.consts, u.opts, &ids[i].1) {
                Ok(r) => relocs.push(r),
                Err(e) => {
                    results[n] = Some(Err(e));
                    continue 'emit;
                }
            }
        }
        shared.finish(&ctx, abi);
        break (ctx, members, relocs);
    };
    if !members.is_empty() {
        let start = Instant::now();
        let dir = first.cache_dir.clone().unwrap_or_else(std::env::temp_dir);
        let _ = std::fs::create_dir_all(&dir);
        let tmp = dir.join(cache::temp_name());
        compile_context(&ctx, &tmp, None).ok()?;
        for (&n, relocs) in members.iter().zip(&relocs) {
            let u = &units[todo[n]];
            let (key, symbol) = &ids[todo[n]];
            let r = match &u.opts.cache_dir {
                Some(d) => {
                    let so = cache::path(d, key);
                    publish(&tmp, &so, true).and_then(|()| load(&so, symbol, relocs, abi, u.consts, start, false))
                }
                None => load(&tmp, symbol, relocs, abi, u.consts, start, false),
            };
            results[n] = Some(r.map(|mut c| {
                // GCC's time is shared equally.
                c.gcc_seconds /= members.len() as f64;
                c
            }));
        }
        // Every member is loaded (or failed); the mappings stay.
        let _ = std::fs::remove_file(&tmp);
    }
    Some(results.into_iter().map(|r| r.expect("every member has a result")).collect())
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
                Reloc::Type(t) => abi.types[t as usize],
                Reloc::GuardState(_) | Reloc::SiteCache(..) => 0,
                Reloc::Cache(u, w) => {
                    w.read(&consts.adaptive, 2 * u as usize).ok_or_else(|| BackendError::BadOperand(format!("{} @{u}", w.name())))? as usize
                }
            })
        })
        .collect()
}

/// The context's first error, as [`isolate::run`] wants it.
fn first_error(ctx: &Context<'_>) -> Result<(), String> {
    match ctx.get_first_error() {
        Ok(Some(err)) => Err(err.to_string()),
        Ok(None) => Ok(()),
        Err(e) => Err(format!("unreadable error message: {e}")),
    }
}

/// Run `f` (a libgccjit compile) with the program's asynchronous signals blocked on this
/// thread, then unblock them: a signal that arrived meanwhile is delivered then, to the
/// program's own handler (CPython's turns SIGINT into `KeyboardInterrupt`), and GCC's system
/// calls (waiting for `as` and `ld`, writing temporary files) are never cut short by EINTR.
/// Signals that report a fault of this thread stay unblocked. GCC's own handlers never reach
/// the process at all: see [`crate::shield`].
fn signals_deferred<T>(f: impl FnOnce() -> T) -> T {
    /// Restores the saved mask when dropped: also when `f` panics (a panic is caught as a
    /// refusal further up, and the program's thread must not be left deaf to its signals).
    struct Restore(libc::sigset_t);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: restores a mask saved by pthread_sigmask.
            unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut()) };
        }
    }
    crate::shield::install();
    let _restore = Restore(crate::shield::block_async_signals());
    f()
}

unsafe extern "C" {
    /// The C library's `stderr` stream.
    static stderr: *mut libc::FILE;
}

/// Run `f` with file descriptor 2 sent to `path` (libgccjit prints GIMPLE to stderr). Only
/// the `stderr` stream is flushed: in a compile child, other streams hold the parent's
/// unwritten output, which must not be written twice.
fn stderr_to_file<T>(path: &str, f: impl FnOnce() -> T) -> T {
    use std::os::fd::AsRawFd;
    let Ok(file) = std::fs::File::create(path) else { return f() };
    // SAFETY: plain POSIX fd juggling; fd 2 is restored before returning.
    unsafe {
        libc::fflush(stderr);
        let saved = libc::dup(2);
        libc::dup2(file.as_raw_fd(), 2);
        let r = f();
        libc::fflush(stderr);
        libc::dup2(saved, 2);
        libc::close(saved);
        r
    }
}

/// The inlinable reference-counting helpers of one context.
#[derive(Clone, Copy)]
struct RefcountFns<'c> {
    incref: gccjit::Function<'c>,
    xincref: gccjit::Function<'c>,
    decref: gccjit::Function<'c>,
    xdecref: gccjit::Function<'c>,
    /// `store_local(slot, v)`: STORE_FAST's write of a frame slot.
    store_local: gccjit::Function<'c>,
    /// `take_local(slot) -> v`: LOAD_FAST_AND_CLEAR's move out of a frame slot.
    take_local: gccjit::Function<'c>,
    /// The interpreter's `Py_DecRef` (`Py_XDECREF` out of line), for code that runs only
    /// after an exception.
    decref_cold: gccjit::Function<'c>,
    /// `box_float(x)`: `PyFloat_FromDouble` with the free list inline.
    box_float: gccjit::Function<'c>,
    /// `box_int(v)`: `PyLong_FromLongLong` with the free list inline.
    box_int: gccjit::Function<'c>,
    /// The block of `decref` that releases the last reference, left open: [`Shared::finish`]
    /// ends it, calling the out-of-line release when some emitted code may release.
    last_reference: Block<'c>,
}

/// The interpreter's float and int free lists, as the emitted code pushes and pops them.
struct FreeLists<'c, 'a> {
    ctx: &'c Context<'c>,
    t: &'a Types<'c>,
    abi: &'a Abi,
    runtime: RValue<'c>,
}

impl<'c> FreeLists<'c, '_> {
    /// True when no reference tracer is set: the interpreter's own free-list code runs only then.
    fn untraced(&self) -> RValue<'c> {
        let ref_tracer = at(self.ctx, self.t, self.runtime, self.abi.runtime_ref_tracer, self.t.ptr).to_rvalue();
        self.ctx.new_comparison(None, ComparisonOp::Equals, ref_tracer, self.ctx.new_null(self.t.ptr))
    }

    fn word(&self, v: i64) -> RValue<'c> {
        self.ctx.new_rvalue_from_long(self.t.word, v)
    }

    /// The head and size of the free list at `offset` in the main interpreter.
    fn list(&self, f: gccjit::Function<'c>, b: Block<'c>, offset: usize) -> (LValue<'c>, LValue<'c>) {
        let (ctx, t) = (self.ctx, self.t);
        let interp = at(ctx, t, self.runtime, self.abi.runtime_main_interp, t.ptr).to_rvalue();
        let fl = f.new_local(None, t.ptr, "freelist");
        let base = ctx.new_cast(None, interp, t.char.make_pointer());
        let addr = ctx.new_array_access(None, base, self.word(offset as i64)).get_address(None);
        b.add_assignment(None, fl, ctx.new_cast(None, addr, t.ptr));
        (at(ctx, t, fl.to_rvalue(), self.abi.freelist_head, t.ptr), at(ctx, t, fl.to_rvalue(), self.abi.freelist_size, t.word))
    }

    /// `b` ends pushing `o` on the list at `offset` (of at most `max`), or in `full`.
    fn push_on(&self, f: gccjit::Function<'c>, b: Block<'c>, o: RValue<'c>, offset: usize, max: u64, full: Block<'c>) {
        let (ctx, t) = (self.ctx, self.t);
        let (head, size) = self.list(f, b, offset);
        let room = ctx.new_binary_op(
            None,
            BinaryOp::LogicalAnd,
            t.bool,
            ctx.new_comparison(None, ComparisonOp::LessThan, size.to_rvalue(), self.word(max as i64)),
            ctx.new_comparison(None, ComparisonOp::GreaterThanEquals, size.to_rvalue(), self.word(0)),
        );
        let push = f.new_block("push");
        b.end_with_conditional(None, room, push, full);
        push.add_assignment(None, ctx.new_cast(None, o, t.ptr.make_pointer()).dereference(None), head.to_rvalue());
        push.add_assignment(None, head, o);
        push.add_assignment(None, size, ctx.new_binary_op(None, BinaryOp::Plus, t.word, size.to_rvalue(), self.word(1)));
        push.end_with_void_return(None);
    }

    /// `b` ends popping the list at `offset` into `op` (refcount 1: `_Py_NewReference` writes
    /// the whole first word) and jumping to `got`, or in `empty`.
    fn pop_from(&self, f: gccjit::Function<'c>, b: Block<'c>, op: LValue<'c>, offset: usize, got: Block<'c>, empty: Block<'c>) {
        let (ctx, t) = (self.ctx, self.t);
        let (head, size) = self.list(f, b, offset);
        b.add_assignment(None, op, head.to_rvalue());
        let pop = f.new_block("pop");
        b.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::NotEquals, op.to_rvalue(), ctx.new_null(t.ptr)), pop, empty);
        pop.add_assignment(None, head, ctx.new_cast(None, op.to_rvalue(), t.ptr.make_pointer()).dereference(None).to_rvalue());
        pop.add_assignment(None, size, ctx.new_binary_op(None, BinaryOp::Minus, t.word, size.to_rvalue(), self.word(1)));
        pop.add_assignment(None, at(ctx, t, op.to_rvalue(), 0, t.u64), ctx.new_rvalue_one(t.u64));
        pop.end_with_jump(None, got);
    }
}

fn free_lists<'c, 'a>(ctx: &'c Context<'c>, t: &'a Types<'c>, abi: &'a Abi) -> FreeLists<'c, 'a> {
    let runtime = ctx.new_global(None, GlobalKind::Imported, t.char, "_PyRuntime").get_address(None);
    FreeLists { ctx, t, abi, runtime }
}

/// `coir_release_last_reference(o)`: what `decref` calls when the count reaches zero. Exact
/// floats and compact ints go back on the interpreter's free lists, as _PyFloat_ExactDealloc
/// and _PyLong_ExactDealloc put them (the interpreter's own float and int instructions free
/// them so too); anything else, or with a reference tracer set or the list full, is the
/// interpreter's to deallocate. Objects on a list keep their type: only their first word
/// changes, linking the next.
///
/// It is a function of its own, kept out of line, so that the decrement (small) is inlined
/// everywhere: with both in one function GCC kept the whole decref out of line, making every
/// release a call. It is exported because GCC does not inline an exported function of a shared
/// object (it could be interposed), the only "noinline" libgccjit 12 has (always_inline is no
/// better: GCC refuses it, as an error, at calls it thinks unlikely). Every module's copy is
/// the same code. Being exported, it is defined only in a context whose code releases (its
/// symbols must resolve when the object is loaded).
fn release_function<'c>(ctx: &'c Context<'c>, t: &Types<'c>, abi: &Abi) -> gccjit::Function<'c> {
    let p = ctx.new_parameter(None, t.ptr, "o");
    let f = ctx.new_function(None, FunctionType::Exported, t.void, &[p], "coir_release_last_reference", false);
    let o = p.to_rvalue();
    // Called by name: `_Py_Dealloc` is exported by the interpreter (the shared object is
    // loaded into it), so code stays free of process-specific addresses.
    let dealloc_fn = ctx.new_function(None, FunctionType::Extern, t.void, &[ctx.new_parameter(None, t.ptr, "o")], "_Py_Dealloc", false);
    let lists = free_lists(ctx, t, abi);
    let untraced = lists.untraced();
    let type_named = |symbol: &str| ctx.new_cast(None, ctx.new_global(None, GlobalKind::Imported, t.char, symbol).get_address(None), t.ptr);
    let (float_type, long_type) = (type_named("PyFloat_Type"), type_named("PyLong_Type"));

    let entry = f.new_block("entry");
    let generic = f.new_block("generic");
    let float_free = f.new_block("float");
    let not_float = f.new_block("not_float");
    let int_free = f.new_block("int");
    let ob_type = at(ctx, t, o, abi.ob_type, t.ptr).to_rvalue();
    entry.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::Equals, ob_type, float_type), float_free, not_float);
    let is_int = ctx.new_binary_op(None, BinaryOp::LogicalAnd, t.bool, ctx.new_comparison(None, ComparisonOp::Equals, ob_type, long_type), untraced);
    not_float.end_with_conditional(None, is_int, int_free, generic);
    let float_untraced = f.new_block("float_untraced");
    float_free.end_with_conditional(None, untraced, float_untraced, generic);
    lists.push_on(f, float_untraced, o, abi.interp_float_freelist, abi.float_freelist_max, generic);
    // A compact int (at most one digit), not a small one.
    let tag = at(ctx, t, o, abi.long_tag, t.u64).to_rvalue();
    let immortal_bit = ctx.new_rvalue_from_long(t.u64, abi.long_immortal_bit as i64);
    let compact = ctx.new_binary_op(
        None,
        BinaryOp::LogicalAnd,
        t.bool,
        ctx.new_comparison(None, ComparisonOp::LessThan, tag, ctx.new_rvalue_from_long(t.u64, abi.long_compact_below as i64)),
        ctx.new_comparison(None, ComparisonOp::Equals, ctx.new_binary_op(None, BinaryOp::BitwiseAnd, t.u64, tag, immortal_bit), ctx.new_rvalue_zero(t.u64)),
    );
    let int_compact = f.new_block("int_compact");
    int_free.end_with_conditional(None, compact, int_compact, generic);
    lists.push_on(f, int_compact, o, abi.interp_int_freelist, abi.int_freelist_max, generic);
    generic.add_eval(None, ctx.new_call(None, dealloc_fn, &[o]));
    generic.end_with_void_return(None);
    f
}

/// The inlinable reference-counting helpers, following `Include/refcount.h` (64-bit, GIL):
/// the refcount is the low 32 bits of the first word; increfs skip objects at or above the
/// immortal threshold, decrefs skip objects whose 32-bit count is negative.
fn refcount_functions<'c>(ctx: &'c Context<'c>, t: &Types<'c>, abi: &Abi) -> RefcountFns<'c> {
    let one = |name: &str| {
        let p = ctx.new_parameter(None, t.ptr, "o");
        let f = ctx.new_function(None, FunctionType::Internal, t.void, &[p], name, false);
        (f, p.to_rvalue())
    };
    let rc = |o: RValue<'c>| ctx.new_cast(None, o, t.u32.make_pointer()).dereference(None);
    let null = ctx.new_null(t.ptr);
    let decref_cold = ctx.new_function(None, FunctionType::Extern, t.void, &[ctx.new_parameter(None, t.ptr, "o")], "Py_DecRef", false);

    let (incref, o) = one("coir_incref");
    let b0 = incref.new_block("entry");
    let bump = incref.new_block("bump");
    let done = incref.new_block("done");
    let thr = ctx.new_rvalue_from_long(t.u32, abi.incref_immortal_threshold as i64);
    b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::LessThan, rc(o), thr), bump, done);
    bump.add_assignment(None, rc(o), ctx.new_binary_op(None, BinaryOp::Plus, t.u32, rc(o), ctx.new_rvalue_one(t.u32)));
    bump.end_with_void_return(None);
    done.end_with_void_return(None);

    // The decrement; the release of the last reference is another function (release_function).
    let (decref, o) = one("coir_decref");
    let b0 = decref.new_block("entry");
    let dec = decref.new_block("dec");
    let last_reference = decref.new_block("last");
    let done = decref.new_block("done");
    let signed = ctx.new_cast(None, rc(o), t.i32);
    b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::LessThan, signed, ctx.new_rvalue_zero(t.i32)), done, dec);
    dec.add_assignment(None, rc(o), ctx.new_binary_op(None, BinaryOp::Minus, t.u32, rc(o), ctx.new_rvalue_one(t.u32)));
    dec.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::Equals, rc(o), ctx.new_rvalue_zero(t.u32)), last_reference, done);
    done.end_with_void_return(None);

    let lists = free_lists(ctx, t, abi);
    let untraced = lists.untraced();
    let word = |v: i64| lists.word(v);

    // box_float(x): PyFloat_FromDouble with the free list's first object taken inline.
    let px = ctx.new_parameter(None, t.f64, "x");
    let box_float = ctx.new_function(None, FunctionType::Internal, t.ptr, &[px], "coir_box_float", false);
    let from_double = ctx.new_function(None, FunctionType::Extern, t.ptr, &[ctx.new_parameter(None, t.f64, "x")], "PyFloat_FromDouble", false);
    let (b0, got, slow) = (box_float.new_block("entry"), box_float.new_block("got"), box_float.new_block("slow"));
    let op = box_float.new_local(None, t.ptr, "op");
    let take = box_float.new_block("untraced");
    b0.end_with_conditional(None, untraced, take, slow);
    lists.pop_from(box_float, take, op, abi.interp_float_freelist, got, slow);
    got.add_assignment(None, at(ctx, t, op.to_rvalue(), abi.float_value, t.f64), px.to_rvalue());
    got.end_with_return(None, op.to_rvalue());
    slow.end_with_return(None, ctx.new_call(None, from_double, &[px.to_rvalue()]));

    // box_int(v): PyLong_FromLongLong, with a medium int (one digit, not a small int: those
    // are immortal, made once) taken from the free list inline, as _PyLong_FromMedium does.
    let pv = ctx.new_parameter(None, t.word, "v");
    let box_int = ctx.new_function(None, FunctionType::Internal, t.ptr, &[pv], "coir_box_int", false);
    let from_long = ctx.new_function(None, FunctionType::Extern, t.ptr, &[ctx.new_parameter(None, t.word, "v")], "PyLong_FromLongLong", false);
    let (b0, got, slow) = (box_int.new_block("entry"), box_int.new_block("got"), box_int.new_block("slow"));
    let op = box_int.new_local(None, t.ptr, "op");
    let v = pv.to_rvalue();
    let base = word(1 << abi.long_shift);
    let cmp = |op, a, b| ctx.new_comparison(None, op, a, b);
    let and = |a, b| ctx.new_binary_op(None, BinaryOp::LogicalAnd, t.bool, a, b);
    let medium = and(cmp(ComparisonOp::LessThan, v, base), cmp(ComparisonOp::GreaterThan, v, ctx.new_unary_op(None, gccjit::UnaryOp::Minus, t.word, base)));
    let small = and(cmp(ComparisonOp::GreaterThanEquals, v, word(abi.small_int_min)), cmp(ComparisonOp::LessThanEquals, v, word(abi.small_int_max)));
    // A small int is the interpreter's own, immortal: its address in the array.
    let (small_block, not_small) = (box_int.new_block("small"), box_int.new_block("not_small"));
    b0.end_with_conditional(None, small, small_block, not_small);
    let small_ints = ctx.new_cast(None, lists.runtime, t.char.make_pointer());
    let index = ctx.new_binary_op(
        None,
        BinaryOp::Plus,
        t.word,
        word(abi.runtime_small_ints as i64),
        ctx.new_binary_op(None, BinaryOp::Mult, t.word, ctx.new_binary_op(None, BinaryOp::Minus, t.word, v, word(abi.small_int_min)), word(abi.small_int_size as i64)),
    );
    small_block.end_with_return(None, ctx.new_cast(None, ctx.new_array_access(None, small_ints, index).get_address(None), t.ptr));
    let take = box_int.new_block("medium");
    not_small.end_with_conditional(None, and(untraced, medium), take, slow);
    lists.pop_from(box_int, take, op, abi.interp_int_freelist, got, slow);
    let negative = cmp(ComparisonOp::LessThan, v, word(0));
    let one_digit = ctx.new_rvalue_from_long(t.u64, (abi.long_compact_below / 2) as i64);
    let sign = ctx.new_cast(None, negative, t.u64);
    let sign_bits = ctx.new_binary_op(None, BinaryOp::Mult, t.u64, sign, ctx.new_rvalue_from_long(t.u64, abi.long_sign_negative as i64));
    got.add_assignment(None, at(ctx, t, op.to_rvalue(), abi.long_tag, t.u64), ctx.new_binary_op(None, BinaryOp::BitwiseOr, t.u64, one_digit, sign_bits));
    let magnitude = ctx.new_binary_op(None, BinaryOp::Mult, t.word, v, ctx.new_binary_op(None, BinaryOp::Minus, t.word, word(1), ctx.new_binary_op(None, BinaryOp::Mult, t.word, ctx.new_cast(None, negative, t.word), word(2))));
    got.add_assignment(None, at(ctx, t, op.to_rvalue(), abi.long_digits, t.u32), ctx.new_cast(None, magnitude, t.u32));
    got.end_with_return(None, op.to_rvalue());
    slow.end_with_return(None, ctx.new_call(None, from_long, &[v]));

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

    // take_local(slot): PyStackRef_AsPyObjectSteal of the slot's value, the slot left NULL. A
    // slot may hold a reference the frame does not own (tagged: arguments a caller passed
    // borrowed, as the interpreter's CALL and coir's own calls do); taking it makes it owned,
    // so the STORE_FAST that later puts it back gives the frame a reference it releases.
    let ps = ctx.new_parameter(None, t.u64.make_pointer(), "slot");
    let take = ctx.new_function(None, FunctionType::Internal, t.ptr, &[ps], "coir_take_local", false);
    let slot = ps.to_rvalue().dereference(None);
    let old = take.new_local(None, t.u64, "old");
    let b0 = take.new_block("entry");
    let borrowed = take.new_block("borrowed");
    let owned = take.new_block("owned");
    b0.add_assignment(None, old, slot);
    b0.add_assignment(None, slot, ctx.new_rvalue_from_long(t.u64, abi.stackref_null as i64));
    let tag_bits = ctx.new_rvalue_from_long(t.u64, abi.stackref_tag_bits as i64);
    let masked = ctx.new_binary_op(None, BinaryOp::BitwiseAnd, t.u64, old, ctx.new_unary_op(None, gccjit::UnaryOp::BitwiseNegate, t.u64, tag_bits));
    let p = t.to_ptr(take, b0, masked, "p");
    let tag = ctx.new_binary_op(None, BinaryOp::BitwiseAnd, t.u64, old, tag_bits);
    b0.end_with_conditional(None, ctx.new_comparison(None, ComparisonOp::Equals, tag, ctx.new_rvalue_zero(t.u64)), owned, borrowed);
    borrowed.add_eval(None, ctx.new_call(None, xincref, &[p]));
    borrowed.end_with_return(None, p);
    owned.end_with_return(None, p);
    RefcountFns { incref, xincref, decref, xdecref, store_local: store, take_local: take, decref_cold, box_float, box_int, last_reference }
}

impl<'c> Emitter<'c, '_> {
    /// `f`, one of `rc`'s functions that may release a reference, noting that this code uses it.
    fn release(&self, f: gccjit::Function<'c>) -> gccjit::Function<'c> {
        self.releases.set(true);
        f
    }

    fn val(&self, v: Value) -> LValue<'c> {
        self.values[v.index()]
    }

    /// The value of relocation `r` (`relocs[i]`, a load from the entry's third parameter).
    fn reloc(&self, r: Reloc) -> RValue<'c> {
        let idx = self.ctx.new_rvalue_from_long(self.t.word, self.reloc_index(r) as i64);
        self.ctx.new_array_access(None, self.reloc_table, idx).to_rvalue()
    }

    /// Relocation `r`'s index in the table (added at the end if new).
    fn reloc_index(&self, r: Reloc) -> usize {
        let mut relocs = self.relocs.borrow_mut();
        match relocs.iter().position(|x| *x == r) {
            Some(i) => i,
            None => {
                relocs.push(r);
                relocs.len() - 1
            }
        }
    }

    /// Relocation `r`'s word read or written as a `ty` (guard state, a cache word, a site's
    /// cache), not as the pointer the table declares: no pointer-to-int cast.
    fn reloc_as(&self, r: Reloc, ty: Type<'c>) -> LValue<'c> {
        let words = self.ctx.new_cast(None, self.reloc_table, ty.make_pointer());
        self.ctx.new_array_access(None, words, self.ctx.new_rvalue_from_long(self.t.word, self.reloc_index(r) as i64))
    }

    /// The inline fast path of an attribute read (see [`AttrFast`]): tests in `cur`, the load
    /// in a block that assigns `result` and jumps to the returned join block; returns the block
    /// where the helper call (the slow path) goes, which must then jump to the join block.
    fn attr_fast_path(&mut self, cur: Block<'c>, name: &str, fast: AttrFast, result: LValue<'c>) -> Result<(Block<'c>, Block<'c>), BackendError> {
        let c = self.ctx;
        let owner = self.val(fast.owner).to_rvalue();
        let (slow, join) = (self.func.new_block(format!("{name}_attr_slow")), self.func.new_block(format!("{name}_attr")));
        let (mut load, ob_type) = self.type_version_test(cur, owner, fast.type_version, slow, name);
        if fast.inline_values {
            load = self.inline_values_valid(load, owner, ob_type, slow, name);
        }
        load.add_assignment(None, result, self.at_known(owner, fast.offset, self.t.ptr));
        let set = self.func.new_block(format!("{name}_attr_set"));
        load.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, result.to_rvalue(), c.new_null(self.t.ptr)), set, slow);
        set.add_eval(None, c.new_call(None, self.rc.incref, &[result.to_rvalue()]));
        set.end_with_jump(None, join);
        Ok((slow, join))
    }

    /// Cell `i` of function `func`'s closure (borrowed from the closure tuple).
    fn closure_cell(&self, func: RValue<'c>, i: i64) -> RValue<'c> {
        let c = self.ctx;
        let closure = at(c, &self.t, func, self.abi.func_closure, self.t.ptr).to_rvalue();
        c.new_array_access(None, self.seq_items(closure, false), c.new_rvalue_from_long(self.t.word, i)).to_rvalue()
    }

    /// Whether int `v` (exact, any size) is non-zero, as a C int: its sign bits say
    /// (_PyLong_IsZero).
    fn int_truth(&self, v: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let tag = at(c, &self.t, v, self.abi.long_tag, self.t.u64).to_rvalue();
        let mask = c.new_rvalue_from_long(self.t.u64, self.abi.long_sign_mask as i64);
        let sign = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, tag, mask);
        let zero = c.new_rvalue_from_long(self.t.u64, self.abi.long_sign_zero as i64);
        c.new_cast(None, c.new_comparison(None, ComparisonOp::NotEquals, sign, zero), self.t.int)
    }

    /// Whether list or tuple `v` is non-empty, as a C int.
    fn size_truth(&self, v: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let len = at(c, &self.t, v, self.abi.var_size, self.t.word).to_rvalue();
        c.new_cast(None, c.new_comparison(None, ComparisonOp::NotEquals, len, c.new_rvalue_zero(self.t.word)), self.t.int)
    }

    /// `cond`, told to GCC as almost always `likely` (`__builtin_expect`). GCC otherwise guesses
    /// an equality test false, and lays out a cache hit (a type version that matches) as the
    /// jump and its miss as the fall-through; with the hint the hit runs straight on, and the
    /// misses, errors and deoptimisations go out of the way of the common path.
    fn expect(&self, cond: RValue<'c>, likely: bool) -> RValue<'c> {
        let c = self.ctx;
        let long = c.new_c_type(gccjit::CType::Long);
        let hint = c.new_call(None, c.get_builtin_function("__builtin_expect"), &[c.new_cast(None, cond, long), c.new_rvalue_from_long(long, likely as i64)]);
        c.new_comparison(None, ComparisonOp::NotEquals, hint, c.new_rvalue_zero(long))
    }

    /// `tp_version_tag` of `owner`'s type == `version`: `cur` ends in that test; returns the
    /// block where it holds and the type.
    fn type_version_test(&self, cur: Block<'c>, owner: RValue<'c>, version: Known, slow: Block<'c>, name: &str) -> (Block<'c>, RValue<'c>) {
        let c = self.ctx;
        let ob_type = at(c, &self.t, owner, self.abi.ob_type, self.t.ptr).to_rvalue();
        let tag = at(c, &self.t, ob_type, self.abi.type_version_tag, self.t.u32).to_rvalue();
        let same = self.func.new_block(format!("{name}_same_type"));
        cur.end_with_conditional(None, self.expect(c.new_comparison(None, ComparisonOp::Equals, tag, self.known_as(version, self.t.u32)), true), same, slow);
        (same, ob_type)
    }

    /// The `ty` at byte offset `off` from `base` (see [`at`]).
    fn at_known(&self, base: RValue<'c>, off: Known, ty: Type<'c>) -> LValue<'c> {
        match off {
            Known::Const(off) => at(self.ctx, &self.t, base, off as usize, ty),
            Known::Cache(..) => {
                let c = self.ctx;
                let addr = c.new_array_access(None, c.new_cast(None, base, self.t.char.make_pointer()), self.known_as(off, self.t.word));
                c.new_cast(None, addr.get_address(None), ty.make_pointer()).dereference(None)
            }
        }
    }

    /// A [`Known`] value as an rvalue of type `ty` (a constant, or its relocation's word cast).
    fn known_as(&self, k: Known, ty: Type<'c>) -> RValue<'c> {
        match k {
            Known::Const(v) => self.ctx.new_rvalue_from_long(ty, v),
            // The table holds words; a pointer type is a bitcast, an integer a conversion.
            Known::Cache(u, w) if ty == self.t.ptr => self.reloc(Reloc::Cache(u, w)),
            Known::Cache(u, w) => self.ctx.new_cast(None, self.reloc_as(Reloc::Cache(u, w), self.t.word).to_rvalue(), ty),
        }
    }

    /// A load's own cache probed inline (the entries' layout: `SITE_CACHE_ENTRIES`): the entry
    /// for `owner`'s type version, then what the runtime tests before using it
    /// (`coir_rt_load_attr_poly`, `coir_rt_load_method_poly`). `cur` ends in the probes; a hit
    /// sets the results and jumps to `join`; returns the block of a miss (the helper's call).
    fn site_probe(&mut self, cur: Block<'c>, name: &str, probe: SiteProbe, join: Block<'c>) -> Block<'c> {
        let c = self.ctx;
        let owner = self.val(probe.owner).to_rvalue();
        let miss = self.func.new_block(format!("{name}_site_miss"));
        let words = c.new_bitcast(None, self.val(probe.site).to_rvalue(), self.t.u64.make_pointer());
        let ob_type = at(c, &self.t, owner, self.abi.ob_type, self.t.ptr).to_rvalue();
        let tv = self.func.new_local(None, self.t.u32, format!("{name}_site_tv"));
        let index = self.func.new_local(None, self.t.word, format!("{name}_site_index"));
        cur.add_assignment(None, tv, at(c, &self.t, ob_type, self.abi.type_version_tag, self.t.u32).to_rvalue());
        // Empty entries are 0: a type without a version matches none.
        let mut probe_k = self.func.new_block(format!("{name}_site_0"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, tv.to_rvalue(), c.new_rvalue_zero(self.t.u32)), miss, probe_k);
        let hit = self.func.new_block(format!("{name}_site_hit"));
        let word = |k: RValue<'c>| c.new_array_access(None, words, k).to_rvalue();
        let n = runtime_abi::abi::SITE_CACHE_ENTRIES;
        for k in 0..n {
            let next = if k + 1 == n { miss } else { self.func.new_block(format!("{name}_site_{}", k + 1)) };
            probe_k.add_assignment(None, index, c.new_rvalue_from_long(self.t.word, 2 * k as i64));
            let version = c.new_cast(None, word(c.new_rvalue_from_long(self.t.word, 2 * k as i64)), self.t.u32);
            probe_k.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, version, tv.to_rvalue()), hit, next);
            probe_k = next;
        }
        let first = word(index.to_rvalue());
        let second = word(c.new_binary_op(None, BinaryOp::Plus, self.t.word, index.to_rvalue(), c.new_rvalue_one(self.t.word)));
        let high = c.new_binary_op(None, BinaryOp::RShift, self.t.u64, first, c.new_rvalue_from_long(self.t.u64, 32));
        let zero64 = c.new_rvalue_zero(self.t.u64);
        match probe.results {
            SiteResults::Attr(result) => {
                // An instance value (a property's getter is the helper's to call), in valid
                // inline values, and set. (Only types with inline values get such entries, and
                // a version names one type for good: no flag test needed.)
                let value = self.func.new_block(format!("{name}_site_value"));
                hit.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, second, zero64), value, miss);
                let valid = self.inline_values_valid(value, owner, ob_type, miss, &format!("{name}_site"));
                valid.add_assignment(None, result, self.inline_value_slot(owner, ob_type, high).to_rvalue());
                let set = self.func.new_block(format!("{name}_site_set"));
                valid.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, result.to_rvalue(), c.new_null(self.t.ptr)), set, miss);
                set.add_eval(None, c.new_call(None, self.rc.incref, &[result.to_rvalue()]));
                set.end_with_jump(None, join);
            }
            SiteResults::Store { value, status } => {
                // As STORE_ATTR_INSTANCE_VALUE: no managed dict, valid inline values, and a
                // value already there (a new one joins the values' insertion order: the
                // helper does that).
                let v = self.val(value).to_rvalue();
                let dict = at(c, &self.t, owner, self.abi.managed_dict_offset as isize as usize, self.t.ptr).to_rvalue();
                let value_entry = self.func.new_block(format!("{name}_site_value"));
                hit.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, second, zero64), value_entry, miss);
                let no_dict = self.func.new_block(format!("{name}_site_no_dict"));
                value_entry.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, dict, c.new_null(self.t.ptr)), no_dict, miss);
                let valid = self.inline_values_valid(no_dict, owner, ob_type, miss, &format!("{name}_site"));
                let slot = self.inline_value_slot(owner, ob_type, high);
                let old = self.func.new_local(None, self.t.ptr, format!("{name}_site_old"));
                valid.add_assignment(None, old, slot.to_rvalue());
                let present = self.func.new_block(format!("{name}_site_present"));
                valid.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, old.to_rvalue(), c.new_null(self.t.ptr)), present, miss);
                present.add_eval(None, c.new_call(None, self.rc.incref, &[v]));
                present.add_assignment(None, slot, v);
                present.add_eval(None, c.new_call(None, self.release(self.rc.decref), &[old.to_rvalue()]));
                present.add_assignment(None, status, c.new_rvalue_zero(self.t.int));
                present.end_with_jump(None, join);
            }
            SiteResults::Method { method, self_out } => {
                // No instance attribute can shadow the method: instances without a dict (0), or
                // valid inline values whose shared keys have no more entries than when the
                // entry was made (+1).
                let found = self.func.new_block(format!("{name}_site_method"));
                let values = self.func.new_block(format!("{name}_site_values"));
                hit.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, high, zero64), found, values);
                let valid = self.inline_values_valid(values, owner, ob_type, miss, &format!("{name}_site"));
                let keys = at(c, &self.t, ob_type, self.abi.heap_type_cached_keys, self.t.ptr).to_rvalue();
                let has_keys = self.func.new_block(format!("{name}_site_keys"));
                valid.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, keys, c.new_null(self.t.ptr)), has_keys, miss);
                let entries = c.new_cast(None, at(c, &self.t, keys, self.abi.dict_keys_nentries, self.t.word).to_rvalue(), self.t.u64);
                let plus_one = c.new_binary_op(None, BinaryOp::Plus, self.t.u64, entries, c.new_rvalue_one(self.t.u64));
                has_keys.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, plus_one, high), found, miss);
                let descr = c.new_bitcast(None, second, self.t.ptr);
                found.add_assignment(None, method, descr);
                found.add_assignment(None, self_out, owner);
                found.add_eval(None, c.new_call(None, self.rc.incref, &[method.to_rvalue()]));
                found.add_eval(None, c.new_call(None, self.rc.incref, &[owner]));
                found.end_with_jump(None, join);
            }
        }
        miss
    }

    /// Inline value `index` of `owner` (`_PyObject_InlineValues(owner)->values[index]`: the
    /// values follow the type's basic size).
    fn inline_value_slot(&self, owner: RValue<'c>, ob_type: RValue<'c>, index: RValue<'c>) -> LValue<'c> {
        let c = self.ctx;
        let values = c.new_binary_op(None, BinaryOp::Plus, self.t.word, self.basicsize(ob_type), c.new_rvalue_from_long(self.t.word, self.abi.dict_values_values as i64));
        let at_index = c.new_binary_op(None, BinaryOp::Mult, self.t.word, c.new_cast(None, index, self.t.word), c.new_rvalue_from_long(self.t.word, 8));
        let off = c.new_binary_op(None, BinaryOp::Plus, self.t.word, values, at_index);
        let slot = c.new_array_access(None, c.new_cast(None, owner, self.t.char.make_pointer()), off).get_address(None);
        c.new_cast(None, slot, self.t.ptr.make_pointer()).dereference(None)
    }

    /// The address of `owner`'s inline values (`_PyObject_InlineValues`: its type's basic
    /// size past it).
    fn inline_values(&self, owner: RValue<'c>, ob_type: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        c.new_array_access(None, c.new_cast(None, owner, self.t.char.make_pointer()), self.basicsize(ob_type)).get_address(None)
    }

    /// `tp_basicsize` of the type `ob_type`.
    fn basicsize(&self, ob_type: RValue<'c>) -> RValue<'c> {
        at(self.ctx, &self.t, ob_type, self.abi.type_basicsize, self.t.word).to_rvalue()
    }

    /// The test that `owner`'s inline values are valid (`_PyObject_InlineValues(owner)->valid`,
    /// the values following the type's basic size): `cur` ends in it; returns where it holds.
    fn inline_values_valid(&self, cur: Block<'c>, owner: RValue<'c>, ob_type: RValue<'c>, slow: Block<'c>, name: &str) -> Block<'c> {
        let c = self.ctx;
        let values = self.inline_values(owner, ob_type);
        let valid = at(c, &self.t, values, self.abi.dict_values_valid, self.t.char).to_rvalue();
        let next = self.func.new_block(format!("{name}_valid"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, valid, c.new_rvalue_zero(self.t.char)), next, slow);
        next
    }

    /// The inline fast path of a method load with the interpreter's feedback (see
    /// [`MethodFast`]): both results (the descriptor and `self`) set as new references.
    fn method_fast_path(&mut self, cur: Block<'c>, name: &str, fast: MethodFast) -> (Block<'c>, Block<'c>) {
        let c = self.ctx;
        let owner = self.val(fast.owner).to_rvalue();
        let (slow, join) = (self.func.new_block(format!("{name}_method_slow")), self.func.new_block(format!("{name}_method")));
        let (mut cur, ob_type) = self.type_version_test(cur, owner, fast.type_version, slow, name);
        if let Some(kv) = fast.keys_version {
            // As _GUARD_DORV_VALUES_INST_ATTR_FROM_DICT and _GUARD_KEYS_VERSION: no instance
            // attribute shadows the method.
            cur = self.inline_values_valid(cur, owner, ob_type, slow, name);
            let keys = at(c, &self.t, ob_type, self.abi.heap_type_cached_keys, self.t.ptr).to_rvalue();
            let has_keys = self.func.new_block(format!("{name}_cached_keys"));
            cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, keys, c.new_null(self.t.ptr)), has_keys, slow);
            let v = at(c, &self.t, keys, self.abi.dict_keys_version, self.t.u32).to_rvalue();
            cur = self.func.new_block(format!("{name}_keys_version"));
            has_keys.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, v, self.known_as(kv, self.t.u32)), cur, slow);
        }
        let descr = self.known_as(fast.descr, self.t.ptr);
        cur.add_assignment(None, self.val(fast.method), descr);
        cur.add_assignment(None, self.val(fast.self_out), owner);
        cur.add_eval(None, c.new_call(None, self.rc.incref, &[descr]));
        cur.add_eval(None, c.new_call(None, self.rc.incref, &[owner]));
        cur.end_with_jump(None, join);
        (slow, join)
    }

    /// The inline fast path of an attribute store with the interpreter's feedback (see
    /// [`StoreAttrFast`]); `result` (the helper's status) is 0 on it.
    fn store_attr_fast_path(&mut self, cur: Block<'c>, name: &str, fast: StoreAttrFast, result: LValue<'c>) -> (Block<'c>, Block<'c>) {
        let c = self.ctx;
        let owner = self.val(fast.owner).to_rvalue();
        let v = self.val(fast.value).to_rvalue();
        let (slow, join) = (self.func.new_block(format!("{name}_store_slow")), self.func.new_block(format!("{name}_store")));
        let (mut cur, ob_type) = self.type_version_test(cur, owner, fast.type_version, slow, name);
        let slot = self.at_known(owner, fast.offset, self.t.ptr);
        let old = self.func.new_local(None, self.t.ptr, format!("{name}_old"));
        if fast.inline_values {
            // As _GUARD_DORV_NO_DICT: no managed dict, valid values.
            let dict = at(c, &self.t, owner, self.abi.managed_dict_offset as isize as usize, self.t.ptr).to_rvalue();
            let no_dict = self.func.new_block(format!("{name}_no_dict"));
            cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, dict, c.new_null(self.t.ptr)), no_dict, slow);
            cur = self.inline_values_valid(no_dict, owner, ob_type, slow, name);
        }
        cur.add_assignment(None, old, slot.to_rvalue());
        if fast.inline_values {
            let (present, absent) = (self.func.new_block(format!("{name}_present")), self.func.new_block(format!("{name}_absent")));
            cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, old.to_rvalue(), c.new_null(self.t.ptr)), present, absent);
            // A new attribute (an instance's first stores, in its __init__) joins the values'
            // insertion order, as _STORE_ATTR_INSTANCE_VALUE's _PyDictValues_AddToInsertionOrder:
            // its index in the values array is appended to the order bytes after the array.
            let values = self.inline_values(owner, ob_type);
            let byte = |off: usize| at(c, &self.t, values, off, self.t.u8);
            let word = |v: i64| c.new_rvalue_from_long(self.t.word, v);
            let (array, ptr) = (self.abi.dict_values_values as i64, std::mem::size_of::<usize>() as i64);
            let capacity = c.new_cast(None, byte(self.abi.dict_values_capacity).to_rvalue(), self.t.word);
            let count = byte(self.abi.dict_values_size);
            let order = c.new_binary_op(None, BinaryOp::Plus, self.t.word, word(array), c.new_binary_op(None, BinaryOp::Mult, self.t.word, capacity, word(ptr)));
            let at_end = c.new_binary_op(None, BinaryOp::Plus, self.t.word, order, c.new_cast(None, count.to_rvalue(), self.t.word));
            // The slot's offset is from the object; the values start `basicsize` bytes into it.
            let from_values = c.new_binary_op(None, BinaryOp::Minus, self.t.word, self.known_as(fast.offset, self.t.word), self.basicsize(ob_type));
            let index = c.new_binary_op(None, BinaryOp::Divide, self.t.word, c.new_binary_op(None, BinaryOp::Minus, self.t.word, from_values, word(array)), word(ptr));
            absent.add_assignment(None, c.new_array_access(None, c.new_cast(None, values, self.t.u8.make_pointer()), at_end), c.new_cast(None, index, self.t.u8));
            absent.add_assignment(None, count, c.new_binary_op(None, BinaryOp::Plus, self.t.u8, count.to_rvalue(), c.new_rvalue_one(self.t.u8)));
            // Nothing to release. (The present path, common in hot code, keeps its own write:
            // sharing one with a NULL test before the release measured 4% slower on richards.)
            self.write_slot(absent, slot, v, None, result, fast.quiet, join);
            cur = present;
        }
        if fast.quiet {
            cur = self.releases_quietly(cur, old.to_rvalue(), slow, name);
        }
        // Inline values: the old value is there (not NULL); a slot may be unset.
        let release = if fast.inline_values { self.rc.decref } else { self.rc.xdecref };
        self.write_slot(cur, slot, v, Some((release, old.to_rvalue())), result, fast.quiet, join);
        (slow, join)
    }

    /// The end of a store fast path: `v` into `slot` (a new reference), `old` released with
    /// its function if given, `result` set to the path's status (0: stored, the helper's; 1,
    /// `attr_write`'s), then on to `join`.
    #[allow(clippy::too_many_arguments)]
    fn write_slot(&self, cur: Block<'c>, slot: LValue<'c>, v: RValue<'c>, old: Option<(gccjit::Function<'c>, RValue<'c>)>, result: LValue<'c>, quiet: bool, join: Block<'c>) {
        let c = self.ctx;
        cur.add_eval(None, c.new_call(None, self.rc.incref, &[v]));
        cur.add_assignment(None, slot, v);
        if let Some((release, old)) = old {
            cur.add_eval(None, c.new_call(None, self.release(release), &[old]));
        }
        cur.add_assignment(None, result, c.new_rvalue_from_long(self.t.int, quiet as i64));
        cur.end_with_jump(None, join);
    }

    /// `cur` ends in the test that releasing one reference to `old` (or NULL) runs no code:
    /// NULL, not its last reference, or an exact float, int or str (whose deallocation only
    /// frees memory); returns where it holds, `slow` elsewhere.
    fn releases_quietly(&self, cur: Block<'c>, old: RValue<'c>, slow: Block<'c>, name: &str) -> Block<'c> {
        let c = self.ctx;
        let ok = self.func.new_block(format!("{name}_quiet"));
        let set = self.func.new_block(format!("{name}_old_set"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, old, c.new_null(self.t.ptr)), ok, set);
        // The low 32 bits of ob_refcnt (an immortal object's are far above 1).
        let count = c.new_cast(None, old, self.t.u32.make_pointer()).dereference(None).to_rvalue();
        let last = self.func.new_block(format!("{name}_old_last"));
        set.end_with_conditional(None, self.expect(c.new_comparison(None, ComparisonOp::NotEquals, count, c.new_rvalue_one(self.t.u32)), true), ok, last);
        let ob_type = at(c, &self.t, old, self.abi.ob_type, self.t.ptr).to_rvalue();
        let mut test = last;
        let plain = [BuiltinType::Float, BuiltinType::Long, BuiltinType::Unicode];
        for (k, ty) in plain.into_iter().enumerate() {
            let other = if k + 1 == plain.len() { slow } else { self.func.new_block(format!("{name}_old_not_{k}")) };
            test.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(ty))), ok, other);
            test = other;
        }
        ok
    }

    /// The inline fast path of `for_iter(it, &next)` on a list or tuple iterator (as
    /// FOR_ITER_LIST / FOR_ITER_TUPLE): the next item while the index is below the sequence's
    /// current length; the helper for other iterators and at the end (it releases the sequence).
    fn for_iter_fast_path(&mut self, cur: Block<'c>, name: &str, it: Value, has: LValue<'c>, next: LValue<'c>) -> (Block<'c>, Block<'c>) {
        let c = self.ctx;
        let it = self.val(it).to_rvalue();
        let (slow, join) = (self.func.new_block(format!("{name}_iter_slow")), self.func.new_block(format!("{name}_iter")));
        let ob_type = at(c, &self.t, it, self.abi.ob_type, self.t.ptr).to_rvalue();
        let kinds = [
            (BuiltinType::ListIter, self.abi.list_iter_index, self.abi.list_iter_seq, true),
            (BuiltinType::TupleIter, self.abi.tuple_iter_index, self.abi.tuple_iter_seq, false),
        ];
        let mut cur = cur;
        for (k, (ty, index_at, seq_at, list)) in kinds.into_iter().enumerate() {
            let this = self.func.new_block(format!("{name}_iter_{k}"));
            let other = if k + 1 == kinds.len() { slow } else { self.func.new_block(format!("{name}_iter_not_{k}")) };
            let is = c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(ty)));
            cur.end_with_conditional(None, is, this, other);
            let seq = at(c, &self.t, it, seq_at, self.t.ptr).to_rvalue();
            let live = self.func.new_block(format!("{name}_iter_live_{k}"));
            this.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, seq, c.new_null(self.t.ptr)), live, slow);
            let index = at(c, &self.t, it, index_at, self.t.word);
            let item = self.func.new_block(format!("{name}_iter_item_{k}"));
            live.end_with_conditional(None, self.out_of_bounds(seq, index.to_rvalue()), slow, item);
            let items = self.seq_items(seq, list);
            item.add_assignment(None, next, c.new_array_access(None, items, index.to_rvalue()).to_rvalue());
            item.add_assignment_op(None, index, BinaryOp::Plus, c.new_rvalue_one(self.t.word));
            item.add_eval(None, c.new_call(None, self.rc.incref, &[next.to_rvalue()]));
            item.add_assignment(None, has, c.new_rvalue_one(self.t.int));
            item.end_with_jump(None, join);
            cur = other;
        }
        (slow, join)
    }

    /// The inline fast path of `call_list_append(ts, [callable, self, item], 1)` (as
    /// CALL_LIST_APPEND and `_PyList_AppendTakeRef`): when the callable is `list.append`, `self`
    /// an exact list and its items array has room, the item (a new reference) goes into the
    /// next slot and the result is None; the helper otherwise (it grows the list, or makes any
    /// other call).
    fn list_append_fast_path(&mut self, cur: Block<'c>, name: &str, fast: ListAppendFast, result: LValue<'c>) -> Result<(Block<'c>, Block<'c>), BackendError> {
        let c = self.ctx;
        let [callable, owner, item] = [fast.callable, fast.owner, fast.item].map(|v| self.val(v).to_rvalue());
        let (slow, join) = (self.func.new_block(format!("{name}_append_slow")), self.func.new_block(format!("{name}_append")));
        let step = |s: &Self, what: &str| s.func.new_block(format!("{name}_append_{what}"));
        let (is_append, has_self, is_list, room) = (step(self, "callable"), step(self, "self"), step(self, "list"), step(self, "room"));
        let eq = |a, b| c.new_comparison(None, ComparisonOp::Equals, a, b);
        cur.end_with_conditional(None, eq(callable, self.reloc(Reloc::Type(BuiltinType::ListAppend))), is_append, slow);
        is_append.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, owner, c.new_null(self.t.ptr)), has_self, slow);
        let ob_type = at(c, &self.t, owner, self.abi.ob_type, self.t.ptr).to_rvalue();
        has_self.end_with_conditional(None, eq(ob_type, self.reloc(Reloc::Type(BuiltinType::List))), is_list, slow);
        let size = at(c, &self.t, owner, self.abi.var_size, self.t.word);
        let allocated = at(c, &self.t, owner, self.abi.list_allocated, self.t.word).to_rvalue();
        is_list.end_with_conditional(None, c.new_comparison(None, ComparisonOp::GreaterThan, allocated, size.to_rvalue()), room, slow);
        room.add_eval(None, c.new_call(None, self.rc.incref, &[item]));
        let items = self.seq_items(owner, true);
        room.add_assignment(None, c.new_array_access(None, items, size.to_rvalue()), item);
        room.add_assignment_op(None, size, BinaryOp::Plus, c.new_rvalue_one(self.t.word));
        room.add_assignment(None, result, self.checked_reloc(Reloc::Singleton(ir_cfg::Singleton::None))?);
        room.end_with_jump(None, join);
        Ok((slow, join))
    }

    /// The value of a compact int (`_PyLong_CompactValue`: `(1 - (tag & SIGN_MASK)) * digit[0]`).
    fn compact_value(&self, v: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let tag = at(c, &self.t, v, self.abi.long_tag, self.t.u64).to_rvalue();
        let digit = c.new_cast(None, at(c, &self.t, v, self.abi.long_digits, self.t.u32).to_rvalue(), self.t.word);
        c.new_binary_op(None, BinaryOp::Mult, self.t.word, self.long_sign(tag), digit)
    }

    /// An int's sign from its tag, `1 - (tag & SIGN_MASK)`: 1, 0 or -1.
    fn long_sign(&self, tag: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let mask = c.new_rvalue_from_long(self.t.u64, self.abi.long_sign_mask as i64);
        let sign_bits = c.new_cast(None, c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, tag, mask), self.t.word);
        c.new_binary_op(None, BinaryOp::Minus, self.t.word, c.new_rvalue_one(self.t.word), sign_bits)
    }

    /// `x` = the double an exact float or a compact int stands for: `cur` ends in the type
    /// tests; returns the block where `x` is set (others go to `slow`).
    fn number_as_double(&self, cur: Block<'c>, v: RValue<'c>, x: LValue<'c>, slow: Block<'c>, name: &str) -> Block<'c> {
        let c = self.ctx;
        let ob_type = at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue();
        let (float, not_float, int) =
            (self.func.new_block(format!("{name}_float")), self.func.new_block(format!("{name}_not_float")), self.func.new_block(format!("{name}_int")));
        let done = self.func.new_block(format!("{name}_double"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Float))), float, not_float);
        float.add_assignment(None, x, at(c, &self.t, v, self.abi.float_value, self.t.f64));
        float.end_with_jump(None, done);
        let tag = at(c, &self.t, v, self.abi.long_tag, self.t.u64).to_rvalue();
        let compact = c.new_comparison(None, ComparisonOp::LessThan, tag, c.new_rvalue_from_long(self.t.u64, self.abi.long_compact_below as i64));
        let is_int = c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Long)));
        // The tag is read only when the type is int (`&&` short-circuits).
        not_float.end_with_conditional(None, c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, is_int, compact), int, slow);
        int.add_assignment(None, x, c.new_cast(None, self.compact_value(v), self.t.f64));
        int.end_with_jump(None, done);
        done
    }

    /// The inline fast path of a generic true division (`binary_op(l, r, /)`, which the
    /// interpreter never specialises for two floats): exact floats and compact ints divided as
    /// doubles, as float's and int's `/` do for them (a compact int's double is exact), into a
    /// new float; the helper when an operand is something else or the divisor is zero.
    fn true_divide_fast_path(&mut self, cur: Block<'c>, name: &str, l: Value, r: Value, result: LValue<'c>) -> Result<(Block<'c>, Block<'c>), BackendError> {
        let c = self.ctx;
        let (slow, join) = (self.func.new_block(format!("{name}_div_slow")), self.func.new_block(format!("{name}_div")));
        let (x, y) = (self.func.new_local(None, self.t.f64, format!("{name}_x")), self.func.new_local(None, self.t.f64, format!("{name}_y")));
        let cur = self.number_as_double(cur, self.val(l).to_rvalue(), x, slow, &format!("{name}_l"));
        let cur = self.number_as_double(cur, self.val(r).to_rvalue(), y, slow, &format!("{name}_r"));
        let divide = self.func.new_block(format!("{name}_divide"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, y.to_rvalue(), c.new_rvalue_zero(self.t.f64)), divide, slow);
        let q = c.new_binary_op(None, BinaryOp::Divide, self.t.f64, x.to_rvalue(), y.to_rvalue());
        // A failed box leaves NULL and MemoryError: the check after the join sees it.
        let boxed = c.new_call(None, self.rc.box_float, &[q]);
        divide.add_assignment(None, result, boxed);
        divide.end_with_jump(None, join);
        Ok((slow, join))
    }

    /// The inline fast path of a generic power (`binary_op(l, r, **)`, never specialised by
    /// the interpreter): a positive finite float base and a float or compact int exponent give
    /// C's `pow`, as float's `**` computes them, when the result is finite (an infinite one is
    /// an OverflowError or a special case: the helper's); the helper otherwise.
    fn power_fast_path(&mut self, cur: Block<'c>, name: &str, l: Value, r: Value, result: LValue<'c>) -> Result<(Block<'c>, Block<'c>), BackendError> {
        let c = self.ctx;
        let (slow, join) = (self.func.new_block(format!("{name}_pow_slow")), self.func.new_block(format!("{name}_pow")));
        let (x, y) = (self.func.new_local(None, self.t.f64, format!("{name}_x")), self.func.new_local(None, self.t.f64, format!("{name}_y")));
        let lv = self.val(l).to_rvalue();
        let ob_type = at(c, &self.t, lv, self.abi.ob_type, self.t.ptr).to_rvalue();
        let float = self.func.new_block(format!("{name}_base_float"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Float))), float, slow);
        float.add_assignment(None, x, at(c, &self.t, lv, self.abi.float_value, self.t.f64));
        let exp = self.func.new_block(format!("{name}_exp"));
        let cur = self.number_as_double(exp, self.val(r).to_rvalue(), y, slow, &format!("{name}_exp"));
        float.end_with_jump(None, exp);
        let p = self.func.new_local(None, self.t.f64, format!("{name}_p"));
        let check = self.func.new_block(format!("{name}_pow_check"));
        let base_ok = self.func.new_block(format!("{name}_base_positive"));
        cur.end_with_conditional(None, self.positive_finite(x.to_rvalue()), base_ok, slow);
        self.power_into(base_ok, name, x.to_rvalue(), y.to_rvalue(), p, check);
        let done = self.func.new_block(format!("{name}_pow_box"));
        check.end_with_conditional(None, self.power_result_ok(p.to_rvalue()), done, slow);
        let boxed = c.new_call(None, self.rc.box_float, &[p.to_rvalue()]);
        done.add_assignment(None, result, boxed);
        done.end_with_jump(None, join);
        Ok((slow, join))
    }

    /// `p = x ** y` for a positive finite base `x`, from `cur`, then on to `check`: `sqrt` for
    /// `** 0.5` where that is `pow`'s answer ([`Emitter::half_power`]), C's `pow` otherwise.
    fn power_into(&mut self, cur: Block<'c>, name: &str, x: RValue<'c>, y: RValue<'c>, p: LValue<'c>, check: Block<'c>) {
        let c = self.ctx;
        let general = if half_power::sqrt_gives_pow() { self.half_power(cur, name, x, y, p, check) } else { cur };
        general.add_assignment(None, p, c.new_call(None, c.get_builtin_function("__builtin_pow"), &[x, y]));
        general.end_with_jump(None, check);
    }

    /// Whether a double is positive and finite: where C's `pow` is float's `**` whenever
    /// its result is finite (see [`Emitter::power_result_ok`]).
    fn positive_finite(&self, x: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let inf = c.new_rvalue_from_double(self.t.f64, f64::INFINITY);
        let zero = c.new_rvalue_zero(self.t.f64);
        c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, c.new_comparison(None, ComparisonOp::GreaterThan, x, zero), c.new_comparison(None, ComparisonOp::LessThan, x, inf))
    }

    /// Whether `pow`'s result `p` for a positive finite base is float's `**`'s: finite and
    /// not negative (a NaN or an infinity fails; an overflow is the interpreter's
    /// OverflowError).
    fn power_result_ok(&self, p: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let inf = c.new_rvalue_from_double(self.t.f64, f64::INFINITY);
        c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, c.new_comparison(None, ComparisonOp::GreaterThanEquals, p, c.new_rvalue_zero(self.t.f64)), c.new_comparison(None, ComparisonOp::LessThan, p, inf))
    }

    /// `x ** 0.5` as `sqrt(x)` where that is `pow`'s answer ([`half_power`]: the same test,
    /// with its argument). `cur` ends in the test; `p` is set and `check` reached when it
    /// holds; the block returned must compute `pow` when it does not.
    fn half_power(&mut self, cur: Block<'c>, name: &str, x: RValue<'c>, y: RValue<'c>, p: LValue<'c>, check: Block<'c>) -> Block<'c> {
        let c = self.ctx;
        let f64 = self.t.f64;
        let d = |v: f64| c.new_rvalue_from_double(f64, v);
        let local = |n: &str| self.func.new_local(None, f64, format!("{name}_{n}"));
        let (half, general) = (self.func.new_block(format!("{name}_half")), self.func.new_block(format!("{name}_pow_call")));
        let and = |a, b| c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, a, b);
        let in_range = and(
            c.new_comparison(None, ComparisonOp::Equals, y, d(0.5)),
            and(c.new_comparison(None, ComparisonOp::GreaterThanEquals, x, d(half_power::MIN_X)), c.new_comparison(None, ComparisonOp::LessThanEquals, x, d(half_power::MAX_X))),
        );
        cur.end_with_conditional(None, in_range, half, general);
        let (s, hi, lo, sq, r) = (local("s"), local("hi"), local("lo"), local("sq"), local("r"));
        let op = |o, a, b| c.new_binary_op(None, o, f64, a, b);
        let (add, sub, mul) = (BinaryOp::Plus, BinaryOp::Minus, BinaryOp::Mult);
        half.add_assignment(None, s, c.new_call(None, c.get_builtin_function("__builtin_sqrt"), &[x]));
        let bits = self.t.f64_bits(self.func, half, s.to_rvalue(), &format!("{name}_sbits"));
        let next = c.new_binary_op(None, BinaryOp::Plus, self.t.u64, bits, c.new_rvalue_one(self.t.u64));
        let ulp = op(sub, self.t.bits_f64(self.func, half, next, &format!("{name}_next")), s.to_rvalue());
        // Dekker's exact square of s: sq + e, then the residual r = s*s - x.
        let split = op(mul, d(half_power::SPLIT), s.to_rvalue());
        half.add_assignment(None, hi, op(sub, split, op(sub, split, s.to_rvalue())));
        half.add_assignment(None, lo, op(sub, s.to_rvalue(), hi.to_rvalue()));
        half.add_assignment(None, sq, op(mul, s.to_rvalue(), s.to_rvalue()));
        let (h, l) = (hi.to_rvalue(), lo.to_rvalue());
        let e = op(add, op(add, op(sub, op(mul, h, h), sq.to_rvalue()), op(mul, op(mul, d(2.0), h), l)), op(mul, l, l));
        half.add_assignment(None, r, op(add, op(sub, sq.to_rvalue(), x), e));
        let fabs = c.new_call(None, c.get_builtin_function("__builtin_fabs"), &[r.to_rvalue()]);
        let mask = c.new_rvalue_from_long(self.t.u64, half_power::FRACTION_MASK as i64);
        let not_power_of_two = c.new_comparison(None, ComparisonOp::NotEquals, c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, bits, mask), c.new_rvalue_zero(self.t.u64));
        let close = c.new_comparison(None, ComparisonOp::LessThan, fabs, op(mul, op(mul, d(half_power::MARGIN), s.to_rvalue()), ulp));
        half.add_assignment(None, p, s.to_rvalue());
        half.end_with_conditional(None, and(not_power_of_two, close), check, general);
        general
    }

    /// The inline fast path of a global read with the interpreter's feedback (see
    /// [`GlobalFast`]), shaped as [`Emitter::attr_fast_path`]'s: three loads where the
    /// interpreter's dict keys versions take eight, one after another.
    fn global_fast_path(&mut self, cur: Block<'c>, name: &str, fast: GlobalFast, result: LValue<'c>) -> (Block<'c>, Block<'c>) {
        use runtime_abi::abi::CoirGlobalCell as Cell;
        let c = self.ctx;
        let owner = self.val(fast.owner).to_rvalue();
        let (globals_at, builtins_at) = match fast.of {
            DictsOf::Function => (self.abi.func_globals, self.abi.func_builtins),
            DictsOf::Frame => (self.abi.frame_globals, self.abi.frame_builtins),
            DictsOf::Module => (self.abi.module_dict, self.abi.module_dict),
        };
        let (slow, join) = (self.func.new_block(format!("{name}_global_slow")), self.func.new_block(format!("{name}_global")));
        let cur = if fast.of == DictsOf::Module {
            // Its dict is read only once the object is known to be a module.
            let module = self.func.new_block(format!("{name}_module"));
            let ob_type = at(c, &self.t, owner, self.abi.ob_type, self.t.ptr).to_rvalue();
            let is_module = c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Module)));
            cur.end_with_conditional(None, is_module, module, slow);
            module
        } else {
            cur
        };
        let site = c.new_bitcast(None, self.val(fast.site).to_rvalue(), self.t.ptr.make_pointer());
        let cell = self.func.new_local(None, self.t.ptr, format!("{name}_cell"));
        cur.add_assignment(None, cell, site.dereference(None).to_rvalue());
        let named = self.func.new_block(format!("{name}_global_cell"));
        cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, cell.to_rvalue(), c.new_null(self.t.ptr)), named, slow);
        let field = |offset: usize| at(c, &self.t, cell.to_rvalue(), offset, self.t.ptr).to_rvalue();
        let same = |a: RValue<'c>, b: RValue<'c>| c.new_comparison(None, ComparisonOp::Equals, a, b);
        let dicts = c.new_binary_op(
            None,
            BinaryOp::LogicalAnd,
            self.t.bool,
            same(field(std::mem::offset_of!(Cell, globals)), at(c, &self.t, owner, globals_at, self.t.ptr).to_rvalue()),
            same(field(std::mem::offset_of!(Cell, builtins)), at(c, &self.t, owner, builtins_at, self.t.ptr).to_rvalue()),
        );
        let mine = self.func.new_block(format!("{name}_global_dicts"));
        named.end_with_conditional(None, dicts, mine, slow);
        mine.add_assignment(None, result, field(std::mem::offset_of!(Cell, value)));
        let set = self.func.new_block(format!("{name}_global_set"));
        mine.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, result.to_rvalue(), c.new_null(self.t.ptr)), set, slow);
        set.add_eval(None, c.new_call(None, self.rc.incref, &[result.to_rvalue()]));
        set.end_with_jump(None, join);
        (slow, join)
    }

    /// The items of a list (`ob_item`, a pointer in the object) or a tuple (inline), as
    /// `PyObject **`.
    fn seq_items(&self, seq: RValue<'c>, list: bool) -> RValue<'c> {
        let c = self.ctx;
        if list {
            return at(c, &self.t, seq, self.abi.list_items, self.t.ptr.make_pointer()).to_rvalue();
        }
        let base = c.new_cast(None, seq, self.t.char.make_pointer());
        let addr = c.new_array_access(None, base, c.new_rvalue_from_long(self.t.word, self.abi.tuple_items as i64)).get_address(None);
        c.new_cast(None, addr, self.t.ptr.make_pointer())
    }

    /// `!(0 <= idx < len(seq))` for a list or tuple: a negative index is a huge unsigned one.
    fn out_of_bounds(&self, seq: RValue<'c>, idx: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let len = at(c, &self.t, seq, self.abi.var_size, self.t.u64).to_rvalue();
        c.new_comparison(None, ComparisonOp::GreaterThanEquals, c.new_cast(None, idx, self.t.u64), len)
    }

    /// Whether object `v` is *not* a compact int: not exactly `int`, or more than one digit
    /// (the test of `guard compact_int`, and the negation of `is_compact_int`).
    fn not_compact_int(&self, v: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        c.new_unary_op(None, UnaryOp::LogicalNegate, self.t.bool, self.int_with_tag_below(v, self.abi.long_compact_below))
    }

    /// Whether object `v` is exactly `int` with a tag below `below` (at most so many digits).
    fn int_with_tag_below(&self, v: RValue<'c>, below: u64) -> RValue<'c> {
        let c = self.ctx;
        let ob_type = at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue();
        let is_int = c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Long)));
        let tag = at(c, &self.t, v, self.abi.long_tag, self.t.u64).to_rvalue();
        let small = c.new_comparison(None, ComparisonOp::LessThan, tag, c.new_rvalue_from_long(self.t.u64, below as i64));
        // The tag is read only when the type is int (`&&` short-circuits).
        c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, is_int, small)
    }

    /// The value of an int of two digits at most: `sign * (digit[0] | digit[1] << shift)`,
    /// digit 1 read only when there are two (`two` indexes it, else digit 0 again, masked out).
    fn medium_value(&self, v: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let w = self.t.word;
        let tag = at(c, &self.t, v, self.abi.long_tag, self.t.u64).to_rvalue();
        let two = c.new_cast(
            None,
            c.new_comparison(None, ComparisonOp::GreaterThanEquals, tag, c.new_rvalue_from_long(self.t.u64, self.abi.long_compact_below as i64)),
            w,
        );
        let base = c.new_cast(None, v, self.t.char.make_pointer());
        let digits_addr = c.new_array_access(None, base, c.new_rvalue_from_long(w, self.abi.long_digits as i64)).get_address(None);
        let digits = c.new_cast(None, digits_addr, self.t.u32.make_pointer());
        let d0 = c.new_cast(None, c.new_array_access(None, digits, c.new_rvalue_zero(w)).to_rvalue(), w);
        let dt = c.new_cast(None, c.new_array_access(None, digits, two).to_rvalue(), w);
        let high = c.new_binary_op(None, BinaryOp::LShift, w, dt, c.new_rvalue_from_long(w, self.abi.long_shift as i64));
        let high = c.new_binary_op(None, BinaryOp::BitwiseAnd, w, high, c.new_unary_op(None, UnaryOp::Minus, w, two));
        let magnitude = c.new_binary_op(None, BinaryOp::BitwiseOr, w, d0, high);
        c.new_binary_op(None, BinaryOp::Mult, w, self.long_sign(tag), magnitude)
    }

    /// Whether unboxed int `v` is beyond a compact int's range: |v| < 2**S (one digit of S
    /// bits) is v + 2**S - 1 < 2**(S+1) - 1, unsigned.
    fn beyond_compact(&self, v: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let shift = self.abi.long_shift;
        let bias = c.new_rvalue_from_long(self.t.word, (1i64 << shift) - 1);
        let shifted = c.new_cast(None, c.new_binary_op(None, BinaryOp::Plus, self.t.word, v, bias), self.t.u64);
        c.new_comparison(None, ComparisonOp::GreaterThanEquals, shifted, c.new_rvalue_from_long(self.t.u64, (1i64 << (shift + 1)) - 1))
    }

    /// The address of code unit `unit` (an `instr_ptr` value): `_PyCode_CODE(code) + unit`.
    fn code_unit(&mut self, unit: u32) -> RValue<'c> {
        let c = self.ctx;
        let base = c.new_cast(None, self.reloc(Reloc::CodeBase), self.t.char.make_pointer());
        let addr = c.new_array_access(None, base, c.new_rvalue_from_long(self.t.word, 2 * unit as i64)).get_address(None);
        c.new_cast(None, addr, self.t.ptr)
    }

    /// The eval breaker's test at the end of `cur`: pending events handled (their error to
    /// `err`), then, for `periodic` (`leave`), `guard_quiet`'s test, since what ran meanwhile
    /// (another thread, a signal handler) may have switched monitoring on. The block `name`
    /// goes on.
    fn eval_breaker(
        &mut self,
        cur: Block<'c>,
        name: &str,
        err: ir_cfg::ssa::Block,
        leave: Option<(GuardKind, &ir_cfg::ssa::FrameState, &[Value])>,
    ) -> Result<Block<'c>, BackendError> {
        let c = self.ctx;
        // Volatile: other threads and signal handlers set it; a loop with no call in it must
        // not keep a copy in a register.
        let eb = at(c, &self.t, self.tstate, self.abi.tstate_eval_breaker, self.t.u64.make_volatile());
        let mask = c.new_rvalue_from_long(self.t.u64, self.abi.eval_events_mask as i64);
        let bits = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, eb, mask);
        let slow = self.func.new_block(format!("{name}_pending"));
        let next = self.func.new_block(name);
        cur.end_with_conditional(None, self.expect(c.new_comparison(None, ComparisonOp::NotEquals, bits, c.new_rvalue_zero(self.t.u64)), false), slow, next);
        let r = c.new_call_through_ptr(None, self.helper_ptr(ir_cfg::Helper::HandlePending)?, &[self.tstate]);
        let failed = c.new_comparison(None, ComparisonOp::NotEquals, r, c.new_rvalue_zero(self.t.int));
        let Some((kind, fs, values)) = leave else {
            slow.end_with_conditional(None, failed, self.block(err), next);
            return Ok(next);
        };
        let handled = self.func.new_block(format!("{name}_handled"));
        slow.end_with_conditional(None, failed, self.block(err), handled);
        let moved = self.instrumentation_moved(eb.to_rvalue());
        let go_on = self.deopt_if(handled, &format!("{name}_quiet"), moved, kind, fs, values)?;
        go_on.end_with_jump(None, next);
        Ok(next)
    }

    /// Whether the interpreter's instrumentation version, the bits of the eval breaker `eb`
    /// above its event bits, is no longer the one the function entered at (`entry_version`).
    fn instrumentation_moved(&mut self, eb: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let mask = c.new_rvalue_from_long(self.t.u64, !(self.abi.eval_events_mask as i64));
        let bits = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, eb, mask);
        c.new_comparison(None, ComparisonOp::NotEquals, bits, self.entry_version.to_rvalue())
    }

    /// End `cur` with a test of `fails`: a new block `name` continues when it is false; the
    /// guard's exit (see [`Emitter::deopt_exit`]) runs when it is true (in deopt stress mode
    /// also on the guard's first execution).
    fn deopt_if(
        &mut self,
        cur: Block<'c>,
        name: &str,
        fails: RValue<'c>,
        kind: GuardKind,
        fs: &ir_cfg::ssa::FrameState,
        values: &[Value],
    ) -> Result<Block<'c>, BackendError> {
        let c = self.ctx;
        self.guards += 1;
        let state = self.reloc_as(Reloc::GuardState(self.guards), self.t.u64);
        let fails = if self.stress {
            let first = c.new_comparison(None, ComparisonOp::Equals, state.to_rvalue(), c.new_rvalue_zero(self.t.u64));
            c.new_binary_op(None, BinaryOp::LogicalOr, self.t.bool, fails, first)
        } else {
            fails
        };
        let exit = self.func.new_block(format!("{name}_deopt"));
        let next = self.func.new_block(name);
        cur.end_with_conditional(None, self.expect(fails, false), exit, next);
        self.deopt_exit(exit, state, kind.reason() as i32, fs, values)?;
        Ok(next)
    }

    /// A guard's exit: count the failure in its state word, pass the frame state's values to
    /// `coir_rt_deopt` (which writes them into the frame) and return `COIR_DEOPTED`.
    fn deopt_exit(
        &mut self,
        exit: Block<'c>,
        state: LValue<'c>,
        reason: i32,
        fs: &ir_cfg::ssa::FrameState,
        values: &[Value],
    ) -> Result<(), BackendError> {
        let c = self.ctx;
        exit.add_assignment_op(None, state, BinaryOp::Plus, c.new_rvalue_one(self.t.u64));
        let (items, kinds_word) = self.frame_state_items(exit, fs, values)?;
        let args = [
            self.frame,
            items,
            c.new_rvalue_from_long(self.t.int, fs.stack.len() as i64),
            c.new_rvalue_from_long(self.t.int, fs.unit as i64),
            c.new_rvalue_from_long(self.t.int, reason as i64),
            kinds_word,
            c.new_cast(None, state.to_rvalue(), self.t.word),
        ];
        let call = c.new_call_through_ptr(None, self.helper_ptr(ir_cfg::Helper::Deopt)?, &args);
        exit.add_eval(None, call);
        let deopted = self.t.to_ptr(self.func, exit, c.new_rvalue_from_long(self.t.u64, runtime_abi::abi::DEOPTED as i64), &format!("deopted{}", self.temps));
        exit.end_with_return(None, deopted);
        Ok(())
    }

    /// A frame state's stack written (in `exit`) into the scratch array as `coir_rt_deopt` and
    /// `coir_rt_suspend` read it: the array's address and the string of the slots' kinds (a
    /// word).
    fn frame_state_items(&mut self, exit: Block<'c>, fs: &ir_cfg::ssa::FrameState, values: &[Value]) -> Result<(RValue<'c>, RValue<'c>), BackendError> {
        let c = self.ctx;
        let mut kinds = String::new();
        for (k, (slot, v)) in fs.stack.iter().zip(values).enumerate() {
            let x = self.val(*v).to_rvalue();
            self.temps += 1;
            let word = match slot {
                StackSlot::Owned | StackSlot::Borrowed => x,
                StackSlot::TagInt => self.t.to_ptr(self.func, exit, c.new_cast(None, x, self.t.u64), &format!("tp{}", self.temps)),
                StackSlot::F64 => {
                    let bits = self.t.f64_bits(self.func, exit, x, &format!("db{}", self.temps));
                    self.t.to_ptr(self.func, exit, bits, &format!("dp{}", self.temps))
                }
                StackSlot::I64 => self.t.to_ptr(self.func, exit, c.new_cast(None, x, self.t.u64), &format!("ip{}", self.temps)),
            };
            kinds.push(slot.deopt_letter() as char);
            exit.add_assignment(None, self.scratch_at(1 + k as u32), word);
        }
        let kinds_ptr = self.t.to_u64(self.func, exit, c.new_cast(None, c.new_string_literal(&kinds), self.t.ptr), &format!("kinds{}", self.temps));
        Ok((c.new_cast(None, self.scratch_at(1).get_address(None), self.t.ptr), c.new_cast(None, kinds_ptr, self.t.word)))
    }

    /// The object a `_PyStackRef`'s bits (a u64) refer to: the tag bits masked off
    /// (`PyStackRef_AsPyObjectBorrow`).
    fn stackref_object(&mut self, cur: Block<'c>, bits: RValue<'c>) -> RValue<'c> {
        let c = self.ctx;
        let mask = c.new_rvalue_from_long(self.t.u64, !(self.abi.stackref_tag_bits as i64));
        let bits = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, bits, mask);
        self.temps += 1;
        self.t.to_ptr(self.func, cur, bits, &format!("cv{}", self.temps))
    }

    fn slot_lvalue(&self, index: u32) -> LValue<'c> {
        at(self.ctx, &self.t, self.frame, self.abi.frame_localsplus + self.abi.stackref_size * index as usize, self.t.u64)
    }

    fn scratch_at(&self, i: u32) -> LValue<'c> {
        let s = self.scratch.expect("max_array covers every array operand");
        self.ctx.new_array_access(None, s.to_rvalue(), self.ctx.new_rvalue_from_long(self.t.word, i as i64))
    }

    fn checked_reloc(&self, r: Reloc) -> Result<RValue<'c>, BackendError> {
        let (i, n, what) = match r {
            Reloc::Const(i) => (i, self.consts.consts.len(), "const"),
            Reloc::Name(i) => (i, self.consts.names.len(), "name"),
            Reloc::SmallInt(i) => (i, self.abi.small_ints.len(), "small int"),
            // The field's last unit must lie in the code.
            Reloc::Cache(u, w) => (u + w.units() - 1, self.consts.adaptive.len() / 2, w.name()),
            Reloc::Singleton(_)
            | Reloc::Helper(_)
            | Reloc::CodeBase
            | Reloc::Type(_)
            | Reloc::GuardState(_)
            | Reloc::SiteCache(..) => return Ok(self.reloc(r)),
        };
        if i as usize >= n {
            return Err(BackendError::BadOperand(format!("{what} {i}")));
        }
        Ok(self.reloc(r))
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
    fn block(&self, b: ir_cfg::ssa::Block) -> Block<'c> {
        self.blocks[b.index()].expect("successors of reachable blocks are reachable")
    }

    fn temp(&mut self, ty: Type<'c>) -> LValue<'c> {
        self.temps += 1;
        self.func.new_local(None, ty, format!("t{}", self.temps))
    }

    /// A GCC block that passes `call`'s arguments to its target's parameters and jumps there
    /// (the target itself when there are none).
    fn edge(&mut self, f: &Function, call: &BlockCall) -> Block<'c> {
        let target = self.block(call.block);
        if call.args.is_empty() {
            return target;
        }
        self.edges += 1;
        let b = self.func.new_block(format!("edge{}_{}", self.edges, call.block));
        let params = &f.blocks[call.block].params;
        // Parallel copy: every argument is read before any parameter is written.
        let temps: Vec<LValue<'c>> = call
            .args
            .iter()
            .map(|a| {
                let tmp = self.temp(value_ty(&self.t, f.ty(*a)));
                b.add_assignment(None, tmp, self.val(*a));
                tmp
            })
            .collect();
        for (p, tmp) in params.iter().zip(temps) {
            b.add_assignment(None, self.val(*p), tmp);
        }
        b.end_with_jump(None, target);
        b
    }

    fn emit_block(&mut self, f: &Function, bid: ir_cfg::ssa::Block) -> Result<(), BackendError> {
        let c = self.ctx;
        let mut cur = self.block(bid);
        let mut split = 0;
        for &inst in &f.blocks[bid].insts {
            let d = &f.insts[inst];
            let res = |k: usize| d.results.get(k).copied().ok_or_else(|| bad(d));
            match d.op {
                Opcode::Call => {
                    let Imm::Call(call) = &d.imm else { return Err(bad(d)) };
                    let helper = call.helper;
                    let mut args = d.args.iter();
                    let mut arrays = call.arrays.iter();
                    let mut results = d.results.iter();
                    let ret = helper.ret();
                    let ret_val = if ret == Ty::Void { None } else { results.next().copied() };
                    let mut argv = Vec::with_capacity(helper.params().len());
                    let mut out_array: Vec<Value> = Vec::new();
                    for p in helper.params() {
                        match p {
                            Ty::ObjArray => {
                                match arrays.next() {
                                    Some(ArrayArg::In(n)) => {
                                        for k in 0..*n {
                                            let a = *args.next().ok_or_else(|| bad(d))?;
                                            cur.add_assignment(None, self.scratch_at(1 + k), self.val(a));
                                        }
                                    }
                                    Some(ArrayArg::Out(n)) => {
                                        for _ in 0..*n {
                                            out_array.push(*results.next().ok_or_else(|| bad(d))?);
                                        }
                                    }
                                    None => return Err(bad(d)),
                                }
                                argv.push(c.new_cast(None, self.scratch_at(1).get_address(None), self.t.ptr));
                            }
                            Ty::ObjOut => {
                                let r = *results.next().ok_or_else(|| bad(d))?;
                                argv.push(c.new_cast(None, self.val(r).get_address(None), self.t.ptr));
                            }
                            _ => {
                                let a = *args.next().ok_or_else(|| bad(d))?;
                                let want = ty_of(&self.t, *p);
                                let r = self.val(a).to_rvalue();
                                argv.push(if r.get_type() != want { c.new_cast(None, r, want) } else { r });
                            }
                        }
                    }
                    // Attribute reads with the interpreter's feedback: the fast path inline,
                    // the helper (which checks again and falls back to getattr) otherwise.
                    let mut join = None;
                    if let (Some(r), Some(fast)) = (ret_val, attr_fast_path(f, d, helper)) {
                        split += 1;
                        let (slow, j) = self.attr_fast_path(cur, &format!("{bid}_{split}"), fast, self.val(r))?;
                        cur = slow;
                        join = Some(j);
                    } else if let (Some(r), Some(fast)) = (ret_val, global_fast_path(f, d, helper)) {
                        split += 1;
                        let (slow, j) = self.global_fast_path(cur, &format!("{bid}_{split}"), fast, self.val(r));
                        cur = slow;
                        join = Some(j);
                    } else if let (Some(r), Some(fast)) = (ret_val, list_append_fast_path(f, d, helper)) {
                        split += 1;
                        let (slow, j) = self.list_append_fast_path(cur, &format!("{bid}_{split}"), fast, self.val(r))?;
                        cur = slow;
                        join = Some(j);
                    } else if let Some(fast) = method_fast_path(f, d, helper) {
                        split += 1;
                        let (slow, j) = self.method_fast_path(cur, &format!("{bid}_{split}"), fast);
                        cur = slow;
                        join = Some(j);
                    } else if let (Some(r), Some((lhs, rhs, op))) = (ret_val, generic_binary_operands(f, d, helper)) {
                        split += 1;
                        let name = format!("{bid}_{split}");
                        let (slow, j) = if op == NB_TRUE_DIVIDE {
                            self.true_divide_fast_path(cur, &name, lhs, rhs, self.val(r))?
                        } else {
                            self.power_fast_path(cur, &name, lhs, rhs, self.val(r))?
                        };
                        cur = slow;
                        join = Some(j);
                    } else if let (Some(r), true) = (ret_val, helper == ir_cfg::Helper::ForIter) {
                        let (Some(&it), Some(&next)) = (d.args.first(), d.results.get(1)) else { return Err(bad(d)) };
                        split += 1;
                        let (slow, j) = self.for_iter_fast_path(cur, &format!("{bid}_{split}"), it, self.val(r), self.val(next));
                        cur = slow;
                        join = Some(j);
                    } else if let (Some(r), Some(fast)) = (ret_val, store_attr_fast_path(f, d, helper)) {
                        split += 1;
                        let (slow, j) = self.store_attr_fast_path(cur, &format!("{bid}_{split}"), fast, self.val(r));
                        cur = slow;
                        join = Some(j);
                    }
                    // Loads with their own cache: its entries probed inline before the helper.
                    if let Some((owner, site, kind)) = site_probe_operands(f, d, helper) {
                        let results = match kind {
                            SiteKind::Attr => SiteResults::Attr(self.val(d.results[0])),
                            SiteKind::Method => SiteResults::Method { method: self.val(d.results[0]), self_out: self.val(d.results[1]) },
                            SiteKind::Store(value) => SiteResults::Store { value, status: self.val(d.results[0]) },
                        };
                        split += 1;
                        let j = match join {
                            Some(j) => j,
                            None => self.func.new_block(format!("{bid}_{split}_site_join")),
                        };
                        cur = self.site_probe(cur, &format!("{bid}_{split}"), SiteProbe { owner, site, results }, j);
                        join = Some(j);
                    }
                    // Boxing a float or an int takes the free list's first object inline.
                    let callv = match helper {
                        ir_cfg::Helper::BoxFloat => c.new_call(None, self.rc.box_float, &argv),
                        ir_cfg::Helper::BoxInt => c.new_call(None, self.rc.box_int, &argv),
                        _ => c.new_call_through_ptr(None, self.helper_ptr(helper)?, &argv),
                    };
                    let result = match ret_val {
                        None => {
                            cur.add_eval(None, callv);
                            None
                        }
                        Some(r) => {
                            cur.add_assignment(None, self.val(r), callv);
                            Some(self.val(r))
                        }
                    };
                    if let Some(j) = join {
                        cur.end_with_jump(None, j);
                        cur = j;
                    }
                    let failed = match (helper.err(), result) {
                        (ErrConv::Null, Some(r)) => Some(c.new_comparison(None, ComparisonOp::Equals, r, c.new_null(self.t.ptr))),
                        (ErrConv::Negative, Some(r)) => {
                            Some(c.new_comparison(None, ComparisonOp::LessThan, r, c.new_rvalue_zero(self.t.int)))
                        }
                        // Always raises: the error edge is always taken. It stays a conditional
                        // (folded by GCC) so that what follows is still a block libgccjit sees
                        // reached, and the error block is reached even when only this edge
                        // leads there.
                        (ErrConv::Always, _) => Some(c.new_rvalue_one(c.new_type::<bool>())),
                        (ErrConv::Null | ErrConv::Negative | ErrConv::Never, _) => None,
                    };
                    if let (Some(cond), Some(e)) = (failed, d.err) {
                        split += 1;
                        let next = self.func.new_block(format!("{bid}_{split}"));
                        cur.end_with_conditional(None, self.expect(cond, false), self.block(e), next);
                        cur = next;
                    }
                    for (k, r) in out_array.iter().enumerate() {
                        cur.add_assignment(None, self.val(*r), self.scratch_at(1 + k as u32));
                    }
                }
                Opcode::Const => {
                    let Imm::Const(i) = &d.imm else { return Err(bad(d)) };
                    cur.add_assignment(None, self.val(res(0)?), self.checked_reloc(Reloc::Const(*i))?);
                }
                Opcode::Name => {
                    let Imm::Name(i) = &d.imm else { return Err(bad(d)) };
                    cur.add_assignment(None, self.val(res(0)?), self.checked_reloc(Reloc::Name(*i))?);
                }
                Opcode::Singleton => {
                    let Imm::Singleton(s) = &d.imm else { return Err(bad(d)) };
                    cur.add_assignment(None, self.val(res(0)?), self.checked_reloc(Reloc::Singleton(*s))?);
                }
                Opcode::SmallInt => {
                    let Imm::SmallInt(i) = &d.imm else { return Err(bad(d)) };
                    cur.add_assignment(None, self.val(res(0)?), self.checked_reloc(Reloc::SmallInt(*i))?);
                }
                Opcode::Null => cur.add_assignment(None, self.val(res(0)?), c.new_null(self.t.ptr)),
                Opcode::CInt => {
                    let Imm::Int(i) = &d.imm else { return Err(bad(d)) };
                    cur.add_assignment(None, self.val(res(0)?), c.new_rvalue_from_long(self.t.int, *i));
                }
                Opcode::Word => {
                    let Imm::Int(i) = &d.imm else { return Err(bad(d)) };
                    cur.add_assignment(None, self.val(res(0)?), c.new_rvalue_from_long(self.t.word, *i));
                }
                Opcode::SiteCache => {
                    let Imm::Unit(u) = &d.imm else { return Err(bad(d)) };
                    // The cache's words are consecutive in the table: added together, in order.
                    for k in 0..runtime_abi::abi::SITE_CACHE_WORDS as u32 {
                        self.reloc_index(Reloc::SiteCache(*u, k));
                    }
                    let first = self.reloc_as(Reloc::SiteCache(*u, 0), self.t.word).get_address(None);
                    cur.add_assignment(None, self.val(res(0)?), c.new_bitcast(None, first, self.t.word));
                }
                Opcode::CacheWord | Opcode::CacheU32 | Opcode::CacheU16 => {
                    let Some(Known::Cache(u, w)) = known_of(d) else { return Err(bad(d)) };
                    // Checked for bounds, then read as the word it is.
                    self.checked_reloc(Reloc::Cache(u, w))?;
                    cur.add_assignment(None, self.val(res(0)?), self.reloc_as(Reloc::Cache(u, w), self.t.word).to_rvalue());
                }
                Opcode::Incref | Opcode::XIncref | Opcode::Decref | Opcode::XDecref => {
                    let func = match d.op {
                        Opcode::Incref => self.rc.incref,
                        Opcode::XIncref => self.rc.xincref,
                        Opcode::Decref | Opcode::XDecref if self.cold[bid.index()] => self.rc.decref_cold,
                        Opcode::Decref => self.release(self.rc.decref),
                        _ => self.release(self.rc.xdecref),
                    };
                    let a = *d.args.first().ok_or_else(|| bad(d))?;
                    cur.add_eval(None, c.new_call(None, func, &[self.val(a).to_rvalue()]));
                }
                Opcode::TakeLocal => {
                    let Imm::Slot(index) = &d.imm else { return Err(bad(d)) };
                    let addr = self.slot_lvalue(*index).get_address(None);
                    cur.add_assignment(None, self.val(res(0)?), c.new_call(None, self.release(self.rc.take_local), &[addr]));
                }
                Opcode::LoadLocal => {
                    let Imm::Slot(index) = &d.imm else { return Err(bad(d)) };
                    let p = self.stackref_object(cur, self.slot_lvalue(*index).to_rvalue());
                    cur.add_assignment(None, self.val(res(0)?), p);
                }
                Opcode::StoreLocal => {
                    let Imm::Slot(index) = &d.imm else { return Err(bad(d)) };
                    let addr = self.slot_lvalue(*index).get_address(None);
                    let a = *d.args.first().ok_or_else(|| bad(d))?;
                    cur.add_eval(None, c.new_call(None, self.release(self.rc.store_local), &[addr, self.val(a).to_rvalue()]));
                }
                Opcode::BoxFloatInto | Opcode::BoxFloatOver | Opcode::BoxIntInto => {
                    // Reuse the float being replaced when its count says no one else holds it
                    // (see the pass, reuse_float_locals); otherwise box_float.
                    let err = d.err.ok_or_else(|| bad(d))?;
                    let x = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let r = self.val(res(0)?);
                    split += 1;
                    let (candidate, reuse, fresh, next) = (
                        self.func.new_block(format!("{bid}_{split}_candidate")),
                        self.func.new_block(format!("{bid}_{split}_reuse")),
                        self.func.new_block(format!("{bid}_{split}_fresh")),
                        self.func.new_block(format!("{bid}_{split}")),
                    );
                    let (p, count) = match (d.op, &d.imm, &d.args[..]) {
                        // The slot's float, when the slot owns it (untagged, not NULL); one
                        // reference, the slot's.
                        (Opcode::BoxFloatInto | Opcode::BoxIntInto, Imm::Slot(index), _) => {
                            let u64c = |v: i64| c.new_rvalue_from_long(self.t.u64, v);
                            let bits = self.slot_lvalue(*index).to_rvalue();
                            let tag = c.new_binary_op(None, BinaryOp::BitwiseAnd, self.t.u64, bits, u64c(self.abi.stackref_tag_bits as i64));
                            let owned = c.new_binary_op(
                                None,
                                BinaryOp::LogicalAnd,
                                self.t.bool,
                                c.new_comparison(None, ComparisonOp::Equals, tag, u64c(0)),
                                c.new_comparison(None, ComparisonOp::NotEquals, bits, u64c(0)),
                            );
                            cur.end_with_conditional(None, owned, candidate, fresh);
                            self.temps += 1;
                            (self.t.to_ptr(self.func, candidate, bits, &format!("reuse{}", self.temps)), 1)
                        }
                        (Opcode::BoxFloatOver, Imm::Int(count), [_, w]) => {
                            cur.end_with_jump(None, candidate);
                            (self.val(*w).to_rvalue(), *count)
                        }
                        _ => return Err(bad(d)),
                    };
                    let int = d.op == Opcode::BoxIntInto;
                    let and = |a, b| c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, a, b);
                    let ob_type = at(c, &self.t, p, self.abi.ob_type, self.t.ptr).to_rvalue();
                    let refs = c.new_cast(None, p, self.t.u32.make_pointer()).dereference(None).to_rvalue();
                    let ty = if int { BuiltinType::Long } else { BuiltinType::Float };
                    let mut alone = and(
                        c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(ty))),
                        c.new_comparison(None, ComparisonOp::Equals, refs, c.new_rvalue_from_long(self.t.u32, count)),
                    );
                    if int {
                        // A compact int's value (one digit) that is not a small int's.
                        let w = |v: i64| c.new_rvalue_from_long(self.t.word, v);
                        let base = 1i64 << self.abi.long_shift;
                        let medium = and(c.new_comparison(None, ComparisonOp::LessThan, x, w(base)), c.new_comparison(None, ComparisonOp::GreaterThan, x, w(-base)));
                        let small = and(
                            c.new_comparison(None, ComparisonOp::GreaterThanEquals, x, w(self.abi.small_int_min)),
                            c.new_comparison(None, ComparisonOp::LessThanEquals, x, w(self.abi.small_int_max)),
                        );
                        alone = and(alone, and(medium, c.new_unary_op(None, UnaryOp::LogicalNegate, self.t.bool, small)));
                    }
                    candidate.end_with_conditional(None, alone, reuse, fresh);
                    if int {
                        // The tag and digit of a one-digit int, as box_int writes them.
                        let negative = c.new_comparison(None, ComparisonOp::LessThan, x, c.new_rvalue_zero(self.t.word));
                        let sign = c.new_binary_op(
                            None,
                            BinaryOp::Mult,
                            self.t.u64,
                            c.new_cast(None, negative, self.t.u64),
                            c.new_rvalue_from_long(self.t.u64, self.abi.long_sign_negative as i64),
                        );
                        let one_digit = c.new_rvalue_from_long(self.t.u64, (self.abi.long_compact_below / 2) as i64);
                        reuse.add_assignment(None, at(c, &self.t, p, self.abi.long_tag, self.t.u64), c.new_binary_op(None, BinaryOp::BitwiseOr, self.t.u64, one_digit, sign));
                        let magnitude = c.new_binary_op(
                            None,
                            BinaryOp::Mult,
                            self.t.word,
                            x,
                            c.new_binary_op(
                                None,
                                BinaryOp::Minus,
                                self.t.word,
                                c.new_rvalue_one(self.t.word),
                                c.new_binary_op(None, BinaryOp::Mult, self.t.word, c.new_cast(None, negative, self.t.word), c.new_rvalue_from_long(self.t.word, 2)),
                            ),
                        );
                        reuse.add_assignment(None, at(c, &self.t, p, self.abi.long_digits, self.t.u32), c.new_cast(None, magnitude, self.t.u32));
                    } else {
                        reuse.add_assignment(None, at(c, &self.t, p, self.abi.float_value, self.t.f64), x);
                    }
                    reuse.add_eval(None, c.new_call(None, self.rc.incref, &[p]));
                    reuse.add_assignment(None, r, p);
                    reuse.end_with_jump(None, next);
                    let boxer = if int { self.rc.box_int } else { self.rc.box_float };
                    fresh.add_assignment(None, r, c.new_call(None, boxer, &[x]));
                    fresh.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, r.to_rvalue(), c.new_null(self.t.ptr)), self.block(err), next);
                    cur = next;
                }
                Opcode::SetInstrPtr => {
                    let Imm::Unit(unit) = &d.imm else { return Err(bad(d)) };
                    let ip = at(c, &self.t, self.frame, self.abi.frame_instr_ptr, self.t.ptr);
                    cur.add_assignment(None, ip, self.code_unit(*unit));
                }
                Opcode::Guard => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let ob_type = at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue();
                    let ne = |a: RValue<'c>, b: RValue<'c>| c.new_comparison(None, ComparisonOp::NotEquals, a, b);
                    let exact = kind.exact_type().map(|t| ne(ob_type, self.reloc(Reloc::Type(t))));
                    let fails = match (kind, exact) {
                        (GuardKind::CompactInt, Some(_)) => self.not_compact_int(v),
                        (_, Some(not_exact)) => not_exact,
                        (GuardKind::None, None) => ne(v, self.reloc(Reloc::Singleton(Singleton::None))),
                        (GuardKind::Len(n), None) => {
                            let len = at(c, &self.t, v, self.abi.var_size, self.t.word).to_rvalue();
                            ne(len, c.new_rvalue_from_long(self.t.word, *n as i64))
                        }
                        _ => return Err(bad(d)),
                    };
                    split += 1;
                    cur = self.deopt_if(cur, &format!("{bid}_{split}"), fails, *kind, fs, &d.args[1..])?;
                }
                Opcode::GuardCompact => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let fails = self.beyond_compact(v);
                    split += 1;
                    cur = self.deopt_if(cur, &format!("{bid}_{split}"), fails, *kind, fs, &d.args[1..])?;
                }
                Opcode::IsStr | Opcode::IsFloat => {
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let ty = if d.op == Opcode::IsStr { BuiltinType::Unicode } else { BuiltinType::Float };
                    let ob_type = at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue();
                    let yes = c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(ty)));
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, yes, self.t.int));
                }
                Opcode::AsDoubles => {
                    let (&[x, y], Imm::Int(any)) = (&d.args[..], &d.imm) else { return Err(bad(d)) };
                    let (x, y) = (self.val(x).to_rvalue(), self.val(y).to_rvalue());
                    let (ok, xd, yd) = (self.val(res(0)?), self.val(res(1)?), self.val(res(2)?));
                    for r in [xd, yd] {
                        cur.add_assignment(None, r, c.new_rvalue_zero(self.t.f64));
                    }
                    cur.add_assignment(None, ok, c.new_rvalue_zero(self.t.int));
                    split += 1;
                    let name = format!("{bid}_doubles{split}");
                    let done = self.func.new_block(format!("{name}_done"));
                    let b = self.number_as_double(cur, x, xd, done, &format!("{name}_x"));
                    let b = self.number_as_double(b, y, yd, done, &format!("{name}_y"));
                    let float = |v| c.new_comparison(None, ComparisonOp::Equals, at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue(), self.reloc(Reloc::Type(BuiltinType::Float)));
                    let one_float = c.new_binary_op(None, BinaryOp::LogicalOr, self.t.bool, float(x), float(y));
                    let taken = match *any {
                        1 => c.new_rvalue_one(self.t.int),
                        _ => c.new_cast(None, one_float, self.t.int),
                    };
                    b.add_assignment(None, ok, taken);
                    b.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::MathCall => {
                    use runtime_abi::abi::{Domain, MathFn};
                    let (&[x], Imm::Int(which)) = (&d.args[..], &d.imm) else { return Err(bad(d)) };
                    let m = *MathFn::ALL.get(*which as usize).ok_or_else(|| bad(d))?;
                    let x = self.val(x).to_rvalue();
                    let (ok, r) = (self.val(res(0)?), self.val(res(1)?));
                    let f64c = |v: f64| c.new_rvalue_from_double(self.t.f64, v);
                    let inside = match m.domain() {
                        Domain::NonNegative => c.new_comparison(None, ComparisonOp::GreaterThanEquals, x, f64c(0.0)),
                        Domain::Positive => c.new_comparison(None, ComparisonOp::GreaterThan, x, f64c(0.0)),
                        // Infinities and NaN make NaN.
                        Domain::Finite => c.new_comparison(None, ComparisonOp::Equals, c.new_binary_op(None, BinaryOp::Minus, self.t.f64, x, x), f64c(0.0)),
                        Domain::AtMost(bound) => c.new_comparison(None, ComparisonOp::LessThanEquals, x, f64c(bound)),
                    };
                    cur.add_assignment(None, ok, c.new_cast(None, inside, self.t.int));
                    cur.add_assignment(None, r, f64c(0.0));
                    split += 1;
                    let name = format!("{bid}_math{split}");
                    let (compute, done) = (self.func.new_block(format!("{name}_{}", m.name())), self.func.new_block(format!("{name}_done")));
                    cur.end_with_conditional(None, self.expect(inside, true), compute, done);
                    compute.add_assignment(None, r, c.new_call(None, c.get_builtin_function(&format!("__builtin_{}", m.name())), &[x]));
                    compute.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::ClosureCell => {
                    let Imm::Int(i) = &d.imm else { return Err(bad(d)) };
                    let func = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let r = self.val(res(0)?);
                    cur.add_assignment(None, r, self.closure_cell(func, *i));
                    cur.add_eval(None, c.new_call(None, self.rc.incref, &[r.to_rvalue()]));
                }
                Opcode::IsCompactInt | Opcode::FitsCompact => {
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let no = if d.op == Opcode::IsCompactInt { self.not_compact_int(v) } else { self.beyond_compact(v) };
                    let yes = c.new_unary_op(None, UnaryOp::LogicalNegate, self.t.bool, no);
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, yes, self.t.int));
                }
                Opcode::IsMediumInt => {
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, self.int_with_tag_below(v, self.abi.long_medium_below), self.t.int));
                }
                Opcode::UnboxMediumInt => {
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    cur.add_assignment(None, self.val(res(0)?), self.medium_value(v));
                }
                Opcode::MediumArith => {
                    use ir_cfg::opargs::{NB_ADD, NB_AND, NB_MULTIPLY, NB_OR, NB_SUBTRACT, NB_XOR};
                    let (Imm::Int(nb), [a, b]) = (&d.imm, &d.args[..]) else { return Err(bad(d)) };
                    let op = match u32::try_from(*nb).map_err(|_| bad(d))? {
                        NB_ADD => BinaryOp::Plus,
                        NB_SUBTRACT => BinaryOp::Minus,
                        NB_MULTIPLY => BinaryOp::Mult,
                        NB_AND => BinaryOp::BitwiseAnd,
                        NB_OR => BinaryOp::BitwiseOr,
                        NB_XOR => BinaryOp::BitwiseXor,
                        _ => return Err(bad(d)),
                    };
                    // Exact in 128 bits (operands below 2**60); fits when it survives the
                    // round trip through 64.
                    let wide = c.new_c_type(gccjit::CType::Int128t);
                    let (a, b) = (c.new_cast(None, self.val(*a).to_rvalue(), wide), c.new_cast(None, self.val(*b).to_rvalue(), wide));
                    split += 1;
                    let r128 = self.func.new_local(None, wide, format!("{bid}_medium{split}"));
                    cur.add_assignment(None, r128, c.new_binary_op(None, op, wide, a, b));
                    let narrow = c.new_cast(None, r128.to_rvalue(), self.t.word);
                    let fits = c.new_comparison(None, ComparisonOp::Equals, c.new_cast(None, narrow, wide), r128.to_rvalue());
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, fits, self.t.int));
                    cur.add_assignment(None, self.val(res(1)?), narrow);
                }
                Opcode::FreeVar => {
                    let Imm::Int(i) = &d.imm else { return Err(bad(d)) };
                    let func = self.stackref_object(cur, at(c, &self.t, self.frame, self.abi.frame_funcobj, self.t.u64).to_rvalue());
                    cur.add_assignment(None, self.val(res(0)?), self.closure_cell(func, *i));
                }
                Opcode::CellGet => {
                    let cell = self.val(d.args[0]).to_rvalue();
                    let r = self.val(res(0)?);
                    cur.add_assignment(None, r, at(c, &self.t, cell, self.abi.cell_ref, self.t.ptr));
                    cur.add_eval(None, c.new_call(None, self.rc.xincref, &[r.to_rvalue()]));
                }
                Opcode::TupleItem | Opcode::ListItem => {
                    let Imm::Int(i) = &d.imm else { return Err(bad(d)) };
                    let seq = self.val(d.args[0]).to_rvalue();
                    let items = self.seq_items(seq, d.op == Opcode::ListItem);
                    let r = self.val(res(0)?);
                    cur.add_assignment(None, r, c.new_array_access(None, items, c.new_rvalue_from_long(self.t.word, *i)));
                    cur.add_eval(None, c.new_call(None, self.rc.incref, &[r.to_rvalue()]));
                }
                Opcode::RangeNext => {
                    // As FOR_ITER_RANGE: len > 0 ? (value = start, start += step, len--) : done.
                    let it = self.val(d.args[0]).to_rvalue();
                    let (has, value) = (self.val(res(0)?), self.val(res(1)?));
                    let start = at(c, &self.t, it, self.abi.range_iter_start, self.t.word);
                    let step = at(c, &self.t, it, self.abi.range_iter_step, self.t.word);
                    let len = at(c, &self.t, it, self.abi.range_iter_len, self.t.word);
                    split += 1;
                    let more = self.func.new_block(format!("{bid}_range{split}"));
                    let next = self.func.new_block(format!("{bid}_{split}"));
                    cur.add_assignment(None, has, c.new_rvalue_zero(self.t.int));
                    cur.add_assignment(None, value, c.new_rvalue_zero(self.t.word));
                    let gt = c.new_comparison(None, ComparisonOp::GreaterThan, len.to_rvalue(), c.new_rvalue_zero(self.t.word));
                    cur.end_with_conditional(None, gt, more, next);
                    more.add_assignment(None, has, c.new_rvalue_one(self.t.int));
                    more.add_assignment(None, value, start.to_rvalue());
                    more.add_assignment(None, start, c.new_binary_op(None, BinaryOp::Plus, self.t.word, value.to_rvalue(), step.to_rvalue()));
                    more.add_assignment(None, len, c.new_binary_op(None, BinaryOp::Minus, self.t.word, len.to_rvalue(), c.new_rvalue_one(self.t.word)));
                    more.end_with_jump(None, next);
                    cur = next;
                }
                Opcode::StoreItem => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let (seq, idx, v) = (self.val(d.args[0]).to_rvalue(), self.val(d.args[1]).to_rvalue(), self.val(d.args[2]));
                    split += 1;
                    cur = self.deopt_if(cur, &format!("{bid}_{split}"), self.out_of_bounds(seq, idx), *kind, fs, &d.args[3..])?;
                    let slot = c.new_array_access(None, self.seq_items(seq, true), idx);
                    let old = self.temp(self.t.ptr);
                    cur.add_assignment(None, old, slot.to_rvalue());
                    cur.add_assignment(None, slot, v.to_rvalue());
                    cur.add_eval(None, c.new_call(None, self.release(self.rc.decref), &[old.to_rvalue()]));
                }
                Opcode::Item => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let (seq, idx) = (self.val(d.args[0]).to_rvalue(), self.val(d.args[1]).to_rvalue());
                    split += 1;
                    cur = self.deopt_if(cur, &format!("{bid}_{split}"), self.out_of_bounds(seq, idx), *kind, fs, &d.args[2..])?;
                    let items = match kind {
                        GuardKind::ListIndex => self.seq_items(seq, true),
                        GuardKind::TupleIndex => self.seq_items(seq, false),
                        _ => return Err(bad(d)),
                    };
                    let r = self.val(res(0)?);
                    cur.add_assignment(None, r, c.new_array_access(None, items, idx));
                    cur.add_eval(None, c.new_call(None, self.rc.incref, &[r.to_rvalue()]));
                }
                Opcode::ToDouble => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let x = self.val(res(0)?);
                    split += 1;
                    let name = format!("{bid}_double{split}");
                    let ob_type = at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue();
                    let float = c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Float)));
                    let not_number = c.new_binary_op(None, BinaryOp::LogicalAnd, self.t.bool, c.new_unary_op(None, UnaryOp::LogicalNegate, self.t.bool, float), self.not_compact_int(v));
                    cur = self.deopt_if(cur, &name, not_number, *kind, fs, &d.args[1..])?;
                    // (GCC merges the type test with the guard's.)
                    let done = self.func.new_block(format!("{name}_done"));
                    let next = self.number_as_double(cur, v, x, done, &name);
                    next.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::FPow => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let [x, y] = d.args[..2] else { return Err(bad(d)) };
                    let (x, y) = (self.val(x).to_rvalue(), self.val(y).to_rvalue());
                    split += 1;
                    let name = format!("{bid}_fpow{split}");
                    let p = self.val(res(0)?);
                    let outside = c.new_unary_op(None, UnaryOp::LogicalNegate, self.t.bool, self.positive_finite(x));
                    cur = self.deopt_if(cur, &format!("{name}_base"), outside, *kind, fs, &d.args[2..])?;
                    let check = self.func.new_block(format!("{name}_check"));
                    self.power_into(cur, &name, x, y, p, check);
                    let overflow = c.new_unary_op(None, UnaryOp::LogicalNegate, self.t.bool, self.power_result_ok(p.to_rvalue()));
                    cur = self.deopt_if(check, &format!("{name}_result"), overflow, *kind, fs, &d.args[2..])?;
                }
                Opcode::UnboxFloat => {
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    cur.add_assignment(None, self.val(res(0)?), at(c, &self.t, v, self.abi.float_value, self.t.f64));
                }
                Opcode::UnboxInt => {
                    let a = *d.args.first().ok_or_else(|| bad(d))?;
                    // A small int's value is a constant GCC can fold (`n % 2` an `and`, not an
                    // `idiv`), where reading the immortal object's digit hides it.
                    let value = match small_int(f, a) {
                        Some(i) => c.new_rvalue_from_long(self.t.word, i as i64),
                        None => self.compact_value(self.val(a).to_rvalue()),
                    };
                    cur.add_assignment(None, self.val(res(0)?), value);
                }
                Opcode::FAdd
                | Opcode::FSub
                | Opcode::FMul
                | Opcode::IAdd
                | Opcode::ISub
                | Opcode::IMul
                | Opcode::IAnd
                | Opcode::IOr
                | Opcode::IXor => {
                    let (op, ty) = match d.op {
                        Opcode::FAdd => (BinaryOp::Plus, self.t.f64),
                        Opcode::FSub => (BinaryOp::Minus, self.t.f64),
                        Opcode::FMul => (BinaryOp::Mult, self.t.f64),
                        Opcode::IAdd => (BinaryOp::Plus, self.t.word),
                        Opcode::ISub => (BinaryOp::Minus, self.t.word),
                        Opcode::IAnd => (BinaryOp::BitwiseAnd, self.t.word),
                        Opcode::IOr => (BinaryOp::BitwiseOr, self.t.word),
                        Opcode::IXor => (BinaryOp::BitwiseXor, self.t.word),
                        _ => (BinaryOp::Mult, self.t.word),
                    };
                    let (a, b) = (self.val(d.args[0]).to_rvalue(), self.val(d.args[1]).to_rvalue());
                    cur.add_assignment(None, self.val(res(0)?), c.new_binary_op(None, op, ty, a, b));
                }
                Opcode::IToF => {
                    let a = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, a, self.t.f64));
                }
                Opcode::FDiv | Opcode::IFloorDiv | Opcode::IMod => {
                    let err = d.err.ok_or_else(|| bad(d))?;
                    let [a, b] = d.args[..] else { return Err(bad(d)) };
                    let (a, b) = (self.val(a).to_rvalue(), self.val(b).to_rvalue());
                    let ty = if d.op == Opcode::FDiv { self.t.f64 } else { self.t.word };
                    // A zero divisor raises, as the interpreter's float and int code does.
                    split += 1;
                    let zero = self.func.new_block(format!("{bid}_zero_divisor{split}"));
                    let next = self.func.new_block(format!("{bid}_{split}"));
                    cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, b, c.new_rvalue_zero(ty)), zero, next);
                    let raise = c.new_call_through_ptr(None, self.helper_ptr(ir_cfg::Helper::ZeroDivision)?, &[self.tstate]);
                    zero.add_eval(None, raise);
                    zero.end_with_jump(None, self.block(err));
                    cur = next;
                    let r = self.val(res(0)?);
                    if d.op == Opcode::FDiv {
                        cur.add_assignment(None, r, c.new_binary_op(None, BinaryOp::Divide, ty, a, b));
                    } else {
                        // C truncates; Python rounds the quotient towards minus infinity and
                        // gives the remainder the divisor's sign: adjust when the remainder is
                        // non-zero and its sign differs from the divisor's.
                        let q = self.func.new_local(None, ty, format!("{bid}_q{split}"));
                        let m = self.func.new_local(None, ty, format!("{bid}_m{split}"));
                        cur.add_assignment(None, q, c.new_binary_op(None, BinaryOp::Divide, ty, a, b));
                        cur.add_assignment(None, m, c.new_binary_op(None, BinaryOp::Modulo, ty, a, b));
                        let zero_w = c.new_rvalue_zero(ty);
                        let m_neg = c.new_comparison(None, ComparisonOp::LessThan, m.to_rvalue(), zero_w);
                        let b_neg = c.new_comparison(None, ComparisonOp::LessThan, b, zero_w);
                        let adjust = c.new_binary_op(
                            None,
                            BinaryOp::LogicalAnd,
                            self.t.bool,
                            c.new_comparison(None, ComparisonOp::NotEquals, m.to_rvalue(), zero_w),
                            c.new_comparison(None, ComparisonOp::NotEquals, m_neg, b_neg),
                        );
                        let fix = self.func.new_block(format!("{bid}_floor{split}"));
                        let done = self.func.new_block(format!("{bid}_floored{split}"));
                        cur.end_with_conditional(None, adjust, fix, done);
                        fix.add_assignment_op(None, q, BinaryOp::Minus, c.new_rvalue_one(ty));
                        fix.add_assignment_op(None, m, BinaryOp::Plus, b);
                        fix.end_with_jump(None, done);
                        cur = done;
                        cur.add_assignment(None, r, if d.op == Opcode::IFloorDiv { q.to_rvalue() } else { m.to_rvalue() });
                    }
                }
                Opcode::FCmp | Opcode::ICmp => {
                    let Imm::Int(k) = &d.imm else { return Err(bad(d)) };
                    let op = match k {
                        0 => ComparisonOp::LessThan,
                        1 => ComparisonOp::LessThanEquals,
                        2 => ComparisonOp::Equals,
                        3 => ComparisonOp::NotEquals,
                        4 => ComparisonOp::GreaterThan,
                        5 => ComparisonOp::GreaterThanEquals,
                        _ => return Err(bad(d)),
                    };
                    // C's comparisons of doubles are IEEE's, as CPython's float compare.
                    let (a, b) = (self.val(d.args[0]).to_rvalue(), self.val(d.args[1]).to_rvalue());
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, c.new_comparison(None, op, a, b), self.t.int));
                }
                Opcode::IntTruth => cur.add_assignment(None, self.val(res(0)?), self.int_truth(self.val(d.args[0]).to_rvalue())),
                Opcode::SizeTruth => cur.add_assignment(None, self.val(res(0)?), self.size_truth(self.val(d.args[0]).to_rvalue())),
                Opcode::Is => {
                    let Imm::Int(invert) = &d.imm else { return Err(bad(d)) };
                    let (a, b) = (self.val(d.args[0]).to_rvalue(), self.val(d.args[1]).to_rvalue());
                    let op = if *invert != 0 { ComparisonOp::NotEquals } else { ComparisonOp::Equals };
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, c.new_comparison(None, op, a, b), self.t.int));
                }
                Opcode::Bool => {
                    // False + (c != 0) * (True - False), as bits: no branch.
                    let cv = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    self.temps += 1;
                    let n = self.temps;
                    let t = self.t.to_u64(self.func, cur, self.reloc(Reloc::Singleton(Singleton::True)), &format!("tb{n}"));
                    let f0 = self.t.to_u64(self.func, cur, self.reloc(Reloc::Singleton(Singleton::False)), &format!("fb{n}"));
                    let nz = c.new_cast(None, c.new_comparison(None, ComparisonOp::NotEquals, cv, c.new_rvalue_zero(self.t.int)), self.t.u64);
                    let diff = c.new_binary_op(None, BinaryOp::Minus, self.t.u64, t, f0);
                    let bits = c.new_binary_op(None, BinaryOp::Plus, self.t.u64, f0, c.new_binary_op(None, BinaryOp::Mult, self.t.u64, nz, diff));
                    let p = self.t.to_ptr(self.func, cur, bits, &format!("bb{n}"));
                    cur.add_assignment(None, self.val(res(0)?), p);
                }
                Opcode::InlineOk => {
                    // The tests of lower/inline.rs's entry, in order: each a load that the
                    // one before makes safe, all expected to pass.
                    let [callable, version] = d.args[..] else { return Err(bad(d)) };
                    let (callable, version) = (self.val(callable).to_rvalue(), self.val(version).to_rvalue());
                    let r = self.val(res(0)?);
                    split += 1;
                    let name = format!("{bid}_inline{split}");
                    let next = self.func.new_block(format!("{name}_done"));
                    cur.add_assignment(None, r, c.new_rvalue_zero(self.t.int));
                    let code = at(c, &self.t, callable, self.abi.func_code, self.t.ptr).to_rvalue();
                    let eval_breaker = at(c, &self.t, self.tstate, self.abi.tstate_eval_breaker, self.t.u64.make_volatile()).to_rvalue();
                    let tests = [
                        // A function...
                        c.new_comparison(None, ComparisonOp::Equals, at(c, &self.t, callable, self.abi.ob_type, self.t.ptr).to_rvalue(), self.reloc(Reloc::Type(BuiltinType::Function))),
                        // ...of the code inlined (its version names one code object)...
                        c.new_comparison(None, ComparisonOp::Equals, at(c, &self.t, code, self.abi.code_version, self.t.u32).to_rvalue(), c.new_cast(None, version, self.t.u32)),
                        // ...the recursion limit not reached (_Py_EnterRecursivePy)...
                        c.new_comparison(None, ComparisonOp::GreaterThan, at(c, &self.t, self.tstate, self.abi.tstate_py_recursion_remaining, self.t.int).to_rvalue(), c.new_rvalue_zero(self.t.int)),
                        // ...RESUME_CHECK's test...
                        c.new_comparison(None, ComparisonOp::Equals, eval_breaker, at(c, &self.t, code, self.abi.code_instrumentation_version, self.t.u64).to_rvalue()),
                        // ...and code sys.monitoring never instrumented.
                        c.new_comparison(None, ComparisonOp::Equals, at(c, &self.t, code, self.abi.code_monitoring, self.t.ptr).to_rvalue(), c.new_null(self.t.ptr)),
                    ];
                    let n = tests.len();
                    for (k, test) in tests.into_iter().enumerate() {
                        let pass = self.func.new_block(format!("{name}_{k}"));
                        cur.end_with_conditional(None, self.expect(test, true), pass, next);
                        cur = pass;
                        if k + 1 == n {
                            cur.add_assignment(None, r, c.new_rvalue_one(self.t.int));
                        }
                    }
                    cur.end_with_jump(None, next);
                    cur = next;
                }
                Opcode::AttrRead => {
                    let (Imm::Int(inline_values), [owner_v, tv, index, attr, site]) = (&d.imm, &d.args[..]) else { return Err(bad(d)) };
                    let tv = known(f, *tv).and_then(Known::u32).ok_or_else(|| bad(d))?;
                    let index = known(f, *index).and_then(Known::u32).ok_or_else(|| bad(d))?;
                    let owner = self.val(*owner_v).to_rvalue();
                    let r = self.val(res(0)?);
                    split += 1;
                    let name = format!("{bid}_attr_read{split}");
                    // As load_attr_{instance_value,slot}'s inline path; where it fails, the
                    // site's cache, then the quiet lookup instead of the helper.
                    let fast = AttrFast { owner: *owner_v, type_version: tv, offset: index, inline_values: *inline_values != 0 };
                    let (slow, done) = self.attr_fast_path(cur, &name, fast, r)?;
                    let miss = self.site_probe(slow, &name, SiteProbe { owner: *owner_v, site: *site, results: SiteResults::Attr(r) }, done);
                    let quiet = c.new_call_through_ptr(None, self.helper_ptr(ir_cfg::Helper::AttrReadQuiet)?, &[owner, self.val(*attr).to_rvalue(), self.val(*site).to_rvalue()]);
                    miss.add_assignment(None, r, quiet);
                    miss.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::AttrWrite => {
                    let (Imm::Int(inline_values), [owner, tv, index, value]) = (&d.imm, &d.args[..]) else { return Err(bad(d)) };
                    let tv = known(f, *tv).and_then(Known::u32).ok_or_else(|| bad(d))?;
                    let index = known(f, *index).and_then(Known::u32).ok_or_else(|| bad(d))?;
                    let r = self.val(res(0)?);
                    split += 1;
                    let name = format!("{bid}_attr_write{split}");
                    let fast = StoreAttrFast { owner: *owner, value: *value, type_version: tv, offset: index, inline_values: *inline_values != 0, quiet: true };
                    let (slow, done) = self.store_attr_fast_path(cur, &name, fast, r);
                    slow.add_assignment(None, r, c.new_rvalue_zero(self.t.int));
                    slow.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::ItemRead => {
                    let (Imm::Int(tuple), [seq, index]) = (&d.imm, &d.args[..]) else { return Err(bad(d)) };
                    let (seq, index) = (self.val(*seq).to_rvalue(), self.val(*index).to_rvalue());
                    let r = self.val(res(0)?);
                    cur.add_assignment(None, r, c.new_null(self.t.ptr));
                    split += 1;
                    let name = format!("{bid}_item_read{split}");
                    let done = self.func.new_block(format!("{name}_done"));
                    let kind = if *tuple != 0 { BuiltinType::Tuple } else { BuiltinType::List };
                    let ob_type = at(c, &self.t, seq, self.abi.ob_type, self.t.ptr).to_rvalue();
                    let is_seq = self.func.new_block(format!("{name}_seq"));
                    cur.end_with_conditional(None, self.expect(c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(kind))), true), is_seq, done);
                    let is_int = self.func.new_block(format!("{name}_int"));
                    is_seq.end_with_conditional(None, self.expect(self.not_compact_int(index), false), done, is_int);
                    let i = self.func.new_local(None, self.t.word, format!("{name}_i"));
                    is_int.add_assignment(None, i, self.compact_value(index));
                    let inside = self.func.new_block(format!("{name}_inside"));
                    is_int.end_with_conditional(None, self.expect(self.out_of_bounds(seq, i.to_rvalue()), false), done, inside);
                    inside.add_assignment(None, r, c.new_array_access(None, self.seq_items(seq, *tuple == 0), i.to_rvalue()));
                    inside.add_eval(None, c.new_call(None, self.rc.incref, &[r.to_rvalue()]));
                    inside.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::QuickTruth => {
                    // True, False and None by address, then an exact int (any size: its sign
                    // bits, as _PyLong_IsZero) or list (its size), as TO_BOOL_INT / _LIST.
                    let v = self.val(*d.args.first().ok_or_else(|| bad(d))?).to_rvalue();
                    let (known, truth) = (self.val(res(0)?), self.val(res(1)?));
                    let is = |s: Singleton| c.new_cast(None, c.new_comparison(None, ComparisonOp::Equals, v, self.reloc(Reloc::Singleton(s))), self.t.int);
                    let (t, f0, n) = (is(Singleton::True), is(Singleton::False), is(Singleton::None));
                    let or = |a, b| c.new_binary_op(None, BinaryOp::BitwiseOr, self.t.int, a, b);
                    cur.add_assignment(None, known, or(or(t, f0), n));
                    cur.add_assignment(None, truth, t);
                    split += 1;
                    let name = format!("{bid}_truth{split}");
                    let (other, int, not_int, list, done) = (
                        self.func.new_block(format!("{name}_other")),
                        self.func.new_block(format!("{name}_int")),
                        self.func.new_block(format!("{name}_not_int")),
                        self.func.new_block(format!("{name}_list")),
                        self.func.new_block(format!("{name}_done")),
                    );
                    cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, known.to_rvalue(), c.new_rvalue_zero(self.t.int)), done, other);
                    let ob_type = at(c, &self.t, v, self.abi.ob_type, self.t.ptr).to_rvalue();
                    other.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::Long))), int, not_int);
                    int.add_assignment(None, known, c.new_rvalue_one(self.t.int));
                    int.add_assignment(None, truth, self.int_truth(v));
                    int.end_with_jump(None, done);
                    not_int.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, ob_type, self.reloc(Reloc::Type(BuiltinType::List))), list, done);
                    list.add_assignment(None, known, c.new_rvalue_one(self.t.int));
                    list.add_assignment(None, truth, self.size_truth(v));
                    list.end_with_jump(None, done);
                    cur = done;
                }
                Opcode::Suspend => {
                    // Always taken; GCC sees the path on (the IR's shape of the resumed block)
                    // and drops it.
                    let Imm::Guard(GuardKind::Yield(oparg), fs) = &d.imm else { return Err(bad(d)) };
                    let exit = self.func.new_block(format!("{bid}_yield"));
                    split += 1;
                    let next = self.func.new_block(format!("{bid}_{split}"));
                    cur.end_with_conditional(None, c.new_rvalue_one(self.t.bool), exit, next);
                    let (items, kinds) = self.frame_state_items(exit, fs, &d.args)?;
                    let args = [
                        self.tstate,
                        self.frame,
                        items,
                        c.new_rvalue_from_long(self.t.int, fs.stack.len() as i64),
                        c.new_rvalue_from_long(self.t.int, fs.unit as i64),
                        kinds,
                        c.new_rvalue_from_long(self.t.int, *oparg as i64),
                    ];
                    let value = c.new_call_through_ptr(None, self.helper_ptr(ir_cfg::Helper::Suspend)?, &args);
                    exit.end_with_return(None, value);
                    cur = next;
                }
                Opcode::DropSent => {
                    let sp = at(c, &self.t, self.frame, self.abi.frame_stackpointer, self.t.u64);
                    let popped = c.new_binary_op(None, BinaryOp::Minus, self.t.u64, sp.to_rvalue(), c.new_rvalue_from_long(self.t.u64, self.abi.stackref_size as i64));
                    cur.add_assignment(None, sp, popped);
                }
                Opcode::AtUnit => {
                    let Imm::Unit(unit) = &d.imm else { return Err(bad(d)) };
                    let ip = at(c, &self.t, self.frame, self.abi.frame_instr_ptr, self.t.ptr).to_rvalue();
                    let eq = c.new_comparison(None, ComparisonOp::Equals, ip, self.code_unit(*unit));
                    cur.add_assignment(None, self.val(res(0)?), c.new_cast(None, eq, self.t.int));
                }
                Opcode::GuardQuiet => {
                    let Imm::Guard(kind, fs) = &d.imm else { return Err(bad(d)) };
                    let eb = at(c, &self.t, self.tstate, self.abi.tstate_eval_breaker, self.t.u64.make_volatile()).to_rvalue();
                    let fails = self.instrumentation_moved(eb);
                    split += 1;
                    cur = self.deopt_if(cur, &format!("{bid}_{split}"), fails, *kind, fs, &d.args)?;
                }
                Opcode::CheckPeriodic => {
                    let (Imm::Guard(kind, fs), Some(err)) = (&d.imm, d.err) else { return Err(bad(d)) };
                    split += 1;
                    cur = self.eval_breaker(cur, &format!("{bid}_{split}"), err, Some((*kind, fs, &d.args)))?;
                }
                Opcode::CheckEvalBreaker => {
                    let err = d.err.ok_or_else(|| bad(d))?;
                    split += 1;
                    cur = self.eval_breaker(cur, &format!("{bid}_{split}"), err, None)?;
                }
            }
        }
        match &f.blocks[bid].term {
            Terminator::Open => return Err(BackendError::Gcc(format!("{bid} is not terminated"))),
            Terminator::Jump(t) => {
                let to = self.edge(f, t);
                cur.end_with_jump(None, to);
            }
            Terminator::Branch { cond, then, otherwise } => {
                let v = self.val(*cond).to_rvalue();
                let z = c.new_rvalue_zero(v.get_type());
                let (a, b) = (self.edge(f, then), self.edge(f, otherwise));
                cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::NotEquals, v, z), a, b);
            }
            Terminator::BranchEq { a, b: bb, then, otherwise } => {
                let x = self.val(*a).to_rvalue();
                let y = self.val(*bb).to_rvalue();
                let (ta, tb) = (self.edge(f, then), self.edge(f, otherwise));
                cur.end_with_conditional(None, c.new_comparison(None, ComparisonOp::Equals, x, y), ta, tb);
            }
            Terminator::Return(v) => cur.end_with_return(None, self.val(*v)),
            Terminator::Raise => cur.end_with_return(None, c.new_null(self.t.ptr)),
        }
        Ok(())
    }
}

/// What an attribute read's inline fast path needs (`load_attr_instance_value` and
/// `load_attr_slot`, whose type version and offset operands are constants).
#[derive(Clone, Copy)]
struct AttrFast {
    owner: Value,
    type_version: Known,
    offset: Known,
    inline_values: bool,
}

/// The fast path of a helper call that has one: `load_attr_{instance_value,slot}(owner, name,
/// type_version, offset)` with constant version and offset (as the interpreter's
/// LOAD_ATTR_INSTANCE_VALUE / LOAD_ATTR_SLOT: the type's version, the inline values' validity
/// for the former, the field set).
fn attr_fast_path(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<AttrFast> {
    let inline_values = match helper {
        ir_cfg::Helper::LoadAttrInstanceValue => true,
        ir_cfg::Helper::LoadAttrSlot => false,
        _ => return None,
    };
    // (load_attr_instance_value also takes its site's cache, for its slow path.)
    let (owner, tv, off) = match d.args[..] {
        [owner, _name, tv, off] | [owner, _name, tv, off, _] => (owner, tv, off),
        _ => return None,
    };
    Some(AttrFast { owner, type_version: known(f, tv)?.u32()?, offset: known(f, off)?.u32()?, inline_values })
}

/// A load with its own cache (`site_cache @u`, the last operand of `load_attr_poly`,
/// `load_attr_instance_value`, `load_method_poly` and `load_method_cached`): probed inline
/// before the helper is called (see [`Emitter::site_probe`]).
struct SiteProbe<'c> {
    owner: Value,
    site: Value,
    results: SiteResults<'c>,
}

enum SiteResults<'c> {
    Attr(LValue<'c>),
    /// A store of `value`; `status` (the helper's result) is 0 on a hit.
    Store { value: Value, status: LValue<'c> },
    Method { method: LValue<'c>, self_out: LValue<'c> },
}

/// What a site probe is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SiteKind {
    Attr,
    Method,
    /// With the value stored.
    Store(Value),
}

fn site_probe_operands(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<(Value, Value, SiteKind)> {
    use ir_cfg::Helper as H;
    let (kind, results) = match helper {
        H::LoadAttrPoly | H::LoadAttrInstanceValue => (SiteKind::Attr, 1),
        H::LoadMethodPoly | H::LoadMethodCached => (SiteKind::Method, 2),
        H::StoreAttrPoly | H::StoreAttrInstanceValue => (SiteKind::Store(*d.args.get(2)?), 1),
        _ => return None,
    };
    let (&owner, &site) = (d.args.first()?, d.args.last()?);
    let is_site = f.producer(site).is_some_and(|d| d.op == Opcode::SiteCache);
    (is_site && d.results.len() == results).then_some((owner, site, kind))
}

/// `load_method_cached(owner, name, &self, type_version, keys_version, descr)` with constant
/// versions and the descriptor a cache word (the interpreter's LOAD_ATTR_METHOD_NO_DICT when
/// the keys version is -1, else LOAD_ATTR_METHOD_WITH_VALUES).
struct MethodFast {
    owner: Value,
    type_version: Known,
    keys_version: Option<Known>,
    descr: Known,
    method: Value,
    self_out: Value,
}

fn method_fast_path(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<MethodFast> {
    if helper != ir_cfg::Helper::LoadMethodCached {
        return None;
    }
    let [owner, _name, tv, kv, descr, _site] = d.args[..] else { return None };
    let [method, self_out] = d.results[..] else { return None };
    let descr = match known(f, descr)? {
        d @ Known::Cache(_, CacheWidth::Word) => d,
        _ => return None,
    };
    Some(MethodFast { owner, type_version: known(f, tv)?.u32()?, keys_version: known(f, kv)?.version()?, descr, method, self_out })
}

/// The operands of `binary_op(l, r, oparg)` when the oparg is a constant `/` or `**` (or their
/// in-place forms), and which (NB_TRUE_DIVIDE or NB_POWER).
fn generic_binary_operands(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<(Value, Value, u32)> {
    if helper != ir_cfg::Helper::BinaryOp {
        return None;
    }
    let [l, r, op] = d.args[..] else { return None };
    let d = f.producer(op)?;
    let (Opcode::CInt, Imm::Int(k)) = (&d.op, &d.imm) else { return None };
    let op = nb_operator(u32::try_from(*k).ok()?);
    [NB_TRUE_DIVIDE, NB_POWER].contains(&op).then_some((l, r, op))
}

/// `store_attr_{instance_value,slot}(owner, name, v, type_version, offset)` with constant version
/// and offset (the interpreter's STORE_ATTR_INSTANCE_VALUE / STORE_ATTR_SLOT).
struct StoreAttrFast {
    owner: Value,
    value: Value,
    type_version: Known,
    offset: Known,
    inline_values: bool,
    /// `attr_write`: nothing done when releasing the old value could run code.
    quiet: bool,
}

fn store_attr_fast_path(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<StoreAttrFast> {
    let inline_values = match helper {
        ir_cfg::Helper::StoreAttrInstanceValue => true,
        ir_cfg::Helper::StoreAttrSlot => false,
        _ => return None,
    };
    let (owner, value, tv, off) = match d.args[..] {
        [owner, _name, value, tv, off] | [owner, _name, value, tv, off, _] => (owner, value, tv, off),
        _ => return None,
    };
    Some(StoreAttrFast { owner, value, type_version: known(f, tv)?.u32()?, offset: known(f, off)?.u32()?, inline_values, quiet: false })
}

/// `load_global_cached(frame, name, globals_version, builtins_version, index, site)` (the
/// interpreter's LOAD_GLOBAL_MODULE or LOAD_GLOBAL_BUILTIN): the first word of the site's cache
/// names a [`CoirGlobalCell`] once the helper has run, whose value is the global's while the
/// frame's dicts are the cell's (a dict watcher keeps it so). The helper looks the name up
/// otherwise, and fills the word and the cell.
/// `load_global_in(function, name, site)` (an inlined body's global read) is the same through
/// the function's dicts.
/// `load_attr_module(module, name, site)` is the same through the module's dict, the cell's two.
struct GlobalFast {
    /// The frame, function or module whose dicts the cell must be for.
    owner: Value,
    /// What `owner` is.
    of: DictsOf,
    site: Value,
}

/// Where a global cell's dicts come from.
#[derive(Clone, Copy, PartialEq)]
enum DictsOf {
    Frame,
    Function,
    /// An object that must be exactly a module, whose dict is both.
    Module,
}

fn global_fast_path(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<GlobalFast> {
    let (owner, site, of) = match (helper, &d.args[..]) {
        (ir_cfg::Helper::LoadGlobalCached, &[frame, _name, _gv, _bv, _ix, site]) => (frame, site, DictsOf::Frame),
        (ir_cfg::Helper::LoadGlobalIn, &[func, _name, site]) => (func, site, DictsOf::Function),
        (ir_cfg::Helper::LoadAttrModule, &[module, _name, site]) => (module, site, DictsOf::Module),
        _ => return None,
    };
    let is_site = f.producer(site).is_some_and(|d| d.op == Opcode::SiteCache);
    is_site.then_some(GlobalFast { owner, of, site })
}

/// `call_list_append(ts, [callable, self, item], 1)`: one argument (lowering's CALL with
/// CALL_LIST_APPEND feedback).
struct ListAppendFast {
    callable: Value,
    owner: Value,
    item: Value,
}

fn list_append_fast_path(f: &Function, d: &ir_cfg::ssa::InstData, helper: ir_cfg::Helper) -> Option<ListAppendFast> {
    if helper != ir_cfg::Helper::CallListAppend {
        return None;
    }
    let [_ts, callable, owner, item, nargs] = d.args[..] else { return None };
    let one = f.producer(nargs).is_some_and(|d| d.op == Opcode::CInt && d.imm == Imm::Int(1));
    one.then_some(ListAppendFast { callable, owner, item })
}

/// A word operand whose value is known when the code is loaded: a constant, or an inline-cache
/// field read through the relocation table (versions: see `Operand::Cache`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    Const(i64),
    Cache(u32, CacheWidth),
}

impl Known {
    /// Itself if it fits 32 bits unsigned (a version), else None.
    fn u32(self) -> Option<Known> {
        match self {
            Known::Const(v) if !(0..=u32::MAX as i64).contains(&v) => None,
            Known::Cache(_, CacheWidth::Word) => None,
            k => Some(k),
        }
    }

    /// An optional version: `-1` for none (the helpers' convention), else a 32-bit version.
    fn version(self) -> Option<Option<Known>> {
        match self {
            Known::Const(-1) => Some(None),
            k => k.u32().map(Some),
        }
    }
}

/// The [`Known`] value an instruction defines, if it defines one.
fn known_of(d: &ir_cfg::ssa::InstData) -> Option<Known> {
    match (d.op, &d.imm) {
        (Opcode::Word, Imm::Int(x)) => Some(Known::Const(*x)),
        (Opcode::CacheWord | Opcode::CacheU32 | Opcode::CacheU16, Imm::Unit(u)) => {
            let w = [CacheWidth::Word, CacheWidth::U32, CacheWidth::U16].into_iter().find(|w| w.op() == d.op)?;
            Some(Known::Cache(*u, w))
        }
        _ => None,
    }
}

/// The [`Known`] value `v` holds, if its definition makes one.
fn known(f: &Function, v: Value) -> Option<Known> {
    known_of(f.producer(v)?)
}

/// The value of the immortal small int `v` is, if a `small_int` instruction defines it.
fn small_int(f: &Function, v: Value) -> Option<u32> {
    match f.producer(v)? {
        ir_cfg::ssa::InstData { op: Opcode::SmallInt, imm: Imm::SmallInt(n), .. } => Some(*n),
        _ => None,
    }
}

/// An instruction whose operands do not fit its helper's signature (the verifier's job).
fn bad(d: &ir_cfg::ssa::InstData) -> BackendError {
    BackendError::BadOperand(format!("{} {:?}: operands do not fit the signature", d.op, d.imm))
}

#[cfg(test)]
mod tests {
    use super::entry_symbol;
    use ir_cfg::helpers::Helper;
    use ir_cfg::ssa::{HelperCall, Imm, Opcode, SsaBuilder, Terminator};

    /// Every helper call with a fast path is recognised with the operands lowering gives it
    /// (a helper that gains an operand must not silently lose its fast path).
    #[test]
    fn helper_calls_with_feedback_get_their_fast_paths() {
        let mut b = SsaBuilder::new("fast_paths", 1);
        let (_, frame) = b.entry_params();
        let owner = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
        let name = b.ins1(Opcode::Name, Imm::Name(0), vec![], None).unwrap();
        let w = |b: &mut SsaBuilder, k: i64| b.ins1(Opcode::Word, Imm::Int(k), vec![], None).unwrap();
        let field = |b: &mut SsaBuilder, op: Opcode, u: u32| b.ins1(op, Imm::Unit(u), vec![], None).unwrap();
        let kv = w(&mut b, -1);
        let descr = field(&mut b, Opcode::CacheWord, 2);
        let site = b.ins1(Opcode::SiteCache, Imm::Unit(0), vec![], None).unwrap();
        // Versions and offsets as constants, and as the cache fields lowering reads them from.
        let operands = [(w(&mut b, 7), w(&mut b, 24)), (field(&mut b, Opcode::CacheU32, 6), field(&mut b, Opcode::CacheU16, 8))];
        let calls: Vec<_> = operands
            .into_iter()
            .flat_map(|(tv, off)| {
                [
                    (Helper::LoadAttrInstanceValue, vec![owner, name, tv, off, site]),
                    (Helper::LoadAttrSlot, vec![owner, name, tv, off]),
                    (Helper::LoadMethodCached, vec![owner, name, tv, kv, descr, site]),
                    (Helper::StoreAttrInstanceValue, vec![owner, name, owner, tv, off, site]),
                    (Helper::StoreAttrSlot, vec![owner, name, owner, tv, off]),
                    (Helper::LoadGlobalCached, vec![frame, name, tv, kv, w(&mut b, 24), site]),
                ]
            })
            .collect();
        let mut results = Vec::new();
        let mut errs = Vec::new();
        for (h, args) in calls {
            let e = b.new_block("err");
            errs.push(e);
            let call = Imm::Call(HelperCall { helper: h, arrays: vec![] });
            results.push((h, b.ins(Opcode::Call, call, args, Some(e)).unwrap()[0]));
        }
        b.terminate(Terminator::Raise).unwrap();
        for e in errs {
            b.seal_block(e);
            b.switch_to(e);
            b.terminate(Terminator::Raise).unwrap();
        }
        // (Not verified: the results are never released; only the shapes matter here.)
        let f = b.finish().unwrap();
        for (h, r) in results {
            let d = f.producer(r).unwrap_or_else(|| panic!("{h}: a result"));
            let found = super::attr_fast_path(&f, d, h).is_some()
                || super::method_fast_path(&f, d, h).is_some()
                || super::store_attr_fast_path(&f, d, h).is_some()
                || super::global_fast_path(&f, d, h).is_some();
            assert!(found, "{h}: no fast path");
            let probed = super::site_probe_operands(&f, d, h).is_some();
            let has_site = [Helper::LoadAttrInstanceValue, Helper::LoadMethodCached, Helper::StoreAttrInstanceValue].contains(&h);
            assert_eq!(probed, has_site, "{h}: its site's cache probed inline");
        }
    }

    #[test]
    fn list_append_with_one_argument_gets_its_fast_path() {
        use ir_cfg::ssa::ArrayArg;
        for (nargs, expected) in [(1, true), (2, false)] {
            let mut b = SsaBuilder::new("append", 3);
            let (ts, _) = b.entry_params();
            let slots: Vec<_> = (0..3).map(|k| b.ins1(Opcode::LoadLocal, Imm::Slot(k), vec![], None).unwrap()).collect();
            let n = b.ins1(Opcode::CInt, Imm::Int(nargs), vec![], None).unwrap();
            let e = b.new_block("err");
            let call = Imm::Call(HelperCall { helper: Helper::CallListAppend, arrays: vec![ArrayArg::In(3)] });
            let r = b.ins(Opcode::Call, call, vec![ts, slots[0], slots[1], slots[2], n], Some(e)).unwrap()[0];
            b.terminate(Terminator::Raise).unwrap();
            b.seal_block(e);
            b.switch_to(e);
            b.terminate(Terminator::Raise).unwrap();
            let f = b.finish().unwrap();
            let d = f.producer(r).expect("a result");
            assert_eq!(super::list_append_fast_path(&f, d, Helper::CallListAppend).is_some(), expected, "{nargs} arguments");
        }
    }

    /// The optimised tier takes -O3 (where supported) for a loop with float arithmetic, and
    /// keeps its level otherwise: a loop alone, float arithmetic alone, or another tier.
    #[test]
    fn float_loops_compile_at_o3() {
        use crate::Options;
        let build = |loop_: bool, float: bool| {
            let mut b = SsaBuilder::new("tuned", 1);
            let (ts, _) = b.entry_params();
            let breakers = if loop_ { 2 } else { 1 };
            let errs: Vec<_> = (0..breakers).map(|_| b.new_block("err")).collect();
            for &e in &errs {
                b.ins(Opcode::CheckEvalBreaker, Imm::None, vec![ts], Some(e)).unwrap();
            }
            if float {
                let o = b.ins1(Opcode::LoadLocal, Imm::Slot(0), vec![], None).unwrap();
                let x = b.ins1(Opcode::UnboxFloat, Imm::None, vec![o], None).unwrap();
                b.ins1(Opcode::FAdd, Imm::None, vec![x, x], None).unwrap();
            }
            b.terminate(Terminator::Raise).unwrap();
            for e in errs {
                b.seal_block(e);
                b.switch_to(e);
                b.terminate(Terminator::Raise).unwrap();
            }
            b.finish().unwrap()
        };
        let level = |f: &ir_cfg::ssa::Function, at: u8| super::tuned(f, &Options { opt_level: at, ..Options::default() }).opt_level;
        assert_eq!(level(&build(true, true), 2), 3);
        assert_eq!(level(&build(true, false), 2), 2);
        assert_eq!(level(&build(false, true), 2), 2);
        assert_eq!(level(&build(true, true), 0), 0);
    }

    #[test]
    fn entry_symbols_are_c_identifiers_named_after_the_function() {
        assert_eq!(entry_symbol("f"), "py_f");
        assert_eq!(entry_symbol("Holder.method"), "py_Holder_method");
        assert_eq!(entry_symbol("g.<locals>.<lambda>"), "py_g__locals___lambda_");
        assert_eq!(entry_symbol("café"), "py_caf_");
    }
}
