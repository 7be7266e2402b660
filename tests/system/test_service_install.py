"""docs/service.md's install block, taken from the page and run as it stands, with the
system's python3 and Debian's own PATH. /opt, /usr/local and
/etc/systemd/system are empty tmpfs mounts in a mount namespace of the test's own, so
the block installs into scratch space; the systemctl lines are left out (no systemd
is started), and the apt-get line is checked against dpkg rather than run. Then the
installed unit must verify clean and its ExecStart= must run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path, PurePosixPath

from support.deadline import DEADLINE
from support.packaging import ROOT, SYSTEM_PATH, check, run, source_files
from support.tools import installed, needs_root

import sigcounter
from sigcounter.kernel.probes import build_note

PAGE = ROOT / "docs" / "service.md"
UNIT = "/etc/systemd/system/sig-counter.service"
# A stock Debian's /usr/local: its folders, empty.
MAN_PAGE = "share/man/man1/sig-counter.1"
USR_LOCAL = ("bin", "etc", "games", "include", "lib", "sbin", "share/man", "src")


def install_block() -> list[str]:
    """The first ``sh`` block after the page's "Installing the unit" heading, as lines."""
    text = PAGE.read_text()
    after = text[text.index("### Installing the unit"):]
    found = re.search(r"^```sh\n(.*?)^```$", after, re.S | re.M)
    assert found, "no sh block under 'Installing the unit'"
    return found[1].splitlines()


def _words(line: str) -> list[str]:
    return shlex.split(line, comments=True)


def test_the_block_installs_what_the_build_needs() -> None:
    """Its apt-get line names the whole build: the venv module, the compiler, the headers
    (Python, libc, libcap) and sys/sdt.h; each is a package installed here."""
    apt = [_words(line) for line in install_block() if "apt-get" in line]
    assert len(apt) == 1 and apt[0][:4] == ["sudo", "apt-get", "install", "-y"], apt
    packages = apt[0][4:]
    assert set(packages) == {"python3-venv", "python3-dev", "gcc", "libc6-dev", "libcap-dev",
                             "systemtap-sdt-dev"}
    for package in packages:
        status = check(["dpkg-query", "-W", "-f=${Status}", package], timeout=3 * DEADLINE)
        assert status == "install ok installed", (package, status)


def _script(block: Path, source: Path, results: Path) -> str:
    """Inside the namespace: the block from ``source``, then the checks, each writing
    its output and status to ``results``."""
    mounts = [f"mount -t tmpfs tmpfs {where}"
              for where in ("/opt", "/usr/local", PurePosixPath(UNIT).parent)]
    folders = " ".join(f"/usr/local/{name}" for name in USR_LOCAL)

    def step(name: str, command: str) -> str:
        return f"{{ {command}; }} >{results}/{name}.out 2>&1; echo $? >{results}/{name}.status"

    return "\n".join([
        "set -u", *mounts, f"mkdir -p {folders}", f"cd {shlex.quote(str(source))}",
        step("python", "command -v python3"),
        step("block", f"bash {block}"),
        step("verify", f"systemd-analyze verify {UNIT}"),
        step("execstart", f"$(sed -n 's/^ExecStart=//p' {UNIT}) --version"),
        step("on-path", "sig-counter --version"),
        step("man", "man -w sig-counter"),
    ])


def _copy_sources(destination: Path) -> Path:
    """The source tree as a fresh clone has it (no venv, no build outputs)."""
    for name in source_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


def _as_found(path: str) -> tuple[int, int, int] | None:
    """What the machine's own ``path`` is (inode, mtime, size), or None if absent."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def test_the_install_block_runs_as_pasted_and_the_unit_verifies(tmp_path: Path) -> None:
    """The block, pasted as root into a place of its own (empty /opt, /usr/local and
    /etc/systemd/system), installs a unit that verifies and a command that runs; the
    machine's own /opt/sig-counter and unit, installed or not, are left as they were."""
    needs_root("a mount namespace with tmpfs mounts for the block to install into")
    installed("unshare", "util-linux")
    installed("systemd-analyze", "systemd")
    machines_own = {path: _as_found(path) for path in ("/opt/sig-counter", UNIT)}
    lines = [line for line in install_block() if not re.search(r"\b(apt-get|systemctl)\b", line)]
    assert len(lines) == len(install_block()) - 3, "one apt-get line and two systemctl lines"
    results = tmp_path / "results"
    results.mkdir()
    block = tmp_path / "block.sh"
    # As root there is no need for sudo, which a stock Debian may not have.
    block.write_text("set -e\nsudo() { \"$@\"; }\n" + "\n".join(lines) + "\n")
    script = _script(block, _copy_sources(tmp_path / "source"), results)
    # Debian's own PATH for root; /usr/local is the namespace's empty one.
    env = {"PATH": f"/usr/local/sbin:/usr/local/bin:{SYSTEM_PATH}", "HOME": str(Path.home()),
           "LANG": "C.UTF-8"}
    outcome = run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
                  env=env)
    assert outcome.returncode == 0, outcome.stdout

    def result(name: str) -> tuple[int, str]:
        return (int((results / f"{name}.status").read_text()),
                (results / f"{name}.out").read_text())

    assert result("python") == (0, "/usr/bin/python3\n")  # the system's own
    status, output = result("block")
    assert status == 0, output
    assert result("verify") == (0, "")
    version = f"sig-counter {sigcounter.__version__} ({build_note()})\n"
    assert result("execstart") == (0, version)
    assert result("on-path") == (0, version)
    status, found = result("man")
    assert status == 0 and found.strip() in {
        "/usr/local/share/man/man1/sig-counter.1", "/opt/sig-counter/" + MAN_PAGE}, found
    # The namespace is gone with its last process: nothing was installed out here.
    assert {path: _as_found(path) for path in machines_own} == machines_own

