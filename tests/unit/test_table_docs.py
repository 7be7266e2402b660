"""The docs say what the signal table says: the README's table of signals, the
list of --json events in docs/json.md, the emit probe's codes in
docs/observing.md, and every ready line quoted in the README and docs/. A row
or an action added to the table fails here until the docs tell of it."""

from __future__ import annotations

import re
from pathlib import Path

from sigcounter.actions import TICK
from sigcounter.signaltable import ACTIONS, ROWS, Row, ready_hint

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def _aside(row: Row) -> str:
    """What the docs add after a signal's name: the key that sends it, or that it
    is a terminal's hang-up."""
    aside = row.key or ("the terminal went away" if row.hangup else "")
    return f" ({aside})" if aside else ""


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_the_readme_table_has_every_row_and_its_line() -> None:
    """One README row per table row, in order, with its line; rows of one action
    say alike what it does."""
    table = [_cells(line) for line in README.read_text().splitlines()
             if line.startswith("| `SIG")]
    assert [cells[:2] for cells in table] == [
        [f"`{row.name}`{_aside(row)}", f"`{row.shown}`"] for row in ROWS]
    does = {(row.action.name, cells[2]) for row, cells in zip(ROWS, table, strict=True)}
    assert len(does) == len(ACTIONS), does


def test_docs_json_lists_every_action_as_an_event() -> None:
    """docs/json.md's "event" field names each action with its signals, then the
    events no signal makes; the fields a signal's event carries name every action."""
    fields = {cells[0]: cells for line in (DOCS / "json.md").read_text().splitlines()
              if line.startswith("| `") and len(cells := _cells(line)) == 4}
    kinds = []
    for action in ACTIONS:
        names = [row.name for row in ROWS if row.action is action]
        listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        kinds.append(f"`{action.name}` ({listed})")
    assert fields["`event`"][3].startswith(", ".join(kinds) + f", `{TICK.name}` ")
    every_action = ", ".join(f"`{action.name}`" for action in ACTIONS)
    signal_fields = [cells for cells in fields.values() if "`display`" in cells[2]]
    assert len(signal_fields) > 1
    assert all(cells[2].startswith(every_action) for cells in signal_fields), signal_fields


def test_docs_observing_lists_each_emit_code() -> None:
    """The sigcounter:emit row of docs/observing.md gives each kind's code."""
    row = next(line for line in (DOCS / "observing.md").read_text().splitlines()
               if line.startswith("| `sigcounter:emit`"))
    kinds = sorted((*ACTIONS, TICK), key=lambda action: action.probe_code)
    codes = ", ".join(f"{action.probe_code} {action.name}" for action in kinds)
    assert f"kind: {codes} " in row


def test_every_quoted_ready_line_is_the_programs() -> None:
    """Each ready line the README and docs/ quote (captures included) says what
    the program's says for that PID."""
    quoted = []
    for path in [README, *DOCS.rglob("*")]:
        if path.is_file() and path.suffix in {".md", ".stderr", ".txt"}:
            quoted += re.findall(r"pid (\d+) ready, ticking every \S+; (.*)", path.read_text())
    assert quoted
    for pid, hint in quoted:
        assert hint == ready_hint(int(pid))
