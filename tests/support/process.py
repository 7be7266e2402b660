"""The programs under test as child processes, for the tests and the bench alike.

A ``Child`` is started with pipes on stdout and stderr, each read line by line
by a thread (support/lines.py), so that neither pipe can fill and stall the
program while the caller waits on the other. Every wait has a deadline.
Readiness is the ready line (``NAME: pid N ready``, which every program here
prints on stderr once its signals are blocked or caught), or, without one
(``--quiet``, stderr closed), the handled signal showing in SigBlk. A child is
ended by its PID, with whatever it started: by ``stop()``, at the end of a
``with`` block, and at the latest when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from support.deadline import DEADLINE
from support.lines import Lines, NoLine, next_line, pump
from support.procfs import blocked_signals, descendants, kill_each

T = TypeVar("T")
# The console script next to this interpreter: the command users run.
SIG_COUNTER = Path(sys.executable).with_name("sig-counter")
READY = re.compile(r"^sig-counter: pid (\d+) ready")
ANY_READY = re.compile(r"^[\w.-]+: pid (\d+) ready")  # the bench's programs say it alike
COUNT = re.compile(r"^Ticker count: (\d+)\n$")
TERMINATED = "received terminated \N{EM DASH} shutting down\n".encode()


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


_live: set[Child] = set()


class Child:
    """One program started from ``argv``; keyword arguments go to Popen (stdout and
    stderr are pipes unless given, stdin is /dev/null). ``deadline`` is the
    timeout of every wait that is not given one."""

    ready_line = ANY_READY

    def __init__(self, argv: Sequence[str], *, deadline: float = DEADLINE, **popen: Any) -> None:
        popen = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE,
                 "stderr": subprocess.PIPE, **popen}
        self.argv, self.deadline, self.ready_ns = list(argv), deadline, 0
        self.spawned_ns = time.monotonic_ns()
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(self.argv, **popen)
        self.pid = self.proc.pid
        _live.add(self)
        self.out: Lines = queue.Queue()
        self.err: Lines = queue.Queue()
        self._threads = []
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            if stream is None:  # not a pipe of ours: nothing will come
                lines.put(None)
                continue
            self._threads.append(threading.Thread(target=pump, args=(stream, lines), daemon=True))
            self._threads[-1].start()

    def _timeout(self, timeout: float | None) -> float:
        return self.deadline if timeout is None else timeout

    def line(self, timeout: float | None = None) -> bytes:
        """The next stdout line, raw bytes with its newline."""
        return next_line(self.out, self._timeout(timeout), "stdout")

    def timed_line(self, timeout: float | None = None) -> tuple[bytes, int]:
        """The next stdout line and when it was read (monotonic ns), by the reader
        thread as the line arrived."""
        line = next_line(self.out, self._timeout(timeout), "stdout")
        return line, line.read_ns

    def poll_line(self, timeout: float | None = None) -> bytes | None:
        """The next stdout line, or None if none came in time or stdout ended."""
        with contextlib.suppress(NoLine):
            return self.line(timeout)
        return None

    def err_line(self, timeout: float | None = None) -> str:
        return next_line(self.err, self._timeout(timeout), "stderr").decode()

    def err_until(self, pattern: re.Pattern[str], timeout: float | None = None) -> list[str]:
        """stderr lines up to and including the first that matches ``pattern``,
        all within one deadline."""
        deadline = time.monotonic() + self._timeout(timeout)
        lines: list[str] = []
        while not lines or not pattern.match(lines[-1]):
            lines.append(self.err_line(max(0.0, deadline - time.monotonic())))
        return lines

    def rest_of_stderr(self, timeout: float | None = None) -> list[str]:
        """Every stderr line still to come; call once the process has exited."""
        lines = []
        while True:
            try:
                lines.append(self.err_line(timeout))
            except NoLine as error:
                if error.ended:
                    return lines
                raise

    def wait_ready(self, timeout: float | None = None) -> int:
        """Wait for the ready line, which must be the first stderr line and name this
        PID; return the PID, with ``ready_ns`` set to when the line was read."""
        line = next_line(self.err, self._timeout(timeout), "stderr (the ready line)")
        match = self.ready_line.match(text := line.decode())
        if not match or int(match[1]) != self.pid:
            raise NoLine(f"the first stderr line of {self.pid} is not its ready line: {text!r}",
                         instead=text)
        self.ready_ns = line.read_ns
        return self.pid

    def wait_blocked(self, signum: int = signal.SIGUSR1, timeout: float | None = None) -> int:
        """Readiness without a ready line: wait until ``signum`` is blocked. Only for
        programs that keep their signals blocked (sig-counter, the C program): a
        thread inside sigtimedwait has them out of its blocked set while it waits."""
        poll_until(lambda: signum in blocked_signals(self.pid), self._timeout(timeout),
                   what=f"{signal.Signals(signum).name} blocked in {self.pid}")
        return self.pid

    def send(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def count(self, *, skip_other_lines: bool = False) -> int:
        """Ask for the count with SIGUSR1 and return it: the next line must say it,
        unless ``skip_other_lines`` (lines left over from earlier signals)."""
        self.send(signal.SIGUSR1)
        while True:
            text = self.line().decode()
            if match := COUNT.match(text):
                return int(match[1])
            if not skip_other_lines:
                raise AssertionError(f"unexpected stdout line {text!r}")

    def count_after_a_tick(self) -> int:
        """Ask for the count until it is above zero, which shows that the run both
        ticks and answers; return it."""
        return poll_until(self.count, self.deadline, what=f"a tick counted by {self.pid}")

    def terminate(self, status: int = 0) -> None:
        """SIGTERM: the shutdown line must be the next stdout line and the run end
        with ``status``."""
        self.send(signal.SIGTERM)
        assert self.line() == TERMINATED
        assert self.wait_exit() == status

    def drain_until(self, marker: bytes, timeout: float) -> int:
        """Read lines until one equals ``marker``; return how many came before it."""
        deadline, before = time.monotonic() + timeout, 0
        while self.line(max(0.0, deadline - time.monotonic())) != marker:
            before += 1
        return before

    def discard_pending(self, quiet_s: float = 0.3) -> int:
        """Read and drop lines until none has come for ``quiet_s``; return how many."""
        dropped = 0
        while self.poll_line(quiet_s) is not None:
            dropped += 1
        return dropped

    def wait_exit(self, timeout: float | None = None) -> int:
        return self.proc.wait(timeout=self._timeout(timeout))

    def poll_exit(self, timeout: float | None = None) -> int | None:
        """The exit status, or None if it is still running at the deadline."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.wait_exit(timeout)
        return None

    def stop(self, signum: int = signal.SIGKILL) -> int:
        """End it by PID: ``signum`` first; at the deadline, SIGKILL for it and
        everything it started (read before the kill: orphans are out of sight)."""
        if self.proc.poll() is None:
            started = descendants(self.pid) if signum == signal.SIGKILL else []
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)
            kill_each(started)
            if self.poll_exit() is None:
                kill_each([*descendants(self.pid), self.pid])
                self.proc.wait(timeout=self.deadline)
        for thread in self._threads:
            thread.join(timeout=self.deadline)
        for stream in (self.proc.stdout, self.proc.stderr):
            # A reader still blocked (a grandchild holds the pipe) keeps its stream.
            if stream is not None and not any(t.is_alive() for t in self._threads):
                stream.close()
        _live.discard(self)
        return self.proc.returncode

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class Running(Child):
    """sig-counter started with ``args`` (or ``program`` with them: the same command
    under nohup, strace, ``python -m``), its ready line sig-counter's own."""

    ready_line = READY

    def __init__(
        self,
        *args: str,
        program: Sequence[str] = (str(SIG_COUNTER),),
        cwd: Path | str | None = None,
        **popen: Any,
    ) -> None:
        super().__init__([*program, *args], cwd=cwd, **popen)


# What the ``sig_counter`` fixture gives a test: start sig-counter with these options.
StartFn = Callable[..., Running]


class Stoppable(Protocol):
    def stop(self) -> object: ...


S = TypeVar("S", bound=Stoppable)


@contextlib.contextmanager
def stopped_at_end(started: list[S]) -> Iterator[list[S]]:
    """``started`` for a test to add to; each one in it stopped when the block ends."""
    try:
        yield started
    finally:
        for each in started:
            each.stop()


@atexit.register
def kill_all() -> None:
    """Whatever is still running when the interpreter exits, killed by its PID."""
    for child in list(_live):
        child.stop()


def preexec_signals(how: str) -> Callable[[], None]:
    """A Popen ``preexec_fn`` that leaves SIGUSR1 and SIGINT ``blocked`` or
    ``ignored`` across exec, as a careless parent would."""
    def prepare() -> None:
        if how == "blocked":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGINT})
        else:
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    return prepare
