"""What the loop hands to the output edge: plain values, no I/O."""

from __future__ import annotations

from sigcounter.kernel.record import Record
from sigcounter.kernel.siginfo import SigInfo
from sigcounter.signaltable import DISPLAY, RESET, SHUTDOWN, TICK

__all__ = ["DISPLAY", "RESET", "SHUTDOWN", "TICK", "Event", "Tick"]


class Event(Record):
    """A handled signal and what it did."""

    __slots__ = ()
    _fields = ("kind", "count", "signal")
    kind: str  # the signal's action in the signal table: DISPLAY, RESET or SHUTDOWN
    count: int  # type: ignore[assignment]  # the count once it was handled (shadows tuple.count)
    signal: SigInfo  # the signal as read, with its sender and the time of the read

    @property
    def time_ns(self) -> int:
        """CLOCK_MONOTONIC when the native wait read the signal from the signalfd."""
        return self.signal.read_ns


class Tick(Record):
    """Ticks counted in one wake-up (emitted only when asked for)."""

    __slots__ = ()
    _fields = ("kind", "count", "expirations", "lateness_ns", "time_ns")
    kind: str  # always TICK, so that every event is told apart by its kind
    count: int  # type: ignore[assignment]  # the count after these ticks (shadows tuple.count)
    expirations: int  # ticks counted in this wake-up (more than 1 after a stall)
    lateness_ns: int  # time_ns minus the due time of the last of them
    time_ns: int  # CLOCK_MONOTONIC when they were counted
