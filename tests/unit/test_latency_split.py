"""The latency split's readers of callgrind profiles and its tracer script, on made-up input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def split() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import latency_split  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCH))
    return latency_split


# Two objects; libx named first by a call (cob=), then used (ob=) by number
# only; a call's inclusive cost line (after calls=) moves the position but is
# not self cost; positions are absolute (0x...), relative (+N, -N) or the same (*).
PROFILE = """\
# callgrind format
positions: instr line
events: Ir
ob=(1) /usr/lib/libmain.so
fn=(1) main
0x100 1 {main}
+4 * 2
cob=(2) /usr/lib/libx.so
cfn=(2) helper
calls=1 0x900 5
+4 6 500
* * 3
ob=(2)
fn=(2)
0x900 5 {helper}
+64 * 1
"""


def _profile(tmp_path: Path, name: str, main: int, helper: int) -> Path:
    path = tmp_path / name
    path.write_text(PROFILE.format(main=main, helper=helper))
    return path


def test_code_per_address_keeps_self_cost_by_object(split: Any, tmp_path: Path) -> None:
    """Costs land at their object's address; a call's inclusive line counts nothing."""
    executed = split.code_per_address(_profile(tmp_path, "p", main=7, helper=9))
    assert executed == {
        ("/usr/lib/libmain.so", 0x100): 7, ("/usr/lib/libmain.so", 0x104): 2,
        ("/usr/lib/libmain.so", 0x108): 3,
        ("/usr/lib/libx.so", 0x900): 9, ("/usr/lib/libx.so", 0x940): 1,
    }


def test_code_working_set_counts_lines_run_per_signal(split: Any, tmp_path: Path) -> None:
    """Only the addresses run at least once per two signals more than without any count,
    as 64-byte lines and pages of their object."""
    more = _profile(tmp_path, "more", main=107, helper=259)
    less = _profile(tmp_path, "less", main=7, helper=9)
    # 100 signals: main's first instruction +100, helper's +250; the rest unchanged.
    assert split.code_working_set(more, less, 100) == {"libmain.so": [1, 1], "libx.so": [1, 1]}
    assert split.code_working_set(more, less, 600) == {}


def test_tracer_script_watches_the_given_pids_only(split: Any) -> None:
    """The kill probe's filter names each PID given, and no other."""
    script = split.tracer_script([4242, 77])
    kill_probe = next(line for line in script.splitlines() if "sys_enter_kill" in line)
    assert "args->pid == 4242 || args->pid == 77" in kill_probe
    assert "args->sig == 10" in kill_probe
