"""Process trees, read from /proc: what a launcher started, and its end.

A launcher (tini, runsv, a shell) stands between the test and sig-counter, so
killing the launcher's PID in teardown is not enough: every process of the tree
is found by its PID and killed by it, never by name.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from pathlib import Path

from support import DEADLINE, poll_until


def children(pid: int) -> list[int]:
    """The children of ``pid`` (of each of its threads); none if it is gone."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, parents before their children."""
    found, frontier = [], children(pid)
    while frontier:
        found += frontier
        frontier = [grandchild for child in frontier for grandchild in children(child)]
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything below it, each by its PID. The tree is read
    first: once a parent dies, its children are re-parented and out of sight."""
    for member in [*descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def state(pid: int) -> str:
    """The one-letter state in /proc/PID/stat ("" once the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return ""
    return stat.rsplit(")", 1)[1].split()[0]


def ignored_signals(pid: int) -> set[int]:
    """The signals ``pid`` has at SIG_IGN, from the SigIgn bitmask."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            mask = int(line.split()[1], 16)
            return {bit + 1 for bit in range(64) if mask >> bit & 1}
    return set()


def only_child(pid: int) -> int:
    """The one child ``pid`` has started (a launcher's program), once it has one."""
    def the_child() -> int:
        found = children(pid)
        return found[0] if len(found) == 1 else 0

    return poll_until(the_child, what=f"the child of {pid}")


class ExitWatch:
    """How ``pid`` ends, whoever reaps it (a shell about to die may reap its job
    before a subreaper can): strace attached to it, tracing no call and no signal,
    reports its exit. Attached once the constructor returns."""

    def __init__(self, pid: int) -> None:
        self._process = subprocess.Popen(
            ["strace", "-e", "trace=none", "-e", "signal=none", "-p", str(pid)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )
        poll_until(lambda: _tracer(pid) == self._process.pid, what=f"strace on {pid}")

    def status(self) -> int:
        """The exit status, or -N if signal N killed it (os.waitstatus_to_exitcode's form)."""
        try:
            _, report = self._process.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError(f"still running {DEADLINE}s later") from None
        match = re.search(r"\+\+\+ (?:exited with (\d+)|killed by (SIG\w+))", report)
        assert match, f"strace saw no exit: {report!r}"
        return int(match[1]) if match[1] else -signal.Signals[match[2]].value

    def __enter__(self) -> ExitWatch:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate(timeout=DEADLINE)


def _tracer(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("TracerPid:"):
            return int(line.split()[1])
    return 0
