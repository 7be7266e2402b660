"""``sig-counter``: command line in, exit status out. All printing is here.

Only the standard library is imported at module level, so that a missing
native module or python-prctl becomes a one-line error, not a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from sigcounter import __version__

if TYPE_CHECKING:
    from sigcounter.observer import Observer
    from sigcounter.stats import Stats

PROG = "sig-counter"
MIN_INTERVAL_NS = 1_000  # one microsecond
MAX_INTERVAL_NS = 86_400 * 1_000_000_000  # one day


def parse_interval(text: str) -> int:
    """Seconds as a decimal string to exact integer nanoseconds."""
    try:
        seconds = Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not seconds.is_finite():
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds: {text!r}")
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    nanoseconds = seconds.scaleb(9)
    if nanoseconds != nanoseconds.to_integral_value():
        raise argparse.ArgumentTypeError(f"finer than a nanosecond: {text!r}")
    if not MIN_INTERVAL_NS <= nanoseconds <= MAX_INTERVAL_NS:
        raise argparse.ArgumentTypeError(
            f"must be from 0.000001 (a microsecond) to 86400 (a day): {text!r}"
        )
    return int(nanoseconds)


def format_interval(nanoseconds: int) -> str:
    return f"{Decimal(nanoseconds).scaleb(-9).normalize():f}s"


EPILOG = """\
signals:
  SIGUSR1          print "Ticker count: N"
  SIGUSR2          print "Resetting ticker count to zero" and set the count to 0
  SIGTERM, SIGINT  print "received terminated|interrupt — shutting down", exit 0

example:
  sig-counter & kill -USR1 $!; kill -TERM $!
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: easy to read, easy to grep.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Count timer ticks; show the count on SIGUSR1, reset it on "
        "SIGUSR2, stop cleanly on SIGTERM or SIGINT.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--interval", metavar="SECONDS", type=parse_interval, default=1_000_000_000,
        dest="interval_ns", help="tick period, a decimal from 0.000001 to 86400 (default: 1)",
    )
    parser.add_argument(
        "--tick-source", choices=("timerfd", "timeout"), default="timerfd",
        help="timerfd: a periodic timerfd, 2 syscalls per tick (default); timeout: "
        "epoll_pwait's timeout and CLOCK_MONOTONIC, 1 syscall per tick, ms resolution",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not print the ready line on stderr"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true",
        help="add the sender's pid and uid to each line; with --json, also emit ticks",
    )
    parser.add_argument(
        "--json", action="store_true",
        help="one JSON object per event on stdout instead of the text lines (docs/json.md)",
    )
    parser.add_argument(
        "--stats", action="store_true",
        help="at shutdown, print a table of ticks, wake-ups, syscalls and timings on stderr",
    )
    parser.add_argument(
        "--trace", metavar="FILE", type=argparse.FileType("w", encoding="utf-8"),
        help="stream a Chrome/Perfetto trace (JSON) of every wait and dispatch to FILE",
    )
    parser.add_argument(
        "--cpuprofile", metavar="FILE", type=argparse.FileType("wb"),
        help="write a cProfile profile to FILE at shutdown (read it with python -m pstats)",
    )
    parser.add_argument(
        "--explain", action="store_true",
        help="print the commands that trace and profile this process, then run",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _say(message: str) -> None:
    with contextlib.suppress(OSError):  # nowhere left to report to
        os.write(2, f"{PROG}: {message}\n".encode())


def _set_identity() -> None:
    """comm = sig-counter (for perf trace, pgrep, top), and no_new_privs."""
    try:
        import prctl
    except ImportError as exc:
        raise ImportError(
            f"python-prctl is missing ({exc}): install it with `pip install python-prctl` "
            "(it builds against libcap-dev), or run ./dev.sh run"
        ) from exc
    prctl.set_name(PROG)
    prctl.set_no_new_privs(1)


def _ready_line(interval_ns: int) -> str:
    pid = os.getpid()
    return (
        f"pid {pid} ready, ticking every {format_interval(interval_ns)}; "
        f"kill -USR1 {pid} shows the count, -USR2 resets it, -TERM or Ctrl-C stops"
    )


def _instruments(args: argparse.Namespace) -> tuple[Observer | None, Stats | None]:
    """The observer for the loop (None: the bare path) and the stats, if asked for."""
    from sigcounter.observer import Observers

    observers: list[Observer] = []
    stats = None
    if args.stats:
        from sigcounter.stats import Stats

        stats = Stats()
        observers.append(stats)
    if args.trace:
        from sigcounter.tracefile import TraceWriter

        observers.append(TraceWriter(args.trace))
    if not observers:
        return None, None
    return (observers[0] if len(observers) == 1 else Observers(observers)), stats


def _write_profile(profiler: cProfile.Profile, stream: BinaryIO) -> None:
    import marshal

    profiler.create_stats()  # what Profile.dump_stats() writes, to an open file
    marshal.dump(profiler.stats, stream)
    stream.close()


def _serve(args: argparse.Namespace, observer: Observer | None) -> int:
    from sigcounter.explain import explain
    from sigcounter.loop import TickLoop
    from sigcounter.output import is_pipe_or_socket, pick_formatter, write_line

    formatter = pick_formatter(as_json=args.json, verbose=args.verbose)
    profiler = cProfile.Profile() if args.cpuprofile else None
    try:
        watch = 1 if is_pipe_or_socket(1) else None
        with TickLoop(args.interval_ns, tick_source=args.tick_source, watch_output=watch) as loop:
            if not args.quiet:
                _say(_ready_line(args.interval_ns))
            if args.explain:
                write_line(2, explain(os.getpid()))
            if profiler:
                profiler.enable()
            loop.run(
                lambda event: write_line(1, formatter(event)), observer,
                emit_ticks=args.json and args.verbose,
            )
    except BrokenPipeError:
        _say("stdout was closed by its reader; stopping")
        return 1
    except OSError as exc:
        _say(f"error: {exc}")
        return 1
    finally:
        if profiler:
            profiler.disable()
            _write_profile(profiler, args.cpuprofile)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        _set_identity()
        observer, stats = _instruments(args)  # imports the native module
    except ImportError as exc:
        _say(f"error: {exc}")
        return 1
    status = _serve(args, observer)
    if stats:
        with contextlib.suppress(OSError):
            os.write(2, stats.report().encode())
    return status
