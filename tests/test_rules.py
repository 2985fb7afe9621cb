"""The eligibility rules, table-driven: one row per case, boundary dates included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from acctctl.domain import Change, Partner, Terms, User
from acctctl.rules import CODES, EXIT_CODES, Facts, eligibility, is_unchanged

TODAY = date(2026, 11, 26)
MANAGER = User("marc@dupont.example", "Marc", "secondary_admin")
PRIMARY = User("claire@dupont.example", "Claire", "primary_admin")
OTHER_ADMIN = User("thomas@dupont.example", "Thomas", "secondary_admin")
PLAIN = User("julie@dupont.example", "Julie", "user")
ACTIVE = Partner("5550002222", "Bureau Numérique Paris", "Paris", "FR", "b@x.example", True)
INACTIVE = Partner("5550009999", "Ancien Revendeur", "Lyon", "FR", "a@x.example", False)
TERMS = Terms(
    contract="110000000001",
    manager=MANAGER.email,
    term_end=TODAY + timedelta(days=400),
    auto_renew=False,
    agreement="standard",
    partners=("5550001111",),
)
NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)


def pending_to(csn: str) -> Change:
    return Change(
        "CHG-000001", TERMS.contract, None, TERMS.partners, csn, PRIMARY.email,
        NOW, NOW + timedelta(hours=1), "pending",
    )  # fmt: skip


def facts(**changes: object) -> Facts:
    base = Facts(
        today=TODAY,
        subscription="72000000001",
        terms=TERMS,
        actor=MANAGER.email,
        actor_user=MANAGER,
        new_partner=ACTIVE,
        replace_all=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def ends_in(days: int) -> Terms:
    return replace(TERMS, term_end=TODAY + timedelta(days=days))


CASES: list[tuple[str, Facts, list[str]]] = [
    ("eligible", facts(), []),
    ("eligible, 91 days left", facts(terms=ends_in(91)), []),
    ("90 days left", facts(terms=ends_in(90)), ["expiring-soon"]),
    ("1 day left", facts(terms=ends_in(1)), ["expiring-soon"]),
    ("ends today (0 days)", facts(terms=ends_in(0)), ["expiring-soon"]),
    ("ended yesterday (-1)", facts(terms=ends_in(-1)), ["expired"]),
    ("ended a year ago", facts(terms=ends_in(-365)), ["expired"]),
    ("auto-renew on", facts(terms=replace(TERMS, auto_renew=True)), ["auto-renew"]),
    ("token flex", facts(terms=replace(TERMS, agreement="eba-token-flex")), ["token-flex"]),
    ("plain EBA is fine", facts(terms=replace(TERMS, agreement="eba")), []),
    (
        "new buying model",
        facts(terms=replace(TERMS, contract=None, agreement=None)),
        ["new-buying-model"],
    ),
    ("primary admin may", facts(actor=PRIMARY.email, actor_user=PRIMARY), []),
    (
        "another secondary admin may not",
        facts(actor=OTHER_ADMIN.email, actor_user=OTHER_ADMIN),
        ["not-contract-manager"],
    ),
    ("a user may not", facts(actor=PLAIN.email, actor_user=PLAIN), ["not-contract-manager"]),
    ("unknown identity", facts(actor="x@example.org", actor_user=None), ["unknown-user"]),
    ("nobody signed in: not asked", facts(actor=None, actor_user=None), []),
    ("inactive partner", facts(new_partner=INACTIVE), ["partner-inactive"]),
    (
        "two partners, not confirmed",
        facts(terms=replace(TERMS, partners=("5550001111", "5550003333"))),
        ["multiple-partners"],
    ),
    (
        "two partners, confirmed",
        facts(terms=replace(TERMS, partners=("5550001111", "5550003333")), replace_all=True),
        [],
    ),
    (
        "two partners, listing (nothing asked yet)",
        facts(terms=replace(TERMS, partners=("5550001111", "5550003333")), replace_all=None),
        [],
    ),
    ("pending to another partner", facts(pending=pending_to("5550004444")), ["change-pending"]),
    ("pending to the same partner", facts(pending=pending_to(ACTIVE.csn)), []),
    (
        "pending, listing",
        facts(pending=pending_to(ACTIVE.csn), new_partner=None),
        ["change-pending"],
    ),
    (
        "every rule at once, all reported in order",
        facts(
            actor=PLAIN.email,
            actor_user=PLAIN,
            terms=replace(
                TERMS,
                auto_renew=True,
                agreement="eba-token-flex",
                term_end=TODAY - timedelta(days=1),
                partners=("5550001111", "5550003333"),
            ),
            pending=pending_to("5550004444"),
            new_partner=INACTIVE,
        ),
        [
            "not-contract-manager",
            "auto-renew",
            "token-flex",
            "expired",
            "change-pending",
            "partner-inactive",
            "multiple-partners",
        ],
    ),
]


@pytest.mark.parametrize(("case", "given", "expected"), CASES, ids=[c[0] for c in CASES])
def test_eligibility(case: str, given: Facts, expected: list[str]) -> None:
    reasons = eligibility(given)
    assert [r.code for r in reasons] == expected
    for reason in reasons:
        assert reason.message.endswith(".")
        assert len(reason.message) > 30  # says why and what to do


def test_every_code_has_its_exit_code() -> None:
    assert set(CODES) == {
        "not-contract-manager", "unknown-user", "new-buying-model", "auto-renew", "token-flex",
        "expired", "expiring-soon", "change-pending", "partner-inactive", "multiple-partners",
    }  # fmt: skip
    assert {code for code, exit_ in EXIT_CODES.items() if exit_ == 5} == {
        "not-contract-manager",
        "unknown-user",
    }
    assert all(exit_ in (3, 5) for exit_ in EXIT_CODES.values())


def test_expiry_sentence_names_the_date_and_days_left() -> None:
    (reason,) = eligibility(facts(terms=ends_in(45)))
    assert "2027-01-10" in reason.message and "45" in reason.message


@pytest.mark.parametrize(
    ("partners", "pending", "csn", "unchanged"),
    [
        (("5550002222",), None, "5550002222", True),
        (("5550001111",), None, "5550002222", False),
        (("5550001111", "5550002222"), None, "5550002222", False),
        (("5550001111",), "5550002222", "5550002222", True),
        (("5550001111",), "5550002222", "5550001111", False),
    ],
)
def test_unchanged(
    partners: tuple[str, ...], pending: str | None, csn: str, unchanged: bool
) -> None:
    terms = replace(TERMS, partners=partners)
    assert is_unchanged(terms, pending_to(pending) if pending else None, csn) is unchanged


@pytest.mark.parametrize(("name", "case", "_codes"), CASES, ids=[c[0] for c in CASES])
def test_only_the_named_codes_name_the_subscription(
    name: str, case: Facts, _codes: list[str]
) -> None:
    """A listing works out once per contract every reason not in NAMING_THE_SUBSCRIPTION."""
    from acctctl.rules import NAMING_THE_SUBSCRIPTION

    one = eligibility(replace(case, subscription="72000000001"))
    other = eligibility(replace(case, subscription="72000000999"))
    assert [r.code for r in one] == [r.code for r in other]
    for a, b in zip(one, other, strict=True):
        if case.terms.contract is None:
            continue  # a new-model subscription is its own holder: never shared
        if a.code in NAMING_THE_SUBSCRIPTION:
            assert a.message != b.message  # the set holds no code that does not need to be
        else:
            assert a.message == b.message, name
