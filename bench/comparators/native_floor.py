"""The floor for Python on sig-counter's native wait: where its latency could go.

The same native ``loop_wait`` call as sig-counter (signals read and decoded
in C), then straight-line Python with no function call between the wake-up
and the write. ``--frames N`` adds N trivial Python calls on that path, to
measure what each costs after a cold wake-up. Reaches into the binding's
C struct directly, which the program itself never does outside
sigcounter/kernel/. Usage: native_floor.py [--interval SECONDS] [--frames N]
"""

import os
import sys

from sigcounter.kernel.loopwait import LoopWait
from sigcounter.kernel.native import lib
from sigcounter.kernel.signalfd import SignalFD

args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
interval_ns = round(float(args.get("--interval", "1")) * 1e9)
frames = int(args.get("--frames", "0"))


def passed_through(value, depth):
    return passed_through(value, depth - 1) if depth else value


signals = SignalFD([lib.SIGINT, lib.SIGUSR1, lib.SIGUSR2, lib.SIGTERM], nonblocking=True)
wait = LoopWait(signals, interval_ns)
wait.arm()
state, loop_wait, write, count = wait._state, lib.loop_wait, os.write, 0
os.write(2, f"native_floor: pid {os.getpid()} ready\n".encode())
while True:
    loop_wait(state)
    count += state.ticks
    state.ticks = 0
    for i in range(state.nsignals):
        signo = state.signals[i].signo
        if signo == lib.SIGUSR1:
            if frames:
                count = passed_through(count, frames)
            write(1, f"Ticker count: {count}\n".encode())
        elif signo == lib.SIGUSR2:
            count = 0
            write(1, b"Resetting ticker count to zero\n")
        else:
            name = "terminated" if signo == lib.SIGTERM else "interrupt"
            write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
            sys.exit(0)
