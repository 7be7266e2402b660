"""The package is laid out by layer, and the folders show which way imports run:
kernel/ imports nothing above it, instruments/ nothing from the program (not
even for type hints: they are told plain values), only kernel/ touches cffi,
the signal table imports nothing but ``_signal`` and its actions, every record is slotted, and
there are no import cycles."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import sigcounter
from sigcounter.kernel.record import Record

PACKAGE = Path(sigcounter.__file__).parent
MODULES = sorted(
    path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, *, type_checking: bool = False) -> set[str]:
    """Modules imported when the module runs (and, with ``type_checking``,
    those under ``if TYPE_CHECKING`` too)."""
    imported: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if (isinstance(child, ast.If) and not type_checking
                    and getattr(child.test, "id", "") == "TYPE_CHECKING"):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                imported.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                imported.add(child.module)
                imported.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text()))
    return imported


def _layer(module: str) -> str:
    if module.startswith("sigcounter.kernel"):
        return "kernel"
    if module.startswith("sigcounter.instruments"):
        return "instruments"
    return "program"


ALLOWED = {"kernel": {"kernel"}, "instruments": {"kernel", "instruments"},
           "program": {"kernel", "instruments", "program"}}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: _module_name(path))
def test_imports_run_downwards(path: Path) -> None:
    """A module imports only from its own layer or the ones below it."""
    layer = _layer(_module_name(path))
    for target in _runtime_imports(path):
        if target.startswith("sigcounter.") and target != "sigcounter.__version__":
            assert _layer(target) in ALLOWED[layer], f"{_module_name(path)} imports {target}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: _module_name(path))
def test_instruments_know_nothing_of_the_programs_records(path: Path) -> None:
    """instruments/ imports nothing from the program even for type checking:
    the loop tells them plain values and kernel records, so they never read
    the program's own records (Event, Tick) at run time."""
    if _layer(_module_name(path)) != "instruments":
        return
    for target in _runtime_imports(path, type_checking=True):
        if target.startswith("sigcounter."):
            assert _layer(target) != "program", f"{_module_name(path)} imports {target}"


def test_the_signal_table_imports_only_the_builtin_signal_module_and_its_actions() -> None:
    """The launchers import it first, before anything else: no cffi, no typing;
    its actions (actions.py) import nothing at run time."""
    table = _runtime_imports(PACKAGE / "signaltable.py", type_checking=True)
    assert {name for name in table if not name.startswith("sigcounter.actions")} == {"_signal"}
    assert _runtime_imports(PACKAGE / "actions.py") == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda path: _module_name(path))
def test_only_the_kernel_touches_cffi(path: Path) -> None:
    """Outside sigcounter/kernel/ nothing imports cffi, the extension or its binding."""
    if _layer(_module_name(path)) == "kernel":
        return
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            assert not {"ffi", "lib"} & names, f"{path.name} imports {names} from {node.module}"
            assert node.module not in {"cffi", "sigcounter.kernel.native",
                                       "sigcounter.kernel._native"}, path.name
        if isinstance(node, ast.Import):
            assert not any(alias.name.startswith("cffi") for alias in node.names), path.name


def test_no_import_cycles() -> None:
    """The graph of runtime imports between the package's modules has no cycle."""
    names = {_module_name(path): path for path in MODULES}
    graph = {
        name: {target for target in _runtime_imports(path) if target in names and target != name}
        for name, path in names.items()
    }
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        assert name not in stack, " -> ".join((*stack, name))
        if name in done:
            return
        for target in graph[name]:
            visit(target, (*stack, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def _record_types() -> list[type[Record]]:
    for module in pkgutil.walk_packages(sigcounter.__path__, "sigcounter."):
        if not module.name.endswith("__main__"):  # that one runs the program
            importlib.import_module(module.name)
    found, pending = [], list(Record.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_record_is_slotted_and_hides_no_tuple_method_but_count() -> None:
    """No record carries a __dict__; a field may be the user's ``count`` (hiding
    tuple.count, which nothing calls), never ``index``."""
    records = _record_types()
    assert {cls.__name__ for cls in records} >= {"Event", "Tick", "SigInfo", "Wake"}
    for cls in records:
        assert "__slots__" in vars(cls), cls.__name__
        assert "index" not in cls._fields, cls.__name__
    assert [cls for cls in records if "count" in cls._fields]  # Event and Tick
