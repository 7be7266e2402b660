"""Shared helpers: the installed program under test, and child processes.

Every test that starts sig-counter does it through the ``sig_counter``
fixture (in conftest.py), which kills whatever is left in teardown. Every
read has a deadline.
"""

from __future__ import annotations

import os
import pickle
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sigcounter.kernel.siginfo import SigInfo

T = TypeVar("T")

# struct signalfd_siginfo up to ssi_addr as a struct-module format, native byte
# order: twelve 32-bit fields (I unsigned, i signed), then four 64-bit ones.
SIGINFO_LAYOUT = "=IiiIIiIIIIiiqqqq"

# The console script next to this interpreter: the command users run.
SIG_COUNTER = Path(sys.executable).with_name("sig-counter")
READY = re.compile(r"^sig-counter: pid (\d+) ready")
COUNT = re.compile(r"^Ticker count: (\d+)\n$")
DEADLINE = 10.0  # seconds any single expected event may take on a loaded VM


def poll_until(condition: Callable[[], T], timeout: float = DEADLINE, what: str = "") -> T:
    """Call ``condition`` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.01)


def blocked_signals(pid: int) -> set[int]:
    """The signals blocked by ``pid``, from the SigBlk bitmask in /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            mask = int(line.split()[1], 16)
            # Signal n is bit n - 1 of the mask.
            return {bit + 1 for bit in range(64) if mask >> bit & 1}
    return set()


def _pump(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)


class Running:
    """sig-counter (or ``program``) started as a subprocess, its output read line by line."""

    def __init__(
        self,
        *args: str,
        stdout: int | IO[bytes] = subprocess.PIPE,
        program: Sequence[str] = (str(SIG_COUNTER),),
        cwd: Path | None = None,
    ) -> None:
        self.proc = subprocess.Popen(
            [*program, *args],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd,
        )
        self.out: queue.Queue[bytes | None] = queue.Queue()
        self.err: queue.Queue[bytes | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=_pump, args=(stream, q), daemon=True)
            for stream, q in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
            if stream is not None
        ]
        for thread in self._threads:
            thread.start()
        self.pid = self.proc.pid

    @staticmethod
    def _next(lines: queue.Queue[bytes | None], timeout: float, what: str) -> bytes:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {what} line within {timeout}s") from None
        if line is None:
            raise AssertionError(f"{what} closed while a line was expected")
        return line

    def line(self, timeout: float = DEADLINE) -> bytes:
        """The next stdout line, raw bytes with its newline."""
        return self._next(self.out, timeout, "stdout")

    def err_line(self, timeout: float = DEADLINE) -> str:
        return self._next(self.err, timeout, "stderr").decode()

    def wait_ready(self) -> int:
        match = READY.match(self.err_line())
        assert match, "the first stderr line is not the ready line"
        assert int(match.group(1)) == self.pid
        return self.pid

    def send(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def count(self) -> int:
        """Ask for the count with SIGUSR1 and return it."""
        self.send(signal.SIGUSR1)
        line = self.line().decode()
        match = COUNT.match(line)
        assert match, f"unexpected stdout line {line!r}"
        return int(match.group(1))

    def wait_exit(self, timeout: float = DEADLINE) -> int:
        return self.proc.wait(timeout=timeout)

    def rest_of_stderr(self) -> list[str]:
        """Every stderr line still to come; call after the process exited."""
        lines = []
        while (line := self.err.get(timeout=DEADLINE)) is not None:
            lines.append(line.decode())
        return lines

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=DEADLINE)
        for thread in self._threads:
            thread.join(timeout=DEADLINE)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def in_child(function: Callable[[], T], timeout: float = DEADLINE) -> T:
    """Run ``function`` in a forked child and return its result.

    For process-wide changes (signal masks, pending signals) that must not
    touch the pytest process. The child always ends in ``os._exit``, and is
    killed if it has not answered within ``timeout`` seconds.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 1
        try:
            os.close(read_end)
            outcome: tuple[str, object]
            try:
                outcome = ("ok", function())
            except BaseException as exc:
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            os.write(write_end, pickle.dumps(outcome))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        data = _read_to_end(read_end, pid, timeout)
    finally:
        os.close(read_end)
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0 and data, "the child died"
    kind, value = pickle.loads(data)
    if kind == "error":
        raise AssertionError(f"in the child: {value}")
    return value  # type: ignore[no-any-return]


def _read_to_end(fd: int, pid: int, timeout: float) -> bytes:
    """Everything the child writes to ``fd``; the child is killed at the deadline."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"the child gave no result within {timeout}s")
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def siginfo(
    signo: int, *, code: int = 0, sender_pid: int = 0, sender_uid: int = 0, value: int = 0,
    read_ns: int = 0,
) -> SigInfo:
    """A SigInfo as the kernel would give it, with the fields a test cares about."""
    from sigcounter.kernel.siginfo import SigInfo

    fields = dict.fromkeys(SigInfo._fields, 0)
    fields.update(signo=signo, code=code, sender_pid=sender_pid, sender_uid=sender_uid,
                  value_int=value, value_ptr=value, read_ns=read_ns)
    return SigInfo(*fields.values())
