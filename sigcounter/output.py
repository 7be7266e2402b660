"""The output edge: the original program's exact lines, one ``write`` each."""

from __future__ import annotations

import os
import signal
import stat

from sigcounter.loop import DISPLAY, RESET, Event

# Go's os.Signal names, which the original prints in its shutdown line.
GO_SIGNAL_NAMES: dict[int, str] = {signal.SIGTERM: "terminated", signal.SIGINT: "interrupt"}


def display_line(count: int) -> str:
    return f"Ticker count: {count}\n"


def reset_line() -> str:
    return "Resetting ticker count to zero\n"


def shutdown_line(signo: int) -> str:
    name = GO_SIGNAL_NAMES.get(signo) or signal.strsignal(signo) or f"signal {signo}"
    return f"received {name} \N{EM DASH} shutting down\n"


def format_event(event: Event) -> str:
    if event.kind == DISPLAY:
        return display_line(event.count)
    if event.kind == RESET:
        return reset_line()
    return shutdown_line(event.signo)


def write_line(fd: int, line: str) -> None:
    """Write one whole line with one ``write(2)`` (more only if it is cut short).

    Nothing is buffered, so a line reaches a pipe or a file the moment its
    signal is handled; EPIPE surfaces as ``BrokenPipeError``.
    """
    data = line.encode()
    written = os.write(fd, data)
    while written < len(data):
        data = data[written:]
        written = os.write(fd, data)


def is_pipe_or_socket(fd: int) -> bool:
    """True when a reader at the other end can go away (so it is worth
    watching); false for files, terminals and closed fds."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
