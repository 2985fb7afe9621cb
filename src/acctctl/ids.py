"""Parsing of identifiers at the edge (SPEC §2): CSNs, contract numbers, subscription ids."""

from __future__ import annotations

import re

from acctctl.errors import UsageError
from acctctl.i18n import _

_CSN = re.compile(r"[0-9]{10}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
MAX_ID_LENGTH = 64


def shown(text: str, limit: int = 40) -> str:
    """A safe, short rendering of user input for an error message."""
    text = repr(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_csn(text: str) -> bool:
    return _CSN.fullmatch(text) is not None


# A CSN as written in an e-mail: "555 000 2222", "555-000-2222" (SPEC §8).
_CSN_SEPARATORS = re.compile(r"[ -]")


def typed_csn(text: str) -> str | None:
    """The CSN a person typed, spaces and hyphens removed; None when it is not one."""
    value = _CSN_SEPARATORS.sub("", text)
    return value if is_csn(value) else None


def parse_csn(text: str) -> str:
    """A CSN is exactly 10 ASCII digits; spaces and hyphens (as in an e-mail) are ignored."""
    value = typed_csn(text) or text
    if _CSN.fullmatch(value) is None:
        raise UsageError(
            _("{value} is not a CSN: a partner's account number is exactly 10 digits.").format(
                value=shown(text)
            ),
            code="malformed-csn",
        )
    return value


def is_id(text: str) -> bool:
    return len(text) <= MAX_ID_LENGTH and _ID.fullmatch(text) is not None


class UndecodableLine(str):
    """A line of standard input that is not UTF-8, as its escaped text (``72\\xff01``);
    ``number`` counts from 1. ``parse_id`` refuses it saying so, wherever it is called."""

    number: int = 0

    def error(self) -> UsageError:
        return UsageError(
            _("line {number} of standard input is not UTF-8 text: {text}").format(
                number=self.number, text=self[:80]
            )
        )


def parse_id(text: str, what: str = "subscription id") -> str:
    """Contract numbers, subscription and change ids: letters, digits and ``-``."""
    if isinstance(text, UndecodableLine):
        raise text.error()
    value = text.strip(" ")
    if not is_id(value):
        raise UsageError(
            _(
                "{value} is not a valid {what}: use letters, digits and '-' ({limit} at most)."
            ).format(value=shown(text), what=what, limit=MAX_ID_LENGTH),
            code="malformed-id",
        )
    return value


MAX_EMAIL_LENGTH = 254  # RFC 5321: the longest address a mail system carries


def shown_identity(value: str) -> str:
    """The acting identity (``--as``, ``ACCTCTL_USER``, config ``user``) as quoted in a
    message: whole up to the longest e-mail address, else cut. An identity that long is
    no user; quoting all 5,000 characters of it would bury the sentence."""
    return value if len(value) <= MAX_EMAIL_LENGTH else value[:60] + "…"
