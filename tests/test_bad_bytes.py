"""Bad bytes and duplicate keys (issue 14, items 3 and 6).

Invalid UTF-8 on standard input is one line's error result, shown escaped, and the
ids around it still go through; `store import -` and a damaged `config.toml` are a
usage error naming the source, while `--help`, `--version` and `config path` still
work. A document naming one key twice in an object is refused with the key and
its place, whether it is imported or is a JSON store.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from real_program import (
    ACCTCTL,
    CLAIRE,
    assert_clean_failure,
    document_json,
    environment,
    json_lines,
    many_contracts,
    partner_csn,
    run,
    subscription_id,
)

pytestmark = pytest.mark.timeout(120)


def run_bytes(env: dict[str, str], *args: str, stdin: bytes) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ACCTCTL, *args], env=env, input=stdin, capture_output=True, timeout=120)  # type: ignore[call-overload, no-any-return]


@pytest.fixture
def store_env(tmp_path: Path) -> dict[str, str]:
    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    (tmp_path / "document.json").write_text(document_json(many_contracts(3)), encoding="utf-8")
    assert run(env, "store", "import", "--sandbox", str(tmp_path / "document.json")).returncode == 0
    return env


# --- item 3: standard input -------------------------------------------------------------


def test_a_line_of_stdin_that_is_not_utf8_is_one_error_and_the_others_go_through(
    store_env: dict[str, str],
) -> None:
    lines = [subscription_id(0).encode(), b"72\xff\x1b[31m01", subscription_id(1).encode()]
    done = run_bytes(
        store_env, "partner", "change", "-", "--csn", partner_csn(1), "--yes", "--json",
        stdin=b"\n".join(lines) + b"\n",
    )  # fmt: skip

    assert done.returncode == 2, done.stderr
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    assert "Traceback" not in stderr and "internal error" not in stderr
    results = json_lines(stdout)
    assert [r["status"] for r in results] == ["submitted", "error", "submitted"]
    assert results[1]["subscription"] == "72\\xff\x1b[31m01"  # escaped bytes; JSON escapes ESC
    assert "line 2 of standard input is not UTF-8 text: 72\\xff" in results[1]["message"]
    assert "\x1b" not in stdout and b"\xff" not in done.stdout

    plain = run_bytes(
        store_env, "partner", "change", "-", "--csn", partner_csn(2), "--yes",
        stdin=b"\n".join(lines) + b"\n",
    )  # fmt: skip
    assert b"\xff" not in plain.stdout + plain.stderr and b"\x1b" not in plain.stdout + plain.stderr
    assert "72\\xff\\x1b[31m01\terror" in plain.stdout.decode()


def test_store_import_of_stdin_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    text = document_json(many_contracts(1)).replace("Atelier Dupont", "Atelier \udcffDupont")
    raw = text.encode("utf-8", "surrogateescape")

    done = run_bytes(env, "store", "import", "-", stdin=raw)

    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert "standard input cannot be read: it is not UTF-8 text (byte 0xff at position" in stderr
    assert "Traceback" not in stderr and not (tmp_path / "account.db").exists()


# --- item 3: a damaged config file --------------------------------------------------------

DAMAGED_CONFIGS = {
    "not-utf8": b'user = "claire\xff@dupont.example"\n',
    "nested-500-deep": b"a = " + b"[" * 500 + b"]" * 500 + b"\n",
    "nested-tables-500-deep": b"a = " + b"{b = " * 500 + b"1" + b"}" * 500 + b"\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("content", DAMAGED_CONFIGS.values(), ids=DAMAGED_CONFIGS.keys())
def test_a_damaged_config_is_exit_2_naming_it_and_help_still_works(
    tmp_path: Path, content: bytes
) -> None:
    home = tmp_path / "home"
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(content)
    env = environment(home, str(tmp_path / "account.db"))

    for args in (["subs", "list"], ["config", "show"], ["--store", "x.db", "store", "path"]):
        done = run(env, *args)
        assert_clean_failure(done, 2)
        assert f"The config file {config} cannot be read" in done.stderr, (args, done.stderr)

    assert run(env, "config", "path").stdout == f"{config}\n"
    assert run(env, "--help").stdout.startswith("Usage: ")
    assert run(env, "--store", "x.db", "--version").stdout.startswith("acctctl ")
    assert run(env, "subs", "--help").returncode == 0


# --- item 6: duplicate keys ---------------------------------------------------------------


def _document_with_duplicate_seats() -> str:
    data = json.loads(document_json(many_contracts(2)))
    text = json.dumps(data)
    first = json.dumps(data["subscriptions"][1])
    return text.replace(first, first.replace('"seats": 2,', '"seats": 2, "seats": 2000,'))


def test_a_key_named_twice_is_refused_naming_the_key_and_its_place(tmp_path: Path) -> None:
    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    document = tmp_path / "document.json"
    document.write_text(_document_with_duplicate_seats(), encoding="utf-8")
    top = document_json(many_contracts(1)).replace(
        '"format": "acctctl/1",', '"format": "acctctl/1", "format": "acctctl/1",'
    )

    done = run(env, "store", "import", str(document))
    assert_clean_failure(done, 2)
    assert "subscriptions[1].seats: the key appears more than once in this object" in done.stderr
    done = run(env, "store", "import", "-", input=top)
    assert_clean_failure(done, 2)
    assert "format: the key appears more than once" in done.stderr
    assert not (tmp_path / "account.db").exists()


def test_a_json_store_naming_a_key_twice_is_corrupt_and_left_alone(tmp_path: Path) -> None:
    store = tmp_path / "account.json"
    store.write_text(_document_with_duplicate_seats(), encoding="utf-8")
    before = store.read_bytes()
    env = environment(tmp_path / "home", str(store), user=CLAIRE)

    done = run(env, "subs", "list")
    assert_clean_failure(done, 6)
    assert "subscriptions[1].seats: the key appears more than once" in done.stderr
    assert_clean_failure(
        run(env, "partner", "change", subscription_id(0), "--csn", partner_csn(1), "--yes"), 6
    )
    assert store.read_bytes() == before
