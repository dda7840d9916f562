# coir: the background compile thread races interpreter exit.
# A function gets hot and is queued to the "coir-compile" thread; the program ends while GCC is
# still inside gcc_jit_context_compile. exit() runs libgccjit's C++ static destructors
# (global_ranges, target_ira_int, ...) on the main thread under the running compilation ->
# SIGSEGV on coir-compile (often a call through address 0: the pure-virtual slot of the
# destroyed global_ranges). No crash with COIR_BACKGROUND=0 or if the queue is drained first.
# Exit normally needs only ~0.2 ms after those destructors, so the race is rare. By default this
# file makes exit() slower *after* them: 256 KiB left in a C stdio buffer on a pipe whose reader
# waits 1 s; exit()'s final stdio flush (_IO_cleanup, after all destructors) then blocks.
# Nothing in coir or libgccjit is touched. BG_CRASH_PLAIN=1: no amplifier (rare crash).
import ctypes
import os
import subprocess
import time


def accumulate(n):
    t = 0
    for i in range(n):
        t += i
    for i in range(n):
        t += i * 2
    for i in range(n):
        t += i * 3
    return t


def compile_thread_cpu():
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                if f.read().strip() == "coir-compile":
                    with open(f"/proc/self/task/{tid}/schedstat") as s:
                        return int(s.read().split()[0]) / 1e9
        except OSError:
            pass
    return 0.0


if os.environ.get("BG_CRASH_PLAIN") != "1":
    r, w = os.pipe()
    subprocess.Popen(["sh", "-c", "sleep 1; cat >/dev/null"], stdin=r)
    os.close(r)
    libc = ctypes.CDLL(None)
    libc.fdopen.restype = libc.malloc.restype = ctypes.c_void_p
    fp = ctypes.c_void_p(libc.fdopen(w, b"w"))
    buf = ctypes.c_void_p(libc.malloc(1 << 20))        # never freed: used at exit
    libc.setvbuf(fp, buf, 0, ctypes.c_size_t(1 << 20))  # fully buffered, 1 MiB
    libc.fwrite(b"x" * (256 << 10), 1, 256 << 10, fp)  # stays buffered until exit()

for _ in range(1001):           # the 1000th call queues `accumulate` for compilation
    accumulate(3)
deadline = time.monotonic() + 2                        # (no compile thread: just exit)
while compile_thread_cpu() < 0.005 and time.monotonic() < deadline:
    time.sleep(0.0005)                                 # until GCC has started compiling
print("exiting while coir-compile is inside libgccjit")
