//! The libgccjit this process runs: its GCC version, and where that GCC's support files are.
//!
//! `setup.sh` puts a newer GCC's libgccjit (same soname, `libgccjit.so.0`) into the private
//! interpreter root, where the interpreter's RPATH makes it shadow the host's GCC 12; a user's
//! own interpreter keeps the host's. Which one was loaded is known only at run time, so both
//! facts are read from the loaded library: its version from `gcc_jit_version_*`, its place
//! from `dladdr` on one of its functions.
use std::ffi::{CStr, c_int, c_void};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

unsafe extern "C" {
    // LIBGCCJIT_ABI_13 (GCC 8).
    fn gcc_jit_version_major() -> c_int;
    fn gcc_jit_version_minor() -> c_int;
    fn gcc_jit_version_patchlevel() -> c_int;
    fn gcc_jit_context_acquire() -> *mut c_void;
}

/// The loaded libgccjit's GCC version: (major, minor, patchlevel).
pub fn version() -> (u32, u32, u32) {
    static V: OnceLock<(u32, u32, u32)> = OnceLock::new();
    *V.get_or_init(|| {
        // SAFETY: the functions take nothing and read constants.
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
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    let addr = gcc_jit_context_acquire as *const c_void;
    // SAFETY: `addr` is a function of a loaded object; `info` is written by dladdr.
    if unsafe { libc::dladdr(addr, &mut info) } == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dladdr's file name is a NUL-terminated string owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes())))
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
