//! Keeps libgccjit from changing process-wide state that belongs to the program.
//!
//! libgccjit runs GCC's driver and compiler proper inside our process, and both were written
//! for a short-lived process of their own. Per compile, the driver installs handlers for
//! SIGINT, SIGTERM, SIGHUP and SIGPIPE (they delete temporary files and re-raise the signal,
//! so a Ctrl-C would end the Python process instead of raising `KeyboardInterrupt`), briefly
//! sets SIGINT to `SIG_IGN` while it probes it (a signal arriving then is lost), resets SIGCHLD
//! to `SIG_DFL`, registers an `atexit` handler (one more entry per compile: memory that never
//! comes back, and at exit it deletes the files of a compile still in flight); the compiler
//! proper installs crash handlers for SIGSEGV and friends and raises RLIMIT_STACK.
//!
//! Restoring a snapshot afterwards (what coir did first) is not enough: the handlers are
//! visible to the whole process while a compile runs, and a handler the program installs in
//! that window is then overwritten by the stale snapshot. Instead, [`install`] rewrites
//! libgccjit's own import slots (its GOT entries) for `signal`, `__cxa_atexit`, `setrlimit`,
//! `waitpid`, `wait4` and `exit` so that its calls reach the functions below, which change
//! nothing: GCC sees the current disposition and a successful call, and the process never sees
//! GCC's handlers; its waits for `as` and `ld` survive the program reaping those children
//! first; its fatal `exit()` in a compile child ([`crate::isolate`]) runs none of the
//! program's exit handlers. The slots are inherited by compile children, where the counters
//! of [`stats`] then count (the parent's copy does not see those calls). Only
//! libgccjit's imports are redirected; every other caller of these functions is untouched.
//! Calls made by libgccjit's static constructors (before `install`) are not affected, so the
//! destructors GCC registered at load time still run at exit.
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// What [`install`] redirected and how often GCC called each replacement since.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShieldStats {
    /// Import slots rewritten (0 if libgccjit was not found: then nothing is shielded).
    pub slots: u32,
    /// `signal()` calls swallowed.
    pub signal_calls: u64,
    /// `__cxa_atexit()` registrations swallowed.
    pub atexit_calls: u64,
    /// `setrlimit()` calls swallowed.
    pub setrlimit_calls: u64,
    /// Children of GCC's driver whose exit status the program took first.
    pub reaped_elsewhere: u64,
}

static SIGNAL_CALLS: AtomicU64 = AtomicU64::new(0);
static ATEXIT_CALLS: AtomicU64 = AtomicU64::new(0);
static SETRLIMIT_CALLS: AtomicU64 = AtomicU64::new(0);
static REAPED_ELSEWHERE: AtomicU64 = AtomicU64::new(0);
static SLOTS: Mutex<u32> = Mutex::new(0);

/// Reports the disposition GCC asked about and installs nothing. The driver's pattern is
/// `if (signal(s, SIG_IGN) != SIG_IGN) signal(s, handler)`: with the current disposition
/// returned, it behaves as it would in a process of its own, but the process keeps its own.
extern "C" fn quiet_signal(sig: c_int, _handler: libc::sighandler_t) -> libc::sighandler_t {
    SIGNAL_CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: a query only (null new action); `old` is a valid out-parameter.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
            return libc::SIG_ERR;
        }
        old.sa_sigaction
    }
}

/// GCC registers exit-time cleanups per compile (the driver's temporary-file deletion) and for
/// function-local statics. Temporary files are deleted by the driver itself at the end of each
/// compile, and nothing of GCC's needs tearing down when the process ends.
extern "C" fn quiet_cxa_atexit(_f: *const c_void, _arg: *mut c_void, _dso: *mut c_void) -> c_int {
    ATEXIT_CALLS.fetch_add(1, Ordering::Relaxed);
    0
}

/// The driver waits for `as` and `ld` by pid. A program that reaps *any* child
/// (`os.waitpid(-1, ...)`, as CPython's own `test.support.reap_children` does) can take the
/// exit status first; the driver's wait then fails with ECHILD, GCC reports a fatal error and
/// calls `exit()`, ending the program. Here such a child counts as finished: whether its work
/// succeeded is still checked, since the compile's output must exist and load.
extern "C" fn patient_waitpid(pid: libc::pid_t, status: *mut c_int, options: c_int) -> libc::pid_t {
    // SAFETY: forwards GCC's own arguments.
    let r = unsafe { libc::waitpid(pid, status, options) };
    taken_by_program(r, pid, status)
}

/// As [`patient_waitpid`], for libiberty's `wait4` path.
extern "C" fn patient_wait4(pid: libc::pid_t, status: *mut c_int, options: c_int, usage: *mut libc::rusage) -> libc::pid_t {
    // SAFETY: forwards GCC's own arguments.
    let r = unsafe { libc::wait4(pid, status, options, usage) };
    taken_by_program(r, pid, status)
}

fn taken_by_program(r: libc::pid_t, pid: libc::pid_t, status: *mut c_int) -> libc::pid_t {
    if r == -1 && pid > 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD) {
        REAPED_ELSEWHERE.fetch_add(1, Ordering::Relaxed);
        if !status.is_null() {
            // SAFETY: GCC's out-parameter. 0: exited with status 0.
            unsafe { *status = 0 };
        }
        return pid;
    }
    r
}

/// GCC's fatal errors end with `exit()`. In a compile child ([`crate::isolate`]) that would
/// run the program's exit handlers (a copy of the program's state: coir's own handler waits
/// for the compile lock, held by a thread that does not exist in the child) and libgccjit's
/// destructors: there it becomes `_exit`, and the parent reports how the child ended. In the
/// process itself (`COIR_GCC_ISOLATE=0`) it stays `exit`.
extern "C" fn contained_exit(status: c_int) -> ! {
    if crate::isolate::in_child() {
        // SAFETY: ends the child without running anything of the parent's.
        unsafe { libc::_exit(status) }
    }
    // SAFETY: GCC's own call.
    unsafe { libc::exit(status) }
}

/// GCC raises the stack limit for deep recursion in the parser; coir's contexts are small, and
/// the program's limits (inherited by its child processes) are the program's.
extern "C" fn quiet_setrlimit(_resource: c_int, _rlim: *const libc::rlimit) -> c_int {
    SETRLIMIT_CALLS.fetch_add(1, Ordering::Relaxed);
    0
}

fn replacement(name: &[u8]) -> Option<usize> {
    Some(match name {
        b"signal" => quiet_signal as *const () as usize,
        b"__cxa_atexit" => quiet_cxa_atexit as *const () as usize,
        b"setrlimit" => quiet_setrlimit as *const () as usize,
        b"waitpid" => patient_waitpid as *const () as usize,
        b"wait4" => patient_wait4 as *const () as usize,
        b"exit" => contained_exit as *const () as usize,
        _ => return None,
    })
}

/// Block every asynchronous signal on the calling thread and return the previous mask. Signals
/// that report a fault of this thread (SIGSEGV, SIGBUS, ...) stay unblocked: blocking them is
/// undefined when the fault happens.
pub fn block_async_signals() -> libc::sigset_t {
    // SAFETY: sigset operations on local sets; pthread_sigmask with valid pointers.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGTRAP, libc::SIGABRT, libc::SIGSYS] {
            libc::sigdelset(&mut set, sig);
        }
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
        old
    }
}

/// Redirect libgccjit's imports (once per process, once it is loaded: a call before its load,
/// which finds nothing, is not remembered; `libgccjit::load` calls this right after loading).
/// Returns how many import slots were rewritten: 0 means libgccjit is not loaded or its
/// dynamic section could not be read, and nothing is shielded.
pub fn install() -> u32 {
    let mut slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
    if *slots == 0 {
        let mut n = 0u32;
        // SAFETY: dl_iterate_phdr calls back with valid program headers of loaded objects.
        unsafe { libc::dl_iterate_phdr(Some(visit), &mut n as *mut u32 as *mut c_void) };
        *slots = n;
    }
    *slots
}

/// The counters since [`install`].
pub fn stats() -> ShieldStats {
    ShieldStats {
        slots: *SLOTS.lock().unwrap_or_else(|e| e.into_inner()),
        signal_calls: SIGNAL_CALLS.load(Ordering::Relaxed),
        atexit_calls: ATEXIT_CALLS.load(Ordering::Relaxed),
        setrlimit_calls: SETRLIMIT_CALLS.load(Ordering::Relaxed),
        reaped_elsewhere: REAPED_ELSEWHERE.load(Ordering::Relaxed),
    }
}

unsafe extern "C" fn visit(info: *mut libc::dl_phdr_info, _size: usize, data: *mut c_void) -> c_int {
    // SAFETY: valid for the duration of the callback (dl_iterate_phdr's contract).
    let info = unsafe { &*info };
    if info.dlpi_name.is_null() {
        return 0;
    }
    // SAFETY: a NUL-terminated path owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dlpi_name) }.to_bytes();
    let file = name.rsplit(|&c| c == b'/').next().unwrap_or(name);
    if !file.starts_with(b"libgccjit.so") {
        return 0;
    }
    // SAFETY: the object is loaded and its headers are mapped; see patch_object.
    let n = unsafe { patch_object(info) };
    // SAFETY: `data` is the u32 counter passed to dl_iterate_phdr.
    unsafe { *(data as *mut u32) += n };
    1
}

const DT_NULL: i64 = 0;
const DT_PLTRELSZ: i64 = 2;
const DT_STRTAB: i64 = 5;
const DT_SYMTAB: i64 = 6;
const DT_RELA: i64 = 7;
const DT_RELASZ: i64 = 8;
const DT_JMPREL: i64 = 23;
const R_X86_64_GLOB_DAT: u32 = 6;
const R_X86_64_JUMP_SLOT: u32 = 7;

#[repr(C)]
struct Dyn {
    tag: i64,
    val: u64,
}

#[repr(C)]
struct Rela {
    offset: u64,
    info: u64,
    addend: i64,
}

#[repr(C)]
struct Sym {
    name: u32,
    info: u8,
    other: u8,
    shndx: u16,
    value: u64,
    size: u64,
}

/// Rewrite the GOT slots of one loaded object whose relocations name a function we replace.
///
/// # Safety
/// `info` must describe a loaded x86-64 ELF object.
unsafe fn patch_object(info: &libc::dl_phdr_info) -> u32 {
    let base = info.dlpi_addr as u64;
    // SAFETY: dlpi_phdr points to dlpi_phnum program headers.
    let phdrs = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) };
    let Some(dynamic) = phdrs.iter().find(|p| p.p_type == libc::PT_DYNAMIC) else { return 0 };
    // The loader relocates most d_ptr entries in place; an address below the load base is
    // still file-relative.
    let addr = |v: u64| if v < base { v + base } else { v };
    let (mut strtab, mut symtab, mut jmprel, mut pltrelsz, mut rela, mut relasz) = (0, 0, 0, 0, 0, 0);
    let mut d = (base + dynamic.p_vaddr) as *const Dyn;
    // SAFETY: the dynamic section is an array of Dyn terminated by DT_NULL.
    unsafe {
        while (*d).tag != DT_NULL {
            match (*d).tag {
                DT_STRTAB => strtab = addr((*d).val),
                DT_SYMTAB => symtab = addr((*d).val),
                DT_JMPREL => jmprel = addr((*d).val),
                DT_PLTRELSZ => pltrelsz = (*d).val,
                DT_RELA => rela = addr((*d).val),
                DT_RELASZ => relasz = (*d).val,
                // Other tags say nothing about imported function slots.
                _ => {}
            }
            d = d.add(1);
        }
    }
    if strtab == 0 || symtab == 0 {
        return 0;
    }
    // Slots inside PT_GNU_RELRO were made read-only after relocation; others (a lazily bound
    // .got.plt) are writable and must stay so, since the loader still writes them.
    let relro = phdrs
        .iter()
        .find(|p| p.p_type == libc::PT_GNU_RELRO)
        .map(|p| (base + p.p_vaddr)..(base + p.p_vaddr + p.p_memsz));
    let mut patched = 0;
    for (table, size) in [(jmprel, pltrelsz), (rela, relasz)] {
        if table == 0 {
            continue;
        }
        let n = size as usize / std::mem::size_of::<Rela>();
        // SAFETY: the relocation table has `size` bytes.
        let relocs = unsafe { std::slice::from_raw_parts(table as *const Rela, n) };
        for r in relocs {
            let kind = (r.info & 0xffff_ffff) as u32;
            if kind != R_X86_64_JUMP_SLOT && kind != R_X86_64_GLOB_DAT {
                continue;
            }
            let sym = (r.info >> 32) as usize;
            // SAFETY: symbol indices of relocations are within the dynamic symbol table, and
            // names are NUL-terminated strings in the string table.
            let name = unsafe {
                let s = &*(symtab as *const Sym).add(sym);
                CStr::from_ptr((strtab + s.name as u64) as *const c_char).to_bytes()
            };
            if let Some(to) = replacement(name) {
                // SAFETY: the slot is a pointer-sized GOT entry of this object.
                let slot = base + r.offset;
                let read_only = relro.as_ref().is_some_and(|r| r.contains(&slot));
                if unsafe { write_slot(slot as *mut usize, to, read_only) } {
                    patched += 1;
                }
            }
        }
    }
    patched
}

/// Store `value` into a GOT slot, making its page writable for the store if RELRO protected it
/// (`read_only`), and read-only again afterwards.
///
/// # Safety
/// `slot` must be a mapped, pointer-aligned GOT entry.
unsafe fn write_slot(slot: *mut usize, value: usize, read_only: bool) -> bool {
    // SAFETY: sysconf is always safe to call.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let start = (slot as usize) & !(page - 1);
    let len = (slot as usize + std::mem::size_of::<usize>()) - start;
    // SAFETY: the range lies within a mapped page of the object; restoring read-only
    // afterwards keeps RELRO's protection.
    unsafe {
        if read_only && libc::mprotect(start as *mut c_void, len, libc::PROT_READ | libc::PROT_WRITE) != 0 {
            return false;
        }
        std::ptr::write_volatile(slot, value);
        if read_only {
            libc::mprotect(start as *mut c_void, len, libc::PROT_READ);
        }
    }
    true
}
