"""French and English: the catalogs, the choice of language, and what the CLI prints.

The catalog tests read the committed sources (``acctctl.pot``, ``fr/…/acctctl.po``)
and re-extract the code with Babel, so a new ``_()`` string without a French
translation fails here. The CLI tests compile the .po into a temporary folder, so
they do not depend on the .mo an install left behind; one subprocess test runs the
installed program as the README installs it.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from acctctl import config, i18n
from acctctl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "acctctl" / "locale"
TEMPLATE = LOCALE / "acctctl.pot"
FRENCH = LOCALE / "fr" / "LC_MESSAGES" / "acctctl.po"

NOW = "2026-11-26T10:00:00Z"
ADMIN = "claire@dupont.example"
NEW_PARTNER = "5550002222"
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language)


def key(message: Message) -> tuple[str | None, str]:
    """A message's identity: its context and its (singular) msgid."""
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, str(msgid)


def messages(catalog: Catalog) -> dict[tuple[str | None, str], Message]:
    return {key(m): m for m in catalog if m.id}


def forms(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, tuple | list) else [str(value or "")]


def tools_i18n() -> ModuleType:
    spec = importlib.util.spec_from_file_location("acctctl_tools_i18n", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the catalogs -------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[tuple[str | None, str], Message]:
    return messages(read_catalog(TEMPLATE))


@pytest.fixture(scope="module")
def french() -> dict[tuple[str | None, str], Message]:
    return messages(read_catalog(FRENCH, "fr"))


def test_the_template_is_up_to_date_with_the_code(
    tmp_path: Path, template: dict[tuple[str | None, str], Message]
) -> None:
    fresh = messages(read_catalog(tools_i18n().extract(tmp_path / "acctctl.pot")))
    new = sorted(k[1] for k in fresh.keys() - template.keys())
    gone = sorted(k[1] for k in template.keys() - fresh.keys())
    assert not new and not gone, (
        f"src/acctctl/locale/acctctl.pot is stale: run `python tools/i18n.py`, then "
        f"translate. New in the code: {new}; no longer in the code: {gone}"
    )


def test_the_french_catalog_has_exactly_the_template_messages(
    template: dict[tuple[str | None, str], Message],
    french: dict[tuple[str | None, str], Message],
) -> None:
    assert sorted(k[1] for k in template.keys() - french.keys()) == [], "run tools/i18n.py update"
    assert sorted(k[1] for k in french.keys() - template.keys()) == [], "run tools/i18n.py update"


def test_every_message_has_a_french_translation(
    template: dict[tuple[str | None, str], Message],
    french: dict[tuple[str | None, str], Message],
) -> None:
    untranslated = [
        k[1]
        for k in template
        if k not in french or not all(form.strip() for form in forms(french[k].string))
    ]
    fuzzy = [k[1] for k in template if k in french and french[k].fuzzy]
    assert untranslated == [], "no French translation"
    assert fuzzy == [], "fuzzy (unchecked) French translation"


_BRACES = re.compile(r"\{[^{}]*\}")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> Counter[str]:
    """``{name}``, ``{value!r}``, ``{code:04X}`` and ``%s``/``%(name)d`` fields, counted."""
    plain = text.replace("{{", "").replace("}}", "")
    return Counter(_BRACES.findall(plain)) + Counter(_PERCENT.findall(text))


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("{a} and {b!r} at {c:04X}", ["{a}", "{b!r}", "{c:04X}"]),
        ("{{literal}} {x}", ["{x}"]),
        ("%s of %(name)d, 100%%", ["%s", "%(name)d", "%%"]),
        ("no fields", []),
    ],
)
def test_placeholders_are_found(text: str, fields: list[str]) -> None:
    assert placeholders(text) == Counter(fields)


def test_placeholders_are_the_same_in_both_languages(
    french: dict[tuple[str | None, str], Message],
) -> None:
    wrong = []
    for (_context, msgid), message in french.items():
        originals = forms(message.id)
        expected = placeholders(originals[-1])
        if any(placeholders(o) != expected for o in originals):
            wrong.append(f"{msgid!r}: singular and plural differ")
        for form in forms(message.string):
            if form and placeholders(form) != expected:
                wrong.append(f"{msgid!r} → {form!r}")
    assert wrong == []


def test_the_help_of_every_command_and_option_is_in_the_catalog(
    template: dict[tuple[str | None, str], Message],
) -> None:
    import typer

    known = {msgid for _context, msgid in template}

    def texts(command: Any) -> Iterator[str]:
        for name in ("help", "short_help"):
            if getattr(command, name, None):
                yield inspect.cleandoc(getattr(command, name))
        for param in command.params:
            if getattr(param, "help", None):
                yield inspect.cleandoc(param.help)
        for sub in getattr(command, "commands", {}).values():
            yield from texts(sub)

    missing = {t for t in texts(typer.main.get_command(app)) if t not in known}
    assert missing == set()


def test_the_vendors_french_wording_for_the_eight_steps(
    french: dict[tuple[str | None, str], Message],
) -> None:
    titles = " | ".join(str(french[(None, msgid)].string) for msgid in step_titles())
    for wording in (
        "Contactez votre nouveau partenaire pour obtenir son numéro de compte",
        "Facturation et commandes › Abonnements et contrats",
        "Mettre à jour les informations sur le revendeur",
        "Rechercher",
        "Suivant",
        "Soumettre",
        "Terminer",
    ):
        assert wording in titles
    assert french[(None, "Step {n}/{total} — {title}")].string == "Étape {n}/{total} — {title}"


def step_titles() -> list[str]:
    from acctctl.steps import STEPS

    return [s.title for s in STEPS]


# --- choosing the language ------------------------------------------------------------


@pytest.fixture
def catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The French catalog compiled from the committed .po, in place of the installed one."""
    target = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "acctctl.mo"
    target.parent.mkdir(parents=True)
    with target.open("wb") as out:
        write_mo(out, read_catalog(FRENCH, "fr"), use_fuzzy=False)
    monkeypatch.setattr(i18n, "_LOCALE_DIR", tmp_path / "locale")
    yield tmp_path / "locale"
    i18n.set_language("en")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    for var in (*LOCALE_VARS, "ACCTCTL_STORE", "ACCTCTL_USER"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(
    ("flag", "config_lang", "env", "expected"),
    [
        ("fr", "en", {"LC_ALL": "en_US.UTF-8"}, "fr"),
        ("en", "fr", {"LC_ALL": "fr_FR.UTF-8"}, "en"),
        (None, "fr", {"LC_ALL": "en_US.UTF-8"}, "fr"),
        (None, "en", {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, None, {"LC_ALL": "fr_FR.UTF-8", "LC_MESSAGES": "en_US", "LANG": "en_US"}, "fr"),
        (None, None, {"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, None, {"LC_ALL": "", "LC_MESSAGES": "fr_CA.UTF-8", "LANG": "en_US"}, "fr"),
        (None, None, {"LC_MESSAGES": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, None, {"LANG": "fr_BE.ISO-8859-1@euro"}, "fr"),
        (None, None, {"LANG": "fr"}, "fr"),
        (None, None, {"LANG": "POSIX"}, "en"),
        (None, None, {"LANG": "C.UTF-8"}, "en"),
        (None, None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, None, {}, "en"),
    ],
)
def test_language_precedence(
    catalogs: Path,
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
    flag: str | None,
    config_lang: str | None,
    env: dict[str, str],
    expected: str,
) -> None:
    """--lang > config lang > LC_ALL > LC_MESSAGES > LANG; anything else is English."""
    if config_lang is not None:
        config.save("lang", config_lang)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    settings = config.resolve(store=None, user=None, lang=flag, default_store="unused")
    assert i18n.set_language(settings.lang) == expected
    assert i18n.language() == expected
    assert i18n._("Cancel") == {"fr": "Annuler", "en": "Cancel"}[expected]


def test_a_missing_catalog_means_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_LOCALE_DIR", tmp_path / "nowhere")
    assert i18n.set_language("fr_FR.UTF-8") == "en"
    assert i18n._("Cancel") == "Cancel"


def test_a_corrupt_catalog_means_english(catalogs: Path) -> None:
    (catalogs / "fr" / "LC_MESSAGES" / "acctctl.mo").write_bytes(b"\x00not a catalog" * 3)
    assert i18n.set_language("fr") == "en"
    assert i18n._("Cancel") == "Cancel"


def test_dates_and_numbers_follow_the_language(catalogs: Path) -> None:
    from datetime import UTC, date, datetime

    i18n.set_language("fr")
    assert i18n.format_date(date(2026, 11, 26)) == "26/11/2026"
    assert i18n.format_datetime(datetime(2026, 11, 26, 11, 0, tzinfo=UTC)) == (
        "26/11/2026 à 11:00 UTC"
    )
    assert i18n.format_number(12500) == "12\u202f500"
    i18n.set_language("en")
    assert i18n.format_date(date(2026, 11, 26)) == "2026-11-26"
    assert i18n.format_number(12500) == "12500"


# --- the CLI in French ------------------------------------------------------------------

Run = Callable[..., Any]


@pytest.fixture
def run(catalogs: Path, clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """acctctl on a fresh demo store, in whatever language ``env`` asks for."""
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("ACCTCTL_NO_PROMPT", "1")
    monkeypatch.setenv("ACCTCTL_STORE", str(tmp_path / "account.db"))
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    assert invoke("store", "init", "--demo").exit_code == 0
    return invoke


FRENCH_ENV = {"LANG": "fr_FR.UTF-8"}


def first_with_reason(run: Run, code: str) -> str:
    for sub in json.loads(run("subs", "list", "--json").stdout):
        if [r["code"] for r in sub["reasons"]] == [code]:
            return str(sub["id"])
    raise AssertionError(f"the demo has no subscription blocked only by {code}")


def first_eligible(run: Run) -> str:
    for sub in json.loads(run("--as", ADMIN, "subs", "list", "--json").stdout):
        if sub["eligible"] and len(sub["partners"]) == 1:
            return str(sub["id"])
    raise AssertionError("the demo has no eligible subscription")


def test_partner_change_speaks_french_with_lang(run: Run) -> None:
    eligible, auto_renew = first_eligible(run), first_with_reason(run, "auto-renew")
    result = run(
        "--as", ADMIN, "partner", "change", eligible, auto_renew, "--csn", NEW_PARTNER, "--yes",
        env=FRENCH_ENV,
    )  # fmt: skip
    assert result.exit_code == 3
    steps = [line for line in result.stderr.splitlines() if line.startswith("Étape ")]
    assert [int(line[6]) for line in steps[:8]] == list(range(1, 9))
    assert steps[0].startswith(
        "Étape 1/8 — Contactez votre nouveau partenaire pour obtenir son numéro de compte"
    )
    assert "Facturation et commandes › Abonnements et contrats" in steps[1]
    assert "Mettre à jour les informations sur le revendeur" in steps[3]
    assert "Étape 8/8 — Cliquez sur Terminer pour fermer la fenêtre de confirmation" in steps[7]
    assert "peut prendre au moins une heure" in steps[7]
    assert "Step " not in result.stderr
    assert "Le renouvellement automatique est activé pour votre contrat" in result.stderr
    # data keeps its codes: ids, statuses, reason codes
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0][:2] == [eligible, "submitted"]
    assert lines[1] == [auto_renew, "rejected", "auto-renew"]
    assert re.search(r"\ble \d{2}/\d{2}/\d{4} à \d{2}:\d{2} [A-Z]", steps[7])  # local, French
    assert lines[0][3] == "2026-11-26T11:00:00+00:00"  # the data line: ISO, UTC (SPEC §8)


def test_json_keys_and_codes_stay_english_in_french(run: Run) -> None:
    auto_renew = first_with_reason(run, "auto-renew")
    result = run(
        "--as", ADMIN, "partner", "change", auto_renew, "--csn", NEW_PARTNER, "--yes", "--json",
        env=FRENCH_ENV,
    )  # fmt: skip
    assert result.exit_code == 3
    assert "Étape" not in result.stderr  # no progress lines with --json
    data = json.loads(result.stdout)
    assert set(data) >= {"subscription", "contract", "status", "change", "reasons"}
    assert data["status"] == "rejected"
    assert data["reasons"][0]["code"] == "auto-renew"
    assert data["reasons"][0]["message"].startswith(
        "Le renouvellement automatique est activé pour votre contrat"
    )
    listing = json.loads(run("subs", "list", "--json", env=FRENCH_ENV).stdout)
    assert {"id", "term_end", "days_left", "auto_renew", "eligible", "reasons"} <= set(listing[0])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", sub["term_end"]) for sub in listing)
    expiring = next(s for s in listing if [r["code"] for r in s["reasons"]] == ["expiring-soon"])
    assert "expire d’ici 90 jours" in expiring["reasons"][0]["message"]


def test_english_is_the_default(run: Run) -> None:
    eligible = first_eligible(run)
    result = run("--as", ADMIN, "partner", "change", eligible, "--csn", NEW_PARTNER, "--yes")
    assert result.exit_code == 0
    assert result.stderr.startswith("Step 1/8 — Get the new partner's account number (CSN): ")
    assert "Étape" not in result.stderr
    table = run("subs", "list").stdout
    assert table.startswith("ID\tContract\tProduct\tSeats\tTerm end")
    assert re.search(r"\t\d{4}-\d{2}-\d{2}\t", table)


@pytest.mark.usefixtures("cards_for_a_person")
def test_the_lang_flag_wins_over_the_locale(run: Run) -> None:
    english = run("--lang", "en", "subs", "show", "72000000001", env=FRENCH_ENV).stdout
    assert "Product" in english and "Produit" not in english
    french = run("--lang", "fr", "subs", "show", "72000000001", env={"LANG": "en_US.UTF-8"})
    assert "Produit" in french.stdout
    assert re.search(r"\d{2}/\d{2}/\d{4}", french.stdout)


@pytest.mark.usefixtures("cards_for_a_person")
def test_the_config_lang_wins_over_the_locale(run: Run) -> None:
    assert run("config", "set", "lang", "fr").exit_code == 0
    shown = run("subs", "show", "72000000001", env={"LC_ALL": "en_US.UTF-8"}).stdout
    assert "Produit" in shown
    assert "Product" in run("--lang", "en", "subs", "show", "72000000001").stdout


def test_piped_tables_are_the_same_in_every_language(run: Run) -> None:
    """SPEC §8: a pipe is a contract — English names, ISO dates, codes, whatever LANG."""
    english = run("--lang", "en", "subs", "list").stdout
    assert english.startswith("ID\tContract\tProduct\tSeats\tTerm end")
    assert re.search(r"\t\d{4}-\d{2}-\d{2}\t", english)
    assert "\tauto-renew\n" in english
    assert run("--lang", "fr", "subs", "list", env=FRENCH_ENV).stdout == english
    assert run("--lang", "fr", "partner", "history").stdout == (
        run("--lang", "en", "partner", "history").stdout
    )


def test_errors_and_hints_in_french(run: Run) -> None:
    result = run("subs", "show", "99999", env=FRENCH_ENV)
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "acctctl : Aucun abonnement 99999 dans ce compte.",
        # the store came from ACCTCTL_STORE: the command to paste names it
        f"conseil : `acctctl subs list --store {os.environ['ACCTCTL_STORE']}` affiche les "
        "abonnements du compte.",
    ]
    malformed = run("partner", "lookup", "12345", env=FRENCH_ENV)
    assert malformed.exit_code == 2
    assert "n’est pas un CSN" in malformed.stderr


def test_help_in_french(
    clean_env: None,
    catalogs: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from acctctl.cli.app import main

    monkeypatch.setenv("COLUMNS", "200")  # Click wraps help to the terminal's width
    assert main(["--lang", "fr", "partner", "change", "--help"]) == 0
    text = capsys.readouterr().out
    assert "Transférer les contrats d’abonnements à un autre partenaire" in text
    assert "Afficher ce message et quitter." in text
    assert "--csn" in text and "--replace-all" in text  # flags stay as they are


def test_the_installed_program_speaks_french(tmp_path: Path) -> None:
    """As the README installs it (`pip install -e .` compiles the catalog)."""
    installed = LOCALE / "fr" / "LC_MESSAGES" / "acctctl.mo"
    import acctctl

    package_mo = Path(acctctl.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "acctctl.mo"
    assert package_mo.exists() or installed.exists(), (
        "no compiled French catalog: reinstall (pip install -e .) or run tools/i18n.py compile"
    )
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    env.update(
        ACCTCTL_HOME=str(tmp_path / "home"),
        ACCTCTL_STORE=str(tmp_path / "account.db"),
        ACCTCTL_NOW=NOW,
        ACCTCTL_NO_PROMPT="1",
        LANG="fr_FR.UTF-8",
    )
    env.pop("ACCTCTL_USER", None)

    def acctctl_(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "acctctl", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert acctctl_("store", "init", "--demo").returncode == 0
    listing = json.loads(acctctl_("--as", ADMIN, "subs", "list", "--json").stdout)
    eligible = next(s["id"] for s in listing if s["eligible"] and len(s["partners"]) == 1)
    result = acctctl_("--as", ADMIN, "partner", "change", eligible, "--csn", NEW_PARTNER, "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Étape 1/8 — Contactez votre nouveau partenaire")
    assert "\tsubmitted\t" in result.stdout


def english_sentences(french: dict[tuple[str | None, str], Message]) -> list[str]:
    """The catalog's English sentences whose French differs: none may reach French output."""
    return [
        msgid
        for (_context, msgid), message in french.items()
        if " " in msgid
        and len(msgid) >= 12
        and not placeholders(msgid)
        and forms(message.string)[0] != msgid
    ]


@pytest.mark.timeout(30)
def test_the_wizard_walks_all_eight_steps_in_french(
    catalogs: Path,
    clean_env: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    french: dict[tuple[str | None, str], Message],
) -> None:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from acctctl import clock, service
    from acctctl.demo import demo_document
    from acctctl.flow import Request
    from acctctl.service import Context
    from acctctl.store import open_store
    from acctctl.wizard import run_change_wizard
    from acctctl.wizard.prompts import QuestionaryPrompter

    asked: list[str] = []

    class Recorder(QuestionaryPrompter):
        def select(self, message: str, options: Any, default: Any = None, **kw: Any) -> Any:
            asked.append(message)
            return super().select(message, options, default)

        def text(self, message: str, default: str = "", validate: Any = None, **kw: Any) -> str:
            asked.append(message)
            return super().text(message, default, validate)

        def confirm(self, message: str, default: bool = False, **kw: Any) -> bool:
            asked.append(message)
            return super().confirm(message, default)

    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")  # the step headings whole, not cut at 80
    i18n.set_language("fr")
    now = clock.now()
    ctx = Context(store=open_store(str(tmp_path / "account.db")), now=now, actor=None)
    try:
        service.replace_store(ctx, demo_document(now.date(), now), force=False, sandbox=True)
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            # Claire, the notice's partner, the first subscription, "Mettre à jour…",
            # Rechercher, "Oui : Suivant", Soumettre, Terminer
            pipe.send_text("\r" * 8)
            pipe.close()
            code = run_change_wizard(ctx, Request(), Recorder())
    finally:
        ctx.store.close()
    assert code == 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    headings = [line for line in out.splitlines() if line.startswith("Étape ")]
    assert [int(line.split()[1][0]) for line in headings] == list(range(1, 9))
    assert headings[0].startswith(
        "Étape 1/8 — Contactez votre nouveau partenaire pour obtenir son numéro de compte"
    )
    assert "Facturation et commandes › Abonnements et contrats" in headings[1]
    assert "Terminer" in headings[7]
    assert "au moins une heure" in out
    assert re.search(r"\ble \d{2}/\d{2}/\d{4} à \d{2}:\d{2} UTC\b", out)
    assert "Step " not in out
    assert asked[1] == "Numéro de compte du nouveau partenaire :"
    assert "Est-ce le bon partenaire ?" in asked and asked[-2] == "Soumettre ?"
    assert asked[-1] == "Fermer la fenêtre de confirmation :"
    leaked = [s for s in english_sentences(french) if s in out or any(s in q for q in asked)]
    assert leaked == []


def test_scripted_change_prints_no_english_sentence(
    run: Run, french: dict[tuple[str | None, str], Message]
) -> None:
    eligible, expiring = first_eligible(run), first_with_reason(run, "expiring-soon")
    result = run(
        "--as", ADMIN, "partner", "change", eligible, expiring, "--csn", NEW_PARTNER, "--yes",
        env=FRENCH_ENV,
    )  # fmt: skip
    assert result.exit_code == 3
    assert "expire d’ici 90 jours" in result.stderr
    text = result.stdout + result.stderr
    assert [s for s in english_sentences(french) if s in text] == []
