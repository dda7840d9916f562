//! libgccjit's playback runs in a child process (`gcc_backend::isolate`): its results, errors
//! and deaths come back to the parent, also when the program reaps the child itself.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gcc_backend::isolate::{in_child_process, in_child_process_within};
use gcc_backend::{Abi, BackendError, CodeConsts, LayoutFacts, Options};
use gccjit::{Context, FunctionType, OutputKind, ToRValue};
use ir_cfg::ssa::{Function, Imm, Opcode, SsaBuilder, Terminator};
use ir_cfg::{Helper, Singleton};

/// The tests fork and reap: one at a time, so that one test's reaper takes no other test's child.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// An ABI whose addresses are placeholders: the code compiled below calls none of them.
fn abi() -> Abi {
    Abi {
        facts: LayoutFacts {
            frame_localsplus: 80,
            frame_instr_ptr: 56,
            tstate_eval_breaker: 24,
            eval_events_mask: 0xff,
            incref_immortal_threshold: 1 << 30,
            stackref_tag_bits: 3,
            stackref_null: 1,
            stackref_size: 8,
            ..LayoutFacts::default()
        },
        singletons: [0x1000, 0x2000, 0x3000],
        types: std::array::from_fn(|i| 0x4000 + 0x1000 * i),
        math: std::array::from_fn(|i| 0x8000 + 0x1000 * i),
        small_ints: (0..256).map(|i| 0x10000 + 32 * i).collect(),
        helpers: Helper::ALL.iter().enumerate().map(|(i, h)| (*h, 0x100000 + 16 * i)).collect(),
    }
}

/// `return None` (the relocation table supplies None's address).
fn return_none() -> Function {
    let mut b = SsaBuilder::new("return_none", 0);
    let none = b.ins1(Opcode::Singleton, Imm::Singleton(Singleton::None), vec![], None).unwrap();
    b.terminate(Terminator::Return(none)).unwrap();
    b.finish().unwrap()
}

fn tmp_so(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("coir-isolate-test-{}-{tag}.so", std::process::id()))
}

#[test]
fn code_compiled_in_the_child_loads_and_runs() {
    let _g = serial();
    assert!(gcc_backend::isolate::enabled(), "COIR_GCC_ISOLATE=0 is set: these tests need isolation");
    let abi = abi();
    let opts = Options { dump_dir: None, ..Options::default() };
    let c = gcc_backend::compile(&return_none(), &abi, &CodeConsts::default(), &opts).expect("compiles");
    // SAFETY: the function touches neither the thread state nor the frame.
    let r = unsafe { (c.entry())(std::ptr::null_mut(), std::ptr::null_mut(), c.relocs()) };
    assert_eq!(r as usize, abi.singletons[0]);
    assert!(!gcc_backend::isolate::in_child());
}

#[test]
fn dumps_are_written_by_the_child() {
    let _g = serial();
    let dir = std::env::temp_dir().join(format!("coir-isolate-test-dumps-{}", std::process::id()));
    let opts = Options { dump_dir: Some(dir.clone()), dump_stem: "f".into(), ..Options::default() };
    gcc_backend::compile(&return_none(), &abi(), &CodeConsts::default(), &opts).expect("compiles");
    let gimple = std::fs::read_to_string(dir.join("f.gimple")).unwrap();
    let asm = std::fs::read_to_string(dir.join("f.s")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(gimple.contains("py_return_none"), "{gimple}");
    // The label of the entry: its name and part of its cache key.
    assert!(asm.lines().any(|l| l.starts_with("py_return_none_") && l.ends_with(':')), "{asm}");
}

#[test]
fn gcc_errors_come_back_from_the_child() {
    let _g = serial();
    let ctx = Context::default();
    ctx.set_print_errors_to_stderr(false);
    let int = ctx.new_type::<i32>();
    let f = ctx.new_function(None, FunctionType::Exported, int, &[], "f", false);
    f.new_block("entry").end_with_return(None, ctx.new_rvalue_zero(int));
    // A block no path reaches: libgccjit refuses the context when it compiles it.
    f.new_block("orphan").end_with_return(None, ctx.new_rvalue_one(int).to_rvalue());
    let out = tmp_so("error");
    let r = in_child_process(
        || {
            ctx.compile_to_file(OutputKind::DynamicLibrary, out.to_string_lossy());
            match ctx.get_first_error() {
                Ok(Some(e)) => Err(e.to_string()),
                _ => Ok(()),
            }
        },
        Some(&out),
    );
    let _ = std::fs::remove_file(&out);
    match r {
        Err(BackendError::Gcc(text)) => assert!(text.contains("unreachable block"), "{text}"),
        other => panic!("{other:?}"),
    }
    // The parent's context saw nothing of it: the child had its own copy.
    assert_eq!(ctx.get_first_error().ok().flatten(), None);
}

#[test]
fn a_child_that_dies_is_an_error_saying_how() {
    let _g = serial();
    let killed = in_child_process(
        || {
            // SAFETY: ends the child.
            unsafe { libc::raise(libc::SIGKILL) };
            Ok(())
        },
        None,
    );
    match killed {
        Err(BackendError::Gcc(text)) => assert!(text.contains("killed by signal 9 (SIGKILL)"), "{text}"),
        other => panic!("{other:?}"),
    }
    let exited = in_child_process(
        || {
            // SAFETY: ends the child, as GCC's fatal errors do (through the shield's `exit`).
            unsafe { libc::_exit(3) }
        },
        None,
    );
    match exited {
        Err(BackendError::Gcc(text)) => assert!(text.contains("exited with status 3"), "{text}"),
        other => panic!("{other:?}"),
    }
    let panicked = in_child_process(|| panic!("inside the child"), None);
    assert_eq!(panicked, Err(BackendError::Gcc("inside the child".into())));
}

#[test]
fn a_process_holding_the_pipe_open_does_not_delay_the_verdict() {
    let _g = serial();
    for verdict in [true, false] {
        let start = Instant::now();
        let r = in_child_process(
            || {
                // A grandchild inherits the write end and keeps it open for seconds, as a
                // process forked by another thread during the compile would.
                // SAFETY: the grandchild only sleeps and leaves.
                unsafe {
                    if libc::fork() == 0 {
                        libc::sleep(3);
                        libc::_exit(0);
                    }
                    if !verdict {
                        libc::_exit(1);
                    }
                }
                Ok(())
            },
            None,
        );
        assert_eq!(r.is_ok(), verdict, "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(2), "waited {:?} for the pipe's end", start.elapsed());
    }
}

#[test]
fn a_child_reaped_by_the_program_still_gives_its_result() {
    let _g = serial();
    // A thread reaps every child as soon as it exits (`os.waitpid(-1, WNOHANG)` loops, as
    // CPython's regrtest runs).
    let stop = Arc::new(AtomicBool::new(false));
    let reaped = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let reaper = {
        let (stop, reaped) = (stop.clone(), reaped.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let mut st = 0;
                // SAFETY: plain waitpid with a valid out-parameter.
                if unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) } > 0 {
                    reaped.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let abi = abi();
    let opts = Options { dump_dir: None, ..Options::default() };
    for _ in 0..10 {
        let c = gcc_backend::compile(&return_none(), &abi, &CodeConsts::default(), &opts).expect("compiles");
        // SAFETY: as above.
        let r = unsafe { (c.entry())(std::ptr::null_mut(), std::ptr::null_mut(), c.relocs()) };
        assert_eq!(r as usize, abi.singletons[0]);
    }
    for _ in 0..200 {
        assert_eq!(in_child_process(|| Ok(()), None), Ok(()));
        assert_eq!(in_child_process(|| Err("refused".into()), None), Err(BackendError::Gcc("refused".into())));
        if reaped.load(Ordering::Relaxed) > 20 {
            break;
        }
    }
    // A child with no verdict is an error whoever took its status.
    // SAFETY: ends the child.
    let r = in_child_process(|| unsafe { libc::_exit(0) }, None);
    stop.store(true, Ordering::Relaxed);
    reaper.join().unwrap();
    assert!(matches!(r, Err(BackendError::Gcc(_))), "{r:?}");
    assert!(reaped.load(Ordering::Relaxed) > 0, "the reaper never won the race");
}

#[test]
fn a_child_that_runs_too_long_is_killed() {
    let _g = serial();
    let start = std::time::Instant::now();
    let r = in_child_process_within(
        || loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
        None,
        std::time::Duration::from_millis(300),
    );
    match r {
        Err(BackendError::Gcc(text)) => assert!(text.contains("ran longer than") && text.contains("killed"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn the_child_holds_none_of_the_programs_descriptors() {
    let _g = serial();
    // A pipe as `subprocess` makes one for a program it starts: the child must not keep its
    // write end open, or a reader waiting for the end of the pipe waits for the compile.
    let mut fds = [0; 2];
    // SAFETY: a valid two-int array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let r = in_child_process(
        || {
            // SAFETY: F_GETFD on an integer descriptor; EBADF if it is not open.
            let open = fds.iter().filter(|&&fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1).count();
            // Standard error stays: GCC's diagnostics go there.
            // SAFETY: as above.
            let stderr = unsafe { libc::fcntl(2, libc::F_GETFD) } != -1;
            if open == 0 && stderr { Ok(()) } else { Err(format!("{open} of the pipe's ends open, stderr open: {stderr}")) }
        },
        None,
    );
    // SAFETY: our own descriptors.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    assert_eq!(r, Ok(()));
}
