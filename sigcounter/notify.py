"""sd_notify: telling a service manager (systemd) how the program is doing.

The protocol is a datagram of ``KEY=value`` lines sent to the ``AF_UNIX``
socket named by ``NOTIFY_SOCKET``: a path, or ``@name`` for an abstract
address. It is written here by hand, in a few lines, rather than taken from
a library: systemd-python builds against libsystemd and the ``sdnotify``
package imports ``socket``, which loads ``enum``, ``collections`` and
``selectors``, several times what the program itself imports. ``_socket``,
the C module under ``socket``, loads nothing else.

No send may stall the loop, whose signals are blocked (a stuck ``sendto``
would make SIGTERM useless): STATUS= and WATCHDOG=1 never wait, and are
dropped when the manager's queue is full (the next one replaces them).
READY=1 and STOPPING=1, each sent once, wait up to a second for room, since
a manager that misses READY=1 would time the start out. That second is the
one wait allowed between the blocking of the signals and the loop: it is
bounded, and a SIGTERM sent meanwhile stays pending and is answered when it
ends (libsystemd's own ``sd_notify`` sends on a blocking socket, with no
bound at all). A queue is full when its manager is busy, with many services
starting at once, say, and soon has room again; a READY=1 dropped at once
would cost the whole start. A message that
cannot be delivered is reported on stderr, the first time only, and the
program keeps running.
"""

from __future__ import annotations

import _socket
import os
import sys

from sigcounter.events import Tick
from sigcounter.kernel.epoll import EPOLLIN
from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.signals import signal_name
from sigcounter.kernel.timerfd import TimerFD
from sigcounter.options import PROG
from sigcounter.shown import shown

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sigcounter.events import Event
    from sigcounter.loop import Emit, TickLoop

    Warn = Callable[[str], None]

_NO_WAIT = _socket.MSG_DONTWAIT | _socket.MSG_NOSIGNAL
_WAIT = _socket.MSG_NOSIGNAL
# SO_SNDTIMEO, the longest a waiting send blocks: a struct timeval of one
# second, packed by hand (the struct module is one import more).
_SEND_TIMEOUT = (1).to_bytes(8, sys.byteorder) + (0).to_bytes(8, sys.byteorder)


def socket_address(name: str) -> str | bytes | None:
    """``NOTIFY_SOCKET`` as an ``AF_UNIX`` address: a path as is, ``@name`` as
    the abstract ``\\0name``; None for any other form."""
    if name.startswith("/"):
        return name
    if name.startswith("@") and len(name) > 1:
        return b"\0" + os.fsencode(name[1:])
    return None


def watchdog_period_ns(environ: Mapping[str, str], pid: int) -> int | None:
    """How often to send ``WATCHDOG=1``: half of ``WATCHDOG_USEC``, when it is
    set and ``WATCHDOG_PID`` is unset or ``pid``; else None. ValueError when
    ``WATCHDOG_USEC`` is not a positive whole number of microseconds."""
    usec = environ.get("WATCHDOG_USEC")
    if not usec:
        return None
    watchdog_pid = environ.get("WATCHDOG_PID")
    if watchdog_pid and watchdog_pid != str(pid):
        return None  # meant for another process (a wrapper that exec'd us, say)
    if not (usec.isascii() and usec.isdigit()) or int(usec) == 0:
        raise ValueError(f"WATCHDOG_USEC={shown(usec)} is not a positive number of microseconds")
    return int(usec) * 500  # microseconds / 2, in nanoseconds


def status_line(interval: str, event: Event) -> str:
    """The STATUS= text after a handled signal: the interval and the count."""
    name = signal_name(event.signal.signo)
    return f"STATUS=ticking every {interval}; count {event.count} at {name}"


def notifying(emit: Emit, send: Callable[..., None], interval: str) -> Emit:
    """``emit``, plus STATUS= after each handled signal's line, and STOPPING=1
    before a shutdown signal's line. Ticks pass through without a message,
    so an idle tick costs what it did."""

    def emit_and_notify(event: Event | Tick) -> None:
        if isinstance(event, Tick):
            emit(event)
        elif event.action.ends_run:
            send("STOPPING=1", f"STATUS=stopping on {signal_name(event.signal.signo)}; "
                               f"count {event.count}", wait=True)
            emit(event)
        else:
            emit(event)  # the answer first: the status can wait a write
            send(status_line(interval, event))

    return emit_and_notify


class Notifier:
    """The notify socket named by ``address``; ``warn`` gets the one stderr
    line when a message cannot be delivered."""

    def __init__(self, address: str, warn: Warn) -> None:
        self.address = address
        self._warn = warn
        self._undelivered = False  # said once; later failures are silent
        self.calls = {"sendto": 0, "read": 0}  # system calls made, for --stats
        self._target = socket_address(address)
        self._socket: _socket.socket | None = None
        self._watchdog: TimerFD | None = None
        if self._target is None:
            self._complain("not a path or an @name")
        else:
            flags = _socket.SOCK_DGRAM | _socket.SOCK_CLOEXEC
            self._socket = _socket.socket(_socket.AF_UNIX, flags)
            self._socket.setsockopt(_socket.SOL_SOCKET, _socket.SO_SNDTIMEO, _SEND_TIMEOUT)

    def send(self, *assignments: str, wait: bool = False) -> None:
        """One datagram of ``KEY=value`` lines; with ``wait``, up to a second
        for room in the manager's queue. A failure is said once."""
        if self._socket is None or self._target is None:
            return
        message = "\n".join(assignments).encode()
        self.calls["sendto"] += 1
        try:
            self._socket.sendto(message, _WAIT if wait else _NO_WAIT, self._target)
        except OSError as exc:
            self._complain(exc.strerror or str(exc))

    def _complain(self, reason: str) -> None:
        if not self._undelivered:
            self._undelivered = True
            self._warn(f"{PROG}: cannot notify NOTIFY_SOCKET={shown(self.address)}: {reason}; "
                       "running on without it")

    def ready(self, interval: str) -> None:
        self.send("READY=1", f"STATUS=ticking every {interval}; no signal yet", wait=True)

    def start_watchdog(self, loop: TickLoop, environ: Mapping[str, str]) -> None:
        """Send WATCHDOG=1 every ``WATCHDOG_USEC / 2`` from ``loop``'s own wait,
        when asked for: a stalled loop stops pinging, which is the point."""
        try:
            period_ns = watchdog_period_ns(environ, os.getpid())
        except ValueError as exc:
            self._warn(f"{PROG}: {exc}; no watchdog pings")
            return
        if period_ns is None or self._socket is None:
            return
        self._watchdog = timer = TimerFD(nonblocking=True)
        timer.settime(period_ns, period_ns)
        loop.watch(timer, EPOLLIN, self._ping)

    def _ping(self, events: int) -> None:
        self.calls["read"] += 1
        if self._watchdog is not None and self._watchdog.read():
            self.send("WATCHDOG=1")

    def close(self) -> None:
        for owned in (self._watchdog, self._socket):
            if owned is not None:
                owned.close()
        self._watchdog = self._socket = None
