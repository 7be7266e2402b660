"""LineQueue: whole lines in order, bounded, drops counted, kept lines never
dropped, and batches of whole lines within a route's limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigcounter.linequeue import LineQueue

LINES = st.lists(st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"") + b"\n"))


def _waiting(queue: LineQueue) -> bytes:
    return b"".join(queue.waiting)


def test_lines_wait_in_order_and_go_out_as_consumed() -> None:
    """What is pushed waits in order; consuming part of a line leaves its rest first."""
    queue = LineQueue(limit=100)
    assert queue.push(b"a\n") and queue.push(b"bb\n")
    assert (_waiting(queue), queue.lines, len(queue)) == (b"a\nbb\n", 2, 5)
    queue.consume(3)
    assert list(queue.waiting) == [b"b\n"] and (queue.lines, len(queue)) == (1, 2)


def test_past_the_bound_lines_are_dropped_and_counted_but_kept_ones_are_not() -> None:
    """Past the limit a line is dropped and counted; one pushed with keep is not."""
    queue = LineQueue(limit=4)
    assert queue.push(b"abc\n")
    assert not queue.push(b"d\n") and (queue.dropped, queue.dropped_total) == (1, 1)
    assert queue.push(b"last\n", keep=True) and _waiting(queue) == b"abc\nlast\n"
    assert queue.take_dropped() == 1 and queue.dropped == 0 and queue.dropped_total == 1


def test_clear_says_how_many_lines_were_waiting() -> None:
    """Clearing (a terminal gone) returns the lines forgotten, and a write that
    was under way when it happened consumes nothing more."""
    queue = LineQueue()
    queue.push(b"1\n")
    queue.push(b"2\n")
    assert queue.clear() == 2 and not queue.waiting and len(queue) == 0
    queue.consume(4)
    assert len(queue) == 0


def test_a_batch_is_whole_lines_within_the_bytes_and_the_lines_allowed() -> None:
    """A batch never cuts a line, stops before the byte limit, and carries one
    line when only one is allowed (a datagram) or the first alone is too long."""
    queue = LineQueue()
    for line in (b"aaa\n", b"bb\n", b"c\n"):
        queue.push(line)
    assert queue.batch(7, 10) == b"aaa\nbb\n"
    assert queue.batch(6, 10) == b"aaa\n"
    assert queue.batch(100, 1) == b"aaa\n"
    assert queue.batch(100, 2) == b"aaa\nbb\n"
    assert queue.batch(2, 10) == b"aaa\n"  # longer than the limit: alone, the documented exception


def test_write_out_stops_when_the_output_takes_nothing() -> None:
    """write_out hands over batches until the writer takes nothing, then says so."""
    queue = LineQueue()
    for line in (b"one\n", b"two\n", b"three\n"):
        queue.push(line)
    taken: list[bytes] = []

    def write(data: bytes) -> int:
        if taken:
            return 0
        taken.append(data)
        return len(data)

    assert not queue.write_out(write, 8, 100)
    assert taken == [b"one\ntwo\n"] and list(queue.waiting) == [b"three\n"]


def test_a_negative_limit_is_refused() -> None:
    """A queue cannot be built with a negative bound."""
    with pytest.raises(ValueError, match="limit"):
        LineQueue(limit=-1)


@given(LINES, st.integers(0, 200))
def test_every_line_is_either_queued_or_counted(lines: list[bytes], limit: int) -> None:
    """No line vanishes: queued plus dropped is every line pushed, queued ones in order."""
    queue = LineQueue(limit=limit)
    kept = [line for line in lines if queue.push(line)]
    assert _waiting(queue) == b"".join(kept) and len(queue) <= limit
    assert queue.lines + queue.dropped_total == len(lines)


@given(LINES, st.integers(1, 64), st.integers(1, 5), st.lists(st.integers(0, 30)))
def test_written_out_in_any_pieces_the_bytes_arrive_whole_and_in_order(
    lines: list[bytes], max_bytes: int, max_lines: int, takes: list[int],
) -> None:
    """However much each write takes, the output gets every byte once, in
    order, and every batch but a started line's rest begins at a line start."""
    queue = LineQueue()
    for line in lines:
        queue.push(line)
    out = bytearray()
    takes_left = list(takes)

    def write(data: bytes) -> int:
        assert data.count(b"\n") <= max_lines and data.endswith(b"\n")
        assert len(data) <= max_bytes or data.count(b"\n") == 1
        written = min(len(data), takes_left.pop(0) if takes_left else len(data))
        out.extend(data[:written])
        return written

    while not queue.write_out(write, max_bytes, max_lines):
        pass
    assert bytes(out) == b"".join(lines) and len(queue) == 0
