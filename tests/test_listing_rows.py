"""`subs list` decides once per holder (service.listing): its reasons, written with a
placeholder for the subscription's id, are what `rules.eligibility` gives each
subscription on its own — on every case of the rule table, in both languages, for
several ids and actors, on every back end — and `subs list --json`'s rows are each
subscription decided on its own (`subs show`), encoded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from acctctl.domain import Partner, User
from acctctl.i18n import set_language
from acctctl.listing_json import row_lines
from acctctl.output import json_text
from acctctl.rules import Facts, eligibility
from acctctl.service.context import Context
from acctctl.service.listing import _SECOND, PLACEHOLDER, SharedReasons, listing_rows
from acctctl.service.views import show_subscription
from conftest import StoreFactory
from test_eligible_prefilter import EVERYONE, MOMENTS, RUNS, account_of
from test_rules import CASES, MANAGER, PRIMARY, pending_to

IDS = ["72000000001", "72000000999", "a-1", "Zz9"]
NOT_IDS = ["72 000", "x'y", "É1"]  # no valid id looks like these: decided on their own


@pytest.fixture(params=["en", "fr"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("en")


def listing(case: Facts) -> Facts:
    """The case as a listing asks it: nothing requested yet."""
    return replace(case, new_partner=None, replace_all=None)


@pytest.mark.parametrize(("name", "case", "_codes"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.usefixtures("language")
def test_shared_reasons_are_each_subscriptions_own(name: str, case: Facts, _codes: object) -> None:
    for facts in (case, listing(case)):
        own = facts.terms.contract is None
        shared = SharedReasons(facts, own=own)
        for sub_id in [facts.subscription] if own else IDS + NOT_IDS:
            expected = tuple(eligibility(replace(facts, subscription=sub_id)))
            assert shared.of(sub_id) == expected, (name, sub_id)
            assert shared.eligible is (not expected)


@pytest.mark.usefixtures("language")
def test_a_name_that_looks_like_the_placeholder_is_not_replaced() -> None:
    """A partner or a manager named like a placeholder: each subscription is decided on
    its own, and the text still names them as they are."""
    for hostile in (PLACEHOLDER, _SECOND, f"{PLACEHOLDER} {_SECOND}"):
        case = replace(
            CASES[0][1],
            terms=replace(CASES[0][1].terms, auto_renew=True, manager=hostile),
            actor=MANAGER.email,
            actor_user=User(MANAGER.email, "Marc", "user"),
            pending=pending_to("5550004444"),
            pending_partner_name=hostile,
            new_partner=Partner("5550004444", hostile, "Lyon", "FR", "p@x.example", True),
        )
        shared = SharedReasons(case)
        assert shared.shared is None or not shared.named
        for sub_id in IDS:
            expected = tuple(eligibility(replace(case, subscription=sub_id)))
            assert shared.of(sub_id) == expected
            assert any(hostile in r.message for r in expected)


def test_an_auto_renew_contract_is_decided_once() -> None:
    """The fast form is taken where it should be: an automatic renewal's reason names
    the subscription, yet it is worked out once for the contract."""
    case = replace(listing(CASES[0][1]), terms=replace(CASES[0][1].terms, auto_renew=True))
    shared = SharedReasons(case)
    assert shared.named and shared.shared is not None
    assert PLACEHOLDER in shared.shared[0].message
    assert "72000000042" in shared.of("72000000042")[0].message


@pytest.mark.parametrize(("name", "case", "moment"), RUNS, ids=[f"{n}, {m}" for n, _, m in RUNS])
def test_json_rows_are_each_subscription_shown_on_its_own(
    store_factory: StoreFactory, name: str, case: Facts, moment: str
) -> None:
    store = store_factory()
    document = account_of(case)
    # A second subscription on the contract (or a second new-model one): a shared holder.
    first = document.subscriptions[0]
    document.subscriptions.append(replace(first, id="72000000002", product='Revit "LT" é'))
    store.replace(document, force=False)
    for actor in [*(u.email for u in EVERYONE), None, "nobody@x.example"]:
        ctx = Context(store=store, now=MOMENTS[moment], actor=actor)
        lines = list(row_lines(listing_rows(ctx)))
        shown = [
            json_text(show_subscription(ctx, s.id).view.to_json()) for s in document.subscriptions
        ]
        assert lines == shown, (name, actor)
        eligible = [line for line in lines if json.loads(line)["eligible"]]
        assert list(row_lines(listing_rows(ctx, eligible_only=True))) == eligible
    store.close()


def test_the_primary_admin_sees_every_reason_but_authorization(store_factory: StoreFactory) -> None:
    """A positive control for the comparison above: the rows do carry reasons."""
    case = replace(listing(CASES[0][1]), terms=replace(CASES[0][1].terms, auto_renew=True))
    store = store_factory()
    store.replace(account_of(case), force=False)
    ctx = Context(store=store, now=MOMENTS["pending later"], actor=PRIMARY.email)
    (line,) = row_lines(listing_rows(ctx))
    row = json.loads(line)
    assert [r["code"] for r in row["reasons"]] == ["auto-renew"]
    assert "acctctl subs auto-renew 72000000001 --off" in row["reasons"][0]["message"]
    store.close()


def test_the_cycle_collector_is_paused_for_a_listing_and_resumed_as_it_was() -> None:
    import gc

    from acctctl.output import cycle_collection_paused

    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), cycle_collection_paused():
        raise KeyError("x")
    assert gc.isenabled()  # resumed after an error too
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()
