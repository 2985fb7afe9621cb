"""The message catalogs, with Babel: extract, update, compile.

    python tools/i18n.py            # all three, in order
    python tools/i18n.py extract    # src/acctctl/locale/acctctl.pot from the code (babel.cfg)
    python tools/i18n.py update     # merge the .pot into every <lang>/LC_MESSAGES/acctctl.po
    python tools/i18n.py typography # French spacing, quotes and apostrophes in the French .po
    python tools/i18n.py compile    # the .po into .mo (also done by the build: hatch_build.py)

After `update`, translate every new or fuzzy message in the .po files;
tests/test_i18n.py fails while one is missing, tests/test_french_style.py while the
French breaks a rule of docs/translations.md (`typography` fixes the mechanical ones:
write plain spaces and ' and let it set U+202F and ’). The .mo files are not committed.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "acctctl"
LOCALE = PACKAGE / "locale"
DOMAIN = "acctctl"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
MAPPING = ROOT / "babel.cfg"
KEYWORDS = ("_mark",)
"""Markers beyond Babel's defaults (``_``, ``N_``, ``ngettext``, ``pgettext``…)."""


def pybabel(*args: str) -> None:
    """Run a ``pybabel`` command in this process (the same code as the console script)."""
    from babel.messages.frontend import CommandLineInterface

    if str(ROOT / "src") not in sys.path:  # the typer_help extractor lives in the package
        sys.path.insert(0, str(ROOT / "src"))
    # From the root, so that the catalogs name source files by their path in the repository.
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "--quiet", *args])
    finally:
        os.chdir(here)


def extract(output: Path = TEMPLATE) -> Path:
    from acctctl import __version__

    keywords = [arg for keyword in KEYWORDS for arg in ("--keyword", keyword)]
    pybabel(
        "extract",
        "--mapping-file",
        str(MAPPING),
        *keywords,
        "--add-comments",
        "TRANSLATORS:",
        "--add-location",
        "file",
        "--sort-by-file",
        "--no-wrap",
        "--project",
        "acctctl",
        "--copyright-holder",
        "the acctctl authors",
        "--version",
        __version__,
        "--output-file",
        str(output),
        str(PACKAGE.relative_to(ROOT)),
    )
    return output


def update() -> None:
    pybabel(
        "update",
        "--input-file",
        str(TEMPLATE),
        "--output-dir",
        str(LOCALE),
        "--domain",
        DOMAIN,
        "--no-wrap",
        "--ignore-obsolete",
    )


_PROTECTED = re.compile(r"`[^`]*`|\b[a-z][a-z0-9+.-]*://\S*|\{[^{}]*\}")
_SPACES = "[ \u00a0\u202f]"


def french_typography(text: str) -> str:
    """French typesetting of one translation: U+202F before ``: ; ? !`` and inside « »,
    ’ for an apostrophe, « » for English quotes. `code`, URLs and {placeholders} are
    left as they are; a colon not followed by a space (03:32, HOST:PORT) is not
    punctuation."""
    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(match.group())
        return chr(0xE000 + len(kept) - 1)

    text = _PROTECTED.sub(hide, text)
    text = re.sub(f"{_SPACES}?([:;?!])(?=$|[\\s)\\]»,.])", "\u202f\\1", text)
    text = re.sub('[“"](.*?)[”"]', "« \\1 »", text)
    text = re.sub(f"«{_SPACES}?", "«\u202f", text)
    text = re.sub(f"{_SPACES}?»", "\u202f»", text)
    text = re.sub(r"(\w)'(\w)", "\\1’\\2", text)
    return re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group()) - 0xE000], text)


def typography(path: Path = LOCALE / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po") -> None:
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as source:
        catalog = read_po(source, locale="fr")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(french_typography(str(form)) for form in message.string)
        elif message.string:
            message.string = french_typography(str(message.string))
    with path.open("wb") as target:  # width=0: no wrapping, as `update --no-wrap` writes it
        write_po(target, catalog, width=0, ignore_obsolete=True)


def compile_catalogs() -> None:
    pybabel("compile", "--directory", str(LOCALE), "--domain", DOMAIN, "--statistics")


def main(argv: list[str]) -> int:
    steps = {
        "extract": extract,
        "update": update,
        "typography": typography,
        "compile": compile_catalogs,
    }
    wanted = argv or list(steps)
    unknown = [name for name in wanted if name not in steps]
    if unknown:
        sys.stderr.write(f"usage: {sys.argv[0]} [extract] [update] [typography] [compile]\n")
        return 2
    for name in wanted:
        steps[name]()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main(sys.argv[1:]))
