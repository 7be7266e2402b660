"""Arguments, paths and environment values are bytes: under any locale, one that
is not UTF-8 is opened as given, shown escaped, and never gives a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import COUNT, DEADLINE, READY, SIG_COUNTER, Child
from support.notify import Manager

LAUNCHERS = {"sig-counter": [str(SIG_COUNTER)], "python -m": [sys.executable, "-m", "sigcounter"]}
LOCALES = {
    "as is": {},
    "C, no UTF-8 mode": {"LC_ALL": "C", "PYTHONUTF8": "0"},  # file names decode as ASCII
    "ascii stdio": {"PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
}


def _env(locale: str, **extra: str | bytes) -> dict[bytes, bytes]:
    env = {os.fsencode(k): os.fsencode(v) for k, v in os.environ.items()}
    env.update({k.encode(): v.encode() for k, v in LOCALES[locale].items()})
    env.update({k.encode(): os.fsencode(v) for k, v in extra.items()})
    return env


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("launcher", LAUNCHERS)
@pytest.mark.parametrize(
    ("argv", "said"),
    [([b"\xff"], "unrecognized argument: $'\\xff'"),
     ([b"--bogus\xff"], "unrecognized option: $'--bogus\\xff'"),
     (["été".encode()], "unrecognized argument: été"),
     ([b"--trace=/nonexistent/\xff"], "--trace $'/nonexistent/\\xff': No such file or directory"),
     ([b"--cpuprofile=/nonexistent/a\nb"],
      "--cpuprofile $'/nonexistent/a\\nb': No such file or directory"),
     ([b"--pidfile=/nonexistent/\xff"],
      "--pidfile $'/nonexistent/\\xff': No such file or directory"),
     ([b"--interval", b"1\xff"], "argument --interval: not a number of seconds: $'1\\xff'")],
)
def test_bad_bytes_in_the_arguments_are_one_escaped_line(
    argv: list[bytes], said: str, launcher: str, locale: str
) -> None:
    """Each is a usage error, status 2, one line naming the value as a shell
    would take it back; never a traceback, whatever the locale or launcher."""
    result = subprocess.run([*map(os.fsencode, LAUNCHERS[launcher]), *argv], env=_env(locale),
                            capture_output=True, timeout=DEADLINE, stdin=subprocess.DEVNULL)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr == f"sig-counter: error: {said} (see --help)\n".encode()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_trace_at_a_path_that_is_not_utf8_fails_in_one_line_and_counts_on(
    tmp_path: Path, locale: str
) -> None:
    """--trace to a link to /dev/full whose name ends in byte 0xff: its failure is
    one escaped line at the first wake-up; the count goes on; exit 1."""
    full = os.fsencode(tmp_path) + b"/full\xff"
    os.symlink("/dev/full", full)
    with Child([str(SIG_COUNTER), "--interval", "0.05", "--trace", os.fsdecode(full)],
               env=_env(locale)) as run:
        run.wait_ready()
        assert run.err_line() == (f"sig-counter: --trace $'{tmp_path}/full\\xff': No space left "
                                  "on device; trace off, counting on\n")
        run.send(signal.SIGUSR1)
        assert COUNT.match(run.line().decode())
        run.send(signal.SIGTERM)
        assert run.wait_exit() == 1
        assert run.rest_of_stderr() == []


@pytest.mark.parametrize("locale", LOCALES)
def test_paths_that_are_not_utf8_are_opened_as_the_bytes_given(
    tmp_path: Path, locale: str
) -> None:
    """The trace, the pidfile and NOTIFY_SOCKET, each named by bytes that are not
    UTF-8 (and by UTF-8 ones under an ASCII locale), are those very files."""
    base = os.fsencode(tmp_path)
    trace, pidfile, notify = base + b"/tr\xe9ce", base + b"/pid\xff", "/nø\xff".encode("latin-1")
    manager = Manager("path", base + notify)
    try:
        argv = [str(SIG_COUNTER), "--trace", os.fsdecode(trace), "--pidfile", os.fsdecode(pidfile)]
        with Child(argv, env=_env(locale, NOTIFY_SOCKET=os.fsdecode(base + notify))) as run:
            pid = run.wait_ready()
            assert manager.next().startswith("READY=1")
            with open(pidfile, "rb") as written:
                assert written.read() == f"{pid}\n".encode()
            run.send(signal.SIGTERM)
            assert run.wait_exit() == 0
        with open(trace, "rb") as stream:
            assert json.load(stream)[-1]["name"] == "stopped"
        assert not os.path.exists(pidfile)
    finally:
        manager.close()


def test_notify_socket_and_watchdog_values_that_are_not_utf8_are_one_line_each() -> None:
    """NOTIFY_SOCKET naming no socket and WATCHDOG_USEC that is no number, both
    with byte 0xff: one escaped line each, and the run goes on to a clean end."""
    env = _env("C, no UTF-8 mode", NOTIFY_SOCKET=os.fsdecode(b"/nonexistent/\xff"),
               WATCHDOG_USEC=os.fsdecode(b"\xff"))
    with Child([str(SIG_COUNTER)], env=env) as run:
        run.ready_line = READY
        run.wait_ready()
        assert sorted(run.err_line() for _ in range(2)) == [
            "sig-counter: WATCHDOG_USEC=$'\\xff' is not a positive number of microseconds; "
            "no watchdog pings\n",
            "sig-counter: cannot notify NOTIFY_SOCKET=$'/nonexistent/\\xff': No such file or "
            "directory; running on without it\n",
        ]
        run.send(signal.SIGUSR1)
        assert COUNT.match(run.line().decode())
        run.send(signal.SIGTERM)
        assert run.wait_exit() == 0
        assert run.rest_of_stderr() == []


def test_what_is_shown_is_what_bash_reads_back(tmp_path: Path) -> None:
    """The escaped form in a message, pasted into bash, names the same file."""
    name = os.fsencode(tmp_path) + b"/odd \xff\n'\x1b"
    with open(name, "wb"):
        pass
    result = subprocess.run([SIG_COUNTER, b"--pidfile", name, b"--trace", name],
                            capture_output=True, timeout=DEADLINE)
    assert result.returncode == 2
    shown = result.stderr.decode().split("--trace ", 1)[1].split(" and --pidfile")[0]
    typed = subprocess.run(["bash", "-c", f"printf %s {shown}"], capture_output=True,
                           timeout=DEADLINE, check=True)
    assert typed.stdout == name
