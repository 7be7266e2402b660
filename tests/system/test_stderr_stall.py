"""A stderr nobody reads never holds the run: with stdout and stderr on one
full pipe (``2>&1`` into a reader that stopped), SIGTERM still ends the run
within --drain-timeout, and the messages that find no room are lost, not
waited for."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from support import DEADLINE, SIG_COUNTER, poll_until
from support.procfs import blocked_signals

from sigcounter.signaltable import handled_signals


def _pipe_is_full(write_end: int) -> bool:
    try:
        os.write(write_end, b"z" * 4096)
    except BlockingIOError:
        return True
    return False


def test_sigterm_ends_a_run_whose_stderr_and_stdout_are_one_full_pipe() -> None:
    """2>&1 into a pipe that fills: the ready line and every later message find
    no room, yet SIGTERM ends the run after the drain timeout, exit 1."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([str(SIG_COUNTER), "--drain-timeout", "0.3"],
                            stdin=subprocess.DEVNULL, stdout=write_end, stderr=write_end)
    try:
        poll_until(lambda: set(handled_signals()) <= blocked_signals(proc.pid),
                   what="the signals blocked")
        os.set_blocking(write_end, False)
        poll_until(lambda: _pipe_is_full(write_end), what="the pipe to fill")
        os.kill(proc.pid, signal.SIGUSR1)  # its line waits in the queue
        os.kill(proc.pid, signal.SIGTERM)
        sent = time.monotonic()
        assert proc.wait(timeout=DEADLINE) == 1  # lines not delivered
        assert time.monotonic() - sent < 0.3 + 2.0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=DEADLINE)
        os.close(read_end)
        os.close(write_end)
