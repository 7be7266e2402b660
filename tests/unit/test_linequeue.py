"""LineQueue: whole lines in order, bounded, drops counted, kept lines never dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.linequeue import LineQueue


def test_lines_wait_in_order_and_go_out_as_consumed() -> None:
    """What is pushed is peeked in order; consuming part of it leaves the rest."""
    queue = LineQueue(limit=100)
    assert queue.push(b"a\n") and queue.push(b"bb\n")
    assert (queue.peek(), queue.lines, len(queue)) == (b"a\nbb\n", 2, 5)
    queue.consume(3)
    assert queue.peek() == b"b\n" and queue.lines == 1


def test_past_the_bound_lines_are_dropped_and_counted_but_kept_ones_are_not() -> None:
    """Past the limit a line is dropped and counted; one pushed with keep is not."""
    queue = LineQueue(limit=4)
    assert queue.push(b"abc\n")
    assert not queue.push(b"d\n") and (queue.dropped, queue.dropped_total) == (1, 1)
    assert queue.push(b"last\n", keep=True) and queue.peek() == b"abc\nlast\n"
    assert queue.take_dropped() == 1 and queue.dropped == 0 and queue.dropped_total == 1


def test_clear_says_how_many_lines_were_waiting() -> None:
    """Clearing (a terminal gone) returns the whole lines forgotten."""
    queue = LineQueue()
    queue.push(b"1\n2\n")
    assert queue.clear() == 2 and not queue


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        LineQueue(limit=-1)


@given(st.lists(st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"") + b"\n")),
       st.integers(0, 200))
def test_every_line_is_either_queued_or_counted(lines: list[bytes], limit: int) -> None:
    """No line vanishes: queued plus dropped is every line pushed, queued ones in order."""
    queue = LineQueue(limit=limit)
    kept = [line for line in lines if queue.push(line)]
    assert queue.peek() == b"".join(kept) and len(queue) <= limit
    assert queue.lines + queue.dropped_total == len(lines)
