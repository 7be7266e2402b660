"""The signal table is the one place that says which signals are handled: the
running program's blocked set and its signalfd's mask are both the table's,
for the command and for ``python -m sigcounter``, and under nohup (SIGHUP
ignored at start) both leave SIGHUP out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import COUNT, SIG_COUNTER, Running, blocked_signals

from sigcounter.signaltable import ROWS

EVERY_ROW = {row.signo for row in ROWS}
LAUNCHERS = {
    "command": (str(SIG_COUNTER),),
    "python -m": (sys.executable, "-m", "sigcounter"),
}


def signalfd_masks(pid: int) -> list[set[int]]:
    """The sigmask of each signalfd ``pid`` holds, from /proc/PID/fdinfo."""
    masks = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        if os.readlink(fd) != "anon_inode:[signalfd]":
            continue
        for line in Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text().splitlines():
            if line.startswith("sigmask:"):
                mask = int(line.split()[1], 16)
                masks.append({bit + 1 for bit in range(64) if mask >> bit & 1})
    return masks


def _started(program: tuple[str, ...], *, ignore_hangup: bool = False) -> Running:
    # From / rather than the checkout, whose sigcounter/ holds no built module.
    if not ignore_hangup:
        return Running(program=program, cwd=Path("/"))
    # nohup's own effect, without its redirection: SIGHUP ignored across exec.
    return Running(program=("nohup", *program), cwd=Path("/"))


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_blocked_set_and_signalfd_mask_are_the_table(launcher: str) -> None:
    """SigBlk of the running program = its signalfd's mask = the table's rows."""
    running = _started(LAUNCHERS[launcher])
    try:
        running.wait_ready()
        assert signalfd_masks(running.pid) == [EVERY_ROW]
        assert blocked_signals(running.pid) == EVERY_ROW
    finally:
        running.stop()


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_under_nohup_sighup_stays_ignored_and_unhandled(launcher: str) -> None:
    """A SIGHUP ignored at start is neither blocked nor read: a hang-up leaves
    the run going, as nohup promises."""
    running = _started(LAUNCHERS[launcher], ignore_hangup=True)
    try:
        running.wait_ready()
        expected = EVERY_ROW - {signal.SIGHUP}
        assert signalfd_masks(running.pid) == [expected]
        assert blocked_signals(running.pid) == expected
        running.send(signal.SIGHUP)
        running.send(signal.SIGUSR1)
        assert COUNT.match(running.line().decode()), "the hang-up was answered"
        running.terminate()
    finally:
        running.stop()


def test_help_lists_every_row() -> None:
    """--help's signal list is the table's, one line per row."""
    out = subprocess.run([str(SIG_COUNTER), "--help"], capture_output=True, text=True,
                         check=True).stdout
    for row in ROWS:
        assert row.help_line() in out.splitlines(), row.name
