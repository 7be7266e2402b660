"""README.md's pipx install, run as pasted: with Debian's pipx and with the current one,
``pipx install .`` puts ``sig-counter`` on PATH, and ``man sig-counter`` finds its page where
that pipx links man pages (1.3 and later); where it does not (Debian 12's 1.1.0), the
README's second block links it. Each run has a home of its own, so pipx's defaults
(``~/.local/bin``, ``~/.local/share/man``) are the ones the README speaks of."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support.deadline import BUILD_DEADLINE
from support.packaging import ROOT, SYSTEM_PATH, VENV, check, run

import sigcounter

pytestmark = pytest.mark.once  # pipx and the build are the same under every Python

README = ROOT / "README.md"
MARK = "<!-- example: run by tests/system/test_pipx.py -->"
PIPXES = {"debian": Path("/usr/bin/pipx"), "current": VENV / "bin" / "pipx"}
LINKS_MAN_PAGES = (1, 3)  # the first pipx that links share/man/man[1-9]
# What pip says when it cannot reach an index; with a warm pip cache it never has to.
OFFLINE = re.compile(r"Failed to establish a new connection|Temporary failure in name "
                     r"resolution|Network is unreachable|No matching distribution found")
# Left out of the scratch checkout: what a build writes there, and the venvs.
NOT_LINKED = re.compile(r"^(build|dist|\.venv.*|.*\.egg-info|\..*_cache)$")


def readme_blocks() -> list[str]:
    """The README's ```sh blocks marked as run here, in order."""
    lines = README.read_text().splitlines()
    starts = [index + 2 for index, line in enumerate(lines[:-1])
              if line == MARK and lines[index + 1] == "```sh"]
    return ["\n".join(lines[start:lines.index("```", start)]) + "\n" for start in starts]


def _pip_cache() -> str:
    """The pip cache of whoever runs the suite: a fresh home still installs offline."""
    if "PIP_CACHE_DIR" in os.environ:
        return os.environ["PIP_CACHE_DIR"]
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(cache) / "pip")


def _checkout(where: Path) -> Path:
    """A folder that reads as the checkout, so the build writes its build/ and egg-info
    there and the real checkout is left as it was."""
    where.mkdir()
    for entry in ROOT.iterdir():
        if not NOT_LINKED.match(entry.name):
            (where / entry.name).symlink_to(entry)
    return where


def _environment(home: Path, pipx: Path) -> dict[str, str]:
    """A user's shell in ``home``: ``~/.local/bin`` on PATH, then this ``pipx``, then the
    system's folders; nothing of this run's venv, pipx or man settings."""
    tools = home / "tools"
    tools.mkdir(parents=True)
    (tools / "pipx").symlink_to(pipx)
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith(("PIPX_", "XDG_", "PYTHON", "MAN"))
            and name not in {"VIRTUAL_ENV", "PATH", "HOME"}}
    return {**kept, "HOME": str(home), "PATH": f"{home}/.local/bin:{tools}:{SYSTEM_PATH}",
            "PIP_CACHE_DIR": _pip_cache(), "LANG": "C.UTF-8"}


def _version(pipx: Path) -> tuple[int, ...]:
    shown = check([str(pipx), "--version"], timeout=60).strip()
    return tuple(int(part) for part in re.findall(r"\d+", shown)[:2])


@pytest.fixture(params=sorted(PIPXES))
def pipx(request: pytest.FixtureRequest) -> Path:
    """Debian's pipx (apt), skipped where it is not installed, and the current one (PyPI,
    the test extra)."""
    path = PIPXES[request.param]
    if not path.exists():
        if request.param == "debian":
            pytest.skip("Debian's pipx is not installed (apt-get install pipx)")
        pytest.fail(f"{path} is not installed: ./dev.sh test installs it")
    return path


@pytest.mark.timeout(BUILD_DEADLINE + 60)
def test_the_readme_pipx_install_gives_the_command_and_its_man_page(
    pipx: Path, tmp_path: Path
) -> None:
    """The first block ends with the page shown where pipx links it, and fails at ``man``
    (no entry) only where it does not; the second block shows it with any pipx."""
    install, link = readme_blocks()
    assert install.startswith("pipx install .\n") and "ln -sf" in link
    home = tmp_path / "home"
    env, cwd = _environment(home, pipx), _checkout(tmp_path / "checkout")
    first = run(["bash", "-e", "-c", install], cwd=cwd, env=env, timeout=BUILD_DEADLINE)
    if first.returncode != 0 and OFFLINE.search(first.stdout + _pipx_logs(home)):
        pytest.skip(f"no network, and pip's cache lacks what the build needs:\n{first.stdout}")
    assert f"sig-counter {sigcounter.__version__} (" in first.stdout, first.stdout
    if _version(pipx) >= LINKS_MAN_PAGES:
        assert first.returncode == 0, first.stdout
    else:
        assert first.returncode == 16, first.stdout  # man's status for "no entry"
        assert first.stdout.rstrip().endswith("No manual entry for sig-counter"), first.stdout
        assert not _shows_the_page(first.stdout), first.stdout
    second = run(["bash", "-e", "-c", link], cwd=cwd, env=env, timeout=60)
    assert second.returncode == 0, second.stdout
    assert _shows_the_page(second.stdout), second.stdout
    assert first.returncode != 0 or _shows_the_page(first.stdout), first.stdout
    _check_installed(home, env)


def _shows_the_page(output: str) -> bool:
    """Whether ``output`` holds the man page as man renders it: its NAME section."""
    return re.search(r"^NAME\n +sig-counter ", output, re.M) is not None


def _check_installed(home: Path, env: dict[str, str]) -> None:
    """The command is pipx's link in ~/.local/bin, and man's page is the checkout's, found
    in ~/.local/share/man."""
    command = check(["bash", "-c", "command -v sig-counter"], env=env, timeout=60).strip()
    assert command == f"{home}/.local/bin/sig-counter"
    target = Path(command).resolve()  # in the venv pipx made for it, under the home
    assert target.is_relative_to(home) and target.match("venvs/sig-counter/bin/sig-counter")
    linked = home / ".local/share/man/man1/sig-counter.1"
    found = Path(check(["man", "-w", "sig-counter"], env=env, timeout=60).strip())
    assert linked.is_symlink() and found == linked.resolve()  # man -w names the link's target
    assert found.read_text() == (ROOT / "man" / "sig-counter.1").read_text()


def _pipx_logs(home: Path) -> str:
    """Everything pipx logged under ``home`` (pip's own output among it)."""
    return "".join(path.read_text(errors="replace") for path in home.rglob("logs/*")
                   if path.is_file())
