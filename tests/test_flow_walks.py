"""More walks of the change flow in-process (scripted prompter, no terminal): what step 4
writes at once, several subscriptions in one wizard, a pending change asked for again,
and step 5 asking again. These replace the pipe-input wizard walks of the same
behaviours (``Answers`` and the demo account come from test_flow.py).
"""

from __future__ import annotations

import pytest

import test_flow
from acctctl import service
from acctctl.cli.change_lines import StepLines
from acctctl.demo import BUREAU_NUMERIQUE, ELIGIBLE_CONTRACT
from acctctl.errors import CancelledError
from acctctl.flow import Request, ScriptedPrompter, run_change
from acctctl.flow.prompter import CSN, IDS, YES
from acctctl.service import Context
from test_flow import Answers, changes, headings, wizard

ctx = test_flow.ctx  # the demo account in a fresh SQLite store, as of test_flow.NOW

AUTO_RENEW_SUB, AUTO_RENEW_CONTRACT = "72000000004", "110000000002"
TURN_OFF = "Turn off automatic renewal"


def auto_renew(ctx: Context, sub_id: str) -> bool | None:
    return service.show_subscription(ctx, sub_id).view.terms.auto_renew


# --- step 4: turning off automatic renewal ------------------------------------------------


def test_turning_off_automatic_renewal_at_step_4_opens_update(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = Answers(
        [
            ("Select a subscription", AUTO_RENEW_SUB),
            ("Actions", ""),  # the default: turn it off
            ("Turn automatic renewal OFF for 110000000002", True),
            ("Actions", ""),  # now the default: Update reseller information
            ("Account number", "Find"),
            ("right partner", "Yes"),
            ("Submit", "Submit"),
            ("Close the confirmation window", "Done"),  # step 8
        ]
    )
    assert wizard(ctx, answers, csn=BUREAU_NUMERIQUE) == 0

    rows = {o.value: o for o in answers.offered["Select a subscription:"]}
    assert rows[AUTO_RENEW_SUB].disabled is None  # blocked only by what step 4 undoes
    [before, after] = [m for m in answers.asked if m == "Actions:"]
    assert before == after
    # The last menu offered is the one after: Update enabled, no more "Turn off".
    titles = [o.title for o in answers.offered["Actions:"]]
    assert titles[0] == "Update reseller information"
    assert answers.offered["Actions:"][0].disabled is None and TURN_OFF not in titles
    assert auto_renew(ctx, AUTO_RENEW_SUB) is False
    assert [(c.contract, c.to) for c in changes(ctx)] == [(AUTO_RENEW_CONTRACT, BUREAU_NUMERIQUE)]
    assert "Automatic renewal is now off for 110000000002." in capsys.readouterr().out


def test_step_4_first_offers_to_turn_off_automatic_renewal(ctx: Context) -> None:
    answers = Answers(
        [
            ("Select a subscription", AUTO_RENEW_SUB),
            ("Actions", ""),
            ("Turn automatic renewal OFF", False),  # No: nothing written, the menu again
            ("Actions", "Cancel"),
        ]
    )
    with pytest.raises(CancelledError) as cancelled:
        wizard(ctx, answers, csn=BUREAU_NUMERIQUE)
    menu = answers.offered["Actions:"]
    assert [o.title for o in menu][:2] == ["Update reseller information", TURN_OFF]
    assert menu[0].disabled is not None  # Update waits until renewal is off
    assert cancelled.value.message == "Cancelled; nothing was written."
    assert auto_renew(ctx, AUTO_RENEW_SUB) is True
    assert changes(ctx) == []


def test_cancelling_after_turning_off_automatic_renewal_says_what_was_written(
    ctx: Context,
) -> None:
    answers = Answers(
        [
            ("Select a subscription", AUTO_RENEW_SUB),
            ("Actions", TURN_OFF),
            ("Turn automatic renewal OFF", True),
            ("Actions", "Update"),
            ("Account number", "Find"),
            ("right partner", "Yes"),
            ("Submit", "Cancel"),
        ]
    )
    with pytest.raises(CancelledError) as cancelled:
        wizard(ctx, answers, csn=BUREAU_NUMERIQUE)

    assert cancelled.value.exit_code == 130
    assert answers.asked[-1] == "Submit?"
    assert cancelled.value.message == (
        "Cancelled; nothing more was written "
        "(already written: automatic renewal turned off for 110000000002)."
    )
    assert auto_renew(ctx, AUTO_RENEW_SUB) is False  # written at step 4, and said so
    assert changes(ctx) == []


# --- several subscriptions given to the wizard --------------------------------------------


def test_several_ids_walk_steps_3_to_8_each_and_return_the_first_failure(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    walk = [("Actions", "Update"), ("Account number", "Find"), ("right partner", "Yes")]
    done = [("Submit", "Submit"), ("Close the confirmation window", "Done")]
    answers = Answers([*walk, *done, *walk, *done])
    ids = ["72000000001", "72000000006", "72000000009"]  # 06 has expired: nothing asked

    assert wizard(ctx, answers, ids=ids, csn=BUREAU_NUMERIQUE) == 3  # 06's exit code

    assert [c.contract for c in changes(ctx)] == [ELIGIBLE_CONTRACT, "110000000007"]
    assert answers.asked.count("Submit?") == 2
    captured = capsys.readouterr()
    # Steps 1 and 2 once; 3 to 8 for 01 and 09; 06 stops at step 3 with its reasons.
    assert headings(captured.out) == [1, 2, 3, 4, 5, 6, 7, 8, 3, 3, 4, 5, 6, 7, 8]
    assert "From the command line: 72000000006" in captured.out
    assert "expired" in captured.err


# --- a change pending to the partner asked for ---------------------------------------------


def test_asking_again_for_the_pending_partner_is_unchanged(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    partner = service.lookup_partner(ctx, BUREAU_NUMERIQUE)
    first = service.submit(ctx, service.plan_change(ctx, "72000000001", partner)).change
    assert first is not None
    lines = StepLines(ctx, json_=False, quiet=False, dry_run=False)
    prompter = ScriptedPrompter({CSN: BUREAU_NUMERIQUE, IDS: True, YES: True})

    code = run_change(ctx, Request(["72000000001"], BUREAU_NUMERIQUE), prompter, lines)

    assert code == 0
    assert [c.id for c in changes(ctx)] == [first.id]  # nothing written again
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"72000000001\tunchanged\t{first.id}"]
    assert "nothing to submit: the contract already has or awaits this partner" in captured.err

    # In the wizard, the row is not blocked by its own pending change: it opens, marked.
    answers = Answers([("Select a subscription", "72000000001"), ("Actions", "Cancel")])
    with pytest.raises(CancelledError):
        wizard(ctx, answers, csn=BUREAU_NUMERIQUE)
    row = next(o for o in answers.offered["Select a subscription:"] if o.value == "72000000001")
    assert row.disabled is None and "pending: Bureau Numérique Paris" in row.title


# --- step 5 asks again ----------------------------------------------------------------------


def test_a_malformed_or_unknown_csn_is_asked_again_at_step_5(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = Answers(
        [
            ("Actions", "Update"),
            # the command line's 5559999999 is unknown: Find says so, and asks for a number
            ("Account number 5559999999", "Find"),
            ("then Enter to Find", "12ab"),  # refused as typed, asked again
            ("then Enter to Find", BUREAU_NUMERIQUE),
            ("right partner", "Yes"),
            ("Submit", "Submit"),
            ("Close the confirmation window", "Done"),
        ]
    )
    code = wizard(ctx, answers, ids=["72000000001"], csn="5559999999")

    assert code == 0
    assert answers.refused == [("12ab", "A partner's account number (CSN) is exactly 10 digits.")]
    out = " ".join(capsys.readouterr().out.split())
    assert "No partner with account number 5559999999." in out
    assert "Account number from the command line: 5559999999" in out
    assert headings(out) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [c.to for c in changes(ctx)] == [BUREAU_NUMERIQUE]


def test_another_number_typed_at_step_5_is_validated(ctx: Context) -> None:
    answers = Answers(
        [
            ("Actions", "Update"),
            ("Account number 5550002222", "Enter another"),
            ("then Enter to Find", "555000222"),  # nine digits
            ("then Enter to Find", "5550002222 "),
            ("right partner", "Cancel"),
        ]
    )
    with pytest.raises(CancelledError):
        wizard(ctx, answers, ids=["72000000001"], csn=BUREAU_NUMERIQUE)
    assert [typed for typed, _ in answers.refused] == ["555000222"]
    assert answers.asked[-1] == "Is this the right partner?"


# --- step 8: when the change shows ---------------------------------------------------------


def test_step_8_counts_the_delay_from_the_submit_not_from_the_start_of_the_walk(
    ctx: Context, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk took minutes: the change is stamped when submitted, and "in 60 min" is
    counted from then (it said "in 63 min" when counted from the walk's start)."""
    from dataclasses import replace
    from datetime import timedelta

    from acctctl import clock

    submitted = ctx.now + timedelta(minutes=3)
    monkeypatch.setattr(clock, "system_now", lambda: submitted)
    monkeypatch.setattr(ctx.store, "clock", lambda: None)
    walking = replace(ctx, now_given=False)
    answers = Answers(
        [
            ("Select a subscription", "72000000001"),
            ("Actions", ""),
            ("Account number", "Find"),
            ("right partner", "Yes"),
            ("Submit", "Submit"),
            ("Close the confirmation window", "Done"),
        ]
    )
    assert wizard(walking, answers, csn=BUREAU_NUMERIQUE) == 0
    [change] = changes(ctx)
    assert change.submitted_at == submitted
    out = capsys.readouterr().out
    assert "(in 60 min)" in out and "(in 63 min)" not in out
