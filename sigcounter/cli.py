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
from sigcounter.stdfds import ClosedStdout, secure_standard_fds

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from cProfile import Profile
    from typing import IO, Any

    from sigcounter.instruments.observer import Observer
    from sigcounter.instruments.stats import Stats
    from sigcounter.loop import Emit, TickLoop
    from sigcounter.notify import Notifier
    from sigcounter.pidfile import PidFile
    from sigcounter.writer import LineWriter


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


def _version() -> str:
    """The version, and whether this build carries the USDT probes."""
    try:
        from sigcounter.kernel.probes import build_note
    except ImportError:
        return f"{PROG} {__version__} (native module not built)"
    return f"{PROG} {__version__} ({build_note()})"


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


def _claim_pidfile(path: str | None) -> PidFile | None:
    """--pidfile, taken before the ready line: a second instance stops here
    with PidFileError (an OSError), leaving the file alone."""
    if path is None:
        return None
    from sigcounter.pidfile import PidFile

    return PidFile.claim(path)


def _notify_ready(loop: TickLoop, interval_ns: int) -> Notifier | None:
    """READY=1 and the watchdog pings, when a service manager asked for them
    through NOTIFY_SOCKET; without it, nothing at all (not one syscall)."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return None
    from sigcounter.notify import Notifier

    notifier = Notifier(address, _say)
    notifier.ready(format_interval(interval_ns))
    notifier.start_watchdog(loop, os.environ)
    return notifier


def _reporting(emit: Emit, notifier: Notifier | None, interval_ns: int) -> Emit:
    """``emit``, plus STATUS= after each handled signal and STOPPING=1 before
    the last line, when there is a service manager to tell."""
    if notifier is None:
        return emit
    from sigcounter.notify import reporting

    return reporting(emit, notifier.send, format_interval(interval_ns))


def _release(pidfile: PidFile | None, notifier: Notifier | None) -> None:
    if pidfile is not None:
        pidfile.remove()
    if notifier is not None:
        notifier.close()


def _dropped_reporter(writer: LineWriter, *, as_json: bool) -> Callable[[int], None]:
    """Once stdout takes lines again: say how many were dropped (stderr, and a
    JSON event with --json), so that no line is lost silently."""
    def report(dropped: int) -> None:
        _say(f"{PROG}: stdout was stalled; {dropped} lines were dropped")
        if as_json:
            from sigcounter.output import format_dropped_json

            writer.write(format_dropped_json(dropped).encode())

    return report


def _serve(
    options: Options, observer: Observer | None, stats: Stats | None,
    profile: IO[bytes] | None,
) -> int:
    from sigcounter.loop import TickLoop
    from sigcounter.output import pick_formatter, write_line
    from sigcounter.writer import LineWriter, OutputError

    formatter = pick_formatter(as_json=options.json, verbose=options.verbose)
    writer = LineWriter(1)
    writer.on_resumed = _dropped_reporter(writer, as_json=options.json)
    profiler = None
    pidfile: PidFile | None = None
    notifier: Notifier | None = None
    try:
        with TickLoop(options.interval_ns, tick_source=options.tick_source) as loop:
            writer.attach(loop)
            pidfile = _claim_pidfile(options.pidfile)
            if not options.quiet:
                _say(_ready_line(options.interval_ns))
            notifier = _notify_ready(loop, options.interval_ns)
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
                _reporting(writer.emitter(formatter), notifier,
                           options.interval_ns),
                observer, emit_ticks=options.json and options.verbose,
            )
            undelivered = writer.drain(options.drain_timeout_ns)
    except BrokenPipeError:
        _say(f"{PROG}: stdout was closed by its reader; stopping")
        return 1
    except OutputError as exc:
        _say(f"{PROG}: {exc}")
        return 1
    except OSError as exc:  # the kernel refused: the errno's own words
        _say(f"{PROG}: error: {exc.strerror or exc}")
        return 1
    finally:
        if stats is not None:
            stats.dropped_lines = writer.dropped_total
        _release(pidfile, notifier)
        writer.close()
        if profiler is not None and profile is not None:
            profiler.disable()
            _write_profile(profiler, profile)
    if undelivered:
        _say(f"{PROG}: {undelivered} lines were not delivered to stdout")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the program; return its exit status."""
    try:
        # Before anything is opened, so that nothing of ours lands on fd 0-2.
        secure_standard_fds()
    except ClosedStdout as exc:
        _say(f"{PROG}: error: {exc}")
        return 1
    try:
        options = parse_args(list(sys.argv[1:] if argv is None else argv))
        if options.help or options.version:
            _say(HELP.rstrip("\n") if options.help else _version(), fd=1)
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
        status = _serve(options, observer, stats, profile)
    except KeyboardInterrupt:  # Ctrl-C before the signals were blocked
        return 130
    if trace is not None:
        trace.close()
    if stats is not None:
        _say(stats.report().rstrip("\n"))
    return status

