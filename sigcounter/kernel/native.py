"""Load the cffi extension, or explain in one sentence how to get it.

Only the modules of this subpackage import it: the rest of the program sees
plain Python values. The modules that read its structs check at import that
they are the ones they expect (``stale_module``).
"""

from __future__ import annotations

import sys

if not sys.platform.startswith("linux"):
    raise ImportError(
        f"sig-counter needs Linux (signalfd, timerfd and epoll); "
        f"this system is {sys.platform!r}"
    )

try:
    from sigcounter.kernel._native import ffi, lib
except ModuleNotFoundError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "sig-counter's native module sigcounter.kernel._native is not built: "
        "install the package with `pip install .` (needs gcc, the Python headers "
        f"and cffi), or run ./dev.sh run ({exc})"
    ) from exc
except ImportError as exc:  # pragma: no cover - built, but the loader refused it
    raise ImportError(f"sig-counter's native module cannot be loaded: {exc}") from exc



def stale_module(detail: str) -> ImportError:
    """The one-line error for a built module whose structs are not the ones
    this Python code reads (built from older or newer native sources)."""
    return ImportError(
        "sig-counter's native module sigcounter.kernel._native was built from other "
        f"sources than this code ({detail}): rebuild it with `pip install .` or ./dev.sh run"
    )


__all__ = ["ffi", "lib", "stale_module"]
