"""The suite's own footing: the programs it starts begin as they would from a
terminal, however the suite itself was started (under nohup, as a script's
background job, in CI)."""

from __future__ import annotations

import signal
import subprocess

from support import DEADLINE
from support.procfs import signal_set


def test_children_start_with_sighup_and_sigint_not_ignored() -> None:
    """A child of the suite inherits no SIG_IGN for SIGHUP or SIGINT (conftest.py)."""
    child = subprocess.Popen(["sleep", str(DEADLINE)], stdin=subprocess.DEVNULL)
    try:
        ignored = signal_set(child.pid, "SigIgn")
    finally:
        child.kill()
        child.wait(timeout=DEADLINE)
    assert not {signal.SIGHUP, signal.SIGINT} & ignored, ignored
