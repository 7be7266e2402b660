"""cffi builder for ``sigcounter.kernel._native`` (out-of-line, API mode).

setuptools runs it through ``cffi_modules`` in setup.py; run it by hand with
``python native/build_native.py`` to compile in place while hacking on it.
"""

from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent

ffibuilder = FFI()
ffibuilder.cdef((HERE / "cdef.h").read_text())
ffibuilder.set_source(
    "sigcounter.kernel._native",
    (HERE / "source.c").read_text(),
    # cffi's generated layout check takes the address of the packed
    # epoll_event.data on x86-64; that check is the point, the warning is noise.
    extra_compile_args=["-Wno-address-of-packed-member"],
)

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=str(HERE.parent), verbose=True)
