"""The partner change, once: one runner walks the eight steps of ``acctctl.steps``.

The wizard and ``--yes`` / ``--dry-run`` are this same walk with another ``Prompter``
(who answers) and another ``Display`` (what is shown: the wizard's screens, or the
``Step N/8`` lines). Every decision is the service's: the runner only sequences the
steps, goes back when asked, and hands the answers over.

Who acts is settled before step 1. Steps 1 and 2 run once; steps 3 to 8 once for each
subscription given (or chosen), each on its own; the exit code is that of the first
that failed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field

from acctctl import service
from acctctl.domain import Partner, User
from acctctl.errors import AcctctlError, CancelledError, ExitCode, NotFoundError, StoreError
from acctctl.flow.actions import ActionsMenu, openable, rejected, toward
from acctctl.flow.answers import (
    ANOTHER,
    BACK,
    CANCEL,
    DONE,
    FIND,
    NEXT,
    SUBMIT,
    TYPE_ANOTHER,
    Move,
    Values,
)
from acctctl.flow.bulk import BatchGuard, BulkChange
from acctctl.flow.display import Display
from acctctl.flow.prompter import AS, CSN, IDS, REPLACE_ALL, YES, Option, Prompter, cancelled
from acctctl.i18n import _, format_number, ngettext, pgettext
from acctctl.ids import parse_csn, parse_id, typed_csn
from acctctl.service import ChangeResult, Context, SubscriptionView
from acctctl.steps import Step, after, before, step


@dataclass(frozen=True, slots=True)
class Request:
    """What the command line gave: the subscriptions (None: chosen at step 3), the new
    partner's CSN (None: asked at step 1), ``--replace-all``, ``--dry-run``."""

    ids: Iterable[str] | None = None
    csn: str | None = None
    replace_all: bool = False
    dry_run: bool = False


def csn_problem(text: str) -> str | None:
    if typed_csn(text) is not None:
        return None
    return _("A partner's account number (CSN) is exactly 10 digits.")


@dataclass
class Runner(ActionsMenu):
    ctx: Context
    prompter: Prompter
    display: Display
    request: Request
    written: list[str] = field(default_factory=list)
    guard: BatchGuard | None = None
    _partners: dict[str, Partner] = field(default_factory=dict)

    # --- the walk -------------------------------------------------------------------------

    def run(self) -> int:
        try:
            return self._run()
        except CancelledError:
            if not self.written:
                raise
            raise CancelledError(
                _("Cancelled; nothing more was written (already written: {what}).").format(
                    what="; ".join(self.written)
                )
            ) from None

    def _run(self) -> int:
        if self.ctx.actor is None:
            users = service.account_users(self.ctx)
            email = self.prompter.select(
                _("Who is signing in?"), [Option(_user(u), u.email) for u in users], flag=AS
            )
            self.ctx = dataclasses.replace(self.ctx, actor=email)
        user = service.sign_in(self.ctx)  # exit 5 at once, before step 1 asks anything
        self.prompter.ready()  # then a flag a script did not give: exit 2, still before it
        csn = self._csn(step("csn"))
        self.display.signed_in(step("user"), user, self.ctx)
        if not self.prompter.interactive:
            self._lookup(csn)  # an unknown partner is one error, not one per subscription
        first_failure = 0
        ids = self.request.ids
        targets: Iterable[str | None] = [None] if ids is None else ids
        several = not (isinstance(ids, list) and len(ids) <= 1)
        if several and ids is not None and not self.prompter.interactive:
            bulk = BulkChange(
                self.ctx,
                self.display,
                self._lookup(csn),
                self.request.replace_all,
                self.request.dry_run,
                self.guard,
            )
            return bulk.run(ids)
        for target in targets:
            try:
                code = self._one(target, csn)
            except (CancelledError, KeyboardInterrupt, StoreError):
                raise
            except AcctctlError as error:
                if not several:
                    raise
                self.display.problem(target or "", error)
                code = error.exit_code
            if code and not first_failure:
                first_failure = code
        return first_failure

    def _one(self, target: str | None, csn: str) -> int:
        """Steps 3 to 8 for one subscription, going back and forth as answered."""
        values: dict[str, object] = {"csn": csn, "ask": False}
        at: Step | None = step("subscription")
        while at is not None:
            outcome = getattr(self, "_" + at.needs)(at, target, values)
            if isinstance(outcome, int):
                return outcome
            at = outcome
        return ExitCode.OK

    # --- 1. the new partner's account number ----------------------------------------------

    def _csn(self, at: Step) -> str:
        if self.request.csn is not None:
            self.display.csn(at, self.request.csn, True, ())
            return self.request.csn
        notices = service.notices(self.ctx)
        self.display.csn(at, "", False, notices)
        options = [
            Option(self.display.notice(n), n.notice.partner, echo=n.notice.partner) for n in notices
        ]
        options.append(Option(_("Type another account number"), TYPE_ANOTHER))
        chosen = self.prompter.select(_("New partner's account number:"), options, flag=CSN)
        if chosen != TYPE_ANOTHER:
            return chosen
        return parse_csn(
            self.prompter.text(_("Account number (CSN):"), validate=csn_problem, flag=CSN)
        )

    # --- 3. select a subscription -----------------------------------------------------------

    def _subscription(
        self, at: Step, target: str | None, values: dict[str, object]
    ) -> Step | int | None:
        csn = str(values["csn"])
        if target is not None:
            sub_id = parse_id(target, _("subscription id"))
            view = toward(service.show_subscription(self.ctx, sub_id).view, csn)
            self.display.subscription(at, view)
            if self.prompter.interactive and not openable(view):
                self.display.result(step("change"), rejected(view), self.request.dry_run)
                return view.reasons[0].exit_code
            values["view"] = view
            return after(at)
        self.display.heading(at)
        views = [toward(v, csn) for v in service.list_subscriptions(self.ctx)]
        if not any(openable(v) for v in views):
            self.display.note(
                _("No subscription's partner can be changed now; the table above says why."),
                strong=True,
            )
            return next((v.reasons[0].exit_code for v in views if v.reasons), ExitCode.NOT_FOUND)
        previous = values.get("view")
        # The cursor starts on the row chosen before (Back), else on the first row whose
        # partner can change now, else on the first one the Actions menu can unblock: not
        # on a row that only explains why it cannot change.
        first = next((v for v in views if v.eligible), None) or next(
            v for v in views if openable(v)
        )
        chosen = self.prompter.select(
            _("Select a subscription:"),
            [
                Option(label, v.subscription.id, echo=v.subscription.id)
                for v, label in zip(views, self.display.rows(views), strict=True)
            ],
            default=(
                previous.subscription.id
                if isinstance(previous, SubscriptionView)
                else first.subscription.id
            ),
            flag=IDS,
        )
        values["view"] = next(v for v in views if v.subscription.id == chosen)
        return after(at)

    # --- 5. enter the account number and Find ------------------------------------------------

    def _partner(
        self, at: Step, target: str | None, values: dict[str, object]
    ) -> Step | int | None:
        self.display.heading(at)
        csn = str(values["csn"])
        ask = bool(values.get("ask"))
        while True:
            if ask:
                typed = self.prompter.text(
                    _("New partner's account number (CSN), then Enter to Find:"),
                    default=csn,
                    validate=csn_problem,
                    flag=CSN,
                )
                csn = parse_csn(typed)
            else:
                choice = self.prompter.select(
                    _("Account number {csn}:").format(csn=csn),
                    [
                        Option(_("Find"), FIND),
                        Option(_("Enter another account number"), ANOTHER),
                        Option(_("Back"), BACK),
                        Option(_("Cancel"), CANCEL),
                    ],
                    default=FIND,
                    flag=YES,
                )
                if choice == BACK:
                    return before(at)
                if choice == CANCEL:
                    raise cancelled()
                if choice == ANOTHER:
                    ask = True
                    continue
            try:
                partner = self._lookup(csn)
            except NotFoundError as error:
                if not self.prompter.interactive:
                    raise
                self.display.note(error.message + (" " + error.hint if error.hint else ""))
                ask = True
                continue
            values["csn"], values["partner"], values["ask"] = csn, partner, False
            self.display.found(at, partner)
            return after(at)

    def _lookup(self, csn: str) -> Partner:
        if csn not in self._partners:
            self._partners[csn] = service.lookup_partner(self.ctx, csn)
        return self._partners[csn]

    # --- 6. check the partner -----------------------------------------------------------------

    def _confirmation(
        self, at: Step, target: str | None, values: dict[str, object]
    ) -> Step | int | None:
        partner = values["partner"]
        assert isinstance(partner, Partner)
        self.display.partner(at, partner)
        inactive = None if partner.active else "partner-inactive"
        choice = self.prompter.select(
            _("Is this the right partner?"),
            [
                Option(_("Yes: Next"), NEXT, inactive),
                Option(_("No: enter another account number"), ANOTHER),
                Option(_("Back"), BACK),
                Option(_("Cancel"), CANCEL),
            ],
            default=NEXT,
            flag=YES,
        )
        if choice == CANCEL:
            raise cancelled()
        if choice in (ANOTHER, BACK):
            values["ask"] = choice == ANOTHER
            return before(at)
        return after(at)

    # --- 7. review and Submit -----------------------------------------------------------------

    def _submission(
        self, at: Step, target: str | None, values: dict[str, object]
    ) -> Step | int | None:
        view, partner = values["view"], values["partner"]
        assert isinstance(view, SubscriptionView) and isinstance(partner, Partner)
        plan = service.plan_change(
            self.ctx, view.subscription.id, partner, replace_all=self.request.replace_all
        )
        self.display.review(at, plan, self.request.dry_run)
        if plan.remedies == ("confirm-replace-all",) and self.prompter.interactive:
            if not self.prompter.confirm(
                ngettext(
                    "Replace the {count} partner with {new}?",
                    "Replace all {count} partners with {new}?",
                    len(plan.before),
                ).format(count=format_number(len(plan.before)), new=partner.name),
                default=False,
                flag=REPLACE_ALL,
            ):
                values["ask"] = False
                return step("partner")  # No: back to step 5, another partner
            plan = service.plan_change(self.ctx, view.subscription.id, partner, replace_all=True)
        if plan.status != "would-submit":
            values["result"] = plan.result()
            if plan.status == "rejected" and self.prompter.interactive:
                choice = self.prompter.select(
                    _("The change cannot be submitted:"),
                    [Option(_("Back"), BACK), Option(_("Cancel"), CANCEL)],
                    default=BACK,
                    flag=YES,
                )
                if choice == CANCEL:
                    raise cancelled()
                return before(at)
            return after(at)
        choice = self.prompter.select(
            _("Submit?") if not self.request.dry_run else _("Submit (dry run: nothing written)?"),
            [Option(_("Submit"), SUBMIT), Option(_("Back"), BACK), Option(_("Cancel"), CANCEL)],
            default=SUBMIT,
            flag=YES,
        )
        if choice == BACK:
            return before(at)
        if choice == CANCEL:
            raise cancelled()
        result = plan.result() if self.request.dry_run else service.submit(self.ctx, plan)
        if result.status == "submitted" and result.change is not None:
            self.written.append(_("change {id} submitted").format(id=result.change.id))
            if self.guard is not None:
                self.guard.written(result.change.id)
        values["result"] = result
        return after(at)

    # --- 8. Done --------------------------------------------------------------------------------

    def _change(self, at: Step, target: str | None, values: Values) -> Move:
        result = values["result"]
        assert isinstance(result, ChangeResult)
        self.display.result(at, result, self.request.dry_run)
        if self.prompter.interactive:
            # The vendor's last button: the screen stays until the administrator closes it.
            # Everything is settled by now: Esc or Ctrl-C here closes it too, rather than
            # call the run cancelled.
            with suppress(CancelledError):
                self.prompter.select(
                    _("Close the confirmation window:"),
                    [Option(pgettext("button", "Done"), DONE)],
                    default=DONE,
                    flag=YES,
                )
        return result.exit_code


def _user(user: User) -> str:
    return f"{user.name} <{user.email}>"


def run_change(
    ctx: Context,
    request: Request,
    prompter: Prompter,
    display: Display,
    guard: BatchGuard | None = None,
) -> int:
    """Walk the eight steps; the exit code (SPEC §6). Cancelling raises ``CancelledError``."""
    return Runner(ctx, prompter, display, request, guard=guard).run()
