"""Histogram: bounded-memory percentiles within 1/32 of the exact value."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.instruments.histogram import Histogram, bucket_bounds, bucket_index


@given(st.integers(0, 10**13))
def test_every_value_falls_inside_its_bucket(value: int) -> None:
    """bucket_bounds inverts bucket_index, and buckets are at most 1/32 wide."""
    low, high = bucket_bounds(bucket_index(value))
    assert low <= value <= high
    assert high - low <= max(0, low // 32)


def test_buckets_tile_the_number_line() -> None:
    """Consecutive buckets meet with no gap and no overlap."""
    for index in range(0, 2000):
        assert bucket_bounds(index + 1)[0] == bucket_bounds(index)[1] + 1


@given(st.lists(st.integers(0, 10**10), min_size=1, max_size=300), st.sampled_from([50, 90, 99]))
def test_percentiles_are_within_a_bucket_of_exact(values: list[int], percent: int) -> None:
    """A percentile is the exact nearest-rank value, give or take 1/32."""
    histogram = Histogram()
    for value in values:
        histogram.add(value)
    exact = sorted(values)[max(1, math.ceil(percent / 100 * len(values))) - 1]
    reported = histogram.percentile(percent)
    assert reported is not None
    assert abs(reported - exact) <= exact / 32 + 1
    assert (histogram.min, histogram.max, histogram.count) == (
        min(values), max(values), len(values)
    )


def test_empty_histogram_has_no_percentiles() -> None:
    """No samples: None, not zero."""
    assert Histogram().percentile(50) is None


def test_negative_samples_count_as_zero_and_bad_percent_is_refused() -> None:
    """A clock quirk giving -1 ns must not break the table; 101 % is a bug."""
    histogram = Histogram()
    histogram.add(-5)
    assert histogram.percentile(100) == 0
    with pytest.raises(ValueError):
        histogram.percentile(101)
