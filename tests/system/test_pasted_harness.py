"""The harness that runs the documents' examples (support/pasted.py) sees what a reader
would: a failing command, a process left running, a foreground run that needs Ctrl-C."""

from __future__ import annotations

from pathlib import Path

from support import poll_until
from support.examples import Example, Mark
from support.pasted import session

DEADLINE = 20.0


def _blocks(*texts: str, mark: Mark | None = None) -> list[Example]:
    return [Example("test", number, text, mark or Mark()) for number, text in enumerate(texts)]


def test_a_failing_command_stops_the_session_where_it_failed(tmp_path: Path) -> None:
    """As ``set -e`` has it: the block with the failing command is not finished, and
    no later block runs."""
    with session(_blocks("true\n", "false\necho never\n", "echo never\n"), tmp_path) as pasted:
        outcome = pasted.run(DEADLINE)
    assert outcome.status == 1 and outcome.finished == [0]
    assert "never" not in outcome.output


def test_a_process_left_running_is_found_and_then_killed(tmp_path: Path) -> None:
    """A background job the blocks never stop is reported, and teardown kills it."""
    with session(_blocks("sig-counter --quiet &\necho $! >pid\n"), tmp_path) as pasted:
        assert pasted.run(DEADLINE).status == 0
        left = pasted.left_behind(grace=0.5)
        assert left == [int((pasted.view / "pid").read_text())]
    poll_until(lambda: _ended(left[0]), what=f"pid {left[0]} to be killed")


def _ended(pid: int) -> bool:
    """Gone, or dead and waiting for init to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_foreground_run_gets_its_ctrl_c_once_ready(tmp_path: Path) -> None:
    """An until-Ctrl-C block is sent SIGINT after its ready line, ends with status 0,
    and the session goes on to the next block."""
    blocks = [*_blocks("sig-counter --interval 0.2\n", mark=Mark(until_ctrl_c=True)),
              Example("test", 1, "echo next\n")]
    with session(blocks, tmp_path) as pasted:
        outcome = pasted.run(DEADLINE)
    assert outcome.status == 0 and outcome.finished == [0, 1], outcome.output
    assert "received interrupt — shutting down" in outcome.output
