"""The change flow in-process: the runner driven by a scripted prompter (fast, no terminal).

``Answers`` plays the administrator: each question is answered by the first scripted
answer whose key is in the question; a question nobody scripted fails the test at once
(no hang). The screens are the wizard's own, drawn to the captured stdout, so the
step headings show which way the walk went.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from acctctl import service
from acctctl.cli.change_lines import StepLines
from acctctl.demo import BIM_NANTES, BUREAU_NUMERIQUE, CADPRO, CLAIRE, JULIE, THOMAS
from acctctl.domain import Change
from acctctl.errors import CancelledError, NotAllowedError, UsageError
from acctctl.flow import Option, Request, ScriptedPrompter, run_change
from acctctl.flow.prompter import CSN, IDS, YES, Validator
from acctctl.service import Context
from acctctl.wizard import run_change_wizard
from conftest import demo_context

T = TypeVar("T")
NOW = "2026-11-26T09:30:00Z"


class Unscripted(AssertionError):
    pass


@dataclass
class Answers:
    """An interactive prompter answering from a script: ``(key, answer)`` pairs, used in
    order; ``answer`` is an option's title (select), a text, or a bool (confirm)."""

    script: list[tuple[str, Any]]
    asked: list[str] = field(default_factory=list)
    offered: dict[str, list[Option[Any]]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)
    interactive: bool = True

    def _answer(self, message: str) -> Any:
        self.asked.append(message)
        if not self.script or self.script[0][0] not in message:
            raise Unscripted(f"unscripted question {message!r}; next: {self.script[:1]}")
        return self.script.pop(0)[1]

    def select(
        self, message: str, options: Sequence[Option[T]], default: T | None = None, *, flag: str
    ) -> T:
        answer = self._answer(message)
        self.offered[message] = list(options)
        self.defaults[message] = default
        if answer == "":
            answer = next(o.title for o in options if o.value == default)
        exact = [o for o in options if o.title == answer]
        for option in exact or options:
            if answer in option.title:
                assert option.disabled is None, f"{option.title} is disabled"
                return option.value
        raise Unscripted(f"no option {answer!r} in {[o.title for o in options]}")

    def text(
        self, message: str, default: str = "", validate: Validator | None = None, *, flag: str
    ) -> str:
        """As the real prompt does, a text its validator refuses is not returned: the
        refusal is remembered and the same question is answered again."""
        answer = str(self._answer(message))
        while validate is not None and (problem := validate(answer)) is not None:
            self.refused.append((answer, problem))
            answer = str(self._answer(message))
        return answer

    def confirm(self, message: str, default: bool = False, *, flag: str) -> bool:
        return bool(self._answer(message))

    def ready(self) -> None:
        """A person answers: nothing is missing."""


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    context = demo_context(tmp_path / "account.db", CLAIRE)
    yield context
    context.store.close()


def headings(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"Step (\d)/8 — ", text)]


def changes(ctx: Context) -> list[Change]:
    with ctx.store.read() as reader:
        return reader.changes()


def wizard(ctx: Context, answers: Answers, **request: Any) -> int:
    return run_change_wizard(ctx, Request(**request), answers)


def with_pending(ctx: Context) -> Change:
    partner = service.lookup_partner(ctx, BIM_NANTES)
    result = service.submit(ctx, service.plan_change(ctx, "72000000001", partner))
    assert result.change is not None
    return result.change


# --- who acts, before step 1 ---------------------------------------------------------------


@pytest.mark.parametrize("actor", ["nobody@elsewhere.example", JULIE])
def test_who_acts_is_settled_before_step_1(
    ctx: Context, actor: str, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = Answers([])
    with pytest.raises(NotAllowedError) as refused:
        wizard(replace(ctx, actor=actor), answers)
    assert answers.asked == []  # not even the CSN
    assert headings(capsys.readouterr().out) == []
    assert refused.value.exit_code == 5
    why = "is not a user" if "elsewhere" in actor else "may change no partner"
    assert why in refused.value.message


def test_a_chosen_identity_is_settled_before_step_1(ctx: Context) -> None:
    answers = Answers([("Who is signing in?", "Julie")])
    with pytest.raises(NotAllowedError, match="may change no partner"):
        wizard(replace(ctx, actor=None), answers)
    assert answers.asked == ["Who is signing in?"]


def test_scripted_unknown_user_fails_before_any_step_line(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    acting = replace(ctx, actor="nobody@elsewhere.example")
    prompter = ScriptedPrompter({CSN: BUREAU_NUMERIQUE, IDS: True, YES: True})
    lines = StepLines(acting, json_=False, quiet=False, dry_run=False)
    with pytest.raises(NotAllowedError):
        run_change(acting, Request(["72000000001"], BUREAU_NUMERIQUE), prompter, lines)
    assert "Step " not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answers", "flag"),
    [({IDS: True, YES: True}, "--csn"), ({CSN: "5550002222", YES: True}, "pass their IDs")],
)
def test_the_scripted_prompter_names_the_missing_flag_at_once(
    answers: dict[str, Any], flag: str
) -> None:
    with pytest.raises(UsageError, match=flag) as missing:
        ScriptedPrompter(answers).require(CSN, IDS, YES)
    assert missing.value.exit_code == 2


# --- step 3: pending and blocked rows ------------------------------------------------------


def test_a_pending_change_is_marked_and_offers_details_and_cancel(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = with_pending(ctx)
    answers = Answers(
        [
            ("Select a subscription", "72000000002"),
            ("Actions", "Cancel the pending change"),
            ("Withdraw change", True),
            ("Actions", "Update reseller information"),
            ("Account number", "Find"),
            ("right partner", "Yes"),
            ("Submit", "Submit"),
            ("Close the confirmation window", "Done"),
        ]
    )
    assert wizard(ctx, answers, csn=BUREAU_NUMERIQUE) == 0

    rows = {o.value: o for o in answers.offered["Select a subscription:"]}
    assert "pending: Solutions BIM Nantes from 2026-11-26 10:30 UTC" in rows["72000000002"].title
    assert rows["72000000002"].disabled is None
    [first, second] = [m for m in answers.asked if m == "Actions:"]
    assert first == second  # the menu, before and after withdrawing
    statuses = {c.id: c.status for c in changes(ctx)}
    assert statuses[pending.id] == "cancelled"
    assert [c.to for c in changes(ctx) if c.status == "pending"] == [BUREAU_NUMERIQUE]
    assert "A change to Solutions BIM Nantes is pending" in capsys.readouterr().out


def test_a_pending_change_offers_no_update(ctx: Context) -> None:
    with_pending(ctx)
    answers = Answers([("Select a subscription", "72000000003"), ("Actions", "Cancel")])
    with pytest.raises(CancelledError):
        wizard(ctx, answers, csn=BUREAU_NUMERIQUE)
    titles = [o.title for o in answers.offered["Actions:"]]
    assert titles[:2] == ["View details", "Cancel the pending change"]
    assert "Update reseller information" not in titles


def test_a_blocked_row_opens_to_read_the_full_sentences(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = Answers(
        [
            ("Select a subscription", "72000000005"),  # token-flex
            ("Actions", "View details"),
            ("Actions", "Cancel"),
        ]
    )
    with pytest.raises(CancelledError):
        wizard(ctx, answers, csn=BUREAU_NUMERIQUE)
    rows = {o.value: o for o in answers.offered["Select a subscription:"]}
    assert rows["72000000005"].disabled is None and "✗ Token Flex" in rows["72000000005"].title
    update = answers.offered["Actions:"][0]
    assert update.title == "Update reseller information" and update.disabled == "Token Flex"
    out = capsys.readouterr().out
    assert "is an Enterprise Business Agreement using Token Flex" in " ".join(out.split())


# --- Back, and No at "replace all" ---------------------------------------------------------


def test_back_at_steps_5_6_and_7(ctx: Context, capsys: pytest.CaptureFixture[str]) -> None:
    answers = Answers(
        [
            ("Actions", "Update"),
            ("Account number", "Back"),  # 5 → 4
            ("Actions", "Update"),
            ("Account number", "Find"),
            ("right partner", "Back"),  # 6 → 5
            ("Account number", "Find"),
            ("right partner", "Yes"),
            ("Submit", "Back"),  # 7 → 6
            ("right partner", "Yes"),
            ("Submit", "Submit"),
            ("Close the confirmation window", "Done"),
        ]
    )
    assert wizard(ctx, answers, ids=["72000000001"], csn=BUREAU_NUMERIQUE) == 0
    walked = headings(capsys.readouterr().out)
    assert walked == [1, 2, 3, 4, 5, 4, 5, 6, 5, 6, 7, 6, 7, 8]
    assert [o.title for o in answers.offered["Close the confirmation window:"]] == ["Done"]
    assert [c.to for c in changes(ctx)] == [BUREAU_NUMERIQUE]


def test_no_at_replace_all_returns_to_step_5(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = Answers(
        [
            ("Actions", "Update"),
            ("Account number", "Find"),
            ("right partner", "Yes"),
            ("Replace all 2 partners", False),  # back to step 5
            ("Account number", "Enter another"),
            ("then Enter to Find", CADPRO),
            ("right partner", "Yes"),
            ("Replace all 2 partners with CADpro Lyon", True),
            ("Submit", "Cancel"),
        ]
    )
    with pytest.raises(CancelledError):
        wizard(ctx, answers, ids=["72000000008"], csn=BUREAU_NUMERIQUE)
    assert headings(capsys.readouterr().out) == [1, 2, 3, 4, 5, 6, 7, 5, 6, 7]
    assert changes(ctx) == []


# --- what the screens and lines say --------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "said"), [(15, "can take 15 minutes"), (60, "can take at least one hour")]
)
def test_the_promised_delay_follows_propagation_minutes(
    ctx: Context, capsys: pytest.CaptureFixture[str], minutes: int, said: str
) -> None:
    quick = replace(ctx, propagation=timedelta(minutes=minutes))
    answers = Answers(
        [("Actions", ""), ("Account number", ""), ("partner", ""), ("Submit", ""), ("Close", "")]
    )
    assert wizard(quick, answers, ids=["72000000001"], csn=BUREAU_NUMERIQUE) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"{said} to show the change" in out
    assert f"from 2026-11-26 {9 + (30 + minutes) // 60:02d}:{(30 + minutes) % 60:02d} UTC" in out
    if minutes < 60:
        assert "one hour" not in out
    lines = StepLines(quick, json_=False, quiet=False, dry_run=False)
    prompter = ScriptedPrompter({CSN: BUREAU_NUMERIQUE, IDS: True, YES: True})
    run_change(quick, Request(["72000000008"], BUREAU_NUMERIQUE, True), prompter, lines)
    assert f"(it {said})" in capsys.readouterr().err


def test_dry_run_lines_never_mention_yes(ctx: Context, capsys: pytest.CaptureFixture[str]) -> None:
    lines = StepLines(ctx, json_=False, quiet=False, dry_run=True)
    prompter = ScriptedPrompter({CSN: BUREAU_NUMERIQUE, IDS: True, YES: True})
    request = Request(["72000000001", "72000000004"], BUREAU_NUMERIQUE, dry_run=True)
    assert run_change(ctx, request, prompter, lines) == 3
    captured = capsys.readouterr()
    assert "--yes" not in captured.err and "Step 6/8" in captured.err
    assert captured.out.splitlines() == [
        "72000000001\twould-submit",
        "72000000004\trejected\tauto-renew",
    ]
    assert changes(ctx) == []


@pytest.mark.parametrize("columns", [60, 80, 100, 120])
def test_step_3_pending_note_gives_way_before_an_id_or_a_date_is_cut(
    ctx: Context, columns: int
) -> None:
    """The pending note shortens (name, then time) on a narrow screen: a row never runs
    past the screen, so no date is cut, and ids and contract numbers stay whole."""
    from acctctl.wizard.render import subscription_choices

    with_pending(ctx)
    views = list(service.list_subscriptions(ctx))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("COLUMNS", str(columns))
        choices = subscription_choices(views)
    for (label, why), view in zip(choices, views, strict=True):
        shown = "   " + label + (f"  ✗ {why}" if why else "")  # as questionary draws it
        assert len(shown) <= columns, shown
        assert view.subscription.id in label
        if view.subscription.contract:
            assert view.subscription.contract in label
        if view.pending is not None:
            assert "pending" in label
            dates = re.findall(r"\d{4}-\d\d-\d\d[^)]*", label)
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \w+", d) for d in dates), label


@pytest.mark.parametrize(
    ("user", "first"),
    [(CLAIRE, "72000000001"), (THOMAS, "72000000009")],  # Thomas manages 110000000007 only
)
def test_step_3_starts_on_the_first_row_that_can_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user: str, first: str
) -> None:
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("COLUMNS", "120")
    context = demo_context(tmp_path / "account.db", user)
    try:
        answers = Answers([("Select a subscription", ""), ("Actions", "Cancel")])
        with pytest.raises(CancelledError):
            wizard(context, answers, csn=BUREAU_NUMERIQUE)
    finally:
        context.store.close()
    assert answers.defaults["Select a subscription:"] == first
    rows = {o.value: o for o in answers.offered["Select a subscription:"]}
    assert "✗" not in rows[first].title
