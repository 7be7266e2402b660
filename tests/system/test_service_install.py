"""docs/service.md's install block, taken from the page and run as it stands with the
system's python3 and Debian's own PATH: once as root with no sudo to be found (a
root-password Debian, a container), once as a user whose real sudo lets them run
anything. Each run has a mount namespace of its own where /opt, /usr/local and
/etc/systemd/system are empty tmpfs mounts, so the block installs into scratch space;
its apt-get line runs for real (every package is installed already, so it installs
nothing), told by a namespace-local apt setting to wait for a dpkg lock that another
apt on the machine holds. Then the installed unit must verify clean and its
ExecStart= must run. The page's systemctl lines are a block of their own, not run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from support.deadline import DEADLINE
from support.packaging import ROOT, SYSTEM_PATH, check, run, source_files
from support.tools import find, installed, needs_root

import sigcounter
from sigcounter.kernel.probes import build_note

pytestmark = pytest.mark.once  # it builds with the system's python3, whatever runs the suite

PAGE = ROOT / "docs" / "service.md"
UNIT = "/etc/systemd/system/sig-counter.service"
MAN_PAGE = "share/man/man1/sig-counter.1"
# A stock Debian's /usr/local: its folders, empty.
USR_LOCAL = ("bin", "etc", "games", "include", "lib", "sbin", "share/man", "src")
SUDO_USER, SUDO_GROUP = "nobody", "nogroup"  # given sudo in the namespace only
WAIT_FOR_DPKG_LOCK = 'DPkg::Lock::Timeout "240";\n'


def install_block() -> str:
    """The first ``sh`` block after the page's "Installing the unit" heading."""
    text = PAGE.read_text()
    after = text[text.index("### Installing the unit"):]
    found = re.search(r"^```sh\n(.*?)^```$", after, re.S | re.M)
    assert found, "no sh block under 'Installing the unit'"
    return found[1]


def test_the_block_installs_what_the_build_needs() -> None:
    """Its apt-get line names the whole build: the venv module, the compiler, the headers
    (Python, libc, libcap) and sys/sdt.h; each is a package installed here."""
    apt = [shlex.split(line, comments=True) for line in install_block().splitlines()
           if "apt-get" in line]
    assert len(apt) == 1 and apt[0][:4] == ["$as_root", "apt-get", "install", "-y"], apt
    packages = apt[0][4:]
    assert set(packages) == {"python3-venv", "python3-dev", "gcc", "libc6-dev", "libcap-dev",
                             "systemtap-sdt-dev"}
    for package in packages:
        status = check(["dpkg-query", "-W", "-f=${Status}", package], timeout=3 * DEADLINE)
        assert status == "install ok installed", (package, status)


def test_the_block_starts_no_service() -> None:
    """The block a test can run holds no systemctl line: those are the next block's."""
    assert "systemctl" not in install_block()


def _namespace_setup(scratch: Path, through_sudo: bool) -> list[str]:
    """Inside the namespace, before the block: the empty places it installs into, apt
    told to wait for the lock, and sudo either given to the user or made unrunnable."""
    mounts = [f"mount -t tmpfs tmpfs {where}"
              for where in ("/opt", "/usr/local", PurePosixPath(UNIT).parent)]
    apt_conf = scratch / "apt.conf.d"
    shutil.copytree("/etc/apt/apt.conf.d", apt_conf)
    (apt_conf / "99wait-for-the-lock").write_text(WAIT_FOR_DPKG_LOCK)
    steps = [*mounts, f"mkdir -p {' '.join(f'/usr/local/{name}' for name in USR_LOCAL)}",
             f"mount --bind {apt_conf} /etc/apt/apt.conf.d"]
    sudo = find("sudo")
    if through_sudo:
        sudoers = scratch / "sudoers.d"
        sudoers.mkdir(mode=0o755)
        rule = sudoers / "sig-counter-test"
        rule.write_text(f"{SUDO_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n")
        rule.chmod(0o440)
        steps.append(f"mount --bind {sudoers} /etc/sudoers.d")
    elif sudo:
        # As on a Debian without sudo: a file there, but nothing bash will run.
        (scratch / "no-sudo").write_text("")
        steps.append(f"mount --bind {scratch / 'no-sudo'} {sudo}")
    return steps


def _script(block: Path, source: Path, results: Path, through_sudo: bool) -> str:
    """Inside the namespace: the set-up, the block from ``source``, then the checks,
    each writing its output and status to ``results``."""
    as_user = (f"setpriv --reuid={SUDO_USER} --regid={SUDO_GROUP} --clear-groups -- "
               if through_sudo else "")

    def step(name: str, command: str) -> str:
        return f"{{ {command}; }} >{results}/{name}.out 2>&1; echo $? >{results}/{name}.status"

    return "\n".join([
        "set -eu", *_namespace_setup(results.parent, through_sudo), "set +e",
        f"cd {shlex.quote(str(source))}",
        step("python", "command -v python3"),
        step("block", f"{as_user}bash -e {block}"),
        step("verify", f"systemd-analyze verify {UNIT}"),
        step("execstart", f"$(sed -n 's/^ExecStart=//p' {UNIT}) --version"),
        step("on-path", "sig-counter --version"),
        step("man", "man -w sig-counter"),
    ])


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A scratch folder the sudo user can read too (tmp_path's parents are root's
    alone), removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="sig-counter-install-"))
    where.chmod(0o755)
    try:
        yield where
    finally:
        shutil.rmtree(where)


def _copy_sources(destination: Path) -> Path:
    """The source tree as a fresh clone has it (no venv, no build outputs), readable
    by everyone, as a checkout in a home folder is."""
    for name in source_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        shutil.copy2(ROOT / name, target)
    return destination


def _as_found(path: str) -> tuple[int, int, int] | None:
    """What the machine's own ``path`` is (inode, mtime, size), or None if absent."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def _results(results: Path) -> dict[str, tuple[int, str]]:
    return {path.stem: (int(path.read_text()), (results / f"{path.stem}.out").read_text())
            for path in results.glob("*.status")}


@pytest.mark.parametrize("how", ["as root, with no sudo", "through sudo"])
def test_the_install_block_runs_as_pasted_and_the_unit_verifies(how: str, scratch: Path) -> None:
    """The block, pasted as root or through sudo into a place of its own (empty /opt,
    /usr/local and /etc/systemd/system), installs a unit that verifies and a command
    that runs; the machine's own /opt/sig-counter and unit are left as they were."""
    needs_root("a mount namespace with tmpfs mounts for the block to install into")
    installed("unshare", "util-linux")
    installed("systemd-analyze", "systemd")
    through_sudo = how == "through sudo"
    if through_sudo:
        installed("sudo", "sudo")
        installed("setpriv", "util-linux")
    machines_own = {path: _as_found(path) for path in ("/opt/sig-counter", UNIT)}
    results = scratch / "results"
    results.mkdir()
    block = scratch / "block.sh"
    block.write_text(install_block())
    block.chmod(0o644)
    script = _script(block, _copy_sources(scratch / "source"), results, through_sudo)
    # Debian's own PATH for root; /usr/local is the namespace's empty one.
    env = {"PATH": f"/usr/local/sbin:/usr/local/bin:{SYSTEM_PATH}", "HOME": str(Path.home()),
           "LANG": "C.UTF-8"}
    outcome = run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
                  env=env)
    assert outcome.returncode == 0, outcome.stdout
    result = _results(results)
    assert result["python"] == (0, "/usr/bin/python3\n")  # the system's own
    assert result["block"][0] == 0, result["block"][1]
    assert result["verify"] == (0, "")
    version = f"sig-counter {sigcounter.__version__} ({build_note()})\n"
    assert result["execstart"] == (0, version)
    assert result["on-path"] == (0, version)
    status, found = result["man"]
    assert status == 0 and found.strip() in {
        "/usr/local/share/man/man1/sig-counter.1", "/opt/sig-counter/" + MAN_PAGE}, found
    # The namespace is gone with its last process: nothing was installed out here.
    assert {path: _as_found(path) for path in machines_own} == machines_own
