"""Starting, reading and stopping the programs under test, and reading /proc.

Every process started here is registered and killed (by PID) when the
harness exits, whatever happens.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

_started: list[subprocess.Popen[bytes]] = []


@atexit.register
def kill_all() -> None:
    for proc in _started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@dataclass
class Running:
    """One program under test; stdout is read directly, with deadlines, no threads."""

    argv: list[str]
    proc: subprocess.Popen[bytes] = field(init=False)
    spawned_ns: int = field(init=False)
    _pending: bytes = b""

    def __post_init__(self) -> None:
        self.spawned_ns = time.monotonic_ns()
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _started.append(self.proc)
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_handling(self, timeout: float = 10.0) -> int:
        """Wait for the ready line, which every program prints on stderr once its
        signals are blocked or caught; return when it came (ns).

        (/proc's SigBlk cannot tell: a thread inside sigtimedwait has the
        awaited signals taken out of its blocked set while it waits.)
        """
        assert self.proc.stderr is not None
        stderr = self.proc.stderr.fileno()
        deadline, seen = time.monotonic() + timeout, b""
        while b"ready" not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stderr], [], [], left)[0]:
                raise TimeoutError(f"{self.argv} printed no ready line: {seen!r}")
            chunk = os.read(stderr, 4096)
            if not chunk:
                raise EOFError(f"{self.argv} exited before it was ready: {seen!r}")
            seen += chunk
        return time.monotonic_ns()

    def line(self, timeout: float = 10.0) -> tuple[bytes, int]:
        """The next stdout line and the monotonic ns at which it was read."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                raise TimeoutError(f"no line from {self.argv[0]} within {timeout}s")
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise EOFError(f"{self.argv[0]} closed stdout")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return line + b"\n", time.monotonic_ns()

    def count(self) -> int:
        """Ask with SIGUSR1; skip lines left over from earlier signals."""
        os.kill(self.pid, signal.SIGUSR1)
        while True:
            line, _ = self.line()
            if line.startswith(b"Ticker count: "):
                return int(line.split()[-1])

    def drain_until(self, marker: bytes, timeout: float) -> int:
        """Read lines until one equals ``marker``; return how many came before it."""
        deadline, before = time.monotonic() + timeout, 0
        while self.line(max(0.01, deadline - time.monotonic()))[0] != marker:
            before += 1
        return before

    def discard_pending(self, quiet_s: float = 0.3) -> int:
        """Read and drop output until none has come for ``quiet_s``; return lines dropped."""
        dropped = 0
        while True:
            try:
                self.line(quiet_s)
            except TimeoutError:
                return dropped
            dropped += 1

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return self.proc.returncode


def _status(pid: int) -> dict[str, str]:
    text = Path(f"/proc/{pid}/status").read_text()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def rss_kb(pid: int) -> int:
    return int(_status(pid)["VmRSS"].split()[0])


def threads(pid: int) -> int:
    return int(_status(pid)["Threads"])


def cpu_and_switches(pid: int) -> tuple[int, int]:
    """(ns on CPU, context switches), summed over all threads, from schedstat and status."""
    cpu = switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            cpu += int((task / "schedstat").read_text().split()[0])
            status = (task / "status").read_text()
        except FileNotFoundError:  # a thread that just ended
            continue
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                switches += int(line.split()[1])
    return cpu, switches
