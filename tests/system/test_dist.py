"""``./dev.sh dist``: an sdist that carries the tests, the docs and the licence and
whose suite runs unpacked, and one wheel for the stable ABI, tagged manylinux, that
installs and runs on every CPython from 3.11 up; a build that warns of nothing."""

from __future__ import annotations

import email.parser
import platform
import re
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest
from support import Running
from support.deadline import BACKSTOP, BUILD_DEADLINE, DEADLINE
from support.packaging import (
    BASE_PYTHON,
    ROOT,
    SYSTEM_PATH,
    VENV,
    Dist,
    check,
    dev_sh_env,
    find_python,
    make_venv,
    pip_install,
    run,
    source_files,
)

import sigcounter
from sigcounter.kernel.probes import build_note

pytestmark = pytest.mark.once  # builds and installs for every Python at once

VERSION = sigcounter.__version__
PYTHONS = ("3.11", "3.12", "3.13")
MAN_PAGE = "share/man/man1/sig-counter.1"
MODULE = "sigcounter/kernel/_native.abi3.so"
# pip's own complaint about a find-links or index folder named in this machine's pip
# configuration that does not exist; it says nothing about the build.
PIP_CONFIG_NOTE = re.compile(r"^WARNING: Location '[^']*' is ignored: it is neither a file nor")


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """``./dev.sh dist`` into a scratch $DIST, with this run's venv: one sdist, one
    wheel, built once for the whole session."""
    out = tmp_path_factory.mktemp("dist")
    result = run(["./dev.sh", "dist"], cwd=ROOT, env=dev_sh_env(DIST=str(out)))
    assert result.returncode == 0, result.stdout
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(path.name for path in out.iterdir())
    assert sorted(out.iterdir()) == sorted([*sdists, *wheels]), "nothing else in $DIST"
    return Dist(sdists[0], wheels[0], result.stdout)


def _metadata(text: str) -> Message:
    return email.parser.Parser().parsestr(text)


def _wheel_text(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name).decode()


def test_the_wheel_is_tagged_for_the_stable_abi_and_manylinux2014(dist: Dist) -> None:
    """One wheel, cp311-abi3-manylinux2014 (glibc 2.17): auditwheel checked and retagged it,
    and ``auditwheel show`` finds it consistent with that policy."""
    machine = platform.machine()
    tags = rf"cp311-abi3-manylinux2014_{machine}\.manylinux_2_17_{machine}"
    assert re.fullmatch(rf"sig_counter-{re.escape(VERSION)}-{tags}\.whl", dist.wheel.name)
    wheel_file = _metadata(_wheel_text(dist.wheel, f"sig_counter-{VERSION}.dist-info/WHEEL"))
    assert wheel_file["Root-Is-Purelib"] == "false"
    assert sorted(wheel_file.get_all("Tag", [])) == [
        f"cp311-abi3-manylinux2014_{machine}", f"cp311-abi3-manylinux_2_17_{machine}"]
    with zipfile.ZipFile(dist.wheel) as archive:
        modules = [name for name in archive.namelist() if ".so" in name]
    assert modules == [MODULE]
    shown = check([str(VENV / "bin" / "auditwheel"), "show", str(dist.wheel)],
                  timeout=12 * DEADLINE)
    assert f'consistent with the following platform tag:\n"manylinux_2_17_{machine}"' in shown


def test_the_module_binds_no_glibc_symbol_newer_than_manylinux2014(
    dist: Dist, tmp_path: Path
) -> None:
    """readelf on the wheel's module: each versioned symbol it takes from glibc is at
    most GLIBC_2.17 (clock_gettime's, the newest it needs), and libc is the one library
    it needs."""
    with zipfile.ZipFile(dist.wheel) as archive:
        module = Path(archive.extract(MODULE, tmp_path))
    symbols = check(["readelf", "--wide", "--dyn-syms", str(module)], timeout=6 * DEADLINE)
    bound = dict(re.findall(r"\bUND (\w+)@+(GLIBC_[\d.]+)", symbols))
    assert {"epoll_pwait", "signalfd", "sigprocmask", "clock_gettime"} <= bound.keys(), symbols

    def version(name: str) -> tuple[int, ...]:
        return tuple(map(int, name.removeprefix("GLIBC_").split(".")))

    newer = {symbol: name for symbol, name in bound.items() if version(name) > (2, 17)}
    assert newer == {}
    dynamic = check(["readelf", "--wide", "--dynamic", str(module)], timeout=6 * DEADLINE)
    assert re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", dynamic) == ["libc.so.6"]


def test_the_licence_is_mit_said_the_spdx_way(dist: Dist) -> None:
    """Metadata 2.4: License-Expression: MIT and the LICENSE file, in the wheel and in
    the sdist; no old-style License field or licence classifier."""
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n")
    wheel_metadata = _wheel_text(dist.wheel, f"sig_counter-{VERSION}.dist-info/METADATA")
    assert _wheel_text(dist.wheel, f"sig_counter-{VERSION}.dist-info/licenses/LICENSE") == licence
    with tarfile.open(dist.sdist) as sdist:
        pkg_info = _read(sdist, "PKG-INFO")
        assert _read(sdist, "LICENSE") == licence
    for metadata in map(_metadata, (wheel_metadata, pkg_info)):
        assert tuple(map(int, metadata["Metadata-Version"].split("."))) >= (2, 4)
        assert metadata["License-Expression"] == "MIT"
        assert metadata.get_all("License-File") == ["LICENSE"]
        assert metadata["License"] is None
        assert not [c for c in metadata.get_all("Classifier", []) if c.startswith("License")]


def _read(sdist: tarfile.TarFile, name: str) -> str:
    member = sdist.extractfile(f"sig_counter-{VERSION}/{name}")
    assert member is not None, name
    return member.read().decode()


def test_the_build_warns_of_nothing(dist: Dist) -> None:
    """No deprecation warning, nor any other, anywhere in ./dev.sh dist's output."""
    lines = dist.output.splitlines()
    assert any("Building wheel" in line for line in lines), dist.output  # the build's output
    warned = [line for line in lines
              if re.search(r"warn|deprecat", line, re.I) and not PIP_CONFIG_NOTE.match(line)]
    assert warned == []


def test_the_sdist_carries_the_sources_tests_docs_and_licence(dist: Dist) -> None:
    """Every source file under tests/ and docs/, the native sources, the man page, dev.sh
    and LICENSE, and no cache or build output."""
    with tarfile.open(dist.sdist) as sdist:
        members = {name.partition("/")[2] for name in sdist.getnames()}
    wanted = {name for name in source_files() if name.startswith(("tests/", "docs/"))}
    assert len(wanted) > 50  # the listing worked
    wanted |= {"LICENSE", "README.md", "dev.sh", "man/sig-counter.1", "bin/sig-counter",
               "native/build_native.py", "native/cdef.h", "native/loop_wait.h",
               "native/source.c", "setup.py",
               "pyproject.toml"}
    assert wanted - members == set()
    assert [name for name in members if re.search(r"__pycache__|\.so$|\.pyc$", name)] == []


@pytest.mark.parametrize("version", PYTHONS)
def test_the_wheel_installs_and_runs_on(dist: Dist, version: str, tmp_path: Path) -> None:
    """In a new venv of each CPython: the command runs, answers SIGUSR1 and SIGTERM, and
    its man page is in share/man/man1, where man finds it from the venv's bin."""
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine (looked on PATH and under pyenv)")
    bin_dir = make_venv(python, tmp_path / "venv")
    pip_install(bin_dir, str(dist.wheel))
    assert check([str(bin_dir / "sig-counter"), "--version"]).strip() == \
        f"sig-counter {VERSION} ({build_note()})"
    process = Running("--interval", "0.05", program=(str(bin_dir / "sig-counter"),))
    try:
        process.wait_ready()
        process.count_after_a_tick()  # fails unless it ticks and answers
        process.terminate()
    finally:
        process.stop()
    installed = tmp_path / "venv" / MAN_PAGE
    assert installed.read_text() == (ROOT / "man" / "sig-counter.1").read_text()
    found = check(["man", "-w", "sig-counter"],
                  env={"PATH": f"{bin_dir}:{SYSTEM_PATH}", "HOME": str(tmp_path)})
    assert Path(found.strip()) == installed


def _collected(pytest_bin: Path, cwd: Path) -> int:
    output = check([str(pytest_bin), "--collect-only", "-q", "-p", "no:cacheprovider"],
                   cwd=cwd, timeout=12 * DEADLINE)
    found = re.search(r"^(\d+) tests collected", output, re.M)
    assert found, output
    return int(found[1])


# A venv, its packages (from PyPI when pip has no cache: minutes on a fresh
# machine), ruff, mypy and the unit tests: each command has its own deadline,
# and the suite's 60 s backstop is for one hang, not for a build.
@pytest.mark.timeout(BUILD_DEADLINE + 3 * BACKSTOP)
def test_the_suite_runs_from_the_unpacked_sdist(dist: Dist, tmp_path: Path) -> None:
    """Unpacked, the sdist runs the README's test command (here its quick run, -m unit),
    and collects every test the checkout has."""
    check(["tar", "-xzf", str(dist.sdist), "-C", str(tmp_path)], timeout=6 * DEADLINE)
    unpacked = tmp_path / f"sig_counter-{VERSION}"
    env = {"PATH": SYSTEM_PATH, "HOME": str(Path.home()),
           "PYTHON": BASE_PYTHON, "LANG": "C.UTF-8"}
    result = run(["./dev.sh", "test", "-q", "-m", "unit", "-p", "no:cacheprovider"],
                 cwd=unpacked, env=env)
    assert result.returncode == 0, result.stdout
    summary = re.search(r"^(\d+) passed, (\d+) deselected in ", result.stdout, re.M)
    assert summary and int(summary[1]) > 0, result.stdout
    assert _collected(unpacked / ".venv" / "bin" / "pytest", unpacked) == \
        _collected(VENV / "bin" / "pytest", ROOT)
