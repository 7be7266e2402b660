"""The suite's own footing: the programs it starts begin as they would from a
terminal, however the suite itself was started (under nohup, as a script's
background job, in CI)."""

from __future__ import annotations

import signal

from support import DEADLINE, Child
from support.procfs import signal_set


def test_children_start_with_sighup_and_sigint_not_ignored() -> None:
    """A child of the suite inherits no SIG_IGN for SIGHUP or SIGINT (conftest.py)."""
    with Child(["sleep", str(DEADLINE)]) as child:
        ignored = signal_set(child.pid, "SigIgn")
    assert not {signal.SIGHUP, signal.SIGINT} & ignored, ignored
