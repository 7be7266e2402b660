"""A document's examples run as a reader pastes them, one after another, into one shell.

The shell is bash with ``set -e``, since a reader who sees an error stops there, and
with job control (``set -m``), as in a terminal: a background job is a process group
of its own, which a Ctrl-C does not reach and in which SIGINT is not ignored. It runs
in the state the README leaves a newcomer in: the checkout as the current directory,
the venv's ``bin`` first on PATH. The checkout is a folder of links to the real one
(with ``.venv`` the venv this run uses), so what the examples write stays in scratch
space. As root the shell gets a mount namespace whose /run and /var/log are empty
tmpfs mounts: the pidfile examples write there, not into the machine's.

Every process the session starts carries a token in its environment, so that one
that outlives the session (a daemon start-stop-daemon detached included) is found,
reported as left behind, and killed by its PID.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from support.examples import ROOT, Example
from support.procfs import kill_each
from support.tools import find

TOKEN = "SIG_COUNTER_EXAMPLE"
STARTED = re.compile(r"^@@ example (\d+) started$", re.M)
FINISHED = re.compile(r"^@@ example (\d+) finished$", re.M)
READY = re.compile(r"^sig-counter: pid (\d+) ready", re.M)
AS_ROOT = "mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/log && exec bash \"$0\""


@dataclass
class Outcome:
    """How the session ended: its status, all it printed, the blocks it finished."""

    status: int
    output: str
    finished: list[int]


def missing(example: Example) -> list[str]:
    """What the block needs that this machine or run lacks."""
    lacking = []
    for need in example.mark.needs:
        if need == "root":
            if os.geteuid() != 0:
                lacking.append("root")
        elif find(need) is None:
            lacking.append(need)
    return lacking


def checkout_view(where: Path) -> Path:
    """A folder that reads as the checkout, with ``.venv`` this run's venv."""
    where.mkdir()
    for entry in ROOT.iterdir():
        if entry.name != ".venv":
            (where / entry.name).symlink_to(entry)
    (where / ".venv").symlink_to(sys.prefix)
    return where


def script(examples: list[Example]) -> str:
    """The blocks one after another, each between two lines that say where it is."""
    parts = ["set -em\n"]
    for number, example in enumerate(examples):
        parts += [f"echo '@@ example {number} started'\n", example.text,
                  f"echo '@@ example {number} finished'\n"]
    return "".join(parts)


def carriers(token: str) -> list[int]:
    """The PIDs of the processes whose environment holds ``token``."""
    wanted = f"{TOKEN}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if wanted in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


def describe(pids: list[int]) -> list[str]:
    """Each process's PID and command line, for a message."""
    lines = []
    for pid in pids:
        with suppress(OSError):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            lines.append(f"{pid}: {b' '.join(argv).decode(errors='replace').strip()}")
    return lines


class Session:
    """One document's runnable examples, in one shell, in ``scratch``."""

    def __init__(self, examples: list[Example], scratch: Path) -> None:
        self.examples, self.token = examples, uuid.uuid4().hex
        self.view = checkout_view(scratch / "checkout")
        self.log = scratch / "session.log"
        (scratch / "session.sh").write_text(script(examples))
        argv = ["bash", str(scratch / "session.sh")]
        if os.geteuid() == 0:
            argv = ["unshare", "--mount", "--propagation", "private",
                    "bash", "-c", AS_ROOT, argv[1]]
        venv_bin = Path(sys.prefix) / "bin"
        env = {**os.environ, TOKEN: self.token,
               "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
        with self.log.open("ab") as log:  # appended to by every writer, in order
            self.proc = subprocess.Popen(argv, cwd=self.view, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def _interrupt_if_due(self, interrupted: set[int]) -> None:
        """Type Ctrl-C into a running until-Ctrl-C block once it is ready: SIGINT to
        its process group, the foreground job's, as a terminal sends it."""
        text = self.output()
        started = [int(number) for number in STARTED.findall(text)]
        if not started or started[-1] in interrupted:
            return
        current = started[-1]
        if not self.examples[current].mark.until_ctrl_c:
            return
        ready = READY.search(text, text.index(f"@@ example {current} started"))
        if ready:
            os.killpg(os.getpgid(int(ready[1])), signal.SIGINT)
            interrupted.add(current)

    def run(self, deadline: float) -> Outcome:
        """Wait for the shell to end, typing Ctrl-C where a block asks for it."""
        end, interrupted = time.monotonic() + deadline, set[int]()
        while self.proc.poll() is None:
            if time.monotonic() > end:
                raise AssertionError(
                    f"the examples took over {deadline}s; at the end:\n{self.output()[-4000:]}")
            self._interrupt_if_due(interrupted)
            time.sleep(0.05)
        text = self.output()
        return Outcome(self.proc.returncode, text, [int(n) for n in FINISHED.findall(text)])

    def left_behind(self, grace: float = 3.0) -> list[int]:
        """The session's processes still alive ``grace`` seconds after it ended."""
        end = time.monotonic() + grace
        while (alive := carriers(self.token)) and time.monotonic() < end:
            time.sleep(0.05)
        return alive

    def kill(self) -> None:
        """Kill the shell's process group and every process that carries the token."""
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        kill_each(carriers(self.token))
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


@contextmanager
def session(examples: list[Example], scratch: Path) -> Iterator[Session]:
    """A running Session, killed with all it started when the block ends."""
    running = Session(examples, scratch)
    try:
        yield running
    finally:
        running.kill()


__all__ = ["Outcome", "Session", "describe", "missing", "session"]
