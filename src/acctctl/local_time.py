"""Times as the reader lives them: the local time zone, and how far away a moment is.

Human output only. JSON and piped output keep UTC ISO 8601 (``service.context._iso``),
so a script never depends on where it runs. The zone is ``TZ`` when set, else the
system's; its abbreviation is shown so that "10:30" is never ambiguous.
"""

from __future__ import annotations

from datetime import datetime

from acctctl.i18n import _, format_date, format_number, ngettext


def zone_name(moment: datetime) -> str:
    """The zone's abbreviation (CET, EST…); a zone known only by its offset reads UTC+05."""
    name = moment.strftime("%Z")
    if not name or name[0] in "+-":
        offset = moment.strftime("%z")  # +0530
        hours, minutes = offset[:3], offset[3:]
        return "UTC" + hours + (":" + minutes if minutes not in ("", "00") else "")
    return name


def local_time(moment: datetime) -> str:
    """``2026-11-26 10:30 CET`` (``26/11/2026 à 10:30 CET`` in French, read after « le »),
    in the local zone."""
    here = moment.astimezone()
    # TRANSLATORS: a moment; sentences put it after « le »: « visible le {date} à {time} ».
    return _("{date} {time} {zone}").format(
        date=format_date(here.date()), time=here.strftime("%H:%M"), zone=zone_name(here)
    )


def relative(moment: datetime, now: datetime) -> str:
    """How far ``moment`` is from ``now``: "in 59 min", "3 h ago", "in 2 days"."""
    seconds = (moment - now).total_seconds()
    future = seconds >= 0
    minutes = int(abs(seconds) // 60)
    if minutes < 1:
        return _("now")
    if minutes < 120:
        return (_("in {n} min") if future else _("{n} min ago")).format(n=minutes)
    hours = minutes // 60
    if hours < 48:
        return (_("in {n} h") if future else _("{n} h ago")).format(n=hours)
    days = hours // 24
    if future:
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)


def moment(value: datetime, now: datetime) -> str:
    """``2026-11-26 10:30 CET (in 59 min)``."""
    return _("{time} ({relative})").format(time=local_time(value), relative=relative(value, now))


def days_left(days: int) -> str:
    """A term's end from today: "400 days", "today", "ended 20 days ago" — never negative."""
    if days > 0:
        return ngettext("{n} day", "{n} days", days).format(n=format_number(days))
    if days == 0:
        return _("ends today")
    return ngettext("ended {n} day ago", "ended {n} days ago", -days).format(n=format_number(-days))
