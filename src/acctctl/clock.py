""" "now" is the clock, or ACCTCTL_NOW for reproducible runs (SPEC §6)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from acctctl.errors import UsageError
from acctctl.i18n import _

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


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
    # Year 1 with an offset falls before the first representable moment, and a moment
    # near 9999 leaves no room for the propagation delay or a term's 90 days: both would
    # overflow deep inside a command. acctctl's dates live well inside these bounds.
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        value = EARLIEST - timedelta(days=1)
    if not EARLIEST <= value < LATEST:
        raise UsageError(
            _("{value!r} is out of range: a moment from {first} to {last} is expected.").format(
                value=text[:40], first=EARLIEST.year, last=LATEST.year - 1
            )
        )
    return value


def given() -> bool:
    """Whether ACCTCTL_NOW sets the time (it dates writes only on a sandbox store)."""
    return bool(os.environ.get("ACCTCTL_NOW"))


def system_now() -> datetime:
    """This machine's clock, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def now() -> datetime:
    text = os.environ.get("ACCTCTL_NOW")
    if text:
        try:
            return parse_instant(text)
        except UsageError as exc:
            raise UsageError(_("ACCTCTL_NOW: {problem}").format(problem=exc.message)) from None
    return system_now()
