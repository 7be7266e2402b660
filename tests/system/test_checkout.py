"""Working in the checkout: ``python -m sigcounter`` from its root runs the built program,
docs/observing.md's commands work there, and a second ``./dev.sh run`` or ``./dev.sh
test`` leaves a running sig-counter's native module alone (dev.sh installs the checkout
in editable mode and builds the module in place only when its inputs changed)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support import DEADLINE, SIG_COUNTER, Running
from support.packaging import ROOT, SYSTEM_PATH, VENV, check, dev_sh_env, run
from support.tools import installed, needs_root
from support.usdt import require_probes

import sigcounter
from sigcounter.kernel.probes import EXTENSION_PATH, PROBE_NAMES, PROVIDER, build_note

PYTHON = VENV / "bin" / "python"
OBSERVING = ROOT / "docs" / "observing.md"
# The observing page's commands, as a shell with the venv's bin on PATH runs them.
SHELL_ENV = {"PATH": f"{VENV / 'bin'}:{SYSTEM_PATH}", "HOME": str(Path.home()),
             "LANG": "C.UTF-8"}


def _mapped_native(pid: int) -> set[tuple[int, str]]:
    """(inode, path) of each mapping of the native module in ``pid``; a replaced file's
    path ends in " (deleted)"."""
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    fields = [line.split(maxsplit=5) for line in maps if "/_native" in line]
    return {(int(field[4]), field[5]) for field in fields}


def test_python_m_sigcounter_from_the_root_reports_the_probes() -> None:
    require_probes()
    version = check([str(PYTHON), "-m", "sigcounter", "--version"], cwd=ROOT, timeout=DEADLINE)
    assert version == f"sig-counter {sigcounter.__version__} ({build_note()})\n"
    assert f"USDT probes {PROVIDER}:tick" in version


def test_python_m_sigcounter_from_the_root_runs_the_checkouts_module() -> None:
    """The source folder that shadows any install from the root holds the built module."""
    assert Path(EXTENSION_PATH).parent == ROOT / "sigcounter" / "kernel"
    process = Running("--interval", "0.05", program=(str(PYTHON), "-m", "sigcounter"), cwd=ROOT)
    try:
        process.wait_ready()
        paths = {path for _, path in _mapped_native(process.pid)}
        assert paths == {str(Path(EXTENSION_PATH).resolve())}
        process.count_after_a_tick()  # fails unless it ticks and answers
        process.terminate()
    finally:
        process.stop()


def _sh_blocks() -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", OBSERVING.read_text(), re.S | re.M)


def test_observing_md_starts_the_program_from_the_checkout(tmp_path: Path) -> None:
    """The page's first block (activate the venv, start, wait for the ready line), then
    the signals it says end a run."""
    block = next(block for block in _sh_blocks() if block.startswith(". .venv/bin/activate"))
    # In a folder of its own, with this run's venv (CI has one per Python): the
    # sig-counter.err it writes is its own, whatever else runs from the checkout.
    block = block.replace(".venv/", f"{VENV}/")
    result = run(["bash", "-c", block + 'kill -USR1 $PID\nkill -TERM $PID; wait $PID\n'
                  'echo "status $?"\n'], cwd=tmp_path, env=SHELL_ENV, timeout=DEADLINE * 2)
    assert re.fullmatch(r"Ticker count: \d+\nreceived terminated \N{EM DASH} shutting down\n"
                        r"status 0\n", result.stdout), result.stdout


def test_observing_md_finds_the_extension_and_its_probes_from_the_checkout() -> None:
    """``SO=...`` names the module that the page's ``python -c`` prints, and
    ``bpftrace -l "usdt:$SO:*"`` lists the four probes in it."""
    require_probes()
    needs_root("bpftrace lists a module's probes only for root")
    so_line = next(block for block in _sh_blocks() if block.startswith("SO="))
    python_c = re.search(r"`(python -c '[^`]*EXTENSION_PATH[^`]*')`", OBSERVING.read_text())
    assert python_c, "the page's python -c command"
    installed("bpftrace", "bpftrace")
    script = f'{so_line}{python_c[1]}\nrealpath "$SO"\nbpftrace -l "usdt:$SO:*"\n'
    output = check(["bash", "-c", script], cwd=ROOT, env=SHELL_ENV, timeout=DEADLINE * 3)
    printed, resolved, *listing = output.splitlines()
    assert Path(printed).resolve() == Path(resolved) == Path(EXTENSION_PATH).resolve()
    so = so_line.strip().removeprefix("SO=")
    probes = sorted(line for line in listing if line.startswith("usdt:"))
    assert probes == sorted(f"usdt:{so}:{PROVIDER}:{name}" for name in PROBE_NAMES)


@pytest.mark.parametrize("command", [["run", "--version"], ["test", "--version"]],
                         ids=["run", "test"])
def test_a_second_dev_sh_leaves_a_running_instances_module_alone(command: list[str]) -> None:
    """With the build up to date, ./dev.sh builds nothing: the module a running
    sig-counter maps stays the file on disk, not a deleted one."""
    env = dev_sh_env()
    check(["./dev.sh", "run", "--version"], cwd=ROOT, env=env)  # the build, up to date
    process = Running("--interval", "0.05", program=(str(SIG_COUNTER),))
    try:
        process.wait_ready()
        before = _mapped_native(process.pid)
        assert before and not [path for _, path in before if path.endswith("(deleted)")]
        again = check(["./dev.sh", *command], cwd=ROOT, env=env)
        assert "building" not in again, again
        assert _mapped_native(process.pid) == before
        (inode, path), = before
        assert os.stat(path).st_ino == inode
        process.count_after_a_tick()  # fails unless it still ticks and answers
    finally:
        process.stop()


def test_a_python_that_does_not_exist_is_one_line_before_any_apt(tmp_path: Path) -> None:
    """`PYTHON=python3.99 ./dev.sh test` says in one line that there is no such
    interpreter, status 1, before it asks apt or sudo for anything or makes a venv."""
    stubs, calls = tmp_path / "stubs", tmp_path / "calls"
    stubs.mkdir()
    for tool in ("apt-get", "sudo"):  # each says it was called, and fails
        (stubs / tool).write_text(f'#!/bin/sh\necho {tool} >>"{calls}"\nexit 1\n')
        (stubs / tool).chmod(0o755)
    env = dev_sh_env(PYTHON="python3.99", VENV=str(tmp_path / "venv"),
                     PATH=f"{stubs}:{os.environ['PATH']}")
    result = run(["./dev.sh", "test"], cwd=ROOT, env=env, timeout=DEADLINE)
    assert result.returncode == 1
    assert result.stdout == ("dev.sh: PYTHON=python3.99: no such interpreter (not on PATH, "
                             "not a file); install it, or name one that exists\n")
    assert not calls.exists() and not (tmp_path / "venv").exists()
