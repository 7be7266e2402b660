"""The sdist is the source tree: every file of the checkout but git's own, so that each
command the README and docs/contributing.md name (``./dev.sh bench``, ``tools/``, ``.ci/run``)
runs from it unpacked, as it does from a clone."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from support.deadline import BUILD_DEADLINE
from support.packaging import ROOT, VENV, check, source_files

pytestmark = pytest.mark.once  # the same sdist under every Python

# What a clone has that an unpacked sdist needs not: git's own file.
GITS_OWN = {".gitignore"}
# What setuptools adds to every sdist: the metadata.
METADATA = ("PKG-INFO", "setup.cfg", "sig_counter.egg-info/")


@pytest.mark.timeout(BUILD_DEADLINE + 60)
def test_the_sdist_carries_every_source_file(tmp_path: Path) -> None:
    """``python -m build --sdist`` of the source files, as ./dev.sh dist makes it, holds
    each of them but .gitignore, and nothing else but setuptools' metadata."""
    sources = source_files()
    assert {"dev.sh", ".ci/run", "tools/quickstart.sh", "bench/run.py"} <= sources
    tree = tmp_path / "src"
    for name in sources:  # a copy, so that the build writes its egg-info there
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tree / name)
    check([str(VENV / "bin" / "python"), "-m", "build", "--sdist", "--outdir",
           str(tmp_path / "out"), str(tree)])
    (sdist,) = (tmp_path / "out").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        files = {member.name.partition("/")[2] for member in archive.getmembers()
                 if member.isfile()}
    assert sources - files == GITS_OWN & sources
    assert {name for name in files - sources if not name.startswith(METADATA)} == set()
