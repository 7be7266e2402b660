"""The floor for Python on sig-counter's native wait: where its latency could go.

The same native ``loop_wait`` call as sig-counter (signals read and decoded
in C), on a ``struct loop_wait`` of its own set up here from the library's
public pieces (the C struct, ``Epoll``, ``TimerFD``, ``SignalFD``), then
straight-line Python with no function call between the wake-up and the
write. ``--frames N`` adds N trivial Python calls on that path, to measure
what each costs after a cold wake-up.

``--upto STEP`` puts back, one step after another, the pieces of
sig-counter's own path, to time each where it runs (bench/latency_split.py):
``wait`` takes the signals from the binding's ``LoopWait.wait_in_place()``
(each signal's number read where the native wait put it, as the loop reads
it) instead of the C struct's cdata fields; ``template`` also makes the line as the
loop does, from the row's bytes template (``output.line_templates``) instead
of an f-string; ``write`` also writes it with the program's StdoutWriter
(``line_writer``) instead of ``os.write``.
Usage: native_floor.py [--interval SECONDS] [--frames N] [--upto STEP]
"""

import os
import sys

from sigcounter.kernel.epoll import Epoll
from sigcounter.kernel.native import ffi, lib
from sigcounter.kernel.signalfd import SignalFD
from sigcounter.kernel.timerfd import TimerFD

args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
interval_ns = round(float(args.get("--interval", "1")) * 1e9)
frames = int(args.get("--frames", "0"))
STEPS = ("", "wait", "template", "write")
upto = STEPS.index(args.get("--upto", ""))


def passed_through(value, depth):
    return passed_through(value, depth - 1) if depth else value


def shutdown(signo):
    name = "terminated" if signo == lib.SIGTERM else "interrupt"
    os.write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
    sys.exit(0)


signals = SignalFD([lib.SIGINT, lib.SIGUSR1, lib.SIGUSR2, lib.SIGTERM], nonblocking=True)
if upto:
    from sigcounter.kernel.loopwait import RECORDS, LoopWait
    from sigcounter.kernel.siginfo import RECORD_WORDS
    from sigcounter.output import line_templates
    from sigcounter.writer import StdoutWriter

    binding = LoopWait(signals, interval_ns)
    binding.arm()
    wait_call, words, templates = binding.wait_in_place, binding.words, line_templates()
    USR1 = lib.SIGUSR1
    write_line = StdoutWriter(1).line_writer()
else:
    epoll, timer = Epoll(), TimerFD(nonblocking=True)
    state = ffi.new("struct loop_wait *")
    state.epfd, state.timerfd, state.signalfd = epoll.fileno(), timer.fileno(), signals.fileno()
    state.interval_ns = interval_ns
    epoll.register(timer, data=lib.TAG_TIMER)
    epoll.register(signals, data=lib.TAG_SIGNALS)
    timer.settime(interval_ns, interval_ns)
loop_wait, write, count = lib.loop_wait, os.write, 0
os.write(2, f"native_floor: pid {os.getpid()} ready\n".encode())
while upto:
    ticks, nsignals, _ = wait_call()
    count += ticks
    for start in range(RECORDS, RECORDS + RECORD_WORDS * nsignals, RECORD_WORDS):
        signo = words[start]
        if signo == USR1:
            if upto == 1:
                write(1, f"Ticker count: {count}\n".encode())
                continue
            template, shows_count = templates[signo]
            line = template % count if shows_count else template
            if upto == 2:
                write(1, line)
            else:
                write_line(line)
        elif signo == lib.SIGUSR2:
            count = 0
            write(1, b"Resetting ticker count to zero\n")
        else:
            shutdown(signo)
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
            shutdown(signo)
