"""What the loop hands to the output edge: plain values, no I/O."""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.kernel.record import Record

if TYPE_CHECKING:
    from sigcounter.actions import Action
    from sigcounter.kernel.siginfo import SigInfo



class Event(Record):
    """A handled signal and what it did. The loop builds one only for those
    who read it (a formatter other than the plain lines', a notifier, and
    the run's last signal, which ``TickLoop.run`` returns): a plain line is
    written from its bytes template (``output.line_templates``)."""

    __slots__ = ()
    _fields = ("action", "count", "reset_ns", "signal")
    action: Action  # the signal's action in the signal table
    count: int  # type: ignore[assignment]  # the count once it was handled (shadows tuple.count)
    reset_ns: int  # CLOCK_MONOTONIC of the last reset before it, or of the start of the ticks
    signal: SigInfo  # the signal as read, with its sender and the time of the read

    @property
    def time_ns(self) -> int:
        """CLOCK_MONOTONIC when the native wait read the signal from the signalfd."""
        return self.signal.read_ns


class Tick(Record):
    """Ticks counted in one wake-up (emitted only when asked for)."""

    __slots__ = ()
    _fields = ("action", "count", "expirations", "lateness_ns", "time_ns")
    action: Action  # always TICK
    count: int  # type: ignore[assignment]  # the count after these ticks (shadows tuple.count)
    expirations: int  # ticks counted in this wake-up (more than 1 after a stall)
    lateness_ns: int  # time_ns minus the due time of the last of them
    time_ns: int  # CLOCK_MONOTONIC when they were counted
