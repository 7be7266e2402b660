"""The floor for Python on sig-counter's native wait: where its latency could go.

The same native ``loop_wait`` call as sig-counter (signals read and decoded
in C), then straight-line Python with no function call between the wake-up
and the write. ``--frames N`` adds N trivial Python calls on that path, to
measure what each costs after a cold wake-up. Reaches into the binding's
C struct directly, which the program itself never does outside
sigcounter/kernel/.

``--upto STEP`` puts back, one step after another, the pieces of
sig-counter's own path, to time each where it runs (bench/latency_split.py):
``wait`` takes the signals from the binding's ``LoopWait.wait()`` (SigInfo
records) instead of the C struct; ``event`` also builds the loop's Event;
``format`` also makes the line with the program's formatter; ``emit`` writes
it with the program's StdoutWriter instead of ``os.write``.
Usage: native_floor.py [--interval SECONDS] [--frames N] [--upto STEP]
"""

import os
import sys

from sigcounter.kernel.loopwait import LoopWait
from sigcounter.kernel.native import lib
from sigcounter.kernel.signalfd import SignalFD

args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
interval_ns = round(float(args.get("--interval", "1")) * 1e9)
frames = int(args.get("--frames", "0"))
STEPS = ("", "wait", "event", "format", "emit")
upto = STEPS.index(args.get("--upto", ""))


def passed_through(value, depth):
    return passed_through(value, depth - 1) if depth else value


signals = SignalFD([lib.SIGINT, lib.SIGUSR1, lib.SIGUSR2, lib.SIGTERM], nonblocking=True)
wait = LoopWait(signals, interval_ns)
wait.arm()
state, loop_wait, write, count = wait._state, lib.loop_wait, os.write, 0
os.write(2, f"native_floor: pid {os.getpid()} ready\n".encode())
if upto:
    from sigcounter.actions import DISPLAY
    from sigcounter.events import Event
    from sigcounter.kernel.lean import build_record
    from sigcounter.output import format_event
    from sigcounter.writer import StdoutWriter

    wait_call, emit, USR1 = wait.wait, StdoutWriter(1).emitter(format_event), lib.SIGUSR1
while upto:
    ticks, records, _ = wait_call()
    count += ticks
    for info in records:
        if info.signo == USR1:
            if upto == 1:
                write(1, f"Ticker count: {count}\n".encode())
                continue
            event = build_record(Event, (DISPLAY, count, 0, info))
            if upto == 2:
                write(1, f"Ticker count: {event.count}\n".encode())
            elif upto == 3:
                write(1, format_event(event).encode())
            else:
                emit(event)
        elif info.signo == lib.SIGUSR2:
            count = 0
            write(1, b"Resetting ticker count to zero\n")
        else:
            name = "terminated" if info.signo == lib.SIGTERM else "interrupt"
            write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
            sys.exit(0)
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
