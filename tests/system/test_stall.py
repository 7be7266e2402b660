"""A stdout whose reader stops reading: the loop must not block on it.

The test holds the read end of a pipe and does not read it, while
``--json -v --interval 0.0001`` writes a line per wake-up, so the 64 KiB pipe
fills within a fraction of a second. From then on the program's lines wait in
its queue (or are dropped past its bound), and it must still count, answer
SIGTERM within ``--drain-timeout``, and deliver every queued line whole and in
order once the reader comes back.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import threading
import time

import pytest
from support import DEADLINE, SIG_COUNTER, Running, StartFn, poll_until
from support.pipes import pipe_is_full
from support.procfs import status

from sigcounter.linequeue import QUEUE_LIMIT

INTERVAL_S = 0.0001
FAST_JSON = ("--json", "-v", "--interval", str(INTERVAL_S))
NOT_DELIVERED = re.compile(r"^sig-counter: (\d+) lines were not delivered to stdout\n$")
DROPPED = re.compile(r"^sig-counter: stdout was stalled; (\d+) lines were dropped\n$")


def _start_stalled(sig_counter: StartFn, pipe: tuple[int, int], *options: str) -> Running:
    """sig-counter writing into ``pipe``, ready, with the pipe full and unread."""
    read_end, write_end = pipe
    process = sig_counter(*FAST_JSON, *options, stdout=write_end)
    os.close(write_end)  # only the child writes: its exit is the reader's EOF
    process.wait_ready()
    poll_until(lambda: pipe_is_full(read_end), what="the pipe to fill")
    return process


def _wakes(pid: int) -> int:
    """How often ``pid`` has gone to sleep and woken: its voluntary context switches."""
    return int(status(pid)["voluntary_ctxt_switches"])


def _stall_past_the_bound(process: Running) -> None:
    """Hold the reader back until the run's queue must have passed its 1 MiB
    bound: with ``--json -v`` every wake-up writes a tick line of under 128
    bytes, so that many wake-ups after the pipe filled queued more than 1 MiB.
    Counted in wake-ups, not seconds: a loaded machine wakes the run less often."""
    full = _wakes(process.pid)
    needed = QUEUE_LIMIT // 128 * 2
    poll_until(lambda: _wakes(process.pid) - full > needed, timeout=6 * DEADLINE,
               what=f"{needed} wake-ups of stall")


def _read_to_eof(read_end: int, timeout: float = DEADLINE) -> bytes:
    """Everything left in the pipe up to EOF, with a deadline on every read."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no EOF on the pipe within {timeout}s"
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class Reader:
    """Reads the pipe on a thread until EOF, as a reader that came back would."""

    def __init__(self, read_end: int) -> None:
        self.data = bytearray()
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, args=(read_end,), daemon=True)
        self._thread.start()

    def _run(self, read_end: int) -> None:
        try:
            for chunk in iter(lambda: _read_chunk(read_end), b""):
                with self._lock:
                    self.data += chunk
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def _complete(self) -> bytes:
        with self._lock:
            return bytes(self.data[: self.data.rfind(b"\n") + 1])

    def events(self) -> list[dict[str, object]]:
        """The JSON objects of the complete lines read so far."""
        return [json.loads(line) for line in self._complete().splitlines()]

    def finish(self) -> bytes:
        self._thread.join(timeout=DEADLINE)
        assert not self._thread.is_alive(), "the reader got no EOF"
        assert self.error is None, self.error
        return bytes(self.data)


def _read_chunk(read_end: int) -> bytes:
    ready, _, _ = select.select([read_end], [], [], 2 * DEADLINE)
    assert ready, "nothing on the pipe, and no EOF, for too long"
    return os.read(read_end, 1 << 16)


def _resume_then_terminate(process: Running, read_end: int) -> tuple[Reader, float]:
    """The reader comes back; once lines counted after that have arrived, SIGTERM.
    Returns the reader and when SIGTERM was sent."""
    resumed_ns = time.monotonic_ns()
    reader = Reader(read_end)
    poll_until(
        lambda: any(e["monotonic_ns"] > resumed_ns + 50_000_000 for e in reader.events()),  # type: ignore[operator]
        what="lines counted after the reader came back",
    )
    sent = time.monotonic()
    process.send(signal.SIGTERM)
    return reader, sent


def _assert_whole_ordered_once(events: list[dict[str, object]]) -> int:
    """Ticks in order, each once, nothing torn; return the ticks lost with
    dropped lines (the jumps in count beyond each line's expirations)."""
    lost = 0
    previous_count, previous_ns = 0, 0
    for event in events[:-1]:
        assert event["event"] == "tick", event
        count, expirations, now_ns = event["count"], event["expirations"], event["monotonic_ns"]
        assert isinstance(count, int) and isinstance(expirations, int)
        assert isinstance(now_ns, int) and now_ns > previous_ns, (event, previous_ns)
        assert count - expirations >= previous_count, ("doubled or out of order", event)
        lost += count - expirations - previous_count
        previous_count, previous_ns = count, now_ns
    shutdown = events[-1]
    assert shutdown["event"] == "shutdown" and shutdown["signal"] == "SIGTERM", shutdown
    assert shutdown["count"] == previous_count, (shutdown, previous_count)
    return lost


@pytest.mark.parametrize("drain", [None, "0.3"], ids=["default-1s", "0.3s"])
def test_sigterm_ends_a_stalled_run_after_the_drain_timeout(
    sig_counter: StartFn, pipe_ends: tuple[int, int], drain: str | None
) -> None:
    """Reader stopped for good: SIGTERM ends the run after --drain-timeout (not
    before, and at most 2 s after), status 1, one stderr line giving the number of
    lines not delivered; the lines that did reach the pipe are whole ticks."""
    drain_s = 1.0 if drain is None else float(drain)
    options = () if drain is None else ("--drain-timeout", drain)
    process = _start_stalled(sig_counter, pipe_ends, *options)
    sent = time.monotonic()
    process.send(signal.SIGTERM)
    status = process.wait_exit(timeout=drain_s + DEADLINE)
    elapsed = time.monotonic() - sent
    assert status == 1
    assert drain_s - 0.05 <= elapsed <= drain_s + 2.0, elapsed
    stderr = process.rest_of_stderr()
    assert len(stderr) == 1, stderr
    match = NOT_DELIVERED.match(stderr[0])
    assert match and int(match.group(1)) >= 1, stderr  # the shutdown line, at least
    delivered = _read_to_eof(pipe_ends[0])
    assert delivered.endswith(b"\n"), delivered[-200:]
    events = [json.loads(line) for line in delivered.splitlines()]
    assert events and all(event["event"] == "tick" for event in events)


def test_a_short_stall_delivers_every_line_in_order(
    sig_counter: StartFn, pipe_ends: tuple[int, int]
) -> None:
    """Reader back as soon as the pipe is full (queue far below its bound): every
    line comes out whole, in order, once, no tick missing; status 0, no stderr."""
    started = time.monotonic()
    process = _start_stalled(sig_counter, pipe_ends, "--drain-timeout", "2")
    reader, sent = _resume_then_terminate(process, pipe_ends[0])
    assert process.wait_exit() == 0
    events = [json.loads(line) for line in reader.finish().splitlines()]
    assert _assert_whole_ordered_once(events) == 0
    assert process.rest_of_stderr() == []
    # Ticks are never lost: the count covers the whole run, stall included.
    assert events[-1]["count"] >= 0.9 * (sent - started) / INTERVAL_S - 10_000, events[-1]


def test_a_long_stall_drops_lines_and_says_so_once(
    sig_counter: StartFn, pipe_ends: tuple[int, int]
) -> None:
    """Reader stopped long enough to pass the 1 MiB queue bound (some 10,000
    lines), then back: the lines that were kept come out whole, in order, once,
    the count kept going through the stall, one stderr line and one JSON event
    give the number dropped when output resumes, and at exit (status 1: not every line was
    written) one line gives that same number as not delivered."""
    started = time.monotonic()
    process = _start_stalled(sig_counter, pipe_ends, "--drain-timeout", "2")
    _stall_past_the_bound(process)
    reader, sent = _resume_then_terminate(process, pipe_ends[0])
    dropped_line = process.err_line()
    assert process.wait_exit() == 1
    everything = [json.loads(line) for line in reader.finish().splitlines()]
    events = [e for e in everything if e["event"] != "dropped"]
    lost_ticks = _assert_whole_ordered_once(events)
    match = DROPPED.match(dropped_line)
    assert match, dropped_line
    dropped = int(match.group(1))
    # --json says it on stdout too, once, in its place in the stream.
    assert [e["lines"] for e in everything if e["event"] == "dropped"] == [dropped]
    # Each dropped line held at least one tick, so at most as many lines as ticks.
    assert 1 <= dropped <= lost_ticks, (dropped, lost_ticks)
    # The dropped lines were never written: the exit says so, with the same number.
    not_delivered = f"sig-counter: {dropped} lines were not delivered to stdout\n"
    assert process.rest_of_stderr() == [not_delivered]
    assert events[-1]["count"] >= 0.9 * (sent - started) / INTERVAL_S - 10_000, events[-1]


@pytest.mark.parametrize(
    "value", ["abc", "-1", "nan", "inf", "3601", "1e-10", "", "0x10"],
)
def test_bad_drain_timeout_is_refused_in_one_line(value: str) -> None:
    """A --drain-timeout that is not 0 to 3600 seconds: status 2, one stderr line
    naming the option, nothing on stdout."""
    result = subprocess.run(
        [str(SIG_COUNTER), "--drain-timeout", value],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=DEADLINE,
    )
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("sig-counter: error: argument --drain-timeout"), lines


def test_missing_drain_timeout_value_is_refused_in_one_line() -> None:
    """--drain-timeout with no value: status 2, one stderr line naming the option."""
    result = subprocess.run(
        [str(SIG_COUNTER), "--drain-timeout"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=DEADLINE,
    )
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "--drain-timeout" in lines[0], lines


def test_after_an_overflow_the_shutdown_line_still_comes_last(
    sig_counter: StartFn, pipe_ends: tuple[int, int]
) -> None:
    """Queue overflowed and the reader still away when SIGTERM comes: the drop
    count is said then (stderr, and a JSON event queued before the shutdown
    line), and once the reader is back, the shutdown object is the last one,
    right after that event; status 1, since lines were dropped."""
    process = _start_stalled(sig_counter, pipe_ends, "--drain-timeout", "30")
    _stall_past_the_bound(process)
    process.send(signal.SIGTERM)
    match = DROPPED.match(process.err_line())  # said at the shutdown, before its line
    assert match, "no drop count at shutdown"
    reader = Reader(pipe_ends[0])
    assert process.wait_exit() == 1
    everything = [json.loads(line) for line in reader.finish().splitlines()]
    assert [e["event"] for e in everything[-2:]] == ["dropped", "shutdown"]
    assert everything[-2]["lines"] == int(match.group(1))
    assert [e for e in everything if e["event"] in ("dropped", "shutdown")] == everything[-2:]
    assert process.rest_of_stderr() == [
        f"sig-counter: {match.group(1)} lines were not delivered to stdout\n"]
