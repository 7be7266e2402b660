"""The signal table, pure part: every row's action is one the loop carries out
and has a line, the probe codes cover every kind, and no signal has two rows."""

from __future__ import annotations

import signal

from sigcounter import loop, signaltable
from sigcounter.signaltable import ACTIONS, BY_SIGNO, PROBE_CODES, ROWS, TICK, help_text


def test_every_action_is_carried_out_by_the_loop_and_described() -> None:
    """The loop knows exactly the table's actions, each row uses one of them,
    and --help can say what each does."""
    assert set(loop.ACTIONS) == set(ACTIONS) == set(signaltable.HELP_EFFECTS)
    assert {row.action for row in ROWS} <= set(ACTIONS)


def test_one_row_per_signal_with_the_originals_words() -> None:
    """No signal twice; the rows are the documented five, with their lines."""
    assert len(BY_SIGNO) == len(ROWS)
    lines = {row.signo: row.line for row in ROWS}
    assert lines == {
        signal.SIGUSR1: "Ticker count: {count}",
        signal.SIGUSR2: "Resetting ticker count to zero",
        signal.SIGTERM: "received terminated \N{EM DASH} shutting down",
        signal.SIGINT: "received interrupt \N{EM DASH} shutting down",
        signal.SIGHUP: "received hangup \N{EM DASH} shutting down",
    }
    assert [row.name for row in ROWS if row.keeps_ignore] == ["SIGHUP"]
    assert [row.name for row in ROWS if row.hangup] == ["SIGHUP"]


def test_probe_codes_and_help_come_from_the_table() -> None:
    """Every event kind has a probe code; --help has one line per row."""
    assert set(PROBE_CODES) == {*ACTIONS, TICK}
    assert len(set(PROBE_CODES.values())) == len(PROBE_CODES)
    text = help_text()
    listed = [line.split()[0] for line in text.splitlines()[1:] if line.startswith("  SIG")]
    assert listed == [row.name for row in ROWS]
