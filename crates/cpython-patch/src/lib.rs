//! # cpython-patch
//!
//! The live side of coir, built as the extension module `coir._native`: it installs a PEP 523
//! frame hook into the running, unmodified CPython 3.14 (`csrc/runtime.c`), counts calls per
//! code object (a table keyed by the code object), compiles hot functions through
//! `bytecode-cfg` → `ir-cfg` → `gcc-backend`, and runs them natively. Code it cannot compile
//! runs in the interpreter and is counted under its reason in `coir.stats()`.
#![deny(missing_docs)]

mod ffi;

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Instant;

use bytecode_cfg::{BytecodeCfg, CodeInput};
use gcc_backend::{Abi, Artefact, CodeConsts, Compiled, Options};
use ir_cfg::{CodeInfo, Helper, LowerError};
use runtime_abi::abi::MathFn;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

create_exception!(_native, CompileError, PyException, "A function could not be compiled to native code.");

struct Global {
    abi: Option<Abi>,
    dump_dir: Option<PathBuf>,
    opt_level: u8,
    cold_opt_level: u8,
    compiled: u64,
    recompiled: u64,
    cache_hits: u64,
    cache_dir: Option<PathBuf>,
    compile_seconds: f64,
    /// Compiles of more than one function (the compile thread's batches) and their functions.
    batches: u64,
    batched: u64,
    /// One entry per compile that produced code, in order.
    compile_log: Vec<CompileRecord>,
    refusals: BTreeMap<String, u64>,
    dumps: u64,
    /// Write a perf map entry (`/tmp/perf-<pid>.map`) for every installed function.
    perf_map: bool,
}

/// What one compile cost (`coir.stats()['compile_log']`).
struct CompileRecord {
    /// The code object's qualified name.
    name: String,
    /// Seconds spent on it: decoding, lowering and verifying, then GCC or the cache load.
    /// Time spent queued for the compile thread or waiting for the compile lock is not counted.
    seconds: f64,
    /// Whether its machine code came from the on-disk cache instead of GCC.
    cached: bool,
}

static GLOBAL: Mutex<Global> = Mutex::new(Global {
    abi: None,
    dump_dir: None,
    opt_level: 2,
    cold_opt_level: 0,
    compiled: 0,
    recompiled: 0,
    cache_hits: 0,
    cache_dir: None,
    compile_seconds: 0.0,
    batches: 0,
    batched: 0,
    compile_log: Vec::new(),
    refusals: BTreeMap::new(),
    dumps: 0,
    perf_map: false,
});

fn global() -> std::sync::MutexGuard<'static, Global> {
    GLOBAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a code object was not compiled: a stats category and a full message.
struct Refusal {
    key: String,
    message: String,
}

impl Refusal {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Refusal { key: key.into(), message: message.into() }
    }
}

impl From<PyErr> for Refusal {
    fn from(e: PyErr) -> Self {
        Refusal::new("not a code object", e.to_string())
    }
}

/// The raw parts of a code object, copied out of it.
struct CodeParts {
    code: Vec<u8>,
    /// sys.monitoring has instrumented this code at some point.
    instrumented: bool,
    adaptive: Option<Vec<u8>>,
    exceptiontable: Vec<u8>,
    linetable: Vec<u8>,
    first_line: i32,
    flags: u32,
    argcount: u32,
    kwonlyargcount: u32,
    name: String,
    filename: String,
    consts: Vec<usize>,
    /// Instructions (code units) compiled code no longer speculates at (their guards failed
    /// too often: `CoirCodeState::no_speculate`).
    no_speculate: Vec<u32>,
    /// Per constant, the guard it passes (an exact float, a compact int): guards on it go.
    const_kinds: Vec<Option<ir_cfg::ssa::GuardKind>>,
    names: Vec<usize>,
    nlocalsplus: u32,
    code_base: usize,
    nfree: u32,
    stacksize: u32,
    /// `co_version`.
    version: u32,
    /// Functions the calls may run inline: their parts, and what lowering needs of them
    /// (built once, with the code units that named them; its bases are set by `lower`).
    callees: Vec<(CodeParts, ir_cfg::Callee)>,
    /// Loads of `math` functions a call computes inline (see [`math_calls_of`]).
    math_calls: Vec<(u32, MathFn)>,
    /// The math functions' addresses (`Abi::math`), copied with the GIL held.
    math: [usize; MathFn::COUNT],
}

impl CodeParts {
    /// The feedback native code reads through its relocation table (`Reloc::Cache`): the
    /// adaptive code, then each callee's (its inline caches, `ir_cfg::Callee::base`) and its
    /// `co_version`. Versions are numbered as types and code are first met, which differs
    /// between runs: relocated, they leave the IR, and so the code cache's key, alone.
    fn snapshot(&self) -> Vec<u8> {
        let mut s = self.adaptive.clone().unwrap_or_else(|| self.code.clone());
        for (c, _) in &self.callees {
            s.extend_from_slice(c.adaptive.as_deref().unwrap_or(&c.code));
            s.extend_from_slice(&c.version.to_le_bytes());
        }
        s
    }

    /// What the relocation table is resolved from.
    fn consts(&self) -> CodeConsts {
        CodeConsts { consts: self.all_consts(), names: self.all_names(), code_base: self.code_base, adaptive: self.snapshot() }
    }

    /// The constants native code reads through its relocation table (`Reloc::Const`): the
    /// code's, then each callee's (borrowed from a code an inlined body runs only once its
    /// entry test has found that code: alive, as the callable holds it).
    fn all_consts(&self) -> Vec<usize> {
        let mut consts = self.consts.clone();
        for (c, _) in &self.callees {
            consts.extend_from_slice(&c.consts);
        }
        // Then, if any is called (here or in a callee), the math functions (kept alive by
        // coir: see `CoirAbi::math`).
        if !self.math_calls.is_empty() || self.callees.iter().any(|(c, _)| !c.math_calls.is_empty()) {
            consts.extend(self.math);
        }
        consts
    }

    /// [`CodeParts::math_calls`] as lowering takes them: each with the constant holding its
    /// function, the math functions being at `math_base` of the relocated constants.
    fn math_calls_at(&self, math_base: u32) -> Vec<(u32, MathFn, u32)> {
        self.math_calls.iter().map(|&(unit, m)| (unit, m, math_base + m as u32)).collect()
    }

    /// Where [`CodeParts::all_consts`] has the math functions.
    fn math_base(&self) -> u32 {
        (self.consts.len() + self.callees.iter().map(|(c, _)| c.consts.len()).sum::<usize>()) as u32
    }

    /// What each constant of [`CodeParts::all_consts`] is known to be, for the passes.
    fn all_const_kinds(&self) -> Vec<Option<ir_cfg::ssa::GuardKind>> {
        let mut kinds = self.const_kinds.clone();
        for (c, _) in &self.callees {
            kinds.extend_from_slice(&c.const_kinds);
        }
        kinds
    }

    /// The names native code reads through its relocation table (`Reloc::Name`): the code's,
    /// then each callee's.
    fn all_names(&self) -> Vec<usize> {
        let mut names = self.names.clone();
        for (c, _) in &self.callees {
            names.extend_from_slice(&c.names);
        }
        names
    }

    /// Where each callee's parts start: its code in [`CodeParts::snapshot`] (code units), its
    /// names in [`CodeParts::all_names`], its constants in [`CodeParts::all_consts`].
    fn callee_bases(&self) -> Vec<(u32, u32, u32)> {
        let (mut base, mut names, mut consts) = ((self.code.len() / 2) as u32, self.names.len() as u32, self.consts.len() as u32);
        self.callees
            .iter()
            .map(|(c, _)| {
                let b = (base, names, consts);
                base += (c.code.len() / 2) as u32 + 2;
                names += c.names.len() as u32;
                consts += c.consts.len() as u32;
                b
            })
            .collect()
    }

    /// Slots holding arguments on entry: positional, keyword-only, `*args`, `**kwargs`.
    fn arg_slots(&self) -> u32 {
        use bytecode_cfg::co_flags::{VARARGS, VARKEYWORDS};
        self.argcount + self.kwonlyargcount + u32::from(self.flags & VARARGS != 0) + u32::from(self.flags & VARKEYWORDS != 0)
    }
}

/// The parts of `code` and of the functions its calls may run inline; `globals` (a borrowed
/// dict, or NULL) are those of a function running `code`, where the callees of its global
/// calls are looked up.
fn code_parts(code: &Bound<'_, PyAny>, globals: *mut c_void) -> Result<CodeParts, Refusal> {
    let mut p = raw_code_parts(code)?;
    generic_in_cold_blocks(&mut p);
    // COIR_INLINE=0: no call runs inline (for comparisons and for finding an inlining fault).
    static INLINE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *INLINE.get_or_init(|| std::env::var("COIR_INLINE").map_or(true, |v| v != "0"))
        && let Ok(instrs) = bytecode_cfg::decode::decode(&p.code, p.adaptive.as_deref())
    {
        p.callees = callees_of(code.py(), &p, &instrs, globals);
        let abi = abi();
        p.math_calls = math_calls_of(&p, &instrs, globals, &abi);
        p.math = abi.math;
    }
    Ok(p)
}

/// Instructions in blocks the interpreter's branch history says are not being run
/// (`ir_cfg::cold_blocks`) are compiled in their generic form: the snapshot of the adaptive code
/// gets the code's own opcode back at each. Whether such an instruction was specialised by the
/// time of the compile varies from run to run (it ran twice before the sample, or not), and
/// with it the function's IR and code-cache key: shapes' `Body.bounce`, whose bounces are rare,
/// was compiled by GCC again in most runs. A generic instruction runs anything; a cold block
/// entered after all is slower, not wrong.
fn generic_in_cold_blocks(p: &mut CodeParts) {
    if p.adaptive.is_none() {
        return;
    }
    let Ok(cfg) = build_cfg(p) else { return };
    let Some(adaptive) = p.adaptive.as_mut() else { return };
    for b in ir_cfg::cold_blocks(&cfg) {
        let bb = &cfg.graph[b];
        for ins in &cfg.instrs[bb.first..bb.end] {
            let at = 2 * ins.offset as usize;
            if at < adaptive.len() && at < p.code.len() {
                adaptive[at] = p.code[at];
            }
        }
    }
}

/// The code units of a code object (`Py_SIZE`); immutable, so also read without the GIL (the
/// compile thread's queue).
///
/// # Safety
/// `code` is a live code object.
unsafe fn code_units(code: *const pyo3::ffi::PyObject) -> usize {
    // SAFETY: the caller's.
    unsafe { (*(code as *const pyo3::ffi::PyVarObject)).ob_size.max(0) as usize }
}

/// The most callees copied for one code object.
const MAX_CALLEES: usize = 32;

/// The code the feedback of a call names, if the interpreter still knows it and it is small
/// enough to run inline (`ir_cfg::MAX_INLINE_INSTRS`; lowering decides the rest), keyed by
/// the code unit of the instruction whose cache named it: a CALL whose feedback is
/// CALL_PY_EXACT_ARGS (its function version), a method load (LOAD_ATTR_METHOD_*: its
/// descriptor), or a LOAD_GLOBAL that pushes a callable (the function `globals` bind its name
/// to now). Profile mode clears the versions of the functions it routes through native code,
/// so calls of those stay unspecialised: the loads are what names them then.
fn callees_of(py: Python<'_>, p: &CodeParts, instrs: &[bytecode_cfg::Instr], globals: *mut c_void) -> Vec<(CodeParts, ir_cfg::Callee)> {
    use bytecode_cfg::Opcode;
    use runtime_abi::caches::{ATTR_TYPE_VERSION, CALL_FUNC_VERSION, METHOD_DESCR};
    let adaptive = p.adaptive.as_deref().unwrap_or(&p.code);
    let read = |ins: &bytecode_cfg::Instr, unit: u32, w: ir_cfg::CacheWidth| w.read(adaptive, 2 * (ins.offset + unit) as usize);
    let mut out: Vec<(CodeParts, ir_cfg::Callee)> = Vec::new();
    // Each code met: with its entry in `out`, or None if it is not inlined.
    let mut seen: Vec<(*mut c_void, Option<usize>)> = Vec::new();
    let abi = abi();
    for ins in instrs {
        // The code, and whether `ins` loads a class whose `__init__` it is.
        let (code, class) = match (ins.opcode, ins.stored) {
            (Opcode::Call, Opcode::CallPyExactArgs) => match read(ins, CALL_FUNC_VERSION.unit, ir_cfg::CacheWidth::U32) {
                // SAFETY: GIL held; the table's entries are live or NULL.
                Some(version) => (unsafe { ffi::coir_code_by_func_version(version as u32) }, false),
                None => continue,
            },
            (Opcode::LoadAttr, Opcode::LoadAttrMethodWithValues | Opcode::LoadAttrMethodNoDict | Opcode::LoadAttrMethodLazyDict) => {
                match (read(ins, ATTR_TYPE_VERSION.unit, ir_cfg::CacheWidth::U32), read(ins, METHOD_DESCR.unit, ir_cfg::CacheWidth::Word)) {
                    // SAFETY: GIL held; the descriptor is only read if the version vouches for it.
                    (Some(tv), Some(descr)) => (unsafe { ffi::coir_method_code(tv as u32, descr as usize as *mut c_void) }, false),
                    _ => continue,
                }
            }
            // Not LOAD_GLOBAL_BUILTIN: a name found in the builtins is not the module's. A
            // class names its `__init__` (lowering allocates the instance).
            (Opcode::LoadGlobal, Opcode::LoadGlobal | Opcode::LoadGlobalModule) if ins.oparg & 1 == 1 => {
                let f = global_value(p, globals, ins.oparg >> 1);
                // SAFETY: a type check and a field read of a live object (GIL held).
                match !f.is_null() && unsafe { pyo3::ffi::PyFunction_Check(f as *mut pyo3::ffi::PyObject) } != 0 {
                    true => (unsafe { pyo3::ffi::PyFunction_GetCode(f as *mut pyo3::ffi::PyObject) as *mut c_void }, false),
                    // SAFETY: as above; NULL unless a class whose instances coir makes.
                    false => (unsafe { ffi::coir_init_code(f) }, true),
                }
            }
            _ => continue,
        };
        if code.is_null() {
            continue;
        }
        // One entry per code, whichever instructions name it; none for one never inlined.
        match seen.iter().find(|&&(c, _)| c == code) {
            Some(&(_, Some(k))) => {
                out[k].1.call_units.push(ins.offset);
                if class {
                    out[k].1.init_units.push(ins.offset);
                }
                continue;
            }
            Some(&(_, None)) => continue,
            None => seen.push((code, None)),
        }
        // SAFETY: a live code object (the interpreter's table clears freed ones).
        let code = unsafe { Bound::from_borrowed_ptr(py, code as *mut pyo3::ffi::PyObject) };
        // A cheap bound before decoding: the instructions counted are at most a tenth of the
        // units of a body of attribute loads (ten units each with their caches), and cold
        // blocks are not counted; a code beyond this is far too long.
        // SAFETY: as above.
        if unsafe { code_units(code.as_ptr()) } > 16 * ir_cfg::MAX_INLINE_INSTRS {
            continue;
        }
        // The run-time test compares code versions: one that names no single code object (0
        // once the interpreter's counter is exhausted, 1 the cleared function version) is no
        // test.
        let cp = raw_code_parts(&code).ok().filter(|cp| cp.version >= 2);
        // Only a body that can run inline takes room in the caller's tables: the others would
        // move the callees after them, and so the caller's IR, with feedback that changes
        // nothing (a CALL specialised or not yet), and the code cache would miss.
        let entry = cp.and_then(|mut cp| {
            let cfg = build_cfg(&cp).ok()?;
            // The math functions its body may call inline, by the caller's globals (where a
            // module's functions usually find them; what a call finds is tested when it runs).
            cp.math_calls = math_calls_of(&cp, &cfg.instrs, globals, &abi);
            let mut c = callee(vec![ins.offset], &cp, cfg, &abi);
            if class {
                c.init_units.push(ins.offset);
            }
            ir_cfg::may_inline(&c).then_some((cp, c))
        });
        if let Some(entry) = entry {
            seen.last_mut().expect("pushed above").1 = Some(out.len());
            out.push(entry);
        }
        if out.len() == MAX_CALLEES {
            break;
        }
    }
    out
}

/// What `globals` (a borrowed dict, or NULL) bind `p`'s name `i` to now, borrowed, or NULL.
fn global_value(p: &CodeParts, globals: *mut c_void, i: u32) -> *mut c_void {
    match p.names.get(i as usize) {
        // SAFETY: GIL held; `globals` is NULL or a live dict, the name a live str.
        Some(&name) => unsafe { ffi::coir_dict_value(globals, name as *mut c_void) },
        None => std::ptr::null_mut(),
    }
}

/// The loads of callables that push a `math` function computed inline ([`MathFn`]), keyed by
/// the load's code unit: a LOAD_GLOBAL of a name `globals` bind to one (`from math import
/// sqrt`), or the attribute load of one from the module the LOAD_GLOBAL before it pushes, with
/// PUSH_NULL after it (`math.sqrt(x)`). What the call finds is tested when it runs.
fn math_calls_of(p: &CodeParts, instrs: &[bytecode_cfg::Instr], globals: *mut c_void, abi: &Abi) -> Vec<(u32, MathFn)> {
    use bytecode_cfg::Opcode;
    let which = |v: *mut c_void| MathFn::ALL.iter().copied().find(|&m| !v.is_null() && abi.math[m as usize] == v as usize);
    let mut out = Vec::new();
    for (k, ins) in instrs.iter().enumerate() {
        let v = match ins.opcode {
            Opcode::LoadGlobal if ins.oparg & 1 == 1 => global_value(p, globals, ins.oparg >> 1),
            Opcode::LoadAttr
                if ins.oparg & 1 == 0
                    && k > 0
                    && instrs[k - 1].opcode == Opcode::LoadGlobal
                    && instrs[k - 1].oparg & 1 == 0
                    && instrs.get(k + 1).is_some_and(|i| i.opcode == Opcode::PushNull) =>
            {
                // SAFETY: GIL held; borrowed objects of live dicts.
                let module = unsafe { ffi::coir_module_dict(global_value(p, globals, instrs[k - 1].oparg >> 1)) };
                global_value(p, module, ins.oparg >> 1)
            }
            _ => continue,
        };
        if let Some(m) = which(v) {
            out.push((ins.offset, m));
        }
    }
    out
}

fn raw_code_parts(code: &Bound<'_, PyAny>) -> Result<CodeParts, Refusal> {
    // SAFETY: a type check on a live object; imports are avoided here because compilation
    // runs inside the frame hook, where running Python code would recurse into it.
    if unsafe { pyo3::ffi::PyCode_Check(code.as_ptr()) } == 0 {
        return Err(Refusal::new("not a code object", format!("expected a code object, got {}", code.get_type().name()?)));
    }
    let bytes = |attr: &str| -> PyResult<Vec<u8>> { Ok(code.getattr(attr)?.cast::<PyBytes>()?.as_bytes().to_vec()) };
    let ptrs = |attr: &str| -> PyResult<Vec<usize>> {
        let t = code.getattr(attr)?;
        let t = t.cast::<PyTuple>()?;
        Ok(t.iter().map(|o| o.as_ptr() as usize).collect())
    };
    let mut facts = [0usize; ffi::CODE_FACTS];
    // SAFETY: `code` is a live code object (checked above); the C side only reads fields.
    unsafe { ffi::coir_code_facts(code.as_ptr() as *mut c_void, facts.as_mut_ptr()) };
    // The instruction bytes as stored (specialised by the adaptive interpreter: bytecode-cfg
    // maps them back to base opcodes and keeps them as feedback). Never `co_code`: its getter
    // writes past the end of its buffer when the last instruction of a hand-made code object
    // has inline caches running past the end, and dereferences NULL on INSTRUMENTED_LINE,
    // INSTRUMENTED_INSTRUCTION or ENTER_EXECUTOR in code that was never instrumented; merely
    // reading a hostile object must not corrupt the heap. Code that sys.monitoring has
    // instrumented holds opcodes only the interpreter can map back; bytecode-cfg refuses them
    // and the refusal is not final (see `install`).
    // SAFETY: _PyCode_CODE(co) holds Py_SIZE(co) two-byte code units, immutable in size
    // while we hold the GIL and a reference.
    let stored = unsafe { std::slice::from_raw_parts(facts[1] as *const u8, facts[4] * 2) }.to_vec();
    Ok(CodeParts {
        code: stored.clone(),
        adaptive: Some(stored),
        instrumented: facts[5] != 0,
        exceptiontable: bytes("co_exceptiontable")?,
        linetable: bytes("co_linetable")?,
        first_line: code.getattr("co_firstlineno")?.extract()?,
        flags: code.getattr("co_flags")?.extract()?,
        argcount: code.getattr("co_argcount")?.extract()?,
        kwonlyargcount: code.getattr("co_kwonlyargcount")?.extract()?,
        name: code.getattr("co_qualname")?.extract()?,
        filename: code.getattr("co_filename")?.extract()?,
        consts: ptrs("co_consts")?,
        const_kinds: const_kinds(&code.getattr("co_consts")?, abi().long_shift),
        no_speculate: no_speculate(code),
        names: ptrs("co_names")?,
        nlocalsplus: facts[0] as u32,
        code_base: facts[1],
        nfree: facts[2] as u32,
        stacksize: facts[3] as u32,
        version: facts[runtime_abi::abi::CodeFact::Version as usize] as u32,
        callees: Vec::new(),
        math_calls: Vec::new(),
        math: [0; MathFn::COUNT],
    })
}

/// The instructions the code's state says not to speculate at.
fn no_speculate(code: &Bound<'_, PyAny>) -> Vec<u32> {
    // SAFETY: a live code object; its state (if any) is only touched with the GIL held.
    unsafe {
        let st = ffi::coir_code_state(code.as_ptr() as *mut c_void, 0);
        if st.is_null() {
            return Vec::new();
        }
        let units = (*st).no_speculate;
        let n = ((*st).n_no_speculate.max(0) as usize).min(units.len());
        units[..n].iter().map(|u| *u as u32).collect()
    }
}

/// The guard each constant of `consts` (a tuple) is known to pass.
fn const_kinds(consts: &Bound<'_, PyAny>, long_shift: u32) -> Vec<Option<ir_cfg::ssa::GuardKind>> {
    use ir_cfg::ssa::GuardKind;
    use pyo3::types::{PyFloat, PyInt};
    let Ok(t) = consts.cast::<PyTuple>() else { return Vec::new() };
    t.iter()
        .map(|o| {
            if o.is_exact_instance_of::<PyFloat>() {
                Some(GuardKind::Float)
            } else if o.is_exact_instance_of::<PyInt>() {
                // Compact: one digit at most (_PyLong_IsCompact).
                o.extract::<i64>().ok().filter(|v| v.unsigned_abs() < 1 << long_shift).map(|_| GuardKind::CompactInt)
            } else {
                None
            }
        })
        .collect()
}

fn build_cfg(p: &CodeParts) -> Result<BytecodeCfg, Refusal> {
    let input = CodeInput {
        code: &p.code,
        adaptive: p.adaptive.as_deref(),
        exception_table: &p.exceptiontable,
        linetable: &p.linetable,
        first_line: p.first_line,
        flags: p.flags,
        argcount: p.argcount,
        nlocalsplus: p.nlocalsplus,
        stacksize: p.stacksize,
        nconsts: p.consts.len() as u32,
        nnames: p.names.len() as u32,
    };
    BytecodeCfg::build(&input).map_err(|e| {
        // Instrumented code may hold opcodes that only sys.monitoring's side tables explain.
        let key = if p.instrumented { INSTRUMENTED } else { "malformed bytecode" };
        Refusal::new(key, format!("{}: {e}", p.name))
    })
}

fn lower(p: &CodeParts, cfg: &BytecodeCfg) -> Result<ir_cfg::Function, Refusal> {
    let info = CodeInfo {
        name: p.name.clone(),
        flags: p.flags,
        nlocalsplus: p.nlocalsplus,
        nconsts: p.consts.len() as u32,
        nnames: p.names.len() as u32,
        nfree: p.nfree,
        no_speculate: p.no_speculate.clone(),
        // COIR_SPECULATE=0: no guards (for comparisons and for finding a guard's fault).
        no_speculation: std::env::var("COIR_SPECULATE").is_ok_and(|v| v == "0"),
        const_kinds: p.const_kinds.clone(),
        math_calls: p.math_calls_at(p.math_base()),
        callees: match p.callees.is_empty() {
            true => Vec::new(),
            false => {
                let abi = abi();
                (p.callees.iter().zip(p.callee_bases()))
                    .map(|((cp, c), (base, names_base, consts_base))| ir_cfg::Callee {
                        base,
                        names_base,
                        consts: callee_consts(cp, consts_base, &abi),
                        math_calls: cp.math_calls_at(p.math_base()),
                        ..c.clone()
                    })
                    .collect()
            }
        },
    };
    let f = ir_cfg::lower(cfg, &info).map_err(|e| {
        let key = match &e {
            LowerError::Unsupported { name, .. } => format!("unsupported opcode {name}"),
            LowerError::UnsupportedCode(what) => (*what).to_string(),
            LowerError::BadOparg { .. } => "malformed bytecode".into(),
            LowerError::InconsistentStack { .. } | LowerError::LastiAsObject { .. } => "inconsistent stack".into(),
        };
        Refusal::new(key, format!("{}: {e}", p.name))
    })?;
    ir_cfg::verify(&f).map_err(|errs| {
        let msgs: Vec<String> = errs.iter().take(10).map(|e| e.to_string()).collect();
        Refusal::new("internal error: IR verifier", format!("{}: IR verification failed:\n{}", p.name, msgs.join("\n")))
    })?;
    Ok(f)
}

/// What lowering needs of a callee named at `call_units` (`ir_cfg::Callee`) with code `cfg`,
/// its tables placed at 0 until [`lower`] places them after the caller's.
fn callee(call_units: Vec<u32>, p: &CodeParts, cfg: BytecodeCfg, abi: &Abi) -> ir_cfg::Callee {
    ir_cfg::Callee {
        call_units,
        init_units: Vec::new(),
        base: 0,
        names_base: 0,
        cfg,
        flags: p.flags,
        argcount: p.argcount,
        kwonlyargcount: p.kwonlyargcount,
        nlocalsplus: p.nlocalsplus,
        consts: callee_consts(p, 0, abi),
        math_calls: p.math_calls_at(0),
    }
}

/// How an inlined body loads each of its constants: the immortal object it is, or the
/// constant relocated into the caller's table at `consts_base`.
fn callee_consts(p: &CodeParts, consts_base: u32, abi: &Abi) -> Vec<ir_cfg::ir::Operand> {
    use ir_cfg::ir::Operand;
    (p.consts.iter().enumerate())
        .map(|(i, &c)| {
            let s = abi.singletons.iter().position(|&a| a == c).map(|i| Operand::Singleton(gcc_backend::SINGLETONS[i]));
            let s = s.or_else(|| abi.small_ints.iter().position(|&a| a == c).map(|i| Operand::SmallInt(i as u32)));
            s.unwrap_or(Operand::Const(consts_base + i as u32))
        })
        .collect()
}

/// The lowered function in SSA form, verified: what the backend compiles.
fn ssa(p: &CodeParts, f: &ir_cfg::Function) -> Result<ir_cfg::ssa::Function, Refusal> {
    ssa_stages(p, f, false).map(|(s, _)| s)
}

/// The SSA form as built, verified, then through the pass pipeline (verified after each
/// pass); with `keep_text`, the text as built and after each pass.
fn ssa_stages(p: &CodeParts, f: &ir_cfg::Function, keep_text: bool) -> Result<(ir_cfg::ssa::Function, Vec<(String, String)>), Refusal> {
    use ir_cfg::ssa::passes;
    let mut s = ir_cfg::ssa::from_vars(f)
        .map_err(|e| Refusal::new("internal error: SSA construction", format!("{}: {e}", p.name)))?;
    ir_cfg::ssa::verify(&s).map_err(|errs| {
        let msgs: Vec<String> = errs.iter().take(10).map(|e| e.to_string()).collect();
        Refusal::new("internal error: SSA verifier", format!("{}: SSA verification failed:\n{}\n{}", p.name, msgs.join("\n"), s.to_text()))
    })?;
    s.const_kinds = p.all_const_kinds();
    s.arg_slots = Some(p.arg_slots());
    let mut texts = Vec::new();
    if keep_text {
        texts.push(("built".to_string(), s.to_text()));
    }
    let each = keep_text || strict();
    let records = passes::run_with(&mut s, &passes::default_pipeline(), keep_text, each)
        .map_err(|e| Refusal::new("internal error: SSA pass", format!("{}: {e}", p.name)))?;
    for r in records {
        let head = format!("{} ({} changes, {:.3} ms)", r.name, r.changes, r.seconds * 1e3);
        texts.push((head, r.text.unwrap_or_default()));
    }
    Ok((s, texts))
}

fn abi() -> Abi {
    let mut g = global();
    if let Some(a) = &g.abi {
        return a.clone();
    }
    let mut raw = std::mem::MaybeUninit::<ffi::CoirAbi>::zeroed();
    // SAFETY: coir_get_abi fills every field; it runs with the GIL held (module functions).
    let raw = unsafe {
        ffi::coir_get_abi(raw.as_mut_ptr());
        raw.assume_init()
    };
    // The table is generated from Helper::ALL (runtime-abi): entry i is helper i.
    let mut helpers = std::collections::HashMap::new();
    for (i, h) in Helper::ALL.iter().enumerate() {
        // SAFETY: the table has Helper::ALL.len() entries and a NULL end; names are static C strings.
        let e = unsafe { &*raw.helpers.add(i) };
        debug_assert_eq!(unsafe { std::ffi::CStr::from_ptr(e.name) }.to_str(), Ok(h.symbol()));
        helpers.insert(*h, e.addr as usize);
    }
    let a = Abi {
        facts: raw.facts,
        singletons: [raw.none as usize, raw.true_ as usize, raw.false_ as usize],
        small_ints: raw.small_ints.iter().map(|p| *p as usize).collect(),
        types: raw.types.map(|p| p as usize),
        math: raw.math.map(|p| p as usize),
        helpers,
    };
    g.abi = Some(a.clone());
    a
}

fn options(stem: &str, artefacts: Vec<Artefact>, dump_dir: Option<PathBuf>, tier: Tier) -> Options {
    let g = global();
    let opt_level = match tier {
        Tier::Cold => g.cold_opt_level,
        Tier::Optimised => g.opt_level,
    };
    // Dumps need GCC's own output, so a dumping compile never comes from the cache.
    let cache_dir = if dump_dir.is_some() { None } else { g.cache_dir.clone() };
    // Read at each compile, like the other COIR_ settings that shape code.
    let deopt_stress = std::env::var("COIR_DEOPT_STRESS").is_ok_and(|v| v == "1");
    Options { opt_level, dump_dir, artefacts, dump_stem: stem.to_string(), cache_dir, deopt_stress }
}

/// Which code a compile makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    /// Cheap to make (GCC's cheapest level): functions compiled on their first call at
    /// threshold 0, most of which run a few times. Recompiled as `Optimised` when hot.
    Cold,
    /// Fully optimised: hot functions, `coir.jit`, `coir.compile`.
    Optimised,
}

fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// A lowered function ready for the backend: everything the backend needs, copied out of the
/// code object, so it can be compiled without the GIL (on the worker thread).
struct Prepared {
    name: String,
    /// The name profilers show (`py::qualname:filename`), if a perf map is written.
    perf_name: Option<String>,
    func: ir_cfg::ssa::Function,
    consts: CodeConsts,
    opts: Options,
    tier: Tier,
    abi: Abi,
    /// Seconds spent preparing (decode, lower, verify).
    prepare_seconds: f64,
    /// A generator, coroutine or async generator (`CoirCodeState::generator`).
    generator: bool,
}

// SAFETY: the addresses in `consts` are only embedded into code, never dereferenced by the
// compiler; the code object that owns them is kept alive by the job that carries this value.
unsafe impl Send for Prepared {}

/// libgccjit compiles one context at a time process-wide. The lock holds the thread id of its
/// holder, so that `os.fork()` can take it (no compilation is half-done in the child), the
/// child can free it (its worker thread did not survive the fork), and an exit from inside a
/// compile (GCC's fatal errors call `exit`) does not wait for itself.
static GCC_LOCK: AtomicU32 = AtomicU32::new(0);
/// The value of [`GCC_LOCK`] once the process is ending: taken for good, so that no compile
/// can start while libgccjit's static objects are destroyed.
const LOCKED_FOR_EXIT: u32 = u32::MAX;
/// Set when the interpreter (or the C library) starts to end the process: no compile starts
/// after it, queued jobs are dropped.
static SHUTDOWN: AtomicBool = AtomicBool::new(false);

fn thread_id() -> u32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as u32 }
}

/// Take the compile lock; false if the process is ending (then nothing may compile).
fn gcc_lock() -> bool {
    let me = thread_id();
    loop {
        if SHUTDOWN.load(Ordering::Acquire) {
            return false;
        }
        if GCC_LOCK.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed).is_ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}

fn gcc_unlock() {
    // Never releases LOCKED_FOR_EXIT (a fork child resets the lock itself).
    let _ = GCC_LOCK.compare_exchange(thread_id(), 0, Ordering::Release, Ordering::Relaxed);
}

/// The refusal reason of compiles asked for while the process ends.
const SHUTTING_DOWN: &str = "interpreter shutting down";
/// The refusal reason for code that sys.monitoring instrumented and that does not decode as it
/// is stored: not final, the interpreter removes the instrumentation once no tool is active.
const INSTRUMENTED: &str = "instrumented by sys.monitoring";

/// Wait for the compile in flight, if any, and keep the lock until the process ends.
fn lock_for_exit() {
    SHUTDOWN.store(true, Ordering::Release);
    let me = thread_id();
    loop {
        match GCC_LOCK.compare_exchange(0, LOCKED_FOR_EXIT, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return,
            Err(LOCKED_FOR_EXIT) => return,
            // Exiting from inside our own compile: nothing to wait for.
            Err(holder) if holder == me => return,
            Err(_) => std::thread::sleep(std::time::Duration::from_micros(200)),
        }
    }
}

/// Registered with the C library's `atexit` when libgccjit is loaded (its first compile:
/// `gcc_backend::libgccjit::after_load`), after it registered its static destructors, so it
/// runs before them: a compile still running on the worker (when the process ends without
/// Python's finalisation, e.g. a C `exit()`) finishes first, and none starts after.
extern "C" fn at_c_exit() {
    lock_for_exit();
}

/// Stop compiling for good (`atexit`, at interpreter finalisation): drop the queued jobs, kill
/// the GCC child of the compile in flight (its functions stay interpreted; a child that hung
/// made exit wait for its deadline), join the worker and install what it finished (releasing
/// the code objects the jobs held), then hold the compile lock until the process ends.
#[pyfunction]
fn shutdown(py: Python<'_>) {
    // SAFETY: GIL held; the sampler never takes it.
    unsafe { ffi::coir_stop_sampler() };
    SHUTDOWN.store(true, Ordering::Release);
    gcc_backend::isolate::cancel_all();
    let w = WORKER.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(w) = w {
        drop(w.tx);
        py.detach(|| {
            let _ = w.thread.join();
        });
    }
    coir_rs_poll();
    py.detach(lock_for_exit);
}

thread_local! {
    /// The locks [`before_fork`] holds across `fork()`.
    static FORK_HELD: std::cell::RefCell<Option<ForkHeld>> = const { std::cell::RefCell::new(None) };
}

/// The guards of the locks the compile thread takes besides the compile lock: its batch, then
/// the statistics and the finished jobs.
type ForkHeld = (std::sync::MutexGuard<'static, ()>, std::sync::MutexGuard<'static, Global>, std::sync::MutexGuard<'static, Vec<Done>>);

/// Held by the compile thread while it works on a batch (lowering, GCC, the results): a fork
/// waits for it ([`before_fork`]), so that the thread is idle when the process forks. Lowering
/// takes no lock of coir's, but the first use of a lazily built table (a `OnceLock`) is one:
/// a child forked while the compile thread built one waited forever for it to be built
/// (`bytecode_cfg::opcodes::name`, in the child's first compile).
static BUSY: Mutex<()> = Mutex::new(());

/// `os.register_at_fork(before=...)`: wait for a running compilation, then hold every lock the
/// compile thread takes until the fork is done. In the child that thread is gone: a lock it
/// held at the fork would stay locked there for good, and the child's first compile would
/// wait on it forever (the statistics lock, taken after each compile, was: a child hung in
/// `global()`). Until the after-fork hooks, nothing compiles (other fork hooks may run Python
/// code on this thread, which must not take these locks again).
#[pyfunction]
fn before_fork(py: Python<'_>) {
    // SAFETY: GIL held; restarted by the after-fork hooks.
    unsafe {
        ffi::coir_stop_sampler();
        ffi::coir_hold_compiles(1);
    }
    // Waiting for the compile thread's batch without the GIL (that thread never takes it).
    let busy = loop {
        match BUSY.try_lock() {
            Ok(g) => break g,
            Err(std::sync::TryLockError::Poisoned(e)) => break e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => py.detach(|| std::thread::sleep(std::time::Duration::from_micros(200))),
        }
    };
    // Returns false (lock not taken) only when the process is ending: nothing compiles then.
    py.detach(gcc_lock);
    // With the GIL held: no other Python thread is inside these locks (none releases the GIL
    // while holding one), and the compile thread, which never takes the GIL, releases them.
    let held = (busy, global(), DONE.lock().unwrap_or_else(|e| e.into_inner()));
    FORK_HELD.with(|h| *h.borrow_mut() = Some(held));
}

/// After the fork, in parent and child: the locks [`before_fork`] took are released (in the
/// child by the thread that took them, the only one left) and compiles are allowed again.
fn release_fork_locks() {
    FORK_HELD.with(|h| h.borrow_mut().take());
    // SAFETY: GIL held.
    unsafe { ffi::coir_hold_compiles(0) };
}

/// `os.register_at_fork(after_in_parent=...)`.
#[pyfunction]
fn after_fork_parent() {
    release_fork_locks();
    gcc_unlock();
    // SAFETY: GIL held.
    unsafe { ffi::coir_sampler_after_fork() };
}

/// `os.register_at_fork(after_in_child=...)`: the compile thread is gone in the child; later
/// hot functions compile in the calling thread, jobs queued before the fork never finish
/// (those functions stay interpreted).
#[pyfunction]
fn after_fork_child() {
    release_fork_locks();
    GCC_LOCK.store(0, Ordering::Release);
    // Forgotten, not dropped: dropping the last sender wakes the channel's receivers under the
    // channel's own mutex, which the compile thread may have held at the fork (it registers
    // itself there on its way into `recv`, after releasing BUSY); the child then waited on it
    // forever. A test program forking 20,000 times beside a thread in `recv` hung 3 children
    // when they dropped a sender, none when they forgot it.
    if let Ok(mut w) = WORKER.try_lock()
        && let Some(w) = w.take()
    {
        std::mem::forget(w);
    }
    FORKED.store(true, std::sync::atomic::Ordering::Relaxed);
    // SAFETY: the child's only thread, GIL held.
    unsafe { ffi::coir_sampler_after_fork() };
}

static FORKED: AtomicBool = AtomicBool::new(false);

fn finish(p: Prepared) -> Result<Made, Refusal> {
    finish_all(vec![p]).pop().expect("one result per job")
}

/// Compile prepared jobs with one run of GCC (`gcc_backend::compile_batch`); one result per
/// job, in order. GCC's time is shared equally among the jobs it compiled together.
fn finish_all(ps: Vec<Prepared>) -> Vec<Result<Made, Refusal>> {
    if !gcc_lock() {
        return ps
            .into_iter()
            .map(|p| Err(Refusal::new(SHUTTING_DOWN, format!("{}: not compiled: the interpreter is shutting down", p.name))))
            .collect();
    }
    let started = Instant::now();
    let units: Vec<gcc_backend::Unit<'_>> =
        ps.iter().map(|p| gcc_backend::Unit { f: &p.func, consts: &p.consts, opts: &p.opts }).collect();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| gcc_backend::compile_batch(&units, &ps[0].abi)));
    gcc_unlock();
    let results = match r {
        Ok(r) => r,
        Err(e) => std::panic::resume_unwind(e),
    };
    let share = started.elapsed().as_secs_f64() / ps.len() as f64;
    let mut g = global();
    if ps.len() > 1 {
        g.batches += 1;
        g.batched += ps.len() as u64;
    }
    ps.into_iter()
        .zip(results)
        .map(|(p, r)| {
            let compiled = r.map_err(|e| match e {
                // Not coir's fault, and never reported: nothing runs the function any more.
                gcc_backend::BackendError::Cancelled => Refusal::new("process ending", format!("{}: {e}", p.name)),
                e => Refusal::new("backend error", format!("{}: {e}", p.name)),
            })?;
            let seconds = p.prepare_seconds + share;
            g.compiled += 1;
            g.compile_seconds += seconds;
            g.compile_log.push(CompileRecord { name: p.name, seconds, cached: compiled.cached });
            Ok(Made { compiled, tier: p.tier, perf_name: p.perf_name, generator: p.generator })
        })
        .collect()
}

/// A compile's product, ready to install.
struct Made {
    compiled: Compiled,
    tier: Tier,
    perf_name: Option<String>,
    generator: bool,
}

/// Run the whole pipeline on a code object.
fn compile_code(code: &Bound<'_, PyAny>, tier: Tier, globals: *mut c_void) -> Result<Made, Refusal> {
    finish(prepare(code, tier, globals)?)
}

/// What a compile needs from the code object, copied out of it with the GIL held. Lowering it
/// ([`lower_extracted`]: decode, lower, SSA, passes, verification) needs no GIL, so a
/// background compile does that on the worker thread too and the program's thread only copies.
struct Extracted {
    p: CodeParts,
    stem: String,
    dump_dir: Option<PathBuf>,
    opts: Options,
    tier: Tier,
    abi: Abi,
    perf_name: Option<String>,
    /// Seconds spent copying.
    seconds: f64,
}

// SAFETY: as for `Prepared`: the addresses in `p` are never dereferenced by the compiler, and
// the job carrying this value keeps the code object alive.
unsafe impl Send for Extracted {}

/// Copy out what compiling `code` needs (needs the GIL).
fn extract(code: &Bound<'_, PyAny>, tier: Tier, globals: *mut c_void) -> Result<Extracted, Refusal> {
    let start = Instant::now();
    let p = code_parts(code, globals)?;
    let (dump_dir, n) = {
        let mut g = global();
        g.dumps += 1;
        (g.dump_dir.clone(), g.dumps)
    };
    let stem = format!("{}_{n}", sanitize(&p.name));
    let opts = options(&stem, Artefact::ALL.to_vec(), dump_dir.clone(), tier);
    let abi = abi();
    let perf_name = global().perf_map.then(|| format!("py::{}:{}", p.name, p.filename));
    Ok(Extracted { p, stem, dump_dir, opts, tier, abi, perf_name, seconds: start.elapsed().as_secs_f64() })
}

/// Decode, lower and verify what [`extract`] copied (no GIL needed).
fn lower_extracted(e: Extracted) -> Result<Prepared, Refusal> {
    let start = Instant::now();
    let Extracted { p, stem, dump_dir, opts, tier, abi, perf_name, seconds } = e;
    let cfg = build_cfg(&p)?;
    let lowered = lower(&p, &cfg)?;
    let f = ssa(&p, &lowered)?;
    let consts = p.consts();
    if let Some(d) = &dump_dir {
        let _ = std::fs::create_dir_all(d);
        let _ = std::fs::write(d.join(format!("{stem}.bytecode")), cfg.to_text());
        let _ = std::fs::write(d.join(format!("{stem}.lowered")), lowered.to_text());
    }
    let generator = p.flags & bytecode_cfg::co_flags::ANY_GENERATOR != 0;
    Ok(Prepared {
        name: p.name,
        perf_name,
        func: f,
        consts,
        opts,
        tier,
        abi,
        prepare_seconds: seconds + start.elapsed().as_secs_f64(),
        generator,
    })
}

/// Copy, decode, lower and verify (needs the GIL).
fn prepare(code: &Bound<'_, PyAny>, tier: Tier, globals: *mut c_void) -> Result<Prepared, Refusal> {
    lower_extracted(extract(code, tier, globals)?)
}

/// Lower background jobs and compile those that lowered with one run of GCC; one result per
/// job, in order.
fn lower_and_finish_all(es: Vec<Extracted>) -> Vec<Result<Made, Refusal>> {
    let lowered: Vec<Result<Prepared, Refusal>> = es.into_iter().map(lower_extracted).collect();
    let mut outcomes: Vec<Option<Result<Made, Refusal>>> = Vec::with_capacity(lowered.len());
    let mut ready = Vec::new();
    for r in lowered {
        match r {
            Ok(p) => {
                ready.push(p);
                outcomes.push(None);
            }
            Err(refusal) => outcomes.push(Some(Err(refusal))),
        }
    }
    let mut made = if ready.is_empty() { Vec::new() } else { finish_all(ready) }.into_iter();
    outcomes.into_iter().map(|o| o.unwrap_or_else(|| made.next().expect("one result per lowered job"))).collect()
}

/// `COIR_STRICT=1` (the tests): coir's own errors are reported, and the pass pipeline verifies
/// after every pass.
fn strict() -> bool {
    static STRICT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *STRICT.get_or_init(|| std::env::var("COIR_STRICT").is_ok_and(|v| v == "1"))
}

fn record_refusal(r: &Refusal) {
    // Under COIR_STRICT=1 (tests) a refusal that is coir's own bug says what went wrong, on
    // stderr, where the test that found it shows it.
    if (r.key.starts_with("internal error") || r.key.starts_with("backend error"))
        && strict()
    {
        eprintln!("coir: {}: {}", r.key, r.message);
    }
    *global().refusals.entry(r.key.clone()).or_insert(0) += 1;
}

/// Compile `code` into its state. Returns the refusal message on failure.
fn compile_into_state(code: &Bound<'_, PyAny>, st: *mut ffi::CoirCodeState, tier: Tier, globals: *mut c_void) -> Result<(), String> {
    install(st, compile_code(code, tier, globals))
}

/// Every version of one code object's native code (the state's `compiled`): a cold version
/// stays mapped after its optimised replacement, since frames may still be running it.
type Versions = Vec<Compiled>;

/// Attach a compilation's outcome to a code object's state (GIL held).
fn install(st: *mut ffi::CoirCodeState, outcome: Result<Made, Refusal>) -> Result<(), String> {
    // SAFETY (whole function): st is this code object's live state; the GIL
    // serialises access.
    // A tier-up (cold code recompiled optimised) or a recompile without speculation that
    // failed too often replaces the current code.
    let tier_up = unsafe { (*st).entry.is_some() && ((*st).cold != 0 || (*st).recompile == 2) };
    // SAFETY: as above.
    unsafe {
        if (*st).recompile == 2 {
            (*st).recompile = 0;
        }
    }
    match outcome {
        Ok(Made { compiled: c, tier, perf_name, generator }) => {
            if unsafe { (*st).entry.is_some() } && !(tier_up && tier == Tier::Optimised) {
                // Compiled twice (coir.compile while a background job ran): keep the first.
                return Ok(());
            }
            let entry = c.entry();
            let relocs = c.relocs();
            if let Some(name) = perf_name {
                write_perf_map_entry(entry as *const c_void, c.code_size(), &name);
            }
            if c.cached {
                global().cache_hits += 1;
            }
            unsafe {
                (*st).generator = generator as std::ffi::c_int;
                (*st).relocs = relocs as *const c_void;
                if (*st).compiled.is_null() {
                    (*st).compiled = Box::into_raw(Box::new(Versions::new())) as *mut c_void;
                }
                (*((*st).compiled as *mut Versions)).push(c);
                (*st).entry = Some(std::mem::transmute::<gcc_backend::EntryFn, ffi::CoirEntryFn>(entry));
                (*st).cold = (tier == Tier::Cold) as i32;
                // Misses are counted against the code just installed.
                (*st).global_misses = 0;
            }
            if tier_up {
                global().recompiled += 1;
            }
            Ok(())
        }
        Err(r) => {
            record_refusal(&r);
            unsafe {
                if tier_up {
                    // Keep the cold code; don't try again.
                    (*st).cold = 0;
                } else if r.key != SHUTTING_DOWN && r.key != INSTRUMENTED {
                    (*st).refused = 1;
                }
            }
            Err(r.message)
        }
    }
}

/// Tell profilers (`perf report`) which function lives at `addr` (CPython's perf-map API).
fn write_perf_map_entry(addr: *const c_void, size: usize, name: &str) {
    // A name with a NUL (possible in a file name) is cut there.
    let name = name.split('\0').next().unwrap_or_default();
    let Ok(cname) = std::ffi::CString::new(name) else { return };
    // SAFETY: a valid C string; the API takes its own lock and copies the text out.
    unsafe { ffi::PyUnstable_WritePerfMapEntry(addr, size.min(u32::MAX as usize) as std::ffi::c_uint, cname.as_ptr()) };
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Panics inside coir are caught and turned into refusals; the default hook would print them
/// on the program's stderr, so record the message instead.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        if std::env::var_os("COIR_DEBUG_PANICS").is_some() {
            eprintln!("coir: {msg}");
        }
        LAST_PANIC.with(|p| *p.borrow_mut() = msg);
    }));
}

fn last_panic() -> String {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// A background compilation: the code object (a strong reference, so it and its constants
/// outlive the job) and its state.
struct Job {
    code: usize,
    st: usize,
    extracted: Extracted,
}

/// A finished background compilation, waiting for the GIL to be installed.
struct Done {
    code: usize,
    st: usize,
    outcome: Result<Made, Refusal>,
}

// SAFETY: the raw pointers are only used by the thread holding the GIL (install in poll).
unsafe impl Send for Done {}
unsafe impl Send for Job {}

/// The compile thread and its queue.
struct Worker {
    tx: std::sync::mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
}

static WORKER: Mutex<Option<Worker>> = Mutex::new(None);
static DONE: Mutex<Vec<Done>> = Mutex::new(Vec::new());

/// The worker thread: compiles jobs without the GIL, one at a time, and leaves the results
/// for the frame hook to install (it never takes the GIL itself, so interpreter shutdown
/// cannot block on it). Once shutdown starts, queued jobs are dropped uncompiled.
fn worker() -> Option<std::sync::mpsc::Sender<Job>> {
    let mut w = WORKER.lock().unwrap_or_else(|e| e.into_inner());
    if SHUTDOWN.load(Ordering::Acquire) {
        return None;
    }
    if let Some(w) = w.as_ref() {
        return Some(w.tx.clone());
    }
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("coir-compile".into())
        .spawn(move || {
            // The compile thread never handles a signal: they go to the program's threads,
            // and GCC's system calls are not interrupted.
            gcc_backend::shield::block_async_signals();
            let mut queue: Vec<Job> = Vec::new();
            loop {
                // Everything queued so far, then the hottest job first (`next_job`).
                if queue.is_empty() {
                    match rx.recv() {
                        Ok(j) => queue.push(j),
                        Err(_) => break,
                    }
                }
                queue.extend(rx.try_iter());
                let busy = BUSY.lock().unwrap_or_else(|e| e.into_inner());
                let jobs = next_batch(&mut queue);
                let n = jobs.len();
                let mut keys = Vec::with_capacity(n);
                let mut extracted = Vec::with_capacity(n);
                for j in jobs {
                    keys.push((j.code, j.st));
                    extracted.push(j.extracted);
                }
                let outcomes = if SHUTDOWN.load(Ordering::Acquire) {
                    (0..n).map(|_| Err(Refusal::new(SHUTTING_DOWN, "not compiled: the interpreter is shutting down"))).collect()
                } else {
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lower_and_finish_all(extracted))) {
                        Ok(o) => o,
                        Err(_) => (0..n).map(|_| Err(Refusal::new("internal error: panic", last_panic()))).collect(),
                    }
                };
                let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
                for ((code, st), outcome) in keys.into_iter().zip(outcomes) {
                    done.push(Done { code, st, outcome });
                }
                drop(done);
                drop(busy);
                done_ready().store(1, Ordering::Release);
            }
        })
        .ok()?;
    *w = Some(Worker { tx: tx.clone(), thread });
    Some(tx)
}

/// The jobs to compile together next: the hottest (`next_job`), then the next hottest of the
/// same tier while the batch stays under `COIR_BATCH` jobs (default 6; 1: one at a time) and
/// [`BATCH_UNITS`] code units. One run of GCC costs about 20 ms whatever it compiles (the
/// fork, GCC's start-up, `as`, `ld`, `dlopen`: measured 25 ms for a one-line function, against
/// a median of 37-64 ms on the benchmark programs), so compiling queued functions together
/// makes the last of them native sooner; the first waits for the others' share, which the
/// code-unit budget keeps small.
fn next_batch(queue: &mut Vec<Job>) -> Vec<Job> {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let limit = *LIMIT.get_or_init(|| std::env::var("COIR_BATCH").ok().and_then(|v| v.parse().ok()).unwrap_or(6).max(1));
    // SAFETY: a live code object (the job's reference).
    let units = |j: &Job| unsafe { code_units(j.code as *const pyo3::ffi::PyObject) };
    let first = queue.remove(next_job(queue));
    let mut total = units(&first);
    let tier = |j: &Job| (j.extracted.opts.opt_level, j.extracted.opts.deopt_stress);
    let mut batch = vec![first];
    let mut rest: Vec<Job> = Vec::new();
    while batch.len() < limit && !queue.is_empty() {
        let j = queue.remove(next_job(queue));
        if tier(&j) == tier(&batch[0]) && total + units(&j) <= BATCH_UNITS {
            total += units(&j);
            batch.push(j);
        } else {
            rest.push(j);
        }
    }
    queue.extend(rest);
    batch
}

/// The most code units a batch's functions have together (a longer first function compiles
/// alone).
const BATCH_UNITS: usize = 1500;

/// Which queued job to compile next: the most calls or samples (`CoirCodeState::calls`, which
/// profile mode keeps counting while the job waits) per unit of compile cost, the oldest among
/// equals. GCC's time grows with the code's size, and without on-stack replacement a long
/// function sampled in its loops is often one long call that its compiled code never serves:
/// at equal samples, the small function compiles first. At threshold N every job counted N
/// calls: the smaller function first. A recompile without a failing speculation comes first.
fn next_job(queue: &[Job]) -> usize {
    let heat = |j: &Job| {
        // SAFETY: the job holds a strong reference to the code object, so its state is live.
        // Read without the GIL while the interpreter may increment it: a word-sized aligned
        // load that sees the old or the new count, which is all a priority needs.
        let samples = unsafe { std::ptr::read_volatile(std::ptr::addr_of!((*(j.st as *const ffi::CoirCodeState)).calls)) };
        // A recompile without a failing speculation first: its function's code meanwhile
        // leaves for the interpreter at every failing guard. (Read as `calls` is.)
        // SAFETY: as above.
        if unsafe { std::ptr::read_volatile(std::ptr::addr_of!((*(j.st as *const ffi::CoirCodeState)).recompile)) } == 2 {
            return f64::INFINITY;
        }
        // SAFETY: a live code object (the job's reference).
        let units = unsafe { code_units(j.code as *const pyo3::ffi::PyObject) };
        samples as f64 / (units as f64 + 64.0)
    };
    let mut best = 0;
    for (i, j) in queue.iter().enumerate().skip(1) {
        if heat(j) > heat(&queue[best]) {
            best = i;
        }
    }
    best
}

/// The C runtime's `coir_done_ready` flag, accessed atomically.
fn done_ready() -> &'static std::sync::atomic::AtomicI32 {
    // SAFETY: a C global of type int, only ever accessed atomically; it lives for the process.
    unsafe { std::sync::atomic::AtomicI32::from_ptr(&raw mut ffi::coir_done_ready) }
}

/// Install finished background compilations (called by the hook with the GIL held).
#[unsafe(no_mangle)]
pub extern "C" fn coir_rs_poll() {
    let done: Vec<Done> = match DONE.try_lock() {
        Ok(mut d) => {
            // Cleared under the lock: a result pushed after this sets it again.
            done_ready().store(0, Ordering::Release);
            std::mem::take(&mut *d)
        }
        Err(_) => return,
    };
    for d in done {
        let st = d.st as *mut ffi::CoirCodeState;
        // SAFETY: the job held a strong reference to the code object, so its state is live;
        // we hold the GIL.
        unsafe {
            (*st).pending = 0;
            let _ = install(st, d.outcome);
            pyo3::ffi::Py_DECREF(d.code as *mut pyo3::ffi::PyObject);
            ffi::coir_inflight -= 1;
        }
    }
}

// The functions C calls have the signatures runtime-abi declares (and the C header states).
const _: runtime_abi::api::rust_fns::coir_rs_compile = coir_rs_compile;
const _: runtime_abi::api::rust_fns::coir_rs_poll = coir_rs_poll;
const _: runtime_abi::api::rust_fns::coir_rs_free = coir_rs_free;
const _: runtime_abi::api::rust_fns::coir_rs_loops_between_yields = coir_rs_loops_between_yields;

/// Asked by profile mode once per generator code object (runtime.c, generator_works). Never
/// raises, never unwinds.
#[unsafe(no_mangle)]
pub extern "C" fn coir_rs_loops_between_yields(code: *mut c_void) -> std::ffi::c_int {
    let r = std::panic::catch_unwind(|| {
        Python::attach(|py| {
            // SAFETY: the caller passes a live code object (borrowed from a frame).
            let code = unsafe { Bound::from_borrowed_ptr(py, code as *mut pyo3::ffi::PyObject) };
            raw_code_parts(&code).ok().and_then(|p| build_cfg(&p).ok()).is_some_and(|cfg| cfg.has_loop_without_yield())
        })
    });
    std::ffi::c_int::from(r.unwrap_or(false))
}

/// Called by the frame hook when a code object gets hot. Never raises, never unwinds.
#[unsafe(no_mangle)]
pub extern "C" fn coir_rs_compile(code: *mut c_void, st: *mut ffi::CoirCodeState, mode: std::ffi::c_int, globals: *mut c_void) {
    let (tier, background) = match ffi::CompileMode::from_c(mode) {
        Some(ffi::CompileMode::Cold) => (Tier::Cold, false),
        Some(ffi::CompileMode::Hot) => (Tier::Optimised, true),
        Some(ffi::CompileMode::Now) | None => (Tier::Optimised, false),
    };
    let r = std::panic::catch_unwind(|| {
        Python::attach(|py| {
            // SAFETY: the hook passes a live code object (borrowed from the frame).
            let code = unsafe { Bound::from_borrowed_ptr(py, code as *mut pyo3::ffi::PyObject) };
            if SHUTDOWN.load(Ordering::Acquire) {
                // Stays interpreted (not marked refused: nothing is wrong with the code).
                return;
            }
            if !background || FORKED.load(Ordering::Relaxed) {
                let _ = compile_into_state(&code, st, tier, globals);
                return;
            }
            match extract(&code, tier, globals) {
                Ok(extracted) => {
                    let raw = code.clone().into_ptr() as usize;
                    // SAFETY: st is live while the code object is, and we hold the GIL.
                    unsafe {
                        (*st).pending = 1;
                        ffi::coir_inflight += 1;
                    }
                    let sent = match worker() {
                        Some(tx) => tx.send(Job { code: raw, st: st as usize, extracted }).is_ok(),
                        None => false,
                    };
                    if !sent {
                        // No worker (shutting down, or it could not start): compile here, which
                        // refuses cleanly if the process is ending.
                        unsafe {
                            (*st).pending = 0;
                            ffi::coir_inflight -= 1;
                            pyo3::ffi::Py_DECREF(raw as *mut pyo3::ffi::PyObject);
                        }
                        let _ = compile_into_state(&code, st, tier, globals);
                    }
                }
                Err(r) => {
                    let _ = install(st, Err(r));
                }
            }
        })
    });
    if r.is_err() {
        record_refusal(&Refusal::new("internal error: panic", last_panic()));
        // SAFETY: st is live (see above).
        unsafe { (*st).refused = 1 };
    }
}

/// Releases compiled code when its code object dies (the code watcher frees its state).
#[unsafe(no_mangle)]
pub extern "C" fn coir_rs_free(compiled: *mut c_void) {
    if !compiled.is_null() {
        // SAFETY: made by Box::into_raw in install, freed exactly once.
        drop(unsafe { Box::from_raw(compiled as *mut Versions) });
    }
}

fn code_of<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // A type check, not `hasattr(obj, "co_code")`: that runs CPython's co_code getter, which
    // corrupts the heap on some hand-made code objects (see code_parts).
    // SAFETY: a type check on a live object.
    if unsafe { pyo3::ffi::PyCode_Check(obj.as_ptr()) } != 0 {
        return Ok(obj.clone());
    }
    if let Ok(c) = obj.getattr("__code__") {
        return Ok(c);
    }
    Err(PyValueError::new_err("expected a function or a code object"))
}

/// The globals of `obj` if it is a function (borrowed from it), else NULL.
fn globals_of(obj: &Bound<'_, PyAny>) -> *mut c_void {
    // SAFETY: a type check and a field read on a live object.
    unsafe {
        match pyo3::ffi::PyFunction_Check(obj.as_ptr()) != 0 {
            true => pyo3::ffi::PyFunction_GetGlobals(obj.as_ptr()) as *mut c_void,
            false => std::ptr::null_mut(),
        }
    }
}

fn state_of(code: &Bound<'_, PyAny>) -> PyResult<*mut ffi::CoirCodeState> {
    // SAFETY: code is a live code object; creates the state if missing.
    let st = unsafe { ffi::coir_code_state(code.as_ptr() as *mut c_void, 1) };
    if st.is_null() {
        return Err(PyValueError::new_err("cannot attach coir state to this code object"));
    }
    Ok(st)
}

/// Install the frame hook. `threshold`: calls before a function is compiled (0: first call);
/// `explicit_only`: only functions marked with `jit`/`compile` run natively.
#[pyfunction]
#[pyo3(signature = (threshold=None, explicit_only=false))]
fn enable(threshold: Option<i32>, explicit_only: bool) -> PyResult<()> {
    if let Some(t) = threshold {
        if t < 0 {
            return Err(PyValueError::new_err("threshold must be >= 0"));
        }
    }
    abi();
    // SAFETY: called with the GIL held.
    unsafe { ffi::coir_enable(threshold.unwrap_or(-1), explicit_only as i32) };
    Ok(())
}

/// Profile mode (no frame hook): sample every `period_us` microseconds, compile code seen in
/// `hot_samples` samples, enter compiled code through function vectorcalls.
#[pyfunction]
#[pyo3(signature = (period_us=1000, hot_samples=3))]
fn enable_profile(py: Python<'_>, period_us: i64, hot_samples: i32) -> PyResult<()> {
    if period_us <= 0 || hot_samples < 0 {
        return Err(PyValueError::new_err("period_us must be > 0 and hot_samples >= 0"));
    }
    abi();
    // SAFETY: called with the GIL held.
    if unsafe { ffi::coir_enable_profile(period_us as std::ffi::c_long, hot_samples) } < 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(())
}

/// Whether profile mode is on.
#[pyfunction]
fn is_profiling() -> bool {
    // SAFETY: a plain read.
    unsafe { ffi::coir_is_profiling() != 0 }
}

/// In profile mode, route the calls of a function (or a bound method's function) through its
/// compiled code.
fn attach(obj: &Bound<'_, PyAny>) {
    let func = obj.getattr("__func__").unwrap_or_else(|_| obj.clone());
    // SAFETY: a live object; the C side checks that it is a function.
    unsafe { ffi::coir_attach(func.as_ptr() as *mut c_void) };
}

/// Remove the frame hook; compiled code stays attached to its code objects.
#[pyfunction]
fn disable() {
    // SAFETY: called with the GIL held.
    unsafe { ffi::coir_disable() }
}

/// Reinstall the hook if it was removed for monitoring and no tool is active now.
#[pyfunction]
fn rearm() -> bool {
    // SAFETY: called with the GIL held.
    unsafe { ffi::coir_rearm() != 0 }
}

/// Whether coir is enabled (wanted) and whether its hook is installed right now.
#[pyfunction]
fn status() -> (bool, bool, i32, bool) {
    // SAFETY: plain reads.
    unsafe { (ffi::coir_is_enabled() != 0, ffi::coir_is_armed() != 0, ffi::coir_get_threshold(), ffi::coir_is_explicit_only() != 0) }
}

/// Compile a function (or code object) now; raises CompileError with the reason if it can't.
#[pyfunction]
fn compile(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let code = code_of(obj)?;
    let st = state_of(&code)?;
    // SAFETY: st is live while code is.
    unsafe {
        if (*st).entry.is_some() && (*st).cold == 0 {
            return Ok(());
        }
        (*st).forced = 1;
        (*st).refused = 0;
    }
    compile_into_state(&code, st, Tier::Optimised, globals_of(obj)).map_err(CompileError::new_err)?;
    attach(obj);
    Ok(())
}

/// Mark a function to be compiled on its first call.
#[pyfunction]
fn mark_jit(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let code = code_of(obj)?;
    let st = state_of(&code)?;
    // SAFETY: st is live while code is.
    unsafe { (*st).forced = 1 };
    attach(obj);
    Ok(())
}

/// Whether a function currently has native code.
#[pyfunction]
fn is_compiled(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let code = code_of(obj)?;
    // SAFETY: reads the state without creating it.
    let st = unsafe { ffi::coir_code_state(code.as_ptr() as *mut c_void, 0) };
    // SAFETY: non-null states are live while code is.
    Ok(!st.is_null() && unsafe { (*st).entry.is_some() })
}

/// Statistics: compiled, native_calls, compile_seconds, compile_log [(qualname, seconds,
/// cached)], fallbacks {reason: count}, deopts {reason: count} (native frames a failed guard
/// handed to the interpreter).
#[pyfunction]
fn stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let g = global();
    // SAFETY: plain reads of counters, GIL held.
    let c = unsafe { std::ptr::addr_of!(ffi::coir_counters).read() };
    d.set_item("compiled", g.compiled)?;
    d.set_item("recompiled_hot", g.recompiled)?;
    d.set_item("cache_hits", g.cache_hits)?;
    d.set_item("native_calls", c.native_calls)?;
    d.set_item("samples", c.samples)?;
    d.set_item("global_lookups", c.global_lookups)?;
    d.set_item("compile_seconds", g.compile_seconds)?;
    d.set_item("batches", g.batches)?;
    d.set_item("batched", g.batched)?;
    let log: Vec<(&str, f64, bool)> = g.compile_log.iter().map(|r| (r.name.as_str(), r.seconds, r.cached)).collect();
    d.set_item("compile_log", log)?;
    let fb = PyDict::new(py);
    for (k, v) in &g.refusals {
        fb.set_item(k, v)?;
    }
    for &f in ffi::Fallback::ALL {
        if c.fallback[f as usize] > 0 {
            fb.set_item(f.reason(), c.fallback[f as usize])?;
        }
    }
    d.set_item("fallbacks", fb)?;
    let deopts = PyDict::new(py);
    for &r in runtime_abi::abi::DeoptReason::ALL {
        if c.deopts[r as usize] > 0 {
            deopts.set_item(r.name(), c.deopts[r as usize])?;
        }
    }
    d.set_item("deopts", deopts)?;
    Ok(d)
}

/// Take the compile lock with the GIL released (the worker may hold it for a while).
fn gcc_lock_detached(py: Python<'_>) -> bool {
    py.detach(gcc_lock)
}

/// Text of one stage for a function: `bytecode`, `ir`, `ssa` (after the passes), `passes`
/// (as built, then after each pass), `dot`, `c`, `gimple`, `asm`, `reproducer`.
#[pyfunction]
fn dump(obj: &Bound<'_, PyAny>, stage: &str) -> PyResult<String> {
    let code = code_of(obj)?;
    let err = |r: Refusal| CompileError::new_err(r.message);
    let p = code_parts(&code, globals_of(obj)).map_err(err)?;
    let cfg = build_cfg(&p).map_err(err)?;
    if stage == "bytecode" {
        return Ok(cfg.to_text());
    }
    if stage == "ssa" {
        let f = lower(&p, &cfg).map_err(err)?;
        return Ok(ssa(&p, &f).map_err(err)?.to_text());
    }
    if stage == "passes" {
        let f = lower(&p, &cfg).map_err(err)?;
        let (_, texts) = ssa_stages(&p, &f, true).map_err(err)?;
        return Ok(texts.iter().map(|(h, t)| format!("=== {h}\n{t}")).collect::<Vec<_>>().join("\n"));
    }
    let art = Artefact::from_name(stage)
        .ok_or_else(|| PyValueError::new_err(format!("unknown stage {stage:?}: bytecode, ir, ssa, passes, dot, c, gimple, asm, reproducer")))?;
    let lowered = lower(&p, &cfg).map_err(err)?;
    match art {
        Artefact::Ir => return Ok(lowered.to_text()),
        Artefact::Dot => return Ok(lowered.to_dot()),
        Artefact::CDump | Artefact::Gimple | Artefact::Asm | Artefact::Reproducer => {}
    }
    let f = ssa(&p, &lowered).map_err(err)?;
    let dir = std::env::temp_dir().join(format!("coir-dump-{}-{}", std::process::id(), global().dumps));
    let consts = p.consts();
    let opts = options("f", vec![art], Some(dir.clone()), Tier::Optimised);
    let abi = abi();
    // libgccjit is not reentrant across contexts' compiles: take the same lock as compiles do.
    if !gcc_lock_detached(obj.py()) {
        return Err(CompileError::new_err("not compiled: the interpreter is shutting down"));
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| gcc_backend::compile(&f, &abi, &consts, &opts)));
    gcc_unlock();
    let r = r.map_err(|_| CompileError::new_err(format!("internal error: panic: {}", last_panic())))?;
    let text = std::fs::read_to_string(dir.join(format!("f.{}", art.suffix())));
    let _ = std::fs::remove_dir_all(&dir);
    r.map_err(|e| CompileError::new_err(e.to_string()))?;
    text.map_err(|e| CompileError::new_err(format!("dump not written: {e}")))
}

/// Decode a code object into its CFG: (instructions, blocks). Raises ValueError if malformed.
#[pyfunction]
fn decode(code: &Bound<'_, PyAny>) -> PyResult<(usize, usize)> {
    let p = code_parts(code, std::ptr::null_mut()).map_err(|r| PyValueError::new_err(r.message))?;
    let cfg = build_cfg(&p).map_err(|r| PyValueError::new_err(r.message))?;
    Ok((cfg.instrs.len(), cfg.graph.node_count()))
}

/// Decode and lower (no native code): None if it would compile, else (reason, message).
#[pyfunction]
fn check_lowering(code: &Bound<'_, PyAny>) -> PyResult<Option<(String, String)>> {
    let p = code_parts(code, std::ptr::null_mut()).map_err(|r| PyValueError::new_err(r.message))?;
    let r = build_cfg(&p).and_then(|cfg| lower(&p, &cfg)).and_then(|f| ssa(&p, &f));
    Ok(r.err().map(|r| (r.key, r.message)))
}

/// The opcode table as coir sees it: (number, name, base name, cache entries).
#[pyfunction]
fn opcode_facts() -> Vec<(u8, &'static str, &'static str, u32)> {
    use bytecode_cfg::opcodes;
    opcodes::all().map(|op| (op.as_u8(), opcodes::name(op), opcodes::name(opcodes::base(op)), opcodes::cache_entries(op))).collect()
}

/// `(popped, pushed)` of an opcode number with an oparg, as coir computes it.
#[pyfunction]
fn stack_effect(opcode: u8, oparg: u32) -> PyResult<(u32, u32)> {
    use bytecode_cfg::opcodes;
    let op = opcodes::from_byte(opcode).ok_or_else(|| PyValueError::new_err("unknown opcode"))?;
    opcodes::stack_effect(op, oparg).ok_or_else(|| PyValueError::new_err("oparg too large"))
}

/// Layout facts from the headers the runtime was built against, for tests.
#[pyfunction]
fn abi_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let a = abi();
    let d = PyDict::new(py);
    d.set_item("frame_localsplus", a.frame_localsplus)?;
    d.set_item("frame_instr_ptr", a.frame_instr_ptr)?;
    d.set_item("tstate_eval_breaker", a.tstate_eval_breaker)?;
    d.set_item("stackref_null", a.stackref_null)?;
    d.set_item("helpers", a.helpers.len())?;
    d.set_item("helpers_declared", Helper::ALL.len())?;
    Ok(d)
}

/// Where compiled code is kept across runs (None: nowhere).
#[pyfunction]
#[pyo3(signature = (path=None))]
fn set_cache_dir(path: Option<PathBuf>) {
    if let Some(dir) = &path {
        gcc_backend::trim_code_cache_in_background(dir.clone());
    }
    global().cache_dir = path;
}

/// Whether every function installed from now on gets a perf map entry
/// (`/tmp/perf-<pid>.map`, `py::qualname:filename`), for `perf report`.
#[pyfunction]
fn set_perf_map(on: bool) {
    global().perf_map = on;
}

/// Where every compiled function's dumps go (None: nowhere).
#[pyfunction]
#[pyo3(signature = (path=None))]
fn set_dump_dir(path: Option<PathBuf>) {
    global().dump_dir = path;
}

/// Whether hot functions compile on the worker thread (default) or in the calling thread.
#[pyfunction]
fn set_background(on: bool) {
    // SAFETY: called with the GIL held.
    unsafe { ffi::coir_set_background(on as i32) }
}

/// Wait until every queued background compilation is installed (for tests and benchmarks).
#[pyfunction]
fn wait_compiled(py: Python<'_>) {
    loop {
        coir_rs_poll();
        // SAFETY: read with the GIL held.
        if unsafe { ffi::coir_inflight } == 0 {
            return;
        }
        py.detach(|| std::thread::sleep(std::time::Duration::from_millis(2)));
    }
}

/// A GCC optimisation level coir accepts: 0..=2, and 3 (-O3) with a libgccjit of GCC 14 or
/// later (the private root's). With GCC 12's, 3 is refused: it crashes (internal compiler
/// error, a segfault in-process) on some of our code at -O3.
fn opt_level(level: u8) -> PyResult<u8> {
    let max = if gcc_backend::libgccjit::supports_o3() { 3 } else { 2 };
    if level > max {
        let (major, minor, patch) = gcc_backend::libgccjit::version();
        return Err(PyValueError::new_err(format!(
            "level must be 0..={max} (this is GCC {major}.{minor}.{patch}'s libgccjit; GCC 12's crashes at -O3 on coir's code)"
        )));
    }
    Ok(level)
}

/// The GCC version of the libgccjit coir compiles with: (major, minor, patchlevel).
#[pyfunction]
fn libgccjit_version() -> (u32, u32, u32) {
    gcc_backend::libgccjit::version()
}

/// GCC optimisation level for later optimised compilations.
#[pyfunction]
fn set_opt_level(level: u8) -> PyResult<()> {
    global().opt_level = opt_level(level)?;
    Ok(())
}

/// GCC optimisation level for cold compiles (first calls at threshold 0).
#[pyfunction]
fn set_cold_opt_level(level: u8) -> PyResult<()> {
    global().cold_opt_level = opt_level(level)?;
    Ok(())
}

/// Native calls after which code compiled cold is recompiled fully optimised.
#[pyfunction]
fn set_hot_calls(n: i64) -> PyResult<()> {
    if n < 0 {
        return Err(PyValueError::new_err("must be >= 0"));
    }
    // SAFETY: called with the GIL held.
    unsafe { ffi::coir_set_hot_calls(n as std::ffi::c_long) };
    Ok(())
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install_panic_hook();
    // Built now, before there is a compile thread: a table a thread is building when another
    // forks stays unbuilt in the child for good (see BUSY), and GCC runs in forked children.
    let _ = bytecode_cfg::opcodes::name(bytecode_cfg::Opcode::Nop);
    // SAFETY: registering a plain C function; see at_c_exit.
    gcc_backend::libgccjit::after_load(|| unsafe {
        libc::atexit(at_c_exit);
    });
    // SAFETY: module init runs with the GIL held.
    if unsafe { ffi::coir_init() } < 0 {
        return Err(PyErr::fetch(m.py()));
    }
    m.add("CompileError", m.py().get_type::<CompileError>())?;
    m.add_function(wrap_pyfunction!(enable, m)?)?;
    m.add_function(wrap_pyfunction!(enable_profile, m)?)?;
    m.add_function(wrap_pyfunction!(is_profiling, m)?)?;
    m.add_function(wrap_pyfunction!(disable, m)?)?;
    m.add_function(wrap_pyfunction!(rearm, m)?)?;
    m.add_function(wrap_pyfunction!(status, m)?)?;
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_function(wrap_pyfunction!(mark_jit, m)?)?;
    m.add_function(wrap_pyfunction!(is_compiled, m)?)?;
    m.add_function(wrap_pyfunction!(stats, m)?)?;
    m.add_function(wrap_pyfunction!(dump, m)?)?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(check_lowering, m)?)?;
    m.add_function(wrap_pyfunction!(opcode_facts, m)?)?;
    m.add_function(wrap_pyfunction!(stack_effect, m)?)?;
    m.add_function(wrap_pyfunction!(abi_info, m)?)?;
    m.add_function(wrap_pyfunction!(set_dump_dir, m)?)?;
    m.add_function(wrap_pyfunction!(set_perf_map, m)?)?;
    m.add_function(wrap_pyfunction!(set_cache_dir, m)?)?;
    m.add_function(wrap_pyfunction!(set_opt_level, m)?)?;
    m.add_function(wrap_pyfunction!(libgccjit_version, m)?)?;
    m.add_function(wrap_pyfunction!(set_background, m)?)?;
    m.add_function(wrap_pyfunction!(set_cold_opt_level, m)?)?;
    m.add_function(wrap_pyfunction!(set_hot_calls, m)?)?;
    m.add_function(wrap_pyfunction!(wait_compiled, m)?)?;
    m.add_function(wrap_pyfunction!(shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(before_fork, m)?)?;
    m.add_function(wrap_pyfunction!(after_fork_parent, m)?)?;
    m.add_function(wrap_pyfunction!(after_fork_child, m)?)?;
    Ok(())
}
