"""sig-counter written plainly on the library's wrappers: SignalFD, TimerFD and
Epoll, with the whole loop in Python. The same syscalls as the program; the
difference in CPU is what the program's native wait saves.
Usage: python_loop.py [--interval SECONDS]
"""

import os
import sys

from interval import interval_from_argv

from sigcounter.kernel.epoll import Epoll
from sigcounter.kernel.signalfd import SignalFD
from sigcounter.kernel.signals import SIGINT, SIGTERM, SIGUSR1, SIGUSR2
from sigcounter.kernel.timerfd import TimerFD

interval = interval_from_argv()
interval_ns = round(interval * 1e9)
STOPS = {SIGTERM: "terminated", SIGINT: "interrupt"}


def main() -> int:
    # SignalFD blocks the signals in this thread *before* it makes the fd, so a
    # signal sent from now on waits, pending, to be read, instead of running its
    # default action (for SIGUSR1: terminate). This is the only thread, so the
    # mask covers the whole process.
    with (
        SignalFD([SIGINT, SIGUSR1, SIGUSR2, SIGTERM]) as signals,
        TimerFD() as timer,
        Epoll() as epoll,
    ):
        # Periodic from its own schedule, not from when we read it: read() says
        # how many periods passed, so a stopped or starved process misses none.
        timer.settime(interval_ns, interval_ns)
        epoll.register(signals)
        epoll.register(timer)
        # Signals blocked and both fds armed: what is sent from now on is answered.
        os.write(2, f"python_loop: pid {os.getpid()} ready\n".encode())
        count = 0
        while True:
            ready = {fd for fd, _events in epoll.wait()}  # EINTR (SIGSTOP/SIGCONT) retried
            # Ticks before signals: a SIGUSR1 that arrives with a due tick
            # must report it, whatever order epoll listed the two fds in.
            if timer.fileno() in ready:
                count += timer.read()
            if signals.fileno() not in ready:
                continue
            # One read takes up to 16 pending signals, lowest number first; a
            # signal sent again while pending was merged into one by the kernel.
            for info in signals.read():
                # One os.write per line: nothing sits in a buffer, and a pipe
                # reader sees the line at once.
                if info.signo == SIGUSR1:
                    os.write(1, f"Ticker count: {count}\n".encode())
                elif info.signo == SIGUSR2:
                    count = 0  # the timer's phase is kept
                    os.write(1, b"Resetting ticker count to zero\n")
                else:
                    name = STOPS[info.signo]
                    os.write(1, f"received {name} \N{EM DASH} shutting down\n".encode())
                    return 0  # leaving the with closes the three fds


sys.exit(main())
