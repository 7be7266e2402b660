"""The loop's ordering rule against a small model, over random schedules:
ticks before the signals of the same wake-up, pending signals lowest number
first, and a shutdown signal ends the batch."""

from __future__ import annotations

import os
import signal
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from support import in_child

from sigcounter.events import DISPLAY, RESET, SHUTDOWN, Event, Tick
from sigcounter.loop import TickLoop
from sigcounter.signaltable import handled_signals

MS = 1_000_000
KIND: dict[int, str] = {signal.SIGUSR1: DISPLAY, signal.SIGUSR2: RESET}


def model(sent: list[int]) -> list[tuple[str, int, bool]]:
    """(kind, signo, whether the count still holds the stall's ticks) that the
    loop must emit for the signals ``sent`` while it was stalled."""
    expected: list[tuple[str, int, bool]] = []
    count_kept = True
    for signo in sorted(set(sent)):  # standard signals merge, and come lowest first
        kind = KIND.get(signo, SHUTDOWN)
        if kind == RESET:
            count_kept = False
        expected.append((kind, signo, count_kept))
        if kind == SHUTDOWN:
            break
    return expected


def _run(sent: list[int], stall_ms: int, instrumented: bool) -> list[tuple[str, int, int]]:
    events: list[Event | Tick] = []
    with TickLoop(MS) as loop:
        time.sleep(stall_ms / 1000)
        for signo in sent:
            os.kill(os.getpid(), signo)
        loop.run(events.append, emit_ticks=instrumented)
    return [(e.kind, e.signal.signo, e.count) for e in events if isinstance(e, Event)]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(handled_signals()), min_size=1, max_size=8),
    st.sampled_from([signal.SIGTERM, signal.SIGINT, signal.SIGHUP]),
    st.integers(0, 20),
    st.booleans(),
)
def test_the_loop_follows_the_model(
    sent: list[int], last: int, stall_ms: int, instrumented: bool,
) -> None:
    """Random pending signals (always one that ends the run) after a random stall."""
    sent = [*sent, last]
    got = in_child(lambda: _run(sent, stall_ms, instrumented))
    expected = model(sent)
    assert [(kind, signo) for kind, signo, _ in got] == [(k, s) for k, s, _ in expected]
    for (_, _, count), (_, _, count_kept) in zip(got, expected, strict=True):
        # Ticks of the stall are counted before any signal; after a reset, 0.
        assert count >= stall_ms - 1 if count_kept else count == 0
