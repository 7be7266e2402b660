"""Signals at the very start of a run: from the launcher's first statement on,
a handled signal waits for the signalfd; before it (the interpreter's own
start-up) it acts as it would on any Python program. A Ctrl-C is never swallowed."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from support import DEADLINE, SIG_COUNTER

SHUTDOWN_LINE = "received interrupt \N{EM DASH} shutting down\n".encode()


def _sigint_after(delay_s: float) -> tuple[int, bytes, bytes]:
    proc = subprocess.Popen([str(SIG_COUNTER)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        until = time.monotonic() + delay_s
        while time.monotonic() < until:  # a busy wait: sleep() is too coarse at 1 ms
            pass
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=DEADLINE)  # it must end: never swallowed
        return proc.returncode, out, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=DEADLINE)


@pytest.mark.parametrize("delay_ms", [0, 3, 6, 9, 12, 15, 20, 30, 50])
def test_a_sigint_at_any_moment_of_start_up_ends_the_run(delay_ms: int) -> None:
    """Whenever a Ctrl-C lands, the process ends; once the launcher has blocked
    the signals it ends cleanly, with the shutdown line and status 0."""
    status, out, err = _sigint_after(delay_ms / 1000)
    assert b"Exception ignored" not in err  # the interrupt was not eaten somewhere
    if out:
        assert (status, out) == (0, SHUTDOWN_LINE), err
    else:  # during the interpreter's own start-up: killed, or KeyboardInterrupt
        assert status in (-signal.SIGINT, 1, 130), (status, err)


def test_a_sigint_after_the_signals_are_blocked_is_always_clean() -> None:
    """Sent once the process has got far enough to block the signals (well
    past the interpreter's start-up), SIGINT always gives the clean shutdown."""
    status, out, _ = _sigint_after(0.2)
    assert (status, out) == (0, SHUTDOWN_LINE)
