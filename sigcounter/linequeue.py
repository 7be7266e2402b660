"""LineQueue: whole lines waiting for a stalled stdout, in order, bounded.

Pure bookkeeping, no I/O: what the writer could not write yet waits here.
Past the bound, new lines are dropped and counted, never silently; a line
pushed with ``keep`` (the rest of a line already started, the shutdown line,
the report of the drops) is never dropped, so the bound can be passed by
those few lines only.
"""

from __future__ import annotations

QUEUE_LIMIT = 1 << 20  # bytes of lines waiting; past it new lines are dropped


class LineQueue:
    """Bytes of whole lines, oldest first."""

    def __init__(self, limit: int = QUEUE_LIMIT) -> None:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        self.limit = limit
        self.dropped = 0  # lines dropped since the last take_dropped()
        self.dropped_total = 0
        self.pending = bytearray()  # the bytes waiting; empty (false) when none

    def __len__(self) -> int:
        return len(self.pending)

    @property
    def lines(self) -> int:
        """Whole lines waiting."""
        return self.pending.count(b"\n")

    def push(self, data: bytes, *, keep: bool = False) -> bool:
        """Queue ``data`` behind what waits; False (and counted) if it was dropped."""
        if not keep and len(self.pending) + len(data) > self.limit:
            lines = data.count(b"\n")
            self.dropped += lines
            self.dropped_total += lines
            return False
        self.pending += data
        return True

    def peek(self) -> bytes:
        """Everything waiting, to try writing it."""
        return bytes(self.pending)

    def consume(self, written: int) -> None:
        """The first ``written`` bytes went out."""
        del self.pending[:written]

    def clear(self) -> int:
        """Forget what waits; return how many whole lines that was."""
        lines = self.lines
        self.pending.clear()
        return lines

    def take_dropped(self) -> int:
        """Lines dropped since the last call (to report them once)."""
        dropped, self.dropped = self.dropped, 0
        return dropped
