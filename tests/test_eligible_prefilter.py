"""`subs list --eligible`: the store's pre-selection (candidates.Candidates, in SQL where the
rows are) and the rules agree on every case of the rule table (tests/test_rules.py), on
every back end. Each case becomes an account of one contract — or one new-model
subscription — and the case's actor; the listing's eligible subscriptions with and
without the pre-selection must be the same, and so must `--eligible --ids`
(``eligible_ids``: the candidate contracts, decided once each); the pre-selection must
not let through what the rules refuse (it does its work)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from acctctl.candidates import candidates
from acctctl.domain import Account, AccountDocument, Contract, Partner, Subscription
from acctctl.service.context import Context
from acctctl.service.views import _Account, eligible_ids, list_subscriptions
from conftest import StoreFactory
from test_rules import ACTIVE, CASES, INACTIVE, MANAGER, OTHER_ADMIN, PLAIN, PRIMARY, Facts

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
EVERYONE = [PRIMARY, MANAGER, OTHER_ADMIN, PLAIN]
PARTNERS = [
    ACTIVE,
    INACTIVE,
    *(Partner(csn, "P " + csn, "Lyon", "FR", "p@x.example", True)
      for csn in ("5550001111", "5550003333", "5550004444")),
]  # fmt: skip


def account_of(case: Facts) -> AccountDocument:
    terms = case.terms
    subscription = Subscription("72000000001", "AutoCAD", 3, "standard", terms.contract)
    contracts = []
    if terms.contract is None:
        subscription = replace(
            subscription,
            manager=terms.manager,
            term_end=terms.term_end,
            auto_renew=terms.auto_renew,
            partners=terms.partners,
        )
    else:
        contracts = [
            Contract(
                terms.contract,
                terms.manager,
                terms.term_end,
                terms.auto_renew,
                terms.agreement or "standard",
                terms.partners,
            )
        ]
    changes = []
    if case.pending is not None:
        changes = [replace(case.pending, from_=terms.partners)]
    return AccountDocument(
        account=Account("5100000001", "Atelier Dupont"),
        users=list(EVERYONE),
        partners=PARTNERS,
        contracts=contracts,
        subscriptions=[subscription],
        changes=changes,
    )


# The listing's own view of a case: today is the rule table's; a pending change in the
# past is in effect, one in the future is pending (both are tried).
MOMENTS = {"pending later": NOW, "pending in effect": NOW + timedelta(days=1)}


RUNS = [
    (name, case, moment)
    for name, case, _codes in CASES
    for moment in MOMENTS
    if case.pending is not None or moment == "pending later"
]


@pytest.mark.parametrize(("name", "case", "moment"), RUNS, ids=[f"{n}, {m}" for n, _, m in RUNS])
def test_the_store_selects_what_the_rules_allow(
    store_factory: StoreFactory, name: str, case: Facts, moment: str
) -> None:
    store = store_factory()
    store.replace(account_of(case), force=False)
    now = MOMENTS[moment]
    # The rule table's dates are relative to its today; shift them with the clock.
    shift = now.date() - case.today
    if shift:
        store = store_factory(path=None)
        shifted = replace(case, terms=replace(case.terms, term_end=case.terms.term_end + shift))
        store.replace(account_of(shifted), force=True)
    ctx = Context(store=store, now=now, actor=case.actor)
    every = list(list_subscriptions(ctx))
    allowed = [v.subscription.id for v in every if v.eligible]
    assert [v.subscription.id for v in list_subscriptions(ctx, eligible_only=True)] == allowed
    assert list(eligible_ids(ctx)) == allowed  # `subs list --eligible --ids`
    with store.read() as reader:
        selection = candidates(now.date(), now, case.actor, _Account(reader, ctx).actor_user)
        selected = [] if selection is None else [s.id for s, _c in reader.listing(selection)]
    assert selected == allowed, name  # a superset in general; exact on one-rule cases
    with store.read() as reader:
        chosen = [] if selection is None else list(reader.candidate_contracts(selection))
        pairs = list(reader.subscription_contracts())
    assert [s for s, c in pairs if c in {c.number for c in chosen}] == allowed, name
    store.close()


def test_the_cases_cover_every_selection() -> None:
    """The table holds eligible cases and refused ones for each rule the store selects on."""
    codes = {code for _name, _case, found in CASES for code in found}
    assert {
        "new-buying-model",
        "auto-renew",
        "token-flex",
        "expired",
        "expiring-soon",
        "not-contract-manager",
        "unknown-user",
        "change-pending",
    } <= codes
    assert any(not found for _name, _case, found in CASES)


def test_ids_are_written_as_out_writes_them(capsys: pytest.CaptureFixture[str]) -> None:
    """`print_ids` writes valid ids in chunks and anything else through `out(inert(…))`:
    the same text as one `out` per id, tampered ids made inert, order kept."""
    from acctctl.output import inert, out, print_ids

    ids = [f"72{n:09d}" for n in range(2500)]
    ids[10:10] = ["72000000099\x1b]0;TITLE\x07", "ab cd", "7200000000\u202e1"]
    ids.append("\x9bforged")
    for id_ in ids:
        out(inert(id_))
    expected = capsys.readouterr().out
    print_ids(iter(ids))
    shown = capsys.readouterr().out
    assert shown == expected
    assert "\x1b" not in shown and "\u202e" not in shown and "\x9b" not in shown
    assert shown.count("\n") == len(ids)
