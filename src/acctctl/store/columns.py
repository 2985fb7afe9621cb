"""A table's columns, declared once: its SELECT, INSERT and COPY, and its rows as domain values.

Each back end declares its tables with ``Table`` (sqlite_schema.py, postgres_schema.py):
the columns in the order of the domain class's fields, the renamed ones
(``to_partner`` holds ``Change.to``), the kind of those each back end stores its own
way (ISO text, 0/1, arrays: a conversion each way), and the store's own columns
(``ord``, ``holder``) that are written but never read back. Every SQL string is built once,
when the module is imported; a row becomes a domain value by position (no dict per
row), as fast as the hand-written mapping it replaces — the listing reads 100,000.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Table(Generic[T]):
    """One table of one back end and the domain class its rows hold.

    ``columns``, in the domain class's field order, one string as ``namedtuple`` takes
    its fields: ``to_partner=to`` is a column holding another-named field,
    ``term_end:day`` one stored as the back end's ``kinds["day"]`` says (a conversion
    from the stored value and one to it; ``None`` stays ``None``). ``listed``: the field
    held in a child table (SQLite's partner lists), passed beside the row. ``stored``:
    columns written after the domain's, from values the caller passes (``ord``).
    ``placeholder`` is the driver's: ``?`` for sqlite3, ``%s`` for psycopg.
    """

    domain: type[T]
    name: str
    columns: str
    placeholder: str
    kinds: Mapping[str, tuple[Convert, Convert]]
    listed: str | None = None
    stored: str = ""
    # Derived in __post_init__, once.
    column_names: tuple[str, ...] = field(init=False)
    fields: tuple[str, ...] = field(init=False)
    select: str = field(init=False)
    insert: str = field(init=False)
    copy: str = field(init=False)
    # ``to_domain(row, listed=None)``: the domain value of a row of ``column_names`` (and
    # of the child table's list); ``params(value, *stored)``: the INSERT's (or COPY's).
    to_domain: Callable[..., T] = field(init=False, repr=False)
    params: Callable[..., tuple[Any, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
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
        scope: dict[str, Any] = {"domain": self.domain}
        values = [
            _converted(f"row[{i}]", kind and kind[0], f"read{i}", scope)
            for i, kind in enumerate(kinds)
        ]
        if self.listed is not None:
            values.insert(order_of(self.domain, self.listed), "listed")
        to_domain = f"def to_domain(row, listed=None):\n return domain({', '.join(values)})\n"
        params = [
            _converted(f"value.{name}", kind and kind[1], f"write{i}", scope)
            for i, (name, kind) in enumerate(zip(fields, kinds, strict=True))
        ]
        params_source = f"def params(value, *stored):\n return ({', '.join(params)}, *stored)\n"
        written = ", ".join((*columns, *self.stored.split()))
        derived = {
            "column_names": tuple(columns),
            "fields": tuple(fields),
            "copy": f"COPY {self.name} ({written}) FROM STDIN",
            "to_domain": _compiled(to_domain, "to_domain", scope),
            "params": _compiled(params_source, "params", scope),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "select", f"SELECT {self.names()} FROM {self.name}")
        object.__setattr__(self, "insert", self.insert_with())

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
