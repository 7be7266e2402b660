"""Every fault and edge of docs/reliability.md, run against the C program of the
same design, the Go original and sig-counter, each outcome observed here:

    .venv/bin/python bench/compare_faults.py [--runs N] [--only CASE ...] [--out FILE]

Needs gcc and strace; the Go column needs `go` (golang-go) and is left out
without it. The clock cases need faketime; the pidfile and time-namespace
cases, root. Every child has a deadline and is killed by its PID when it
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
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from measures import percentile
from procs import (
    COUNT,
    SIG_COUNTER,
    Child,
    NoLine,
    Strace,
    from_the_start,
    poll_until,
    preexec_signals,
    read_line,
)
from run import build_c, build_go

PYTHON = sys.executable
DEADLINE = 3.0  # seconds any one expected event may take


@dataclass
class Program:
    name: str
    command: list[str]  # the binary and the flags every run gets
    extra: dict[str, list[str]] = field(default_factory=dict)  # per-case options

    def argv(self, interval: float, case: str = "") -> list[str]:
        return [*self.command, "--interval", f"{interval}", *self.extra.get(case, [])]


def build(scratch: Path) -> list[Program]:
    programs = [Program("C", [str(build_c(scratch))])]
    go_binary = build_go(scratch)
    if go_binary is not None:
        programs.append(Program("Go", [str(go_binary), "--ready"]))
    else:
        print("compare_faults: no `go` here; the Go column is left out", file=sys.stderr)
    programs.append(Program("sig-counter", [str(SIG_COUNTER)], {
        "eagain": ["--tick-source", "timeout"],  # its only reads are the signalfd's
        "sender-record-lost": ["-v"],  # the others name no sender
    }))
    return programs


# --- one child, read line by line, always with a deadline ---------------------

def child(argv: list[str], **popen: object) -> Child:
    """``argv`` started with the harness (pipes unless given), its waits DEADLINE long."""
    return Child(argv, deadline=DEADLINE, **popen)


def ready(run: Child, timeout: float = DEADLINE) -> bool:
    """Its ready line came first, in time."""
    try:
        run.wait_ready(timeout)
    except NoLine:
        return False
    return True


def status_text(status: int | None, stderr: list[str] | None = None) -> str:
    if status is None:
        return "still running (hung)"
    text = (f"killed by {signal.Signals(-status).name}" if status < 0
            else f"exit {status}")
    if stderr:
        first = stderr[0].rstrip("\n")
        extra = f" (+{len(stderr) - 1} more lines)" if len(stderr) > 1 else ""
        text += f", stderr: {first!r}{extra}"
    return text


def ready_without_stderr(program: Program, run: Child) -> None:
    """Wait until signals are safe when there is no ready line to read: the
    handled signals blocked (C, sig-counter), or a second gone by (Go, whose
    runtime catches every signal from its first instant, so /proc cannot tell)."""
    if program.name == "Go":
        time.sleep(1.0)
        return
    run.wait_blocked()


def shutdown(run: Child, signum: int = signal.SIGTERM) -> str:
    """Send ``signum``; the stdout line it got and how the program ended."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(run.pid, signum)
    line = run.poll_line()
    status = run.poll_exit()
    shown = line.decode(errors="replace").rstrip("\n") if line else "no line"
    stderr = run.rest_of_stderr() if status is not None else None
    return f"{shown!r} then {status_text(status, stderr)}"


# --- strace -e inject on a running program -----------------------------------

# What each program sleeps in, traced beside the faulted call: the attach is
# complete once one of them shows in the log. -f (the harness's) follows every
# thread of the Go runtime.
ASLEEP_IN = "epoll_pwait,futex,nanosleep"


def injected(run: Child, calls: str, inject: str, log: Path) -> Strace:
    """strace attached to ``run`` with one injection, once it is in force."""
    return Strace(run.pid, log, calls=f"{ASLEEP_IN},{calls}", inject=inject)


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
            if not ready(run):
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
            status = run.poll_exit(5.0)
            took = time.monotonic() - term_at
            filled = f"pipe full at {last} bytes after {sent} SIGUSR1s; "
            if status is None:
                return filled + ("SIGTERM: still running 5 s later (blocked in write(2)); "
                                 "only SIGKILL ends it")
            end = status_text(status, run.rest_of_stderr())
            return filled + f"SIGTERM: {end} after {took:.2f} s"
    finally:
        os.close(read_end)


def case_epipe(program: Program, scratch: Path) -> str:
    """stdout's reader goes away; then one SIGUSR1."""
    read_end, write_end = os.pipe()
    with child(program.argv(1), stdout=write_end) as run:
        os.close(write_end)
        if not ready(run):
            return "never ready"
        os.close(read_end)
        os.kill(run.pid, signal.SIGUSR1)
        status = run.poll_exit()
        return status_text(status, run.rest_of_stderr() if status is not None else None)


def case_write_error(errno_name: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """write(2) to stdout fails once with ``errno_name``; then SIGUSR1."""
        with child(program.argv(1)) as run:
            if not ready(run):
                return "never ready"
            with injected(run, "write", f"write:error={errno_name}:when=1",
                          scratch / f"write-{errno_name}-{program.name}") as tracer:
                os.kill(run.pid, signal.SIGUSR1)
                status = run.poll_exit(2.0)
                faults = tracer.injected()
            if status is not None:
                return f"{status_text(status, run.rest_of_stderr())} ({faults} write faulted)"
            line = run.poll_line(0.2)
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
            if not ready(run):
                return "never ready"
            with injected(run, "read,write", EINTR_FAULTS[call],
                          scratch / f"eintr-{call}-{program.name}") as tracer:
                if call != "write":
                    time.sleep(0.3)
                counts: list[int] = []
                for _ in range(5):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(run.pid, signal.SIGUSR1)
                    line = run.poll_line(1.0)
                    match = COUNT.match((line or b"").decode())
                    if not match:
                        break
                    counts.append(int(match.group(1)))
                end = shutdown(run)
                faults = tracer.injected()
            good = counts == sorted(counts) and len(counts) == 5
            answers = f"{len(counts)}/5 SIGUSR1 answered" + ("" if good else f" {counts}")
            return f"{faults} {call}s faulted; {answers}; SIGTERM: {end}"
    return case


def case_eagain(program: Program, scratch: Path) -> str:
    """EAGAIN on the first read after attaching (the signalfd's: ticks are 100 s apart)."""
    with child(program.argv(100, "eagain")) as run:
        if not ready(run):
            return "never ready"
        with injected(run, "read,write", "read:error=EAGAIN:when=1",
                      scratch / f"eagain-{program.name}") as tracer:
            os.kill(run.pid, signal.SIGUSR1)
            lines = list(iter(lambda: run.poll_line(1.0), None))
            end = shutdown(run)
            faults = tracer.injected()
        shown = [line.decode().rstrip("\n") for line in lines]
        return f"{faults} read faulted; lines for one SIGUSR1: {shown}; SIGTERM: {end}"


def case_startup(call: str, errno_name: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """``call`` fails with ``errno_name`` from the start (strace -f runs the program)."""
        with child(from_the_start(call, errno_name, program.argv(1))) as tracer:
            status = tracer.poll_exit()
            if status is None:  # leaving the block kills strace and the program, by PID
                return "starts and runs (makes no such call, or shrugs it off)"
            return status_text(status, tracer.rest_of_stderr() or ["(nothing)"])
    return case


def case_stdout_closed(program: Program, scratch: Path) -> str:
    """Started with fd 1 closed; SIGUSR1, then SIGTERM."""
    with child(["sh", "-c", 'exec "$@" >&-', "sh", *program.argv(1)], stdout=None) as run:
        try:
            run.wait_ready(2.0)
        except NoLine as not_ready:
            said = [not_ready.instead] if not_ready.instead else []
            return "before ready: " + status_text(run.poll_exit(), said + run.rest_of_stderr())
        fd1 = os.readlink(f"/proc/{run.pid}/fd/1") if os.path.exists(
            f"/proc/{run.pid}/fd/1") else "closed"
        os.kill(run.pid, signal.SIGUSR1)
        status = run.poll_exit(1.0)
        if status is not None:
            return f"fd 1 is {fd1}; SIGUSR1: {status_text(status, run.rest_of_stderr())}"
        os.kill(run.pid, signal.SIGTERM)
        status = run.poll_exit()
        return (f"fd 1 is {fd1}; SIGUSR1 answered into it, silently; SIGTERM: "
                f"{status_text(status, run.rest_of_stderr())}")


def case_stdin_stderr_closed(program: Program, scratch: Path) -> str:
    """Started with fds 0 and 2 closed; SIGUSR1, then SIGTERM."""
    with child(["sh", "-c", 'exec "$@" <&- 2>&-', "sh", *program.argv(1)],
               stderr=None) as run:
        ready_without_stderr(program, run)
        fds = {}
        for fd in (0, 2):
            path = f"/proc/{run.pid}/fd/{fd}"
            fds[fd] = os.readlink(path) if os.path.lexists(path) else "closed"
        os.kill(run.pid, signal.SIGUSR1)
        line = run.poll_line()
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
                if not ready(run):
                    return "never ready"
                os.kill(run.pid, signal.SIGUSR1)
                got = _line_from(ours, path if kind == "file" else None)
                os.kill(run.pid, signal.SIGTERM)
                status = run.poll_exit()
                end = status_text(status, run.rest_of_stderr() if status is not None else None)
                return f"SIGUSR1: {got}; SIGTERM: {end}"
        finally:
            if ours is not None:
                os.close(ours)
    return case


def _line_from(fd: int | None, path: Path | None) -> str:
    """The line written to ``path`` or readable on ``fd``, within DEADLINE."""
    try:
        if path is not None:
            data = poll_until(lambda: _whole_lines(path.read_bytes()), DEADLINE, "a line")
        elif fd is not None:
            data = read_line(fd, DEADLINE)
        else:
            return "(not observable)"
    except AssertionError:  # nothing whole in time
        return "no line"
    return repr(data.decode(errors="replace").replace("\r", "").rstrip("\n"))


def _whole_lines(data: bytes) -> bytes:
    return data if data.endswith(b"\n") else b""


def case_parent_signals(how: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """The parent left SIGUSR1 and SIGINT blocked or ignored; SIGUSR1, then SIGINT."""
        with child(program.argv(1), preexec_fn=preexec_signals(how)) as run:
            if not ready(run):
                return "never ready"
            os.kill(run.pid, signal.SIGUSR1)
            line = run.poll_line(1.0)
            shown = line.decode().rstrip("\n") if line else "no answer"
            os.kill(run.pid, signal.SIGINT)
            status = run.poll_exit(1.0)
            if status is None:
                return f"SIGUSR1: {shown!r}; SIGINT: no effect; SIGTERM: {shutdown(run)}"
            end = run.poll_line(0.5)
            return (f"SIGUSR1: {shown!r}; SIGINT: {end!r} "
                    f"{status_text(status, run.rest_of_stderr())}")
    return case


def case_pending_at_exec(program: Program, scratch: Path) -> str:
    """SIGUSR1 blocked and pending when exec runs."""
    argv = program.argv(1)
    code = ("import os, signal\n"
            "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\n"
            "os.kill(os.getpid(), signal.SIGUSR1)\n"
            f"os.execv({argv[0]!r}, {argv!r})\n")
    with child([PYTHON, "-c", code]) as run:
        line = run.poll_line()
        if line is None:
            status = run.poll_exit()
            return "no line; " + status_text(status, run.rest_of_stderr())
        return f"first line {line.decode().rstrip()!r}; SIGTERM: {shutdown(run)}"


def case_no_ctty(program: Program, scratch: Path) -> str:
    """In a new session, with no controlling terminal."""
    with child(program.argv(1), start_new_session=True) as run:
        if not ready(run):
            return "never ready"
        os.kill(run.pid, signal.SIGUSR1)
        line = run.poll_line()
        return f"SIGUSR1: {line!r}; SIGTERM: {shutdown(run)}"


def case_sighup(program: Program, scratch: Path) -> str:
    """SIGHUP once ready."""
    with child(program.argv(1)) as run:
        if not ready(run):
            return "never ready"
        text = shutdown(run, signal.SIGHUP)
    if program.name != "sig-counter":
        return text
    with child([*program.argv(1), "--json", "--stats"]) as run:
        ready(run)
        os.kill(run.pid, signal.SIGHUP)
        status = run.poll_exit()
        events = [json.loads(line) for line in iter(lambda: run.poll_line(0.5), None)]
        stats = run.rest_of_stderr()
    last = events[-1] if events else {}
    return (f"{text}; with --json --stats: {status_text(status)}, last event "
            f"{last.get('event')}/{last.get('signal')}, a {len(stats)}-line --stats table")


def _ask(run: Child) -> tuple[int, float]:
    return run.count(skip_other_lines=True), time.monotonic()


def case_sigstop(program: Program, scratch: Path) -> str:
    """--interval 0.05; stopped for 1 s; the count before and after."""
    with child(program.argv(0.05)) as run:
        if not ready(run):
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
            if not ready(run):
                return "never ready"
            started = time.monotonic()
            for _ in range(total):
                os.kill(run.pid, signal.SIGUSR1)
            os.kill(run.pid, signal.SIGUSR2)
            sent = time.monotonic() - started
            answers, marker = 0, False
            while (line := run.poll_line(2.0)) is not None:
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
            status = run.poll_exit(1.5)
            if status is None:
                return f"runs as usual (ignores {' '.join(args)!r})"
            first = run.poll_line(0.2)
            err = run.rest_of_stderr()
            where = f", stdout: {first.decode().rstrip()!r}" if first else ""
            return status_text(status, err or None) + where
    return case


# --- another clock; a pidfile prepared for a service -----------------------------

# The first stderr line of each program, which names its PID: behind a wrapper
# that forks (faketime, unshare --fork) the PID is not the child's.
WRAPPED_READY = re.compile(r"^[\w.-]+: pid (\d+) ready")


def _ask_pid(run: Child, pid: int) -> tuple[int, float]:
    """The count, asked of ``pid`` with SIGUSR1, and when it came back."""
    os.kill(pid, signal.SIGUSR1)
    while not (match := COUNT.match(run.line().decode())):
        pass  # a line left over from an earlier signal
    return int(match[1]), time.monotonic()


def _counted_under(argv: list[str]) -> str:
    """``argv`` (a wrapper and a program at 0.05 s); stopped for 1 s, then 1 s
    running; what was counted."""
    with child(argv) as run:
        try:
            ready_match = WRAPPED_READY.match(run.err_line())
        except NoLine:
            ready_match = None
        if ready_match is None:
            return "never ready"
        pid = int(ready_match[1])
        try:
            before, at = _ask_pid(run, pid)
            os.kill(pid, signal.SIGSTOP)
            time.sleep(1.0)
            os.kill(pid, signal.SIGCONT)
            time.sleep(1.0)
            after, then = _ask_pid(run, pid)
        except NoLine:
            return "no answer to SIGUSR1"
        os.kill(pid, signal.SIGTERM)
        return (f"counted {after - before} ticks over {then - at:.2f} s ({(then - at) / 0.05:.0f} "
                f"real intervals), the first 1 s stopped; SIGTERM: {status_text(run.poll_exit())}")


def case_clock(wrapper: list[str]) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """Under ``wrapper`` (a clock faker, a time namespace), with each tick source."""
        if shutil.which(wrapper[0]) is None:
            return f"not run: no {wrapper[0]}"
        sources = [[], ["--tick-source", "timeout"]] if program.name == "sig-counter" else [[]]
        outcomes = [_counted_under([*wrapper, *program.argv(0.05), *source])
                    for source in sources]
        if len(outcomes) == 1:
            return outcomes[0]
        return f"timerfd: {outcomes[0]}; timeout: {outcomes[1]}"
    return case


def case_pidfile_prepared(program: Program, scratch: Path) -> str:
    """As nobody, ``--pidfile F``: F nobody's own file, in a root-owned 0755 directory."""
    if os.geteuid() != 0:
        return "not run: needs root"
    nobody = pwd.getpwnam("nobody")
    directory = Path(tempfile.mkdtemp(prefix="compare-faults-"))
    try:
        directory.chmod(0o755)
        path = directory / "x.pid"
        path.write_text("99999\n")
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
        as_nobody = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                     "--clear-groups", "--"]
        with child([*as_nobody, *program.argv(0.05), "--pidfile", str(path)]) as run:
            status = run.poll_exit(1.0)
            if status is not None:
                return status_text(status, run.rest_of_stderr())
            while_running = path.read_text()
            os.kill(run.pid, signal.SIGTERM)
            end = status_text(run.poll_exit())
            after = path.read_text() if path.exists() else None
        held = "its PID" if while_running == f"{run.pid}\n" else f"{while_running!r}"
        left = "removed" if after is None else f"{after!r}"
        return f"runs; the file holds {held}; SIGTERM: {end}; the file after: {left}"
    finally:
        shutil.rmtree(directory)
def raw_stderr(run: Child) -> list[bytes]:
    """Every stderr line still to come, as bytes: a program may echo an argument
    that is not UTF-8."""
    lines = []
    while (line := run.err.get(timeout=DEADLINE)) is not None:
        lines.append(line)
    return lines


def case_argv(args: list[str], named: str) -> Callable[[Program, Path], str]:
    def case(program: Program, scratch: Path) -> str:
        """The program run with ``args`` (``named`` in the report) as its whole
        command line: how it ends, or that it runs."""
        with child([program.command[0], *args]) as run:
            status = run.poll_exit(1.5)
            if status is None:
                return f"runs with {named}; SIGTERM: {shutdown(run)}"
            err = raw_stderr(run)
            first = err[0].rstrip(b"\n") if err else b"(nothing)"
            if len(first) > 160:  # an echoed 4301-digit value, say
                first = first[:80] + b"..." + first[-40:] + f" ({len(first)} bytes)".encode()
            more = f" (+{len(err) - 1} more lines)" if len(err) > 1 else ""
            return f"{status_text(status)}, stderr: {first!r}{more}"
    return case


def case_sender_record_lost(program: Program, scratch: Path) -> str:
    """Its RLIMIT_SIGPENDING set to 0 once ready, then a sigqueue(3) SIGUSR1
    (``/bin/kill -q 42``): the kernel keeps no record of the sender."""
    with child(program.argv(1, "sender-record-lost")) as run:
        if not ready(run):
            return "never ready"
        subprocess.run(["prlimit", f"--pid={run.pid}", "--sigpending=0"], check=True)
        subprocess.run(["/bin/kill", "-q", "42", "-s", "USR1", str(run.pid)], check=True,
                       capture_output=True)
        line = run.poll_line()
        shown = line.decode().rstrip("\n") if line else "no line"
        return f"SIGUSR1: {shown!r}; SIGTERM: {shutdown(run)}"


# --- the start-up window ---------------------------------------------------------

def spawn_and_signal(program: Program, signum: int, delay_ms: float) -> str:
    """Spawn, signal ``delay_ms`` after, and say what came of it in one word."""
    spawned = time.monotonic()
    with child(program.argv(1)) as run:
        while (left := spawned + delay_ms / 1000 - time.monotonic()) > 0:
            time.sleep(left if left > 0.002 else 0)
        os.kill(run.pid, signum)
        line = run.poll_line(1.5)
        if line is None or not line.strip():
            status = run.poll_exit(0.5)
            err = run.rest_of_stderr() if status is not None else []
            text = " ".join(err)
            if status is None:
                return "swallowed"
            if "Fatal Python error" in text:
                return "fatal-error"
            if "Traceback" in text or "KeyboardInterrupt" in text:
                return "traceback"
            return f"killed-{signal.Signals(-status).name}" if status < 0 else f"exit-{status}"
        if signum == signal.SIGUSR1 and COUNT.match(line.decode()):
            os.kill(run.pid, signal.SIGTERM)
            return "answered" if run.poll_exit() == 0 else "answered-bad-exit"
        status = run.poll_exit()
        return "answered" if status == 0 and b"interrupt" in line else f"line-then-{status}"


def startup_window(program: Program, runs: int, delays: list[float]) -> dict[str, object]:
    ready_ms = []
    for _ in range(runs):
        spawned = time.monotonic()
        with child(program.argv(1)) as run:
            ready(run)
            ready_ms.append((time.monotonic() - spawned) * 1000)
    result: dict[str, object] = {"ready_ms_median": percentile(ready_ms, 50)}
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
    "clock-faker-offset": case_clock(["faketime", "-f", "+100d"]),
    "clock-faker-offset-x2": case_clock(["faketime", "-f", "+100d x2"]),
    "time-namespace": case_clock(["unshare", "--time", "--monotonic=100000", "--fork",
                                  "--kill-child"]),
    "pidfile-prepared-for-nobody": case_pidfile_prepared,
    "arg-not-utf8": case_argv([os.fsdecode(b"\xff")], "the argument byte 0xff"),
    "option-not-utf8": case_argv([os.fsdecode(b"--bogus\xff")], "--bogus and byte 0xff"),
    "interval-4301-digits": case_argv(["--interval", "0" * 4300 + "1"],
                                      "--interval 000...01 (4301 digits)"),
    "interval-4301-nines": case_argv(["--interval", "9" * 4301],
                                     "--interval 999...9 (4301 digits)"),
    "sender-record-lost": case_sender_record_lost,
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
