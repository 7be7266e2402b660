"""Every fault and edge of docs/reliability.md, run against the C program of the
same design, the Go original and sig-counter, each outcome observed here:

    .venv/bin/python bench/compare_faults.py [--runs N] [--only CASE ...] [--out FILE]

Needs gcc and strace; the Go column needs `go` (golang-go) and is left out
without it. Every child has a deadline and is killed by its PID when it
outlives it. Prints one line per case and program; --out also writes them as
JSON. The start-up window (spawn, wait d ms, signal) runs --runs times per
delay (default 10).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import queue
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SIG_COUNTER = str(Path(PYTHON).with_name("sig-counter"))
READY = re.compile(r"pid (\d+) ready")
COUNT = re.compile(rb"^Ticker count: (\d+)\n$")
DEADLINE = 3.0  # seconds any one expected event may take
HANDLED = (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT)


@dataclass
class Program:
    name: str
    command: list[str]  # the binary and the flags every run gets
    extra: dict[str, list[str]] = field(default_factory=dict)  # per-case options

    def argv(self, interval: float, case: str = "") -> list[str]:
        return [*self.command, "--interval", f"{interval}", *self.extra.get(case, [])]


def build(scratch: Path) -> list[Program]:
    c_binary = scratch / "c_sigcounter"
    subprocess.run(["gcc", "-O2", "-Wall", "-o", str(c_binary),
                    str(HERE / "comparators" / "c_sigcounter.c")], check=True)
    programs = [Program("C", [str(c_binary)])]
    if shutil.which("go"):
        go_binary = scratch / "go_sigcounter"
        subprocess.run(["go", "build", "-o", str(go_binary), "."], check=True,
                       cwd=HERE / "comparators" / "go_sigcounter",
                       env={**os.environ, "GOFLAGS": "-mod=mod", "GO111MODULE": "on"})
        programs.append(Program("Go", [str(go_binary), "--ready"]))
    else:
        print("compare_faults: no `go` here; the Go column is left out", file=sys.stderr)
    programs.append(Program("sig-counter", [SIG_COUNTER], {
        "eagain": ["--tick-source", "timeout"],  # its only reads are the signalfd's
    }))
    return programs


# --- one child, read line by line, always with a deadline ---------------------

def _pump(stream: object, lines: queue.Queue[bytes | None]) -> None:
    for line in iter(stream.readline, b""):  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


class Child:
    """A program started with stdout/stderr pipes (unless given), its lines in queues."""

    def __init__(self, argv: list[str], **popen: object) -> None:
        popen.setdefault("stdin", subprocess.DEVNULL)
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        self.proc = subprocess.Popen(argv, **popen)  # type: ignore[call-overload]
        self.pid = self.proc.pid
        self.out: queue.Queue[bytes | None] = queue.Queue()
        self.err: queue.Queue[bytes | None] = queue.Queue()
        self.stderr_lines: list[str] = []
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            if stream is not None:
                threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()

    def line(self, timeout: float = DEADLINE) -> bytes | None:
        """The next stdout line; None at EOF or when none came in time."""
        try:
            return self.out.get(timeout=timeout)
        except queue.Empty:
            return None

    def wait_ready(self, timeout: float = DEADLINE) -> bool:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                raw = self.err.get(timeout=left)
            except queue.Empty:
                return False
            if raw is None:
                return False
            text = raw.decode(errors="replace")
            if READY.search(text):
                return True
            self.stderr_lines.append(text.rstrip("\n"))
        return False

    def wait(self, timeout: float = DEADLINE) -> int | None:
        try:
            return int(self.proc.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            return None

    def stderr_after(self) -> list[str]:
        """Every stderr line (besides the ready line); call once it has exited."""
        while True:
            try:
                raw = self.err.get(timeout=DEADLINE)
            except queue.Empty:
                break
            if raw is None:
                break
            self.stderr_lines.append(raw.decode(errors="replace").rstrip("\n"))
        return self.stderr_lines

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=DEADLINE)


@contextlib.contextmanager
def child(argv: list[str], **popen: object) -> Iterator[Child]:
    started = Child(argv, **popen)
    try:
        yield started
    finally:
        started.kill()


def status_text(status: int | None, stderr: list[str] | None = None) -> str:
    if status is None:
        return "still running (hung)"
    text = (f"killed by {signal.Signals(-status).name}" if status < 0
            else f"exit {status}")
    if stderr:
        extra = f" (+{len(stderr) - 1} more lines)" if len(stderr) > 1 else ""
        text += f", stderr: {stderr[0]!r}{extra}"
    return text


def blocked(pid: int) -> set[int]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            mask = int(line.split()[1], 16)
            return {bit + 1 for bit in range(64) if mask >> bit & 1}
    return set()


def ready_without_stderr(program: Program, pid: int) -> None:
    """Wait until signals are safe when there is no ready line to read: the
    handled signals blocked (C, sig-counter), or a second gone by (Go, whose
    runtime catches every signal from its first instant, so /proc cannot tell)."""
    if program.name == "Go":
        time.sleep(1.0)
        return
    deadline = time.monotonic() + DEADLINE
    while signal.SIGUSR1 not in blocked(pid) and time.monotonic() < deadline:
        time.sleep(0.005)


def shutdown(run: Child, signum: int = signal.SIGTERM) -> str:
    """Send ``signum``; the stdout line it got and how the program ended."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(run.pid, signum)
    line = run.line()
    status = run.wait()
    shown = line.decode(errors="replace").rstrip("\n") if line else "no line"
    stderr = run.stderr_after() if status is not None else None
    return f"{shown!r} then {status_text(status, stderr)}"


# --- strace -e inject on a running program -----------------------------------

def tracer_pid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("TracerPid:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def injected(pid: int, calls: str, inject: str, log: Path) -> Iterator[Callable[[], int]]:
    """strace -f attached to ``pid`` with one injection; yields a count of the
    calls faulted so far. -f so that every thread of the Go runtime is traced."""
    tracer = subprocess.Popen(
        ["strace", "-f", "-o", str(log), "-e", f"trace={calls}", "-e", f"inject={inject}",
         "-p", str(pid)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + DEADLINE
    while tracer_pid(pid) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # every thread seized and the filter armed

    def count() -> int:
        return log.read_text().count("(INJECTED)") if log.exists() else 0

    try:
        yield count
    finally:
        if tracer.poll() is None:
            tracer.send_signal(signal.SIGINT)  # detach
        try:
            tracer.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            os.kill(tracer.pid, signal.SIGKILL)
            tracer.wait()


# --- the cases ------------------------------------------------------------------

def unread(read_end: int) -> int:
    answer = fcntl.ioctl(read_end, termios.FIONREAD, struct.pack("i", 0))
    return int(struct.unpack("i", answer)[0])


def case_pipe_full(program: Program, scratch: Path) -> str:
    """stdout's reader stops reading; SIGUSR1s until the pipe is full; SIGTERM."""
    read_end, write_end = os.pipe()
    try:
        with child(program.argv(1), stdout=write_end) as run:
            os.close(write_end)
            if not run.wait_ready():
                return "never ready"
            sent, last, steady = 0, -1, 0.0
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                for _ in range(50):
                    os.kill(run.pid, signal.SIGUSR1)
                    time.sleep(0.0002)
                sent += 50
                now = unread(read_end)
                if now != last:
                    last, steady = now, time.monotonic()
                elif now > 60_000 and time.monotonic() - steady > 0.5:
                    break
            os.kill(run.pid, signal.SIGTERM)
            term_at = time.monotonic()
            status = run.wait(timeout=5.0)
            took = time.monotonic() - term_at
            filled = f"pipe full at {last} bytes after {sent} SIGUSR1s; "
            if status is None:
                return filled + ("SIGTERM: still running 5 s later (blocked in write(2)); "
                                 "only SIGKILL ends it")
            return filled + f"SIGTERM: {status_text(status, run.stderr_after())} after {took:.2f} s"
    finally:
        os.close(read_end)


def case_epipe(program: Program, scratch: Path) -> str:
    """stdout's reader goes away; then one SIGUSR1."""
    read_end, write_end = os.pipe()
    with child(program.argv(1), stdout=write_end) as run:
        os.close(write_end)
        if not run.wait_ready():
            return "never ready"
        os.close(read_end)
        os.kill(run.pid, signal.SIGUSR1)
        status = run.wait()
        return status_text(status, run.stderr_after() if status is not None else None)


def case_write_error(errno_name: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """write(2) to stdout fails once with ``errno_name``; then SIGUSR1."""
        with child(program.argv(1)) as run:
            if not run.wait_ready():
                return "never ready"
            with injected(run.pid, "write", f"write:error={errno_name}:when=1",
                          scratch / f"write-{errno_name}-{program.name}") as count:
                os.kill(run.pid, signal.SIGUSR1)
                status = run.wait(timeout=2.0)
                faults = count()
            if status is not None:
                return f"{status_text(status, run.stderr_after())} ({faults} write faulted)"
            line = run.line(timeout=0.2)
            lost = "line lost silently" if line is None else f"line {line!r}"
            return f"keeps running, {lost}, nothing on stderr; SIGTERM: {shutdown(run)}"
    return case


EINTR_FAULTS = {
    "epoll_pwait": "epoll_pwait:error=EINTR:when=1..200+2",
    "read": "read:error=EINTR:when=1..100+2",
    "write": "write:error=EINTR:when=1..10+2",
}


def case_eintr(call: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """EINTR on every other ``call``; five SIGUSR1s one at a time, then SIGTERM."""
        with child(program.argv(0.01)) as run:
            if not run.wait_ready():
                return "never ready"
            with injected(run.pid, "epoll_pwait,read,write,futex,nanosleep",
                          EINTR_FAULTS[call], scratch / f"eintr-{call}-{program.name}") as count:
                if call != "write":
                    time.sleep(0.3)
                counts: list[int] = []
                for _ in range(5):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(run.pid, signal.SIGUSR1)
                    line = run.line(timeout=1.0)
                    match = COUNT.match(line or b"")
                    if not match:
                        break
                    counts.append(int(match.group(1)))
                end = shutdown(run)
                faults = count()
            good = counts == sorted(counts) and len(counts) == 5
            answers = f"{len(counts)}/5 SIGUSR1 answered" + ("" if good else f" {counts}")
            return f"{faults} {call}s faulted; {answers}; SIGTERM: {end}"
    return case


def case_eagain(program: Program, scratch: Path) -> str:
    """EAGAIN on the first read after attaching (the signalfd's: ticks are 100 s apart)."""
    with child(program.argv(100, "eagain")) as run:
        if not run.wait_ready():
            return "never ready"
        with injected(run.pid, "epoll_pwait,read,write", "read:error=EAGAIN:when=1",
                      scratch / f"eagain-{program.name}") as count:
            os.kill(run.pid, signal.SIGUSR1)
            lines = [line for line in iter(lambda: run.line(timeout=1.0), None)]
            end = shutdown(run)
            faults = count()
        shown = [line.decode().rstrip("\n") for line in lines]
        return f"{faults} read faulted; lines for one SIGUSR1: {shown}; SIGTERM: {end}"


def case_startup(call: str, errno_name: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """``call`` fails with ``errno_name`` from the start (strace -f runs the program)."""
        tracer = subprocess.Popen(
            ["strace", "-f", "-o", "/dev/null", "-e", f"trace={call}",
             "-e", f"inject={call}:error={errno_name}", *program.argv(1)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            _, err = tracer.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            for pid in _children(tracer.pid):
                os.kill(pid, signal.SIGKILL)
            tracer.communicate(timeout=DEADLINE)
            return "starts and runs (makes no such call, or shrugs it off)"
        lines = err.decode(errors="replace").splitlines()
        return status_text(tracer.returncode, lines or ["(nothing)"])
    return case


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(n) for n in (task / "children").read_text().split()]
    return found


def case_stdout_closed(program: Program, scratch: Path) -> str:
    """Started with fd 1 closed; SIGUSR1, then SIGTERM."""
    with child(["sh", "-c", 'exec "$@" >&-', "sh", *program.argv(1)], stdout=None) as run:
        if not run.wait_ready(timeout=2.0):
            status = run.wait()
            return "before ready: " + status_text(status, run.stderr_after())
        fd1 = os.readlink(f"/proc/{run.pid}/fd/1") if os.path.exists(
            f"/proc/{run.pid}/fd/1") else "closed"
        os.kill(run.pid, signal.SIGUSR1)
        status = run.wait(timeout=1.0)
        if status is not None:
            return f"fd 1 is {fd1}; SIGUSR1: {status_text(status, run.stderr_after())}"
        os.kill(run.pid, signal.SIGTERM)
        status = run.wait()
        return (f"fd 1 is {fd1}; SIGUSR1 answered into it, silently; SIGTERM: "
                f"{status_text(status, run.stderr_after())}")


def case_stdin_stderr_closed(program: Program, scratch: Path) -> str:
    """Started with fds 0 and 2 closed; SIGUSR1, then SIGTERM."""
    with child(["sh", "-c", 'exec "$@" <&- 2>&-', "sh", *program.argv(1)],
               stderr=None) as run:
        ready_without_stderr(program, run.pid)
        fds = {}
        for fd in (0, 2):
            path = f"/proc/{run.pid}/fd/{fd}"
            fds[fd] = os.readlink(path) if os.path.lexists(path) else "closed"
        os.kill(run.pid, signal.SIGUSR1)
        line = run.line()
        shown = line.decode().rstrip("\n") if line else "no line"
        return f"fd 0 {fds[0]}, fd 2 {fds[2]}; SIGUSR1: {shown!r}; SIGTERM: {shutdown(run)}"


def case_stdout_kind(kind: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """stdout is a file, pipe, socket, terminal or /dev/null: SIGUSR1, SIGTERM."""
        ours, theirs, path = None, None, scratch / f"out-{kind}-{program.name}"
        if kind == "file":
            theirs = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        elif kind == "pipe":
            ours, theirs = os.pipe()
        elif kind == "socket":
            a, b = socket.socketpair()
            ours, theirs = a.detach(), b.detach()
        elif kind == "terminal":
            ours, theirs = pty.openpty()
        else:
            theirs = os.open(os.devnull, os.O_WRONLY)
        try:
            with child(program.argv(1), stdout=theirs) as run:
                os.close(theirs)
                if not run.wait_ready():
                    return "never ready"
                os.kill(run.pid, signal.SIGUSR1)
                got = _line_from(ours, path if kind == "file" else None)
                os.kill(run.pid, signal.SIGTERM)
                status = run.wait()
                end = status_text(status, run.stderr_after() if status is not None else None)
                return f"SIGUSR1: {got}; SIGTERM: {end}"
        finally:
            if ours is not None:
                os.close(ours)
    return case


def _line_from(fd: int | None, path: Path | None) -> str:
    deadline = time.monotonic() + DEADLINE
    data = b""
    while not data.endswith(b"\n") and time.monotonic() < deadline:
        if path is not None:
            data = path.read_bytes()
            time.sleep(0.01)
        elif fd is not None:
            if select.select([fd], [], [], 0.05)[0]:
                data += os.read(fd, 1)
        else:
            return "(not observable)"
    text = data.decode(errors="replace").replace("\r", "").rstrip("\n")
    return repr(text) if text else "no line"


def case_parent_signals(how: str) -> Callable[[Program, Path], str]:
    def prepare() -> None:
        if how == "blocked":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGINT})
        else:
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def case(program: Program, scratch: Path) -> str:
        """The parent left SIGUSR1 and SIGINT blocked or ignored; SIGUSR1, then SIGINT."""
        with child(program.argv(1), preexec_fn=prepare) as run:
            if not run.wait_ready():
                return "never ready"
            os.kill(run.pid, signal.SIGUSR1)
            line = run.line(timeout=1.0)
            shown = line.decode().rstrip("\n") if line else "no answer"
            os.kill(run.pid, signal.SIGINT)
            status = run.wait(timeout=1.0)
            if status is None:
                return f"SIGUSR1: {shown!r}; SIGINT: no effect; SIGTERM: {shutdown(run)}"
            end = run.line(timeout=0.5)
            return (f"SIGUSR1: {shown!r}; SIGINT: {end!r} "
                    f"{status_text(status, run.stderr_after())}")
    return case


def case_pending_at_exec(program: Program, scratch: Path) -> str:
    """SIGUSR1 blocked and pending when exec runs."""
    argv = program.argv(1)
    code = ("import os, signal\n"
            "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\n"
            "os.kill(os.getpid(), signal.SIGUSR1)\n"
            f"os.execv({argv[0]!r}, {argv!r})\n")
    with child([PYTHON, "-c", code]) as run:
        line = run.line()
        if line is None:
            status = run.wait()
            return "no line; " + status_text(status, run.stderr_after())
        return f"first line {line.decode().rstrip()!r}; SIGTERM: {shutdown(run)}"


def case_no_ctty(program: Program, scratch: Path) -> str:
    """In a new session, with no controlling terminal."""
    with child(program.argv(1), start_new_session=True) as run:
        if not run.wait_ready():
            return "never ready"
        os.kill(run.pid, signal.SIGUSR1)
        line = run.line()
        return f"SIGUSR1: {line!r}; SIGTERM: {shutdown(run)}"


def case_sighup(program: Program, scratch: Path) -> str:
    """SIGHUP once ready."""
    with child(program.argv(1)) as run:
        if not run.wait_ready():
            return "never ready"
        text = shutdown(run, signal.SIGHUP)
    if program.name != "sig-counter":
        return text
    with child([*program.argv(1), "--json", "--stats"]) as run:
        run.wait_ready()
        os.kill(run.pid, signal.SIGHUP)
        status = run.wait()
        events = [json.loads(line) for line in iter(lambda: run.line(timeout=0.5), None)]
        stats = run.stderr_after()
    last = events[-1] if events else {}
    return (f"{text}; with --json --stats: {status_text(status)}, last event "
            f"{last.get('event')}/{last.get('signal')}, a {len(stats)}-line --stats table")


def _ask(run: Child) -> tuple[int, float]:
    os.kill(run.pid, signal.SIGUSR1)
    while True:
        line = run.line()
        if line is None:
            raise RuntimeError("no answer")
        if (match := COUNT.match(line)):
            return int(match.group(1)), time.monotonic()


def case_sigstop(program: Program, scratch: Path) -> str:
    """--interval 0.05; stopped for 1 s; the count before and after."""
    with child(program.argv(0.05)) as run:
        if not run.wait_ready():
            return "never ready"
        before, at = _ask(run)
        os.kill(run.pid, signal.SIGSTOP)
        time.sleep(1.0)
        os.kill(run.pid, signal.SIGCONT)
        after, then = _ask(run)
        due = (then - at) / 0.05
        return (f"counted {after - before} ticks over {then - at:.2f} s ({due:.0f} due), "
                "1 s of it stopped")


def case_flood(total: int) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """``total`` SIGUSR1s as fast as os.kill goes, a SIGUSR2 marker, then the tick rate."""
        with child(program.argv(0.05)) as run:
            if not run.wait_ready():
                return "never ready"
            started = time.monotonic()
            for _ in range(total):
                os.kill(run.pid, signal.SIGUSR1)
            os.kill(run.pid, signal.SIGUSR2)
            sent = time.monotonic() - started
            answers, marker = 0, False
            while (line := run.line(timeout=2.0)) is not None:
                if line == b"Resetting ticker count to zero\n":
                    marker = True
                    break
                answers += 1
            if run.proc.poll() is not None:
                return f"died: {status_text(run.proc.returncode)}"
            first, at = _ask(run)
            time.sleep(2.0)
            last, then = _ask(run)
            rate = (last - first) / (then - at)
            seen = "marker SIGUSR2 answered" if marker else "marker SIGUSR2 never answered"
            return (f"alive; sent in {sent:.2f} s; {answers} answers; {seen}; "
                    f"then {rate:.1f} ticks/s (20 due)")
    return case


def case_help(args: list[str]) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """The program run with ``args`` in place of its options."""
        with child([program.command[0], *args]) as run:
            status = run.wait(timeout=1.5)
            if status is None:
                return f"runs as usual (ignores {' '.join(args)!r})"
            first = run.line(timeout=0.2)
            err = run.stderr_after()
            where = f", stdout: {first.decode().rstrip()!r}" if first else ""
            return status_text(status, err or None) + where
    return case


# --- the start-up window ---------------------------------------------------------

def spawn_and_signal(program: Program, signum: int, delay_ms: float) -> str:
    """Spawn, signal ``delay_ms`` after, and say what came of it in one word."""
    spawned = time.monotonic()
    with child(program.argv(1)) as run:
        while (left := spawned + delay_ms / 1000 - time.monotonic()) > 0:
            time.sleep(left if left > 0.002 else 0)
        os.kill(run.pid, signum)
        line = run.line(timeout=1.5)
        if line is None or not line.strip():
            status = run.wait(timeout=0.5)
            err = run.stderr_after() if status is not None else []
            text = " ".join(err)
            if status is None:
                return "swallowed"
            if "Fatal Python error" in text:
                return "fatal-error"
            if "Traceback" in text or "KeyboardInterrupt" in text:
                return "traceback"
            return f"killed-{signal.Signals(-status).name}" if status < 0 else f"exit-{status}"
        if signum == signal.SIGUSR1 and COUNT.match(line):
            os.kill(run.pid, signal.SIGTERM)
            return "answered" if run.wait() == 0 else "answered-bad-exit"
        status = run.wait()
        return "answered" if status == 0 and b"interrupt" in line else f"line-then-{status}"


def startup_window(program: Program, runs: int, delays: list[float]) -> dict[str, object]:
    ready_ms = []
    for _ in range(runs):
        spawned = time.monotonic()
        with child(program.argv(1)) as run:
            run.wait_ready()
            ready_ms.append((time.monotonic() - spawned) * 1000)
    result: dict[str, object] = {"ready_ms_median": sorted(ready_ms)[len(ready_ms) // 2]}
    for signum in (signal.SIGUSR1, signal.SIGINT):
        table: dict[str, dict[str, int]] = {}
        for delay in delays:
            outcomes: dict[str, int] = {}
            for _ in range(runs):
                word = spawn_and_signal(program, signum, delay)
                outcomes[word] = outcomes.get(word, 0) + 1
            table[f"{delay:g}"] = outcomes
        safe = None
        for delay in reversed(delays):
            if table[f"{delay:g}"] != {"answered": runs}:
                break
            safe = delay
        result[signal.Signals(signum).name] = {"by_delay_ms": table, "safe_from_ms": safe}
    return result


CASES: dict[str, Callable[[Program, Path], str]] = {
    "pipe-full-then-sigterm": case_pipe_full,
    "reader-gone-epipe": case_epipe,
    "write-enospc": case_write_error("ENOSPC"),
    "write-eio": case_write_error("EIO"),
    "eintr-epoll_pwait": case_eintr("epoll_pwait"),
    "eintr-read": case_eintr("read"),
    "eintr-write": case_eintr("write"),
    "eagain-signalfd-read": case_eagain,
    **{f"startup-{call}-{errno_name}": case_startup(call, errno_name)
       for call in ("signalfd4", "timerfd_create", "epoll_create1", "epoll_ctl")
       for errno_name in ("EMFILE", "ENOMEM")},
    "fd1-closed": case_stdout_closed,
    "fd0-fd2-closed": case_stdin_stderr_closed,
    **{f"stdout-{kind}": case_stdout_kind(kind)
       for kind in ("file", "pipe", "socket", "terminal", "devnull")},
    "parent-blocked-signals": case_parent_signals("blocked"),
    "parent-ignored-signals": case_parent_signals("ignored"),
    "pending-at-exec": case_pending_at_exec,
    "no-controlling-terminal": case_no_ctty,
    "sighup": case_sighup,
    "sigstop-sigcont": case_sigstop,
    "flood-20000": case_flood(20_000),
    "flood-100000": case_flood(100_000),
    "help": case_help(["--help"]),
    "help-beside-bad-option": case_help(["--help", "--interval", "0"]),
    "double-dash-then-help": case_help(["--", "--help"]),
}
DELAYS_MS: list[float] = [0, 1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 60]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per start-up delay")
    parser.add_argument("--only", nargs="*", help="case names (or 'startup-window')")
    parser.add_argument("--out", type=Path, help="also write the outcomes here, as JSON")
    options = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        programs = build(scratch)
        for name, case in CASES.items():
            if options.only and name not in options.only:
                continue
            results[name] = {}
            for program in programs:
                try:
                    outcome: object = case(program, scratch)
                except Exception as error:  # a case that could not run says so
                    outcome = f"bench error: {type(error).__name__}: {error}"
                results[name][program.name] = outcome
                print(f"{name:28} {program.name:12} {outcome}", flush=True)
        if not options.only or "startup-window" in options.only:
            results["startup-window"] = {}
            for program in programs:
                window = startup_window(program, options.runs, DELAYS_MS)
                results["startup-window"][program.name] = window
                print(f"{'startup-window':28} {program.name:12} {json.dumps(window)}", flush=True)
    if options.out:
        options.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
