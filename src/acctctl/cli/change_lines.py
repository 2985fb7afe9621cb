"""The flow without prompts, shown: ``Step N/8 — title: detail`` lines on stderr and
one result per subscription on stdout (a tab-separated line, or a JSON Lines object).

This is the ``Display`` the runner gets with ``--yes`` / ``--dry-run``; the wizard's
screens are the other one. Step lines are dropped with ``--json`` and while a progress
bar stands for them (``quiet``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import IO

from acctctl.domain import Partner, User
from acctctl.errors import AcctctlError
from acctctl.i18n import _, pgettext
from acctctl.local_time import local_time
from acctctl.output import err, inert, is_terminal, out, print_json_line
from acctctl.rules import Reason
from acctctl.service import (
    ChangePlan,
    ChangeResult,
    Context,
    SubscriptionDetail,
    SubscriptionView,
    error_result,
)
from acctctl.service.context import _iso as iso
from acctctl.service.views import NoticeView
from acctctl.steps import Step, shown_within, step


def status_word(status: str) -> str:
    """A result's status as a person reads it (« soumise », « refusée »…): the code
    itself when standard output is not a terminal (the piped contract, SPEC §8)."""
    if not is_terminal(sys.stdout):
        return status
    words = {
        "submitted": pgettext("result", "submitted"),
        "would-submit": pgettext("result", "would be submitted"),
        "unchanged": pgettext("result", "unchanged"),
        "rejected": pgettext("result", "rejected"),
        "error": pgettext("result", "error"),
    }
    return words.get(status, status)


def when(moment: datetime) -> str:
    """A result's time: UTC ISO 8601 in a pipe (SPEC §8), the reader's local time with its
    zone at a terminal (kept on one line)."""
    if not is_terminal(sys.stdout):
        return iso(moment)
    from acctctl.terminal_text import glue

    return glue(local_time(moment))


def why_not(reasons: Sequence[Reason], stream: IO[str]) -> str:
    """Why a change was rejected: the rules' short labels for a person at a terminal
    ("auto-renew on"), their codes in a pipe or a log (``auto-renew``)."""
    if is_terminal(stream):
        from acctctl.presentation import reason_label
        from acctctl.terminal_text import glue

        # each label kept on one line when the message wraps ("renouv. auto activé")
        return ", ".join(glue(reason_label(r.code)) for r in reasons)
    return ",".join(r.code for r in reasons)


def reason_heading(reason: Reason, stream: IO[str]) -> str:
    if is_terminal(stream):
        from acctctl.presentation import reason_label

        return reason_label(reason.code)
    return reason.code


class StepLines:
    def __init__(self, ctx: Context, *, json_: bool, quiet: bool, dry_run: bool) -> None:
        self.ctx = ctx
        self.dry_run = dry_run
        self.json = json_
        self.quiet = quiet or json_
        self.per_id = True  # False while a progress bar stands for steps 3 to 8
        self.on_result: Callable[[], None] = lambda: None  # the progress bar's advance

    def line(self, at: Step, detail: str, *, per_id: bool = True) -> None:
        if self.quiet or (per_id and not self.per_id):
            return
        err(_("{heading}: {detail}").format(heading=at.heading(), detail=inert(detail)))

    def heading(self, at: Step) -> None:
        pass

    def csn(self, at: Step, csn: str, given: bool, notices: Sequence[NoticeView]) -> None:
        self.line(at, _("new partner's account number {csn}").format(csn=csn), per_id=False)

    def notice(self, notice: NoticeView) -> str:
        return notice.notice.partner

    def signed_in(self, at: Step, user: User, ctx: Context) -> None:
        self.line(at, _("signed in as {email}").format(email=user.email), per_id=False)

    def subscription(self, at: Step, view: SubscriptionView) -> None:
        self.line(at, _("subscription {id}").format(id=view.subscription.id))

    def rows(self, views: Sequence[SubscriptionView]) -> list[str]:
        return [v.subscription.id for v in views]

    def actions(self, at: Step, view: SubscriptionView) -> None:
        self.line(at, _("Update reseller information"))

    def details(self, detail: SubscriptionDetail) -> None:
        pass

    def note(self, text: str, *, strong: bool = False) -> None:
        if not self.quiet:
            err(inert(text))

    def reasons(self, reasons: Sequence[Reason]) -> str:
        return ",".join(r.code for r in reasons)

    def announce(self, sub_id: str, partner: Partner) -> None:
        self.line(step("subscription"), _("subscription {id}").format(id=sub_id))
        self.line(step("action"), _("Update reseller information"))
        self.found(step("partner"), partner)
        self.partner(step("confirmation"), partner)

    def found(self, at: Step, partner: Partner) -> None:
        self.line(at, _("found {name} ({csn})").format(name=partner.name, csn=partner.csn))

    def partner(self, at: Step, partner: Partner) -> None:
        if self.dry_run:  # --dry-run never says --yes: it was not given
            self.line(at, _("partner shown; dry run, nothing will be submitted"))
        else:
            self.line(at, _("partner confirmed by --yes"))

    def review(self, at: Step, plan: ChangePlan, dry_run: bool) -> None:
        pass

    def problem(self, subject: str, error: AcctctlError) -> None:
        self.result(step("change"), error_result(subject[:80], error, error.exit_code), False)

    def result(self, at: Step, result: ChangeResult, dry_run: bool) -> None:
        self.on_result()
        review = step("submission")
        if self.json:
            print_json_line(result.to_json())
            return
        status = status_word(result.status)
        if result.status == "submitted":
            change = result.change
            assert change is not None
            self.line(review, _("submitted change {id}").format(id=change.id))
            self.line(
                at,
                _(
                    "change {id}: the contract details show the new partner from {when} "
                    "(it {can_take})."
                ).format(
                    id=change.id,
                    # the time alone: "(in 60 min) (it can take…)" said it twice
                    when=local_time(change.effective_at),
                    can_take=shown_within(self.ctx.propagation),
                ),
            )
            # The result line is for scripts: piped, the same in every language and zone
            # (SPEC §8); at a terminal its status is in the reader's language and its time
            # in the reader's zone.
            out(f"{result.subscription}\t{status}\t{change.id}\t{when(change.effective_at)}")
        elif result.status == "would-submit":
            self.line(review, _("every check passed; dry run: nothing submitted"))
            out(f"{result.subscription}\t{status}")
        elif result.status == "unchanged":
            detail = result.change.id if result.change is not None else ""
            self.line(
                review, _("nothing to submit: the contract already has or awaits this partner")
            )
            out(f"{result.subscription}\t{status}\t{detail}")
        elif result.status == "rejected":
            self.line(
                review,
                _("not submitted: {codes}").format(codes=why_not(result.reasons, sys.stderr)),
            )
            out(f"{result.subscription}\t{status}\t{why_not(result.reasons, sys.stdout)}")
            for reason in result.reasons:
                why = _("{heading}: {detail}").format(
                    heading=reason_heading(reason, sys.stderr), detail=inert(reason.message)
                )
                err("  " + _("{heading}: {detail}").format(heading=result.subscription, detail=why))
        else:
            out(f"{inert(result.subscription)}\t{status}\t{result.code or 'internal'}")
            err(_("acctctl: {message}").format(message=inert(result.message or "")))
