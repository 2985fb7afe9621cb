"""Secrets in store targets, and echoed values kept short (issue 14, item 4; item 8's
`POSTGRESQL://`).

Every password-like parameter of a store target — `password`, `sslpassword`,
`passfile`, percent-encoded names, a libpq keyword string's `password=` — is printed
as `***` by `store path`, `config show`, `config get store` and every error. A libpq
keyword string is PostgreSQL, never a file name. The acting identity, quoted by
every "not a user" message, is refused past the length of an e-mail address.
"""

from __future__ import annotations

import shlex
import socket
from pathlib import Path

import pytest

from acctctl.store import is_postgres, redact
from real_program import CLAIRE, assert_clean_failure, environment, run

pytestmark = pytest.mark.timeout(120)

SECRET = "S3cret-Xyzzy"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        (f"postgresql://ann@db/acct?sslpassword={SECRET}", "postgresql://ann@db/acct?sslpassword=***"),
        (f"postgresql://db/acct?user=ann&Password={SECRET}&sslmode=require", "postgresql://db/acct?user=ann&Password=***&sslmode=require"),
        (f"postgresql://db/acct?pass%77ord={SECRET}", "postgresql://db/acct?pass%77ord=***"),
        (f"postgresql://db/acct?passfile=/home/ann/{SECRET}", "postgresql://db/acct?passfile=***"),
        (f"POSTGRESQL://ann:{SECRET}@db/acct", "POSTGRESQL://ann:***@db/acct"),
        (f"host=db dbname=acct password={SECRET}", "host=db dbname=acct password=***"),
        (f"host=db password = '{SECRET} with spaces' user=ann", "host=db password = *** user=ann"),
        (f"host=db sslpassword={SECRET}", "host=db sslpassword=***"),
        ("/home/ann/password=1.db", "/home/ann/password=1.db"),
    ],
)  # fmt: skip
def test_every_password_like_parameter_is_hidden(target: str, shown: str) -> None:
    assert redact(target) == shown


def test_a_libpq_keyword_string_is_postgresql_and_never_a_file(tmp_path: Path) -> None:
    target = f"host=127.0.0.1 port={free_port()} dbname=acct password={SECRET}"
    assert is_postgres(target)
    work = tmp_path / "work"
    work.mkdir()
    env = environment(tmp_path / "home", target, user=CLAIRE)

    path = run(env, "store", "path", cwd=work)
    assert path.returncode == 0, path.stderr
    assert path.stdout.strip() == redact(target) and "password=***" in path.stdout
    shown = run(env, "config", "show", cwd=work)
    assert "password=***" in shown.stdout
    for args in (["subs", "list"], ["store", "init", "--demo"], ["partner", "history"]):
        done = run(env, *args, cwd=work)
        assert_clean_failure(done, 6)
        assert "Cannot reach the PostgreSQL server" in done.stderr, (args, done.stderr)
        assert SECRET not in done.stdout + done.stderr, args
    assert list(work.iterdir()) == []  # no file was made of the string


def test_a_password_in_a_url_parameter_is_never_printed(tmp_path: Path) -> None:
    target = f"postgresql://ann@127.0.0.1:{free_port()}/acct?sslpassword={SECRET}"
    env = environment(tmp_path / "home", None, user=CLAIRE)
    assert run(env, "config", "set", "store", target).returncode == 0
    for args in (
        ["store", "path"],
        ["config", "show"],
        ["config", "get", "store"],
        ["subs", "list"],
    ):
        done = run(env, *args)
        assert SECRET not in done.stdout + done.stderr, (args, done.stdout, done.stderr)
        assert "sslpassword=***" in done.stdout + done.stderr, args


def test_an_upper_case_scheme_is_recognised(tmp_path: Path) -> None:
    target = f"POSTGRESQL://ann:{SECRET}@127.0.0.1:{free_port()}/acct"
    done = run(environment(tmp_path / "home", target, user=CLAIRE), "subs", "list")
    assert_clean_failure(done, 6)
    assert "Cannot reach the PostgreSQL server" in done.stderr  # not "not a valid URL"
    assert SECRET not in done.stderr


def test_an_identity_longer_than_an_email_is_quoted_cut(tmp_path: Path) -> None:
    env = environment(tmp_path / "home", str(tmp_path / "account.json"), user=CLAIRE)
    assert run(env, "store", "init", "--demo").returncode == 0
    long_identity = "a" * 5000 + "@dupont.example"
    shown = run(env, "--as", long_identity, "subs", "show", "72000000001", "--json")
    assert shown.returncode == 0 and "a" * 60 + "… is not a user" in shown.stdout
    assert "a" * 61 not in shown.stdout + shown.stderr
    for args in (
        ["--as", long_identity, "partner", "change", "72000000001", "--csn", "5550002222", "--yes"],
        ["--as", long_identity, "store", "init", "--force"],
    ):
        done = run(env, *args)
        assert_clean_failure(done, 5)
        assert "a" * 60 + "…" in done.stderr and "a" * 61 not in done.stderr, args
    listing = run(env, "--as", long_identity, "subs", "list", "--json")
    assert listing.returncode == 0
    assert "a" * 61 not in listing.stdout + listing.stderr


@pytest.mark.parametrize(
    ("target", "pasted"),
    [
        (f"postgresql://ann@db/acct?sslpassword={SECRET}&sslmode=require", "postgresql://ann@db/acct?sslmode=require"),
        (f"postgresql://db/acct?Pass%77ord={SECRET}", "postgresql://db/acct"),
        (f"host=db password='{SECRET} x' dbname=acct", "host=db dbname=acct"),
    ],
)  # fmt: skip
def test_a_hint_leaves_every_secret_out_of_the_command_to_paste(target: str, pasted: str) -> None:
    from acctctl import hints

    hints.remember({"store": target, "user": "a" * 300}, {"store": "flag", "user": "flag"})
    try:
        command = hints.command("subs", "list")
    finally:
        hints.forget()
    assert SECRET not in command and "a" * 300 not in command
    assert command == f"acctctl subs list --store {shlex.quote(pasted)}"
