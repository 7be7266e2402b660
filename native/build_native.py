"""cffi builder for ``sigcounter.kernel._native`` (out-of-line, API mode).

setuptools runs it through ``cffi_modules`` in setup.py; run it by hand with
``python native/build_native.py`` to compile in place while hacking on it.

The USDT probes need ``<sys/sdt.h>`` (Debian: systemtap-sdt-dev). When the
compiler cannot include it, the module is built without them, and says so
(``lib.SIGCOUNTER_PROBES`` is 0). ``SIGCOUNTER_PROBES=0`` in the environment
builds without them on purpose.
"""

import os
import shlex
import subprocess
import sysconfig
import tempfile
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent


def compiler_command() -> list[str]:
    """The C compiler the build uses: $CC, else the one Python was built with."""
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")


def compiler_has_sdt_h() -> bool:
    """Can that compiler compile a file that includes <sys/sdt.h>?"""
    compiler = compiler_command()
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch, "sdt_check.c")
        source.write_text("#include <sys/sdt.h>\nint main(void) { STAP_PROBE(check, here); }\n")
        try:
            result = subprocess.run(
                [*compiler, "-c", str(source), "-o", str(Path(scratch, "sdt_check.o"))],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            )
        except OSError:
            return False
    return result.returncode == 0


def with_probes() -> bool:
    return os.environ.get("SIGCOUNTER_PROBES") != "0" and compiler_has_sdt_h()


def _source_text() -> str:
    """source.c with loop_wait.h put in place of its ``#include``."""
    include = '#include "loop_wait.h"\n'
    source = (HERE / "source.c").read_text()
    if include not in source:
        raise SystemExit(f"native/source.c no longer has the line {include.strip()}")
    return source.replace(include, (HERE / "loop_wait.h").read_text())


ffibuilder = FFI()
ffibuilder.cdef((HERE / "cdef.h").read_text())
# The loop's structs: the very text source.c includes, so the layout Python
# sees is the one the C code was compiled with.
ffibuilder.cdef((HERE / "loop_wait.h").read_text())
ffibuilder.set_source(
    "sigcounter.kernel._native",
    # In the text, not a -D flag: the generated C file then changes with it,
    # so an incremental build (pip's build/ directory) recompiles it. The
    # header goes in too, for the same reason, in place of its #include.
    f"#define SIGCOUNTER_PROBES {int(with_probes())}\n" + _source_text(),
    # cffi's generated layout check takes the address of the packed
    # epoll_event.data on x86-64; that check is the point, the warning is noise.
    extra_compile_args=["-Wno-address-of-packed-member"],
)

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=str(HERE.parent), verbose=True)
