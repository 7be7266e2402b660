"""One run of the program: readiness (ready line, pidfile, sd_notify), the
loop, and the exit status it earns. ``cli`` parses and sets up; this runs."""

from __future__ import annotations

import gc
import os

from sigcounter.kernel.lean import TYPE_CHECKING
from sigcounter.options import PROG
from sigcounter.seconds import format_interval
from sigcounter.signaltable import kill_commands, ready_hint
from sigcounter.stdfds import say

if TYPE_CHECKING:
    from sigcounter.attach import Instruments
    from sigcounter.loop import Emit, TickLoop
    from sigcounter.notify import Notifier
    from sigcounter.options import Options
    from sigcounter.pidfile import PidFile


def _ready_line(interval_ns: int) -> str:
    """The ready line, with what the signals do from the signal table."""
    pid = os.getpid()
    return (f"{PROG}: pid {pid} ready, ticking every {format_interval(interval_ns)}; "
            f"{ready_hint(pid)}")


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

    notifier = Notifier(address, say)
    notifier.ready(format_interval(interval_ns))
    notifier.start_watchdog(loop, os.environ)
    return notifier


def _with_notify(emit: Emit, notifier: Notifier | None, interval_ns: int) -> Emit:
    """``emit``, plus STATUS= after each handled signal and STOPPING=1 before
    the last line, when there is a service manager to tell."""
    if notifier is None:
        return emit
    from sigcounter.notify import notifying

    return notifying(emit, notifier.send, format_interval(interval_ns))


def _release(pidfile: PidFile | None, notifier: Notifier | None) -> None:
    if pidfile is not None:
        pidfile.remove()
    if notifier is not None:
        notifier.close()


def serve(options: Options, instruments: Instruments) -> int:
    from sigcounter.loop import TickLoop
    from sigcounter.output import format_dropped_json, pick_formatter
    from sigcounter.runstate import RunState
    from sigcounter.writer import OutputError, StdoutWriter

    formatter = pick_formatter(as_json=options.json, verbose=options.verbose)
    stats = instruments.stats
    writer = StdoutWriter(1, warn=say, dropped_event=format_dropped_json if options.json else None,
                          count_calls=stats is not None)
    if stats is not None:
        stats.add_call_source(writer.calls)
        stats.set_dropped_source(lambda: writer.dropped_total)
    pidfile: PidFile | None = None
    notifier: Notifier | None = None
    try:
        state = RunState(stats=stats)
        with TickLoop(options.interval_ns, tick_source=options.tick_source, state=state) as loop:
            writer.attach(loop)
            pidfile = _claim_pidfile(options.pidfile)
            if not options.quiet:
                say(_ready_line(options.interval_ns))
            notifier = _notify_ready(loop, options.interval_ns)
            if stats is not None and notifier is not None:
                stats.add_call_source(notifier.calls)
            if options.explain:
                from sigcounter.instruments.explain import explain

                say(explain(os.getpid(), kill_commands(os.getpid())).rstrip("\n"))
            # Everything allocated so far lives as long as the process: keep the
            # garbage collector from walking it again on every full collection.
            gc.freeze()
            instruments.start()
            # The plain lines (no --json, no -v, no notifier to tell) are written
            # by the loop itself, with no Event built for them.
            plain = not (options.json or options.verbose) and notifier is None
            loop.run(
                _with_notify(writer.emitter(formatter), notifier,
                           options.interval_ns),
                instruments.observer, emit_ticks=options.json and options.verbose,
                write_line=writer.line_writer() if plain else None,
            )
            undelivered = writer.drain(options.drain_timeout_ns)
    except BrokenPipeError:
        say(f"{PROG}: stdout was closed by its reader; stopping")
        return 1
    except OutputError as exc:
        say(f"{PROG}: {exc}")
        return 1
    except OSError as exc:  # the kernel refused: the errno's own words
        say(f"{PROG}: error: {exc.strerror or exc}")
        return 1
    finally:
        _release(pidfile, notifier)
        writer.close()
    if undelivered:
        say(f"{PROG}: {undelivered} lines were not delivered to stdout")
        return 1
    return 0
