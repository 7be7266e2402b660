"""The loop's ordering rule against a small model built from the signal table,
over random schedules: ticks before the signals of the same wake-up, pending
signals lowest number first, each doing its row's action, and a signal whose
action ends the run ending the batch."""

from __future__ import annotations

import os
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from support import in_child, siginfo

from sigcounter.events import Event, Tick
from sigcounter.loop import TickLoop
from sigcounter.runstate import RunState
from sigcounter.signaltable import BY_SIGNO, ROWS, handled_signals

MS = 1_000_000
STALL = 10**9  # the model's stand-in for the ticks counted during the stall
ENDING = [row.signo for row in ROWS if row.action.ends_run]


def model(sent: list[int]) -> list[tuple[str, int, int]]:
    """(action, signo, count) that the loop must emit for the signals ``sent``
    while it was stalled; a count of STALL or more stands for the stall's
    ticks plus that much. Each action's effect is the table's own."""
    expected: list[tuple[str, int, int]] = []
    state = RunState(STALL)
    for signo in sorted(set(sent)):  # standard signals merge, and come lowest first
        action = BY_SIGNO[signo].action
        if action.effect is not None:
            action.effect(state, siginfo(signo))
        expected.append((action.name, signo, state.count))
        if action.ends_run:
            break
    return expected


def _run(sent: list[int], stall_ms: int, instrumented: bool) -> list[tuple[str, int, int]]:
    events: list[Event | Tick] = []
    with TickLoop(MS) as loop:
        time.sleep(stall_ms / 1000)
        for signo in sent:
            os.kill(os.getpid(), signo)
        loop.run(events.append, emit_ticks=instrumented)
    return [(e.action.name, e.signal.signo, e.count) for e in events if isinstance(e, Event)]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(handled_signals()), min_size=1, max_size=8),
    st.sampled_from(ENDING),
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
    assert [(name, signo) for name, signo, _ in got] == [(n, s) for n, s, _ in expected]
    for (_, _, count), (_, _, modelled) in zip(got, expected, strict=True):
        # The stall's ticks are counted before any signal; what an action
        # sets the count to shows as it is.
        if modelled >= STALL:
            assert count >= stall_ms - 1 + modelled - STALL
        else:
            assert count == modelled
