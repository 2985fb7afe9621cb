"""The interactive partner change: the flow runner with the questionary prompter and the
wizard's screens (SPEC §5). The steps, their order and Back are the runner's
(``acctctl.flow``); this package only draws (``screens``) and asks (``prompts``)."""

from __future__ import annotations

from acctctl.flow import Option, Prompter, Request, run_change
from acctctl.service import Context

__all__ = ["Option", "Prompter", "Request", "run_change_wizard"]


def run_change_wizard(ctx: Context, request: Request, prompter: Prompter | None = None) -> int:
    """Walk the eight steps at a terminal; the exit code (SPEC §6). Cancelling (Ctrl-C,
    Esc, Cancel) raises ``CancelledError`` (exit 130), naming what was already written."""
    from acctctl.wizard.prompts import QuestionaryPrompter
    from acctctl.wizard.screens import WizardScreens

    return run_change(ctx, request, prompter or QuestionaryPrompter(), WizardScreens(ctx))
