"""Edges (issue 14, item 8): a clock out of range, an output encoding that cannot show
every character, and shell completion printing what a tampered store holds.
(`POSTGRESQL://` is in test_secrets.py, with the other store targets.)
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from acctctl.store.sqlite import SqliteStore
from real_program import (
    CLAIRE,
    assert_clean_failure,
    environment,
    many_contracts,
    partner_csn,
    run,
    subscription_id,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A SQLite store whose partner 1 is "Bureau Numérique — Paris" (not ASCII, not Latin-1)."""
    document = many_contracts(3)
    document.partners[1] = replace(document.partners[1], name="Bureau Numérique — Paris")
    path = tmp_path / "account.db"
    SqliteStore(path).replace(document, force=False, sandbox=True)
    return path


@pytest.mark.parametrize(
    "now", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:30:00Z"]
)
def test_acctctl_now_out_of_range_is_a_usage_error(store: Path, tmp_path: Path, now: str) -> None:
    env = environment(tmp_path / "home", str(store), user=CLAIRE, now=now)
    for args in (
        ["subs", "list"],
        ["partner", "change", subscription_id(0), "--csn", partner_csn(1), "--yes"],
    ):
        done = run(env, *args)
        assert_clean_failure(done, 2)
        assert "ACCTCTL_NOW" in done.stderr and "out of range" in done.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_output_encoding_that_cannot_show_a_character_degrades(
    store: Path, tmp_path: Path, encoding: str
) -> None:
    env = {**environment(tmp_path / "home", str(store), user=CLAIRE), "PYTHONIOENCODING": encoding}

    def acctctl(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "acctctl", *args], env=env, capture_output=True,
            stdin=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip

    lookup = acctctl("partner", "lookup", partner_csn(1))
    assert lookup.returncode == 0, lookup.stderr
    assert b"Bureau Num" in lookup.stdout and b"\\u2014 Paris" in lookup.stdout
    assert acctctl("--lang", "fr", "subs", "show", subscription_id(0)).returncode == 0
    changed = acctctl(
        "--lang", "fr", "partner", "change", subscription_id(0), "--csn", partner_csn(1), "--yes"
    )
    assert changed.returncode == 0, changed.stderr  # and said so, not "internal error"
    assert b"erreur interne" not in changed.stderr and b"CHG-000001" in changed.stdout


def test_shell_completion_escapes_what_the_store_holds(tmp_path: Path) -> None:
    document = many_contracts(2)
    hostile = "72\x1b]0;owned\x07\n99"
    document.subscriptions[1] = replace(document.subscriptions[1], id=hostile)
    path = tmp_path / "account.db"
    SqliteStore(path).replace(document, force=False, sandbox=True)
    env = {
        **environment(tmp_path / "home", str(path)),
        "_ACCTCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": "acctctl subs show 7",
        "COMP_CWORD": "3",
    }

    done = subprocess.run(
        [sys.executable, "-m", "acctctl"], env=env, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip

    assert done.returncode == 0 and done.stderr == ""
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert sorted(done.stdout.splitlines()) == ["72\\x1b]0;owned\\x07\\x0a99", subscription_id(0)]
