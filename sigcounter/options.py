"""The command line: argv in, ``Options`` out, or a ``UsageError`` with one line.

Parsed by hand rather than with argparse, which with the ``re`` and ``enum``
it imports would add about 1.5 MB of resident memory and 15 ms of start-up
to a program that otherwise sleeps.
"""

from __future__ import annotations

from sigcounter.kernel.constants import NS_PER_S, TICK_SOURCES, TIMERFD
from sigcounter.shown import quoted, shown
from sigcounter.signaltable import help_text, summary

PROG = "sig-counter"
MIN_INTERVAL_NS = 1_000  # one microsecond
MAX_INTERVAL_NS = 86_400 * NS_PER_S  # one day
MAX_DRAIN_NS = 3_600 * NS_PER_S  # an hour

def _wrap(text: str, width: int = 79) -> str:
    """``text`` in lines of at most ``width`` (textwrap would bring ``re``)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


USAGE = f"""\
usage: {PROG} [--interval SECONDS] [--tick-source {{timerfd,timeout}}] [-q] [-v]
                   [--json] [--stats] [--trace FILE] [--cpuprofile FILE] [--explain]
                   [--pidfile PATH] [--drain-timeout SECONDS] [--version] [-h]
"""

HELP = USAGE + f"""
{_wrap(f"Count timer ticks; {summary()}.")}

options:
  --interval SECONDS    tick period, a decimal from 0.000001 to 86400 (default: 1)
  --tick-source SOURCE  timerfd: a periodic timerfd, 2 syscalls per tick (default);
                        timeout: epoll_pwait's timeout and CLOCK_MONOTONIC,
                        1 syscall per tick, millisecond resolution
  -q, --quiet           do not print the ready line on stderr
  -v, --verbose         add the sender's pid and uid to each line; with --json,
                        also emit ticks
  --json                one JSON object per event on stdout (docs/json.md)
  --stats               at shutdown, print ticks, wake-ups, syscalls and timings
                        on stderr
  --trace FILE          stream a Chrome/Perfetto trace (JSON) of every wait and
                        dispatch to FILE
  --cpuprofile FILE     write a cProfile profile to FILE at shutdown (read it with
                        python -m pstats FILE)
  --explain             print the commands that trace and profile this process,
                        then run
  --pidfile PATH        once ready, write the PID to PATH and hold it locked until
                        exit; refuse to start if another instance holds it
  --drain-timeout SECONDS
                        at shutdown, how long to wait for a stalled stdout to
                        take the lines still queued (default: 1)
  --version             print the version and exit
  -h, --help            print this help and exit

{help_text()}
example (the sleep lets it get past the interpreter's own start-up, the first
few ms, before which a signal acts as on any Python program):
  {PROG} & sleep 1; kill -USR1 $!; kill -TERM $!
"""


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


class Options:
    """What the command line asked for."""

    def __init__(self) -> None:
        self.interval_ns = NS_PER_S
        self.tick_source = TIMERFD
        self.drain_timeout_ns = NS_PER_S
        self.quiet = self.verbose = self.json = self.stats = self.explain = False
        self.trace: str | None = None
        self.cpuprofile: str | None = None
        self.pidfile: str | None = None
        self.help = self.version = False


_FLAGS = {
    "-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose",
    "--json": "json", "--stats": "stats", "--explain": "explain",
    "-h": "help", "--help": "help", "--version": "version",
}
_VALUED = {
    "--interval", "--tick-source", "--trace", "--cpuprofile", "--pidfile", "--drain-timeout",
}


def parse_args(argv: list[str]) -> Options:
    """Options from ``argv``; ``-h``/``--help`` before ``--`` wins over any error."""
    options_part = argv[:argv.index("--")] if "--" in argv else argv
    if "-h" in options_part or "--help" in options_part:
        options = Options()
        options.help = True
        return options
    options, args = Options(), list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--":  # the end of the options; sig-counter takes no arguments
            if args:
                raise UsageError(f"unrecognized argument: {shown(args[0])}")
            break
        name, has_value, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _VALUED:
            if not has_value:
                if not args:
                    raise UsageError(f"argument {name}: expected one value")
                value = args.pop(0)
            _set_valued(options, name, value)
        elif has_value:
            raise UsageError(f"argument {shown(name)}: takes no value")
        elif arg in _FLAGS:
            setattr(options, _FLAGS[arg], True)
        elif arg.startswith("-") and len(arg) > 2 and arg[1] != "-" and all(
            f"-{letter}" in _FLAGS for letter in arg[1:]
        ):  # short flags together: -qv
            for letter in arg[1:]:
                setattr(options, _FLAGS[f"-{letter}"], True)
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"unrecognized option: {shown(arg)}")
        else:
            raise UsageError(f"unrecognized argument: {shown(arg)}")
    return options


def _set_valued(options: Options, name: str, value: str) -> None:
    if name == "--interval":
        options.interval_ns = parse_interval(value)
    elif name == "--tick-source":
        if value not in TICK_SOURCES:
            raise UsageError(
                f"argument --tick-source: choose timerfd or timeout, not {_value(value)}")
        options.tick_source = value
    elif name == "--trace":
        options.trace = _path(name, value)
    elif name == "--pidfile":
        options.pidfile = _path(name, value)
    elif name == "--drain-timeout":
        options.drain_timeout_ns = parse_seconds(name, value, minimum_ns=0,
                                                 maximum_ns=MAX_DRAIN_NS)
    else:
        options.cpuprofile = _path(name, value)


def _path(name: str, value: str) -> str:
    if not value:
        raise UsageError(f"argument {name}: expected a file name")
    return value


def parse_interval(text: str) -> int:
    """Seconds as a decimal string (``0.25``, ``1e-3``) to exact integer nanoseconds."""
    return parse_seconds("--interval", text, range_text="0.000001 (a microsecond) to 86400 (a day)")


def parse_seconds(
    name: str, text: str, *, minimum_ns: int = MIN_INTERVAL_NS,
    maximum_ns: int = MAX_INTERVAL_NS, range_text: str = "",
) -> int:
    """``text``, a decimal number of seconds, as exact integer nanoseconds
    within [minimum_ns, maximum_ns]; a one-line UsageError naming ``name`` if not."""
    sign, significant, power = _decimal(name, text)
    if (sign < 0 and significant) or (not significant and minimum_ns > 0):
        raise UsageError(f"argument {name}: must be positive: {_value(text)}")
    scale = power + 9  # nanoseconds = int(significant) * 10**scale
    if significant and scale < 0:  # its last digit, not a zero, is below a nanosecond
        raise UsageError(f"argument {name}: finer than a nanosecond: {_value(text)}")
    if not significant:
        nanoseconds = 0
    elif len(significant) + scale > 30:
        nanoseconds = maximum_ns + 1  # far beyond the range: no huge number is built
    else:
        nanoseconds = int(significant) * 10**scale
    if not minimum_ns <= nanoseconds <= maximum_ns:
        range_text = range_text or (
            f"{format_interval(minimum_ns)[:-1]} to {format_interval(maximum_ns)[:-1]} seconds")
        raise UsageError(f"argument {name}: must be from {range_text}: {_value(text)}")
    return nanoseconds


def _decimal(name: str, text: str) -> tuple[int, str, int]:
    """``text`` as (sign, significant digits, power of ten), exactly: "0.250" ->
    (1, "25", -2); zero has no significant digits. Leading and trailing zeros
    are dropped before any digit becomes a number, so a value of any length
    (``0000...01``) is read without converting thousands of digits."""
    stripped = text.strip()
    if stripped.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
        raise UsageError(f"argument {name}: must be a finite number of seconds: {_value(text)}")
    mantissa, has_exponent, exponent_text = stripped.lower().partition("e")
    sign = -1 if mantissa.startswith("-") else 1
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    exponent_digits = exponent_text.lstrip("+-")
    well_formed = (
        mantissa[:1] in "+-0123456789." and len(mantissa) - len(mantissa.lstrip("+-")) <= 1
        and (whole or fraction) and _digits(whole) and _digits(fraction)
        and (not has_exponent or (exponent_digits and _digits(exponent_digits)
                                  and len(exponent_text) - len(exponent_digits) <= 1))
    )
    if not well_formed:
        raise UsageError(f"argument {name}: not a number of seconds: {_value(text)}")
    exponent = _exponent(exponent_text) if has_exponent else 0
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    return sign, significant, exponent - len(fraction) + len(digits) - len(significant)


def _exponent(text: str) -> int:
    """A well-formed exponent's value; past 18 digits, 10**18 of the same sign,
    which no string that fits in memory can bring back into range."""
    digits = text.lstrip("+-").lstrip("0")
    magnitude = int(digits or "0") if len(digits) <= 18 else 10**18
    return -magnitude if text.startswith("-") else magnitude


def _value(text: str) -> str:
    """An option's value for a message: quoted, and cut in the middle when long."""
    if len(text) <= 40:
        return quoted(text)
    return f"{quoted(text[:16] + '...' + text[-16:])} ({len(text)} characters)"


def _digits(text: str) -> bool:
    return text == "" or (text.isascii() and text.isdigit())


def format_interval(nanoseconds: int) -> str:
    """Nanoseconds as the shortest exact decimal of seconds: 250000000 -> "0.25s"."""
    seconds, fraction = divmod(nanoseconds, NS_PER_S)
    return f"{seconds}.{fraction:09d}".rstrip("0").rstrip(".") + "s"
