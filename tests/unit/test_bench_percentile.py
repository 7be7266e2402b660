"""The bench's one percentile (bench/measures.py): nearest rank, always a measured value."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def percentile() -> Callable[[list[float], float], Any]:
    sys.path.insert(0, str(BENCH))
    try:
        import measures  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCH))
    return measures.percentile  # type: ignore[no-any-return]


@pytest.mark.parametrize(("values", "percent", "expected"), [
    ([5, 1, 3, 2, 4], 50, 3),  # odd count: the middle one, whatever the order
    ([1, 2, 3, 4], 50, 2),  # even count: the lower middle one
    (list(range(1, 101)), 99, 99),  # no float rounding past the rank
    (list(range(1, 101)), 100, 100),
    ([1, 2, 3], 0, 1),
    ([7], 99, 7),
])
def test_the_percentile_is_the_nearest_ranks_value(
    percentile: Callable[[list[float], float], Any], values: list[float], percent: float,
    expected: float,
) -> None:
    """The smallest value with at least ``percent`` of the values at or below it."""
    assert percentile(values, percent) == expected
