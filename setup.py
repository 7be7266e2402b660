"""Build glue: setuptools compiles sigcounter.kernel._native with cffi's builder,
installs bin/sig-counter and the man page, and tags the wheel for the stable ABI.
Everything else about the package is in pyproject.toml."""

from setuptools import setup

setup(
    cffi_modules=["native/build_native.py:ffibuilder"],
    scripts=["bin/sig-counter"],
    # <prefix>/share/man/man1: where man(1) looks for a command in <prefix>/bin.
    data_files=[("share/man/man1", ["man/sig-counter.1"])],
    # cffi compiles the module against the limited API (_native.abi3.so), so one
    # wheel, tagged cp311-abi3, serves CPython 3.11 and every later version.
    options={"bdist_wheel": {"py_limited_api": "cp311"}},
)
