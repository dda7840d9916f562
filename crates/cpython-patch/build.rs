//! Builds the C runtime against the target interpreter's own headers (internal ones included),
//! so every layout and inline helper is the interpreter's. The include directory comes from
//! `COIR_PY_INCLUDE`, or `COIR_PY_ROOT` (the private root `setup.sh` assembles), or the
//! interpreter's `sysconfig` (`PYO3_PYTHON`/`COIR_PYTHON`/`python3.14`).
//!
//! The C side of what Rust and C share is not written by hand: `$OUT_DIR/coir_facts.h` is
//! generated here from `runtime-abi`'s tables (helper prototypes and name→address table, the
//! ABI records, constants, layout and inline-cache checks; see `runtime_abi::header`), so a
//! C definition that disagrees with the tables fails this build.
use std::path::PathBuf;
use std::process::Command;

fn main() {
    for v in ["COIR_PY_INCLUDE", "COIR_PY_ROOT", "COIR_PYTHON", "PYO3_PYTHON"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    println!("cargo:rerun-if-changed=csrc/runtime.c");
    println!("cargo:rerun-if-changed=csrc/runtime.h");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let header = out.join("coir_facts.h");
    let text = runtime_abi::header::c_header();
    // Rewritten only when it changes, so the C file is not rebuilt for nothing.
    if std::fs::read_to_string(&header).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&header, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", header.display()));
    }
    let include = include_dir();
    let mut build = cc::Build::new();
    build
        .file("csrc/runtime.c")
        .include(&out)
        .include(&include)
        .include(include.join("internal"))
        .define("NDEBUG", None)
        .flag_if_supported("-std=gnu11")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-missing-field-initializers")
        .flag_if_supported("-Wno-sign-compare")
        .opt_level(2);
    // Debian's pyconfig.h includes <x86_64-linux-gnu/python3.14/pyconfig.h>.
    if let Some(usr_include) = include.parent() {
        build.include(usr_include);
    }
    build.compile("coir_runtime");
    gccjit_link_stub(&out);
}

/// An empty `libgccjit.so` found before the real one when the module is linked: the linker
/// resolves nothing from it, so (rustc links with `--as-needed`) the module gets no DT_NEEDED
/// entry for libgccjit and loading it does not load GCC (about 3.5 ms and 30 MB of mappings
/// per process). Its gcc_jit_* symbols stay undefined, bound through the PLT on first call,
/// after gcc-backend's `libgccjit::load` has made the library global (RTLD_GLOBAL); coir's
/// `__init__.py` imports the module with lazy binding.
fn gccjit_link_stub(out: &std::path::Path) {
    let dir = out.join("gccjit-stub");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let src = dir.join("empty.c");
    std::fs::write(&src, "/* nothing: see build.rs */\n").expect("write the stub's source");
    let compiler = cc::Build::new().get_compiler();
    let status = compiler
        .to_command()
        .args(["-shared", "-fPIC", "-o"])
        .arg(dir.join("libgccjit.so"))
        .arg(&src)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler for the libgccjit stub: {e}"));
    assert!(status.success(), "building the libgccjit link stub failed");
    println!("cargo:rustc-link-search=native={}", dir.display());
}

fn include_dir() -> PathBuf {
    if let Ok(p) = std::env::var("COIR_PY_INCLUDE") {
        return PathBuf::from(p);
    }
    if let Ok(root) = std::env::var("COIR_PY_ROOT") {
        return PathBuf::from(root).join("usr/include/python3.14");
    }
    let python = std::env::var("COIR_PYTHON")
        .or_else(|_| std::env::var("PYO3_PYTHON"))
        .unwrap_or_else(|_| "python3.14".into());
    let out = Command::new(&python)
        .args(["-c", "import sysconfig; print(sysconfig.get_paths()['include'])"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} to find CPython's headers: {e}"));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}
