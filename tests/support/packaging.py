"""The packaging tests' helpers: the source tree, interpreters, virtual environments,
and commands run with a deadline, their whole process group killed when it passes."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from support.deadline import BUILD_DEADLINE, DEADLINE

ROOT = Path(__file__).resolve().parents[2]
# The virtual environment these tests run in (dev.sh's $VENV), and the
# interpreter it was made with (dev.sh's $PYTHON).
VENV = Path(sys.prefix)
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
# What a stock Debian or Ubuntu user has on PATH: the system's directories only.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


class Dist(NamedTuple):
    """What ``./dev.sh dist`` wrote, and everything it printed on the way."""

    sdist: Path
    wheel: Path
    output: str


def run(
    command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
    timeout: float = BUILD_DEADLINE,
) -> subprocess.CompletedProcess[str]:
    """``command`` with stdout and stderr together; at the deadline its process group
    (anything it started) is killed and the test fails with what it printed."""
    process = subprocess.Popen(
        list(command), cwd=cwd, env=None if env is None else dict(env), text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(f"{command} took over {timeout}s:\n{output}") from None
    finally:
        if process.poll() is None:  # an error in communicate(): leave nothing behind
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, output, "")


def check(
    command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
    timeout: float = BUILD_DEADLINE,
) -> str:
    """``run``, which must succeed; its output."""
    result = run(command, cwd=cwd, env=env, timeout=timeout)
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}"
    return result.stdout


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` ("3.12"), as .ci/run finds one: on PATH, or under
    pyenv; None when the machine has none."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}"),
                  *sorted(map(str, root.glob(f"versions/{version}*/bin/python{version}")))]
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=3 * DEADLINE)
        except OSError:
            continue
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    return None


def make_venv(python: str, path: Path) -> Path:
    """A new virtual environment at ``path``, made by ``python -m venv``; its bin/."""
    check([python, "-m", "venv", str(path)])
    return path / "bin"


def pip_install(bin_dir: Path, *requirements: str) -> None:
    check([str(bin_dir / "python"), "-m", "pip", "install", "-q",
           "--disable-pip-version-check", *requirements])


def source_files(root: Path = ROOT) -> set[str]:
    """The source tree's files, relative: git's view in a checkout (what .gitignore
    names left out), everything but caches and build outputs in an unpacked sdist."""
    if (root / ".git").exists():
        listed = check(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], timeout=6 * DEADLINE)
        return {name for name in listed.split("\0") if name and (root / name).is_file()}
    skipped = re.compile(r"(^|/)(\.venv[^/]*|__pycache__|\.\w+_cache|build|dist)(/|$)")
    return {str(path.relative_to(root)) for path in root.rglob("*")
            if path.is_file() and not skipped.search(str(path.relative_to(root)))
            and path.suffix not in {".so", ".pyc"}}


def dev_sh_env(**settings: str) -> dict[str, str]:
    """The environment for ./dev.sh to work on this test run's venv; ``settings`` added."""
    env = dict(os.environ, VENV=str(VENV), PYTHON=BASE_PYTHON)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else setuptools warns that it cannot compile
    env.update(settings)
    return env
