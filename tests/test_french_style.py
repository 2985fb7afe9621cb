"""The French catalog reads as a French administrator writes: a lint.

Typography (Imprimerie nationale rules, as the vendor's French pages apply them):
a narrow no-break space (U+202F) before ``: ; ? !`` and inside « », the
typographic apostrophe ’, no English quotes. Vocabulary: one word per concept, the
vendor's (« modification », « assistance », « visible le … », « Enterprise Business
Agreement qui utilise Token Flex », « peut prendre au moins une heure »), and the
portal's register rather than a developer's (« rien n'a été enregistré »,
« indiquer »). Counts: every message with a count is a plural (``ngettext``) entry.

Each rule is a small function returning the faults of one translation, so each is
tested on its own (good and bad French) before it is run on the whole catalog.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "src" / "acctctl" / "locale" / "fr" / "LC_MESSAGES" / "acctctl.po"
NNBSP = "\u202f"

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_CODE = re.compile(r"`[^`]*`")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*")


def prose(text: str) -> str:
    """The text without what is not French prose: placeholders, `code`, URLs
    (each replaced by a letter, so the punctuation around them is still checked)."""
    for pattern in (_CODE, _URL, _PLACEHOLDER):
        text = pattern.sub("X", text)
    return text


def spacing_faults(text: str) -> list[str]:
    """U+202F before a high punctuation mark (one followed by a space, a closing
    bracket or the end: not the colon of 03:32 or of postgresql://)."""
    faults = []
    for match in re.finditer(r"[:;?!](?=$|[\s)\]»,.])", prose(text)):
        before = match.string[: match.start()]
        if not before.endswith(NNBSP):
            faults.append(f"no U+202F before {match.group()!r} in …{before[-12:]}{match.group()}")
    return faults


def quote_faults(text: str) -> list[str]:
    plain = prose(text)
    faults = []
    if re.search(f"«(?!{NNBSP})", plain):
        faults.append("« not followed by U+202F")
    if re.search(f"(?<!{NNBSP})»", plain):
        faults.append("» not preceded by U+202F")
    if re.search('[“”"]', plain):
        faults.append("English quotes: use « … »")
    return faults


def apostrophe_faults(text: str) -> list[str]:
    plain = prose(text)
    return [f"typewriter apostrophe in {m.group()!r}" for m in re.finditer(r"\w'\w", plain)]


WORDING: tuple[tuple[str, str], ...] = (
    (r"\bchangements?\b", "« modification », not « changement »"),
    (r"\bmises? à jour\b", "« modification », not « mise à jour »"),
    (
        r"\bmettre à jour\b(?! les informations sur le revendeur)",
        "« mettre à jour » only in the vendor's « Mettre à jour les informations sur le "
        "revendeur »",
    ),
    (r"\bsupport\b", "« assistance », not « support »"),
    (r"\b(?:a|ont) été écrite?s?\b|\bsera écrit\b|\bne rien écrire\b", "« enregistré »"),
    (r"\bnomm(?:er|e|ent)\b", "« indiquer », not « nommer »"),
    (r"\bl'attend\b|\bl’attend\b", "« une modification vers ce partenaire est déjà en attente »"),
    (r"\bà partir du\b|\beffective\b|\bprend effet\b", "one phrase for the date: « visible le … »"),
    (
        r"\bEBA\b|\butilisant Token Flex\b",
        "« Enterprise Business Agreement qui utilise Token Flex »",
    ),
    (
        r"(?<!peut prendre )\bau moins une heure\b",
        "the vendor's « peut prendre au moins une heure »",
    ),
    (r"\bpassez\b", "« indiquez » an option, not « passez »"),
)


def wording_faults(text: str) -> list[str]:
    plain = prose(text)
    return [why for pattern, why in WORDING if re.search(pattern, plain, re.IGNORECASE)]


def date_faults(text: str) -> list[str]:
    """A moment ({when}) in a sentence reads « le 01/12/2026 à 03:32 »."""
    faults = []
    for match in re.finditer(r"\{(?:when|date)\}", text):
        before = text[: match.start()].rstrip(" ")
        words = before.split()
        if words and not before.endswith(("le", "du", "(", ":", NNBSP + ":")):
            faults.append(f"write « le {match.group()} », not « {words[-1]} {match.group()} »")
    return faults


NOUNS = "days|hours|minutes|seats|partners|subscriptions|contracts|changes|users|characters|ids"
COUNTS = re.compile(rf"\{{\w+\}} (?:\w+ )?(?:{NOUNS})\b|\(\{{n\}}\)")
"""A number before a plural noun (``{days} days``, ``{count} partners``), or a bare
``({n})`` count."""


def count_faults(message: Message) -> list[str]:
    """A message that counts something has plural forms."""
    msgid = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
    found = COUNTS.search(msgid)
    if found and not message.pluralizable:
        return [f"{found.group()!r} needs ngettext"]
    return []


TEXT_RULES: tuple[Callable[[str], list[str]], ...] = (
    spacing_faults,
    quote_faults,
    apostrophe_faults,
    wording_faults,
    date_faults,
)


# --- each rule on good and bad French ----------------------------------------------


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (spacing_faults, f"Soumettre{NNBSP}?", "Soumettre ?"),
        (spacing_faults, f"acctctl{NNBSP}: {{message}}", "acctctl: {message}"),
        (spacing_faults, f"annulé{NNBSP}; rien", "annulé\u00a0; rien"),
        (spacing_faults, "postgresql://USER@HOST:PORT/DATABASE à 03:32", "Attention !"),
        (spacing_faults, "{value!r} n’est pas", "voir `a`: b"),
        (quote_faults, f"«{NNBSP}Rechercher{NNBSP}»", "« Rechercher »"),
        (quote_faults, f"«{NNBSP}-{NNBSP}»", "“For a team”"),
        (apostrophe_faults, "l’entrée, pip install 'acctctl[postgres]'", "l'entrée"),
        (wording_faults, "La modification est visible le {when}", "affiché à partir du {when}"),
        (wording_faults, "contactez l’assistance", "contactez le support"),
        (wording_faults, "Mettre à jour les informations sur le revendeur", "La mise à jour"),
        (wording_faults, "rien n’a été enregistré", "rien n’a été écrit"),
        (wording_faults, "peut prendre au moins une heure", "(au moins une heure)"),
        (date_faults, "visible le {when}", "visible à {when}"),
    ],
)
def test_each_rule_tells_good_french_from_bad(
    rule: Callable[[str], list[str]], good: str, bad: str
) -> None:
    assert rule(good) == []
    assert rule(bad) != []


def test_a_count_without_plural_forms_is_a_fault() -> None:
    assert count_faults(Message("{n} days left", "{n} jours restants")) != []
    assert count_faults(Message(("{n} day", "{n} days"), ("{n} jour", "{n} jours"))) == []
    assert count_faults(Message("problems ({n})", "problèmes ({n})")) != []
    assert count_faults(Message("{id} submitted", "{id} soumise")) == []
    assert count_faults(Message("{holder} has {x}", "{holder} a {x}")) == []


# --- the catalog ----------------------------------------------------------------------


def french_messages() -> list[Message]:
    with FRENCH.open("rb") as source:
        return [m for m in read_po(source, locale="fr") if m.id]


def forms(message: Message) -> list[str]:
    value = message.string
    return [str(v) for v in value] if isinstance(value, tuple | list) else [str(value or "")]


@pytest.mark.parametrize("rule", TEXT_RULES, ids=lambda rule: rule.__name__)
def test_the_french_catalog_follows_the_rule(rule: Callable[[str], list[str]]) -> None:
    faults = [
        f"{message.id!r} → {form!r}: {fault}"
        for message in french_messages()
        for form in forms(message)
        for fault in rule(form)
    ]
    assert faults == [], "\n".join(faults)


def test_every_count_in_the_catalog_has_plural_forms() -> None:
    faults = [f"{m.id!r}: {f}" for m in french_messages() for f in count_faults(m)]
    assert faults == [], "\n".join(faults)


def test_the_auto_renew_questions_read_as_a_french_admin_writes() -> None:
    """Not a shouted « DÉSACTIVER … pour 110000000002 » but a native's question."""
    from acctctl.i18n import _, set_language

    set_language("fr")
    try:
        off = _("Turn automatic renewal OFF for {holder}?").format(holder="110000000002")
        on = _("Turn automatic renewal ON for {holder}?").format(holder="110000000002")
        wizard = _(
            "Turn automatic renewal OFF for {holder}? This is written now, "
            "whatever you decide later."
        ).format(holder="110000000002")
    finally:
        set_language("en")
    assert off == f"Désactiver le renouvellement automatique du contrat 110000000002{NNBSP}?"
    assert on == f"Activer le renouvellement automatique du contrat 110000000002{NNBSP}?"
    assert wizard.startswith(off + " ")
