"""The hand-written stub (_native.pyi) says what the built module really has."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sigcounter.kernel
from sigcounter.kernel.native import ffi, lib

STUB = Path(sigcounter.kernel.__file__).with_name("_native.pyi")
STRUCTS = {
    "LoopWaitStruct": "struct loop_wait",
    "ReadyWatchStruct": "struct ready_watch",
}


def _stub_classes() -> dict[str, list[str]]:
    """Each class of the stub and the names it declares, in order."""
    tree = ast.parse(STUB.read_text())
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names = []
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names.append(item.target.id)
                elif isinstance(item, ast.FunctionDef):
                    names.append(item.name)
            classes[node.name] = names
    return classes


def test_stub_names_exactly_what_lib_has() -> None:
    """Every name of the built lib is in the stub, and the stub invents none."""
    assert sorted(_stub_classes()["_Lib"]) == sorted(dir(lib))


@pytest.mark.parametrize(("stub_class", "c_type"), sorted(STRUCTS.items()))
def test_stub_struct_fields_are_the_compilers(stub_class: str, c_type: str) -> None:
    """The stub's struct fields are the C struct's, in declaration order."""
    fields = [name for name, _field in ffi.typeof(c_type).fields]
    assert _stub_classes()[stub_class] == fields
