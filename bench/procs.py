"""The bench's door to the harness it shares with the tests (tests/support), and
what it reads from /proc about the programs it measures.

Every process started through the harness is killed, by its PID, when the
bench exits, whatever happens.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The bench runs as `python bench/X.py`, which puts bench/ first on the path;
# the harness is the tests' support package, one folder over.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.lines import NoLine, read_line
from support.process import (
    COUNT,
    SIG_COUNTER,
    Child,
    kill_all,
    poll_until,
    preexec_signals,
)
from support.procfs import status
from support.strace import Strace, from_the_start, parse_summary

__all__ = [
    "COUNT", "SIG_COUNTER", "Child", "NoLine", "Running", "Strace", "cpu_and_switches",
    "from_the_start", "kill_all", "parse_summary", "poll_until", "preexec_signals",
    "read_line", "rss_kb", "threads",
]


class Running(Child):
    """A program under measurement, started from its whole argv."""

    def wait_handling(self, timeout: float = 10.0) -> int:
        """Wait for the ready line, which every program prints on stderr once its
        signals are blocked or caught; return when it was read (monotonic ns).

        (/proc's SigBlk cannot tell: a thread inside sigtimedwait has the
        awaited signals taken out of its blocked set while it waits.)
        """
        self.wait_ready(timeout)
        return self.ready_ns

    def count(self, *, skip_other_lines: bool = True) -> int:
        """Ask with SIGUSR1; lines left over from earlier signals are skipped."""
        return super().count(skip_other_lines=skip_other_lines)


def rss_kb(pid: int) -> int:
    return int(status(pid)["VmRSS"].split()[0])


def threads(pid: int) -> int:
    return int(status(pid)["Threads"])


def cpu_and_switches(pid: int) -> tuple[int, int]:
    """(ns on CPU, context switches), summed over all threads, from schedstat and status."""
    cpu = switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            cpu += int((task / "schedstat").read_text().split()[0])
            text = (task / "status").read_text()
        except FileNotFoundError:  # a thread that just ended
            continue
        for line in text.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                switches += int(line.split()[1])
    return cpu, switches
