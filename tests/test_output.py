"""The output edge: the original's exact bytes, one write per line."""

from __future__ import annotations

import os
import signal
import tempfile

import pytest

from sigcounter.events import DISPLAY, RESET, SHUTDOWN, Event
from sigcounter.output import format_event, is_pipe_or_socket, write_line


def _event(kind: str, count: int = 0, signo: int = signal.SIGUSR1) -> Event:
    return Event(kind, count, signo, 1, 0, 123, 0)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(DISPLAY, 42), b"Ticker count: 42\n"),
        (_event(RESET, 0, signal.SIGUSR2), b"Resetting ticker count to zero\n"),
        (
            _event(SHUTDOWN, 3, signal.SIGTERM),
            b"received terminated \xe2\x80\x94 shutting down\n",
        ),
        (
            _event(SHUTDOWN, 3, signal.SIGINT),
            b"received interrupt \xe2\x80\x94 shutting down\n",
        ),
    ],
)
def test_lines_are_byte_identical_to_the_original(event: Event, expected: bytes) -> None:
    """Each event formats to the Go program's line, em dash included."""
    assert format_event(event).encode() == expected


def test_write_line_puts_the_whole_line_in_a_pipe() -> None:
    """The line arrives whole and at once (nothing held in a buffer)."""
    read_end, write_end = os.pipe()
    try:
        write_line(write_end, "Ticker count: 7\n")
        assert os.read(read_end, 100) == b"Ticker count: 7\n"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_write_to_a_pipe_with_no_reader_is_broken_pipe() -> None:
    """EPIPE surfaces as BrokenPipeError for the CLI to report."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        with pytest.raises(BrokenPipeError):
            write_line(write_end, "Ticker count: 7\n")
    finally:
        os.close(write_end)


def test_only_pipes_and_sockets_are_watched() -> None:
    """Files have no reader to lose; closed fds are not watched either."""
    read_end, write_end = os.pipe()
    with tempfile.TemporaryFile() as regular:
        assert is_pipe_or_socket(write_end)
        assert not is_pipe_or_socket(regular.fileno())
    os.close(read_end)
    os.close(write_end)
    assert not is_pipe_or_socket(write_end)
