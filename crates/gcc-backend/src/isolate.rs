//! libgccjit's playback (GCC proper, its driver, `as` and `ld`) in a child process.
//!
//! libgccjit 12 loses memory inside every `gcc_jit_context_compile*` call (valgrind: several
//! KiB "definitely lost" per compile of a trivial function; ~24 KiB of resident memory per
//! compile for coir's functions), so a long-lived program that compiles thousands of functions
//! grows without bound. Here the process builds the context (libgccjit's recording side, which
//! is freed with the context) and forks; the child replays it into GCC, writes the output file
//! and a one-line verdict into a pipe, and leaves with `_exit`: whatever GCC allocated dies
//! with it. The parent reads the verdict, reaps the child and loads the file.
//!
//! The child is a copy of a possibly multi-threaded process with only the forking thread in
//! it: it runs nothing but libgccjit (whose global lock the parent never holds, since no
//! playback runs there) and `_exit`s without running exit handlers or destructors. GCC's
//! own `exit()` on a fatal error is turned into `_exit` by [`crate::shield`] in the child.
//!
//! The child closes every descriptor it inherited except standard input, output and error:
//! a copy of the program's pipes would otherwise stay open for as long as the compile runs, and
//! a program reading such a pipe to its end (`subprocess.communicate()` while the compile
//! thread forked in the moment between `pipe()` and the parent closing its copy of the write
//! end) would wait for the compile. The parent gives a child [`deadline`] seconds, then kills
//! it: a compile that never finishes becomes a refusal instead of a compile thread stuck for
//! the rest of the program.
//!
//! `COIR_GCC_ISOLATE=0` compiles in the process instead ([`enabled`]).
use std::ffi::c_int;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::BackendError;

static IN_CHILD: AtomicBool = AtomicBool::new(false);

/// Whether compiles run in a child process: true unless `COIR_GCC_ISOLATE=0` (read once).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("COIR_GCC_ISOLATE").is_none_or(|v| v != "0"))
}

/// How long a compile child may run before the parent kills it: `COIR_GCC_TIMEOUT` seconds
/// (read once), else 120. The largest functions of the standard library compile in a few
/// seconds; the margin is for a loaded machine.
pub fn deadline() -> Duration {
    static SECS: OnceLock<f64> = OnceLock::new();
    let secs = *SECS.get_or_init(|| {
        std::env::var("COIR_GCC_TIMEOUT").ok().and_then(|v| v.parse::<f64>().ok()).filter(|s| *s > 0.0).unwrap_or(120.0)
    });
    Duration::from_secs_f64(secs)
}

/// Set once the process is ending (see [`cancel_all`]).
static CANCELLED: AtomicBool = AtomicBool::new(false);

/// The process is ending: a compile child still running is killed at once, as is any started
/// later (their results would be dropped). Without it, exit waited for the child, up to the
/// [`deadline`] when the child hung.
pub fn cancel_all() {
    CANCELLED.store(true, Ordering::Release);
}

/// Whether this process is a compile child made by [`in_child_process`].
pub fn in_child() -> bool {
    IN_CHILD.load(Ordering::Relaxed)
}

/// Run `compile` (a libgccjit compile that returns the context's first error, if any) in a
/// child process if [`enabled`], else here. `output` is the file the compile writes: a child
/// whose parent died meanwhile deletes it.
pub fn run(compile: impl FnOnce() -> Result<(), String>, output: Option<&Path>) -> Result<(), BackendError> {
    if enabled() { in_child_process(compile, output) } else { compile().map_err(BackendError::Gcc) }
}

/// Run `compile` in a forked child and return its verdict: `Ok`, its error as
/// [`BackendError::Gcc`], or how the child ended if it gave no verdict (killed, or exited
/// without reporting). If the process cannot fork, `compile` runs here.
///
/// Call with the asynchronous signals blocked (the child inherits the mask, so a Ctrl-C sent
/// to the process group does not end it halfway). The child's exit status may be taken by
/// someone else's `waitpid(-1)`: its verdict comes through the pipe, so that is harmless.
pub fn in_child_process(compile: impl FnOnce() -> Result<(), String>, output: Option<&Path>) -> Result<(), BackendError> {
    in_child_process_within(compile, output, deadline())
}

/// [`in_child_process`], killing the child once it has run for `limit`.
pub fn in_child_process_within(
    compile: impl FnOnce() -> Result<(), String>,
    output: Option<&Path>,
    limit: Duration,
) -> Result<(), BackendError> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: a valid two-int array. O_CLOEXEC: `as` and `ld`, and any program another thread
    // starts meanwhile, do not hold the write end open.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return compile().map_err(BackendError::Gcc);
    }
    let (rd, wr) = (fds[0], fds[1]);
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the child runs only `compile` and `_exit`s (see `child`).
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        child(compile, output, parent, rd, wr);
    }
    // SAFETY: our own descriptor.
    unsafe { libc::close(wr) };
    if pid < 0 {
        // SAFETY: our own descriptor.
        unsafe { libc::close(rd) };
        return compile().map_err(BackendError::Gcc);
    }
    let (message, status, timed_out) = collect(pid, rd, limit);
    // SAFETY: our own descriptor.
    unsafe { libc::close(rd) };
    match message.split_last() {
        Some((0, text)) => match text.split_first() {
            Some((b'+', _)) => Ok(()),
            Some((_, err)) => Err(BackendError::Gcc(String::from_utf8_lossy(err).into_owned())),
            None => Err(BackendError::Gcc("compiler process sent an empty verdict".into())),
        },
        _ if timed_out && CANCELLED.load(Ordering::Acquire) => Err(BackendError::Cancelled),
        _ if timed_out => Err(BackendError::Gcc(format!("compiler process ran longer than {limit:?} and was killed"))),
        _ => Err(BackendError::Gcc(format!("compiler process {}", how_it_ended(status)))),
    }
}

/// The child's side: compile, report, `_exit`. Never returns.
fn child(compile: impl FnOnce() -> Result<(), String>, output: Option<&Path>, parent: libc::pid_t, rd: c_int, wr: c_int) -> ! {
    IN_CHILD.store(true, Ordering::Relaxed);
    // SAFETY: our copy of the read end.
    unsafe { libc::close(rd) };
    close_inherited(wr);
    // A panic must not unwind into the parent's frames, which this copy of the thread shares.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(compile));
    let mut msg = match r {
        Ok(Ok(())) => b"+".to_vec(),
        Ok(Err(e)) => format!("-{e}").into_bytes(),
        Err(p) => {
            let what = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            format!("-{what}").into_bytes()
        }
    };
    msg.retain(|&b| b != 0);
    msg.push(0);
    // Orphaned (the program ended during the compile): nobody will rename or load the file.
    // SAFETY: getppid has no preconditions.
    if let Some(out) = output
        && unsafe { libc::getppid() } != parent
    {
        let _ = std::fs::remove_file(out);
    }
    let mut rest = &msg[..];
    while !rest.is_empty() {
        // SAFETY: writes from a live buffer to our pipe.
        let n = unsafe { libc::write(wr, rest.as_ptr().cast(), rest.len()) };
        if n > 0 {
            rest = &rest[n as usize..];
        } else if n < 0 && errno() == libc::EINTR {
            continue;
        } else {
            break;
        }
    }
    // SAFETY: ends this process without exit handlers, destructors or stdio flushes (buffers
    // copied from the parent must not be written twice).
    unsafe { libc::_exit(0) }
}

/// Close every descriptor above standard error except `keep` (see the module comment). Nothing
/// the compile uses is open yet: libgccjit's playback opens its own files.
fn close_inherited(keep: c_int) {
    let close = |first: c_int, last: c_int| {
        if first > last {
            return;
        }
        // SAFETY: closes descriptors of this (child) process only.
        if unsafe { libc::close_range(first as libc::c_uint, last as libc::c_uint, 0) } != 0 {
            // Kernels before 5.9: one at a time, up to the descriptor limit.
            // SAFETY: as above.
            let max = unsafe { libc::sysconf(libc::_SC_OPEN_MAX) }.clamp(1024, 1 << 20) as c_int;
            for fd in first..=last.min(max) {
                // SAFETY: as above; EBADF for descriptors that are not open.
                unsafe { libc::close(fd) };
            }
        }
    };
    close(3, keep - 1);
    close(keep + 1, c_int::MAX);
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Read the child's verdict (up to its terminating NUL, or EOF) and reap it, killing it once it
/// has run for `limit`. Returns the bytes read, the child's wait status if this process got it,
/// and whether it was killed for running too long.
///
/// The child's exit also ends the wait when the pipe never reaches EOF (a process another
/// thread forked meanwhile holds a copy of the write end) and when the program reaped the
/// child first (`waitpid(-1)`: ECHILD here).
fn collect(pid: libc::pid_t, rd: c_int, limit: Duration) -> (Vec<u8>, Option<c_int>, bool) {
    let mut buf = Vec::new();
    let mut status = None;
    let mut gone = false;
    let mut timed_out = false;
    let start = Instant::now();
    let mut chunk = [0u8; 4096];
    while buf.last() != Some(&0) {
        let mut pfd = libc::pollfd { fd: rd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        // Woken every 10 ms to look at the child and at `cancel_all`: the exit of a process
        // with a compile in flight waits that long at most (it waited up to 100 ms, a fifth
        // of the coroutines benchmark's whole-process time).
        let ready = unsafe { libc::poll(&mut pfd, 1, if gone { 0 } else { 10 }) };
        if ready < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            break;
        }
        if ready == 0 {
            if gone {
                // Exited and nothing more to read.
                break;
            }
            let mut st = 0;
            // SAFETY: valid out-parameter.
            let r = unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) };
            if r == pid {
                status = Some(st);
                gone = true;
            } else if r < 0 && errno() != libc::EINTR {
                gone = true;
            } else if r == 0 && (start.elapsed() >= limit || CANCELLED.load(Ordering::Acquire)) {
                // SAFETY: our own child, not yet reaped (so the pid is still ours).
                unsafe { libc::kill(pid, libc::SIGKILL) };
                timed_out = true;
                break;
            }
            continue;
        }
        // SAFETY: reads into a live buffer.
        let n = unsafe { libc::read(rd, chunk.as_mut_ptr().cast(), chunk.len()) };
        if n > 0 {
            buf.extend_from_slice(&chunk[..n as usize]);
        } else if n == 0 || (errno() != libc::EINTR && errno() != libc::EAGAIN) {
            break;
        }
    }
    while !gone {
        let mut st = 0;
        // SAFETY: valid out-parameter.
        let r = unsafe { libc::waitpid(pid, &mut st, 0) };
        if r == pid {
            status = Some(st);
        } else if r < 0 && errno() == libc::EINTR {
            continue;
        }
        // ECHILD: the program reaped it; the verdict (or its absence) already tells.
        gone = true;
    }
    (buf, status, timed_out)
}

/// "was killed by signal 9 (SIGKILL)", "exited with status 1 without a verdict", ...
fn how_it_ended(status: Option<c_int>) -> String {
    match status {
        Some(st) if libc::WIFSIGNALED(st) => {
            let sig = libc::WTERMSIG(st);
            let name = match sig {
                libc::SIGKILL => "SIGKILL",
                libc::SIGSEGV => "SIGSEGV",
                libc::SIGABRT => "SIGABRT",
                libc::SIGBUS => "SIGBUS",
                libc::SIGTERM => "SIGTERM",
                libc::SIGILL => "SIGILL",
                libc::SIGFPE => "SIGFPE",
                libc::SIGINT => "SIGINT",
                _ => "",
            };
            if name.is_empty() { format!("was killed by signal {sig}") } else { format!("was killed by signal {sig} ({name})") }
        }
        Some(st) if libc::WIFEXITED(st) => {
            format!("exited with status {} without a verdict (GCC's fatal errors exit so; see stderr)", libc::WEXITSTATUS(st))
        }
        Some(st) => format!("ended with wait status {st:#x} without a verdict"),
        None => "ended without a verdict (its exit status was taken by another waiter)".into(),
    }
}
