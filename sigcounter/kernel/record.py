"""Record: a small immutable value with named fields.

What ``typing.NamedTuple`` gives, without importing ``typing`` (about 1.7 MB
of resident memory) or ``collections`` into the program: a tuple subclass
whose fields are read through C-level getters (``lean.field_getter``), so
building one is a single tuple allocation and reading a field costs no Python
frame. Subclasses
name their fields in ``_fields`` and annotate them for type checkers. A field
may be called ``count``, the user's word for the count: it then hides
``tuple.count``, which nothing here calls.
"""

from __future__ import annotations

from sigcounter.kernel.lean import TYPE_CHECKING, field_getter

if TYPE_CHECKING:
    from typing import Any, Self


class Record(tuple):  # type: ignore[type-arg]
    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for index, name in enumerate(cls._fields):
            setattr(cls, name, field_getter(index, f"field {index}: {name}"))

    def __new__(cls, *values: object) -> Self:
        if len(values) != len(cls._fields):
            raise TypeError(f"{cls.__name__} takes {len(cls._fields)} values, got {len(values)}")
        return tuple.__new__(cls, values)

    def __getnewargs__(self) -> tuple[object, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        pairs = zip(self._fields, self, strict=True)
        fields = ", ".join(f"{name}={value!r}" for name, value in pairs)
        return f"{type(self).__name__}({fields})"
