"""What only the PostgreSQL store shows: connection failures, a newer schema seen from
the command line, administrators racing on one contract from separate processes,
first runs racing to create the schema, and moving an account to SQLite and back.

The store contract itself runs on PostgreSQL through ``store_factory`` (conftest.py).
Every test here needs a server (``ACCTCTL_TEST_POSTGRES``) except the redaction one.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from acctctl.document_json import document_to_json
from acctctl.domain import AccountDocument, Partner, Subscription
from acctctl.store.postgres import PostgresStore
from acctctl.store.postgres_errors import redact_url
from conftest import CADPRO, CLAIRE, PostgresDatabases

NOW = "2026-11-26T12:00:00Z"
CONTRACT = "110000000001"
ON_CONTRACT = "72000000001"  # a subscription of CONTRACT, eligible at NOW


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """The environment of an isolated acctctl process: its own home, a fixed clock, no
    prompt, and none of libpq's variables (a password must come from the URL here)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PG", "ACCTCTL_", "LC_", "LANG"))
    }
    env.update(
        ACCTCTL_HOME=str(tmp_path / "home"),
        ACCTCTL_NOW=NOW,
        ACCTCTL_NO_PROMPT="1",
        NO_COLOR="1",
        PGPASSFILE=str(tmp_path / "no-pgpass"),
    )
    return env


def acctctl(env: dict[str, str], store: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acctctl", "--store", store, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def write_document(path: Path, document: AccountDocument) -> Path:
    path.write_text(json.dumps(document_to_json(document), ensure_ascii=False), encoding="utf-8")
    return path


def free_port() -> int:
    """A local port nothing listens on (the kernel just handed it out and we closed it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_database(url: str, database: str) -> str:
    return urlsplit(url)._replace(path=f"/{database}").geturl()


# --- what may be printed -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ann:s3cret@db:5432/acct", "postgresql://ann:***@db:5432/acct"),
        ("postgres://ann:p%40ss@db/acct", "postgres://ann:***@db/acct"),
        ("postgresql://ann:pa/ss@w0rd@db/acct", "postgresql://ann:***@db/acct"),
        ("postgresql://ann@db/acct", "postgresql://ann@db/acct"),
        ("postgresql://db/acct?user=ann&password=s3cret", "postgresql://db/acct?user=ann&password=***"),
        ("postgresql://db/acct?PASSWORD=s3cret&sslmode=require", "postgresql://db/acct?PASSWORD=***&sslmode=require"),
        ("postgresql:///acct", "postgresql:///acct"),
    ],
)  # fmt: skip
def test_where_never_shows_the_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert PostgresStore(url).where() == shown  # nothing connects to say where


# --- connection failures ------------------------------------------------------------------


def test_connection_failures_are_one_sentence_and_never_print_the_password(
    postgres_server: str, environment: dict[str, str]
) -> None:
    server = urlsplit(postgres_server)
    real_password = server.password or ""
    host = f"{server.hostname}:{server.port or 5432}"
    cases = {
        "wrong password": (
            f"postgresql://{server.username}:Wr0ng-Pa55word@{host}/postgres",
            "refused the login",
            "Wr0ng-Pa55word",
        ),
        "no such database": (
            with_database(postgres_server, "acctctl_no_such_database"),
            "database acctctl_no_such_database does not exist",
            real_password,
        ),
        "server down": (
            f"postgresql://ann:Down-Secret-42@127.0.0.1:{free_port()}/acct",
            "Cannot reach the PostgreSQL server",
            "Down-Secret-42",
        ),
        "malformed url": (
            "postgresql://ann:half/Secret-77@127.0.0.1:1/acct",
            "PostgreSQL",
            "Secret-77",
        ),
    }
    for case, (url, expected, secret) in cases.items():
        result = acctctl(environment, url, "subs", "list")
        output = result.stdout + result.stderr
        assert result.returncode == 6, (case, output)
        assert result.stdout == "", case
        lines = result.stderr.splitlines()
        assert lines and lines[0].startswith("acctctl: "), (case, lines)
        assert len(lines) <= 2, (case, lines)  # one sentence, and at most one hint
        assert expected in lines[0], (case, lines)
        assert redact_url(url) in lines[0], (case, lines)
        assert "Traceback" not in output, case
        if secret:
            assert secret not in output, case
        if real_password:
            assert real_password not in output, case


def test_an_empty_database_is_a_missing_store(
    databases: PostgresDatabases, environment: dict[str, str]
) -> None:
    url = databases.url("empty")
    result = acctctl(environment, url, "subs", "list")
    assert result.returncode == 6
    assert "There is no store at" in result.stderr and redact_url(url) in result.stderr
    assert "store init" in result.stderr
    result = acctctl(environment, url, "store", "path")
    assert (result.returncode, result.stdout.strip()) == (0, redact_url(url))


# --- schema -------------------------------------------------------------------------------


def test_a_newer_schema_is_refused_from_the_command_line_and_left_alone(
    databases: PostgresDatabases,
    environment: dict[str, str],
    sample_document: AccountDocument,
    tmp_path: Path,
) -> None:
    store = databases.store("account", 5.0)
    store.replace(sample_document, force=False, sandbox=True)
    databases.stamp_newer_schema(store)
    before = databases.snapshot(store)
    url = databases.url("account")
    document = write_document(tmp_path / "account.json", sample_document)
    for args in (
        ("subs", "list"),
        ("--as", CLAIRE, "partner", "change", ON_CONTRACT, "--csn", CADPRO, "--yes"),
        ("--as", CLAIRE, "store", "import", "--sandbox", str(document), "--force"),
        ("store", "check"),
    ):
        result = acctctl(environment, url, *args)
        assert result.returncode == 6, (args, result.stderr)
        assert "newer acctctl" in result.stderr, (args, result.stderr)
    assert databases.snapshot(store) == before


def test_first_runs_racing_to_create_the_store_leave_one_account(
    databases: PostgresDatabases,
    environment: dict[str, str],
    sample_document: AccountDocument,
    tmp_path: Path,
) -> None:
    url = databases.url("account")
    documents = [
        write_document(
            tmp_path / f"account-{n}.json",
            replace(sample_document, account=replace(sample_document.account, name=f"Team {n}")),
        )
        for n in range(4)
    ]
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "acctctl",
                "--store",
                url,
                "store",
                "import",
                "--sandbox",
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for path in documents
    ]
    outcomes = [(racer.wait(60), racer.communicate()[1]) for racer in racers]
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 2, 2, 2], outcomes  # the others: "A store already exists"
    assert all("already exists" in err for code, err in outcomes if code == 2)
    with PostgresStore(url).read() as reader:
        assert reader.account().name.startswith("Team ")
        assert reader.users() == sample_document.users


# --- administrators racing on one contract ------------------------------------------------

# Each racer connects and reads the partner first, says it is ready, waits for the
# start signal, then runs the service's change flow: the real check-then-write.
RACER = """
import json, sys, time
from datetime import datetime, UTC
from pathlib import Path
from acctctl import service
from acctctl.store.postgres import PostgresStore

url, csn, ready, go = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
store = PostgresStore(url, lock_timeout=30)
ctx = service.Context(
    store=store, now=datetime(2026, 11, 26, 12, 0, tzinfo=UTC), actor="claire@dupont.example"
)
partner = service.lookup_partner(ctx, csn)
ready.touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
result = service.change_partner(ctx, sys.argv[5], partner)
print(json.dumps(result.to_json()))
"""


def test_six_administrators_racing_on_one_contract_one_wins(
    databases: PostgresDatabases,
    environment: dict[str, str],
    sample_document: AccountDocument,
    tmp_path: Path,
) -> None:
    newcomers = [
        Partner(f"55500099{n:02d}", f"Newcomer {n}", "Nantes", "FR", f"n{n}@new.example", True)
        for n in range(6)
    ]
    document = replace(sample_document, partners=[*sample_document.partners, *newcomers])
    store = databases.store("account", 5.0)
    store.replace(document, force=False, sandbox=True)
    url = databases.url("account")
    go = tmp_path / "go"
    racers = []
    for n, partner in enumerate(newcomers):
        ready = tmp_path / f"ready-{n}"
        args = [sys.executable, "-c", RACER, url, partner.csn, str(ready), str(go), ON_CONTRACT]
        racers.append(
            (
                ready,
                subprocess.Popen(
                    args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
                ),
            )
        )
    deadline = time.monotonic() + 60
    while not all(ready.exists() for ready, _ in racers) and time.monotonic() < deadline:
        assert all(racer.poll() is None for _, racer in racers), "a racer died before the start"
        time.sleep(0.01)
    assert all(ready.exists() for ready, _ in racers), "the racers never reached the start"
    go.touch()
    results: list[dict[str, Any]] = []
    for _, racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        results.append(json.loads(out))
    statuses = sorted(r["status"] for r in results)
    assert statuses == ["rejected"] * 5 + ["submitted"], results
    for result in results:
        if result["status"] == "rejected":
            assert [reason["code"] for reason in result["reasons"]] == ["change-pending"]
    winner = next(r for r in results if r["status"] == "submitted")
    with store.read() as reader:
        pending = reader.pending_changes()
        assert list(pending) == [CONTRACT]
        assert pending[CONTRACT].to == winner["change"]["to"]
        assert len(reader.changes(CONTRACT)) == 2  # the sample's applied one and the winner
    assert store.check() == []


# --- moving the account ----------------------------------------------------------------------


def test_export_from_postgres_then_import_into_sqlite_gives_the_same_document(
    databases: PostgresDatabases,
    environment: dict[str, str],
    sample_document: AccountDocument,
    tmp_path: Path,
) -> None:
    url = databases.url("account")
    source = write_document(tmp_path / "source.json", sample_document)
    assert acctctl(environment, url, "store", "import", "--sandbox", str(source)).returncode == 0
    result = acctctl(
        environment,
        url,
        "--as",
        CLAIRE,
        "partner",
        "change",
        ON_CONTRACT,
        "--csn",
        "5550002222",
        "--yes",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "submitted"

    from_postgres = acctctl(environment, url, "store", "export")
    assert from_postgres.returncode == 0, from_postgres.stderr
    exported = json.loads(from_postgres.stdout)
    original = document_to_json(sample_document)
    assert {k: v for k, v in exported.items() if k not in ("changes", "history")} == {
        k: v for k, v in original.items() if k != "changes"
    }
    assert exported["changes"][:1] == original["changes"]
    assert exported["changes"][1]["contract"] == CONTRACT
    # The chain started at import (Python's hashes), went on in PostgreSQL's functions
    # (SQL's hashes); SQLite's import below verifies all of it.
    assert [(e["event"], e["change"]) for e in exported["history"]] == [
        ("submitted", "CHG-000001"),
        ("applied", "CHG-000001"),
        ("submitted", exported["changes"][1]["id"]),
    ]

    moved = tmp_path / "moved.json"
    moved.write_text(from_postgres.stdout, encoding="utf-8")
    sqlite = str(tmp_path / "account.db")
    assert acctctl(environment, sqlite, "store", "import", "--sandbox", str(moved)).returncode == 0
    from_sqlite = acctctl(environment, sqlite, "store", "export")
    assert from_sqlite.returncode == 0, from_sqlite.stderr
    assert from_sqlite.stdout == from_postgres.stdout


def test_listing_streams_every_subscription_in_byte_order(
    databases: PostgresDatabases, sample_document: AccountDocument
) -> None:
    # More than one batch, and ids whose order differs between locales and bytes.
    ids = [f"{prefix}-{n}" for n in range(1500) for prefix in ("a", "B", "Z9")]
    many = [Subscription(id, "AutoCAD", 1, "standard", CONTRACT) for id in reversed(ids)]
    document = replace(sample_document, subscriptions=[*sample_document.subscriptions, *many])
    store = databases.store("account", 5.0)
    store.replace(document, force=False, sandbox=True)
    with store.read() as reader:
        listed = [s.id for s in reader.subscriptions()]
        of_contract = [s.id for s in reader.subscriptions_of_contract(CONTRACT)]
    expected = sorted([*ids, *(s.id for s in sample_document.subscriptions)])
    assert listed == expected
    assert of_contract == sorted([*ids, "72000000001", "72000000002"])
    with store.read() as reader:
        assert reader.document() == document  # document order, not id order
