"""What the loop reports to the edges: plain values, no I/O."""

from __future__ import annotations

import signal
from typing import NamedTuple

DISPLAY, RESET, SHUTDOWN, TICK = "display", "reset", "shutdown", "tick"


def signal_name(signo: int) -> str:
    """SIGUSR1 for 10; a number without a name (a real-time signal) as SIG34."""
    try:
        return signal.Signals(signo).name
    except ValueError:
        return f"SIG{signo}"


class Event(NamedTuple):
    """A handled signal (or, when asked for, a tick), for the output edge."""

    kind: str  # DISPLAY, RESET, SHUTDOWN or TICK
    count: int  # type: ignore[assignment]  # the count once it was handled
    signo: signal.Signals | int  # 0 for a tick
    sender_pid: int  # 0 for a tick, or a sender outside our PID namespace
    sender_uid: int
    time_ns: int  # CLOCK_MONOTONIC when the loop handled it
    expirations: int = 0  # for a tick: timer expirations it counted
