"""The command line: argv in, ``Options`` out, or a ``UsageError`` with one line.

Each option is declared once, as an ``Option`` (``optionparser``) in
``OPTIONS``: its names, its value's name, how the value is read, its default
and its phrase in --help. The parser, ``Options``'s attributes and --help
(``helptext``) come from the declarations, and tests/system/test_manpage.py
holds the man page's SYNOPSIS and OPTIONS to them. A new option is its
``Option`` here, its attribute's type in ``Options``, and the code that uses
it; a declaration that cannot work stops the import.

Parsed by hand rather than with argparse, which with the ``re`` and ``enum``
it imports would add about 1.5 MB of resident memory and 15 ms of start-up
to a program that otherwise sleeps.
"""

from __future__ import annotations

from sigcounter.kernel.constants import NS_PER_S, TICK_SOURCES, TIMERFD
from sigcounter.optionparser import Option, index, parse
from sigcounter.optionparser import UsageError as UsageError  # the one error options raise
from sigcounter.seconds import to_nanoseconds

PROG = "sig-counter"
MIN_INTERVAL_NS = 1_000  # one microsecond
MAX_INTERVAL_NS = 86_400 * NS_PER_S  # one day
MAX_DRAIN_NS = 3_600 * NS_PER_S  # an hour


def parse_seconds(
    name: str, text: str, *, minimum_ns: int = MIN_INTERVAL_NS,
    maximum_ns: int = MAX_INTERVAL_NS, range_text: str = "",
) -> int:
    """``text``, a decimal number of seconds, as exact integer nanoseconds
    within [minimum_ns, maximum_ns]; a one-line UsageError naming ``name`` if not."""
    try:
        return to_nanoseconds(text, minimum_ns, maximum_ns, range_text)
    except ValueError as exc:
        raise UsageError(f"argument {name}: {exc}") from None


def _interval(name: str, text: str) -> int:
    return parse_seconds(name, text, range_text="0.000001 (a microsecond) to 86400 (a day)")


def parse_interval(text: str) -> int:
    """Seconds as a decimal string (``0.25``, ``1e-3``) to exact integer nanoseconds."""
    return _interval("--interval", text)


def _drain(name: str, text: str) -> int:
    return parse_seconds(name, text, minimum_ns=0, maximum_ns=MAX_DRAIN_NS)


def _path(name: str, text: str) -> str:
    if not text:
        raise UsageError(f"argument {name}: expected a file name")
    return text


OPTIONS = (
    Option("--interval", value="SECONDS", parse=_interval, default="1", dest="interval_ns",
           help="tick period, a decimal from 0.000001 to 86400"),
    Option("--tick-source", value="SOURCE", choices=TICK_SOURCES, default=TIMERFD,
           help="timerfd: a periodic timerfd, 2 syscalls per tick; timeout: epoll_pwait's "
                "timeout and CLOCK_MONOTONIC, 1 syscall per tick, millisecond resolution"),
    Option("-q", "--quiet", help="do not print the ready line on stderr"),
    Option("-v", "--verbose",
           help="add the sender's pid and uid to each line; with --json, also emit ticks"),
    Option("--json", help="one JSON object per event on stdout (docs/json.md)"),
    Option("--stats",
           help="at shutdown, print ticks, wake-ups, syscalls and timings on stderr"),
    Option("--trace", value="FILE", parse=_path,
           help="stream a Chrome/Perfetto trace (JSON) of every wait and dispatch to FILE"),
    Option("--cpuprofile", value="FILE", parse=_path,
           help="write a cProfile profile to FILE at shutdown (read it with python -m "
                "pstats FILE)"),
    Option("--explain",
           help="print the commands that trace and profile this process, then run"),
    Option("--pidfile", value="PATH", parse=_path,
           help="once ready, write the PID to PATH and hold it locked until exit; refuse "
                "to start if another instance holds it"),
    Option("--drain-timeout", value="SECONDS", parse=_drain, default="1",
           dest="drain_timeout_ns",
           help="at shutdown, how long to wait for a stalled stdout to take the lines "
                "still queued"),
    Option("--version", answers=True, help="print the version and exit"),
    Option("-h", "--help", answers=True, help="print this help and exit"),
)


class Options:
    """What the command line asked for: one attribute per option (its ``dest``),
    its default until the command line gives it; typed here for the checker."""

    interval_ns: int
    tick_source: str
    quiet: bool
    verbose: bool
    json: bool
    stats: bool
    trace: str | None
    cpuprofile: str | None
    explain: bool
    pidfile: str | None
    drain_timeout_ns: int
    version: bool
    help: bool

    def __init__(self) -> None:
        for option in OPTIONS:
            setattr(self, option.dest, option.initial())


_BY_NAME = index(OPTIONS, Options)
_HELP = _BY_NAME["--help"]


def parse_args(argv: list[str]) -> Options:
    """Options from ``argv``; ``-h``/``--help`` before ``--`` wins over any error."""
    options = Options()
    options_part = argv[:argv.index("--")] if "--" in argv else argv
    if any(arg in _HELP.names for arg in options_part):
        setattr(options, _HELP.dest, True)
    else:
        parse(argv, _BY_NAME, options)
    return options
