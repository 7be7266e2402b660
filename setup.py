"""Build glue: setuptools compiles sigcounter._native with cffi's builder.
Everything else about the package is in pyproject.toml."""

from setuptools import setup

setup(cffi_modules=["native/build_native.py:ffibuilder"])
