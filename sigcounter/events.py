"""What the loop reports to the edges: plain values, no I/O."""

from __future__ import annotations

from sigcounter.record import Record

DISPLAY, RESET, SHUTDOWN, TICK = "display", "reset", "shutdown", "tick"


class Event(Record):
    """A handled signal (or, when asked for, a tick), for the output edge."""

    _fields = (
        "kind", "count", "signo", "sender_pid", "sender_uid", "time_ns", "expirations",
    )
    kind: str  # DISPLAY, RESET, SHUTDOWN or TICK
    count: int  # type: ignore[assignment]  # the count once it was handled
    signo: int  # 0 for a tick
    sender_pid: int  # 0 for a tick, or a sender outside our PID namespace
    sender_uid: int
    time_ns: int  # CLOCK_MONOTONIC when the loop handled it
    expirations: int  # for a tick: timer expirations it counted; else 0
