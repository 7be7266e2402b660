"""Sinks: a descriptor someone else handed us (stdout, stderr), written
without blocking, each kind of file in the way that keeps its lines whole.

Setting O_NONBLOCK on the descriptor itself would change the one open file
description that the shell and any sibling process share with us. So each
kind of file is a route of its own, one class here, chosen by ``open_sink``:

- ``PipeSink``: a pipe or FIFO, opened again through /proc/self/fd/N for a
  description of our own to set O_NONBLOCK on; ``NowaitPipeSink`` where
  another user's pipe may not be opened again (a flag on each write). A
  write of at most PIPE_BUF bytes to a pipe is atomic (all of it, or EAGAIN
  and none), so each write carries whole lines up to PIPE_BUF: another
  writer's line can only come between ours, and a stalled write never
  leaves half a line behind.
- ``TerminalSink``: a terminal, reopened the same way. The kernel takes what
  fits, so a line may go out in parts; the writer finishes it first.
- ``StreamSocketSink``: a stream socket (journald's stdout), which cannot be
  reopened; ``send(MSG_DONTWAIT)`` is non-blocking for that one call. It may
  take part of a line too.
- ``DatagramSink``: a datagram or seqpacket socket: one line per datagram,
  which the kernel sends whole or not at all.
- ``Sink``: a regular file, /dev/null or another device, which does not
  block: plain ``write``; a pty's master side too, as it is. Also where a
  pipe or terminal can neither be opened again nor flagged (no /proc,
  another user's FIFO or terminal): written blocking, as a plain ``write``
  would, with ``watchable`` False and ``fallback`` saying why.
"""

from __future__ import annotations

import os
import stat
import time

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    import _socket
    from collections.abc import Callable

PIPE_BUF = 4096  # the most a pipe write keeps atomic (pipe(7)); the same on every Linux
BATCH = 1 << 16  # the bytes of whole lines one write carries elsewhere


class Sink:
    """Writes to ``fd``, which is never closed or changed here: plain ``write``."""

    kind = "file"
    syscall = "write"  # the name of the system call each write makes, for --stats
    watchable = False  # epoll can say when it has room
    batch_bytes = BATCH  # bytes of whole lines a write may carry (one line is always allowed)
    lines_per_write = BATCH  # lines a write may carry
    send: Callable[[int, bytes], int] = staticmethod(os.write)  # (fd, data) -> bytes written

    def __init__(self, fd: int, terminal: str = "", fallback: str = "", kind: str = "") -> None:
        self.fd = fd
        self.kind = kind or self.kind  # a blocking fallback names what it stands in for
        self.write_fd = fd  # the descriptor written to: ours, where the route opened one
        self.terminal = terminal  # its name, or "" when not a terminal
        self.fallback = fallback  # why a pipe or terminal is written blocking; "" if not
        self.calls = {self.syscall: 0}  # the system calls made, for --stats

    def describe(self, name: str) -> str:
        """``name`` with what it is, for messages: ``stdout (a pipe)``."""
        return f"{name} ({self.terminal or 'a ' + self.kind})"

    def write(self, data: bytes) -> int:
        """Write what the file takes now; the bytes written, 0 if it is full.
        Any other failure is the OSError, with its errno."""
        self.calls[self.syscall] += 1
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
        self.write_fd = self.fd


class _ReopenedSink(Sink):
    """A description of our own, opened through /proc, non-blocking."""

    watchable = True

    def __init__(self, fd: int, own: int, terminal: str = "") -> None:
        super().__init__(fd, terminal)
        self.write_fd = own

    def close(self) -> None:
        if self.write_fd != self.fd:
            os.close(self.write_fd)
        super().close()


class PipeSink(_ReopenedSink):
    kind = "pipe"
    batch_bytes = PIPE_BUF


class TerminalSink(_ReopenedSink):
    kind = "terminal"


class NowaitPipeSink(Sink):
    """A pipe another user made (``sudo -u``, ``setpriv``), which this one may
    not open again: ``pwritev2(RWF_NOWAIT)`` is non-blocking for that one
    call, as atomic as a non-blocking ``write``. Linux 6.4 and later, and
    only for pipes made by pipe(2), not FIFOs."""

    kind = "pipe"
    syscall = "pwritev2"
    watchable = True
    batch_bytes = PIPE_BUF

    def __init__(self, fd: int) -> None:
        super().__init__(fd)
        flags = os.RWF_NOWAIT

        def send(_fd: int, data: bytes) -> int:
            return os.pwritev(fd, (data,), -1, flags)

        self.send = send


class StreamSocketSink(Sink):
    """send(MSG_DONTWAIT) on a second fd for the same socket."""

    kind = "stream socket"
    syscall = "sendto"  # send(2) is sendto(2) with no address
    watchable = True

    def __init__(self, fd: int, own: _socket.socket) -> None:
        import _socket

        super().__init__(fd)
        self._own = own
        flags = _socket.MSG_DONTWAIT

        def send(_fd: int, data: bytes) -> int:
            return own.send(data, flags)

        self.send = send

    def close(self) -> None:
        self._own.close()
        super().close()


class DatagramSink(StreamSocketSink):
    """One line a datagram: a reader gets exactly the lines, one by one."""

    kind = "datagram socket"
    lines_per_write = 1


def open_sink(fd: int) -> Sink:
    """The route that writes ``fd`` without blocking and keeps its lines whole."""
    terminal = _tty_name(fd)
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return Sink(fd)
    if stat.S_ISSOCK(mode):
        return _socket_sink(fd)
    pipe = stat.S_ISFIFO(mode)
    if not pipe and not (stat.S_ISCHR(mode) and terminal not in ("", "/dev/ptmx")):
        return Sink(fd)
    try:
        own = os.open(f"/proc/self/fd/{fd}",
                      os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:  # no /proc, or no right to open it again (another user's)
        if pipe and _nowait_pipe(fd):
            return NowaitPipeSink(fd)
        return Sink(fd, terminal, fallback=exc.strerror or str(exc),
                    kind=PipeSink.kind if pipe else TerminalSink.kind)
    return PipeSink(fd, own) if pipe else TerminalSink(fd, own, terminal)


def _nowait_pipe(fd: int) -> bool:
    """Does the kernel take RWF_NOWAIT for ``fd``? Pipes made by pipe(2) have
    since Linux 6.4; a write of no bytes returns before the flag is checked,
    so the release is what tells."""
    try:
        anonymous = os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        major, minor = os.uname().release.split(".")[:2]
        return anonymous and (int(major), int(minor.split("-")[0])) >= (6, 4)
    except (OSError, ValueError):
        return False


def _tty_name(fd: int) -> str:
    try:
        return os.ttyname(fd)
    except OSError:  # not a terminal
        return ""


def _socket_sink(fd: int) -> Sink:
    # The C module alone: `socket` pulls in enum and selectors, which the
    # plain command never loads (kernel/lean.py), and stdout is a socket
    # under journald.
    import _socket

    own = _socket.socket(fileno=os.dup(fd))  # a second fd, same socket, for send()
    if own.type in (_socket.SOCK_DGRAM, _socket.SOCK_SEQPACKET):
        return DatagramSink(fd, own)
    return StreamSocketSink(fd, own)
