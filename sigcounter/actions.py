"""Actions: what a handled signal does, each one object.

An ``Action`` is all there is to one thing a signal can do: its effect on the
run, the fields its line may show, its name (the event's name in --json and
the trace), its code for the ``sigcounter:emit`` probe, whether it ends the
run, and the words --help and the ready line use for it. The signal table
(``signaltable.py``) gives each handled signal one action and a line; a new
action is one ``Action`` here and the rows there that use it.

The launchers import the signal table, and so this module, first, before
anything else: it imports nothing at run time (not even ``__future__``: the
annotations that name other modules' classes are strings).
"""

# typing.TYPE_CHECKING's stand-in without an import (see kernel/lean.py):
# type checkers take any name TYPE_CHECKING as true.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable

    from sigcounter.kernel.siginfo import SigInfo
    from sigcounter.runstate import RunState

    Effect = Callable[[RunState, SigInfo], None]

# What a line may show, by name (``{count}`` in a row's line), with what the
# docs write in its place. Each is read off the handled signal's Event when
# its line is built (output.py).
COUNT = "count"  # the count once the signal was handled
SINCE_RESET = "since_reset"  # the time from the last reset (or the start) to the signal
LINE_FIELDS = {COUNT: "N", SINCE_RESET: "T"}


class Action:
    """One thing the loop does that makes an event: a handled signal's action,
    or the counting of ticks (``TICK``, which no signal has).

    ``effect(state, info)`` changes the run's ``RunState`` (the count, when it
    was last reset, the --stats instrument) for the signal ``info``, before
    its line is built; ``None`` changes nothing. ``fields`` are the names from
    ``LINE_FIELDS`` a line of this action may show. ``does`` completes the
    ready line's "kill -USR1 PID ..." and --help's summary; ``help_effect``
    follows the line in --help's list of signals.
    """

    __slots__ = ("name", "effect", "fields", "probe_code", "ends_run", "does", "help_effect")

    def __init__(
        self, name: str, *, probe_code: int, does: str = "", help_effect: str = "",
        fields: tuple[str, ...] = (), effect: "Effect | None" = None, ends_run: bool = False,
    ) -> None:
        unknown = set(fields) - set(LINE_FIELDS)
        if unknown:
            raise ValueError(f"action {name!r}: no such line field {sorted(unknown)}")
        self.name = name
        self.effect = effect
        self.fields = fields
        self.probe_code = probe_code
        self.ends_run = ends_run
        self.does = does
        self.help_effect = help_effect

    def __repr__(self) -> str:
        return f"Action({self.name!r})"


def _reset(state: "RunState", info: "SigInfo") -> None:
    state.reset(info.read_ns)


DISPLAY = Action("display", probe_code=1, does="shows the count", fields=(COUNT,))
RESET = Action("reset", probe_code=2, does="resets it", help_effect=" and set the count to 0",
               effect=_reset)
SHUTDOWN = Action("shutdown", probe_code=3, does="stops", help_effect=", exit 0", ends_run=True)
# The ticks a wake-up counted, as an event (--json -v): the loop counts them
# itself, before any signal of the same wake-up.
TICK = Action("tick", probe_code=4)
