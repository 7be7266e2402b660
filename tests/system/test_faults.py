"""Fault injection with ``strace -e inject``: each fault, its exact outcome.

Faults in the running loop are injected by strace attached with ``-p`` once
the program is ready (the dynamic loader and the interpreter's start-up do not
survive injected faults). Start-up faults are injected from the start, into
system calls only the program itself makes (signalfd4, timerfd_create,
epoll_create1, epoll_ctl): Python's own start-up makes none of them.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import COUNT, DEADLINE, SIG_COUNTER, Running, StartFn, poll_until
from support.process import stopped_at_end
from support.strace import Strace, from_the_start

INTERVAL_S = 0.01
SHUTDOWN = "received terminated \N{EM DASH} shutting down\n"


@pytest.fixture
def injectors() -> Iterator[list[Strace]]:
    """Every injecting strace a test attaches is detached in teardown."""
    with stopped_at_end(list[Strace]()) as started:
        yield started


def _ready(sig_counter: StartFn, *options: str) -> tuple[Running, float, float]:
    """The program started and ready; (it, when spawned, when its ready line came)."""
    spawned = time.monotonic()
    process = sig_counter("--interval", str(INTERVAL_S), *options)
    process.wait_ready()
    return process, spawned, time.monotonic()


# --- write failing for good --------------------------------------------------

@pytest.mark.parametrize(
    ("errno_name", "text"),
    [("ENOSPC", "No space left on device"), ("EIO", "Input/output error")],
)
def test_write_error_is_one_line_and_status_1(
    sig_counter: StartFn, injectors: list[Strace], tmp_path: Path,
    errno_name: str, text: str,
) -> None:
    """The first write fails with ENOSPC or EIO: nothing on stdout, exactly one
    stderr line `sig-counter: cannot write to stdout (a pipe): <strerror>`, status 1."""
    process, _, _ = _ready(sig_counter)
    injector = Strace(process.pid, tmp_path / "trace", calls="epoll_pwait,write",
                      inject=f"write:error={errno_name}:when=1")
    injectors.append(injector)
    process.send(signal.SIGUSR1)
    assert process.wait_exit() == 1
    assert process.rest_of_stderr() == [f"sig-counter: cannot write to stdout (a pipe): {text}\n"]
    assert process.out.get(timeout=DEADLINE) is None  # stdout: EOF, no line
    injector.stop()
    assert injector.injected("write") == 1


# --- interrupted calls: retried, nothing lost, doubled or torn ----------------

def _assert_counts_right(process: Running, spawned: float, ready: float, asks: int) -> None:
    """``asks`` SIGUSR1s, one at a time: one whole `Ticker count: N` line each,
    N within the ticks that can have fallen due, never going back; then SIGTERM
    gives the shutdown line, status 0, and no more stdout or stderr."""
    previous = 0
    for _ in range(asks):
        sent = time.monotonic()
        process.send(signal.SIGUSR1)
        line = process.line().decode()
        answered = time.monotonic()
        match = COUNT.match(line)
        assert match, line
        count = int(match.group(1))
        low = (sent - ready) / INTERVAL_S - 2
        high = (answered - spawned) / INTERVAL_S + 2
        assert max(previous, low) <= count <= high, (count, previous, low, high)
        previous = count
    process.send(signal.SIGTERM)
    assert process.line().decode() == SHUTDOWN
    assert process.wait_exit() == 0
    assert process.out.get(timeout=DEADLINE) is None
    assert process.rest_of_stderr() == []


@pytest.mark.parametrize(
    ("call", "inject", "options"),
    [
        # every other wait, the first 200: the loop must retry, not spin or stop
        ("epoll_pwait", "epoll_pwait:error=EINTR:when=1..200+2", ()),
        # the timerfd's and the signalfd's reads, every other one of the first 100
        ("read", "read:error=EINTR:when=1..100+2", ()),
        ("write", "write:error=EINTR:when=1..10+2", ()),
        ("epoll_pwait", "epoll_pwait:error=EINTR:when=1..200+2", ("--tick-source", "timeout")),
    ],
    ids=["epoll_pwait", "read", "write", "epoll_pwait-timeout"],
)
def test_eintr_loses_doubles_and_tears_nothing(
    sig_counter: StartFn, injectors: list[Strace], tmp_path: Path,
    call: str, inject: str, options: tuple[str, ...],
) -> None:
    """EINTR injected into a call of the loop: every SIGUSR1 still gets exactly
    one whole line with the right count, and SIGTERM ends the run cleanly."""
    process, spawned, ready = _ready(sig_counter, *options)
    injector = Strace(process.pid, tmp_path / "trace", calls="epoll_pwait,read,write",
                      inject=inject)
    injectors.append(injector)
    if call != "write":
        poll_until(lambda: injector.injected(call) >= 3, what=f"EINTRs on {call}")
    _assert_counts_right(process, spawned, ready, asks=5)
    injector.stop()
    assert injector.injected(call) >= 3


def test_eagain_on_the_signalfd_read_invents_and_loses_no_signal(
    sig_counter: StartFn, injectors: list[Strace], tmp_path: Path
) -> None:
    """--tick-source timeout (the only reads are of the signalfd): the read after
    epoll reported one SIGUSR1 fails with EAGAIN; still exactly one
    `Ticker count` line, then SIGTERM's line, status 0."""
    process, spawned, ready = _ready(sig_counter, "--tick-source", "timeout")
    injector = Strace(process.pid, tmp_path / "trace", calls="epoll_pwait,read,write",
                      inject="read:error=EAGAIN:when=1")
    injectors.append(injector)
    sent = time.monotonic()
    process.send(signal.SIGUSR1)
    match = COUNT.match(process.line().decode())
    assert match
    assert (sent - ready) / INTERVAL_S - 2 <= int(match.group(1))
    assert int(match.group(1)) <= (time.monotonic() - spawned) / INTERVAL_S + 2
    process.send(signal.SIGTERM)
    assert process.line().decode() == SHUTDOWN  # no second Ticker count before it
    assert process.wait_exit() == 0
    assert process.out.get(timeout=DEADLINE) is None
    assert process.rest_of_stderr() == []
    injector.stop()
    assert injector.injected("read") == 1


# --- start-up: the kernel objects cannot be made ------------------------------

@pytest.mark.parametrize("errno_name, text", [
    ("EMFILE", "Too many open files"), ("ENOMEM", "Cannot allocate memory"),
])
@pytest.mark.parametrize("call", ["signalfd4", "timerfd_create", "epoll_create1", "epoll_ctl"])
def test_startup_failure_is_one_line_and_status_1(call: str, errno_name: str, text: str) -> None:
    """`call` fails with EMFILE or ENOMEM at start-up: status 1, nothing on stdout,
    exactly one stderr line starting `sig-counter: ` with the errno text, no
    ready line, no traceback."""
    result = subprocess.run(
        from_the_start(call, errno_name, [str(SIG_COUNTER)]),
        stdin=subprocess.DEVNULL, capture_output=True, timeout=DEADLINE,
    )
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 1, lines
    assert result.stdout == b""
    assert len(lines) == 1, lines
    assert lines[0].startswith("sig-counter: ") and text in lines[0], lines
    assert "Traceback" not in lines[0]
