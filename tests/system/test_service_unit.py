"""docs/sig-counter.service: systemd accepts it, rates it safe, and each hardening
line holds for what the program really does (its syscalls under strace, and a run
with no capabilities). No systemd is started; systemd-analyze works offline."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import DEADLINE, READY, SIG_COUNTER, Running, in_child, procfs
from support.notify import Manager, listen
from support.strace import parse_summary
from support.tools import installed, needs_root

UNIT = Path(__file__).parents[2] / "docs" / "sig-counter.service"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is not installed (it comes with systemd)")
WATCHDOG = "WATCHDOG=1"

# Why each hardening line of the unit holds for the program. "The trace" is the
# strace of a whole service run below; "never" names are in NEVER_CALLED.
HOLDS_BECAUSE = {
    "DynamicUser": "it owns no files, so a made-up user will do",
    "CapabilityBoundingSet": "the run under setpriv with no capabilities",
    "AmbientCapabilities": "the run under setpriv with no capabilities",
    "NoNewPrivileges": "the run under setpriv --no-new-privs; it sets the flag itself",
    "UMask": "the setpriv run, under umask 0077",
    "ProtectSystem": "it writes only stdout and stderr (a pidfile only without systemd)",
    "ProtectHome": "it reads no home directory; installed outside /home and /root",
    "PrivateTmp": "it uses no temporary files",
    "PrivateDevices": "the trace: nothing opened under /dev",
    "DevicePolicy": "the trace: nothing opened under /dev",
    "PrivateMounts": "never: mount, umount2",
    "PrivateIPC": "never: SysV IPC or POSIX message queues",
    "PrivateUsers": "it never changes or looks up users",
    "ProtectProc": "the trace: nothing opened under /proc but its own /proc/self",
    "ProcSubset": "the trace: nothing opened under /proc but its own /proc/self",
    "ProtectKernelTunables": "the trace: nothing opened under /proc/sys or /sys",
    "ProtectKernelModules": "never: init_module, finit_module, delete_module",
    "ProtectKernelLogs": "never: syslog; the trace: no /dev/kmsg",
    "ProtectControlGroups": "the trace: nothing opened under /sys",
    "ProtectClock": "never: clock_settime, settimeofday, adjtimex, clock_adjtime",
    "ProtectHostname": "never: sethostname, setdomainname",
    "KeyringMode": "never: add_key, keyctl, request_key",
    "RemoveIPC": "never: SysV IPC or POSIX message queues",
    "PrivateNetwork": "the trace: its only socket is AF_UNIX",
    "IPAddressDeny": "the trace: its only socket is AF_UNIX",
    "RestrictAddressFamilies": "the trace: its only socket is AF_UNIX",
    "RestrictNamespaces": "never: clone, clone3, unshare, setns (one thread, no children)",
    "RestrictRealtime": "never: sched_setscheduler, sched_setattr, sched_setparam",
    "RestrictSUIDSGID": "never: chmod, fchmod, fchmodat (its one file is created 0644)",
    "LockPersonality": "never: personality",
    "MemoryDenyWriteExecute": "the trace: no W+X memory; the setpriv run under PR_SET_MDWE",
    "SystemCallArchitectures": "the trace: native calls only",
    "SystemCallFilter": "the trace: every call is one the filter allows",
    "SystemCallErrorNumber": "goes with SystemCallFilter=",
}
NEVER_CALLED = {
    "mount", "umount2", "shmget", "shmat", "semget", "msgget", "mq_open", "init_module",
    "finit_module", "delete_module", "syslog", "clock_settime", "settimeofday", "adjtimex",
    "clock_adjtime", "sethostname", "setdomainname", "add_key", "keyctl", "request_key",
    "clone", "clone3", "unshare", "setns", "sched_setscheduler", "sched_setattr",
    "sched_setparam", "chmod", "fchmod", "fchmodat", "personality",
}
SERVICE_LINES = {"Type", "NotifyAccess", "ExecStart", "WatchdogSec", "Restart"}


def _service_section() -> list[tuple[str, str]]:
    """(key, value) for each line of [Service], comments left out."""
    section, lines = "", []
    for line in UNIT.read_text().splitlines():
        if line.startswith("["):
            section = line
        elif section == "[Service]" and line and not line.startswith("#"):
            key, _, value = line.partition("=")
            lines.append((key, value))
    return lines


def _analyze(*args: str) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    return subprocess.run([ANALYZE, *args], capture_output=True, text=True, timeout=6 * DEADLINE)


def test_the_unit_is_a_notify_service_with_a_watchdog() -> None:
    """Type=notify, the installed command, a watchdog; every other line is hardening that
    this file says why it holds."""
    lines = dict(_service_section())
    assert lines["Type"] == "notify" and lines["NotifyAccess"] == "main"
    assert lines["ExecStart"] == "/opt/sig-counter/bin/sig-counter"
    assert lines["WatchdogSec"] == "10s"
    assert set(lines) - SERVICE_LINES == set(HOLDS_BECAUSE)


@needs_analyze
def test_systemd_analyze_verify_has_nothing_to_say(tmp_path: Path) -> None:
    """`systemd-analyze verify` passes with no warning. It checks that ExecStart= can
    run, so the copy checked names the command these tests installed."""
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace(
        "ExecStart=/opt/sig-counter/bin/sig-counter\n", f"ExecStart={SIG_COUNTER}\n"))
    result = _analyze("verify", str(copy))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@needs_analyze
def test_systemd_analyze_security_rates_it_safe() -> None:
    """The offline security review rates the unit at most 0.4 (the issue asks for 1.5)."""
    result = _analyze("security", "--offline=true", "--no-pager", str(UNIT))
    found = re.search(r"Overall exposure level for sig-counter\.service: (\d+\.\d+)",
                      result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found[1]) <= 0.4, result.stdout


def _expand(name: str, groups: dict[str, set[str]]) -> set[str]:
    """A syscall, or a @group expanded to syscalls (groups nest)."""
    if not name.startswith("@"):
        return {name}
    if name not in groups:
        listing = _analyze("syscall-filter", "--no-pager", name)
        assert listing.returncode == 0, listing.stderr
        entries = [line.strip() for line in listing.stdout.splitlines()[1:]]
        groups[name] = set().union(*(_expand(entry, groups) for entry in entries
                                     if entry and not entry.startswith("#")))
    return groups[name]


def _allowed_syscalls() -> set[str]:
    """What the unit's SystemCallFilter= lines let through, in order: a list adds, a
    ~list takes away."""
    allowed: set[str] = set()
    groups: dict[str, set[str]] = {}
    for key, value in _service_section():
        if key == "SystemCallFilter":
            names = set().union(*(_expand(n, groups) for n in value.lstrip("~").split()))
            allowed = allowed - names if value.startswith("~") else allowed | names
    return allowed


def _wait_for_pings(manager: Manager, pings: int) -> None:
    while pings:
        pings -= manager.next() == WATCHDOG


def _run_traced(
    output: Path, args: list[str], manager: Manager | None, shutdown: int
) -> tuple[dict[str, int], list[str]]:
    """A whole run under ``strace -f -C`` (the -c summary plus every call): start-up,
    SIGUSR1, SIGUSR2, watchdog pings when asked for, and ``shutdown``."""
    process = Running(*args, program=("strace", "-f", "-C", "-o", str(output), str(SIG_COUNTER)))
    try:
        first = process.err_line()
        ready = READY.match(first)
        assert ready, f"not the ready line: {first!r}"
        pid = int(ready[1])
        for signum in (signal.SIGUSR1, signal.SIGUSR2):
            os.kill(pid, signum)
            process.line()
        if manager is not None:
            manager.until(lambda message: "at SIGUSR2" in message)
            _wait_for_pings(manager, 3)
        os.kill(pid, shutdown)
        assert process.line().startswith(b"received ")
        assert process.wait_exit() == 0
    finally:
        process.stop()
    text = output.read_text()
    return parse_summary(text), text[:text.rindex("% time")].splitlines()


@pytest.fixture
def manager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Manager]:
    """What systemd would give this unit: a notify socket (a path), and a watchdog
    asking for a ping every 10 ms."""
    listening = listen("path", tmp_path)
    monkeypatch.setenv("NOTIFY_SOCKET", listening.name)
    monkeypatch.setenv("WATCHDOG_USEC", "20000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    try:
        yield listening
    finally:
        listening.close()


def _line_of(trace: list[str], pattern: str) -> int:
    found = [number for number, line in enumerate(trace) if re.search(pattern, line)]
    assert found, f"no call matches {pattern!r}"
    return found[0]


# Files the interpreter reads if it can and does without otherwise: hidden by
# the unit (ProcSubset=pid), they cost nothing.
OPTIONAL_READS = {
    "/proc/sys/vm/overcommit_memory",  # CPython 3.13's allocator (mimalloc) tunes itself
}


def _assert_the_hardening_holds(trace: list[str]) -> None:
    """What the trace shows for the unit's lines (see HOLDS_BECAUSE)."""
    sockets = [line for line in trace if re.search(r"\bsocket\(", line)]
    assert sockets and all("socket(AF_UNIX, " in line for line in sockets), sockets
    write_and_execute = [
        line for line in trace
        if re.search(r"\bmmap\(.*PROT_WRITE\|PROT_EXEC", line)
        or re.search(r"\b(pkey_)?mprotect\(.*PROT_EXEC", line)
    ]
    assert write_and_execute == []
    opened = re.findall(r'\bopen(?:at)?\((?:AT_FDCWD, )?"([^"]+)"', "\n".join(trace))
    # Its own /proc/self stays with ProcSubset=pid and ProtectProc=invisible: the output
    # writer reopens a stdout pipe there (under systemd stdout is a socket: no open).
    outside = [path for path in opened if path.startswith(("/proc", "/sys", "/dev"))
               and not path.startswith("/proc/self/") and path not in OPTIONAL_READS]
    assert opened and outside == []
    assert not [line for line in trace if "32 bit mode" in line]


def _assert_ready_and_stopping_in_place(trace: list[str]) -> None:
    """READY=1 after the signals are blocked and the signalfd exists; STOPPING=1 before
    the last line."""
    blocked = _line_of(trace, r"rt_sigprocmask\(SIG_BLOCK, \[[^\]]*USR1")
    ready = _line_of(trace, r'sendto\(\d+, "READY=1\\n')
    assert blocked < _line_of(trace, r"\bsignalfd4?\(") < ready
    assert _line_of(trace, r'sendto\(\d+, "STOPPING=1') < _line_of(trace, r'write\(\d+, "received ')


@needs_analyze
@pytest.mark.parametrize("shutdown", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_every_system_call_of_a_service_run_is_allowed(
    tmp_path: Path, manager: Manager, shutdown: int
) -> None:
    """Start-up, SIGUSR1, SIGUSR2, watchdog pings and shutdown, with the notify socket and
    a pidfile in use: every syscall is one SystemCallFilter= allows."""
    args = ["--interval", "0.01", "--pidfile", str(tmp_path / "sig-counter.pid")]
    calls, trace = _run_traced(tmp_path / "strace", args, manager, shutdown)
    # The run really used what the unit must allow: the socket, the lock, the loop.
    assert {"socket", "sendto", "flock", "link", "signalfd4", "timerfd_create"} <= set(calls)
    assert set(calls) - _allowed_syscalls() == set()
    assert set(calls) & NEVER_CALLED == set()
    _assert_the_hardening_holds(trace)
    _assert_ready_and_stopping_in_place(trace)


def test_without_notify_socket_or_pidfile_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NOTIFY_SOCKET unset and no --pidfile: no socket, no lock, no second timer."""
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)
    calls, _ = _run_traced(tmp_path / "strace", ["--interval", "0.01"], None, signal.SIGTERM)
    assert not {"socket", "sendto", "flock", "link", "rename"} & set(calls)
    assert calls["timerfd_create"] == 1


# As the unit runs it, without systemd: MemoryDenyWriteExecute= through the kernel's own
# switch (PR_SET_MDWE, 65, with PR_MDWE_REFUSE_EXEC_GAIN, 1) where there is one, and
# UMask=0077; setpriv then drops every capability and sets no_new_privs.
LAUNCHER = """\
import ctypes, os, sys
if sys.argv[1] == "mdwe" and ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0:
    sys.exit("PR_SET_MDWE failed")
os.umask(0o077)
os.execvp(sys.argv[2], sys.argv[2:])
"""
NO_PRIVILEGES = ("--no-new-privs", "--bounding-set=-all", "--inh-caps=-all",
                 "--ambient-caps=-all")


@pytest.fixture(scope="module")
def mdwe_works() -> bool:
    """Can the kernel turn W^X on (PR_SET_MDWE)? Asked in a forked child, and so before
    the function-scoped fixtures start any thread (the manager's reader)."""
    return bool(in_child(lambda: ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0))


def test_it_runs_with_no_capabilities_and_no_new_privs(
    tmp_path: Path, mdwe_works: bool, manager: Manager
) -> None:
    """Under setpriv with an empty capability set and no_new_privs (and W^X where the
    kernel has it): ready, watchdog, pidfile, signals and shutdown all work."""
    needs_root("setpriv empties the capability bounding set only with CAP_SETPCAP")
    setpriv = installed("setpriv", "util-linux")
    pidfile = tmp_path / "sig-counter.pid"
    mode = "mdwe" if mdwe_works else "plain"
    process = Running("--interval", "0.01", "--pidfile", str(pidfile), program=(
        sys.executable, "-c", LAUNCHER, mode, setpriv, *NO_PRIVILEGES, "--", str(SIG_COUNTER)))
    try:
        assert manager.next().startswith("READY=1\n")
        process.wait_ready()
        status = procfs.status(process.pid)
        for capabilities in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(status[capabilities], 16) == 0, capabilities
        assert status["NoNewPrivs"] == "1"
        assert pidfile.stat().st_mode & 0o777 == 0o600  # 0644 under UMask=0077
        _wait_for_pings(manager, 3)
        count = process.count()
        assert manager.until(lambda message: "at SIGUSR1" in message)[-1].endswith(
            f"count {count} at SIGUSR1")
        process.send(signal.SIGTERM)
        assert manager.until(lambda message: message.startswith("STOPPING=1\n"))
        assert process.line().startswith(b"received terminated")
        assert process.wait_exit(DEADLINE) == 0
        assert not pidfile.exists()
    finally:
        process.stop()
