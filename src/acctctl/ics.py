"""iCalendar (RFC 5545) files of all-day events, written by hand: a few dozen lines do
what a dependency would, and the test suite reads them back with the `icalendar` package.

What calendar applications insist on: CRLF line ends, lines folded at 75 octets (never
inside a UTF-8 sequence), TEXT values escaped, a UID and a DTSTAMP on every event,
all-day dates as ``VALUE=DATE`` with an exclusive DTEND.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from acctctl import __version__

_LINE_OCTETS = 75


@dataclass(frozen=True, slots=True)
class AllDayEvent:
    uid: str  # stable, so importing a newer file updates the event instead of doubling it
    day: date
    summary: str
    description: str
    alarm_days_before: int | None = None


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def fold(line: str) -> str:
    """One content line folded at 75 octets (§3.1): CRLF and a space start each next part."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = _LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size = "", 0
            limit = _LINE_OCTETS - 1  # the leading space of a continuation counts
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[AllDayEvent], *, stamp: datetime, name: str) -> str:
    """A VCALENDAR with one VEVENT per event (the caller ensures there is at least one)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//acctctl//acctctl {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            "TRANSP:TRANSPARENT",
        ]
        if event.alarm_days_before is not None:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"TRIGGER:-P{event.alarm_days_before}D",
                f"DESCRIPTION:{escape_text(event.summary)}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
