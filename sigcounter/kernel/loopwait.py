"""LoopWait: the event loop's one wait, the binding to the native ``loop_wait``.

README.md, "How it works", tells the design (one wait in C, the tick
schedule's one owner, the two tick sources); this is its Python side: the C
struct set up, ``wait()`` turning one return into (ticks, SigInfo records,
ready watched fds), and ``last_wake()`` for the instruments.

The ``timeout`` tick source's wait is the time left to the next tick,
rounded up to whole milliseconds and never under one: ticks are seen up to
1 ms late, never early, and at sub-ms periods one wake-up a millisecond
counts them all.

A Python-level signal handler runs when the wait comes back to Python: on
an EINTR (retried right after), or at its next return. A signal that lands
while the C code runs between two ``epoll_pwait`` calls interrupts nothing,
so its handler waits for that return; ``select`` has the same race, and the
same cure: ``signal.set_wakeup_fd()`` with that fd given to ``watch()``.
"""

from __future__ import annotations

import time

from sigcounter.kernel.constants import TICK_SOURCES, TIMERFD
from sigcounter.kernel.epoll import Epoll
from sigcounter.kernel.fd import as_fd, retry_on_eintr
from sigcounter.kernel.lean import TYPE_CHECKING, build_record
from sigcounter.kernel.native import ffi, lib, stale_module
from sigcounter.kernel.record import Record
from sigcounter.kernel.siginfo import RECORD_WORDS, SigInfo, records_of
from sigcounter.kernel.timerfd import TimerFD

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Self

    from sigcounter.kernel._native import LoopWaitStruct
    from sigcounter.kernel.fd import HasFileno
    from sigcounter.kernel.signalfd import SignalFD

_NONE = ()  # "nothing of that kind this time", without building an empty list
_loop_wait = lib.loop_wait  # bound once: an attribute of lib is a dict lookup per call


def _signal_path_words() -> tuple[int, int]:
    """Where ``nsignals`` and the first record sit, in 64-bit words from
    ``ticks``, in the built module's struct loop_wait. ImportError if those
    are not 64-bit words, or a ready fd's tag is not Epoll's 64 bits."""
    fields = dict(ffi.typeof("struct loop_wait").fields)
    start = fields["ticks"].offset
    offsets = [fields[name].offset - start for name in ("nsignals", "signals")]
    sizes = {ffi.sizeof(fields[name].type) for name in ("ticks", "nsignals")}
    tag = dict(ffi.typeof("struct ready_watch").fields)["tag"].type
    if any(offset % 8 for offset in offsets) or sizes != {8} or ffi.sizeof(tag) != 8:
        raise stale_module("its struct loop_wait is not the one LoopWait reads")
    return offsets[0] // 8, offsets[1] // 8


# The signal path's words of struct loop_wait, read through one memoryview:
# the ticks not yet taken, the number of records, then the records.
TICKS = 0
NSIGNALS, RECORDS = _signal_path_words()


class Wake(Record):
    """What one return of the wait saw, for instruments (``every_wake``)."""

    __slots__ = ()
    _fields = (
        "begin_ns", "end_ns", "ticks", "lateness_ns", "counted_ns", "watched_ready", "epoll_waits",
        "reads", "interrupted",
    )
    begin_ns: int  # CLOCK_MONOTONIC when the epoll_pwait began (taken in C)
    end_ns: int  # CLOCK_MONOTONIC when it returned
    ticks: int  # ticks counted in this wake-up
    lateness_ns: int  # counted_ns minus the due time of the last tick counted
    counted_ns: int  # when ticks were last counted (an earlier wake-up's if ticks == 0)
    watched_ready: int  # watched fds ready (besides the timer and the signalfd)
    epoll_waits: int  # epoll_pwait calls since the last Wake (EINTR'd ones too)
    reads: int  # read calls (timerfd and signalfd) since the last Wake
    interrupted: int  # how many of those epoll_pwaits ended in EINTR


class LoopWait:
    """The epoll set of one loop (tick source, signalfd, watched fds) and its wait."""

    def __init__(
        self, signals: SignalFD, interval_ns: int, *, tick_source: str = TIMERFD,
        every_wake: bool = False,
    ) -> None:
        if not isinstance(interval_ns, int) or interval_ns <= 0:
            raise ValueError(f"interval must be a positive int of ns, got {interval_ns!r}")
        if tick_source not in TICK_SOURCES:
            raise ValueError(f"tick_source must be one of {TICK_SOURCES}, not {tick_source!r}")
        self.tick_source = tick_source
        self.interrupted = 0  # EINTRs retried, over the life of the wait
        self._reported = (0, 0, 0)  # epoll_waits, reads, interrupted at the last Wake
        self._next_tag = lib.TAG_FIRST_WATCH
        self._epoll = epoll = Epoll()
        self._timer = TimerFD(nonblocking=True) if tick_source == TIMERFD else None
        # All the wait's state in one C struct: one argument to convert per call.
        self._state: LoopWaitStruct = ffi.new("struct loop_wait *")
        state = self._state
        # The signal path reads its words through a memoryview made once: an
        # index costs about half a cdata field read, and a record's tolist()
        # under half an ffi.unpack() (docs/performance.md, "Where the time goes").
        words = RECORDS + RECORD_WORDS * lib.LOOP_WAIT_MAX_SIGNALS
        self._out = memoryview(ffi.buffer(ffi.addressof(state, "ticks"), 8 * words)).cast("q")
        state.epfd, state.signalfd = epoll.fileno(), signals.fileno()
        state.timerfd = -1 if self._timer is None else self._timer.fileno()
        state.interval_ns, state.every_wake = interval_ns, every_wake
        if self._timer is not None:
            epoll.register(self._timer, data=lib.TAG_TIMER)
        epoll.register(signals, data=lib.TAG_SIGNALS)

    @property
    def start_ns(self) -> int:
        """CLOCK_MONOTONIC when the schedule started (0 before ``arm()``)."""
        return int(self._state.start_ns)

    @property
    def interval_ns(self) -> int:
        return int(self._state.interval_ns)

    @property
    def every_wake(self) -> bool:
        """Return after every wake-up (for instruments), not only when a
        signal or a watched fd needs the caller."""
        return bool(self._state.every_wake)

    @every_wake.setter
    def every_wake(self, value: bool) -> None:
        self._state.every_wake = bool(value)

    @property
    def ticks_total(self) -> int:
        """Ticks counted since ``start_ns``, taken or not."""
        return int(self._state.ticks_total)

    def watch(self, target: int | HasFileno, events: int) -> int:
        """Watch another fd for ``events``; the wait reports it by the tag returned."""
        tag, self._next_tag = self._next_tag, self._next_tag + 1
        self._epoll.register(as_fd(target), events, data=tag)
        return tag

    def rewatch(self, target: int | HasFileno, tag: int, events: int) -> None:
        """Change the events watched for on a fd from ``watch``."""
        self._epoll.modify(as_fd(target), events, data=tag)

    def arm(self) -> int:
        """Start the schedule now; return its ``start_ns``."""
        state = self._state
        state.start_ns = start_ns = time.monotonic_ns()
        state.ticks_total = state.ticks = 0
        if self._timer is not None:
            # Relative: the kernel starts the period from its own clock's now.
            # An absolute time would be this process's clock read, which need
            # not be the kernel's: under a clock faker (LD_PRELOAD libfaketime)
            # it lands years ahead and no tick ever comes. start_ns is read
            # first, so the kernel's schedule runs at most the length of this
            # call behind the struct's: a lateness is never understated.
            self._timer.settime(state.interval_ns, state.interval_ns)
        return start_ns

    def wait(self) -> tuple[int, Sequence[SigInfo], Sequence[tuple[int, int]]]:
        """Block until Python has something to do: (ticks counted meanwhile,
        signals read in the kernel's order, ready watched fds as (tag, events))."""
        ticks, count, watched = self.wait_in_place()
        signals: Sequence[SigInfo] = _NONE
        if count:  # the records' words, taken in a single call
            signals = records_of(self._out[RECORDS:RECORDS + RECORD_WORDS * count].tolist())
        return ticks, signals, watched

    def wait_in_place(self) -> tuple[int, int, Sequence[tuple[int, int]]]:
        """``wait()`` with the signals left where the native wait put them:
        (ticks, how many signals, ready watched fds). Until the next wait,
        the i-th signal's number is ``words[RECORDS + i * RECORD_WORDS]`` and
        ``record_at(RECORDS + i * RECORD_WORDS)`` is its SigInfo: the loop
        reads the number of every signal and builds the record only for a
        signal whose answer reads more of it (docs/performance.md)."""
        state, out = self._state, self._out
        while (ready := _loop_wait(state)) < 0:
            retry_on_eintr(ffi.errno)
            self.interrupted += 1
        ticks = out[TICKS]
        if ticks:
            out[TICKS] = 0
        watched: Sequence[tuple[int, int]] = _NONE
        if ready:
            watched = [(item.tag, item.events) for item in state.ready[0:ready]]
        return ticks, out[NSIGNALS], watched

    @property
    def words(self) -> memoryview:
        """The signal path's words of the struct (int64_t each), read in place."""
        return self._out

    def record_at(self, start: int) -> SigInfo:
        """The SigInfo whose record begins at word ``start`` of ``words``."""
        return build_record(SigInfo, self._out[start:start + RECORD_WORDS].tolist())

    def last_wake(self, ticks: int) -> Wake:
        """The last wake-up, for instruments; ``ticks`` is what ``wait()`` returned."""
        state = self._state
        totals = (int(state.epoll_waits), int(state.reads), self.interrupted)
        before, self._reported = self._reported, totals
        return Wake(int(state.wait_begin_ns), int(state.wait_end_ns), ticks,
                    int(state.lateness_ns), int(state.counted_ns), int(state.nready),
                    totals[0] - before[0], totals[1] - before[1], totals[2] - before[2])

    def unwatch(self, target: int | HasFileno) -> None:
        """Stop watching a fd from ``watch``."""
        self._epoll.unregister(as_fd(target))

    def close(self) -> None:
        """Close the epoll instance and the timer (not the signalfd: the caller's)."""
        for fd_object in (self._epoll, self._timer):
            if fd_object is not None:
                fd_object.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
