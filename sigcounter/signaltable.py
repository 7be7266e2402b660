"""The signal table: every signal sig-counter handles, one row each.

Everything that depends on which signals are handled, and what they do, reads
it from here: the launchers (``bin/sig-counter``, ``python -m sigcounter``)
block exactly these signals in their first statement; the loop's signalfd
reads the same set and carries out a row's action (a signal without a row is
an error, never a shutdown); the lines, the --json events, the
``sigcounter:emit`` probe codes, --help, the ready line and --explain come
from the rows and their actions (``actions.py``). Tests hold the README, the
man page and docs/json.md to the table.

It imports only what is built into the interpreter, and ``actions.py``, so
that a launcher can import it before anything else at no cost.

Adding a signal with an existing action is one row. A new action is one
``Action`` in ``actions.py`` and the rows that use it.
"""

import _signal

from sigcounter.actions import DISPLAY, LINE_FIELDS, RESET, SHUTDOWN, Action

__all__ = ["DISPLAY", "RESET", "SHUTDOWN", "Action", "Row"]


class Row:
    """One handled signal: its number and name, its action, the line it prints
    (``{count}`` and the action's other fields stand for their values), the
    key that sends it from a terminal, whether an inherited SIG_IGN is kept
    (the signal is then not handled at all), and whether it is a terminal's
    hang-up (a run it ends loses nothing to the terminal that went away)."""

    __slots__ = ("signo", "name", "action", "line", "parts", "key", "keeps_ignore", "hangup")

    def __init__(
        self, name: str, action: Action, line: str, *, key: str = "",
        keeps_ignore: bool = False, hangup: bool = False,
    ) -> None:
        self.signo: int = getattr(_signal, name)
        self.name = name
        self.action = action
        self.line = line
        # The line split once, here: the output builds each line by
        # concatenation, with no format string to parse per signal; a field
        # the action has no value for fails now, not when the signal comes.
        self.parts = _split(line)
        unknown = {field for _, field in self.parts if field} - set(action.fields)
        if unknown:
            raise ValueError(f"{name}'s line shows {sorted(unknown)}, which the "
                             f"{action.name} action does not give")
        self.key = key
        self.keeps_ignore = keeps_ignore
        self.hangup = hangup

    @property
    def shown(self) -> str:
        """The line as the docs show it: ``Ticker count: N``."""
        return "".join(text + (LINE_FIELDS[field] if field else "") for text, field in self.parts)

    def help_line(self) -> str:
        return f'  {self.name:<9} print "{self.shown}"{self.action.help_effect}'


def _split(line: str) -> tuple[tuple[str, str | None], ...]:
    """"at {count}!" -> (("at ", "count"), ("!", None)): each text with the
    field after it."""
    parts: list[tuple[str, str | None]] = []
    rest = line
    while "{" in rest:
        text, _, rest = rest.partition("{")
        field, closed, rest = rest.partition("}")
        if not closed:
            raise ValueError(f"{line!r}: a {{ without its }}")
        parts.append((text, field))
    return (*parts, (rest, None)) if rest else tuple(parts)


ROWS = (
    Row("SIGUSR1", DISPLAY, "Ticker count: {count}"),
    Row("SIGUSR2", RESET, "Resetting ticker count to zero"),
    # The shutdown lines use Go's names for the signals, as the original does.
    Row("SIGTERM", SHUTDOWN, "received terminated \N{EM DASH} shutting down"),
    Row("SIGINT", SHUTDOWN, "received interrupt \N{EM DASH} shutting down", key="Ctrl-C"),
    # The original dies on SIGHUP; here a terminal going away ends the run as
    # cleanly as SIGTERM. Under nohup (SIGHUP ignored at start) it stays
    # ignored: that is nohup's contract, and the original never asks for it.
    Row("SIGHUP", SHUTDOWN, "received hangup \N{EM DASH} shutting down", keeps_ignore=True,
        hangup=True),
)
BY_SIGNO = {row.signo: row for row in ROWS}
# The actions the rows use, in the order of their first row.
ACTIONS: tuple[Action, ...] = tuple({row.action: None for row in ROWS})


def handled_signals() -> tuple[int, ...]:
    """The signals handled in this process: every row's, except one whose row
    keeps an inherited SIG_IGN and that is ignored now. Python's view of the
    disposition is the one it found at start-up, or what was set since."""
    return tuple(
        row.signo for row in ROWS
        if not (row.keeps_ignore and _signal.getsignal(row.signo) == _signal.SIG_IGN)
    )


def block_handled(before: set[int]) -> tuple[int, ...]:
    """Block the handled signals in the calling thread; return them.

    The launchers call it first: from then on a handled signal sent early
    waits, pending, for the signalfd instead of killing the process or
    raising KeyboardInterrupt in the middle of an import. They block every
    signal for the import of this module itself and pass the mask from
    before that: the thread's mask becomes ``before`` plus the handled ones,
    so a signal that is not handled is blocked only for that moment."""
    signals = handled_signals()
    _signal.pthread_sigmask(_signal.SIG_SETMASK, before | set(signals))
    return signals


def _listed(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def summary() -> str:
    """What the signals do, in one phrase: "SIGUSR1 shows the count, ..."."""
    return ", ".join(
        f"{_listed([row.name for row in ROWS if row.action is action])} {action.does}"
        for action in ACTIONS
    )


def ready_hint(pid: int) -> str:
    """The ready line's "kill -USR1 PID shows the count, ...": for each action,
    its first row's signal and the keys that send one of its signals from a
    terminal. A hang-up is left out: nobody sends it to stop the program."""
    phrases = []
    for action in ACTIONS:
        rows = [row for row in ROWS if row.action is action and not row.hangup]
        if rows:
            sent = [f"-{rows[0].name[3:]}", *(row.key for row in rows if row.key)]
            phrases.append(f"{_listed(sent)} {action.does}")
    first, _, rest = phrases[0].partition(" ")
    return ", ".join([f"kill {first} {pid} {rest}", *phrases[1:]])


def kill_commands(pid: int) -> str:
    """One ``kill`` per action, with its first row's signal: for --explain."""
    first: dict[Action, Row] = {}
    for row in ROWS:
        first.setdefault(row.action, row)
    return "   ".join(f"kill -{row.name[3:]} {pid}" for row in first.values())


def help_text() -> str:
    """The signals section of --help."""
    kept = ", ".join(row.name for row in ROWS if row.keeps_ignore)
    return ("signals:\n" + "\n".join(row.help_line() for row in ROWS) + "\n"
            + f"  ({kept} ignored at start, as under nohup, stays ignored)\n")
