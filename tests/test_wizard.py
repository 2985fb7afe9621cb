"""The wizard in-process: real questionary prompts fed by prompt_toolkit's pipe input.

Every key the administrator would press is sent up front; prompt_toolkit keeps what
one question does not read for the next. The pipe is closed after the keys, so a
missing key ends the walk with CancelledError instead of a hang — which is why the
cancellation tests also check which question was asked last. Each test runs under a
timeout all the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from acctctl import clock, service
from acctctl.demo import (
    BIM_NANTES,
    BUREAU_NUMERIQUE,
    CADPRO,
    CLAIRE,
    ELIGIBLE_CONTRACT,
    JULIE,
    THOMAS,
    demo_document,
)
from acctctl.domain import Change
from acctctl.errors import CancelledError, NotAllowedError
from acctctl.service import Context
from acctctl.store import open_store
from acctctl.wizard import run_change_wizard
from acctctl.wizard.prompts import Option, QuestionaryPrompter, Validator

NOW = "2026-11-26T09:30:00Z"
ENTER = "\r"
DOWN = "\x1b[B"
CTRL_C = "\x03"
CTRL_U = "\x15"  # clears a prefilled answer
ESC = "\x1b"

T = TypeVar("T")


@dataclass
class Recorder(QuestionaryPrompter):
    """The real prompts, remembering what was asked and which options were offered."""

    asked: list[str] = field(default_factory=list)
    offered: dict[str, list[Option[Any]]] = field(default_factory=dict)
    # Keys to type only once a question is on screen (a lone Esc is only recognised
    # when the question reading it sees no key follow it).
    later: dict[str, str] = field(default_factory=dict)
    pipe: Any = None

    def _asking(self, message: str) -> None:
        self.asked.append(message)
        if message in self.later:
            self.pipe.send_text(self.later.pop(message))

    def select(self, message: str, options: Sequence[Option[T]], default: T | None = None) -> T:
        self._asking(message)
        self.offered[message] = list(options)
        return super().select(message, options, default)

    def text(self, message: str, default: str = "", validate: Validator | None = None) -> str:
        self._asking(message)
        return super().text(message, default, validate)

    def confirm(self, message: str, default: bool = False) -> bool:
        self._asking(message)
        return super().confirm(message, default)


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """A SQLite store holding the demo account, nobody signed in, at a fixed now."""
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("ACCTCTL_STORE", "ACCTCTL_USER", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    now = clock.now()
    context = Context(store=open_store(str(tmp_path / "account.db")), now=now, actor=None)
    service.replace_store(context, demo_document(now.date(), now), force=False, sandbox=True)
    yield context
    context.store.close()


def walk(
    ctx: Context,
    keys: str,
    *,
    prompter: Recorder | None = None,
    ids: Sequence[str] = (),
    csn: str | None = None,
    replace_all: bool = False,
    dry_run: bool = False,
    close: bool = True,
) -> int:
    """Run the wizard on ``keys``. ``close=False`` keeps the pipe open after them, for the
    cancellation tests: were the cancelling key ignored, the test would time out rather
    than pass on the end of input."""
    prompter = prompter or Recorder()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompter.pipe = pipe
        pipe.send_text(keys)
        if close:
            pipe.close()
        return run_change_wizard(
            ctx,
            ids=list(ids),
            csn=csn,
            replace_all=replace_all,
            dry_run=dry_run,
            prompter=prompter,
        )


def changes(ctx: Context) -> list[Change]:
    with ctx.store.read() as reader:
        return reader.changes()


def step_headings(text: str) -> list[int]:
    return [int(line.split()[1][0]) for line in text.splitlines() if line.startswith("Step ")]


# Enter at every step: the notice's partner, Claire, the first subscription, "Update
# reseller information", Find (CSN prefilled), then yes (right partner), yes (Submit).
FULL_WALK = ENTER * 5 + "y" + "y"


@pytest.mark.timeout(60)
def test_full_walk_from_nothing_submits_the_change(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    assert walk(ctx, FULL_WALK, prompter=recorder) == 0

    [change] = changes(ctx)
    assert (change.contract, change.to, change.by, change.status) == (
        ELIGIBLE_CONTRACT,
        BUREAU_NUMERIQUE,
        CLAIRE,
        "pending",
    )
    assert change.from_ == (CADPRO,)
    assert change.effective_at == ctx.now + ctx.propagation
    out = capsys.readouterr().out
    assert step_headings(out) == [1, 2, 3, 4, 5, 6, 7, 8]
    step1 = recorder.offered["New partner's account number:"]
    assert step1[0].title == "From the email of 20 Nov: Bureau Numérique Paris, 5550002222"
    assert step1[-1].title == "Type another account number"
    assert "72000000002" in out and "72000000003" in out  # the review lists every moved sub
    assert change.id in out.split("Step 8/8")[1]
    assert "2026-11-26 10:30 UTC" in out.split("Step 8/8")[1]
    pending = service.show_subscription(ctx, "72000000002").view.pending
    assert pending is not None and pending.id == change.id


@pytest.mark.timeout(60)
def test_no_at_step_6_goes_back_to_step_5(ctx: Context, capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder()
    keys = (
        DOWN + ENTER + BIM_NANTES + ENTER  # step 1: type another account number
        + ENTER * 3  # Claire, first subscription, Update reseller information
        + ENTER  # step 5: Find the number typed at step 1
        + "n"  # step 6: not the right partner
        + BUREAU_NUMERIQUE + ENTER  # step 5 again
        + "y" + "y"
    )  # fmt: skip
    assert walk(ctx, keys, prompter=recorder) == 0

    assert [c.to for c in changes(ctx)] == [BUREAU_NUMERIQUE]
    assert recorder.asked.count("Is this the right partner?") == 2
    assert step_headings(capsys.readouterr().out) == [1, 2, 3, 4, 5, 6, 5, 6, 7, 8]


@pytest.mark.timeout(60)
def test_no_at_submit_cancels_and_writes_nothing(ctx: Context) -> None:
    recorder = Recorder()
    with pytest.raises(CancelledError) as cancelled:
        walk(ctx, ENTER * 5 + "y" + "n", prompter=recorder, close=False)

    assert cancelled.value.exit_code == 130
    assert recorder.asked[-1] == "Submit?"
    assert changes(ctx) == []


@pytest.mark.parametrize("key", [CTRL_C, ESC], ids=["ctrl-c", "esc"])
@pytest.mark.timeout(60)
def test_ctrl_c_and_esc_cancel(ctx: Context, key: str) -> None:
    recorder = Recorder(later={"Actions:": key})
    with pytest.raises(CancelledError) as cancelled:
        walk(ctx, ENTER * 3, prompter=recorder, close=False)

    assert cancelled.value.exit_code == 130
    assert recorder.asked[-1] == "Actions:"
    assert changes(ctx) == []


@pytest.mark.timeout(60)
def test_malformed_and_unknown_csn_are_asked_again(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    keys = (
        ENTER  # step 2: Claire (steps 1 and 3 come from the command line)
        + ENTER  # step 4: Update reseller information
        # step 5: the command line's 5559999999 is unknown; "12ab" is refused as typed
        + CTRL_U + "12ab" + ENTER
        + CTRL_U + BUREAU_NUMERIQUE + ENTER
        + "y" + "y"
    )  # fmt: skip
    code = walk(ctx, keys, prompter=recorder, ids=["72000000001"], csn="5559999999")

    assert code == 0
    out = capsys.readouterr().out
    assert "No partner with account number 5559999999." in out
    assert "Account number from the command line: 5559999999" in out
    assert "From the command line: 72000000001" in out
    assert recorder.asked.count("New partner's account number (CSN), then Enter to Find:") == 1
    assert [c.to for c in changes(ctx)] == [BUREAU_NUMERIQUE]


@pytest.mark.timeout(60)
def test_several_partners_warning_then_replace_all(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    keys = ENTER + ENTER + "y" + "y" + "y"  # Claire, Update, right partner, replace all, Submit
    assert walk(ctx, keys, prompter=recorder, ids=["72000000008"], csn=BUREAU_NUMERIQUE) == 0

    out = capsys.readouterr().out
    assert "this contract has 2 partners (CADpro Lyon, Solutions BIM Nantes)" in out
    assert "to change only one of them, contact support" in out
    assert "Replace all 2 partners with Bureau Numérique Paris?" in recorder.asked
    [change] = changes(ctx)
    assert (change.contract, change.from_, change.to) == (
        "110000000006",
        (CADPRO, BIM_NANTES),
        BUREAU_NUMERIQUE,
    )


@pytest.mark.timeout(60)
def test_several_partners_no_at_the_warning_cancels(ctx: Context) -> None:
    recorder = Recorder()
    with pytest.raises(CancelledError):
        walk(
            ctx,
            ENTER + ENTER + "y" + "n",
            prompter=recorder,
            ids=["72000000008"],
            csn=BUREAU_NUMERIQUE,
            close=False,
        )
    assert recorder.asked[-1] == "Replace all 2 partners with Bureau Numérique Paris?"
    assert changes(ctx) == []


@pytest.mark.timeout(60)
def test_several_partners_warning_already_confirmed_by_replace_all(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    code = walk(
        ctx,
        ENTER + ENTER + "y" + "y",
        prompter=recorder,
        ids=["72000000008"],
        csn=BUREAU_NUMERIQUE,
        replace_all=True,
    )
    assert code == 0
    assert "this contract has 2 partners" in capsys.readouterr().out
    assert not any(q.startswith("Replace all") for q in recorder.asked)
    assert len(changes(ctx)) == 1


@pytest.mark.timeout(60)
def test_ineligible_subscriptions_are_shown_disabled_with_their_reasons(ctx: Context) -> None:
    recorder = Recorder()
    # From 72000000001, four Downs: 02, 03, 04 (auto-renew only: selectable), then 05–07
    # are disabled and skipped, landing on 08.
    keys = ENTER + ENTER + DOWN * 4 + ENTER + ENTER + ENTER + "y" + "y" + "y"
    assert walk(ctx, keys, prompter=recorder) == 0

    offered = {o.value: o.disabled for o in recorder.offered["Select a subscription:"]}
    assert offered == {
        "72000000001": None,
        "72000000002": None,
        "72000000003": None,
        "72000000004": None,
        "72000000005": "Token Flex",
        "72000000006": "expired",
        "72000000007": "expires ≤ 90 days",
        "72000000008": None,
        "72000000009": None,
        "72000000010": "new buying model",
    }
    assert [c.contract for c in changes(ctx)] == ["110000000006"]


@pytest.mark.timeout(60)
def test_authorization_disables_what_the_user_may_not_change(ctx: Context) -> None:
    recorder = Recorder()
    # Thomas (secondary admin) manages contract 110000000007 only, so 72000000009 is
    # the one subscription he may move; it is selected by default.
    thomas = replace(ctx, actor=THOMAS)
    with pytest.raises(CancelledError):
        walk(thomas, ENTER + CTRL_C, prompter=recorder, close=False)
    offered = {o.value: o.disabled for o in recorder.offered["Select a subscription:"]}
    assert offered.pop("72000000009") is None
    assert all("not your contract" in (reason or "") for reason in offered.values())
    assert recorder.asked[-1] == "Select a subscription:"


@pytest.mark.timeout(60)
def test_nobody_allowed_returns_the_exit_code_without_asking(ctx: Context) -> None:
    recorder = Recorder()
    assert walk(replace(ctx, actor=JULIE), ENTER, prompter=recorder) == 5
    assert "Select a subscription:" not in recorder.asked
    assert changes(ctx) == []


@pytest.mark.timeout(60)
def test_unknown_identity_is_not_allowed(ctx: Context) -> None:
    with pytest.raises(NotAllowedError):
        walk(replace(ctx, actor="nobody@elsewhere.example"), ENTER)


@pytest.mark.timeout(60)
def test_turn_off_automatic_renewal_makes_the_subscription_selectable(ctx: Context) -> None:
    recorder = Recorder()
    keys = (
        ENTER + ENTER + DOWN * 3 + ENTER  # notice, Claire, 72000000004 (auto-renew on)
        + ENTER + "y"  # Actions: Turn off automatic renewal (the default), confirm
        + ENTER  # Actions again: Update reseller information, now enabled
        + ENTER + "y" + "y"
    )  # fmt: skip
    assert walk(ctx, keys, prompter=recorder) == 0

    actions = recorder.offered["Actions:"]
    assert actions[0].title == "Update reseller information"
    view = service.show_subscription(replace(ctx, actor=CLAIRE), "72000000004").view
    assert view.terms.auto_renew is False
    assert [c.contract for c in changes(ctx)] == ["110000000002"]


@pytest.mark.timeout(60)
def test_dry_run_writes_nothing(ctx: Context, capsys: pytest.CaptureFixture[str]) -> None:
    assert walk(ctx, FULL_WALK, dry_run=True) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing will be written." in out
    assert "Would submit" in out
    assert changes(ctx) == []


@dataclass
class Competitor(Recorder):
    """Another administrator submits a change while this one reads the review."""

    ctx: Context | None = None

    def confirm(self, message: str, default: bool = False) -> bool:
        answer = super().confirm(message, default)
        if message == "Submit?" and self.ctx is not None:
            partner = service.lookup_partner(self.ctx, BIM_NANTES)
            service.change_partner(self.ctx, "72000000002", partner)
        return answer


@pytest.mark.timeout(60)
def test_rules_are_checked_again_at_submit(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    competitor = Competitor(ctx=replace(ctx, actor=CLAIRE))
    assert walk(ctx, FULL_WALK, prompter=competitor) == 3

    assert "change pending: A change to" in capsys.readouterr().err  # the label, then why
    assert [c.to for c in changes(ctx)] == [BIM_NANTES]


@pytest.mark.timeout(60)
def test_several_ids_run_steps_3_to_8_for_each_and_return_the_first_failure(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    keys = (
        ENTER  # step 2: Claire
        + ENTER + "y" + "y"  # 72000000001: Update, right partner, Submit
        # 72000000006 has expired: its reasons are printed and nothing is asked
        + ENTER + "y" + "y"  # 72000000009: Update, right partner, Submit
    )  # fmt: skip
    ids = ["72000000001", "72000000006", "72000000009"]
    assert walk(ctx, keys, prompter=recorder, ids=ids, csn=BUREAU_NUMERIQUE) == 3

    assert [c.contract for c in changes(ctx)] == [ELIGIBLE_CONTRACT, "110000000007"]
    assert "72000000006: expired:" in capsys.readouterr().err
    assert recorder.asked.count("Submit?") == 2


@pytest.mark.timeout(60)
def test_cancelling_after_turning_off_automatic_renewal_says_what_was_written(
    ctx: Context,
) -> None:
    recorder = Recorder()
    keys = ENTER + ENTER + DOWN * 3 + ENTER + ENTER + "y" + ENTER + ENTER + "y" + "n"
    with pytest.raises(CancelledError) as cancelled:
        walk(ctx, keys, prompter=recorder, close=False)

    assert recorder.asked[-1] == "Submit?"
    assert "automatic renewal turned off for 110000000002" in cancelled.value.message
    assert changes(ctx) == []


@pytest.mark.parametrize(
    ("keys", "expected"), [("y", True), ("n", False), (ENTER, True)], ids=["y", "n", "enter"]
)
@pytest.mark.timeout(60)
def test_confirm_at_a_terminal(keys: str, expected: bool) -> None:
    from acctctl.wizard.prompts import confirm

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        assert confirm("Withdraw change CHG-000001?", default=True) is expected


@pytest.mark.timeout(60)
def test_confirm_ctrl_c_raises_cancelled() -> None:
    from acctctl.wizard.prompts import confirm

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(CTRL_C)
        with pytest.raises(CancelledError):
            confirm("Withdraw change CHG-000001?")


def test_listing_as_json_imports_no_prompt_library(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from acctctl.cli.app import main\n"
        "rc = main(['subs', 'list', '--json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('questionary', 'prompt_toolkit'))\n"
        "print(rc, heavy, file=sys.stderr)\n"
    )
    env = {
        "ACCTCTL_HOME": str(tmp_path),
        "ACCTCTL_NOW": NOW,
        "ACCTCTL_USER": CLAIRE,
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(
        [sys.executable, "-m", "acctctl", "store", "init", "--demo"],
        env=env,
        check=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []"


@pytest.mark.timeout(60)
def test_asking_again_for_the_pending_partner_is_unchanged(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    assert walk(ctx, FULL_WALK) == 0
    recorder = Recorder()
    # The pending change is to the notice's partner: the subscription stays selectable,
    # the review says there is nothing to do, and Submit is not asked.
    assert walk(ctx, ENTER * 5 + "y", prompter=recorder) == 0

    assert "Submit?" not in recorder.asked
    assert "is already pending (CHG-000001); nothing to do" in capsys.readouterr().out
    assert len(changes(ctx)) == 1


@pytest.mark.timeout(60)
def test_another_partner_while_one_is_pending_is_disabled(ctx: Context) -> None:
    assert walk(ctx, FULL_WALK) == 0
    recorder = Recorder()
    with pytest.raises(CancelledError):
        walk(ctx, DOWN + ENTER + BIM_NANTES + ENTER + ENTER + CTRL_C, prompter=recorder)
    assert recorder.asked[-1] == "Select a subscription:"
    offered = {o.value: o.disabled for o in recorder.offered["Select a subscription:"]}
    assert offered["72000000001"] == "change pending"
