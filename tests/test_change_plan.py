"""The service's partner change: ``plan_change`` (nothing written) and ``submit`` (checks
again, writes in one transaction); who acts, settled by ``sign_in``; one ``ExitCode``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from acctctl import service
from acctctl.demo import (
    ALPES_CONCEPTION,
    BIM_NANTES,
    BUREAU_NUMERIQUE,
    CADPRO,
    CLAIRE,
    JULIE,
    MARC,
    THOMAS,
)
from acctctl.errors import (
    CancelledError,
    ExitCode,
    NotAllowedError,
    RejectedError,
    StoreLockedError,
    UsageError,
    exit_code_of,
)
from acctctl.service import Context
from conftest import demo_context

SRC = Path(__file__).resolve().parents[1] / "src" / "acctctl"


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("ACCTCTL_NOW", "2026-11-26T09:30:00Z")
    context = demo_context(tmp_path / "account.db", CLAIRE)
    yield context
    context.store.close()


def pending(ctx: Context) -> list[str]:
    with ctx.store.read() as reader:
        return [c.id for c in reader.changes() if c.status == "pending"]


def test_a_plan_names_what_it_moves_and_when_and_writes_nothing(ctx: Context) -> None:
    partner = service.lookup_partner(ctx, BUREAU_NUMERIQUE)
    plan = service.plan_change(ctx, "72000000002", partner)
    assert plan.status == "would-submit" and plan.eligible
    assert plan.contract == "110000000001" and plan.before == (CADPRO,)
    assert [s.id for s in plan.moved] == ["72000000001", "72000000002", "72000000003"]
    assert plan.effective_at == ctx.now + timedelta(hours=1)
    assert pending(ctx) == []
    as_json = plan.result().to_json()
    assert as_json["status"] == "would-submit"
    assert as_json["change"] == {
        "id": None,
        "from": [CADPRO],
        "to": BUREAU_NUMERIQUE,
        "submitted_at": ctx.now.isoformat(),
        "effective_at": (ctx.now + timedelta(hours=1)).isoformat(),
    }


def test_a_plan_carries_every_reason_and_what_would_unblock_it(ctx: Context) -> None:
    inactive = service.lookup_partner(ctx, "5550003333")
    blocked = service.plan_change(ctx, "72000000004", inactive)  # auto-renew on
    assert [r.code for r in blocked.reasons] == ["auto-renew", "partner-inactive"]
    assert blocked.remedies == ()  # an inactive partner: nothing to do here
    partner = service.lookup_partner(ctx, BUREAU_NUMERIQUE)
    renewing = service.plan_change(ctx, "72000000004", partner)
    assert renewing.remedies == ("turn-auto-renew-off",)
    several = service.plan_change(ctx, "72000000008", partner)
    assert (several.status, several.remedies) == ("rejected", ("confirm-replace-all",))
    assert several.before == (CADPRO, BIM_NANTES) and several.replaces_several
    confirmed = service.plan_change(ctx, "72000000008", partner, replace_all=True)
    assert confirmed.status == "would-submit"


def test_submit_writes_the_plan_once(ctx: Context) -> None:
    partner = service.lookup_partner(ctx, BUREAU_NUMERIQUE)
    plan = service.plan_change(ctx, "72000000001", partner)
    result = service.submit(ctx, plan)
    assert result.status == "submitted" and result.change is not None
    assert result.change.effective_at == plan.effective_at
    assert pending(ctx) == [result.change.id]
    again = service.submit(ctx, plan)  # the same partner is now pending: nothing more
    assert again.status == "unchanged" and pending(ctx) == [result.change.id]


def test_submit_checks_again(ctx: Context) -> None:
    """What happened between the review and Submit counts: a rule that now fails
    rejects; partners that changed since the review refuse; nothing is written."""
    partner = service.lookup_partner(ctx, BUREAU_NUMERIQUE)
    plan = service.plan_change(ctx, "72000000001", partner)
    service.set_auto_renew(ctx, "72000000001", True)
    rejected = service.submit(ctx, plan)
    assert rejected.status == "rejected" and [r.code for r in rejected.reasons] == ["auto-renew"]
    service.set_auto_renew(ctx, "72000000001", False)
    other = service.lookup_partner(ctx, ALPES_CONCEPTION)
    moved = service.submit(ctx, service.plan_change(ctx, "72000000001", other))
    assert moved.change is not None
    later = replace(ctx, now=ctx.now + timedelta(hours=2))  # that change is now applied
    with pytest.raises(RejectedError, match="changed since the review"):
        service.submit(later, plan)
    assert pending(ctx) == [moved.change.id]


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(CLAIRE, True), (THOMAS, True), (MARC, False), (JULIE, False), ("x@y.example", False)],
)
def test_sign_in_settles_who_acts(ctx: Context, actor: str, allowed: bool) -> None:
    acting = replace(ctx, actor=actor)
    if allowed:
        assert service.sign_in(acting).email == actor
        return
    with pytest.raises(NotAllowedError) as refused:
        service.sign_in(acting)
    assert refused.value.exit_code == ExitCode.NOT_ALLOWED
    if actor.endswith("dupont.example"):
        assert "may change no partner" in refused.value.message
        assert refused.value.hint is not None and CLAIRE in refused.value.hint
    else:
        assert "is not a user of this account" in refused.value.message
    with pytest.raises(UsageError):
        service.sign_in(replace(ctx, actor=None))


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (UsageError("x"), 2),
        (RejectedError("x"), 3),
        (NotAllowedError("x"), 5),
        (StoreLockedError("x"), 6),
        (CancelledError("x"), 130),
        (KeyboardInterrupt(), 130),
        (BrokenPipeError(), 141),  # the reader went away: output lost (issue 14)
        (ZeroDivisionError(), 1),
    ],
)
def test_one_mapping_from_errors_to_exit_codes(error: BaseException, code: int) -> None:
    assert exit_code_of(error) == code


def test_exit_codes_are_named_not_typed() -> None:
    """No bare exit numbers in comparisons, no per-command error decorator: the group's one
    handler maps every error (``cli.app.AcctctlGroup``)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"exit_code\s*[!=]=\s*\d|Exit\(\d{2,}\)|@guarded", text):
            offenders.append(path.name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name == "guarded":
                offenders.append(f"{path.name}: def guarded")
    assert offenders == []
