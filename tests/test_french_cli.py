"""The CLI in French where the standard library, Click or Typer would speak English:
import errors, usage errors, `--help`, the `--lang` error.

Runs the real entry point (``acctctl.cli.app.main``) in-process, with the French
catalog compiled from the committed .po into a temporary folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

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
