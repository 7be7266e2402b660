"""Histogram: percentiles of a stream of durations in bounded memory.

Log-linear buckets, as HDR histograms use: values below 64 ns are exact, and
every power of two above is split into 32 buckets, so a reported percentile
is within 1/32 (about 3 %) of the true one, and the minimum and maximum are
exact. A day of ticks costs no more memory than a minute.
"""

from __future__ import annotations

import math

_SUB_BITS = 5
_SUB = 1 << _SUB_BITS  # buckets per power of two
_EXACT = 2 * _SUB  # values below this get a bucket each


def bucket_index(value: int) -> int:
    if value < _EXACT:
        return value
    shift = value.bit_length() - _SUB_BITS - 1
    return ((shift + 1) << _SUB_BITS) + (value >> shift) - _SUB


def bucket_bounds(index: int) -> tuple[int, int]:
    """The values [low, high] that land in bucket ``index``."""
    if index < _EXACT:
        return index, index
    shift = (index >> _SUB_BITS) - 1
    low = ((index & (_SUB - 1)) + _SUB) << shift
    return low, low + (1 << shift) - 1


class Histogram:
    """Counts of non-negative integers (nanoseconds, say) by bucket."""

    def __init__(self) -> None:
        self._buckets: dict[int, int] = {}
        self.count = 0
        self.min: int | None = None
        self.max: int | None = None

    def add(self, value: int) -> None:
        value = max(0, value)
        index = bucket_index(value)
        self._buckets[index] = self._buckets.get(index, 0) + 1
        self.count += 1
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)

    def percentile(self, percent: float) -> int | None:
        """The nearest-rank percentile (the middle of its bucket), or None if empty."""
        if not 0 <= percent <= 100:
            raise ValueError(f"percent must be within 0..100, got {percent}")
        if self.count == 0 or self.min is None or self.max is None:
            return None
        rank = max(1, math.ceil(percent / 100 * self.count))
        seen = 0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if seen >= rank:
                low, high = bucket_bounds(index)
                return min(max((low + high) // 2, self.min), self.max)
        return self.max  # pragma: no cover - the ranks always add up
