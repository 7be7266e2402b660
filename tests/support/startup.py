"""A signal in the interpreter's own start-up, before the launcher's first
statement blocks the signals: where start-up is, system call by system
call, and what one signal sent at a given moment comes to.

``start_up_steps`` traces one start-up with strace and numbers its system
calls up to that first statement, the first ``rt_sigprocmask(SIG_BLOCK,
~[...])`` of every signal after CPython has installed its SIGINT handler
(before that, glibc 2.41 blocks every signal for a moment inside some calls
of its own). ``signal_at_step`` starts the program again with strace
delivering the signal as one of those calls is entered (``-e inject=NAME:
signal=SIG:when=K``), so a moment of start-up is hit exactly, however loaded
the machine. ``fate`` reads what came of it: killed by the signal, status 1
with CPython's own message, answered by the program, or lost.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from typing import NamedTuple

from support.deadline import DEADLINE
from support.lines import NoLine
from support.process import READY, Child

FIRST_STATEMENT = re.compile(r"^rt_sigprocmask\(SIG_BLOCK, ~\[")
# CPython's own SIGINT handler going in: from then on a SIGINT is a KeyboardInterrupt.
HANDLER_SET = re.compile(r"^rt_sigaction\(SIGINT, \{sa_handler=0x")
# CPython's line when a KeyboardInterrupt cuts short its check of whether the
# script's path is an import path entry (a zip, a folder): it prints the
# traceback and runs the script all the same, so that SIGINT is lost.
IMPORTER_CHECK = "Failed checking if argv[0] is an import path entry"
_SYSCALL = re.compile(r"^(\w+)\(")
# How many of these a start-up makes depends on the allocator and the address
# layout, not only on where start-up is: their count does not name one moment.
_UNSTEADY = {"brk", "mmap", "munmap", "mremap", "mprotect", "madvise"}


class Step(NamedTuple):
    """One system call of start-up: its name, which call of that name it is
    (strace's ``when=``), and the line strace wrote for it."""

    name: str
    nth: int
    line: str


class Fate(NamedTuple):
    """What one signal came to: ``kind`` is "killed" (by it), "error" (an exit status
    other than 0, CPython's message on stderr), "answered" (as the program answers
    it, once ready) or "lost" (ready, and nothing was pending)."""

    kind: str
    status: int | None
    stderr: str

    def __str__(self) -> str:
        said = " ".join(re.findall(r"Fatal Python error: \w+|KeyboardInterrupt|"
                                   + re.escape(IMPORTER_CHECK), self.stderr))
        return f"{self.kind} (status {self.status}{', ' + said if said else ''})"


def start_up_steps(argv: Sequence[str]) -> list[Step]:
    """The system calls of one start-up of ``argv``, up to and including the
    launcher's first statement, but those of memory management, whose counts
    vary from run to run; strace's own execve of the program is left out (no
    sender reaches a process before it: Popen returns once it succeeded)."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as log:
        # Standard streams as Child gives them: CPython looks at each, and a
        # different kind of file can mean a different number of calls.
        subprocess.run(["strace", "-qq", "-e", "signal=none", "-o", log.name, *argv,
                        "--version"], stdin=subprocess.DEVNULL, capture_output=True,
                       check=True, timeout=6 * DEADLINE)
        lines = log.read().splitlines()[1:]
    steps: list[Step] = []
    seen = {"execve": 1}
    handler_set = False
    for line in lines:
        if match := _SYSCALL.match(line):
            seen[match[1]] = seen.get(match[1], 0) + 1
            if match[1] not in _UNSTEADY:
                steps.append(Step(match[1], seen[match[1]], line))
            handler_set = handler_set or bool(HANDLER_SET.match(line))
            if handler_set and FIRST_STATEMENT.match(line):
                return steps
    raise AssertionError(f"no rt_sigprocmask(SIG_BLOCK, ~[...]) after CPython's SIGINT "
                         f"handler in the start-up of {argv}")


def signal_at_step(argv: Sequence[str], step: Step, signum: int) -> Fate:
    """The fate of ``signum`` delivered as ``step`` is entered, ``argv`` run under strace."""
    name = signal.Signals(signum).name.removeprefix("SIG")
    inject = f"inject={step.name}:signal={name}:when={step.nth}"
    with Child(["strace", "-qq", "-o", "/dev/null", "-e", f"trace={step.name}", "-e", inject,
                *argv, "--interval", "1"]) as run:
        return fate(run, signum)


def fate(run: Child, signum: int) -> Fate:
    """What became of ``signum``, sent to ``run`` (sig-counter, or a tracer of it)
    while it started: its stderr is read until the ready line or the end. Once
    ready, SIGUSR2 tells the rest: a signal still pending is answered before it
    (the lower number first), and SIGINT ends the run before SIGUSR2 is read."""
    stderr: list[str] = []
    while not stderr or not READY.match(stderr[-1]):
        try:
            stderr.append(run.err_line())
        except NoLine as missing:
            if not missing.ended:
                raise
            status = run.wait_exit()
            kind = "killed" if status == -signum else "error"
            return Fate(kind, status, "".join(stderr))
    pid = int(READY.match(stderr[-1])[1])  # type: ignore[index]  # matched just above
    with contextlib.suppress(ProcessLookupError):  # a SIGINT answered may have ended it
        os.kill(pid, signal.SIGUSR2)
    first = run.line().decode()
    kind = "lost" if first.startswith("Resetting") else "answered"
    if kind == "lost" or signum != signal.SIGINT:
        os.kill(pid, signal.SIGTERM)
    return Fate(kind, run.wait_exit(), "".join(stderr))


__all__ = ["HANDLER_SET", "IMPORTER_CHECK", "Fate", "Step", "fate", "signal_at_step",
           "start_up_steps"]
