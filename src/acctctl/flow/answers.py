"""What the steps of the change pass on: the values collected, where a step leads, and
the answers of the step menus (values, never shown)."""

from __future__ import annotations

from acctctl.steps import Step

Values = dict[str, object]
"""What the steps collected so far for one subscription: csn, view, partner, result."""
Move = Step | int | None
"""Where a step leads: the next step to show, an exit code, or None (all done)."""

# Answers of the step menus (values, never shown).
UPDATE, DETAILS, AUTO_RENEW_OFF, CANCEL_PENDING = "update", "details", "auto-renew", "withdraw"
OTHER, FIND, ANOTHER, NEXT, SUBMIT, DONE = "other", "find", "another", "next", "submit", "done"
BACK, CANCEL, TYPE_ANOTHER = "back", "cancel", ""
