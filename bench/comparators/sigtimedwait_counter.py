"""Standard library only, no handlers: block the signals and wait for them in
signal.sigtimedwait, with the time to the next tick as its timeout; ticks
are counted from time.monotonic_ns, so a SIGSTOP loses none.
Usage: sigtimedwait_counter.py [--interval SECONDS]
"""

import os
import signal
import sys
import time

from interval import interval_from_argv

interval = interval_from_argv()
interval_ns = round(interval * 1e9)
HANDLED = {signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT}
signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
os.write(2, f"sigtimedwait_counter: pid {os.getpid()} ready\n".encode())

start = time.monotonic_ns()
count = taken = 0
while True:
    left = start + (taken + 1) * interval_ns - time.monotonic_ns()
    info = signal.sigtimedwait(HANDLED, max(0, left) / 1e9)
    elapsed = (time.monotonic_ns() - start) // interval_ns
    count, taken = count + elapsed - taken, elapsed
    # CPython 3.11's sigtimedwait, interrupted (EINTR, e.g. by SIGSTOP/SIGCONT)
    # past its deadline, returns an uninitialised siginfo instead of None:
    # anything but a signal we asked for is a timeout.
    if info is None or info.si_signo not in HANDLED:
        continue
    if info.si_signo == signal.SIGUSR1:
        os.write(1, f"Ticker count: {count}\n".encode())
    elif info.si_signo == signal.SIGUSR2:
        count = 0
        os.write(1, b"Resetting ticker count to zero\n")
    else:
        name = "terminated" if info.si_signo == signal.SIGTERM else "interrupt"
        os.write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
        sys.exit(0)
