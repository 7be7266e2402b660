"""Started by the programs that start other programs, for real: PID 1 of a PID
namespace, tini, dumb-init, start-stop-daemon, runit, daemontools, supervisord and
timeout(1). Each is driven the way its manual says; the table in docs/reliability.md
("Launchers") cites what each promises and what sig-counter does with it. systemd is
not started here: tests/system/test_service.py and test_service_unit.py play its part.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import COUNT, DEADLINE, READY, SIG_COUNTER, Running, blocked_signals, poll_until
from support.proctree import kill_tree, only_child
from support.tools import installed, needs_root

INTERVAL = "0.05"
RUN = (str(SIG_COUNTER), "--interval", INTERVAL)
SHUTDOWN = "received {} \N{EM DASH} shutting down\n"
RESET = b"Resetting ticker count to zero\n"
Launch = Callable[..., Running]


def _installed(program: str) -> str:
    """The launcher's path, in the sbin folders too (start-stop-daemon and runsv are
    there, off a user's PATH); a clear failure if it is missing (./dev.sh test
    installs it)."""
    return installed(program)


@pytest.fixture
def launch() -> Iterator[Launch]:
    """Start a launcher with its command; it and all below it killed, by PID, in teardown."""
    started: list[Running] = []

    def start(program: str, *args: str, cwd: Path | None = None) -> Running:
        started.append(Running(program=(_installed(program), *args), cwd=cwd))
        return started[-1]

    yield start
    for running in started:
        kill_tree(running.pid)
        running.stop()


def _ready(run: Running) -> int:
    """The PID the ready line gives, first on stderr (as the program sees its PID)."""
    line = run.err_line()
    match = READY.match(line)
    assert match, f"the first stderr line is not the ready line: {line!r}"
    return int(match[1])


def _count(run: Running, pid: int) -> None:
    os.kill(pid, signal.SIGUSR1)
    assert COUNT.match(run.line().decode())


def test_pid_1_of_a_pid_namespace(launch: Launch) -> None:
    """As a namespace's init, only signals it has a handler for reach it, says
    pid_namespaces(7); a blocked signal is never discarded, so its signalfd gets them
    all, from the parent namespace and from inside. unshare returns its status."""
    needs_root("unshare --pid makes a PID namespace only for root")
    run = launch("unshare", "--pid", "--fork", *RUN)
    pid = only_child(run.pid)
    assert _ready(run) == 1  # its PID as it sees it
    assert f"NSpid:\t{pid}\t1" in Path(f"/proc/{pid}/status").read_text()
    _count(run, pid)
    nsenter = [_installed("nsenter"), "--target", str(pid), "--pid", "kill", "-USR2", "1"]
    subprocess.run(nsenter, check=True, timeout=DEADLINE)
    assert run.line() == RESET
    os.kill(pid, signal.SIGTERM)
    assert run.line().decode() == SHUTDOWN.format("terminated")
    assert run.wait_exit() == 0
    assert run.rest_of_stderr() == []


@pytest.mark.parametrize("init", [
    ("tini", "-s", "--"), ("tini", "-s", "-g", "--"), ("dumb-init",),
    ("dumb-init", "--single-child"),
], ids=" ".join)
def test_an_init_forwards_the_signals_and_passes_the_status_on(
    launch: Launch, init: tuple[str, ...]
) -> None:
    """tini and dumb-init forward what they receive to the program (dumb-init by default
    to the session it makes for it) and exit with its status: signals sent to the
    init's PID are answered as if sent to sig-counter's own."""
    run = launch(*init, *RUN)
    pid = only_child(run.pid)
    assert _ready(run) == pid
    if init == ("dumb-init",):
        assert os.getsid(pid) == pid  # "a session rooted at the child"
    _count(run, run.pid)
    os.kill(run.pid, signal.SIGUSR2)
    assert run.line() == RESET
    os.kill(run.pid, signal.SIGTERM)
    assert run.line().decode() == SHUTDOWN.format("terminated")
    assert run.wait_exit() == 0
    assert run.rest_of_stderr() == []


def _start_stop_daemon(pidfile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_installed("start-stop-daemon"), "--pidfile", str(pidfile), *args],
        capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL,
    )


def _daemon(tmp_path: Path, *start: str) -> tuple[Path, Path]:
    """start-stop-daemon --start in the background, sig-counter writing the pidfile."""
    pidfile, out = tmp_path / "sig-counter.pid", tmp_path / "out.txt"
    started = _start_stop_daemon(
        pidfile, "--start", "--background", "--output", str(out), *start,
        "--startas", str(SIG_COUNTER), "--", "--interval", INTERVAL, "--pidfile", str(pidfile))
    assert started.returncode == 0, started.stderr
    return pidfile, out


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


@pytest.fixture
def daemon_pid(tmp_path: Path) -> Iterator[list[int]]:
    """Where a test puts the daemon's PID, so that teardown can kill it by that PID."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        kill_tree(pid)


def test_start_stop_daemon_finds_it_by_pidfile_and_name_not_by_exec(
    tmp_path: Path, daemon_pid: list[int]
) -> None:
    """--pidfile and --name match (sig-counter writes the pidfile once ready, and sets
    its comm to sig-counter); --exec cannot: the executable of a script is its
    interpreter, so only the interpreter's path would match, as it would for any
    script it runs."""
    pidfile, out = _daemon(tmp_path)
    pid = poll_until(lambda: int(_text(pidfile) or 0), what="the pidfile")
    daemon_pid.append(pid)
    assert _start_stop_daemon(pidfile, "--status", "--name", "sig-counter").returncode == 0
    by_script = _start_stop_daemon(pidfile, "--stop", "--test", "--exec", str(SIG_COUNTER))
    assert by_script.returncode == 1 and "none killed" in by_script.stdout
    interpreter = os.path.realpath(sys.executable)  # what /proc/PID/exe names
    by_interpreter = _start_stop_daemon(pidfile, "--stop", "--test", "--exec", interpreter)
    assert by_interpreter.returncode == 0 and f"to {pid}." in by_interpreter.stdout
    usr1 = _start_stop_daemon(pidfile, "--stop", "--signal", "USR1", "--name", "sig-counter")
    assert usr1.returncode == 0
    poll_until(lambda: "Ticker count: " in _text(out), what="the count in the output file")
    stop = _start_stop_daemon(pidfile, "--stop", "--retry", "TERM/5", "--name", "sig-counter")
    assert stop.returncode == 0, stop.stdout  # returns once the process is gone
    assert not pidfile.exists()  # removed by sig-counter as it exits
    assert _text(out).endswith(SHUTDOWN.format("terminated"))


def test_start_stop_daemon_notify_await_returns_once_it_is_ready(
    tmp_path: Path, daemon_pid: list[int]
) -> None:
    """--notify-await waits for READY=1, sent once the signals are blocked and the
    pidfile is written. start-stop-daemon then removes its socket, so the first STATUS=
    costs the one stderr line the program gives a socket that went away."""
    pidfile, out = _daemon(tmp_path, "--notify-await", "--notify-timeout", "10")
    pid = int(pidfile.read_text())  # there already: no waiting
    daemon_pid.append(pid)
    assert blocked_signals(pid) >= {signal.SIGUSR1, signal.SIGTERM}
    os.kill(pid, signal.SIGUSR1)
    poll_until(lambda: "running on without it" in _text(out), what="the notify complaint")
    assert _start_stop_daemon(pidfile, "--stop", "--retry", "TERM/5").returncode == 0
    lines = _text(out).splitlines()
    complaints = [line for line in lines if "cannot notify" in line]
    assert len(complaints) == 1 and re.fullmatch(
        r"sig-counter: cannot notify NOTIFY_SOCKET=\S+: No such file or directory; "
        r"running on without it", complaints[0])
    assert any(COUNT.match(line + "\n") for line in lines)
    assert lines[-1] + "\n" == SHUTDOWN.format("terminated")


def _service(tmp_path: Path) -> Path:
    """A service directory for runsv or supervise: ./run execs sig-counter, stderr on
    stdout (which is the supervisor's, here a pipe to the test)."""
    service = tmp_path / "sig-counter"
    service.mkdir()
    run = service / "run"
    run.write_text(f"#!/bin/sh\nexec {' '.join(RUN)} 2>&1\n")
    run.chmod(0o755)
    return service


def _tool(program: str, *args: str) -> str:
    result = subprocess.run([_installed(program), *args], capture_output=True, text=True,
                            timeout=DEADLINE, stdin=subprocess.DEVNULL)
    return result.stdout + result.stderr


def test_runit_sv_commands(tmp_path: Path, launch: Launch) -> None:
    """runsv starts ./run; sv 1 and sv 2 send USR1 and USR2; sv down sends TERM, then
    CONT, and the run's exit code (0) and status byte (0) reach ./finish."""
    service = _service(tmp_path)
    finish = service / "finish"
    finish.write_text('#!/bin/sh\necho "$1 $2" > finished\n')
    finish.chmod(0o755)
    runsv = launch("runsv", str(service))
    poll_until(lambda: _tool("sv", "status", str(service)).startswith("run:"),
               what="sv status: run")
    pid = int((service / "supervise" / "pid").read_text())
    assert READY.match(runsv.line().decode())
    assert blocked_signals(pid) >= {signal.SIGUSR1}
    _tool("sv", "1", str(service))
    assert COUNT.match(runsv.line().decode())
    _tool("sv", "2", str(service))
    assert runsv.line() == RESET
    _tool("sv", "down", str(service))
    assert runsv.line().decode() == SHUTDOWN.format("terminated")
    poll_until(lambda: _text(service / "finished") == "0 0\n", what="./finish with 0 0")
    poll_until(lambda: _tool("sv", "status", str(service)).startswith("down:"),
               what="sv status: down (./finish done)")
    _tool("sv", "exit", str(service))
    assert runsv.wait_exit() == 0


def _supervised_pid(service: Path) -> int:
    match = re.search(r": up \(pid (\d+)\)", _tool("svstat", str(service)))
    return int(match[1]) if match else 0


def test_daemontools_svc_commands(tmp_path: Path, launch: Launch) -> None:
    """supervise starts ./run and restarts it when it exits; svc -h (HUP) ends the run
    cleanly and supervise starts it again; svc -d sends TERM then CONT and leaves it
    down. (This release's svc has no -1 or -2: SIGUSR1 goes by the PID svstat shows.)"""
    service = _service(tmp_path)
    supervise = launch("supervise", str(service))
    pid = poll_until(lambda: _supervised_pid(service), what="svstat: up")
    assert READY.match(supervise.line().decode())
    poll_until(lambda: signal.SIGUSR1 in blocked_signals(pid), what="the signals blocked")
    _count(supervise, pid)
    _tool("svc", "-h", str(service))
    assert supervise.line().decode() == SHUTDOWN.format("hangup")
    again = poll_until(lambda: _supervised_pid(service) not in (0, pid) and _supervised_pid(
        service), what="supervise to start it again")
    assert supervise.line().decode().startswith(f"sig-counter: pid {again} ready")
    _tool("svc", "-d", str(service))
    assert supervise.line().decode() == SHUTDOWN.format("terminated")
    poll_until(lambda: ": down " in _tool("svstat", str(service)), what="svstat: down")
    _tool("svc", "-x", str(service))
    assert supervise.wait_exit() == 0


SUPERVISORD_CONF = """\
[supervisord]
nodaemon=true
logfile={dir}/supervisord.log
pidfile={dir}/supervisord.pid
childlogdir={dir}

[unix_http_server]
file={dir}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{dir}/supervisor.sock

[program:counter]
command={command}
startsecs=0
autorestart=false
stopsignal={stopsignal}
stdout_logfile={dir}/out.txt
stderr_logfile={dir}/err.txt
"""


@pytest.mark.parametrize(("stopsignal", "name"), [
    ("TERM", "terminated"), ("INT", "interrupt"), ("HUP", "hangup"),
])
def test_supervisord_signal_and_stop(
    tmp_path: Path, launch: Launch, stopsignal: str, name: str
) -> None:
    """`supervisorctl signal USR1` is answered; `supervisorctl stop` sends stopsignal
    (TERM by default; INT and HUP end it as cleanly) and supervisord logs exit status 0."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text(SUPERVISORD_CONF.format(dir=tmp_path, command=" ".join(RUN),
                                            stopsignal=stopsignal))
    log, out = tmp_path / "supervisord.log", tmp_path / "out.txt"
    supervisord = launch("supervisord", "-c", str(conf))
    poll_until(lambda: "counter entered RUNNING state" in _text(log), what="RUNNING")
    poll_until(lambda: READY.search(_text(tmp_path / "err.txt")), what="the ready line")

    def ctl(*command: str) -> str:
        return _tool("supervisorctl", "-c", str(conf), *command)

    assert ctl("signal", "USR1", "counter").strip() == "counter: signalled"
    poll_until(lambda: "Ticker count: " in _text(out), what="the count in the log")
    assert ctl("stop", "counter").strip() == "counter: stopped"
    assert "stopped: counter (exit status 0)" in _text(log)
    assert _text(out).endswith(SHUTDOWN.format(name))
    os.kill(supervisord.pid, signal.SIGTERM)
    assert supervisord.wait_exit() == 0


@pytest.mark.parametrize(("options", "name", "status"), [
    ((), "terminated", 124), (("--preserve-status",), "terminated", 0),
    (("-s", "HUP"), "hangup", 124), (("-s", "INT", "--preserve-status"), "interrupt", 0),
], ids=["TERM", "TERM-preserve", "HUP", "INT-preserve"])
def test_timeout_ends_it_cleanly_and_says_it_timed_out(
    launch: Launch, options: tuple[str, ...], name: str, status: int
) -> None:
    """When the time is up, timeout sends its signal; sig-counter exits 0 on it, and
    timeout reports 124 (or, with --preserve-status, the program's own 0)."""
    run = launch("timeout", *options, "1", *RUN)
    _count(run, _ready(run))
    assert run.line(timeout=DEADLINE).decode() == SHUTDOWN.format(name)
    assert run.wait_exit() == status
    assert run.rest_of_stderr() == []
