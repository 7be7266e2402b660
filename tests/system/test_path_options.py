"""The path options and the numbers: every argument error is one line and status
2 (one rule for a missing directory), no two outputs share a file, and a run
refused before it starts says only its error and leaves every file as it was."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from support import DEADLINE, SIG_COUNTER, Running
from support.strace import from_the_start

PATH_OPTIONS = ("--trace", "--cpuprofile", "--pidfile")


def _run(*args: str | Path, command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*(command or [str(SIG_COUNTER)]), *map(str, args)],
                          capture_output=True, text=True, timeout=DEADLINE,
                          stdin=subprocess.DEVNULL)


def _usage_error(result: subprocess.CompletedProcess[str], said: str) -> None:
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"sig-counter: error: {said} (see --help)\n"


@pytest.mark.parametrize("option", PATH_OPTIONS)
@pytest.mark.parametrize(("parent", "reason"), [("missing", "No such file or directory"),
                                                ("a-file", "Not a directory")])
def test_a_missing_directory_is_a_usage_error_for_every_path_option(
    tmp_path: Path, option: str, parent: str, reason: str
) -> None:
    """A path whose directory does not exist (or is a file): status 2 and one
    line, the same for all three options, and nothing is created."""
    (tmp_path / "a-file").write_text("kept\n")
    path = tmp_path / parent / "out"
    _usage_error(_run(option, path), f"{option} {path}: {reason}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.parametrize("option", ["--interval", "--drain-timeout"])
def test_a_number_of_4301_digits_is_read_or_refused_in_one_line(option: str) -> None:
    """"000...01" (4301 digits) is one second; 4301 nines are out of range: status
    2, one line, the value cut short; no traceback either way."""
    with Running(option, "0" * 4300 + "1") as run:
        run.wait_ready()
        run.send(signal.SIGTERM)
        assert run.wait_exit() == 0
    result = _run(option, "9" * 4301)
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert result.stderr.endswith("'9999999999999999...9999999999999999' (4301 characters) "
                                  "(see --help)\n"), result.stderr


def _same_file(tmp_path: Path, how: str) -> tuple[Path, Path]:
    """Two names for one file: the same path spelled twice, a symlink, a hard
    link, or a path that does not exist yet."""
    first = tmp_path / "out"
    if how == "new":
        return first, tmp_path / "." / "out"
    first.write_text("before\n")
    second = tmp_path / "other"
    if how == "symlink":
        second.symlink_to(first)
    elif how == "hard link":
        os.link(first, second)
    else:
        second = first
    return first, second


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link", "new"])
@pytest.mark.parametrize(("one", "other"), [("--trace", "--cpuprofile"), ("--trace", "--pidfile"),
                                            ("--cpuprofile", "--pidfile")])
def test_two_outputs_on_one_file_are_refused(tmp_path: Path, one: str, other: str,
                                             how: str) -> None:
    """Two of --trace, --cpuprofile and --pidfile naming one file: status 2, one
    line naming both, and the file is left as it was (or not created)."""
    first, second = _same_file(tmp_path, how)
    _usage_error(_run(one, first, other, second),
                 f"{one} {first} and {other} {second} name the same file")
    if how == "new":
        assert not first.exists()
    else:
        assert first.read_text() == "before\n"


def test_two_character_devices_are_not_a_collision() -> None:
    """/dev/null for both --trace and --cpuprofile loses nothing: a normal run."""
    with Running("--trace", "/dev/null", "--cpuprofile", "/dev/null") as run:
        run.wait_ready()
        run.send(signal.SIGTERM)
        assert run.wait_exit() == 0


@pytest.mark.parametrize("option", ["--trace", "--cpuprofile"])
def test_another_instances_pidfile_is_never_an_output(tmp_path: Path, option: str) -> None:
    """A second instance's --trace or --cpuprofile naming the pidfile a running
    instance holds locked: status 2, one line, the pidfile untouched and still
    the first instance's."""
    pidfile = tmp_path / "sig-counter.pid"
    with Running("--pidfile", str(pidfile)) as first:
        first.wait_ready()
        _usage_error(_run(option, pidfile),
                     f"{option} {pidfile}: pid {first.pid} holds a lock on it, as a running "
                     "instance holds its --pidfile; left as it is")
        assert pidfile.read_text() == f"{first.pid}\n"
        first.send(signal.SIGUSR1)
        assert first.line().startswith(b"Ticker count: ")


def _files_as_they_were(tmp_path: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(tmp_path.iterdir())}


def test_a_run_refused_for_a_held_pidfile_says_only_its_error(tmp_path: Path) -> None:
    """The pidfile held by a running instance: status 1, the one error line, no
    --stats table; the existing trace keeps its content, the new profile is gone."""
    pidfile, trace, profile = tmp_path / "pid", tmp_path / "trace.json", tmp_path / "cpu.prof"
    trace.write_text("a trace of an earlier run\n")
    with Running("--pidfile", str(pidfile)) as first:
        first.wait_ready()
        before = _files_as_they_were(tmp_path)
        result = _run("--stats", "--trace", trace, "--cpuprofile", profile, "--pidfile", pidfile)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == (f"sig-counter: error: {pidfile} is held by pid {first.pid}: "
                                 "already running\n")
        assert _files_as_they_were(tmp_path) == before


def test_a_run_refused_for_emfile_says_only_its_error(tmp_path: Path) -> None:
    """signalfd4 failing with EMFILE at start: the one error line, status 1, no
    --stats table, and the trace and profile it opened are not left behind."""
    trace, profile = tmp_path / "trace.json", tmp_path / "cpu.prof"
    profile.write_bytes(b"an earlier profile")
    command = from_the_start("signalfd4", "EMFILE", [str(SIG_COUNTER)])
    result = _run("--stats", "--trace", trace, "--cpuprofile", profile, command=command)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "sig-counter: error: Too many open files\n"
    assert _files_as_they_were(tmp_path) == {"cpu.prof": "an earlier profile"}
