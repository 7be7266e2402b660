"""The start-up tricks of sigcounter/kernel/lean.py: still needed, still working.

Each check is against what the same interpreter loads with nothing to run, so
that what its site set-up brings along (a ``.pth`` file that imports
``typing``, a sitecustomize) counts against neither the program nor a trick.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from support import DEADLINE, READY, SIG_COUNTER, Child

FORBIDDEN = ("typing", "re", "enum", "signal", "collections")


def _baseline() -> set[str]:
    """Every module a bare ``python -c pass`` of this interpreter imports."""
    bare = subprocess.run([sys.executable, "-X", "importtime", "-c", "pass"],
                          capture_output=True, text=True, timeout=DEADLINE, check=True)
    return _names(bare.stderr.splitlines())


def _modules_of_a_plain_run() -> set[str]:
    """Every module the plain command imported, up to a clean shutdown."""
    process = Child([sys.executable, "-X", "importtime", str(SIG_COUNTER)],
                    stdout=subprocess.DEVNULL)
    try:
        lines = process.err_until(READY)  # importtime's lines come before the ready line
        process.send(signal.SIGTERM)
        assert process.wait_exit() == 0
        return _names(lines + process.rest_of_stderr())
    finally:
        process.stop()


def _names(lines: list[str]) -> set[str]:
    # "import time:  self [us] | cumulative | imported package": the last column.
    return {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}


@pytest.mark.parametrize("site", ["as installed", "a sitecustomize importing typing"])
def test_the_plain_command_imports_none_of_the_heavy_modules(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """typing, re, enum, signal and collections stay out of the plain run, beyond
    what a bare ``python -c pass`` of the same interpreter loads already: also
    where the site set-up imports typing (and with it re, enum, collections)."""
    customized = site != "as installed"
    if customized:
        (tmp_path / "sitecustomize.py").write_text("import typing\n")
        monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    baseline = _baseline()
    assert "typing" in baseline or not customized  # the set-up took effect
    modules = _modules_of_a_plain_run()
    assert "sigcounter.loop" in modules  # the probe saw the real run
    checked = set(FORBIDDEN) - baseline
    if not checked:
        pytest.skip(f"this interpreter's start-up alone imports all of {FORBIDDEN}")
    assert not checked & modules


def _new_modules(statement: str) -> list[str]:
    """What ``statement`` imports into a bare interpreter: -S, so no .pth file has
    loaded anything first; site-packages put on the path by hand, for prctl."""
    # Only sys is imported first: json would bring re and collections along.
    code = f"import sys; sys.path.append({sysconfig.get_path('purelib')!r}); " \
        f"before = set(sys.modules); {statement}; " \
        "print(' '.join(sorted(set(sys.modules) - before)))"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True,
                            text=True, timeout=DEADLINE, check=True)
    return result.stdout.split()


def test_each_trick_still_avoids_what_it_says() -> None:
    """The imports lean.py stands in for would each load more than it does."""
    assert {"collections", "functools"} <= set(_new_modules("import typing"))
    assert set(_new_modules("from _operator import itemgetter")) <= {"_operator"}  # built in
    assert "operator" in _new_modules("import operator")
    assert set(_new_modules("import _prctl")) < set(_new_modules("import prctl"))
