"""The USDT probes of the native module, and the one Python fires.

Provider ``sigcounter``, in ``sigcounter/kernel/_native*.so``: ``tick``,
``signal`` and ``wake`` fire in C, ``emit`` from Python. Their arguments are
described once, in docs/observing.md ("Static tracepoints"); scripts depend
on those names and positions. The emit probe's kind codes are the signal
actions' ``probe_code`` (``sigcounter/actions.py``).

A probe site is one ``nop`` until a tracer attaches. The emit probe needs a
call from Python, so the loop makes it only while ``emit_semaphore[0]`` is
nonzero: the probe's semaphore, which bpftrace and perf raise while attached. Likewise the
wake probe's clock reads happen only while its semaphore is up.

    bpftrace -l 'usdt:SO:sigcounter:*'
    bpftrace -p PID -e 'usdt:SO:sigcounter:signal { printf("%d from %d\\n", arg0, arg1); }'
"""

from __future__ import annotations

from sigcounter.kernel import _native
from sigcounter.kernel.native import ffi, lib

# Whether this build has the probes: the compiler had <sys/sdt.h>.
BUILT_WITH_PROBES = bool(lib.SIGCOUNTER_PROBES)
PROBE_NAMES = ("tick", "signal", "wake", "emit")
PROVIDER = "sigcounter"

# The installed extension: the file tracers attach to.
EXTENSION_PATH: str = _native.__file__


# The emit probe's semaphore, read in place: ``emit_semaphore[0]`` is nonzero
# while a tracer is attached to ``sigcounter:emit`` (always 0 without probes).
# An index into this view is no call: every call into C through cffi releases
# and retakes the GIL, and asking a C function cost three times the
# instructions, once per line on the signal path (docs/performance.md).
emit_semaphore = memoryview(ffi.buffer(ffi.addressof(lib, "sigcounter_emit_semaphore"),
                                       ffi.sizeof("unsigned short"))).cast("H")


# fire_emit(kind_code, count): fire ``sigcounter:emit``. The C function itself,
# with no Python wrapper around it; call it only when ``emit_semaphore[0]``.
fire_emit = lib.fire_emit


def build_note() -> str:
    """One phrase for ``--version``: does this build carry the probes?"""
    if BUILT_WITH_PROBES:
        return f"USDT probes {', '.join(f'{PROVIDER}:{name}' for name in PROBE_NAMES)}"
    return "no USDT probes (built without <sys/sdt.h>)"


__all__ = [
    "BUILT_WITH_PROBES", "EXTENSION_PATH", "PROBE_NAMES", "PROVIDER", "build_note",
    "emit_semaphore", "fire_emit",
]
