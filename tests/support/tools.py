"""The programs the suite runs besides sig-counter, and what a test says when it
cannot run one.

A user's PATH often lacks /usr/sbin and /sbin, where Debian puts
start-stop-daemon, runsv and killall5 (pidof): ``installed`` looks there too
(and beside the venv's interpreter, for tools pip installs), so that "not
installed" is said only of what is missing. ``needs_root`` skips, saying so,
a test that only root can run.
"""

from __future__ import annotations

import os
import shutil

import pytest

from support.process import SIG_COUNTER

SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def find(program: str) -> str | None:
    """``program``'s path: on PATH, in the sbin folders, or beside the venv's python."""
    elsewhere = os.pathsep.join((*SBIN, str(SIG_COUNTER.parent)))
    return shutil.which(program) or shutil.which(program, path=elsewhere)


def installed(program: str, package: str | None = None) -> str:
    """``program``'s path; the test fails, naming its Debian ``package`` if given,
    when it is missing (./dev.sh test installs every one the suite runs)."""
    found = find(program)
    if found is None:
        where = f" (Debian package {package})" if package else ""
        pytest.fail(f"{program} is not installed{where}: ./dev.sh test installs it")
    return found


def needs_root(why: str) -> None:
    """Skip the calling test unless it runs as root, saying ``why`` it must."""
    if os.geteuid() != 0:
        pytest.skip(f"needs root ({why}); run the suite as root to include it")


__all__ = ["SBIN", "find", "installed", "needs_root"]
