"""The standard descriptors: made safe before anything is opened, and ``say``,
the one way the program writes a message to stderr.

A shell or a service manager may start a program with fd 0, 1 or 2 closed.
The next fd the program opens then takes that number: a signalfd at fd 1
would be "stdout", and the count would be written into it. So before any
other descriptor exists: a closed stdin or stderr is opened on /dev/null
(nothing to read; messages go nowhere, as the parent chose), and a closed
stdout, where the program's whole output goes, is an error.
"""

from __future__ import annotations

import os


def say(message: str, fd: int = 2) -> None:
    """One line on stderr (or ``fd``), one ``write``; never raises: with stderr
    gone there is nowhere left to report to."""
    try:  # noqa: SIM105 - contextlib would cost an import at start-up
        os.write(fd, f"{message}\n".encode())
    except OSError:
        pass


class ClosedStdout(Exception):
    """fd 1 is not open; the message is one line."""


def secure_standard_fds() -> None:
    """Fill a closed fd 0 or 2 with /dev/null; ClosedStdout if fd 1 is closed.

    Runs before anything else is opened, so each /dev/null lands on the
    lowest free number, the very one that was closed."""
    for fd in (0, 1, 2):
        if _is_open(fd):
            continue
        if fd == 1:
            raise ClosedStdout("stdout is closed: there is nowhere to write the count")
        placeholder = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if placeholder != fd:  # something else was open below it after all
            os.dup2(placeholder, fd)
            os.close(placeholder)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def write_all(fd: int, text: str) -> str | None:
    """``text`` written whole to ``fd``: None, or the error's words if it could not be."""
    data = memoryview(text.encode())
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
