"""Signals at the very start of a run. From the launcher's first statement on, a
handled signal waits for the signalfd. Before it, in the interpreter's own
start-up, a signal acts as on any Python program: SIGUSR1 kills it; SIGINT kills
it until CPython installs its handler, then ends it with status 1 and CPython's
KeyboardInterrupt message, except while CPython checks whether the script's path
is an import path entry (the command only, not ``python -m``): there CPython
prints that message and runs the script anyway, so that SIGINT is lost, never
without a word. The same on CPython 3.11, 3.12 and 3.13.

Each stretch is hit exactly by strace delivering the signal as one system call
of start-up is entered (support/startup.py); the delays of a spawn-and-wait
test only land somewhere, and a loaded machine moves where."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Sequence

import pytest
from support import SIG_COUNTER, Child
from support.startup import (
    HANDLER_SET,
    IMPORTER_CHECK,
    Fate,
    Step,
    fate,
    signal_at_step,
    start_up_steps,
)
from support.tools import installed

LAUNCHERS = {"command": (str(SIG_COUNTER),), "python -m": (sys.executable, "-m", "sigcounter")}
EVERY = 25  # the sweep tries one system call in EVERY, and each stretch's edges


@pytest.fixture(scope="module", params=list(LAUNCHERS))
def start_up(request: pytest.FixtureRequest) -> tuple[Sequence[str], list[Step]]:
    """The launcher's argv, and the system calls of its start-up."""
    installed("strace", "strace")
    argv = LAUNCHERS[request.param]
    return argv, start_up_steps(argv)


def _handler_set(steps: list[Step]) -> int:
    return next(index for index, step in enumerate(steps) if HANDLER_SET.match(step.line))


def _allowed(found: Fate, signum: int) -> bool:
    """Killed by it, or CPython's error, or lost with CPython's word for it, or answered."""
    if found.kind == "lost":  # CPython said so: the path check, or a callback it ran
        said = IMPORTER_CHECK in found.stderr or (
            "Exception ignored in" in found.stderr and "KeyboardInterrupt" in found.stderr)
        return signum == signal.SIGINT and said
    if found.kind == "error":
        return signum == signal.SIGINT and found.status == 1 and "KeyboardInterrupt" in found.stderr
    return found.kind == "killed" or (found.kind, found.status) == ("answered", 0)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGUSR1])
def test_before_the_first_statement_the_signal_kills_it_and_at_it_it_is_answered(
    start_up: tuple[Sequence[str], list[Step]], signum: int,
) -> None:
    """The first system call after exec: killed by the signal. The launcher's first
    statement (it blocks every signal): answered as the program answers it."""
    argv, steps = start_up
    assert signal_at_step(argv, steps[0], signum)[:2] == ("killed", -signum)
    assert signal_at_step(argv, steps[-1], signum)[:2] == ("answered", 0)


def test_once_cpython_handles_sigint_it_ends_the_run_with_status_1(
    start_up: tuple[Sequence[str], list[Step]],
) -> None:
    """Right after CPython installs its SIGINT handler: status 1, KeyboardInterrupt."""
    argv, steps = start_up
    found = signal_at_step(argv, steps[_handler_set(steps) + 1], signal.SIGINT)
    assert (found.kind, found.status) == ("error", 1) and "KeyboardInterrupt" in found.stderr


def test_a_sigint_in_cpythons_check_of_the_scripts_path_is_lost_with_its_message() -> None:
    """The command: a SIGINT as CPython first looks at the script's path after its
    handler is in (to see whether it is a zip or a folder) is printed as
    `Failed checking if argv[0] is an import path entry` and a KeyboardInterrupt,
    and the program runs on; once ready it answers as usual."""
    argv = LAUNCHERS["command"]
    steps = start_up_steps(argv)
    script = str(SIG_COUNTER.resolve())
    check = next(step for step in steps[_handler_set(steps):] if f'"{script}"' in step.line)
    found = signal_at_step(argv, check, signal.SIGINT)
    assert (found.kind, found.status) == ("lost", 0), found
    assert IMPORTER_CHECK in found.stderr and "KeyboardInterrupt" in found.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGUSR1])
def test_a_signal_anywhere_in_start_up_is_never_lost_unsaid(
    start_up: tuple[Sequence[str], list[Step]], signum: int,
) -> None:
    """One system call in 25 of start-up, each hit in turn: killed, CPython's error,
    lost only with CPython's message (SIGINT), or, at the first statement, answered."""
    argv, steps = start_up
    fates = {index: signal_at_step(argv, steps[index], signum)
             for index in range(0, len(steps) - 1, EVERY)}
    assert {index: str(found) for index, found in fates.items()
            if not _allowed(found, signum)} == {}
    assert {index: str(found) for index, found in fates.items() if found.kind == "answered"} == {}


def _sigint_after(delay_s: float) -> Fate:
    with Child([str(SIG_COUNTER)]) as run:
        until = time.monotonic() + delay_s
        while time.monotonic() < until:  # a busy wait: sleep() is too coarse at 1 ms
            pass
        run.send(signal.SIGINT)
        return fate(run, signal.SIGINT)


@pytest.mark.parametrize("delay_ms", [0, 3, 6, 9, 12, 15, 20, 30, 50])
def test_a_sigint_at_any_moment_of_start_up_is_never_lost_unsaid(delay_ms: int) -> None:
    """Spawned, then a SIGINT some ms later, wherever start-up has got to: one of the
    outcomes above; once the signals are blocked, the clean shutdown."""
    found = _sigint_after(delay_ms / 1000)
    assert _allowed(found, signal.SIGINT), found
    # _allowed reads CPython's words where it lost the SIGINT or ended the run on
    # it (then it may also print it once more as "Exception ignored on threading
    # shutdown", 3.13); a run that answered it has nothing to say of it.
    assert found.kind != "answered" or "Exception ignored" not in found.stderr, found


def test_a_sigint_after_the_signals_are_blocked_is_always_clean() -> None:
    """Sent once the process has got far enough to block the signals (well past
    the interpreter's start-up), SIGINT always gives the clean shutdown."""
    assert _sigint_after(0.2)[:2] == ("answered", 0)
