"""Build glue: setuptools compiles sigcounter.kernel._native with cffi's builder and
installs bin/sig-counter. Everything else about the package is in pyproject.toml."""

from setuptools import setup

setup(
    cffi_modules=["native/build_native.py:ffibuilder"],
    scripts=["bin/sig-counter"],
)
