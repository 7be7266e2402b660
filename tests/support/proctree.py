"""Process trees, read from /proc: what a launcher started, and its end.

A launcher (tini, runsv, a shell) stands between the test and sig-counter, so
killing the launcher's PID in teardown is not enough: every process of the tree
is found by its PID and killed by it, never by name.
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from support import DEADLINE, poll_until
from support.procfs import children, descendants, kill_each, signal_set, tracer_pid


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything below it, each by its PID. The tree is read
    first: once a parent dies, its children are re-parented and out of sight."""
    kill_each([*descendants(pid), pid])


def state(pid: int) -> str:
    """The one-letter state in /proc/PID/stat ("" once the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return ""
    return stat.rsplit(")", 1)[1].split()[0]


def ignored_signals(pid: int) -> set[int]:
    """The signals ``pid`` has at SIG_IGN, from the SigIgn bitmask."""
    return signal_set(pid, "SigIgn")


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
        poll_until(lambda: tracer_pid(pid) == self._process.pid, what=f"strace on {pid}")

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

