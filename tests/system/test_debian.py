"""debian/ agrees with the rest of the tree: the package's version is the program's, it
depends on Debian's own python3-prctl and python3-cffi-backend, the Debian 12 patch
still applies to pyproject.toml and says the licence the way setuptools 66 reads it,
and the packaged unit is docs/sig-counter.service with the packaged command. Building
the package and installing it into fresh roots is tools/deb-in-roots.sh's job."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

from support.deadline import DEADLINE

import sigcounter

ROOT = Path(__file__).resolve().parents[2]
DEBIAN = ROOT / "debian"
PATCH = "bookworm-setuptools-66.patch"


def _paragraphs(text: str) -> list[dict[str, str]]:
    """deb822 paragraphs, each field's lines joined (a continuation starts with a space)."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        name = ""
        for line in block.splitlines():
            if line.startswith((" ", "\t")):
                fields[name] += "\n" + line.strip()
            else:
                name, _, value = line.partition(":")
                fields[name] = value.strip()
        paragraphs.append(fields)
    return paragraphs


def _relations(field: str) -> list[str]:
    return [item.strip() for item in field.replace("\n", " ").split(",") if item.strip()]


def test_the_changelog_is_at_the_programs_version() -> None:
    """debian/changelog's newest entry is __version__ with a Debian revision, as
    ./dev.sh deb requires before it builds."""
    first = (DEBIAN / "changelog").read_text().splitlines()[0]
    found = re.fullmatch(r"sig-counter \(([^-()]+)-(\d+)\) (\S+); urgency=\w+", first)
    assert found, first
    assert found[1] == sigcounter.__version__


def test_it_depends_on_debians_packages_and_builds_with_the_probes() -> None:
    """Run time: Debian's python3 (3.11 or newer, for the cp311 stable ABI),
    python3-prctl and python3-cffi-backend, never the cffi compiler; build time:
    debhelper 13, dh-python, the pyproject plugin and sys/sdt.h."""
    source, binary = _paragraphs((DEBIAN / "control").read_text())
    depends = _relations(binary["Depends"])
    assert {"python3-prctl", "python3-cffi-backend", "python3 (>= 3.11~)"} <= set(depends)
    assert "python3-cffi" not in depends
    build = {item.split()[0] for item in _relations(source["Build-Depends"])}
    assert {"debhelper-compat", "dh-python", "pybuild-plugin-pyproject",
            "systemtap-sdt-dev"} <= build
    assert "debhelper-compat (= 13)" in _relations(source["Build-Depends"])


def _apply(patch: str, text: str) -> str:
    """``text`` with ``patch``'s one-file unified diff applied; every context and removed
    line must be where the hunk says."""
    lines = text.splitlines(keepends=True)
    body_of_diff = patch.split("\n+++ ", 1)[1]
    hunks = re.split(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*\n", body_of_diff, flags=re.M)
    offset = 0
    for start, body in zip(hunks[1::2], hunks[2::2], strict=True):
        at = int(start) - 1 + offset
        old = [line[1:] + "\n" for line in body.splitlines() if line[:1] in (" ", "-")]
        new = [line[1:] + "\n" for line in body.splitlines() if line[:1] in (" ", "+")]
        assert lines[at:at + len(old)] == old, f"the hunk at line {start} no longer applies"
        lines[at:at + len(old)] = new
        offset += len(new) - len(old)
    return "".join(lines)


def test_the_debian_12_patch_applies_and_changes_only_the_licence_lines() -> None:
    """Patched, pyproject.toml says ``license = { text = "MIT" }`` with no license-files
    and asks for setuptools 66; everything else is as it was. series names the patch
    commented out, for ./dev.sh deb to apply on a setuptools older than 77."""
    original = (ROOT / "pyproject.toml").read_text()
    patched = tomllib.loads(_apply((DEBIAN / "patches" / PATCH).read_text(), original))
    before = tomllib.loads(original)
    assert patched["project"].pop("license") == {"text": "MIT"}
    assert before["project"].pop("license") == "MIT"
    assert before["project"].pop("license-files") == ["LICENSE"]
    assert patched["build-system"].pop("requires") == ["setuptools>=66", "cffi>=1.16"]
    before["build-system"].pop("requires")
    assert patched == before
    series = (DEBIAN / "patches" / "series").read_text().splitlines()
    assert f"# {PATCH}" in series
    assert [line for line in series if line and not line.startswith("#")] == []


def _packaged_unit(tmp_path: Path) -> str:
    """What debian/rules makes of docs/sig-counter.service: its recipe, run by sh."""
    rules = (DEBIAN / "rules").read_text()
    recipe = re.search(r"^execute_before_dh_installsystemd:\n((?:\t.*\n)+)", rules, re.M)
    assert recipe, "no execute_before_dh_installsystemd in debian/rules"
    command = recipe[1].replace("\\\n", "").replace("\t", " ")
    assert "$" not in command.replace("$'", ""), "a make variable the test would not expand"
    (tmp_path / "docs").mkdir()
    (tmp_path / "debian").mkdir()
    shutil.copy(ROOT / "docs" / "sig-counter.service", tmp_path / "docs")
    subprocess.run(["sh", "-ec", command], cwd=tmp_path, check=True, timeout=3 * DEADLINE)
    return (tmp_path / "debian" / "sig-counter.service").read_text()


def test_the_packaged_unit_is_the_docs_unit_with_the_packaged_command(tmp_path: Path) -> None:
    """The same unit, hardening and all, but for ExecStart=/usr/bin/sig-counter, the
    comment above it, and Documentation= naming the man page the package installs."""
    docs = (ROOT / "docs" / "sig-counter.service").read_text().splitlines()
    packaged = _packaged_unit(tmp_path).splitlines()
    assert "ExecStart=/usr/bin/sig-counter" in packaged
    assert packaged[packaged.index("ExecStart=/usr/bin/sig-counter") - 1].startswith("# ")
    description = docs.index(next(line for line in docs if line.startswith("Description=")))
    assert packaged[description + 1] == "Documentation=man:sig-counter(1)"
    changed = {index for index, line in enumerate(docs) if line.startswith("ExecStart=")}
    changed.add(min(changed) - 1)  # its comment
    expected = [line for index, line in enumerate(docs) if index not in changed]
    kept = [line for line in packaged
            if not line.startswith(("ExecStart=", "Documentation="))
            and line != packaged[packaged.index("ExecStart=/usr/bin/sig-counter") - 1]]
    assert kept == expected
