"""Dataclasses that compile nothing at start-up.

``@dataclass(frozen=True, slots=True)`` writes six methods for each class (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``) as source text
and compiles it at every start: ~0.35 ms a class, 4 ms for the domain's eleven, more
than the whole of a listing's own work on a small account. ``@value`` keeps them
dataclasses (``fields``, ``replace``, ``asdict`` and ``__match_args__`` work the same) but
asks ``dataclass`` for none of those methods: the class writes its ``__init__`` by hand
(compiled once into its ``.pyc``, and as fast as the generated one), and the others,
the same for every class, come from ``Frozen`` (``Record`` for mutable ones) — they
read the field names the decorator stores. ``tests/test_values.py`` checks each class
behaves as the generated dataclass would, method by method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, ClassVar, TypeVar, dataclass_transform

T = TypeVar("T")

# What a hand-written ``__init__`` of a frozen class assigns with (the generated one
# calls the same).
set_field = object.__setattr__


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields' values as a tuple (``attrgetter`` of one name gives the bare value)."""
    if len(names) == 1:
        only = attrgetter(names[0])
        return lambda obj: (only(obj),)
    return attrgetter(*names)


class Record:
    """A mutable dataclass's ``__eq__`` and ``__repr__``, as ``dataclass`` writes them."""

    __slots__ = ()
    # Set by the decorator: the compared fields' values, and the shown fields' names.
    _compared: ClassVar[Callable[[Any], tuple[Any, ...]]]
    _shown: ClassVar[tuple[str, ...]]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            compared = self._compared  # a class attribute, not bound: called with the object
            same: bool = compared(self) == compared(other)  # type: ignore[call-arg]
            return same
        return NotImplemented

    # Defining __eq__ leaves __hash__ None: unhashable, as a mutable dataclass is.

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({shown})"


class Frozen(Record):
    """A frozen dataclass's methods: hashed like its compared fields' tuple, and no field
    assigned or deleted after ``__init__`` (``FrozenInstanceError``, as generated);
    pickled and copied through its fields (``__getstate__``/``__setstate__``, as
    ``dataclass`` adds to frozen classes with slots)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._compared(self))  # type: ignore[call-arg]

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[Any]:
        return [getattr(self, f.name) for f in fields(self)]  # type: ignore[arg-type]

    def __setstate__(self, state: list[Any]) -> None:
        for f, item in zip(fields(self), state, strict=False):  # type: ignore[arg-type]
            set_field(self, f.name, item)


def _made(cls: type[T]) -> type[T]:
    made = dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    every = fields(made)  # type: ignore[arg-type]
    made._compared = _getter(tuple(f.name for f in every if f.compare))  # type: ignore[attr-defined]
    made._shown = tuple(f.name for f in every if f.repr)  # type: ignore[attr-defined]
    if "__init__" not in made.__dict__:
        raise TypeError(f"{made.__qualname__} must write its __init__")
    return made


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def value(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True, slots=True)`` for a subclass of ``Frozen`` with a
    hand-written ``__init__``."""
    if not issubclass(cls, Frozen):
        raise TypeError(f"{cls.__qualname__} must derive from Frozen")
    return _made(cls)


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """``@dataclass(slots=True)`` for a subclass of ``Record`` (not ``Frozen``) with a
    hand-written ``__init__``."""
    if not issubclass(cls, Record) or issubclass(cls, Frozen):
        raise TypeError(f"{cls.__qualname__} must derive from Record")
    return _made(cls)
