""" "now" is the clock, or ACCTCTL_NOW for reproducible runs (SPEC §6)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from acctctl.errors import UsageError
from acctctl.i18n import _


def parse_instant(text: str) -> datetime:
    """ISO 8601; no offset means UTC. Always returns an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("{value!r} is not an ISO 8601 date and time (e.g. 2026-11-26T09:30:00Z).").format(
                value=text[:40]
            )
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def given() -> bool:
    """Whether ACCTCTL_NOW sets the time (it dates writes only on a sandbox store)."""
    return bool(os.environ.get("ACCTCTL_NOW"))


def system_now() -> datetime:
    """This machine's clock, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now() -> datetime:
    text = os.environ.get("ACCTCTL_NOW")
    if text:
        return parse_instant(text)
    return system_now()
