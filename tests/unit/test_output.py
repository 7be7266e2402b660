"""The output edge, pure part: each event formats to the original's exact bytes."""

from __future__ import annotations

import signal

import pytest

from sigcounter.events import DISPLAY, RESET, SHUTDOWN, Event
from sigcounter.output import format_event


def _event(kind: str, count: int = 0, signo: int = signal.SIGUSR1) -> Event:
    return Event(kind, count, signo, 1, 0, 123)


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
