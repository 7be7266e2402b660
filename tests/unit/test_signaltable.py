"""The signal table and its actions, pure part: a row or an action that cannot
work is refused when it is made, no signal has two rows, the original's lines
are kept, and the words of --help, the ready line and --explain follow the rows,
whatever they are."""

from __future__ import annotations

import signal

import pytest

from sigcounter import signaltable
from sigcounter.actions import COUNT, DISPLAY, SHUTDOWN, TICK, Action
from sigcounter.signaltable import ACTIONS, BY_SIGNO, ROWS, Row

# The Go original's lines, byte for byte: these four rows keep them.
ORIGINALS = {
    signal.SIGUSR1: "Ticker count: {count}",
    signal.SIGUSR2: "Resetting ticker count to zero",
    signal.SIGTERM: "received terminated \N{EM DASH} shutting down",
    signal.SIGINT: "received interrupt \N{EM DASH} shutting down",
}


def test_a_line_shows_only_what_its_action_gives() -> None:
    """A row whose line names a field its action has no value for fails when the
    table is built, not when the signal comes; so does an action with a field no
    line can show."""
    with pytest.raises(ValueError, match="count"):
        Row("SIGQUIT", SHUTDOWN, "stopping at {count}")
    with pytest.raises(ValueError, match="pid"):
        Action("show_pid", probe_code=9, fields=("pid",))
    assert Row("SIGQUIT", DISPLAY, "at {count}").parts == (("at ", COUNT),)


def test_every_row_is_one_signal_with_an_action() -> None:
    """No signal has two rows; each row's action is one of the table's actions,
    and they are told apart by name (--json's "event") and probe code."""
    assert len(BY_SIGNO) == len(ROWS)
    assert {row.action for row in ROWS} == set(ACTIONS)
    assert TICK not in ACTIONS
    kinds = (*ACTIONS, TICK)
    assert len({action.name for action in kinds}) == len(kinds)
    assert len({action.probe_code for action in kinds}) == len(kinds)


def test_the_originals_lines_are_kept() -> None:
    """SIGUSR1, SIGUSR2, SIGTERM and SIGINT print the Go original's lines."""
    assert {signo: BY_SIGNO[signo].line for signo in ORIGINALS} == ORIGINALS


def test_help_has_a_line_per_row_with_its_action() -> None:
    """--help's signal list names every row, in order, with the line it prints."""
    text = signaltable.help_text()
    listed = [line.split()[0] for line in text.splitlines()[1:] if line.startswith("  SIG")]
    assert listed == [row.name for row in ROWS]
    assert all(row.help_line() in text.splitlines() for row in ROWS)


# Two signals the table does not handle, for rows added in a test.
SPARE = [name for name in ("SIGURG", "SIGPWR", "SIGTTIN", "SIGTTOU", "SIGXCPU", "SIGXFSZ")
         if getattr(signal, name) not in BY_SIGNO][:2]


@pytest.fixture
def bigger_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table with two more rows: a spare signal showing the count as SIGUSR1
    does, and another with an action of its own."""
    new = Action("wave", probe_code=99, does="waves", help_effect=" and wave")
    rows = (*ROWS, Row(SPARE[0], DISPLAY, "Ticker count: {count}"), Row(SPARE[1], new, "waving"))
    monkeypatch.setattr(signaltable, "ROWS", rows)
    monkeypatch.setattr(signaltable, "ACTIONS", (*ACTIONS, new))


@pytest.mark.usefixtures("bigger_table")
def test_the_words_follow_the_rows() -> None:
    """A row or an action added to the table reaches --help's summary and list,
    the ready line and --explain's kill commands with nothing else changed."""
    shown, waving = SPARE
    summary = signaltable.summary()
    assert summary.startswith("SIGUSR1") and f" or {shown} shows the count, " in summary
    assert summary.endswith(f", {waving} waves")
    assert f'  {waving:<9} print "waving" and wave' in signaltable.help_text()
    hint, kills = signaltable.ready_hint(42), signaltable.kill_commands(42)
    assert hint.startswith("kill -USR1 42 shows the count, ")
    assert hint.endswith(f", -{waving[3:]} waves") and kills.endswith(f"kill -{waving[3:]} 42")
    assert shown[3:] not in hint + kills  # one signal per action


def test_the_ready_hint_leaves_out_the_hangup_and_names_keys() -> None:
    """Each action once, by its first row's signal, with a terminal's key where a
    row has one; no hang-up: nobody sends one to stop the program."""
    hint = signaltable.ready_hint(42)
    for action in ACTIONS:
        assert action.does in hint
    assert all(row.key in hint for row in ROWS if row.key)
    assert not any(f"-{row.name[3:]}" in hint for row in ROWS if row.hangup)
