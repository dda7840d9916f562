//! Stamps the build with a hash of the sources that decide machine code (this crate's,
//! ir-cfg's and runtime-abi's: the IR, the helper table and its signatures, the layout facts), so that the on-disk cache of
//! compiled code never serves code made by a different backend.
use std::hash::{Hash, Hasher};
use std::path::Path;

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn main() {
    // Integration tests run compiled code, which calls `_Py_Dealloc` by name: the test binary
    // exports its stand-in (tests/compile.rs) to the shared objects it loads.
    println!("cargo:rustc-link-arg-tests=-rdynamic");
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for d in [here.join("src"), here.join("../ir-cfg/src"), here.join("../runtime-abi/src")] {
        println!("cargo:rerun-if-changed={}", d.display());
        files(&d, &mut all);
    }
    all.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in &all {
        p.strip_prefix(here).unwrap_or(p).hash(&mut h);
        std::fs::read(p).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=COIR_BACKEND_HASH={:016x}", h.finish());
}
