//! Shared objects of compiled code: where they are written, how they are keyed, and loading
//! them. With a cache directory, each compiled function is kept as `<key>.so`, the key a hash
//! of everything that decides its machine code; compiled code embeds no address of the
//! process (they come through the relocation table), so a later process (a program's next run,
//! the next module of a test suite) loads it instead of running GCC.
use std::ffi::{CString, c_void};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A 128-bit key (two independent SipHash-1-3 streams) of `parts`, of the backend's sources
/// and of this crate's version.
pub(crate) fn key(parts: &[String]) -> String {
    let mut a = std::collections::hash_map::DefaultHasher::new();
    let mut b = std::collections::hash_map::DefaultHasher::new();
    "coir-a".hash(&mut a);
    "coir-b".hash(&mut b);
    for h in [&mut a, &mut b] {
        env!("COIR_BACKEND_HASH").hash(h);
        env!("CARGO_PKG_VERSION").hash(h);
        parts.hash(h);
    }
    format!("{:016x}{:016x}", a.finish(), b.finish())
}

/// Where the object of `key` lives in `dir` (two-level, to keep directories small).
pub(crate) fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(&key[..2]).join(format!("{}.so", &key[2..]))
}

/// A fresh file name for one compile's output, unique within the machine.
pub(crate) fn temp_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("coir-{}-{n}.so", std::process::id())
}

/// A loaded shared object; unloaded when dropped.
pub(crate) struct Loaded {
    handle: *mut c_void,
    pub(crate) entry: *mut c_void,
    /// The size in bytes of the entry symbol's code (its ELF `st_size`; 0 if unknown).
    pub(crate) entry_size: usize,
}

// SAFETY: the handle is only passed to dlclose, once, by the owner.
unsafe impl Send for Loaded {}

impl Loaded {
    /// `dlopen` the object (privately: its symbols never resolve anyone else's) and find
    /// `symbol` in it.
    pub(crate) fn open(path: &Path, symbol: &str) -> Result<Loaded, String> {
        let cpath = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
        let csym = CString::new(symbol).map_err(|e| e.to_string())?;
        // SAFETY: valid C strings; the object was written by libgccjit for this machine.
        unsafe {
            let handle = libc::dlopen(cpath.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
            if handle.is_null() {
                return Err(format!("dlopen {}: {}", path.display(), dlerror()));
            }
            let entry = libc::dlsym(handle, csym.as_ptr());
            if entry.is_null() {
                libc::dlclose(handle);
                return Err(format!("{symbol} missing in {}", path.display()));
            }
            Ok(Loaded { handle, entry, entry_size: symbol_size(entry) })
        }
    }
}

/// `ElfW(Sym)` on 64-bit targets (`<elf.h>`).
#[repr(C)]
struct Elf64Sym {
    st_name: u32,
    st_info: u8,
    st_other: u8,
    st_shndx: u16,
    st_value: u64,
    st_size: u64,
}

/// `RTLD_DL_SYMENT` (`<dlfcn.h>`): `dladdr1` also returns the symbol's table entry.
const RTLD_DL_SYMENT: libc::c_int = 1;

/// The ELF size of the dynamic symbol at `addr` (0 if none is found).
fn symbol_size(addr: *mut c_void) -> usize {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let mut sym: *mut c_void = std::ptr::null_mut();
    // SAFETY: dladdr1 fills `info` and points `sym` at the loaded object's own symbol table
    // entry (valid while the object is loaded) or leaves it NULL.
    unsafe {
        if libc::dladdr1(addr, info.as_mut_ptr(), &mut sym, RTLD_DL_SYMENT) == 0 || sym.is_null() {
            return 0;
        }
        if info.assume_init().dli_saddr != addr {
            return 0;
        }
        (*(sym as *const Elf64Sym)).st_size as usize
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        // SAFETY: opened by Loaded::open, closed exactly once.
        unsafe { libc::dlclose(self.handle) };
    }
}

fn dlerror() -> String {
    // SAFETY: dlerror returns NULL or a valid C string.
    unsafe {
        let e = libc::dlerror();
        if e.is_null() { "unknown error".into() } else { std::ffi::CStr::from_ptr(e).to_string_lossy().into_owned() }
    }
}
