"""A real pseudo-terminal with a program as its session leader, as a terminal emulator
runs a shell: the test types on the master side, reads the screen from it, and closes
it to hang the terminal up.

The program is started by support/reaper.py, which stays outside the session and
reaps everything in it, so the exit status of a job is known even after its shell is
gone. Every read has a deadline; close() kills whatever the tree still holds, by PID.
"""

from __future__ import annotations

import errno
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from support import DEADLINE
from support.proctree import kill_tree

REAPER = Path(__file__).with_name("reaper.py")
CTRL_C, CTRL_Z = b"\x03", b"\x1a"


class Terminal:
    """``command`` on a fresh pty, in a session of its own."""

    def __init__(self, command: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> None:
        self._master, slave = pty.openpty()
        self._screen = b""
        self._read_up_to = 0  # where the next expect() starts looking
        self._exits: dict[int, int] = {}
        self._changed = threading.Condition()
        self._reaper = subprocess.Popen(
            [sys.executable, str(REAPER), str(slave), *command],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, pass_fds=(slave,),
            cwd=cwd, env=dict(env),
        )
        os.close(slave)
        self._listener = threading.Thread(target=self._listen, daemon=True)
        self._listener.start()
        self.leader = self._leader()

    def _listen(self) -> None:
        assert self._reaper.stdout is not None
        for line in self._reaper.stdout:
            kind, *numbers = line.split()
            with self._changed:
                if kind == b"leader":
                    self._exits[-1] = int(numbers[0])
                else:
                    self._exits[int(numbers[0])] = int(numbers[1])
                self._changed.notify_all()

    def _wait_for(self, key: int, what: str, timeout: float) -> int:
        with self._changed:
            if not self._changed.wait_for(lambda: key in self._exits, timeout):
                raise AssertionError(f"no {what} within {timeout}s")
            return self._exits[key]

    def _leader(self) -> int:
        return self._wait_for(-1, "session leader", DEADLINE)

    def exit_status(self, pid: int, timeout: float = DEADLINE) -> int:
        """How ``pid`` (the leader or anything it left behind) ended, once it has:
        its exit status, or -N if signal N killed it."""
        return self._wait_for(pid, f"exit of pid {pid}", timeout)

    def type(self, keys: str | bytes) -> None:
        """Keys typed on the terminal; a str is one command line (Enter added)."""
        data = keys if isinstance(keys, bytes) else keys.encode() + b"\n"
        os.write(self._master, data)

    def expect(self, pattern: str, timeout: float = DEADLINE) -> re.Match[str]:
        """The first match of ``pattern`` in what the screen shows after the last match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            text = self._screen.decode(errors="replace")
            match = regex.search(text, self._read_up_to)
            if match:
                self._read_up_to = match.end()
                return match
            left = deadline - time.monotonic()
            if left <= 0 or not self._read_more(left):
                raise AssertionError(f"{pattern!r} not on the terminal; it shows {text!r}")

    def _read_more(self, timeout: float) -> bool:
        if not select.select([self._master], [], [], timeout)[0]:
            return False
        try:
            self._screen += os.read(self._master, 65536)
        except OSError as exc:  # EIO: nothing holds the terminal's side any more
            if exc.errno != errno.EIO:
                raise
            return False
        return True

    def hang_up(self) -> None:
        """Close the master, as a terminal emulator whose window closes: the kernel
        hangs the terminal up and sends SIGHUP to the session leader."""
        if self._master >= 0:
            os.close(self._master)
            self._master = -1

    def close(self) -> None:
        """Hang up, kill what is left of the tree (by PID), reap the reaper."""
        self.hang_up()
        kill_tree(self._reaper.pid)
        self._reaper.wait(timeout=DEADLINE)
        self._listener.join(timeout=DEADLINE)
        if self._reaper.stdout is not None:
            self._reaper.stdout.close()
