"""The counter's state and nothing else: no I/O, no clock, no signals."""

from __future__ import annotations


class Counter:
    """Ticks counted since start or since the last reset."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def tick(self, expirations: int = 1) -> int:
        """Add ``expirations`` ticks (a timer read can report several)."""
        if expirations < 0:
            raise ValueError(f"expirations cannot be negative: {expirations}")
        self.count += expirations
        return self.count

    def reset(self) -> None:
        """Back to zero; when the next tick comes is not the counter's business."""
        self.count = 0

    def __repr__(self) -> str:
        return f"Counter(count={self.count})"
