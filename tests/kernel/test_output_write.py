"""The output edge on real fds: the writer's own non-blocking description of a
pipe, its queue and its bound, and the shutdown line always delivered last."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from typing import Any

import pytest

from sigcounter.writer import StdoutWriter


@contextlib.contextmanager
def _pipe_writer(
    limit: int = 1 << 20, **policy: Any
) -> Iterator[tuple[int, int, StdoutWriter]]:
    """A pipe and a writer on its write end; the writer and both ends closed at the
    end (the read end may be closed already, as a reader gone)."""
    read_end, write_end = os.pipe()
    writer = StdoutWriter(write_end, limit=limit, **policy)
    try:
        yield read_end, write_end, writer
    finally:
        writer.close()
        for fd in (read_end, write_end):
            with contextlib.suppress(OSError):
                os.close(fd)


def test_the_writer_never_sets_nonblocking_on_the_shared_description() -> None:
    """A pipe is written through a description of the writer's own: O_NONBLOCK is
    set there, and the fd the parent handed over keeps its flags."""
    with _pipe_writer() as (read_end, write_end, writer):
        own = writer.sink.write_fd
        assert own != write_end and writer.sink.watchable
        assert fcntl.fcntl(own, fcntl.F_GETFL) & os.O_NONBLOCK
        assert not fcntl.fcntl(write_end, fcntl.F_GETFL) & os.O_NONBLOCK
        writer.put(b"Ticker count: 1\n")
        assert os.read(read_end, 100) == b"Ticker count: 1\n"


def test_a_full_pipe_queues_lines_whole_and_in_order() -> None:
    """Lines that do not fit wait in the queue and go out in order, none torn."""
    with _pipe_writer() as (read_end, _write_end, writer):
        lines = [f"Ticker count: {n}\n".encode() for n in range(20_000)]  # > 64 KiB
        for line in lines:
            writer.put(line)
        assert writer.queue.lines > 0
        received = b""
        while not writer.flush() or len(received) < sum(map(len, lines)):
            received += os.read(read_end, 1 << 16)
        assert received == b"".join(lines) and writer.dropped_total == 0


def test_a_resumed_pipe_gets_whole_lines_in_atomic_writes() -> None:
    """A full pipe's reader takes part of it back: the queue goes out in writes
    of whole lines of at most PIPE_BUF bytes, so the pipe never holds a line
    cut short, which another writer's bytes could follow."""
    with _pipe_writer() as (read_end, _write_end, writer):
        line = b"Ticker count: 123456789\n"  # 24 bytes: a page of the pipe ends mid-line
        while writer.queue.lines < 1000:
            writer.put(line)
        received = os.read(read_end, 10_000)  # room for part of what waits
        assert not writer.flush()
        os.set_blocking(read_end, False)
        while chunk := _read_some(read_end):
            received += chunk
        assert received.endswith(b"\n") and set(received.splitlines()) == {line[:-1]}
        assert writer.sink.batch_bytes == 4096


def _read_some(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b""


def test_past_the_bound_new_lines_are_dropped_and_counted() -> None:
    """With the queue at its bound, whole new lines are dropped and counted, and the
    count is said once when stdout takes lines again."""
    said: list[str] = []
    with _pipe_writer(limit=1_000, warn=said.append) as (read_end, _write_end, writer):
        while not writer.queue.dropped:
            writer.put(b"x" * 99 + b"\n")
        kept = writer.queue.lines
        assert writer.queue.dropped == 1 and kept <= 10
        while not writer.flush():
            os.read(read_end, 1 << 16)
        assert said == ["sig-counter: stdout was stalled; 1 lines were dropped"]
        assert writer.dropped_total == 1


def test_writing_to_a_pipe_with_no_reader_is_broken_pipe() -> None:
    """EPIPE surfaces as BrokenPipeError for the program to report in one line."""
    with _pipe_writer() as (read_end, _write_end, writer):
        os.close(read_end)
        with pytest.raises(BrokenPipeError):
            writer.put(b"Ticker count: 7\n")


def test_the_shutdown_line_is_never_dropped_and_comes_after_the_drop_count() -> None:
    """With the queue overflowed, the last line still goes out, last, right after
    the dropped event (--json) that reports the drops; none of it is dropped."""
    said: list[str] = []
    def dropped_event(lines: int) -> str:
        return f'{{"event":"dropped","lines":{lines}}}\n'

    with _pipe_writer(limit=1_000, warn=said.append, dropped_event=dropped_event) as (
        read_end, _write_end, writer
    ):
        while writer.queue.dropped < 3:
            writer.put(b"x" * 99 + b"\n")
        writer.write_last(b'{"event":"shutdown"}\n')
        assert said == ["sig-counter: stdout was stalled; 3 lines were dropped"]
        received = b""
        while b'{"event":"shutdown"}\n' not in received:
            writer.flush()
            received += os.read(read_end, 1 << 16)
        assert writer.flush()
        lines = received.splitlines()
        assert lines[-2:] == [b'{"event":"dropped","lines":3}', b'{"event":"shutdown"}']
        assert writer.dropped_total == 3 and writer.queue.dropped == 0


def _stalled_terminal(said: list[str]) -> tuple[int, int, StdoutWriter]:
    """A writer on a pty's terminal side whose master nobody reads: lines queue."""
    master, terminal = os.openpty()
    writer = StdoutWriter(terminal, warn=said.append)
    while not writer.queue.lines:
        writer.put(b"x" * 99 + b"\n")
    return master, terminal, writer


def test_a_terminal_gone_counts_each_waiting_line_once_and_says_so_once() -> None:
    """The terminal hangs up with lines waiting and the run goes on: each waiting
    line, and each line after, counts once; the loss is said once."""
    said: list[str] = []
    master, terminal, writer = _stalled_terminal(said)
    waiting = writer.queue.lines
    try:
        os.close(master)  # the hang-up: the next write is EIO
        assert writer.flush()
        assert writer.lost == waiting and said == []  # not said until the run goes on
        writer.put(b"Ticker count: 3\n")
        writer.write_last(b"received terminated\n")
        assert writer.lost == waiting + 2
        assert len(said) == 1 and "hung up and no SIGHUP came" in said[0]
        assert writer.drain(0) == waiting + 2
    finally:
        writer.close()
        os.close(terminal)


@pytest.mark.parametrize("sighup_first", [False, True], ids=["hang-up first", "SIGHUP first"])
def test_a_run_ended_by_its_sighup_loses_nothing_to_the_gone_terminal(sighup_first: bool) -> None:
    """Lines waiting when the terminal hangs up and the shutdown line after it are
    no loss when the run ends with the hang-up's SIGHUP, whichever is seen first."""
    said: list[str] = []
    master, terminal, writer = _stalled_terminal(said)
    try:
        if sighup_first:
            writer.write_last(b"received hangup\n", by_hangup=True)
            os.close(master)
        else:
            os.close(master)
            writer.flush()
            writer.write_last(b"received hangup\n", by_hangup=True)
        assert writer.drain(10**9) == 0
        assert writer.lost == 0 and said == []
    finally:
        writer.close()
        os.close(terminal)


def test_a_line_writer_line_waits_behind_the_queue() -> None:
    """A line the loop writes itself (``line_writer``) while others wait in the
    queue goes out after them, never ahead, even when the pipe has room again."""
    with _pipe_writer() as (read_end, _write_end, writer):
        write_line = writer.line_writer()
        lines = [f"Ticker count: {n}\n".encode() for n in range(20_000)]  # > 64 KiB
        for line in lines:
            write_line(line)
        assert writer.queue.lines > 0
        received = os.read(read_end, 1 << 16)  # room in the pipe: a line could jump ahead
        write_line(b"Resetting ticker count to zero\n")
        expected = b"".join(lines) + b"Resetting ticker count to zero\n"
        while len(received) < len(expected):
            writer.flush()
            received += os.read(read_end, 1 << 16)
        assert received == expected
