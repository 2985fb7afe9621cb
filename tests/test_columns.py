"""store/columns.py: each table's columns declared once, its SQL and row mapping derived."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from acctctl.domain import Change, Subscription
from acctctl.store import postgres_schema, sqlite_schema
from acctctl.store.columns import Table


def test_a_column_out_of_the_domain_order_is_refused_at_import() -> None:
    """A swapped pair would shift every value after it into the wrong field."""
    with pytest.raises(TypeError, match="do not follow"):
        Table(Subscription, "subscriptions", "product id", "?", {})


def test_sql_is_derived_from_the_columns_with_the_drivers_placeholder() -> None:
    assert sqlite_schema.NOTICES.select == "SELECT received, partner, subject FROM notices"
    assert sqlite_schema.NOTICES.insert == (
        "INSERT INTO notices (received, partner, subject, ord) VALUES (?, ?, ?, ?)"
    )
    assert postgres_schema.NOTICES.copy == (
        "COPY acctctl_notices (received, partner, subject, ord) FROM STDIN"
    )
    assert postgres_schema.USERS.insert.endswith("VALUES (%s, %s, %s, %s)")
    assert sqlite_schema.CHANGES.insert_with(ord="(SELECT 7)").count("?") == 9


_CHANGE = Change(
    "CHG-000001",
    "110000000001",
    None,
    ("5550000001", "5550000002"),
    "5550000003",
    "claire@dupont.example",
    datetime(2026, 11, 26, 12, tzinfo=UTC),
    datetime(2026, 11, 26, 13, tzinfo=UTC),
    "pending",
)


def test_a_change_goes_to_sqlite_columns_and_back() -> None:
    """Renamed columns, a list held in a child table, moments as ISO text."""
    table = sqlite_schema.CHANGES
    params = table.params(_CHANGE, 4, _CHANGE.holder)
    assert params == (
        "CHG-000001",
        "110000000001",
        None,
        "5550000003",
        "claire@dupont.example",
        "2026-11-26T12:00:00+00:00",
        "2026-11-26T13:00:00+00:00",
        "pending",
        4,
        "110000000001",
    )
    assert table.to_domain(params[:8], _CHANGE.from_) == _CHANGE


def test_a_postgres_change_holds_its_from_list_in_an_array() -> None:
    table = postgres_schema.CHANGES
    params = table.params(_CHANGE)
    assert params[3] == ["5550000001", "5550000002"]
    assert table.to_domain(params) == _CHANGE


def test_none_stays_none_through_a_conversion() -> None:
    """A contract's subscription has no terms of its own: no date, no flag to convert."""
    table = sqlite_schema.SUBSCRIPTIONS
    sub = Subscription("72000000001", "AutoCAD", 5, "standard", "110000000001")
    row = table.params(sub)
    assert row[6:] == (None, None)
    assert table.to_domain(row, ()) == sub
    own = Subscription(
        "72000000002", "AutoCAD", 5, "standard", None, "a@b.example", date(2027, 1, 1), False
    )
    assert table.params(own)[6:] == ("2027-01-01", 0)
    assert table.to_domain(table.params(own), ()) == own


def test_a_tables_mappers_are_compiled_once_on_first_use_and_it_stays_frozen() -> None:
    import dataclasses

    declared = sqlite_schema.CHANGES
    table = Table(Change, "changes", declared.columns, "?", declared.kinds, declared.listed)
    assert "to_domain" not in vars(table) and "params" not in vars(table)  # not at creation
    first = table.to_domain
    assert table.to_domain is first and "to_domain" in vars(table)  # kept
    assert "params" not in vars(table)
    assert table.params is table.params
    for act in (lambda: setattr(table, "name", "x"), lambda: delattr(table, "select")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            act()
    assert repr(table).startswith("Table(domain=<class 'acctctl.domain.Change'>, name='changes'")
