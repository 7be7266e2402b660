"""TickLoop: wait, count the ticks, handle the signals in order, repeat.

README.md, "How it works", tells the design. The rules this body keeps:
ticks first, so a signal handled in a wake-up sees every tick due before
it; then the signals in the order the signalfd returned them (for standard
signals pending together, lowest number first, whatever order they were
sent in); each does its row's action in the signal table (``signaltable``):
its effect on the run's state, then its event, and an action that ends the
run ends the loop right after its event. Instruments hang off
this one body: with one attached, the same wait returns after every wake-up.
"""

from __future__ import annotations

import time

from sigcounter.actions import TICK
from sigcounter.events import Event, Tick
from sigcounter.kernel.constants import TIMERFD
from sigcounter.kernel.lean import TYPE_CHECKING, build_record
from sigcounter.kernel.loopwait import RECORDS, LoopWait
from sigcounter.kernel.probes import emit_semaphore, fire_emit
from sigcounter.kernel.siginfo import RECORD_WORDS
from sigcounter.kernel.signalfd import SignalFD
from sigcounter.kernel.signals import signal_name
from sigcounter.output import line_templates
from sigcounter.runstate import RunState
from sigcounter.signaltable import BY_SIGNO, handled_signals

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType
    from typing import Self

    from sigcounter.actions import Action
    from sigcounter.instruments.observer import Observer
    from sigcounter.kernel.fd import HasFileno

    Emit = Callable[[Event | Tick], None]
    Handler = Callable[[int], None]
    WriteLine = Callable[[bytes], None]
    Answer = tuple[Action, bytes | None, bool]

# The signal path builds each Event with tuple.__new__, which checks nothing
# (Record's checked constructor costs Python frames on every signal): from
# these values, in this order. Held to Event's fields here, at import, so that
# a field added to one and not the other fails at once, not mid-run.
EVENT_LAYOUT = ("action", "count", "reset_ns", "signal")
if Event._fields != EVENT_LAYOUT:
    raise TypeError(f"TickLoop.run builds Events as {EVENT_LAYOUT}, not {Event._fields}")


def _answers(*, plain: bool) -> dict[int, Answer]:
    """Each handled signal's action, and its line's bytes template when the
    loop writes that line itself (``plain``, and not the run's last line,
    whose Event ``run`` returns): ``(action, template or None, shows_count)``.

    Building no Event and calling no formatter is most of what sig-counter's
    own path costs over bare Python on the same wait (docs/performance.md,
    "Where the time goes"); observers and the probe get the count, not the
    Event."""
    templates = line_templates() if plain else {}
    answers: dict[int, Answer] = {}
    for signo, row in BY_SIGNO.items():
        template, shows_count = templates.get(signo, (None, False))
        answers[signo] = (row.action, None if row.action.ends_run else template, shows_count)
    return answers


def _no_line(data: bytes) -> None:
    raise AssertionError("a line template without write_line")


class UnhandledSignal(RuntimeError):
    """The signalfd returned a signal the signal table has no row for."""


class TickLoop:
    """A periodic tick and the handled signals, multiplexed by one epoll.

    Other fds join the same epoll set with ``watch``: the program's stdout
    writer does, to learn at once that its reader went away and when a
    stalled stdout takes lines again.
    """

    def __init__(
        self, interval_ns: int, *, tick_source: str = TIMERFD, state: RunState | None = None,
    ) -> None:
        self.interval_ns = interval_ns
        self.tick_source = tick_source
        self.state = RunState() if state is None else state
        self._signals: SignalFD | None = None
        self._wait: LoopWait | None = None
        self._handlers: dict[int, Handler] = {}

    def open(self) -> Self:
        """Block the signals, create and register the fds, start the ticks.

        The mask comes first, so from here on a handled signal is queued for
        the signalfd instead of running its default action (terminate). The
        signals are the signal table's (``handled_signals()``), blocked in the
        calling thread. LoopWait checks the interval and the tick source.
        """
        self._signals = SignalFD(handled_signals(), nonblocking=True)
        try:
            self._wait = LoopWait(self._signals, self.interval_ns, tick_source=self.tick_source)
        except BaseException:
            self.close()
            raise
        self.state.reset_ns = self._wait.arm()  # the count runs from the start of the ticks
        return self

    def _opened(self, what: str) -> LoopWait:
        if self._wait is None:
            raise RuntimeError(f"TickLoop.{what} needs open() first")
        return self._wait

    def watch(self, target: int | HasFileno, events: int, handler: Handler) -> int:
        """Watch another fd in the same epoll set (after ``open()``): when it is
        ready, ``handler(events)`` runs in the loop, after the wake-up's ticks
        and before its signals; what it raises ends the loop once the signals
        already read in that wake-up are handled (the kernel has none left to
        give again). Returns the watch's tag, for ``rewatch`` and ``unwatch``."""
        tag = self._opened("watch()").watch(target, events)
        self._handlers[tag] = handler
        return tag

    def rewatch(self, target: int | HasFileno, tag: int, events: int) -> None:
        """Change the events watched for on a fd from ``watch``."""
        self._opened("rewatch()").rewatch(target, tag, events)

    def unwatch(self, target: int | HasFileno, tag: int) -> None:
        """Stop watching a fd from ``watch``."""
        self._opened("unwatch()").unwatch(target)
        self._handlers.pop(tag, None)

    def close(self) -> None:
        """Close the fds. The signals stay blocked: unblocking would deliver
        any still pending with their default action."""
        for fd_object in (self._wait, self._signals):
            if fd_object is not None:
                fd_object.close()
        self._wait = self._signals = None
        self._handlers.clear()

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def run(
        self, emit: Emit, observer: Observer | None = None, *, emit_ticks: bool = False,
        write_line: WriteLine | None = None,
    ) -> Event:
        """Loop until a signal whose action ends the run (a shutdown); return its event.

        ``emit`` gets each handled signal's event (and, with ``emit_ticks``,
        each wake-up's ticks); ``observer`` is told about every wake-up.
        With ``write_line``, a signal whose line needs no Event (its row's
        line shows the count or nothing: ``output.line_templates``) and that
        does not end the run is answered by ``write_line(line)`` instead,
        the original's exact bytes, and no Event is built for it.
        """
        loop_wait = self._opened("run()")
        every_wake = loop_wait.every_wake = observer is not None or emit_ticks
        wait, words, record_at = loop_wait.wait_in_place, loop_wait.words, loop_wait.record_at
        state, clock, handlers = self.state, time.monotonic_ns, self._handlers
        answers = _answers(plain=write_line is not None)
        write = _no_line if write_line is None else write_line
        if observer is not None:
            observer.started(loop_wait.start_ns, loop_wait.interval_ns, loop_wait.tick_source,
                             state.count)
        try:
            while True:
                ticks, nsignals, watched = wait()
                if ticks:
                    state.tick(ticks)
                if every_wake:
                    self._observe_wake(loop_wait, ticks, emit if emit_ticks else None, observer)
                failed = None
                for tag, events in watched:
                    try:
                        handlers[tag](events)
                    except BaseException as exc:
                        failed = exc  # raised below, once the signals read are handled
                        break
                for start in range(RECORDS, RECORDS + RECORD_WORDS * nsignals, RECORD_WORDS):
                    # The signal path, written out here rather than in a call:
                    # every step between the wake-up and the write shows in
                    # the latency. The signal's record is built only when its
                    # answer reads more than the number: an effect, an Event,
                    # an observer.
                    try:  # free unless it raises; .get() and a test of None are not
                        action, template, shows_count = answers[words[start]]
                    except KeyError:
                        raise UnhandledSignal(f"{signal_name(words[start])} has no row in the "
                                              "signal table") from None
                    effect = action.effect
                    if template is None or effect is not None or observer is not None:
                        info = record_at(start)
                        if effect is not None:
                            effect(state, info)
                    count = state.count
                    if template is None:  # the run's last line, --json, -v or a notifier
                        event = build_record(Event, (action, count, state.reset_ns, info))
                        emit(event)
                    else:
                        write(template % count if shows_count else template)
                    if emit_semaphore[0]:  # a tracer on sigcounter:emit (a nop otherwise)
                        fire_emit(action.probe_code, count)
                    if observer is not None:
                        observer.dispatched(info, action.name, count, clock())
                    if action.ends_run:  # never templated: its Event was built above
                        if failed is not None:
                            raise failed
                        return event
                if failed is not None:
                    raise failed
                if observer is not None:
                    observer.wake_done()
        finally:
            if observer is not None:
                observer.stopped(clock())

    def _observe_wake(
        self, loop_wait: LoopWait, ticks: int, emit: Emit | None, observer: Observer | None,
    ) -> None:
        wake = loop_wait.last_wake(ticks)
        count = self.state.count
        if emit is not None and ticks:
            emit(Tick(TICK, count, ticks, wake.lateness_ns, wake.counted_ns))
            if emit_semaphore[0]:
                fire_emit(TICK.probe_code, count)
        if observer is not None:
            observer.woke(wake, count)
