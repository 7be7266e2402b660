"""The installed ``sig-counter`` command, driven with real signals."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import pytest
from support import (
    COUNT,
    DEADLINE,
    SIG_COUNTER,
    Child,
    Running,
    StartFn,
    blocked_signals,
    poll_until,
)
from support.lines import read_line

from sigcounter.signaltable import handled_signals

INTERVAL = 0.05  # seconds; short so tests see many ticks quickly
STOPPED_S = 0.3  # a stop of six ticks: the Go original would count one


@pytest.fixture
def running(sig_counter: StartFn) -> Running:
    process = sig_counter("--interval", str(INTERVAL))
    process.wait_ready()
    return process


@pytest.mark.parametrize("source", ["timerfd", "timeout"])
def test_usr1_shows_a_growing_count(sig_counter: StartFn, source: str) -> None:
    """SIGUSR1 prints "Ticker count: N", and N grows with time, with either tick source."""
    running = sig_counter("--interval", str(INTERVAL), "--tick-source", source)
    running.wait_ready()
    first = running.count()
    poll_until(lambda: running.count() > first, what="the count to grow")


def test_usr2_resets_the_count(running: Running) -> None:
    """SIGUSR2 prints the reset line, and the count then starts again from 0."""
    before = poll_until(lambda: running.count() >= 10 and running.count(), what="10 ticks")
    reset_at = time.monotonic()
    running.send(signal.SIGUSR2)
    assert running.line() == b"Resetting ticker count to zero\n"
    after = running.count()
    ticks_since = (time.monotonic() - reset_at) / INTERVAL
    assert after <= ticks_since + 1 < before + ticks_since


@pytest.mark.parametrize(
    ("signum", "line"),
    [
        (signal.SIGTERM, "received terminated \N{EM DASH} shutting down\n"),
        (signal.SIGINT, "received interrupt \N{EM DASH} shutting down\n"),
    ],
)
def test_shutdown_signals_print_and_exit_0(running: Running, signum: int, line: str) -> None:
    """SIGTERM and SIGINT print the original's line and exit with status 0."""
    running.send(signum)
    assert running.line() == line.encode()
    assert running.wait_exit() == 0
    assert running.rest_of_stderr() == []


def test_identity_one_thread_no_new_privs(running: Running) -> None:
    """comm is sig-counter, one thread, no_new_privs set."""
    proc = Path(f"/proc/{running.pid}")
    assert (proc / "comm").read_text() == "sig-counter\n"
    status = dict(
        line.split(":\t", 1) for line in (proc / "status").read_text().splitlines() if ":\t" in line
    )
    assert status["Threads"].strip() == "1"
    assert status["NoNewPrivs"].strip() == "1"


@pytest.mark.parametrize(
    "options", [["--tick-source", "timerfd"], ["--tick-source", "timeout"], ["--stats"],
                ["--stats", "--tick-source", "timeout"]],
)
def test_sigstop_ticks_are_counted_on_resume(sig_counter: StartFn, options: list[str]) -> None:
    """Stopped for STOPPED_S (six ticks), the program counts every tick it missed (Go
    counts one)."""
    running = sig_counter("--interval", str(INTERVAL), *options)
    running.wait_ready()
    before = running.count()
    started = time.monotonic()
    running.send(signal.SIGSTOP)
    poll_until(lambda: _state(running.pid) == "T", what="the process to stop")
    time.sleep(STOPPED_S)  # the stop under test
    running.send(signal.SIGCONT)
    after = running.count()
    elapsed_ticks = (time.monotonic() - started) / INTERVAL
    assert STOPPED_S / INTERVAL - 1 <= after - before <= elapsed_ticks + 1


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.parametrize("source", ["timerfd", "timeout"])
def test_flood_of_20000_usr1(sig_counter: StartFn, source: str) -> None:
    """20,000 SIGUSR1 as fast as possible: alive, answering, ticking at the right rate."""
    running = sig_counter("--interval", str(INTERVAL), "--tick-source", source)
    running.wait_ready()
    for _ in range(20_000):
        os.kill(running.pid, signal.SIGUSR1)
    running.send(signal.SIGUSR2)  # a marker: once its line is out, the flood is over
    displays = 0
    while (line := running.line()) != b"Resetting ticker count to zero\n":
        assert COUNT.match(line.decode()), line
        displays += 1
    assert 1 <= displays <= 20_000  # standard signals coalesce while pending
    assert running.proc.poll() is None
    start_count, start_time = running.count(), time.monotonic()
    end_count = poll_until(
        lambda: (count := running.count()) >= start_count + 20 and count, what="20 more ticks"
    )
    elapsed_ticks = (time.monotonic() - start_time) / INTERVAL
    ticks = end_count - start_count
    assert ticks - 2 <= elapsed_ticks <= ticks + 6, (ticks, elapsed_ticks)


def test_stdout_to_a_file_is_written_at_once(sig_counter: StartFn) -> None:
    """Each line reaches a file the moment its signal is handled."""
    with tempfile.NamedTemporaryFile() as output:
        process = sig_counter("--interval", str(INTERVAL), stdout=output)
        process.wait_ready()
        process.send(signal.SIGUSR1)
        poll_until(lambda: Path(output.name).read_bytes().endswith(b"\n"), what="the line")
        assert COUNT.match(Path(output.name).read_text())


def test_reader_closing_stdout_ends_it_with_status_1(sig_counter: StartFn) -> None:
    """A reader that goes away ends the program at once: one stderr line, status 1."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        process = sig_counter("--interval", str(INTERVAL), stdout=writer)
    process.wait_ready()
    process.send(signal.SIGUSR1)
    try:
        assert COUNT.match(read_line(read_end, DEADLINE).decode())
    finally:
        os.close(read_end)
    assert process.wait_exit() == 1
    assert process.rest_of_stderr() == ["sig-counter: stdout was closed by its reader; stopping\n"]


def test_piped_into_head_exits_without_waiting_for_a_write(tmp_path: Path) -> None:
    """`sig-counter | head -1`: once head is gone, sig-counter exits too, no traceback."""
    errors = tmp_path / "stderr"
    with errors.open("wb") as stderr:
        shell = Child(["sh", "-c", f"'{SIG_COUNTER}' --interval {INTERVAL} | head -1"],
                      stderr=stderr)
    with shell:
        pid = int(poll_until(lambda: errors.read_text().split(" ")[2:3], what="ready")[0])
        os.kill(pid, signal.SIGUSR1)
        assert COUNT.match(shell.line().decode())
        shell.wait_exit()
        poll_until(lambda: not Path(f"/proc/{pid}").exists(), what="sig-counter to exit")
        lines = errors.read_text().splitlines()
        assert lines[1:] == ["sig-counter: stdout was closed by its reader; stopping"]


def test_quiet_drops_the_ready_line(sig_counter: StartFn) -> None:
    """--quiet: nothing on stderr, the program still answers."""
    process = sig_counter("--interval", str(INTERVAL), "--quiet")
    # With no ready line, the handshake is the signal mask in /proc: once the
    # handled signals are blocked, a signal sent is queued, not fatal.
    poll_until(lambda: blocked_signals(process.pid) >= set(handled_signals()),
               what="the signals to be blocked")
    process.terminate()
    assert process.rest_of_stderr() == []



def test_python_dash_m_runs_the_same_program(tmp_path: Path) -> None:
    """`python -m sigcounter` is the same program: same ready line, same exit."""
    python = SIG_COUNTER.with_name("python")
    process = Running(
        "-m", "sigcounter", "--interval", str(INTERVAL), program=(str(python),),
        cwd=tmp_path,  # not the source tree, which has no built extension
    )
    try:
        process.wait_ready()
        process.terminate()
    finally:
        process.stop()
