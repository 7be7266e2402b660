"""strace on the programs under test: attached to a running one (to count its
calls or fault one), or running one from its start; and what strace printed.

Faults go in by attaching with ``-p`` once the program is ready: injected from
the start, they would hit the dynamic loader and the interpreter's own start-up,
which do not survive them. From the start, inject only calls the program alone
makes (``from_the_start``).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, Self

from support.process import Child, poll_until
from support.procfs import tracer_pid

# "1234  read(4, "\1\0...", 8) = 8", "1234  <... epoll_pwait resumed>..., 8) = 1",
# "1234  epoll_pwait(5, ..., NULL, 8) = -1 EINTR (...)"; unfinished and
# detached lines have no result and are not calls we count.
_CALL = re.compile(
    r"^(?P<tid>\d+)\s+(?:<\.\.\. (?P<resumed>\w+) resumed>|(?P<name>\w+)\((?P<first>[^,)]*))"
    r".*?(?:, (?P<last>[^,]+))?\)\s+= (?P<result>-?\d+)(?: (?P<errno>E\w+))?"
)


class Call(NamedTuple):
    """One completed system call, as strace printed it."""

    tid: int
    name: str
    fd: int | None  # first argument, when strace printed it on this line
    size: str  # last argument (a read's or write's count)
    result: int
    errno: str | None
    injected: bool = False  # the result is strace's, by -e inject


def parse_strace(text: str) -> list[Call]:
    """Every completed call in ``text`` (``strace -f`` output), in order."""
    calls = []
    for line in text.splitlines():
        match = _CALL.match(line)
        if match:
            first = match["first"]
            calls.append(
                Call(
                    int(match["tid"]), match["resumed"] or match["name"],
                    int(first) if first and first.isdigit() else None,
                    (match["last"] or "").strip(), int(match["result"]), match["errno"],
                    line.endswith("(INJECTED)"),
                )
            )
    return calls


def parse_summary(text: str) -> dict[str, int]:
    """Calls by syscall name from the last ``strace -c`` table in ``text``
    (with -C, the trace lines come before it)."""
    table = text[text.rindex("% time"):].splitlines()[2:]
    rows = [line.split() for line in table if line and not line.startswith("---")]
    # "% time, seconds, usecs/call, calls, [errors,] syscall"
    return {row[-1]: int(row[3]) for row in rows if row[-1] != "total"}


def strace_command() -> str:
    found = shutil.which("strace")
    if found is None:
        raise FileNotFoundError("strace is not installed: ./dev.sh test installs it")
    return found


def from_the_start(call: str, errno_name: str, argv: Sequence[str]) -> list[str]:
    """``argv`` run under strace, every ``call`` failing with ``errno_name``."""
    return [strace_command(), "-f", "-o", "/dev/null", "-e", f"trace={call}",
            "-e", f"inject={call}:error={errno_name}", *argv]


class Strace:
    """``strace -f`` attached to the running ``pid``, writing to ``log``: the calls
    in ``calls`` (all by default), one ``inject`` rule if given, or only the
    ``-c`` table at detach (``summary``). Returns once the tracee runs under
    tracing: a traced call has shown in the log, so ``calls`` must name the one
    the program sleeps in (a partial line is written as the call starts)."""

    def __init__(self, pid: int, log: Path, *, calls: str | None = None,
                 inject: str | None = None, summary: bool = False) -> None:
        self.log = log
        log.touch()
        options = ["-c"] if summary else []
        options += ["-e", f"trace={calls}"] if calls else []
        options += ["-e", f"inject={inject}"] if inject else []
        self.tracer = Child([strace_command(), "-f", "-o", str(log), *options, "-p", str(pid)],
                            stdout=subprocess.DEVNULL)
        try:
            poll_until(lambda: tracer_pid(pid) == self.tracer.pid, what="strace to attach")
            if not summary:
                poll_until(log.read_text, what=f"a traced call of {pid} in {log}")
        except BaseException:
            self.tracer.stop()
            raise

    def calls(self) -> list[Call]:
        """Every call completed so far."""
        return parse_strace(self.log.read_text())

    def injected(self, name: str | None = None) -> int:
        """How many calls (of ``name``, or any) strace has faulted so far."""
        return sum(1 for call in self.calls() if call.injected and name in (None, call.name))

    def stop(self) -> list[str]:
        """Detach (SIGINT: the tracee runs on, the log is flushed); strace's own stderr
        lines ("Process N attached", ...). Killed by PID if it does not go."""
        self.tracer.stop(signal.SIGINT)
        return self.tracer.rest_of_stderr()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
