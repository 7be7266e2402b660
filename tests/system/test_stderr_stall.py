"""A stderr nobody reads never holds the run: with stdout and stderr on one
full pipe (``2>&1`` into a reader that stopped), SIGTERM still ends the run
within --drain-timeout, and the messages that find no room are lost, not
waited for."""

from __future__ import annotations

import os
import signal
import time

from support import StartFn, poll_until
from support.procfs import blocked_signals

from sigcounter.signaltable import handled_signals


def _pipe_is_full(write_end: int) -> bool:
    """Write a page into the pipe ourselves: full when it takes none of it."""
    try:
        os.write(write_end, b"z" * 4096)
    except BlockingIOError:
        return True
    return False


def test_sigterm_ends_a_run_whose_stderr_and_stdout_are_one_full_pipe(
    sig_counter: StartFn, pipe_ends: tuple[int, int]
) -> None:
    """2>&1 into a pipe that fills: the ready line and every later message find
    no room, yet SIGTERM ends the run after the drain timeout, exit 1."""
    _, write_end = pipe_ends
    run = sig_counter("--drain-timeout", "0.3", stdout=write_end, stderr=write_end)
    poll_until(lambda: set(handled_signals()) <= blocked_signals(run.pid),
               what="the signals blocked")
    os.set_blocking(write_end, False)
    poll_until(lambda: _pipe_is_full(write_end), what="the pipe to fill")
    run.send(signal.SIGUSR1)  # its line waits in the queue
    run.send(signal.SIGTERM)
    sent = time.monotonic()
    assert run.wait_exit() == 1  # lines not delivered
    assert time.monotonic() - sent < 0.3 + 2.0
