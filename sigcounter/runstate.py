"""RunState: what one run keeps, that the signals' actions act on. No I/O, no clock."""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from sigcounter.instruments.stats import Stats


class RunState:
    """The count (ticks since the start or the last reset), when that start or
    reset was (CLOCK_MONOTONIC ns; the loop sets the start when it arms the
    ticks), and the --stats instrument when one is on, for an action to read."""

    __slots__ = ("count", "reset_ns", "stats")

    def __init__(self, count: int = 0, *, stats: Stats | None = None) -> None:
        self.count = count
        self.reset_ns = 0
        self.stats = stats

    def tick(self, expirations: int = 1) -> int:
        """Add ``expirations`` ticks (a timer read can report several)."""
        if expirations < 0:
            raise ValueError(f"expirations cannot be negative: {expirations}")
        self.count += expirations
        return self.count

    def reset(self, at_ns: int) -> None:
        """Back to zero at ``at_ns``; when the next tick comes is not the count's business."""
        self.count = 0
        self.reset_ns = at_ns

    def __repr__(self) -> str:
        return f"RunState(count={self.count}, reset_ns={self.reset_ns})"
