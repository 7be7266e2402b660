"""Found by name: pidof, pgrep -x, pkill -x, killall, ps -C and ps -f know the
program as ``sig-counter``, with its arguments, whether it was started as the
command or as ``python -m sigcounter``. Each tool reads something else:
pgrep, pkill, killall and ps -C match the name the kernel keeps (comm), pidof
the first word of /proc/PID/cmdline, and ps -f shows all its words.

Several sig-counters may run on this machine: what signals by name is either
held to this test's children (pkill -P) or sends signal 0, which only asks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from support import COUNT, DEADLINE, SIG_COUNTER, Running
from support.tools import installed

ARGS = ("--interval", "0.5")
LAUNCHERS = {"command": (str(SIG_COUNTER),), "python -m": (sys.executable, "-m", "sigcounter")}


def _run(*argv: str) -> str:
    """What the tool prints on stdout; its status must be 0 (found)."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=DEADLINE,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{argv}: status {result.returncode}, {result.stderr!r}"
    return result.stdout


@pytest.fixture(params=list(LAUNCHERS))
def running(request: pytest.FixtureRequest) -> Iterator[Running]:
    """sig-counter started one way or the other, ready (its name is set by then)."""
    with Running(*ARGS, program=LAUNCHERS[request.param]) as run:
        run.wait_ready()
        yield run


def test_pidof_finds_it(running: Running) -> None:
    """`pidof sig-counter` lists the PID, so `kill -USR1 $(pidof sig-counter)` works."""
    pidof = installed("pidof", "sysvinit-utils or procps")
    assert running.pid in map(int, _run(pidof, "sig-counter").split())


def test_ps_f_shows_the_name_and_the_arguments(running: Running) -> None:
    """`ps -f` shows `sig-counter --interval 0.5`: not the interpreter, not the
    script's path, not `-m sigcounter`."""
    ps = installed("ps", "procps")
    assert _run(ps, "-o", "args=", "-p", str(running.pid)).strip() == " ".join(
        ("sig-counter", *ARGS))
    assert "sig-counter " + " ".join(ARGS) in _run(ps, "-ww", "-f", "-p", str(running.pid))


def test_ps_c_and_pgrep_x_find_it(running: Running) -> None:
    """`ps -C sig-counter` and `pgrep -x sig-counter` list the PID."""
    ps, pgrep = installed("ps", "procps"), installed("pgrep", "procps")
    assert running.pid in map(int, _run(ps, "-C", "sig-counter", "-o", "pid=").split())
    assert running.pid in map(int, _run(pgrep, "-x", "sig-counter").split())


def test_pkill_x_signals_it(running: Running) -> None:
    """`pkill -USR1 -x sig-counter`, held to this test's children, gets the count."""
    pkill = installed("pkill", "procps")
    _run(pkill, "-USR1", "-x", "-P", str(os.getpid()), "sig-counter")
    assert COUNT.match(running.line().decode())


def test_killall_finds_it(running: Running) -> None:
    """`killall -s 0 -v sig-counter` (a signal that only asks) names the PID."""
    killall = installed("killall", "psmisc")
    result = subprocess.run([killall, "-s", "0", "-v", "sig-counter"], capture_output=True,
                            text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert f"sig-counter({running.pid})" in result.stderr

