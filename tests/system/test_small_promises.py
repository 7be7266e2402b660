"""Small promises at the edges of a run: --help and --version to a stdout that
fails say so (one line, status 2, as `ls --help >/dev/full` does), and running
out of memory while starting is one line, not a traceback, from the launcher's
first statements on."""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import DEADLINE, READY, SIG_COUNTER, Child, NoLine, Running
from support.deadline import BACKSTOP

import sigcounter

MAIN = Path(sigcounter.__file__).with_name("__main__.py")
LAUNCHERS = {"bin/sig-counter": [str(SIG_COUNTER)], "python -m sigcounter": [
    sys.executable, "-m", "sigcounter"]}
# Away from the source tree, whose sigcounter/ (no native module built) -m would find first.
ELSEWHERE = "/"
OUT_OF_MEMORY = "sig-counter: error: out of memory\n"


@pytest.mark.parametrize("stdout", ["/dev/full", "closed"])
@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_to_a_stdout_that_fails_is_one_line_and_status_2(option: str, stdout: str) -> None:
    """--help or --version with stdout /dev/full (ENOSPC) or closed (EBADF)."""
    command = f"{SIG_COUNTER} {option} " + (">/dev/full" if stdout == "/dev/full" else ">&-")
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True,
                            timeout=DEADLINE, stdin=subprocess.DEVNULL)
    reason = "No space left on device" if stdout == "/dev/full" else "Bad file descriptor"
    assert result.returncode == 2
    assert result.stderr == f"sig-counter: cannot write to stdout: {reason}\n"


SITECUSTOMIZE = '''
import os, sys

class FailingImport:
    """Fails the import of $FAIL_IMPORT as a full address space would."""
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["FAIL_IMPORT"]:
            if os.environ["FAIL_WITH"] == "MemoryError":
                raise MemoryError
            if os.environ["FAIL_WITH"] == "SystemError":
                raise SystemError("error return without exception set")
            raise OSError(12, "Cannot allocate memory", name)
        return None

sys.meta_path.insert(0, FailingImport())
'''


@pytest.mark.parametrize("failure", ["MemoryError", "OSError ENOMEM"])
@pytest.mark.parametrize("module", ["sigcounter.cli", "sigcounter.serve", "sigcounter.writer",
                                    "sigcounter.instruments.explain"])
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_out_of_memory_while_importing_is_one_line(
    tmp_path: Path, launcher: str, module: str, failure: str,
) -> None:
    """An import that fails for lack of memory, in the launcher itself, in main(),
    in the run before the loop or in its middle (--explain): one line, status 1."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    environment = {"PYTHONPATH": str(tmp_path), "FAIL_IMPORT": module,
                   "FAIL_WITH": failure.split()[0], "PATH": "/usr/bin:/bin"}
    result = subprocess.run([*LAUNCHERS[launcher], "--explain"], capture_output=True, text=True,
                            timeout=DEADLINE, stdin=subprocess.DEVNULL, env=environment,
                            cwd=ELSEWHERE)
    assert (result.returncode, result.stdout) == (1, "")
    lines = result.stderr.splitlines(keepends=True)
    # An OSError in the run itself is the kernel's refusal, said in its words.
    assert lines[-1] in (OUT_OF_MEMORY, "sig-counter: error: Cannot allocate memory\n")
    assert "Traceback" not in result.stderr
    # Failing in the middle of the run, its ready line came first.
    assert len(lines) == (2 if module == "sigcounter.instruments.explain" else 1), lines


def _fail_import_with_system_error(tmp_path: Path, limit_kib: int | None) -> Child:
    """The plain run, its import of sigcounter.serve failing with a SystemError,
    under ``ulimit -v limit_kib`` (None: no limit)."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    environment = {"PYTHONPATH": str(tmp_path), "FAIL_IMPORT": "sigcounter.serve",
                   "FAIL_WITH": "SystemError", "PATH": "/usr/bin:/bin"}
    limit = None if limit_kib is None else limit_kib * 1024

    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return Child([str(SIG_COUNTER)], stdout=subprocess.DEVNULL, cwd=ELSEWHERE,
                 env=environment, preexec_fn=limited)


def test_a_system_error_with_memory_to_spare_is_not_called_out_of_memory(
    tmp_path: Path,
) -> None:
    """A SystemError while memory is plentiful is a fault, shown with its traceback,
    never "out of memory"."""
    with _fail_import_with_system_error(tmp_path, None) as run:
        status = run.wait_exit()
        stderr = "".join(run.rest_of_stderr())
    assert status == 1
    assert "Traceback" in stderr and "SystemError: error return without exception set" in stderr
    assert OUT_OF_MEMORY not in stderr


def test_a_system_error_with_memory_short_is_one_line(tmp_path: Path) -> None:
    """The same SystemError under a ulimit -v a megabyte above the plain run's
    peak (so 8 MiB more cannot be had) is the out-of-memory line, status 1."""
    peak = _address_space_kib([str(SIG_COUNTER), "--interval", "0.05"])
    with _fail_import_with_system_error(tmp_path, peak + 1024) as run:
        status = run.wait_exit()
        stderr = "".join(run.rest_of_stderr())
    assert (status, stderr) == (1, OUT_OF_MEMORY)


def _first_statements_end(launcher: Path) -> int:
    """The line of the launcher's last statement before launch() takes over."""
    lines = launcher.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith("from sigcounter.launch"))


def _launch_guard_line() -> int:
    """The line in launch.py from which an import failure is the program's to say."""
    lines = (MAIN.parent / "launch.py").read_text().splitlines()
    return lines.index("    try:") + 1


# Spawns started at once: on a loaded machine each start-up is slow, and
# several overlap their waits; each still has its own deadline.
AT_ONCE = 4


def _spawn(command: list[str], limit_kib: int) -> Child:
    """The program under ``ulimit -v limit_kib``, its stderr read with deadlines."""
    limit = limit_kib * 1024
    return Child(command, stdout=subprocess.DEVNULL, cwd=ELSEWHERE,
                 preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))


def _outcome(run: Child, command: list[str]) -> str:
    """How the program ends: "ran", "one line" (its own message), "before" (the
    interpreter or the launcher's first statements failed), "spun" (silent and
    still running at the deadline: the interpreter looping on failed
    allocations inside an import, docs/reliability.md), or the stderr of a
    traceback from the program's own code. Every wait has the harness's deadline."""
    with run:
        try:
            first = run.err_line()  # the ready line, or the failure's start
        except NoLine as missing:
            if not missing.ended:
                return "spun"  # ended by SIGKILL when the with block closes
            first = ""
        if READY.match(first):
            run.send(signal.SIGTERM)  # answered as usual
            run.wait_exit()
            return "ran"
        run.wait_exit()
        stderr = first + "".join(run.rest_of_stderr())
    if re.fullmatch(r"sig-counter: error: [^\n]+\n", stderr):
        return "one line"
    return "before" if not _in_the_programs_reach(stderr, command) else stderr


def _sweep(command: list[str], limits: list[int]) -> dict[int, str]:
    """Each limit's outcome, AT_ONCE spawns at a time."""
    outcomes: dict[int, str] = {}
    for first in range(0, len(limits), AT_ONCE):
        batch = {limit: _spawn(command, limit) for limit in limits[first:first + AT_ONCE]}
        outcomes.update({limit: _outcome(run, command) for limit, run in batch.items()})
    return outcomes


def _in_the_programs_reach(stderr: str, command: list[str]) -> bool:
    """Whether a traceback passes through the program's code beyond the launcher's
    first statements (which block the signals, and import launch.py and the
    signal table) and launch()'s own first lines (which keep the table's)."""
    launcher = Path(command[0]) if command[0] == str(SIG_COUNTER) else MAIN
    first_end, guard = _first_statements_end(launcher), _launch_guard_line()
    for path, line in re.findall(r'File "([^"]+)", line (\d+)', stderr):
        if Path(path) == launcher and int(line) > first_end:
            return True
        if Path(path).name == "launch.py" and int(line) >= guard:
            return True
        if "/sigcounter/" in path and Path(path).name not in (
                "__init__.py", "signaltable.py", "actions.py", "__main__.py", "launch.py"):
            return True
    return False


def _address_space_kib(command: list[str]) -> int:
    """VmPeak of a plain run, once ready: about the tightest limit it runs under."""
    with Running(program=command, stdout=subprocess.DEVNULL, cwd=ELSEWHERE) as process:
        process.wait_ready()
        status = Path(f"/proc/{process.pid}/status").read_text()
    match = re.search(r"^VmPeak:\s+(\d+) kB", status, re.M)
    assert match
    return int(match.group(1))


# 23 start-ups, each under its own deadline: on a loaded machine they take
# longer than the suite's 60 s backstop, which is there for one hang, and
# here the deadlines catch a hang.
@pytest.mark.timeout(4 * BACKSTOP)
@pytest.mark.parametrize("launcher", list(LAUNCHERS))
def test_a_tight_ulimit_v_never_gives_a_traceback_from_the_program(launcher: str) -> None:
    """Under limits from 2 MiB below the plain run's address space up to it, in steps
    of 100 KiB: the run, the program's one line, or a failure before its first
    statements, never a traceback from its own code."""
    command = [*LAUNCHERS[launcher], "--interval", "0.05"]
    peak = _address_space_kib(command)
    outcomes = _sweep(command, list(range(peak - 2000, peak + 200, 100)))
    tracebacks = {limit: text for limit, text in outcomes.items()
                  if text not in ("ran", "one line", "before", "spun")}
    assert not tracebacks, tracebacks
    # A spin is the interpreter's, and rare: a few limits land in it, by the layout.
    assert list(outcomes.values()).count("spun") <= 2, outcomes
    # The sweep reached the program's own reach, not only the interpreter's start-up.
    assert list(outcomes.values()).count("one line") >= 3, outcomes
