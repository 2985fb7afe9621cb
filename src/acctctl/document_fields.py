"""Parsing one field of an account document: text, e-mail, CSN, id, seats, enums,
dates and moments — each raising ``DocumentError`` with the field's place.

The rules (and why control characters are refused) are described in document.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from acctctl.errors import DocumentError
from acctctl.i18n import _, format_number, ngettext
from acctctl.ids import MAX_ID_LENGTH, is_csn, is_id, shown

MAX_TEXT_LENGTH = 200
MAX_SEATS = 10_000_000

_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)

_Choice = TypeVar("_Choice", bound=str)


# --- values -------------------------------------------------------------------------


def _record(
    value: Any, place: str, required: tuple[str, ...], optional: Collection[str] = ()
) -> dict[str, Any]:
    """An object holding every required key and nothing unknown."""
    if not isinstance(value, dict):
        raise DocumentError(place, _("must be an object"))
    for key in value:
        if key not in required and key not in optional:
            allowed = ", ".join((*required, *optional))
            raise DocumentError(
                place,
                _("unknown key {key} (allowed: {allowed})").format(
                    key=shown(str(key)), allowed=allowed
                ),
            )
    for key in required:
        if key not in value:
            raise DocumentError(_join(place, key), _("is missing"))
    return value


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def _list(value: Any, place: str) -> list[Any]:
    if not isinstance(value, list):
        raise DocumentError(place, _("must be a list"))
    return value


def _text(value: Any, place: str) -> str:
    if not isinstance(value, str):
        raise DocumentError(place, _("must be a string"))
    if not value.strip():
        raise DocumentError(place, _("must not be empty"))
    if len(value) > MAX_TEXT_LENGTH:
        raise DocumentError(
            place,
            ngettext(
                "must be at most {limit} character",
                "must be at most {limit} characters",
                MAX_TEXT_LENGTH,
            ).format(limit=format_number(MAX_TEXT_LENGTH)),
        )
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise DocumentError(
            place,
            _(
                "must not contain control or bidirectional-override characters (found U+{code:04X})"
            ).format(code=ord(found.group())),
        )
    return value


def _email(value: Any, place: str) -> str:
    text = _text(value, place)
    if "@" not in text:
        raise DocumentError(place, _("must be an e-mail address"))
    return text


def _csn(value: Any, place: str) -> str:
    if not isinstance(value, str) or not is_csn(value):
        raise DocumentError(place, _("must be a CSN: exactly 10 ASCII digits"))
    return value


def _id(value: Any, place: str) -> str:
    if not isinstance(value, str) or not is_id(value):
        raise DocumentError(
            place,
            _("must be an id: letters, digits and '-' ({limit} at most)").format(
                limit=MAX_ID_LENGTH
            ),
        )
    return value


def _bool(value: Any, place: str) -> bool:
    if not isinstance(value, bool):
        raise DocumentError(place, _("must be true or false"))
    return value


def _seats(value: Any, place: str) -> int:
    # bool is an int in Python, and 10.0 is not a count of seats.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DocumentError(place, _("must be a positive integer"))
    if value > MAX_SEATS:
        raise DocumentError(
            place, _("must be at most {limit}").format(limit=format_number(MAX_SEATS))
        )
    return value


MAX_CHANGE_NUMBER = 10**18 - 1  # what a 64-bit sequence holds


def _count(value: Any, place: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DocumentError(place, _("must be a whole number (0 or more)"))
    if value > MAX_CHANGE_NUMBER:
        raise DocumentError(
            place, _("must be at most {limit}").format(limit=format_number(MAX_CHANGE_NUMBER))
        )
    return value


def _choice(value: Any, place: str, choices: tuple[_Choice, ...]) -> _Choice:
    if isinstance(value, str):
        for choice in choices:
            if value == choice:
                return choice
    raise DocumentError(place, _("must be one of {choices}").format(choices=", ".join(choices)))


def _date(value: Any, place: str) -> date:
    if not isinstance(value, str) or _DATE.fullmatch(value) is None:
        raise DocumentError(place, _("must be a date written YYYY-MM-DD"))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DocumentError(
            place, _("{value} is not a real date").format(value=shown(value))
        ) from None


def _moment(value: Any, place: str) -> datetime:
    """ISO 8601 date and time; an offset is normalised to UTC, none means UTC."""
    if not isinstance(value, str) or _DATETIME.fullmatch(value) is None:
        raise DocumentError(
            place, _("must be a date and time in ISO 8601 (2026-11-26T12:00:00+00:00)")
        )
    try:
        return _utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        raise DocumentError(
            place, _("{value} is not a real date and time").format(value=shown(value))
        ) from None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
