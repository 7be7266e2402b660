"""An unprivileged user beside a root-owned directory, as an init script
prepares a service's pidfile: the directory root's (0755), the file in it the
user's. The user is ``nobody``; only root can set this up, so every helper
skips, with the reason, where the test does not run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.deadline import DEADLINE
from support.process import SIG_COUNTER

USER = "nobody"


def user_ids() -> tuple[int, int]:
    """The unprivileged user's uid and gid; skips when that cannot be used here."""
    if os.geteuid() != 0:
        pytest.skip("needs root: only root can make a directory an unprivileged user "
                    "cannot write, with that user's file in it")
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        pytest.skip(f"there is no user {USER!r} here")
    return entry.pw_uid, entry.pw_gid


def as_user_argv() -> tuple[str, ...]:
    """The command line that runs sig-counter as that user, with no supplementary
    groups (setpriv execs it: the PID is sig-counter's own)."""
    uid, gid = user_ids()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is not installed (it comes with util-linux)")
    argv = (setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", str(SIG_COUNTER))
    probe = subprocess.run([*argv, "--version"], capture_output=True, timeout=DEADLINE,
                           stdin=subprocess.DEVNULL, check=False)
    if probe.returncode != 0:
        pytest.skip(f"{USER} cannot run {SIG_COUNTER} from here: {probe.stderr!r}")
    return argv


def drop_privileges() -> None:
    """Become the unprivileged user for good: only in a forked child (``in_child``)."""
    uid, gid = user_ids()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


@contextmanager
def service_directory() -> Iterator[Path]:
    """A root-owned 0755 directory the user can reach (tmp_path's parents are
    root's alone), removed afterwards."""
    user_ids()
    directory = Path(tempfile.mkdtemp(prefix="sig-counter-service-"))
    try:
        directory.chmod(0o755)
        yield directory
    finally:
        shutil.rmtree(directory)


def give_to_user(path: Path, text: str = "", mode: int = 0o644) -> Path:
    """Make ``path`` a file holding ``text``, owned by the user, as
    ``install -o USER -m MODE`` would."""
    uid, gid = user_ids()
    path.write_text(text)
    os.chown(path, uid, gid)
    path.chmod(mode)
    return path
