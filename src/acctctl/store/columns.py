"""A table's columns, declared once: its SELECT, INSERT and COPY, and its rows as domain values.

Each back end declares its tables with ``Table`` (sqlite_schema.py, postgres_schema.py):
the columns in the order of the domain class's fields, the renamed ones
(``to_partner`` holds ``Change.to``), the kind of those each back end stores its own
way (ISO text, 0/1, arrays: a conversion each way), and the store's own columns
(``ord``, ``holder``) that are written but never read back. Every SQL string is built once,
when the module is imported; a row becomes a domain value by position (no dict per
row), as fast as the hand-written mapping it replaces — the listing reads 100,000.
The two mappings are compiled on first use, not at import: a command that reads no
such row (``subs list --json`` reads its own) does not pay 1 ms of start-up for them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Convert = Callable[[Any], Any]


class Table(Generic[T]):
    """One table of one back end and the domain class its rows hold.

    ``columns``, in the domain class's field order, one string as ``namedtuple`` takes
    its fields: ``to_partner=to`` is a column holding another-named field,
    ``term_end:day`` one stored as the back end's ``kinds["day"]`` says (a conversion
    from the stored value and one to it; ``None`` stays ``None``). ``listed``: the field
    held in a child table (SQLite's partner lists), passed beside the row. ``stored``:
    columns written after the domain's, from values the caller passes (``ord``).
    ``placeholder`` is the driver's: ``?`` for sqlite3, ``%s`` for psycopg.

    Written by hand, not a dataclass: ``@dataclass(frozen=True)`` compiled six methods
    for it at every start (0.6 ms). Like the frozen dataclass it was, its attributes
    cannot be assigned; unlike it, two tables are equal only if they are the same
    object — as they already were in effect (each held its own compiled mappers).
    """

    domain: type[T]
    name: str
    columns: str
    placeholder: str
    kinds: Mapping[str, tuple[Convert, Convert]]
    listed: str | None
    stored: str
    # Derived in __init__, once.
    column_names: tuple[str, ...]
    fields: tuple[str, ...]
    select: str
    insert: str
    copy: str
    # Each column's conversion pair (None: stored as the field is), in column order.
    conversions: tuple[tuple[Convert, Convert] | None, ...]

    def __init__(
        self,
        domain: type[T],
        name: str,
        columns: str,
        placeholder: str,
        kinds: Mapping[str, tuple[Convert, Convert]],
        listed: str | None = None,
        stored: str = "",
    ) -> None:
        given = {
            "domain": domain,
            "name": name,
            "columns": columns,
            "placeholder": placeholder,
            "kinds": kinds,
            "listed": listed,
            "stored": stored,
        }
        for key, item in given.items():
            object.__setattr__(self, key, item)
        self._derive()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        shown = "domain name columns placeholder kinds listed stored"
        shown += " column_names fields select insert copy"
        text = ", ".join(f"{key}={getattr(self, key)!r}" for key in shown.split())
        return f"{type(self).__qualname__}({text})"

    def _derive(self) -> None:
        columns, fields, kinds = [], [], []
        for word in self.columns.split():
            named, _, kind = word.partition(":")
            column, _, name = named.partition("=")
            columns.append(column)
            fields.append(name or column)
            kinds.append(self.kinds[kind] if kind else None)
        order = [f.name for f in dataclasses.fields(self.domain)]  # type: ignore[arg-type]
        if self.listed is not None:
            order.remove(self.listed)
        if fields != order:  # a column out of place would shift every value after it
            raise TypeError(f"{self.name}: columns {fields} do not follow {order}")
        written = ", ".join((*columns, *self.stored.split()))
        derived = {
            "column_names": tuple(columns),
            "fields": tuple(fields),
            "copy": f"COPY {self.name} ({written}) FROM STDIN",
            "conversions": tuple(kinds),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "select", f"SELECT {self.names()} FROM {self.name}")
        object.__setattr__(self, "insert", self.insert_with())

    # Compiled on first use, then kept in the instance (a frozen dataclass without slots
    # has a __dict__, which cached_property writes to directly): later reads are a plain
    # attribute, so callers may also bind them once (``_user = USERS.to_domain``).
    @functools.cached_property
    def to_domain(self) -> Callable[..., T]:
        """``to_domain(row, listed=None)``: the domain value of a row of ``column_names``
        (and of the child table's list)."""
        scope: dict[str, Any] = {"domain": self.domain}
        values = [
            _converted(f"row[{i}]", kind and kind[0], f"read{i}", scope)
            for i, kind in enumerate(self.conversions)
        ]
        if self.listed is not None:
            values.insert(order_of(self.domain, self.listed), "listed")
        source = f"def to_domain(row, listed=None):\n return domain({', '.join(values)})\n"
        return _compiled(source, "to_domain", scope)

    @functools.cached_property
    def params(self) -> Callable[..., tuple[Any, ...]]:
        """``params(value, *stored)``: the INSERT's (or COPY's) parameters for a value."""
        scope: dict[str, Any] = {}
        params = [
            _converted(f"value.{name}", kind and kind[1], f"write{i}", scope)
            for i, (name, kind) in enumerate(zip(self.fields, self.conversions, strict=True))
        ]
        source = f"def params(value, *stored):\n return ({', '.join(params)}, *stored)\n"
        return _compiled(source, "params", scope)

    def names(self, alias: str = "") -> str:
        """The columns for a SELECT list: ``a, b`` or, with an alias, ``s.a, s.b``."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + column for column in self.column_names)

    def insert_with(self, **values: str) -> str:
        """The INSERT with SQL expressions in place of some placeholders (``ord=...``)."""
        every = (*self.column_names, *self.stored.split())
        places = ", ".join(values.get(c, self.placeholder) for c in every)
        return f"INSERT INTO {self.name} ({', '.join(every)}) VALUES ({places})"


def order_of(domain: type[Any], name: str) -> int:
    """Where the field ``name`` stands among the domain class's fields."""
    return [f.name for f in dataclasses.fields(domain)].index(name)


def _compiled(source: str, name: str, scope: dict[str, Any]) -> Callable[..., Any]:
    """A function from its source, as ``dataclasses`` and ``namedtuple`` make theirs: the
    mapping runs as if written by hand, with no loop over the columns for each row."""
    exec(source, scope)
    function: Callable[..., Any] = scope[name]
    return function


def _converted(expression: str, convert: Convert | None, name: str, scope: dict[str, Any]) -> str:
    if convert is None:
        return expression
    scope[name] = convert
    return f"(None if ({name}_ := {expression}) is None else {name}({name}_))"
