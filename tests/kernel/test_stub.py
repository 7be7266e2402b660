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


def test_signal_records_are_flat_int64_in_the_python_order() -> None:
    """struct sig_info is SigInfo's fields, in order, each an int64_t: the
    native wait's records are unpacked as one flat array, into the record
    SignalFD.read() gives too."""
    from sigcounter.kernel.loopwait import RECORD_WORDS
    from sigcounter.kernel.siginfo import SigInfo

    fields = ffi.typeof("struct sig_info").fields
    assert [name for name, _ in fields] == list(SigInfo._fields)
    assert {field.type.cname for _, field in fields} == {"int64_t"}
    assert ffi.sizeof("struct sig_info") == 8 * RECORD_WORDS


def test_the_signal_paths_words_are_in_a_row() -> None:
    """struct loop_wait's ticks, nsignals and records are 64-bit words in a
    row, as LoopWait reads them through one memoryview."""
    from sigcounter.kernel.loopwait import NSIGNALS, RECORDS, TICKS

    start = ffi.offsetof("struct loop_wait", "ticks")

    def word(field: str) -> int:
        return (ffi.offsetof("struct loop_wait", field) - start) // 8

    fields = dict(ffi.typeof("struct loop_wait").fields)
    assert start % 8 == 0
    assert (word("ticks"), word("nsignals"), word("signals")) == (TICKS, NSIGNALS, RECORDS)
    assert {fields["ticks"].type.cname, fields["nsignals"].type.cname} <= {"uint64_t", "int64_t"}
