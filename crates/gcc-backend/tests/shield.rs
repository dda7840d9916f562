//! libgccjit must not change the process's signal dispositions, exit handlers or limits while
//! it compiles (see `gcc_backend::shield`).
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use gccjit::{Context, FunctionType, OptimizationLevel, ToRValue};

extern "C" fn our_handler(_sig: libc::c_int) {}

fn disposition(sig: libc::c_int) -> libc::sighandler_t {
    // SAFETY: a query with a valid out-parameter.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old);
        old.sa_sigaction
    }
}

fn compile_something() {
    let ctx = Context::default();
    ctx.set_optimization_level(OptimizationLevel::Standard);
    let int = ctx.new_type::<i32>();
    let p = ctx.new_parameter(None, int, "x");
    let f = ctx.new_function(None, FunctionType::Exported, int, &[p], "twice", false);
    let b = f.new_block("entry");
    b.end_with_return(None, ctx.new_binary_op(None, gccjit::BinaryOp::Plus, int, p.to_rvalue(), p.to_rvalue()));
    let r = ctx.compile().expect("libgccjit compiles");
    let twice = r.get_function("twice").expect("compiled");
    // SAFETY: defined above as int(int).
    let twice: extern "C" fn(i32) -> i32 = unsafe { std::mem::transmute(twice.as_ptr()) };
    assert_eq!(twice(21), 42);
}

#[test]
fn gcc_never_installs_its_signal_handlers_or_exit_handlers() {
    assert!(gcc_backend::shield::install() > 0, "libgccjit's import slots were not found");
    let ours = our_handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: installing a handler that does nothing.
    unsafe {
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGCHLD] {
            libc::signal(sig, ours);
        }
    }
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) };

    // Watch the dispositions from another thread for the whole compile.
    let stop = Arc::new(AtomicBool::new(false));
    let changed = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (stop, changed) = (stop.clone(), changed.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGCHLD] {
                    if disposition(sig) != ours {
                        changed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        })
    };
    let before = gcc_backend::shield::stats();
    for _ in 0..3 {
        compile_something();
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let after = gcc_backend::shield::stats();

    assert_eq!(changed.load(Ordering::Relaxed), 0, "a signal disposition changed during a compile");
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGCHLD] {
        assert_eq!(disposition(sig), ours);
    }
    // GCC did try: the shield swallowed its calls.
    assert!(after.signal_calls > before.signal_calls, "{before:?} -> {after:?}");
    assert!(after.atexit_calls > before.atexit_calls, "{before:?} -> {after:?}");
    let mut now = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut now) };
    assert_eq!((now.rlim_cur, now.rlim_max), (limit.rlim_cur, limit.rlim_max));
}

#[test]
fn gcc_survives_the_program_reaping_its_children() {
    // A thread reaps every child as soon as it exits (what `os.waitpid(-1, WNOHANG)` loops
    // do); GCC's driver then finds its `as`/`ld` gone. Without the shield it reported a fatal
    // error and called exit(), ending this test process.
    gcc_backend::shield::install();
    let stop = Arc::new(AtomicBool::new(false));
    let reaper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let mut st = 0;
                // SAFETY: plain waitpid with a valid out-parameter.
                unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
            }
        })
    };
    for _ in 0..40 {
        compile_something();
        if gcc_backend::shield::stats().reaped_elsewhere > 0 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    reaper.join().unwrap();
    assert!(gcc_backend::shield::stats().reaped_elsewhere > 0, "the reaper never won the race");
}
