"""The interactive partner change: the vendor's eight steps, one screen each (SPEC §5).

The wizard only collects values — the CSN, who acts, the subscription, the
confirmations — and hands them to the same service functions the scripted path
(`--yes`) calls; the rules are checked again, atomically, at Submit.
"""

from __future__ import annotations

from acctctl.errors import AcctctlError, CancelledError, StoreError
from acctctl.i18n import _
from acctctl.output import err, inert
from acctctl.service import Context
from acctctl.wizard import screens
from acctctl.wizard.prompts import Option, Prompter, QuestionaryPrompter

__all__ = ["Option", "Prompter", "run_change_wizard"]


def run_change_wizard(
    ctx: Context,
    *,
    ids: list[str],
    csn: str | None,
    replace_all: bool,
    dry_run: bool,
    prompter: Prompter | None = None,
) -> int:
    """Walk the eight steps; return the exit code (SPEC §6).

    ``ids`` and ``csn`` come from the command line and fill their steps (still shown).
    With several ids, steps 3 to 8 run once for each, in order, and the exit code is
    that of the first that failed. Cancelling (Ctrl-C, Esc, No at Submit) raises
    ``CancelledError`` (exit 130); what was already written before (automatic renewal
    turned off at step 4, changes of earlier ids) is named in its message.
    """
    prompter = prompter or QuestionaryPrompter()
    written: list[str] = []
    try:
        return _run(ctx, prompter, ids, csn, replace_all, dry_run, written)
    except CancelledError:
        if not written:
            raise
        raise CancelledError(
            _("Cancelled; nothing more was written (already written: {what}).").format(
                what="; ".join(written)
            )
        ) from None


def _run(
    ctx: Context,
    prompter: Prompter,
    ids: list[str],
    csn: str | None,
    replace_all: bool,
    dry_run: bool,
    written: list[str],
) -> int:
    new_csn = screens.get_csn(ctx, prompter, csn)
    ctx = screens.sign_in(ctx, prompter)
    first_failure = 0
    targets: list[str | None] = list(ids) or [None]
    for given in targets:
        try:
            code = _change_one(
                ctx,
                prompter,
                given,
                new_csn,
                csn_given=csn is not None,
                replace_all=replace_all,
                dry_run=dry_run,
                written=written,
            )
        except (CancelledError, KeyboardInterrupt):
            raise
        except AcctctlError as error:
            if isinstance(error, StoreError) or len(ids) <= 1:
                raise
            err(_("acctctl: {message}").format(message=inert(error.message)))
            code = error.exit_code
        if code and not first_failure:
            first_failure = code
    return first_failure


def _change_one(
    ctx: Context,
    prompter: Prompter,
    given: str | None,
    new_csn: str,
    *,
    csn_given: bool,
    replace_all: bool,
    dry_run: bool,
    written: list[str],
) -> int:
    previous: str | None = None
    while True:
        chosen = screens.select_subscription(ctx, prompter, new_csn, given, previous)
        if isinstance(chosen, int):
            return chosen
        action, view = screens.actions(
            ctx, prompter, chosen, new_csn, can_choose_other=given is None, written=written
        )
        if action == screens.UPDATE:
            break
        previous = view.subscription.id
    ask = not csn_given
    typed: str | None = new_csn
    while True:
        partner = screens.find_partner(ctx, prompter, typed, ask=ask)
        if screens.check_partner(prompter, partner):
            break
        ask, typed = True, None
    result = screens.review(
        ctx,
        prompter,
        view.subscription.id,
        partner,
        replace_all=replace_all,
        dry_run=dry_run,
    )
    if result.status == "submitted" and result.change is not None:
        written.append(_("change {id} submitted").format(id=result.change.id))
    return screens.done(ctx, result, partner)
