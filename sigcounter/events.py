"""What the loop reports to the edges: plain values, no I/O."""

from __future__ import annotations

from sigcounter.kernel.record import Record

DISPLAY, RESET, SHUTDOWN, TICK = "display", "reset", "shutdown", "tick"


class Event(Record):
    """A handled signal and what it did, for the output edge."""

    __slots__ = ()
    _fields = ("kind", "total", "signo", "sender_pid", "sender_uid", "time_ns")
    kind: str  # DISPLAY, RESET or SHUTDOWN
    total: int  # the count once it was handled
    signo: int
    sender_pid: int  # 0 for a sender outside our PID namespace
    sender_uid: int
    time_ns: int  # CLOCK_MONOTONIC when the loop handled it


class Tick(Record):
    """Ticks counted in one wake-up (emitted only when asked for)."""

    __slots__ = ()
    _fields = ("kind", "total", "expirations", "lateness_ns", "time_ns")
    kind: str  # always TICK, so that every event is told apart by its first field
    total: int  # the count after these ticks
    expirations: int  # ticks counted in this wake-up (more than 1 after a stall)
    lateness_ns: int  # now minus the last counted tick's scheduled time
    time_ns: int  # CLOCK_MONOTONIC when they were counted
