"""The output edge on real fds: one write per line, a lost reader noticed."""

from __future__ import annotations

import os
import tempfile

import pytest

from sigcounter.output import is_pipe_or_socket, write_line


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
