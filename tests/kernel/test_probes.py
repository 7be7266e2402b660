"""The USDT probes as built: their notes, their nop sites, the build without
<sys/sdt.h>, and the emit probe's guard when no tracer is attached."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support import DEADLINE
from support.usdt import (
    BUILDER,
    Note,
    compiler_has_sdt_h,
    load_builder,
    require_probes,
    stapsdt_notes,
)

from sigcounter.actions import DISPLAY, TICK
from sigcounter.kernel.probes import (
    BUILT_WITH_PROBES,
    EXTENSION_PATH,
    PROBE_NAMES,
    build_note,
    emit_semaphore,
    fire_emit,
)
from sigcounter.signaltable import ACTIONS

SOURCE = BUILDER.with_name("source.c")
# Each probe's argument count: the positions scripts rely on (probes.py).
ARGUMENTS = {"tick": 3, "signal": 4, "wake": 2, "emit": 2}


def _by_name(notes: list[Note]) -> dict[str, Note]:
    assert all(note.provider == "sigcounter" for note in notes), notes
    names = [note.name for note in notes]
    assert len(names) == len(set(names)), f"a probe site was duplicated (inlined?): {names}"
    return {note.name: note for note in notes}


def test_the_installed_extension_has_a_stapsdt_note_per_probe() -> None:
    """readelf -n shows sigcounter:tick, signal, wake and emit, each with its
    argument count and a semaphore."""
    require_probes()
    notes = _by_name(stapsdt_notes(EXTENSION_PATH))
    assert sorted(notes) == sorted(PROBE_NAMES) == sorted(ARGUMENTS)
    for name, note in notes.items():
        assert len(note.arguments) == ARGUMENTS[name], note
        assert note.semaphore != 0, f"{name} has no semaphore"


def test_each_probe_site_is_a_single_nop() -> None:
    """With no tracer attached, a probe costs one nop instruction (objdump -d)."""
    require_probes()
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.fail("objdump is not installed (binutils, which gcc brings)")
    for note in stapsdt_notes(EXTENSION_PATH):
        listing = subprocess.run(
            [objdump, "-d", f"--start-address={note.location:#x}",
             f"--stop-address={note.location + 1:#x}", EXTENSION_PATH],
            capture_output=True, text=True, check=True, timeout=DEADLINE,
        ).stdout
        instruction = listing.strip().splitlines()[-1]
        assert instruction.split("\t")[-1].strip() == "nop", (note.name, instruction)


def _compile(tmp_path: Path, probes: str) -> str:
    """native/source.c compiled on its own with SIGCOUNTER_PROBES=probes; the object file."""
    obj = tmp_path / f"source-{probes}.o"
    subprocess.run(
        [*load_builder().compiler_command(), "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC",
         f"-DSIGCOUNTER_PROBES={probes}", "-c", str(SOURCE), "-o", str(obj)],
        check=True, timeout=6 * DEADLINE,
    )
    return str(obj)


def test_source_builds_without_sdt_h_and_then_has_no_probes(tmp_path: Path) -> None:
    """SIGCOUNTER_PROBES=0 (no <sys/sdt.h>) compiles warning-free, with no probe notes;
    =1 gives the four."""
    assert stapsdt_notes(_compile(tmp_path, "0")) == []
    if compiler_has_sdt_h():
        assert sorted(_by_name(stapsdt_notes(_compile(tmp_path, "1")))) == sorted(PROBE_NAMES)


def test_the_build_leaves_the_probes_out_without_the_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The build's <sys/sdt.h> check says no for a compiler that cannot find it,
    and SIGCOUNTER_PROBES=0 turns the probes off on purpose."""
    monkeypatch.setenv("CC", " ".join([*load_builder().compiler_command(), "-nostdinc"]))
    builder = load_builder()
    assert builder.compiler_has_sdt_h() is False and builder.with_probes() is False
    monkeypatch.delenv("CC")
    monkeypatch.setenv("SIGCOUNTER_PROBES", "0")
    assert load_builder().with_probes() is False


def test_version_note_says_whether_the_build_has_probes() -> None:
    """build_note() (for --version) names the probes, or says there are none."""
    note = build_note()
    if BUILT_WITH_PROBES:
        assert all(f"sigcounter:{name}" in note for name in PROBE_NAMES), note
    else:
        assert note.startswith("no USDT probes"), note


def test_emit_is_off_and_harmless_with_no_tracer() -> None:
    """No tracer attached: the emit semaphore reads 0, and fire_emit() is a harmless call."""
    assert emit_semaphore[0] == 0
    fire_emit(DISPLAY.probe_code, 3)
    assert emit_semaphore[0] == 0


def test_emit_kind_codes_cover_every_event_kind() -> None:
    """arg0 of sigcounter:emit: 1 display, 2 reset, 3 shutdown, 4 tick stay what
    scripts know them as (test_signaltable: every kind has a code of its own)."""
    codes = {action.name: action.probe_code for action in (*ACTIONS, TICK)}
    assert codes.items() >= {"display": 1, "reset": 2, "shutdown": 3, "tick": 4}.items()
