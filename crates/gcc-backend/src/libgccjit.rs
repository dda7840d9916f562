//! The libgccjit this process compiles with: loading it, its GCC version, where that GCC's
//! support files are, and which file it is.
//!
//! `setup.sh` puts a newer GCC's libgccjit (same soname, `libgccjit.so.0`) into the private
//! interpreter root, where the interpreter's RPATH makes it shadow the host's GCC 12; a user's
//! own interpreter keeps the host's. The module is linked without a DT_NEEDED entry for it
//! (cpython-patch's build.rs): loading it costs about 3.5 ms and 30 MB of mappings, and a
//! process whose hot code is all in the code cache never compiles. [`load`] loads it, with
//! RTLD_GLOBAL, before the first compile; the module's calls of gcc_jit_* are bound lazily
//! through the PLT, to it. The dynamic loader searches for it as it would have for the
//! module, so the version and place are read from the loaded library (`gcc_jit_version_*`,
//! `dladdr`); the code cache's keys name the file it will load ([`identity`]), found without
//! loading it.
use std::ffi::{CStr, c_int, c_uint, c_void};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The soname the module was linked against (the stub's place: cpython-patch's build.rs).
const SONAME: &CStr = c"libgccjit.so.0";

unsafe extern "C" {
    // LIBGCCJIT_ABI_13 (GCC 8).
    fn gcc_jit_version_major() -> c_int;
    fn gcc_jit_version_minor() -> c_int;
    fn gcc_jit_version_patchlevel() -> c_int;
}

/// What the program has to do once libgccjit is loaded (see [`after_load`]).
static AFTER_LOAD: OnceLock<fn()> = OnceLock::new();

/// Run `f` once libgccjit is loaded, before anything uses it: what must come after its load
/// (a C exit handler meant to run before the static destructors it registered when loaded).
pub fn after_load(f: fn()) {
    let _ = AFTER_LOAD.set(f);
}

/// The loaded library's handle, as a word (a handle is never unloaded), or why it could not be
/// loaded. Once loaded, its imports are shielded ([`crate::shield::install`]: they are found
/// among the loaded objects) and [`after_load`]'s function runs.
fn handle() -> Result<usize, &'static str> {
    static H: OnceLock<Result<usize, String>> = OnceLock::new();
    H.get_or_init(|| {
        // SAFETY: a constant name; the flags are valid. The library stays loaded for good.
        let h = unsafe { libc::dlopen(SONAME.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if h.is_null() {
            // SAFETY: dlerror's message is a NUL-terminated string (or NULL).
            let e = unsafe { libc::dlerror() };
            let why = if e.is_null() { "unknown error".into() } else { unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned() };
            return Err(format!("cannot load {}: {why}", SONAME.to_string_lossy()));
        }
        crate::shield::install();
        if let Some(f) = AFTER_LOAD.get() {
            f();
        }
        Ok(h as usize)
    })
    .as_ref()
    .map(|&h| h)
    .map_err(|e| e.as_str())
}

/// Load libgccjit (once per process): every use of gcc_jit_* comes after this succeeded.
pub fn load() -> Result<(), &'static str> {
    handle().map(|_| ())
}

/// The loaded libgccjit's GCC version: (major, minor, patchlevel); (0, 0, 0) if it cannot be
/// loaded.
pub fn version() -> (u32, u32, u32) {
    static V: OnceLock<(u32, u32, u32)> = OnceLock::new();
    *V.get_or_init(|| {
        if load().is_err() {
            return (0, 0, 0);
        }
        // SAFETY: the library is loaded; the functions take nothing and read constants.
        unsafe {
            (gcc_jit_version_major() as u32, gcc_jit_version_minor() as u32, gcc_jit_version_patchlevel() as u32)
        }
    })
}

/// Whether the loaded libgccjit compiles coir's code at -O3: GCC 12's crashes (an internal
/// compiler error, a segfault) on some of it; 14, 15 and 16 were measured not to.
pub fn supports_o3() -> bool {
    version().0 >= 14
}

/// The path of the loaded libgccjit, as the dynamic loader found it.
fn library_path() -> Option<PathBuf> {
    let h = handle().ok()? as *mut c_void;
    // SAFETY: a live handle and a constant name.
    let addr = unsafe { libc::dlsym(h, c"gcc_jit_context_acquire".as_ptr()) };
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: `addr` is NULL or a function of a loaded object; `info` is written by dladdr.
    if addr.is_null() || unsafe { libc::dladdr(addr, &mut info) } == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dladdr's file name is a NUL-terminated string owned by the loader.
    Some(unsafe { c_path(info.dli_fname) })
}

/// A path the dynamic loader gave as a C string.
///
/// # Safety
/// `p` is a live NUL-terminated string.
unsafe fn c_path(p: *const libc::c_char) -> PathBuf {
    PathBuf::from(std::ffi::OsStr::from_bytes(unsafe { CStr::from_ptr(p) }.to_bytes()))
}

/// glibc's `Dl_serpath` and `Dl_serinfo` (<dlfcn.h>), for `dlinfo(RTLD_DI_SERINFO)`.
#[repr(C)]
struct SerPath {
    name: *mut libc::c_char,
    flags: c_uint,
}

#[repr(C)]
struct SerInfo {
    size: libc::size_t,
    cnt: c_uint,
    path: [SerPath; 1],
}

/// The directories the dynamic loader searches for a library the program loads (the
/// executable's RPATH, LD_LIBRARY_PATH, its RUNPATH, the system's; not ld.so.cache), in order.
fn search_dirs() -> Vec<PathBuf> {
    // SAFETY: dlopen(NULL) is the program's own handle; dlinfo fills the buffers it is given:
    // first the size and count, then the paths into a buffer of that size.
    unsafe {
        let h = libc::dlopen(std::ptr::null(), libc::RTLD_LAZY);
        if h.is_null() {
            return Vec::new();
        }
        let mut size: SerInfo = std::mem::zeroed();
        if libc::dlinfo(h, libc::RTLD_DI_SERINFOSIZE, (&raw mut size).cast()) != 0 || size.size < size_of::<SerInfo>() {
            return Vec::new();
        }
        // Aligned for the struct: whole words.
        let mut buf = vec![0usize; size.size.div_ceil(size_of::<usize>())];
        let info = buf.as_mut_ptr().cast::<SerInfo>();
        (*info).size = size.size;
        (*info).cnt = size.cnt;
        if libc::dlinfo(h, libc::RTLD_DI_SERINFO, info.cast()) != 0 {
            return Vec::new();
        }
        let paths = std::ptr::addr_of!((*info).path).cast::<SerPath>();
        (0..(*info).cnt as usize)
            .filter_map(|i| {
                let p = (*paths.add(i)).name;
                (!p.is_null()).then(|| c_path(p))
            })
            .collect()
    }
}

/// The library file [`load`] will load (or has loaded), named for the code cache's keys
/// without loading it: path, size and modification time of the first `libgccjit.so.0` in the
/// loader's search path, or, failing that, of the library loaded. A new GCC in its place
/// changes the keys, as its version did; were the guess wrong, code compiled by one GCC might
/// be found by a process using another, which runs it correctly (it is the same code).
pub fn identity() -> &'static str {
    static I: OnceLock<String> = OnceLock::new();
    I.get_or_init(|| {
        let name = std::ffi::OsStr::from_bytes(SONAME.to_bytes());
        let file = search_dirs().into_iter().map(|d| d.join(name)).find(|p| p.is_file()).or_else(library_path);
        let Some(file) = file else { return "libgccjit not found".into() };
        let meta = std::fs::metadata(&file).ok();
        let mtime = meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        format!("{} {} {:?}", file.display(), meta.map_or(0, |m| m.len()), mtime.map(|d| d.as_nanos()))
    })
}

/// GCC's support directory for a libgccjit at `lib` (`<prefix>/lib/<triplet>/libgccjit.so.0`)
/// of GCC `major`: `<prefix>/lib/gcc/<triplet>/<major>/`, where Debian's `libgcc-NN-dev`
/// puts crtbeginS.o, libgcc.a and the libgcc_s link, if it is there.
fn support_dir_of(lib: &Path, major: u32) -> Option<PathBuf> {
    let lib_dir = lib.parent()?;
    let triplet = lib_dir.file_name()?;
    let dir = lib_dir.parent()?.join("gcc").join(triplet).join(major.to_string());
    dir.join("crtbeginS.o").is_file().then_some(dir)
}

/// The driver option that points GCC at its own support files, next to the libgccjit that was
/// loaded (`-B<prefix>/lib/gcc/<triplet>/<major>/`): a libgccjit other than the system's
/// (the private root's) otherwise looks for them where its GCC would be installed on the
/// host, and linking with them fails ("cannot find crtbeginS.o": "error invoking gcc
/// driver"). A driver option of each context, not `GCC_EXEC_PREFIX` or `LIBRARY_PATH`, which
/// the program's own child processes would inherit. `None` when the directory is not there.
pub fn driver_prefix_option() -> Option<&'static str> {
    static B: OnceLock<Option<String>> = OnceLock::new();
    B.get_or_init(|| {
        let dir = support_dir_of(&library_path()?, version().0)?;
        Some(format!("-B{}/", dir.display()))
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_dir_is_beside_the_library() {
        let root = std::env::temp_dir().join(format!("coir-gccjit-{}", std::process::id()));
        let gcc = root.join("usr/lib/gcc/x86_64-linux-gnu/14");
        std::fs::create_dir_all(&gcc).unwrap();
        let lib = root.join("usr/lib/x86_64-linux-gnu/libgccjit.so.0");
        assert_eq!(support_dir_of(&lib, 14), None, "no crtbeginS.o yet");
        std::fs::write(gcc.join("crtbeginS.o"), b"").unwrap();
        assert_eq!(support_dir_of(&lib, 14), Some(gcc.clone()));
        assert_eq!(support_dir_of(&lib, 15), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_library_is_named_without_loading_it() {
        // The test binary links libgccjit itself, so the guess can be checked against it.
        let id = identity();
        let loaded = library_path().expect("dladdr finds libgccjit");
        let guessed = Path::new(id.split(' ').next().unwrap());
        assert_eq!(guessed.canonicalize().unwrap(), loaded.canonicalize().unwrap(), "{id}");
        assert!(!search_dirs().is_empty());
    }

    #[test]
    fn the_loaded_library_is_found() {
        let (major, _, _) = version();
        assert!(major >= 12, "GCC {major}");
        let lib = library_path().expect("dladdr finds libgccjit");
        assert!(lib.file_name().unwrap().to_string_lossy().starts_with("libgccjit.so"), "{}", lib.display());
        // The system's GCC has its support files where the directory is derived.
        if let Some(b) = driver_prefix_option() {
            assert!(b.starts_with("-B") && b.ends_with(&format!("/{major}/")), "{b}");
        }
    }
}
