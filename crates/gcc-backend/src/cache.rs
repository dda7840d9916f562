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

/// Mark `path` used now (its modification time), so that [`trim`] removes the objects unused
/// longest first.
pub(crate) fn touch(path: &Path) {
    if let Ok(c) = CString::new(path.as_os_str().as_encoded_bytes()) {
        // SAFETY: a valid C string; NULL times mean now.
        unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), std::ptr::null(), 0) };
    }
}

/// Keep the cache under `limit` bytes: when its objects (`<dir>/<xx>/<key>.so`) add up to
/// more, the least recently used (compiled or loaded, see [`touch`]) are removed until three
/// quarters of the limit are left. Without it the cache only grows: every change of the
/// backend gives every function a new key (measured here: 1.8 GB in 98,000 files after a few
/// sessions of test suites). Removing an object another process has loaded is harmless (its
/// mapping stays); one that process is about to load is compiled again. Returns the objects
/// removed, and the cache's bytes before and after.
pub fn trim(dir: &Path, limit: u64) -> std::io::Result<(usize, u64, u64)> {
    let mut objects = Vec::new();
    for sub in std::fs::read_dir(dir)? {
        let sub = sub?.path();
        if !sub.is_dir() {
            continue;
        }
        for e in std::fs::read_dir(&sub)? {
            let e = e?;
            let path = e.path();
            if path.extension().is_some_and(|x| x == "so")
                && let Ok(m) = e.metadata()
            {
                objects.push((m.modified().unwrap_or(std::time::UNIX_EPOCH), m.len(), path));
            }
        }
    }
    let before: u64 = objects.iter().map(|o| o.1).sum();
    let mut total = before;
    let mut removed = 0;
    if total > limit {
        objects.sort();
        for (_, len, path) in objects {
            if total <= limit / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
                removed += 1;
            }
        }
    }
    Ok((removed, before, total))
}

/// [`trim`] `dir` on a thread of its own (the program does not wait for the directory walk),
/// at most once an hour for all processes sharing the cache (a stamp file in it records the
/// last time). The limit is `COIR_CODE_CACHE_MAX_MB` mebibytes (default 1024; 0: no limit).
pub fn trim_in_background(dir: PathBuf) {
    let mb: u64 = std::env::var("COIR_CODE_CACHE_MAX_MB").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(1024);
    if mb == 0 || !dir.is_dir() {
        return;
    }
    let stamp = dir.join(".trimmed");
    let recent = std::fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < std::time::Duration::from_secs(3600)));
    if recent || std::fs::write(&stamp, b"").is_err() {
        return;
    }
    let _ = std::thread::Builder::new().name("coir-cache-trim".into()).spawn(move || {
        crate::shield::block_async_signals();
        let _ = trim(&dir, mb << 20);
    });
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

    /// The address and ELF size of the data symbol `name` in the object, if it has one.
    pub(crate) fn data(&self, name: &str) -> Option<(*const c_void, usize)> {
        let cname = CString::new(name).ok()?;
        // SAFETY: a live handle and a valid C string.
        let p = unsafe { libc::dlsym(self.handle, cname.as_ptr()) };
        (!p.is_null()).then(|| (p as *const c_void, symbol_size(p)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_removes_the_least_recently_used_objects_down_to_three_quarters() {
        let dir = std::env::temp_dir().join(format!("coir-trim-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let base = std::time::SystemTime::now() - std::time::Duration::from_secs(1000);
        for i in 0..10u64 {
            let sub = dir.join(format!("{:02x}", i % 3));
            std::fs::create_dir_all(&sub).unwrap();
            let path = sub.join(format!("{i}.so"));
            std::fs::write(&path, vec![0u8; 1000]).unwrap();
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(base + std::time::Duration::from_secs(i)).unwrap();
        }
        // Not an object: never counted or removed.
        std::fs::write(dir.join("00").join("notes.txt"), vec![0u8; 5000]).unwrap();
        // Object 0, the oldest, used just now.
        touch(&dir.join("00").join("0.so"));
        let (removed, before, after) = trim(&dir, 4000).unwrap();
        assert_eq!((removed, before, after), (7, 10_000, 3000));
        let left: Vec<bool> = (0..10u64).map(|i| dir.join(format!("{:02x}", i % 3)).join(format!("{i}.so")).exists()).collect();
        assert_eq!(left, [true, false, false, false, false, false, false, false, true, true]);
        assert!(dir.join("00").join("notes.txt").exists());
        // Under the limit: nothing to do.
        assert_eq!(trim(&dir, 4000).unwrap(), (0, 3000, 3000));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
