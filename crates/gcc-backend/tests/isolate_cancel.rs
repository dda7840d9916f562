//! `isolate::cancel_all` (its own test binary: the flag is process-wide and never cleared).
use std::time::{Duration, Instant};

use gcc_backend::isolate;

/// A compile child still running when the process starts ending is killed at once, and the
/// compile is an error saying why, instead of exit waiting for the child's deadline.
#[test]
fn a_cancelled_compile_child_is_killed_at_once() {
    if !isolate::enabled() {
        return;
    }
    let start = Instant::now();
    let canceller = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(300));
        isolate::cancel_all();
    });
    let r = isolate::run(
        || {
            std::thread::sleep(Duration::from_secs(60));
            Ok(())
        },
        None,
    );
    canceller.join().unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    assert_eq!(r, Err(gcc_backend::BackendError::Cancelled));
}
