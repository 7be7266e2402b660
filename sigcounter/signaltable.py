"""The signal table: every signal sig-counter handles, one row each.

Everything that depends on which signals are handled, and what they do, reads
it from here: the launchers (``bin/sig-counter``, ``python -m sigcounter``)
block exactly these signals in their first statement; the loop's signalfd
reads the same set and dispatches on a row's action (a signal without a row
is an error, never a shutdown); the output lines, the JSON names, the
``sigcounter:emit`` probe codes and the ``--help`` list come from the rows.

It imports only ``_signal``, which is built into the interpreter, so that a
launcher can import it before anything else at no cost.

Adding a signal with an existing action is one row. A new action is one
more name here, its effect in ``TickLoop.run`` (``sigcounter/loop.py``) and
its line template in the row; a test checks that every action has both.
"""

import _signal

# What a handled signal does. The strings are also the events' kinds, in
# --json's "event" field and in the trace.
DISPLAY, RESET, SHUTDOWN = "display", "reset", "shutdown"
ACTIONS = (DISPLAY, RESET, SHUTDOWN)
TICK = "tick"  # not a signal's: the event of ticks counted (--json -v)

# The sigcounter:emit probe's arg0 for each kind of event (docs/observing.md).
PROBE_CODES = {DISPLAY: 1, RESET: 2, SHUTDOWN: 3, TICK: 4}

# What --help says each action does, after the line it prints.
HELP_EFFECTS = {DISPLAY: "", RESET: " and set the count to 0", SHUTDOWN: ", exit 0"}


class Row:
    """One handled signal: its number and name, its action, the line it prints
    (``{count}`` stands for the count), whether an inherited SIG_IGN is kept
    (the signal is then not handled at all), and whether it is a terminal's
    hang-up (a run it ends loses nothing to the terminal that went away)."""

    __slots__ = ("signo", "name", "action", "line", "keeps_ignore", "hangup")

    def __init__(
        self, name: str, action: str, line: str, *, keeps_ignore: bool = False,
        hangup: bool = False,
    ) -> None:
        self.signo: int = getattr(_signal, name)
        self.name = name
        self.action = action
        self.line = line
        self.keeps_ignore = keeps_ignore
        self.hangup = hangup

    def help_line(self) -> str:
        shown = self.line.replace("{count}", "N")
        return f'  {self.name:<9} print "{shown}"{HELP_EFFECTS[self.action]}'


ROWS = (
    Row("SIGUSR1", DISPLAY, "Ticker count: {count}"),
    Row("SIGUSR2", RESET, "Resetting ticker count to zero"),
    # The shutdown lines use Go's names for the signals, as the original does.
    Row("SIGTERM", SHUTDOWN, "received terminated \N{EM DASH} shutting down"),
    Row("SIGINT", SHUTDOWN, "received interrupt \N{EM DASH} shutting down"),
    # The original dies on SIGHUP; here a terminal going away ends the run as
    # cleanly as SIGTERM. Under nohup (SIGHUP ignored at start) it stays
    # ignored: that is nohup's contract, and the original never asks for it.
    Row("SIGHUP", SHUTDOWN, "received hangup \N{EM DASH} shutting down", keeps_ignore=True,
        hangup=True),
)
BY_SIGNO = {row.signo: row for row in ROWS}


def handled_signals() -> tuple[int, ...]:
    """The signals handled in this process: every row's, except one whose row
    keeps an inherited SIG_IGN and that is ignored now. Python's view of the
    disposition is the one it found at start-up, or what was set since."""
    return tuple(
        row.signo for row in ROWS
        if not (row.keeps_ignore and _signal.getsignal(row.signo) == _signal.SIG_IGN)
    )


def block_handled(before: set[int] | None = None) -> tuple[int, ...]:
    """Block the handled signals in the calling thread; return them.

    The launchers call it first: from then on a handled signal sent early
    waits, pending, for the signalfd instead of killing the process or
    raising KeyboardInterrupt in the middle of an import. They block every
    signal for the import of this module itself and pass the mask from
    before that: the thread's mask becomes ``before`` plus the handled ones,
    so a signal that is not handled is blocked only for that moment."""
    signals = handled_signals()
    if before is None:
        _signal.pthread_sigmask(_signal.SIG_BLOCK, signals)
    else:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, before | set(signals))
    return signals


_SUMMARY = {DISPLAY: "show the count on", RESET: "reset it on", SHUTDOWN: "stop cleanly on"}


def summary() -> str:
    """What the signals do, in one phrase: "show the count on SIGUSR1, ..."."""
    parts = []
    for action in ACTIONS:
        names = [row.name for row in ROWS if row.action == action]
        if names:
            listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
            parts.append(f"{_SUMMARY[action]} {listed}")
    return ", ".join(parts)


def help_text() -> str:
    """The signals section of --help."""
    kept = ", ".join(row.name for row in ROWS if row.keeps_ignore)
    return ("signals:\n" + "\n".join(row.help_line() for row in ROWS) + "\n"
            + f"  ({kept} ignored at start, as under nohup, stays ignored)\n")
