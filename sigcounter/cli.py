"""``sig-counter``: command line in, exit status out. All printing is here.

Start-up imports only what the plain run needs (the instruments, json and
cProfile load when their options ask for them), and a missing native module
or python-prctl becomes a one-line error, not a traceback.
"""

from __future__ import annotations

import gc
import os
import sys

from sigcounter import __version__
from sigcounter.kernel.lean import TYPE_CHECKING, prctl_module
from sigcounter.options import HELP, PROG, Options, UsageError, format_interval, parse_args

if TYPE_CHECKING:
    from collections.abc import Sequence
    from cProfile import Profile
    from typing import IO, Any

    from sigcounter.instruments.observer import Observer
    from sigcounter.instruments.stats import Stats


def _say(message: str, fd: int = 2) -> None:
    try:  # noqa: SIM105 - contextlib would cost an import at start-up
        os.write(fd, f"{message}\n".encode())
    except OSError:
        pass  # nowhere left to report to


def _set_identity() -> None:
    """comm = sig-counter (for perf trace, pgrep, top), and no_new_privs."""
    try:
        prctl: Any = prctl_module()
    except ImportError as exc:
        raise ImportError(
            f"python-prctl is missing ({exc}): install it with `pip install python-prctl` "
            "(it builds against libcap-dev), or run ./dev.sh run"
        ) from exc
    prctl.prctl(prctl.PR_SET_NAME, PROG)
    prctl.prctl(prctl.PR_SET_NO_NEW_PRIVS, 1)


def _ready_line(interval_ns: int) -> str:
    pid = os.getpid()
    return (
        f"{PROG}: pid {pid} ready, ticking every {format_interval(interval_ns)}; "
        f"kill -USR1 {pid} shows the count, -USR2 resets it, -TERM or Ctrl-C stops"
    )


def _open_outputs(options: Options) -> tuple[IO[str] | None, IO[bytes] | None]:
    """Open --trace and --cpuprofile now, so a bad path fails before the run."""
    trace = profile = None
    try:
        if options.trace:
            trace = open(options.trace, "w", encoding="utf-8")  # noqa: SIM115 - lives for the run
        if options.cpuprofile:
            profile = open(options.cpuprofile, "wb")  # noqa: SIM115 - written at shutdown
    except OSError as exc:
        raise UsageError(f"cannot open {exc.filename!r}: {exc.strerror}") from None
    return trace, profile


def _instruments(options: Options, trace: IO[str] | None) -> tuple[Observer | None, Stats | None]:
    """The observer for the loop (None: no instrument calls at all) and the stats."""
    observers: list[Observer] = []
    stats = None
    if options.stats:
        from sigcounter.instruments.stats import Stats

        stats = Stats()
        observers.append(stats)
    if trace is not None:
        from sigcounter.instruments.tracefile import TraceWriter

        observers.append(TraceWriter(trace))
    if len(observers) <= 1:
        return (observers[0] if observers else None), stats
    from sigcounter.instruments.observer import Observers

    return Observers(observers), stats


def _write_profile(profiler: Profile, stream: IO[bytes]) -> None:
    import marshal

    profiler.create_stats()  # what Profile.dump_stats() writes, to an open file
    marshal.dump(profiler.stats, stream)
    stream.close()


def _serve(options: Options, observer: Observer | None, profile: IO[bytes] | None) -> int:
    from sigcounter.loop import TickLoop
    from sigcounter.output import is_pipe_or_socket, line_writer, pick_formatter, write_line

    formatter = pick_formatter(as_json=options.json, verbose=options.verbose)
    profiler = None
    try:
        with TickLoop(
            options.interval_ns, tick_source=options.tick_source,
            watch_output=1 if is_pipe_or_socket(1) else None,
        ) as loop:
            if not options.quiet:
                _say(_ready_line(options.interval_ns))
            if options.explain:
                from sigcounter.instruments.explain import explain

                write_line(2, explain(os.getpid()))
            # Everything allocated so far lives as long as the process: keep the
            # garbage collector from walking it again on every full collection.
            gc.freeze()
            if profile is not None:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            loop.run(
                line_writer(1, formatter), observer,
                emit_ticks=options.json and options.verbose,
            )
    except BrokenPipeError:
        _say(f"{PROG}: stdout was closed by its reader; stopping")
        return 1
    except OSError as exc:
        _say(f"{PROG}: error: {exc}")
        return 1
    finally:
        if profiler is not None and profile is not None:
            profiler.disable()
            _write_profile(profiler, profile)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return its exit status."""
    try:
        options = parse_args(list(sys.argv[1:] if argv is None else argv))
        if options.help or options.version:
            _say(HELP.rstrip("\n") if options.help else f"{PROG} {__version__}", fd=1)
            return 0
        trace, profile = _open_outputs(options)
    except UsageError as exc:
        _say(f"{PROG}: error: {exc} (see --help)")
        return 2
    try:
        # The native module first: on another system, "needs Linux" is the
        # one thing worth saying.
        from sigcounter.kernel import native  # noqa: F401
        _set_identity()
        observer, stats = _instruments(options, trace)
    except ImportError as exc:
        _say(f"{PROG}: error: {exc}")
        return 1
    try:
        status = _serve(options, observer, profile)
    except KeyboardInterrupt:  # Ctrl-C before the signals were blocked
        return 130
    if trace is not None:
        trace.close()
    if stats is not None:
        _say(stats.report().rstrip("\n"))
    return status

