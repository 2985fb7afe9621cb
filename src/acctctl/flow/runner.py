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
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from typing import Protocol

from acctctl import service
from acctctl.domain import Partner, User
from acctctl.errors import AcctctlError, CancelledError, ExitCode, NotFoundError, StoreError
from acctctl.flow.prompter import AS, CSN, IDS, REPLACE_ALL, YES, Option, Prompter, cancelled
from acctctl.i18n import _, format_number, ngettext, pgettext
from acctctl.ids import parse_csn, parse_id, typed_csn
from acctctl.rules import Reason
from acctctl.service import ChangePlan, ChangeResult, Context, SubscriptionDetail, SubscriptionView
from acctctl.service.views import NoticeView
from acctctl.steps import Step, after, before, step

Values = dict[str, object]
"""What the steps collected so far for one subscription: csn, view, partner, result."""
Move = Step | int | None
"""Where a step leads: the next step to show, an exit code, or None (all done)."""

# Answers of the step menus (values, never shown).
UPDATE, DETAILS, AUTO_RENEW_OFF, CANCEL_PENDING = "update", "details", "auto-renew", "withdraw"
OTHER, FIND, ANOTHER, NEXT, SUBMIT, DONE = "other", "find", "another", "next", "submit", "done"
BACK, CANCEL, TYPE_ANOTHER = "back", "cancel", ""


@dataclass(frozen=True, slots=True)
class Request:
    """What the command line gave: the subscriptions (None: chosen at step 3), the new
    partner's CSN (None: asked at step 1), ``--replace-all``, ``--dry-run``."""

    ids: Iterable[str] | None = None
    csn: str | None = None
    replace_all: bool = False
    dry_run: bool = False


class BatchGuard(Protocol):
    """What watches a bulk run (``cli.interruption.BulkRun``): a signal during a batch
    waits for its end; every change written is counted, so an interrupted run says so."""

    def working(self) -> AbstractContextManager[None]: ...
    def written(self, change_id: str) -> None: ...


class Display(Protocol):
    """What each step shows: the wizard's screens, or ``Step N/8`` lines on stderr."""

    def heading(self, at: Step) -> None: ...
    def csn(self, at: Step, csn: str, given: bool, notices: Sequence[NoticeView]) -> None: ...
    def notice(self, notice: NoticeView) -> str: ...
    def signed_in(self, at: Step, user: User, ctx: Context) -> None: ...
    def subscription(self, at: Step, view: SubscriptionView) -> None: ...
    def rows(self, views: Sequence[SubscriptionView]) -> list[str]: ...
    def found(self, at: Step, partner: Partner) -> None: ...
    def announce(self, sub_id: str, partner: Partner) -> None:
        """Steps 3 to 6 of one subscription of a bulk run (no screens: nobody answers)."""
        ...

    def reasons(self, reasons: Sequence[Reason]) -> str: ...
    def actions(self, at: Step, view: SubscriptionView) -> None: ...
    def details(self, detail: SubscriptionDetail) -> None: ...
    def note(self, text: str, *, strong: bool = False) -> None: ...
    def partner(self, at: Step, partner: Partner) -> None: ...
    def review(self, at: Step, plan: ChangePlan, dry_run: bool) -> None: ...
    def result(self, at: Step, result: ChangeResult, dry_run: bool) -> None: ...
    def problem(self, subject: str, error: AcctctlError) -> None: ...


def csn_problem(text: str) -> str | None:
    if typed_csn(text) is not None:
        return None
    return _("A partner's account number (CSN) is exactly 10 digits.")


def toward(view: SubscriptionView, csn: str) -> SubscriptionView:
    """The view as it stands for a change to ``csn``: a change already pending to that very
    partner does not block (asking for it again is "unchanged", SPEC §3)."""
    if view.pending is None or view.pending.to != csn:
        return view
    kept = tuple(r for r in view.reasons if r.code != "change-pending")
    return dataclasses.replace(view, reasons=kept)


def remedies(view: SubscriptionView) -> tuple[str, ...]:
    """What the administrator can do here about what blocks ``view`` (empty: nothing)."""
    if not view.reasons or any(r.code not in service.REMEDIES for r in view.reasons):
        return ()
    return tuple(service.REMEDIES[r.code] for r in view.reasons)


def openable(view: SubscriptionView) -> bool:
    """A row at step 3 that leads somewhere: eligible, or blocked only by what step 4 can
    undo (automatic renewal, a pending change)."""
    return view.eligible or bool(remedies(view))


@dataclass
class Runner:
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
        csn = self._csn(step("csn"))
        self.display.signed_in(step("user"), user, self.ctx)
        if not self.prompter.interactive:
            self._lookup(csn)  # an unknown partner is one error, not one per subscription
        first_failure = 0
        ids = self.request.ids
        targets: Iterable[str | None] = [None] if ids is None else ids
        several = not (isinstance(ids, list) and len(ids) <= 1)
        if several and ids is not None and not self.prompter.interactive:
            return self._bulk(ids, self._lookup(csn))
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

    def _bulk(self, ids: Iterable[str], partner: Partner) -> int:
        """Steps 3 to 8 for many subscriptions without prompts, with group commit: each
        batch of ids is one transaction (each id in its savepoint, ``service.bulk``), its
        results shown once committed. Nobody answers, so no step can go back: each id's
        steps 3 to 6 are shown (the first of a batch before its transaction, which may
        wait for another writer; the others with their result), then 7 and 8."""
        first_failure = 0
        for raw_batch in service.batches(ids):
            with self.guard.working() if self.guard is not None else nullcontext():
                first_failure = self._batch(raw_batch, partner, first_failure)
        return first_failure

    def _batch(self, raw_batch: Sequence[str], partner: Partner, first_failure: int) -> int:
        """One batch: decided in one transaction, every change written counted, then each
        result shown; the run's first failure so far."""
        entries: list[str | ChangeResult] = []
        for raw in raw_batch:
            try:
                entries.append(parse_id(raw, _("subscription id")))
            except AcctctlError as error:
                entries.append(service.error_result(raw[:80], error, error.exit_code))
        sub_ids = [e for e in entries if isinstance(e, str)]
        first = next((i for i, e in enumerate(entries) if isinstance(e, str)), -1)
        if first >= 0:
            self.display.announce(sub_ids[0], partner)
        decided = self._decide_batch(sub_ids, partner)
        for done in decided:  # committed: counted before any is shown
            if done.status == "submitted" and done.change is not None and self.guard:
                self.guard.written(done.change.id)
        results = iter(decided)
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                if index != first:
                    self.display.announce(entry, partner)
                result = next(results)
            else:
                result = entry
            self.display.result(step("change"), result, self.request.dry_run)
            if result.exit_code and not first_failure:
                first_failure = result.exit_code
        return first_failure

    def _decide_batch(self, sub_ids: list[str], partner: Partner) -> list[ChangeResult]:
        if not sub_ids:
            return []
        if not self.request.dry_run:
            return service.change_batch(
                self.ctx, sub_ids, partner, replace_all=self.request.replace_all
            )
        results = []
        for sub_id in sub_ids:
            try:
                plan = service.plan_change(
                    self.ctx, sub_id, partner, replace_all=self.request.replace_all
                )
                results.append(plan.result())
            except StoreError:
                raise
            except AcctctlError as error:
                results.append(service.error_result(sub_id, error, error.exit_code))
        return results

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
        options = [Option(self.display.notice(n), n.notice.partner) for n in notices]
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
                self.display.result(step("change"), _rejected(view), self.request.dry_run)
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
        chosen = self.prompter.select(
            _("Select a subscription:"),
            [
                Option(label, v.subscription.id, echo=v.subscription.id)
                for v, label in zip(views, self.display.rows(views), strict=True)
            ],
            default=previous.subscription.id if isinstance(previous, SubscriptionView) else None,
            flag=IDS,
        )
        values["view"] = next(v for v in views if v.subscription.id == chosen)
        return after(at)

    # --- 4. the Actions menu ----------------------------------------------------------------

    def _action(self, at: Step, target: str | None, values: Values) -> Move:
        view = values["view"]
        assert isinstance(view, SubscriptionView)
        self.display.actions(at, view)
        if not self.prompter.interactive:
            return after(at)  # a script chooses Update; the rules decide at step 7
        while True:
            fixes = remedies(view)
            options: list[Option[str]] = []
            if view.pending is not None:
                options.append(Option(_("View details"), DETAILS))
                options.append(Option(_("Cancel the pending change"), CANCEL_PENDING))
                default = DETAILS
            else:
                blocked = self.display.reasons(view.reasons) or None
                options.append(Option(_("Update reseller information"), UPDATE, blocked))
                if "turn-auto-renew-off" in fixes:
                    options.append(Option(_("Turn off automatic renewal"), AUTO_RENEW_OFF))
                options.append(Option(_("View details"), DETAILS))
                default = UPDATE if view.eligible else DETAILS
                if "turn-auto-renew-off" in fixes:
                    default = AUTO_RENEW_OFF
            if target is None:
                options.append(Option(_("Choose another subscription"), OTHER))
            options.append(Option(_("Cancel"), CANCEL))
            action = self.prompter.select(_("Actions:"), options, default=default, flag=YES)
            if action == UPDATE:
                values["ask"] = False
                return after(at)
            if action == OTHER:
                return before(at)
            if action == CANCEL:
                raise cancelled()
            if action == DETAILS:
                self.display.details(service.show_subscription(self.ctx, view.subscription.id))
            elif action == AUTO_RENEW_OFF:
                view = self._auto_renew_off(view, str(values["csn"]))
            elif action == CANCEL_PENDING:
                view = self._withdraw(view, str(values["csn"]))
            values["view"] = view

    def _auto_renew_off(self, view: SubscriptionView, csn: str) -> SubscriptionView:
        holder = view.holder
        if not self.prompter.confirm(
            _(
                "Turn automatic renewal OFF for {holder}? This is written now, "
                "whatever you decide later."
            ).format(holder=holder),
            default=True,
            flag=YES,
        ):
            return view
        fresh, changed = service.set_auto_renew(self.ctx, view.subscription.id, False)
        if changed:
            self.written.append(
                _("automatic renewal turned off for {holder}").format(holder=holder)
            )
        self.display.note(_("Automatic renewal is now off for {holder}.").format(holder=holder))
        fresh = toward(fresh, csn)
        self.display.actions(step("action"), fresh)
        return fresh

    def _withdraw(self, view: SubscriptionView, csn: str) -> SubscriptionView:
        pending = view.pending
        assert pending is not None
        if not self.prompter.confirm(
            _("Withdraw change {id} ({holder} → {to})?").format(
                id=pending.id, holder=pending.holder, to=view.name(pending.to)
            ),
            default=False,
            flag=YES,
        ):
            return view
        service.cancel_change(self.ctx, pending.id)
        self.written.append(_("change {id} cancelled").format(id=pending.id))
        self.display.note(
            _("Change {id} is cancelled; the contract keeps its partners.").format(id=pending.id)
        )
        fresh = toward(service.show_subscription(self.ctx, view.subscription.id).view, csn)
        self.display.actions(step("action"), fresh)
        return fresh

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


def _rejected(view: SubscriptionView) -> ChangeResult:
    return ChangeResult(
        subscription=view.subscription.id,
        status="rejected",
        contract=view.subscription.contract,
        reasons=list(view.reasons),
        exit_code=view.reasons[0].exit_code,
    )


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
