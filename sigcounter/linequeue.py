"""LineQueue: whole lines waiting for a stalled output, in order, bounded.

Pure bookkeeping, no I/O of its own: what the writer could not write yet
waits here, one entry a line, so that the route writing them (kernel/sink.py)
decides how many whole lines each write carries. Past the bound, new lines
are dropped and counted, never silently; a line pushed with ``keep`` (the
shutdown line, the report of the drops) is never dropped, so the bound can
be passed by those few lines only. A line the output took only part of stays
first, as its rest, and goes out before anything else.
"""

from __future__ import annotations

from itertools import islice

from sigcounter.kernel.lean import TYPE_CHECKING

if TYPE_CHECKING:
    from collections import deque
    from collections.abc import Callable
else:  # `collections` is Python around the built-in one: kernel/lean.py
    from _collections import deque

QUEUE_LIMIT = 1 << 20  # bytes of lines waiting; past it new lines are dropped


class LineQueue:
    """Whole lines, oldest first (the first may be the rest of a started one)."""

    def __init__(self, limit: int = QUEUE_LIMIT) -> None:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        self.limit = limit
        self.dropped = 0  # lines dropped since the last take_dropped()
        self.dropped_total = 0
        self.waiting: deque[bytes] = deque()  # the lines; empty (false) when none
        self._bytes = 0

    def __len__(self) -> int:
        """Bytes waiting."""
        return self._bytes

    @property
    def lines(self) -> int:
        """Lines waiting (a started one's rest counts: it is not delivered)."""
        return len(self.waiting)

    def push(self, line: bytes, *, keep: bool = False) -> bool:
        """Queue one whole ``line`` behind what waits; False (and counted) if it was dropped."""
        if not keep and self._bytes + len(line) > self.limit:
            self.count_dropped(1)
            return False
        self.waiting.append(line)
        self._bytes += len(line)
        return True

    def count_dropped(self, lines: int) -> None:
        """``lines`` never reached the output (past the bound, or refused by it)."""
        self.dropped += lines
        self.dropped_total += lines

    def batch(self, max_bytes: int, max_lines: int) -> bytes:
        """The first lines, whole, at most ``max_lines`` of them in at most
        ``max_bytes``; always the first one, however long it is."""
        waiting = self.waiting
        first = waiting[0]
        size = len(first)
        if max_lines == 1 or len(waiting) == 1 or size >= max_bytes:
            return first
        taken = [first]
        for line in islice(waiting, 1, None):
            size += len(line)
            if size > max_bytes or len(taken) == max_lines:
                break
            taken.append(line)
        return b"".join(taken)

    def consume(self, written: int) -> None:
        """The first ``written`` bytes went out; a line cut short stays first,
        as its rest. (Past what waits, nothing: it was cleared meanwhile.)"""
        waiting = self.waiting
        while written and waiting:
            first = waiting[0]
            if written < len(first):
                waiting[0] = first[written:]
                self._bytes -= written
                return
            waiting.popleft()
            self._bytes -= len(first)
            written -= len(first)

    def write_out(self, write: Callable[[bytes], int], max_bytes: int, max_lines: int) -> bool:
        """Hand the lines to ``write`` in batches (see ``batch``) until all are
        out (True) or it takes nothing (False: the output is full)."""
        while self.waiting:
            written = write(self.batch(max_bytes, max_lines))
            if not written:
                return False
            self.consume(written)
        return True

    def clear(self) -> int:
        """Forget what waits; return how many lines that was."""
        lines = len(self.waiting)
        self.waiting.clear()
        self._bytes = 0
        return lines

    def take_dropped(self) -> int:
        """Lines dropped since the last call (to report them once)."""
        dropped, self.dropped = self.dropped, 0
        return dropped
