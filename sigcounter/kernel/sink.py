"""Sink: a descriptor someone else handed us (stdout), written without blocking.

Setting O_NONBLOCK on the descriptor itself would change the one open file
description that the shell and any sibling process share with us. So each
kind of file gets a way of its own:

- a pipe, FIFO or terminal is opened again through /proc/self/fd/N, which
  gives a description of our own to set O_NONBLOCK on;
- a socket cannot be opened that way; ``send(MSG_DONTWAIT)`` is non-blocking
  for that one call (on a second fd for the same socket);
- a regular file or /dev/null does not block: plain ``write``.

Where none of these works (no /proc, or a pty's master side, whose name
/dev/ptmx would open a new pty), the sink writes blocking, as a plain
``write`` would, and says so with ``watchable`` False.
"""

from __future__ import annotations

import os
import stat
import time

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    Send = Callable[[int, bytes], int]  # (fd, data) -> bytes written


class Sink:
    """Non-blocking writes to ``fd``, which is never closed or changed here."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.terminal = _tty_name(fd)  # its name, or "" when not a terminal
        self.write_fd, self.send, self.watchable, self._close = _route(fd, self.terminal)
        # The system calls made, by name, for --stats (send() is sendto(2)).
        self.call = "write" if self.send is os.write else "sendto"
        self.calls = {self.call: 0}

    def write(self, data: bytes) -> int:
        """Write what the file takes now; the bytes written, 0 if it is full.
        Any other failure is the OSError, with its errno."""
        self.calls[self.call] += 1
        try:
            return self.send(self.write_fd, data)
        except BlockingIOError:
            return 0

    def wait_writable(self, deadline_ns: int) -> bool:
        """Wait until the file takes bytes again, or CLOCK_MONOTONIC reaches
        ``deadline_ns``; False, without waiting, once it has."""
        import select  # only an output that stalled ever waits

        left_ns = deadline_ns - time.monotonic_ns()
        if left_ns <= 0:
            return False
        poller = select.poll()
        poller.register(self.write_fd, select.POLLOUT)
        poller.poll(-(-left_ns // 1_000_000))  # in ms, rounded up
        return True

    def close(self) -> None:
        """Close what the sink opened of its own (never ``fd`` itself)."""
        if self._close is not None:
            self._close()
            self._close = None
        self.write_fd = self.fd


def _route(fd: int, terminal: str) -> tuple[int, Send, bool, Callable[[], None] | None]:
    """(fd to write to, how to write, whether epoll can watch it, how to close
    what was opened) for ``fd``, a terminal named ``terminal`` ("" if not)."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return fd, os.write, False, None
    if stat.S_ISSOCK(mode):
        return _dontwait_route(fd)
    if stat.S_ISFIFO(mode) or (stat.S_ISCHR(mode) and terminal not in ("", "/dev/ptmx")):
        try:
            own = os.open(f"/proc/self/fd/{fd}",
                          os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
        except OSError:
            return fd, os.write, False, None
        return own, os.write, True, lambda: os.close(own)
    return fd, os.write, False, None


def _tty_name(fd: int) -> str:
    try:
        return os.ttyname(fd)
    except OSError:  # not a terminal
        return ""


def _dontwait_route(fd: int) -> tuple[int, Send, bool, Callable[[], None]]:
    # Imported only when stdout is a socket: `socket` pulls in enum, which the
    # plain command never loads (tests/system/test_lean.py).
    import socket

    own = socket.socket(fileno=os.dup(fd))  # a second fd, same socket, for send()

    def send(_fd: int, data: bytes) -> int:
        return own.send(data, socket.MSG_DONTWAIT)

    return fd, send, True, own.close
