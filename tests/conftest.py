"""Shared helpers: the installed program under test, and child processes.

Every test that starts sig-counter does it through the ``sig_counter``
fixture, which kills whatever is left in teardown. Every read has a deadline.
"""

from __future__ import annotations

import os
import pickle
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

import pytest

T = TypeVar("T")

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


def _pump(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)


class Running:
    """sig-counter started as a subprocess, its output read line by line."""

    def __init__(self, *args: str, stdout: int | IO[bytes] = subprocess.PIPE) -> None:
        self.proc = subprocess.Popen(
            [str(SIG_COUNTER), *args],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
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


@pytest.fixture
def sig_counter() -> Iterator[Callable[..., Running]]:
    """Start sig-counter with the given options; killed in teardown."""
    if not SIG_COUNTER.exists():
        pytest.fail(f"{SIG_COUNTER} is not installed: run ./dev.sh test")
    started: list[Running] = []

    def start(*args: str, stdout: int | IO[bytes] = subprocess.PIPE) -> Running:
        running = Running(*args, stdout=stdout)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def in_child(function: Callable[[], T]) -> T:
    """Run ``function`` in a forked child and return its result.

    For process-wide changes (signal masks, pending signals) that must not
    touch the pytest process. The child always ends in ``os._exit``.
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
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0 and data, "the child died"
    kind, value = pickle.loads(data)
    if kind == "error":
        raise AssertionError(f"in the child: {value}")
    return value  # type: ignore[no-any-return]
