"""The CLI in French where the standard library, Click or Typer would speak English:
import errors, usage errors, `--help`, the `--lang` error.

Runs the real entry point (``acctctl.cli.app.main``) in-process, with the French
catalog compiled from the committed .po into a temporary folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from acctctl import i18n
from acctctl.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "src" / "acctctl" / "locale" / "fr" / "LC_MESSAGES" / "acctctl.po"
NNBSP = "\u202f"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def acctctl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    target = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "acctctl.mo"
    target.parent.mkdir(parents=True)
    with FRENCH.open("rb") as source, target.open("wb") as out:
        write_mo(out, read_po(source, locale="fr"), use_fuzzy=False)
    monkeypatch.setattr(i18n, "_LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_STORE", str(tmp_path / "account.db"))
    monkeypatch.setenv("ACCTCTL_NO_PROMPT", "1")
    monkeypatch.setenv("COLUMNS", "200")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "ACCTCTL_USER"):
        monkeypatch.delenv(var, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run
    i18n.set_language("en")


# --- import errors ---------------------------------------------------------------------


def test_a_json_syntax_error_is_told_in_french(acctctl: Run, tmp_path: Path) -> None:
    broken = tmp_path / "account.json"
    broken.write_text('{"format": "acctctl/1" "account": {}}', encoding="utf-8")
    code, _out, err = acctctl("--lang", "fr", "store", "import", str(broken))
    assert code == 2
    assert f"n’est pas du JSON{NNBSP}: une virgule (`,`) est attendue (ligne 1, colonne 24)" in err
    assert "Expecting" not in err
    code, _out, err = acctctl("--lang", "en", "store", "import", str(broken))
    assert "is not JSON: a comma (,) is expected (line 1, column 24)" in err


def test_an_unreadable_file_is_told_in_french(acctctl: Run, tmp_path: Path) -> None:
    code, _out, err = acctctl("--lang", "fr", "store", "import", str(tmp_path))
    assert code == 2
    assert f"Impossible de lire {tmp_path}{NNBSP}: c’est un dossier" in err
    assert "Errno" not in err and "directory" not in err


# --- Click's and Typer's own words --------------------------------------------------------

ENGLISH_CLICK = (
    "Usage:",
    "Options:",
    "Arguments:",
    "Commands:",
    "[required]",
    "[default:",
    "for help",
    "Error:",
    "No such",
    "Missing",
    "Show this message",
    "COMMAND",
    "<str>",
)


def english_left(text: str) -> list[str]:
    return [word for word in ENGLISH_CLICK if re.search(rf"{re.escape(word)}(?!\w)", text)]


def test_root_help_is_french(acctctl: Run) -> None:
    code, out, _err = acctctl("--lang", "fr", "--help")
    assert code == 0
    assert out.startswith(f"Utilisation{NNBSP}: acctctl [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert f"\nOptions{NNBSP}:\n" in out and f"\nCommandes{NNBSP}:\n" in out
    assert "--lang LANGUE" in out and "--store CIBLE" in out
    assert english_left(out) == []


def test_an_argument_help_is_french(acctctl: Run) -> None:
    code, out, _err = acctctl("--lang", "fr", "partner", "lookup", "--help")
    assert code == 0
    assert out.startswith(f"Utilisation{NNBSP}: acctctl partner lookup [OPTIONS] CSN")
    assert f"\nArguments{NNBSP}:\n" in out and "[obligatoire]" in out
    assert english_left(out) == []


def every_command(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from every_command(sub, (*path, name))


def test_every_command_help_is_french(acctctl: Run) -> None:
    import typer

    from acctctl.cli.app import app

    english = english_help_texts()
    for path in every_command(typer.main.get_command(app)):
        code, out, _err = acctctl("--lang", "fr", *path, "--help")
        assert code == 0, path
        assert english_left(out) == [], (path, out)
        flat = " ".join(out.split())
        assert [text for text in english if text in flat] == [], (path, out)


def english_help_texts() -> list[str]:
    """The catalog's English sentences whose French differs, whitespace folded."""
    with FRENCH.open("rb") as source:
        catalog = read_po(source, locale="fr")
    return [
        " ".join(str(m.id).split())
        for m in catalog
        if m.id and isinstance(m.id, str) and " " in m.id and m.string and m.string != m.id
    ]


@pytest.mark.parametrize(
    ("args", "french", "english"),
    [
        (
            ["partner", "change", "--bogus"],
            f"Erreur{NNBSP}: option inconnue{NNBSP}: --bogus",
            "Error: No such option: --bogus",
        ),
        (
            ["partner", "lookup"],
            f"Erreur{NNBSP}: argument manquant{NNBSP}: «{NNBSP}CSN{NNBSP}».",
            "Error: Missing argument 'CSN'.",
        ),
        (
            ["partner", "change", "--csn"],
            f"Erreur{NNBSP}: l’option --csn attend une valeur.",
            "Error: Option '--csn' requires an argument.",
        ),
        (
            ["partner", "lookup", "5550002222", "de-trop"],
            f"Erreur{NNBSP}: argument en trop{NNBSP}: de-trop",
            "Error: Got unexpected extra argument(s) (de-trop)",
        ),
        (
            ["subz"],
            f"Erreur{NNBSP}: commande inconnue{NNBSP}: subz. "
            f"Vouliez-vous dire «{NNBSP}subs{NNBSP}»{NNBSP}?",
            "Error: No such command 'subz'. Did you mean 'subs'?",
        ),
    ],
)
def test_usage_errors_are_french(acctctl: Run, args: list[str], french: str, english: str) -> None:
    code, out, err = acctctl("--lang", "fr", *args)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[-1] == french
    assert english_left(err) == []
    code, _out, err = acctctl("--lang", "en", *args)
    assert code == 2
    english_lines = err.splitlines()
    assert english_lines[-1] == english  # English stays Click's own, byte for byte
    assert len(lines) == len(english_lines)
    if english_lines[0].startswith("Usage: "):  # when Click knows the command, it shows how
        assert lines[0].startswith(f"Utilisation{NNBSP}: acctctl")
        assert lines[1].startswith(f"Essayez «{NNBSP}acctctl") and lines[1].endswith(
            f" -h{NNBSP}» pour afficher l’aide."
        )


def test_the_lang_error_speaks_the_language_of_the_other_settings(
    acctctl: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, _out, err = acctctl("--lang", "de", "subs", "list")
    assert code == 2
    assert err == f"acctctl{NNBSP}: --lang accepte en ou fr.\n"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    code, _out, err = acctctl("--lang", "de", "subs", "list")
    assert code == 2
    assert err == "acctctl: --lang must be en or fr.\n"


def test_a_command_still_runs_and_exits_with_its_code_in_french(acctctl: Run) -> None:
    assert acctctl("--lang", "fr", "store", "init", "--demo")[0] == 0
    code, _out, err = acctctl("--lang", "fr", "subs", "show", "99999")
    assert code == 4
    assert err.startswith(f"acctctl{NNBSP}: Aucun abonnement 99999")
    code, out, _err = acctctl("--lang", "fr", "subs", "list", "--ids")
    assert code == 0 and out.split()


def test_the_key_help_names_every_config_key() -> None:
    from acctctl import config
    from acctctl.cli.config_commands import KEY_HELP

    assert all(key in KEY_HELP for key in config.KEYS)


# --- values and answers -----------------------------------------------------------------


@pytest.mark.usefixtures("cards_for_a_person")
def test_plan_and_agreement_values_read_as_the_portal_shows_them(acctctl: Run) -> None:
    assert acctctl("--lang", "fr", "store", "init", "--demo")[0] == 0
    code, out, _err = acctctl("--lang", "fr", "subs", "show", "72000000005")
    assert code == 0
    assert "Enterprise — Assistance Enterprise" in out
    assert "Enterprise Business Agreement (Token Flex)" in out
    assert "eba-token-flex" not in out and "enterprise —" not in out


@pytest.mark.usefixtures("cards_for_a_person")
def test_config_show_says_where_each_value_comes_from_in_french(
    acctctl: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, out, _err = acctctl("config", "show")
    assert code == 0
    assert "lang = fr  (environnement (LANG))" in out
    assert "propagation_minutes = 60  (par défaut)" in out
    assert "default" not in out and "environment" not in out


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("o", True), ("OUI", True), ("y", True), ("yes", True), (" n ", False), ("non", False)],
)
def test_yes_and_no_in_either_language(typed: str, answer: bool) -> None:
    from acctctl.wizard.yes_no import answer_of

    assert answer_of(typed) is answer
    assert answer_of("peut-être") is None


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("keys", "default", "answer", "echo"),
    [("oui\r", False, True, "Oui"), ("\r", True, True, "Oui"), ("x\rnon\r", True, False, "Non")],
)
def test_a_yes_no_question_in_french(
    acctctl: Run, keys: str, default: bool, answer: bool, echo: str
) -> None:
    import io

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from acctctl.wizard.yes_no import yes_no_question

    i18n.set_language("fr")
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="dumb")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
        pipe.send_text(keys)
        assert yes_no_question(f"Soumettre{NNBSP}?", default).unsafe_ask() is answer
    drawn = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen.getvalue())
    assert ("(O/n)" if default else "(o/N)") in drawn
    assert drawn.rstrip().endswith(f"Soumettre{NNBSP}? {echo}")


# --- a pipe is a contract: cards too ---------------------------------------------------

CARDS = (
    ("subs", "show", "72000000001"),  # a pending change
    ("subs", "show", "72000000004"),  # auto-renew on
    ("subs", "show", "110000000001"),  # a contract number
    ("partner", "lookup", "5550002222"),
)


def test_piped_cards_are_the_same_in_every_language_and_time_zone(
    acctctl: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a terminal, a card is a tab-separated table (docs/cli.md): English names,
    ISO dates and UTC times, rule codes — not the reader's language."""
    assert acctctl("store", "init", "--demo")[0] == 0
    change = ("partner", "change", "72000000001", "--csn", "5550002222", "--yes")
    assert acctctl(*change, "--as", "claire@dupont.example")[0] == 0
    for args in CARDS:
        code, english, _err = acctctl(*args)
        assert code == 0
        assert acctctl(*args, "--lang", "fr")[1] == english, args
        monkeypatch.setenv("LANG", "fr_FR.UTF-8")
        monkeypatch.setenv("TZ", "Pacific/Auckland")
        assert acctctl(*args)[1] == english, args
        monkeypatch.delenv("LANG")
        monkeypatch.delenv("TZ")
        header, *records = english.splitlines()
        assert len(records) == 1 and len(header.split("\t")) == len(records[0].split("\t"))
    _code, shown, _err = acctctl("subs", "show", "72000000001", "--lang", "fr")
    fields = dict(zip(*(line.split("\t") for line in shown.splitlines()), strict=True))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", fields["Term end"])
    assert fields["Can change partner"] == "change-pending"
    assert fields["Pending change"].startswith("CHG-000001 5550002222 2026-")
    assert fields["Pending change"].endswith("+00:00")
    assert fields["Plan"] == "standard" and fields["Auto-renew"] == "off"
    _code, contract, _err = acctctl("subs", "show", "110000000001", "--lang", "fr")
    assert contract.splitlines()[1].endswith("\t72000000001,72000000002,72000000003")
    _code, partner, _err = acctctl("partner", "lookup", "5550002222", "--lang", "fr")
    assert partner.splitlines()[1].endswith("\tyes")


def test_piped_config_show_names_its_sources_in_english(
    acctctl: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    code, shown, _err = acctctl("config", "show")
    assert code == 0
    lines = shown.splitlines()
    assert lines[0] == "Key\tValue\tSource"
    assert "lang\tfr\tenvironment (LANG)" in lines
    assert "propagation_minutes\t60\tdefault" in lines


# --- partner change --yes: the result line ---------------------------------------------


def test_the_yes_result_says_why_in_words_at_a_terminal_and_in_codes_in_a_pipe(
    acctctl: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert acctctl("store", "init", "--demo")[0] == 0
    change = ("partner", "change", "72000000004", "--csn", "5550002222", "--yes", "--lang", "fr")
    code, piped, _err = acctctl(*change, "--as", "claire@dupont.example")
    assert code == 3 and piped == "72000000004\trejected\tauto-renew\n"
    monkeypatch.setattr("acctctl.cli.change_lines.is_terminal", lambda stream: True)
    code, shown, said = acctctl(*change, "--as", "claire@dupont.example")
    assert code == 3 and shown == "72000000004\trefusée\trenouv. auto activé\n"
    assert f"non soumise{NNBSP}: renouv. auto activé" in said
    assert f"72000000004{NNBSP}: renouv. auto activé{NNBSP}: Le renouvellement" in said
    assert "auto-renew" not in said.replace("subs auto-renew", "")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_yes_step_8_line_says_when_once(acctctl: Run, lang: str) -> None:
    assert acctctl("store", "init", "--demo")[0] == 0
    code, _out, said = acctctl(
        "partner", "change", "72000000001", "--csn", "5550002222", "--yes",
        "--as", "claire@dupont.example", "--lang", lang,
    )  # fmt: skip
    assert code == 0
    last = said.strip().splitlines()[-1]
    assert last.startswith(("Step 8/8", "Étape 8/8")), said
    assert last.count("(") == 1 and not re.search(r"\bmin\b", last), last


@pytest.mark.parametrize(
    ("sub", "question"),
    [
        ("72000000004", "Désactiver le renouvellement automatique du contrat 110000000002\u202f?"),
        (
            "72000000010",
            "Désactiver le renouvellement automatique de l’abonnement 72000000010\u202f?",
        ),
    ],
)
def test_the_auto_renew_question_names_the_contract_or_the_subscription(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sub: str, question: str
) -> None:
    """The new buying model has no contract: its question names the subscription."""
    import acctctl.cli.subs as subs_cli
    import acctctl.wizard.prompts as prompts
    from acctctl.cli.app import main

    asked: list[str] = []
    monkeypatch.setattr(subs_cli, "prompts_allowed", lambda: True)
    monkeypatch.setattr(prompts, "confirm", lambda text, default: asked.append(text) or False)
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_NOW", "2026-11-26T09:30:00Z")
    monkeypatch.setenv("ACCTCTL_USER", "claire@dupont.example")
    assert main(["store", "init", "--demo"]) == 0
    main(["--lang", "fr", "subs", "auto-renew", sub, "--off"])
    assert asked == [question]
