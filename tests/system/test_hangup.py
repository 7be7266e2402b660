"""A terminal that hangs up under a run it sends no SIGHUP to (disowned, or
started with setsid: not its controlling terminal): the run goes on, and no
line is lost in silence. Each lost line counts as dropped, the first is said
on stderr, --stats shows them, and the exit status is 1."""

from __future__ import annotations

import os
import pty
import re
import signal
from pathlib import Path

from support import READY, StartFn, poll_until


def test_a_hung_up_terminal_without_sighup_counts_every_lost_line(
    sig_counter: StartFn, tmp_path: Path
) -> None:
    """stdout on a pty that is not the run's controlling terminal; the master
    closes; a SIGUSR1 and the SIGTERM after it find no terminal: both lines
    are counted as not delivered, and said."""
    master, slave = pty.openpty()
    err_path = tmp_path / "err"
    with err_path.open("wb") as err:
        run = sig_counter("--stats", "--interval", "0.01", stdout=slave, stderr=err,
                          start_new_session=True)  # as setsid: no controlling terminal
    os.close(slave)
    try:
        poll_until(lambda: READY.match(err_path.read_text()), what="the ready line")
    finally:
        os.close(master)  # the terminal goes away; the kernel sends this run nothing
    run.send(signal.SIGUSR1)
    poll_until(lambda: "hung up" in err_path.read_text(), what="the hang-up said")
    run.send(signal.SIGTERM)
    assert run.wait_exit() == 1
    lines = err_path.read_text().splitlines()
    assert lines.count("sig-counter: stdout's terminal hung up and no SIGHUP came; "
                       "its lines are dropped from now on") == 1
    assert "sig-counter: 2 lines were not delivered to stdout" in lines
    (dropped,) = [line for line in lines if "dropped lines" in line]
    assert re.fullmatch(r"\s+dropped lines\s+2", dropped), dropped
    assert not any("Traceback" in line for line in lines)
