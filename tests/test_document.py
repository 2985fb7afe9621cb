"""The account document (SPEC §7): import validation, round trip, the demo account."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acctctl.demo import demo_document
from acctctl.document import parse_document
from acctctl.document_json import document_to_json
from acctctl.domain import AccountDocument, Change, Terms
from acctctl.errors import DocumentError, UsageError
from acctctl.rules import CODES, Facts, eligibility

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "account.schema.json"

CLAIRE = "claire@dupont.example"
MARC = "marc@dupont.example"


def valid() -> dict[str, Any]:
    """A small canonical document using every kind of entry."""
    return {
        "format": "acctctl/1",
        "account": {"csn": "5100000001", "name": "Atelier Dupont"},
        "users": [
            {"email": CLAIRE, "name": "Claire Dupont", "role": "primary_admin"},
            {"email": MARC, "name": "Marc Lefèvre", "role": "secondary_admin"},
        ],
        "partners": [
            {
                "csn": "5550001111",
                "name": "CADpro Lyon",
                "city": "Lyon",
                "country": "FR",
                "email": "ventes@cadpro.example",
                "active": True,
            },
            {
                "csn": "5550002222",
                "name": "Bureau Numérique Paris",
                "city": "Paris",
                "country": "FR",
                "email": "contact@bureau-numerique.example",
                "active": True,
            },
        ],
        "contracts": [
            {
                "number": "110000000001",
                "manager": CLAIRE,
                "term_end": "2027-09-30",
                "auto_renew": False,
                "agreement": "standard",
                "partners": ["5550001111"],
            },
            {
                "number": "110000000002",
                "manager": MARC,
                "term_end": "2028-02-29",
                "auto_renew": True,
                "agreement": "eba",
                "partners": ["5550001111", "5550002222"],
            },
        ],
        "subscriptions": [
            {
                "id": "72000000001",
                "product": "AutoCAD",
                "seats": 10,
                "plan": "standard",
                "contract": "110000000001",
            },
            {
                "id": "72000000002",
                "product": "Revit",
                "seats": 3,
                "plan": "premium",
                "contract": "110000000002",
            },
            {
                "id": "72000000009",
                "product": "Fusion",
                "seats": 2,
                "plan": "enterprise",
                "contract": None,
                "manager": CLAIRE,
                "term_end": "2027-02-01",
                "auto_renew": True,
                "partners": ["5550001111"],
            },
        ],
        "notices": [
            {
                "received": "2026-11-20",
                "partner": "5550002222",
                "subject": "Your new Autodesk partner",
            }
        ],
        "changes": [
            {
                "id": "CH-0001",
                "contract": "110000000001",
                "from": ["5550001111"],
                "to": "5550002222",
                "by": CLAIRE,
                "submitted_at": "2026-11-26T12:00:00+00:00",
                "effective_at": "2026-11-26T13:00:00+00:00",
                "status": "pending",
            },
            {
                "id": "CH-0002",
                "subscription": "72000000009",
                "from": [],
                "to": "5550001111",
                "by": MARC,
                "submitted_at": "2026-10-01T08:30:00+00:00",
                "effective_at": "2026-10-01T09:30:00+00:00",
                "status": "applied",
            },
        ],
    }


# --- mutations of the valid document ---------------------------------------------------

Path_ = tuple[str | int, ...]
Mutation = Callable[[Any], Any]


def _parent(doc: Any, path: Path_) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def put(path: Path_, value: Any) -> Mutation:
    def mutate(doc: Any) -> Any:
        _parent(doc, path)[path[-1]] = value
        return doc

    return mutate


def drop(path: Path_) -> Mutation:
    def mutate(doc: Any) -> Any:
        del _parent(doc, path)[path[-1]]
        return doc

    return mutate


def append(path: Path_, value: Any) -> Mutation:
    def mutate(doc: Any) -> Any:
        _parent(doc, path)[path[-1]].append(copy.deepcopy(value))
        return doc

    return mutate


def duplicate(section: str, index: int = 0) -> Mutation:
    def mutate(doc: Any) -> Any:
        doc[section].append(copy.deepcopy(doc[section][index]))
        return doc

    return mutate


def replace(value: Any) -> Mutation:
    return lambda doc: value


SECOND_PENDING_ON_CONTRACT = {
    "id": "CH-0003",
    "contract": "110000000001",
    "from": ["5550001111"],
    "to": "5550001111",
    "by": MARC,
    "submitted_at": "2026-11-27T12:00:00+00:00",
    "effective_at": "2026-11-27T13:00:00+00:00",
    "status": "pending",
}
SECOND_PENDING_ON_SUBSCRIPTION = {
    **{k: v for k, v in SECOND_PENDING_ON_CONTRACT.items() if k != "contract"},
    "subscription": "72000000009",
}
OWN_TERMS_ON_LEGACY = {
    "id": "72000000003",
    "product": "Maya",
    "seats": 1,
    "plan": "standard",
    "contract": "110000000001",
    "term_end": "2027-09-30",
}

CASES: list[Any] = [
    # the document itself
    pytest.param(replace([]), "", "JSON object", id="not-an-object"),
    pytest.param(replace(None), "", "JSON object", id="null-document"),
    pytest.param(put(("format",), "acctctl/2"), "format", "must be acctctl/1", id="wrong-format"),
    pytest.param(drop(("format",)), "format", "is missing", id="format-missing"),
    pytest.param(drop(("users",)), "users", "is missing", id="section-missing"),
    pytest.param(put(("extra",), 1), "", "unknown key 'extra'", id="unknown-top-key"),
    pytest.param(put(("users",), {}), "users", "must be a list", id="section-not-list"),
    pytest.param(put(("account",), "x"), "account", "must be an object", id="account-not-object"),
    # keys
    pytest.param(drop(("users", 0, "role")), "users[0].role", "is missing", id="missing-key"),
    pytest.param(
        put(("partners", 1, "phone"), "0102"), "partners[1]", "unknown key 'phone'", id="extra-key"
    ),
    pytest.param(
        put(("changes", 0, "note"), "x"), "changes[0]", "unknown key 'note'", id="extra-key-change"
    ),
    # numbers
    pytest.param(
        put(("subscriptions", 0, "seats"), True),
        "subscriptions[0].seats",
        "positive integer",
        id="bool-seats",
    ),
    pytest.param(
        put(("subscriptions", 0, "seats"), 10.0),
        "subscriptions[0].seats",
        "positive integer",
        id="float-seats",
    ),
    pytest.param(
        put(("subscriptions", 1, "seats"), 0),
        "subscriptions[1].seats",
        "positive integer",
        id="zero-seats",
    ),
    pytest.param(
        put(("subscriptions", 1, "seats"), -3),
        "subscriptions[1].seats",
        "positive integer",
        id="negative-seats",
    ),
    pytest.param(
        put(("subscriptions", 1, "seats"), "10"),
        "subscriptions[1].seats",
        "positive integer",
        id="string-seats",
    ),
    pytest.param(
        put(("subscriptions", 0, "seats"), 10**30),
        "subscriptions[0].seats",
        "at most 10000000",
        id="huge-seats",
    ),
    pytest.param(
        put(("partners", 0, "active"), 1), "partners[0].active", "true or false", id="int-as-bool"
    ),
    pytest.param(
        put(("contracts", 0, "auto_renew"), "false"),
        "contracts[0].auto_renew",
        "true or false",
        id="string-as-bool",
    ),
    # enums
    pytest.param(put(("users", 1, "role"), "admin"), "users[1].role", "one of", id="bad-role"),
    pytest.param(
        put(("subscriptions", 0, "plan"), "Premium"),
        "subscriptions[0].plan",
        "standard, premium, enterprise",
        id="bad-plan",
    ),
    pytest.param(
        put(("contracts", 1, "agreement"), "token-flex"),
        "contracts[1].agreement",
        "eba-token-flex",
        id="bad-agreement",
    ),
    pytest.param(
        put(("changes", 1, "status"), "done"),
        "changes[1].status",
        "pending, applied, cancelled",
        id="bad-status",
    ),
    # dates and moments
    pytest.param(
        put(("contracts", 0, "term_end"), "2027-02-30"),
        "contracts[0].term_end",
        "not a real date",
        id="impossible-date",
    ),
    pytest.param(
        put(("contracts", 0, "term_end"), "30/09/2027"),
        "contracts[0].term_end",
        "YYYY-MM-DD",
        id="date-format",
    ),
    pytest.param(
        put(("contracts", 0, "term_end"), "20270930"),
        "contracts[0].term_end",
        "YYYY-MM-DD",
        id="date-compact",
    ),
    pytest.param(
        put(("notices", 0, "received"), "2026-13-01"),
        "notices[0].received",
        "not a real date",
        id="impossible-notice-date",
    ),
    pytest.param(
        put(("subscriptions", 2, "term_end"), None),
        "subscriptions[2].term_end",
        "YYYY-MM-DD",
        id="null-date",
    ),
    pytest.param(
        put(("changes", 0, "submitted_at"), "yesterday"),
        "changes[0].submitted_at",
        "ISO 8601",
        id="bad-datetime",
    ),
    pytest.param(
        put(("changes", 0, "submitted_at"), "2026-11-26T25:00:00+00:00"),
        "changes[0].submitted_at",
        "not a real date and time",
        id="impossible-datetime",
    ),
    pytest.param(
        put(("changes", 0, "submitted_at"), "0001-01-01T00:00:00+05:00"),
        "changes[0].submitted_at",
        "not a real date and time",
        id="datetime-out-of-range",
    ),
    pytest.param(
        put(("changes", 0, "effective_at"), "2026-11-26T11:59:59+00:00"),
        "changes[0].effective_at",
        "before submitted_at",
        id="effective-before-submitted",
    ),
    pytest.param(
        put(("changes", 0, "effective_at"), "2026-11-26T13:00:00+02:00"),
        "changes[0].effective_at",
        "before submitted_at",
        id="effective-before-submitted-offset",
    ),
    # identifiers
    pytest.param(
        put(("partners", 0, "csn"), "555000111"), "partners[0].csn", "10 ASCII digits", id="csn-9"
    ),
    pytest.param(
        put(("partners", 0, "csn"), "５５５０００１１１１"),
        "partners[0].csn",
        "10 ASCII digits",
        id="csn-unicode-digits",
    ),
    pytest.param(
        put(("partners", 0, "csn"), " 5550001111"),
        "partners[0].csn",
        "10 ASCII digits",
        id="csn-leading-space",
    ),
    pytest.param(
        put(("partners", 0, "csn"), "5550001111 "),
        "partners[0].csn",
        "10 ASCII digits",
        id="csn-trailing-space",
    ),
    pytest.param(
        put(("partners", 0, "csn"), "5550001111\n"),
        "partners[0].csn",
        "10 ASCII digits",
        id="csn-trailing-newline",
    ),
    pytest.param(
        put(("partners", 0, "csn"), 5550001111), "partners[0].csn", "10 ASCII digits", id="csn-int"
    ),
    pytest.param(
        put(("account", "csn"), "51000000AB"), "account.csn", "10 ASCII digits", id="account-csn"
    ),
    pytest.param(
        put(("changes", 0, "from", 0), "123"), "changes[0].from[0]", "10 ASCII", id="from-not-csn"
    ),
    pytest.param(
        put(("contracts", 0, "number"), "1100 0001"),
        "contracts[0].number",
        "letters, digits and '-'",
        id="bad-contract-number",
    ),
    pytest.param(
        put(("subscriptions", 0, "id"), "x" * 65),
        "subscriptions[0].id",
        "64 at most",
        id="long-id",
    ),
    pytest.param(
        put(("changes", 0, "contract"), None),
        "changes[0].contract",
        "must be an id",
        id="null-change-contract",
    ),
    # strings
    pytest.param(
        put(("users", 0, "email"), "claire"), "users[0].email", "e-mail", id="email-no-at"
    ),
    pytest.param(put(("users", 0, "name"), ""), "users[0].name", "not be empty", id="empty-name"),
    pytest.param(
        put(("users", 0, "name"), "   "), "users[0].name", "not be empty", id="blank-name"
    ),
    pytest.param(
        put(("partners", 0, "name"), "x" * 201), "partners[0].name", "at most 200", id="long-name"
    ),
    pytest.param(put(("partners", 0, "city"), 7), "partners[0].city", "a string", id="int-string"),
    pytest.param(
        put(("partners", 0, "name"), "CADpro\x00Lyon"), "partners[0].name", "U+0000", id="nul"
    ),
    pytest.param(
        put(("partners", 0, "name"), "CADpro\nLyon"), "partners[0].name", "U+000A", id="newline"
    ),
    pytest.param(
        put(("partners", 0, "name"), "\x1b[31mCADpro"), "partners[0].name", "U+001B", id="esc"
    ),
    pytest.param(put(("users", 1, "name"), "Marc\x7f"), "users[1].name", "U+007F", id="del"),
    pytest.param(
        put(("subscriptions", 0, "product"), "Auto\x9bCAD"),
        "subscriptions[0].product",
        "U+009B",
        id="c1-csi",
    ),
    pytest.param(
        put(("partners", 1, "name"), "Bureau \u202esiraP"),
        "partners[1].name",
        "U+202E",
        id="bidi-override",
    ),
    pytest.param(
        put(("account", "name"), "Atelier \u2066Dupont\u2069"),
        "account.name",
        "U+2066",
        id="bidi-isolate",
    ),
    pytest.param(
        put(("notices", 0, "subject"), "Your new\u2028partner"),
        "notices[0].subject",
        "U+2028",
        id="line-separator",
    ),
    pytest.param(
        put(("users", 0, "email"), "claire\x1b@dupont.example"),
        "users[0].email",
        "U+001B",
        id="esc-in-email",
    ),
    pytest.param(
        put(("partners", 0, "name"), "CAD\ud800pro"), "partners[0].name", "U+D800", id="surrogate"
    ),
    # unique keys
    pytest.param(duplicate("users"), "users[2].email", "users[0]", id="duplicate-user"),
    pytest.param(
        duplicate("partners", 1), "partners[2].csn", "partners[1]", id="duplicate-partner"
    ),
    pytest.param(
        duplicate("contracts"), "contracts[2].number", "duplicate", id="duplicate-contract"
    ),
    pytest.param(
        duplicate("subscriptions", 1),
        "subscriptions[3].id",
        "subscriptions[1]",
        id="duplicate-subscription",
    ),
    pytest.param(duplicate("changes"), "changes[2].id", "changes[0]", id="duplicate-change"),
    pytest.param(
        put(("contracts", 1, "partners", 1), "5550001111"),
        "contracts[1].partners[1]",
        "duplicate",
        id="duplicate-contract-partner",
    ),
    pytest.param(
        put(("changes", 0, "from"), ["5550001111", "5550001111"]),
        "changes[0].from[1]",
        "duplicate",
        id="duplicate-from",
    ),
    # references
    pytest.param(
        put(("contracts", 0, "manager"), "paul@dupont.example"),
        "contracts[0].manager",
        "not a user",
        id="contract-manager-unknown",
    ),
    pytest.param(
        put(("contracts", 0, "partners"), ["5559999999"]),
        "contracts[0].partners[0]",
        "not a partner",
        id="contract-partner-unknown",
    ),
    pytest.param(
        put(("contracts", 0, "partners"), []),
        "contracts[0].partners",
        "at least one partner",
        id="contract-no-partner",
    ),
    pytest.param(
        put(("subscriptions", 0, "contract"), "110000000099"),
        "subscriptions[0].contract",
        "not a contract",
        id="subscription-contract-unknown",
    ),
    pytest.param(
        put(("subscriptions", 2, "manager"), "paul@dupont.example"),
        "subscriptions[2].manager",
        "not a user",
        id="new-model-manager-unknown",
    ),
    pytest.param(
        put(("subscriptions", 2, "partners"), ["5550001111", "5559999999"]),
        "subscriptions[2].partners[1]",
        "not a partner",
        id="new-model-partner-unknown",
    ),
    pytest.param(
        put(("subscriptions", 2, "partners"), []),
        "subscriptions[2].partners",
        "at least one partner",
        id="new-model-no-partner",
    ),
    pytest.param(
        put(("notices", 0, "partner"), "5559999999"),
        "notices[0].partner",
        "not a partner",
        id="notice-partner-unknown",
    ),
    pytest.param(
        put(("changes", 0, "contract"), "110000000099"),
        "changes[0].contract",
        "not a contract",
        id="change-contract-unknown",
    ),
    pytest.param(
        put(("changes", 1, "subscription"), "72000000099"),
        "changes[1].subscription",
        "not a subscription",
        id="change-subscription-unknown",
    ),
    pytest.param(
        put(("changes", 1, "subscription"), "72000000001"),
        "changes[1].subscription",
        "belongs to contract 110000000001",
        id="change-subscription-of-contract",
    ),
    pytest.param(
        put(("changes", 0, "to"), "5559999999"), "changes[0].to", "not a partner", id="change-to"
    ),
    pytest.param(
        put(("changes", 0, "by"), "paul@dupont.example"),
        "changes[0].by",
        "not a user",
        id="change-by-unknown",
    ),
    pytest.param(
        put(("changes", 0, "subscription"), "72000000009"),
        "changes[0]",
        "exactly one of contract or subscription",
        id="change-both-holders",
    ),
    pytest.param(
        drop(("changes", 0, "contract")),
        "changes[0]",
        "exactly one of contract or subscription",
        id="change-no-holder",
    ),
    # the two models
    pytest.param(
        put(("subscriptions", 0, "manager"), CLAIRE),
        "subscriptions[0].manager",
        "must not be given",
        id="legacy-with-manager",
    ),
    pytest.param(
        put(("subscriptions", 0, "partners"), ["5550001111"]),
        "subscriptions[0].partners",
        "must not be given",
        id="legacy-with-partners",
    ),
    pytest.param(
        put(("subscriptions", 1, "auto_renew"), None),
        "subscriptions[1].auto_renew",
        "must not be given",
        id="legacy-with-null-term",
    ),
    pytest.param(
        append(("subscriptions",), OWN_TERMS_ON_LEGACY),
        "subscriptions[3].term_end",
        "must not be given",
        id="legacy-with-term-end",
    ),
    pytest.param(
        drop(("subscriptions", 2, "term_end")),
        "subscriptions[2].term_end",
        "new buying model",
        id="new-model-without-term-end",
    ),
    pytest.param(
        drop(("subscriptions", 2, "partners")),
        "subscriptions[2].partners",
        "is missing",
        id="new-model-without-partners",
    ),
    pytest.param(
        drop(("subscriptions", 2, "contract")),
        "subscriptions[2].contract",
        "is missing",
        id="contract-key-required",
    ),
    # pending changes
    pytest.param(
        append(("changes",), SECOND_PENDING_ON_CONTRACT),
        "changes[2].status",
        "changes[0] is already pending on contract 110000000001",
        id="two-pending-on-contract",
    ),
    pytest.param(
        lambda doc: append(("changes",), SECOND_PENDING_ON_SUBSCRIPTION)(
            put(("changes", 1, "status"), "pending")(doc)
        ),
        "changes[2].status",
        "already pending on subscription 72000000009",
        id="two-pending-on-subscription",
    ),
]


@pytest.mark.parametrize(("mutate", "place", "fragment"), CASES)
def test_invalid_document_names_the_place(mutate: Mutation, place: str, fragment: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_document(mutate(valid()))
    assert caught.value.place == place
    assert fragment in caught.value.problem
    problem = caught.value.problem
    assert str(caught.value) == (f"{place}: {problem}" if place else problem)


def test_document_error_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_document(put(("subscriptions", 0, "seats"), 0)(valid()))
    assert caught.value.exit_code == 2
    assert str(caught.value) == "subscriptions[0].seats: must be a positive integer"


def test_first_problem_in_document_order_is_reported() -> None:
    doc = valid()
    doc["subscriptions"][2]["seats"] = 0
    doc["changes"][0]["to"] = "5559999999"
    doc["users"][1]["role"] = "boss"
    with pytest.raises(DocumentError) as caught:
        parse_document(doc)
    assert caught.value.place == "users[1].role"


VALID_VARIANTS: list[Any] = [
    pytest.param(drop(("notices",)), id="notices-omitted"),
    pytest.param(drop(("changes",)), id="changes-omitted"),
    pytest.param(put(("changes",), []), id="no-changes"),
    pytest.param(
        put(("changes", 0, "status"), "cancelled"), id="pending-then-cancelled-on-same-contract"
    ),
    pytest.param(put(("changes", 1, "status"), "pending"), id="pending-on-two-holders"),
    pytest.param(
        put(("changes", 0, "effective_at"), "2026-11-26T12:00:00+00:00"), id="effective-at-submit"
    ),
    pytest.param(put(("subscriptions", 0, "seats"), 10_000_000), id="max-seats"),
    pytest.param(put(("partners", 0, "name"), "x" * 200), id="name-200"),
    pytest.param(put(("partners", 0, "name"), "Ångström [bold] ÉTS"), id="unicode-name"),
]


@pytest.mark.parametrize("mutate", VALID_VARIANTS)
def test_valid_variants_are_accepted(mutate: Mutation) -> None:
    assert isinstance(parse_document(mutate(valid())), AccountDocument)


def test_parse_gives_typed_values() -> None:
    document = parse_document(valid())
    assert document.contracts[1].term_end == date(2028, 2, 29)
    assert document.contracts[1].partners == ("5550001111", "5550002222")
    fusion = document.subscriptions[2]
    assert fusion.contract is None
    assert fusion.term_end == date(2027, 2, 1)
    assert fusion.auto_renew is True
    assert fusion.manager == CLAIRE
    legacy = document.subscriptions[0]
    assert (legacy.manager, legacy.term_end, legacy.auto_renew, legacy.partners) == (
        None,
        None,
        None,
        (),
    )
    change = document.changes[0]
    assert change.holder == "110000000001"
    assert change.subscription is None
    assert change.from_ == ("5550001111",)
    assert change.submitted_at == datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert document.changes[1].holder == "72000000009"
    assert document.changes[1].contract is None


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2026-11-26T12:00:00+00:00", "2026-11-26T12:00:00+00:00"),
        ("2026-11-26T12:00:00Z", "2026-11-26T12:00:00+00:00"),
        ("2026-11-26T12:00:00", "2026-11-26T12:00:00+00:00"),
        ("2026-11-26T12:00", "2026-11-26T12:00:00+00:00"),
        ("2026-11-26T13:30:00+01:30", "2026-11-26T12:00:00+00:00"),
        ("2026-11-26T07:00:00-05:00", "2026-11-26T12:00:00+00:00"),
        ("2026-11-26T12:00:00.250+00:00", "2026-11-26T12:00:00.250000+00:00"),
    ],
)
def test_moments_are_normalised_to_utc(written: str, canonical: str) -> None:
    doc = valid()
    doc["changes"][0]["submitted_at"] = written
    doc["changes"][0]["effective_at"] = written
    document = parse_document(doc)
    moment = document.changes[0].submitted_at
    assert moment.utcoffset() == timedelta(0)
    assert document_to_json(document)["changes"][0]["submitted_at"] == canonical


# --- round trip ------------------------------------------------------------------------


def test_round_trip_of_a_canonical_document() -> None:
    assert document_to_json(parse_document(valid())) == valid()


def test_round_trip_keeps_spec_key_order() -> None:
    exported = document_to_json(parse_document(valid()))
    assert list(exported) == [
        "format",
        "account",
        "users",
        "partners",
        "contracts",
        "subscriptions",
        "notices",
        "changes",
    ]
    assert list(exported["subscriptions"][0]) == ["id", "product", "seats", "plan", "contract"]
    assert list(exported["subscriptions"][2]) == [
        "id",
        "product",
        "seats",
        "plan",
        "contract",
        "manager",
        "term_end",
        "auto_renew",
        "partners",
    ]
    assert list(exported["changes"][0]) == [
        "id",
        "contract",
        "from",
        "to",
        "by",
        "submitted_at",
        "effective_at",
        "status",
    ]
    assert "contract" not in exported["changes"][1]
    assert exported["changes"][1]["subscription"] == "72000000009"


def test_round_trip_through_json_text() -> None:
    document = parse_document(valid())
    text = json.dumps(document_to_json(document), ensure_ascii=False)
    assert parse_document(json.loads(text)) == document


def test_omitted_sections_export_as_empty_lists() -> None:
    doc = valid()
    del doc["notices"], doc["changes"]
    exported = document_to_json(parse_document(doc))
    assert exported["notices"] == []
    assert exported["changes"] == []
    assert parse_document(exported) == parse_document(doc)


def test_export_of_an_offset_moment_is_utc() -> None:
    document = parse_document(valid())
    paris = timezone(timedelta(hours=1))
    document.changes[0] = Change(
        "CH-0001",
        "110000000001",
        None,
        ("5550001111",),
        "5550002222",
        CLAIRE,
        datetime(2026, 11, 26, 13, tzinfo=paris),
        datetime(2026, 11, 26, 14, tzinfo=paris),
        "pending",
    )
    exported = document_to_json(document)
    assert exported["changes"][0]["submitted_at"] == "2026-11-26T12:00:00+00:00"
    assert parse_document(exported) == document


@pytest.mark.slow
def test_large_document_reports_a_problem_at_the_end() -> None:
    # Validation is linear: a duplicate among 100,000 subscriptions is found and named.
    doc = valid()
    doc["changes"] = []
    doc["contracts"] = [{**doc["contracts"][0], "number": f"C-{n}"} for n in range(20_000)]
    doc["subscriptions"] = [
        {
            "id": f"S-{n}",
            "product": "AutoCAD",
            "seats": 1,
            "plan": "standard",
            "contract": f"C-{n % 20_000}",
        }
        for n in range(100_000)
    ]
    assert len(parse_document(doc).subscriptions) == 100_000
    doc["subscriptions"].append({**doc["subscriptions"][5], "seats": 2})
    with pytest.raises(DocumentError) as caught:
        parse_document(doc)
    assert caught.value.place == "subscriptions[100000].id"
    assert "subscriptions[5]" in caught.value.problem


# --- the demo account ------------------------------------------------------------------

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
REQUEST_DEPENDENT = {
    "unknown-user",
    "not-contract-manager",
    "change-pending",
    "partner-inactive",
    "multiple-partners",
}


def _terms(document: AccountDocument) -> dict[str, Terms]:
    contracts = {c.number: c for c in document.contracts}
    return {
        s.id: Terms.of(s, contracts[s.contract] if s.contract is not None else None)
        for s in document.subscriptions
    }


def _codes(facts: Facts) -> set[str]:
    return {reason.code for reason in eligibility(facts)}


@pytest.mark.parametrize("today", [TODAY, date(2028, 2, 29), date(2031, 1, 1)])
def test_demo_passes_validation_and_round_trips(today: date) -> None:
    demo = demo_document(today, datetime.combine(today, datetime.min.time(), UTC))
    exported = document_to_json(demo)
    assert parse_document(exported) == demo
    assert document_to_json(parse_document(json.loads(json.dumps(exported)))) == exported


def test_demo_has_the_documented_shape() -> None:
    demo = demo_document(TODAY, NOW)
    assert demo.account.csn == "5100000001"
    assert demo.account.name == "Atelier Dupont"
    roles = {u.email: u.role for u in demo.users}
    assert roles["claire@dupont.example"] == "primary_admin"
    assert sorted(roles.values()).count("secondary_admin") >= 2
    assert "user" in roles.values()
    assert len(demo.contracts) >= 6
    assert len(demo.subscriptions) >= 8
    assert {s.plan for s in demo.subscriptions} == {"standard", "premium", "enterprise"}
    assert demo.changes == []
    assert len(demo.partners) >= 5


def test_demo_shows_every_rule_that_does_not_depend_on_the_request() -> None:
    demo = demo_document(TODAY, NOW)
    shown = set().union(*(_codes(Facts(TODAY, sid, terms)) for sid, terms in _terms(demo).items()))
    assert shown == set(CODES) - REQUEST_DEPENDENT


def test_demo_eligible_contract_holds_three_subscriptions() -> None:
    demo = demo_document(TODAY, NOW)
    terms = _terms(demo)
    eligible = [sid for sid, t in terms.items() if not _codes(Facts(TODAY, sid, t))]
    by_contract = {terms[sid].contract for sid in eligible}
    three = [
        c
        for c in demo.contracts
        if c.number in by_contract and sum(terms[s].contract == c.number for s in eligible) == 3
    ]
    assert len(three) >= 1
    contract = three[0]
    assert contract.partners == ("5550001111",)
    assert contract.agreement == "standard"
    assert not contract.auto_renew
    assert 365 <= (contract.term_end - TODAY).days <= 450


def test_demo_term_ends_follow_today() -> None:
    demo = demo_document(TODAY, NOW)
    days = sorted((c.term_end - TODAY).days for c in demo.contracts)
    assert -20 in days
    assert 45 in days
    assert days == sorted(
        (c.term_end - date(2030, 6, 1)).days for c in demo_document(date(2030, 6, 1), NOW).contracts
    )


def test_demo_new_buying_model_subscription_carries_its_own_terms() -> None:
    demo = demo_document(TODAY, NOW)
    own = [s for s in demo.subscriptions if s.contract is None]
    assert own
    for subscription in own:
        assert subscription.manager is not None
        assert subscription.term_end is not None
        assert subscription.auto_renew is not None
        assert subscription.partners


def test_demo_notice_names_an_active_new_partner() -> None:
    demo = demo_document(TODAY, NOW)
    partners = {p.csn: p for p in demo.partners}
    assert partners["5550001111"].name == "CADpro Lyon"
    (notice,) = demo.notices
    assert notice.received == TODAY - timedelta(days=6)
    assert notice.subject == "Your new Autodesk partner"
    new_partner = partners[notice.partner]
    assert (new_partner.csn, new_partner.name) == ("5550002222", "Bureau Numérique Paris")
    assert new_partner.active


def test_demo_makes_the_request_dependent_rules_possible() -> None:
    demo = demo_document(TODAY, NOW)
    terms = _terms(demo)
    users = {u.email: u for u in demo.users}
    primary = next(u for u in demo.users if u.role == "primary_admin")
    eligible_sid = next(sid for sid, t in terms.items() if not _codes(Facts(TODAY, sid, t)))
    eligible = terms[eligible_sid]
    active = next(p for p in demo.partners if p.active and p.csn not in eligible.partners)

    # partner-inactive: an inactive partner exists.
    inactive = next(p for p in demo.partners if not p.active)
    assert _codes(Facts(TODAY, eligible_sid, eligible, new_partner=inactive)) == {
        "partner-inactive"
    }

    # multiple-partners: a contract with two partners, eligible otherwise.
    two = [sid for sid, t in terms.items() if len(t.partners) == 2]
    assert two
    assert not _codes(Facts(TODAY, two[0], terms[two[0]], new_partner=active, replace_all=True))
    assert _codes(Facts(TODAY, two[0], terms[two[0]], replace_all=False)) == {"multiple-partners"}

    # not-contract-manager: a contract managed by a secondary admin, eligible otherwise.
    managed = [sid for sid, t in terms.items() if t.manager != primary.email]
    assert managed
    sid = managed[0]
    manager = users[terms[sid].manager]
    assert manager.role == "secondary_admin"
    assert not _codes(Facts(TODAY, sid, terms[sid], manager.email, manager))
    assert _codes(Facts(TODAY, eligible_sid, eligible, manager.email, manager)) == {
        "not-contract-manager"
    }
    plain = next(u for u in demo.users if u.role == "user")
    assert _codes(Facts(TODAY, sid, terms[sid], plain.email, plain)) == {"not-contract-manager"}
    assert not _codes(Facts(TODAY, sid, terms[sid], primary.email, primary))

    # unknown-user: anyone not in the account.
    assert _codes(Facts(TODAY, eligible_sid, eligible, "paul@example.org", None)) == {
        "unknown-user"
    }

    # change-pending: once a change is pending on the eligible contract.
    pending = Change(
        "CH-1",
        eligible.contract,
        None,
        eligible.partners,
        active.csn,
        primary.email,
        NOW,
        NOW + timedelta(hours=1),
        "pending",
    )
    other = next(
        p for p in demo.partners if p.active and p.csn not in {active.csn, *eligible.partners}
    )
    assert _codes(Facts(TODAY, eligible_sid, eligible, pending=pending, new_partner=other)) == {
        "change-pending"
    }
    with_change = document_to_json(demo)
    with_change["changes"] = [
        {
            "id": "CH-1",
            "contract": eligible.contract,
            "from": list(eligible.partners),
            "to": active.csn,
            "by": primary.email,
            "submitted_at": NOW.isoformat(),
            "effective_at": (NOW + timedelta(hours=1)).isoformat(),
            "status": "pending",
        }
    ]
    assert parse_document(with_change).changes == [pending]


def test_demo_matches_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(document_to_json(demo_document(TODAY, NOW)))
    validator.validate(valid())
    for mutate in (
        put(("subscriptions", 0, "seats"), True),
        put(("subscriptions", 0, "manager"), CLAIRE),
        drop(("subscriptions", 2, "term_end")),
        put(("partners", 0, "csn"), "555000111"),
        put(("partners", 0, "name"), "\x1b[31mCADpro"),
        put(("changes", 0, "subscription"), "72000000009"),
    ):
        assert not validator.is_valid(mutate(valid()))


# --- property: never anything but DocumentError ---------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "5550001111",
            "5550002222",
            "110000000001",
            "72000000009",
            CLAIRE,
            "2027-02-29",
            "2026-11-26T12:00:00+00:00",
            "pending",
            "acctctl/1",
            "x" * 10_000,
        ]
    )
    | st.sampled_from([10**100, -(10**100), 0, 1, 10_000_001, 1.5, float("inf")])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "format",
        "account",
        "users",
        "contract",
        "subscription",
        "manager",
        "term_end",
        "auto_renew",
        "partners",
        "from",
        "status",
        "seats",
    ]
) | st.text(max_size=12)


def _containers(value: Any, path: Path_ = ()) -> list[Path_]:
    found: list[Path_] = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                found += _containers(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                found += _containers(item, (*path, index))
    return found


def _at(doc: Any, path: Path_) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@pytest.mark.slow
@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_mutated_documents_raise_only_document_errors(data: st.DataObject) -> None:
    doc = valid()
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        container = _at(doc, data.draw(st.sampled_from(_containers(doc)), label="where"))
        action = data.draw(st.sampled_from(["drop", "add", "replace", "clone"]), label="action")
        if isinstance(container, dict):
            keys = list(container)
            if action == "drop" and keys:
                del container[data.draw(st.sampled_from(keys))]
            elif action == "replace" and keys:
                container[data.draw(st.sampled_from(keys))] = data.draw(JSON_VALUES)
            else:
                container[data.draw(KEYS)] = data.draw(JSON_VALUES)
        else:
            if action == "drop" and container:
                del container[data.draw(st.integers(0, len(container) - 1))]
            elif action == "replace" and container:
                container[data.draw(st.integers(0, len(container) - 1))] = data.draw(JSON_VALUES)
            elif action == "clone" and container:
                container.append(copy.deepcopy(data.draw(st.sampled_from(container))))
            else:
                container.append(data.draw(JSON_VALUES))
    try:
        document = parse_document(doc)
    except DocumentError as error:
        assert error.problem
        return
    assert parse_document(document_to_json(document)) == document


@settings(deadline=None)
@given(JSON_VALUES)
def test_arbitrary_json_raises_only_document_errors(value: Any) -> None:
    with pytest.raises(DocumentError):
        parse_document(value)
