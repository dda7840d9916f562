# A program installs signal handlers while a compile is running (30 ms after a function got
# hot), then receives those signals: its own dispositions must be in force.
import os
import signal
import sys
import time

import coir

got = []


# A big function: its compile takes well over 30 ms.
src = "def big(a):\n" + "".join(f"    a = (a + {i}) * 3 % 1000003\n" for i in range(120)) + "    return a\n"
ns = {}
exec(src, ns)
big = ns["big"]

for _ in range(1001):
    big(1)          # gets hot: queued for the compile thread
time.sleep(0.03)    # the compile is under way
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
coir._native.wait_compiled()
os.kill(os.getpid(), signal.SIGTERM)
os.kill(os.getpid(), signal.SIGUSR1)
for _ in range(100):
    if got:
        break
    time.sleep(0.01)
print("compiled" if coir.is_compiled(big) else "not compiled", "handler ran" if got else "handler lost")
