"""Whole lines wherever stdout goes: two runs sharing one pipe whose reader
stalls and comes back, and a datagram socket, one line per datagram.

A pipe write of at most PIPE_BUF bytes is atomic, so another writer's line
can come only between whole lines of ours; a datagram carries exactly one
line. Both hold through a stall, when the queued lines go out.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import DEADLINE, Running, StartFn, poll_until
from support.pipes import PIPE_FULL, pipe_is_full, unread_bytes
from support.unprivileged import as_user_argv

TEXT_LINE = re.compile(rb"Ticker count: \d+ \(from pid \d+, uid \d+\)|"
                       rb"received terminated \xe2\x80\x94 shutting down \(from pid \d+, uid \d+\)")


class Flood:
    """SIGUSR1 to every pid, as fast as a thread can send them, until stopped."""

    def __init__(self, pids: list[int]) -> None:
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pids,), daemon=True)
        self._thread.start()

    def _run(self, pids: list[int]) -> None:
        while not self._stop.is_set():
            for pid in pids:
                os.kill(pid, signal.SIGUSR1)
            self.sent += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=DEADLINE)


def _read_all(read_end: int, until: Callable[[], bool]) -> bytes:
    """Read the pipe until ``until()`` holds and it is at EOF."""
    import select

    data = bytearray()
    deadline = time.monotonic() + 4 * DEADLINE
    while time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], 0.2)
        chunk = os.read(read_end, 1 << 16) if ready else None
        if chunk:
            data += chunk
        elif chunk == b"" and until():
            return bytes(data)
    raise AssertionError("the pipe did not reach EOF")


@pytest.mark.parametrize("options", [("-v",), ("--json", "-v", "--interval", "0.001")],
                         ids=["text", "json"])
def test_two_runs_sharing_a_stalled_then_resumed_pipe_give_whole_lines_only(
    sig_counter: StartFn, pipe_ends: tuple[int, int], options: tuple[str, ...],
) -> None:
    """Two instances on one pipe, flooded with SIGUSR1 while the reader stalls
    (the pipe full, lines queued) and then reads again: every line the reader
    gets is whole, and both shutdown lines come."""
    read_end, write_end = pipe_ends
    runs = [sig_counter(*options, stdout=write_end) for _ in range(2)]
    os.close(write_end)
    for run in runs:
        run.wait_ready()
    flood = Flood([run.pid for run in runs])
    try:
        poll_until(lambda: unread_bytes(read_end) >= PIPE_FULL, what="the pipe to fill")
        stalled = flood.sent
        poll_until(lambda: flood.sent > stalled + 3000, what="signals while stalled")
        reader = threading.Thread(target=lambda: box.append(_read_all(read_end, done.is_set)))
        box: list[bytes] = []
        done = threading.Event()
        reader.start()
        resumed = flood.sent
        poll_until(lambda: flood.sent > resumed + 3000, what="signals after the reader came back")
    finally:
        flood.stop()
    for run in runs:
        run.send(signal.SIGTERM)
    statuses = [run.wait_exit() for run in runs]
    done.set()
    reader.join(timeout=5 * DEADLINE)
    lines = box[0].split(b"\n")
    assert lines[-1] == b"", lines[-1][-200:]
    if "--json" in options:
        events = [json.loads(line) for line in lines[:-1]]
        assert [e["event"] for e in events].count("shutdown") == 2
    else:
        torn = [line for line in lines[:-1] if not TEXT_LINE.fullmatch(line)]
        assert not torn, torn[:5]
        assert sum(b"shutting down" in line for line in lines) == 2
    assert set(statuses) <= {0, 1}, statuses  # 1: lines were dropped past the bound


def test_a_datagram_stdout_gets_one_line_per_datagram_through_a_stall(
    sig_counter: StartFn,
) -> None:
    """stdout a datagram socket whose reader stalls: once it reads again, every
    datagram is exactly one whole line, and the run goes on answering."""
    reader, writer = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with reader, writer:
        run = sig_counter("--json", "-v", "--interval", "0.001", stdout=writer.fileno())
        writer.close()
        run.wait_ready()
        # A few datagrams fill the socket's queue (net.unix.max_dgram_qlen);
        # no event marks the run's own queue filling after that: give it
        # 0.5 s of ticks, up to 500 lines.
        stalled = time.monotonic()
        poll_until(lambda: time.monotonic() - stalled > 0.5, what="0.5 s of stall")
        run.send(signal.SIGUSR1)
        reader.settimeout(DEADLINE)
        datagrams: list[bytes] = []
        while not datagrams or b'"signal":"SIGUSR1"' not in datagrams[-1]:
            datagrams.append(reader.recv(1 << 16))
            assert len(datagrams) < 100_000, "no signal line came"
        assert run.poll_exit(timeout=0) is None, "the run ended on the stall"
        # More than the socket holds: some lines waited in the run's own queue.
        assert len(datagrams) > _max_dgram_qlen() + 1, len(datagrams)
        for datagram in datagrams:
            assert datagram.endswith(b"\n") and datagram.count(b"\n") == 1, datagram[:300]
            json.loads(datagram)


def _max_dgram_qlen() -> int:
    """How many datagrams a UNIX socket holds unread (net.unix.max_dgram_qlen)."""
    with open("/proc/sys/net/unix/max_dgram_qlen") as limit:
        return int(limit.read())


def test_a_fifo_it_may_not_open_again_is_written_blocking_and_said(tmp_path: Path) -> None:
    """Run as another user than a FIFO's owner (sudo -u, setpriv), the run can
    neither open its stdout again nor flag its writes (FIFOs take no
    RWF_NOWAIT): it says once that a stalled reader will hold it, then
    answers as usual."""
    argv = as_user_argv()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    end = os.open(fifo, os.O_RDWR)  # root's; the run gets it as stdout
    try:
        with Running("--interval", "0.05", program=argv, stdout=end) as run:
            warning = run.err_line()
            assert warning == ("sig-counter: stdout (a pipe) cannot be opened again without "
                               "blocking (Permission denied); a reader that stalls will hold "
                               "the run\n"), warning
            run.wait_ready()
            run.send(signal.SIGUSR1)
            assert os.read(end, 100).startswith(b"Ticker count: ")
            run.send(signal.SIGTERM)
            assert run.wait_exit() == 0
    finally:
        os.close(end)


def test_another_users_pipe_is_still_written_without_blocking(pipe_ends: tuple[int, int]) -> None:
    """Run as another user than its stdout pipe's owner, the run flags each
    write RWF_NOWAIT instead (Linux 6.4+): a stalled reader holds nothing,
    and SIGTERM ends the run after the drain timeout."""
    if tuple(map(int, os.uname().release.split(".")[:2])) < (6, 4):
        pytest.skip("pipes take RWF_NOWAIT from Linux 6.4 on")
    argv = as_user_argv()
    read_end, write_end = pipe_ends
    with Running("--json", "-v", "--interval", "0.0001", "--drain-timeout", "0.2",
                 program=argv, stdout=write_end) as run:
        os.close(write_end)
        run.wait_ready()
        poll_until(lambda: pipe_is_full(read_end), what="the pipe to fill")
        run.send(signal.SIGTERM)
        assert run.wait_exit() == 1  # lines not delivered: the reader never came back
        assert run.rest_of_stderr()[-1].endswith("lines were not delivered to stdout\n")
