"""Translation: gettext catalogs, chosen once at start-up.

Every user-facing sentence goes through ``_`` (or ``ngettext``/``pgettext``);
strings defined before the language is known (tables of labels) are marked with
``N_`` and translated where they are shown. The catalogs' sources are
``locale/<lang>/LC_MESSAGES/acctctl.po``; the ``.mo`` files next to them are
compiled when the package is built or installed (``hatch_build.py``), or by
``tools/i18n.py compile``. A missing or unreadable catalog means English, never
a crash.
"""

from __future__ import annotations

import gettext
from datetime import UTC, date, datetime
from pathlib import Path

DOMAIN = "acctctl"
LANGUAGES = ("en", "fr")
_LOCALE_DIR = Path(__file__).parent / "locale"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it (it is translated when shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as translated in ``context``, for words that read differently elsewhere."""
    return _translation.pgettext(context, message)


def language() -> str:
    return _language


def language_code(value: str | None) -> str:
    """The language part of a locale name: ``fr_FR.UTF-8@euro`` → ``fr``; ``C`` → ``c``."""
    text = (value or "").strip()
    for separator in ("@", ".", "_", "-"):
        text = text.split(separator)[0]
    return text.lower()


def set_language(lang: str | None) -> str:
    """Activate ``lang`` (``fr``, ``fr_FR.UTF-8``…) and return the language in effect.

    Anything without a catalog (``C``, ``POSIX``, ``de_DE``…), and a catalog that is
    missing or unreadable, gives English.
    """
    global _translation, _language
    code = language_code(lang)
    if code in LANGUAGES and code != "en":
        import struct  # here: only a catalog is unpacked (English, the default, reads none)

        try:
            with (_LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as catalog:
                _translation = gettext.GNUTranslations(catalog)
        except (OSError, ValueError, struct.error):
            pass
        else:
            _language = code
            return code
    _translation = gettext.NullTranslations()
    _language = "en"
    return "en"


def format_date(value: date) -> str:
    """Dates as the language writes them: ISO in English, dd/mm/yyyy in French."""
    if _language == "fr":
        return value.strftime("%d/%m/%Y")
    return value.isoformat()


def format_datetime(value: datetime) -> str:
    """A moment in UTC, as the language writes it (in French, read after « le »:
    « le 01/12/2026 à 03:32 UTC »)."""
    stamp = value.astimezone(UTC)
    if _language == "fr":
        return stamp.strftime("%d/%m/%Y à %H:%M UTC")
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def format_number(value: int) -> str:
    """A count as the language writes it: ``12500`` in English (plain, like the ISO
    dates), ``12 500`` in French (digits grouped by a narrow no-break space)."""
    if _language == "fr":
        return f"{value:,}".replace(",", "\u202f")
    return str(value)
