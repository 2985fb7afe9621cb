"""A team store nobody can get around (issue 13), tried as a hostile member would.

A real PostgreSQL server (``ACCTCTL_TEST_POSTGRES``): the store's owner (the test
server's administrator) creates the store and maps a plain login with `store members
add`; that login then tries to impersonate, to write every table, to call the database
functions around the rules, and to manage members or replace the store. The SQL rules
are checked against the same case table as rules.py (tests/test_rules.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from acctctl.demo import CLAIRE, JULIE, THOMAS, demo_document
from acctctl.document_json import document_to_json
from acctctl.store.postgres import PostgresStore
from acctctl.store.postgres_schema import READABLE_TABLES
from conftest import PostgresDatabases
from test_rules import CASES

ELIGIBLE = "72000000001"  # contract 110000000001, managed by Claire, eligible
NEW_PARTNER = "5550002222"


@dataclass
class Team:
    owner_url: str
    member_url: str
    login: str
    env: dict[str, str]

    def acctctl(self, url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "acctctl", "--store", url, *args],
            capture_output=True,
            text=True,
            env={**self.env, **env},
            timeout=60,
            check=False,
        )

    def owner(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.acctctl(self.owner_url, *args, **env)

    def member(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.acctctl(self.member_url, *args, **env)

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.member_url, autocommit=True)


def _role(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(statement)


@pytest.fixture
def team(postgres_server: str, tmp_path: Path) -> Iterator[Team]:
    """An ordinary (not sandbox) store holding today's demo account, and a plain login
    `julie_…` the owner mapped to Julie (a `user` of the account)."""
    databases = PostgresDatabases(postgres_server)
    login = f"julie_{uuid.uuid4().hex[:8]}"
    password = "member-secret"
    _role(postgres_server, f"CREATE ROLE {login} LOGIN PASSWORD '{password}'")
    owner_url = databases.url("team")
    parts = urlsplit(owner_url)
    member_url = parts._replace(netloc=f"{login}:{password}@{parts.hostname}:{parts.port}").geturl()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCTCTL_", "PG", "LC_"))}
    env.update(ACCTCTL_HOME=str(tmp_path / "home"), ACCTCTL_NO_PROMPT="1", NO_COLOR="1", LANG="C")
    made = Team(owner_url, member_url, login, env)
    now = datetime.now(UTC)
    document = tmp_path / "account.json"
    document.write_text(json.dumps(document_to_json(demo_document(now.date(), now))))
    assert made.owner("store", "import", str(document)).returncode == 0
    added = made.owner("store", "members", "add", login, JULIE)
    assert added.returncode == 0, added.stderr
    try:
        yield made
    finally:
        databases.drop_all()
        _role(postgres_server, f"DROP OWNED BY {login}")
        _role(postgres_server, f"DROP ROLE {login}")


def test_a_member_is_who_the_login_says_and_no_one_else(team: Team) -> None:
    assert team.member("subs", "list", "--json").returncode == 0
    for way in (("--as", CLAIRE), ()):
        env = {} if way else {"ACCTCTL_USER": CLAIRE}
        tried = team.member(
            *way, "partner", "change", ELIGIBLE, "--csn", NEW_PARTNER, "--yes", "--json", **env
        )
        assert tried.returncode == 5, tried.stderr
        assert f"signed in to PostgreSQL as {team.login}, who is {JULIE}" in tried.stderr
    as_herself = team.member("--as", JULIE.upper(), "subs", "list", "--json")
    assert as_herself.returncode == 0  # her own address, whatever its case
    # As herself, the rules apply to her: a `user` manages no contract.
    refused = team.member("partner", "change", ELIGIBLE, "--csn", NEW_PARTNER, "--yes", "--json")
    assert refused.returncode == 5, refused.stderr


def test_the_owner_keeps_as_and_an_unmapped_login_is_told_how_to_be_mapped(team: Team) -> None:
    done = team.owner(
        "--as", CLAIRE, "partner", "change", ELIGIBLE, "--csn", NEW_PARTNER, "--yes", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert team.owner("store", "members", "remove", team.login).returncode == 0
    unmapped = team.member("subs", "list")
    assert unmapped.returncode == 5
    assert f"acctctl store members add {team.login} EMAIL" in unmapped.stderr
    listed = team.owner("store", "members", "list", "--json")
    assert listed.returncode == 0 and listed.stdout.strip() == "[]"


def test_a_member_can_insert_update_delete_nothing(team: Team) -> None:
    import psycopg

    statements = {
        "INSERT": "INSERT INTO {t} DEFAULT VALUES",
        "UPDATE": "UPDATE {t} SET {c} = {c}",
        "DELETE": "DELETE FROM {t}",
        "TRUNCATE": "TRUNCATE {t}",
    }
    with team.connect() as db:
        refused = 0
        for table in READABLE_TABLES:
            column = db.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1",
                (table,),
            ).fetchone()[0]
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() is not None  # reads
            for sql in statements.values():
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    db.execute(sql.format(t=table, c=column))
                refused += 1
        assert refused == 4 * len(READABLE_TABLES) == 40
        # Nor the sequence, nor the owner's own functions.
        for sql in (
            "SELECT setval('acctctl_change_number', 1)",
            "SELECT acctctl_record('submitted', 'CHG-000001', now(), 'x@y')",
            "SELECT acctctl_settle_holder('110000000001', now())",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(sql)
    assert team.owner("store", "check").returncode == 0  # and the owner's audit agrees


def test_the_function_path_refuses_what_the_rules_refuse(team: Team) -> None:
    """Called straight from psql by the member, mapped first to Julie (a `user`), then
    to Thomas (a secondary admin who manages 110000000007 only)."""
    import psycopg

    def submit(db: Any, sub: str, csn: str = NEW_PARTNER, **kw: Any) -> str:
        args = {"replace_all": False, "as_": None, "now": None, **kw}
        try:
            db.execute(
                "SELECT * FROM acctctl_submit_change(%s, %s, %s, interval '1 hour', %s, %s)",
                (sub, csn, args["replace_all"], args["as_"], args["now"]),
            )
        except psycopg.Error as exc:
            return f"{exc.sqlstate}:{exc.diag.message_detail}"
        return "submitted"

    with team.connect() as db:
        assert submit(db, ELIGIBLE) == "ACT03:not-contract-manager"
        assert submit(db, ELIGIBLE, as_=CLAIRE).startswith("ACT05:")  # impersonation
        assert db.execute("SELECT * FROM acctctl_whoami()").fetchone()[1] == JULIE
    assert team.owner("store", "members", "add", team.login, THOMAS).returncode == 0
    with team.connect() as db:
        demo = {s: c for s, c in _demo_subscriptions().items()}
        expected = {
            "72000000001": "ACT03:not-contract-manager",  # Claire's contract
            demo["auto-renew"]: "ACT03:not-contract-manager,auto-renew",
            demo["token-flex"]: "ACT03:not-contract-manager,token-flex",
            demo["expired"]: "ACT03:not-contract-manager,expired",
            demo["new-buying-model"]: "ACT03:not-contract-manager,new-buying-model",
        }
        for sub, outcome in expected.items():
            assert submit(db, sub).startswith(outcome.split(",")[0]), sub
            assert submit(db, sub) == outcome, sub
        thomas = demo["managed-by-thomas"]
        assert submit(db, thomas, csn="5550003333") == "ACT03:partner-inactive"
        assert submit(db, thomas, csn="0000000000") == "ACT04:partner"
        # A time of the caller's choice is ignored on a store that is not a sandbox.
        long_ago = datetime.now(UTC) - timedelta(days=400)
        assert submit(db, thomas, now=long_ago) == "submitted"
        row = db.execute(
            "SELECT by_user, submitted_at FROM acctctl_changes WHERE holder = '110000000007'"
        ).fetchone()
        assert row[0] == THOMAS and row[1] > datetime.now(UTC) - timedelta(minutes=5)
        assert submit(db, thomas, csn="5550004444") == "ACT03:change-pending"
        with pytest.raises(psycopg.Error) as caught:
            db.execute("SELECT acctctl_cancel_change('CHG-000001', %s, NULL)", (CLAIRE,))
        assert caught.value.sqlstate == "ACT05"
    checked = team.owner("store", "check")
    assert checked.returncode == 0, checked.stderr


def _demo_subscriptions() -> dict[str, str]:
    """A subscription of each demo contract, by what it shows."""
    today = date.today()
    document = demo_document(today, datetime.now(UTC))
    by_contract = {}
    for sub in document.subscriptions:
        if sub.contract is not None:
            by_contract.setdefault(sub.contract, sub.id)
        else:
            by_contract.setdefault("", sub.id)
    return {
        "auto-renew": by_contract["110000000002"],
        "token-flex": by_contract["110000000003"],
        "expired": by_contract["110000000004"],
        "new-buying-model": by_contract[""],
        "managed-by-thomas": by_contract["110000000007"],
    }


def test_members_and_replacing_the_store_need_the_owner(team: Team, tmp_path: Path) -> None:
    for args in (
        ("store", "members", "add", team.login, CLAIRE),
        ("store", "members", "remove", team.login),
        ("store", "init", "--force"),
    ):
        tried = team.member(*args)
        assert tried.returncode == 5, (args, tried.stderr)
        assert "Only the store's owner" in tried.stderr
    assert team.owner("store", "members", "add", "no_such_login_x", CLAIRE).returncode == 4
    assert team.owner("store", "members", "add", team.login, "who@else.example").returncode == 4


def test_acctctl_now_is_refused_for_a_members_writes(team: Team) -> None:
    assert team.owner("store", "members", "add", team.login, CLAIRE).returncode == 0
    tried = team.member(
        "partner",
        "change",
        ELIGIBLE,
        "--csn",
        NEW_PARTNER,
        "--yes",
        ACCTCTL_NOW="2026-01-01T00:00:00Z",
    )
    assert tried.returncode == 6
    assert "not a sandbox store" in tried.stderr


@pytest.fixture(scope="module")
def eligibility_sql(postgres_server: str) -> Iterator[Any]:
    databases = PostgresDatabases(postgres_server)
    store = databases.store("rules", 5.0)
    from acctctl.domain import Account, AccountDocument

    store.replace(AccountDocument(account=Account("5100000001", "Rules")), force=False)
    assert isinstance(store, PostgresStore)
    import psycopg

    db = psycopg.connect(store.url, autocommit=True)
    try:
        yield db
    finally:
        db.close()
        databases.drop_all()


@pytest.mark.parametrize(("case", "facts", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_sql_rules_agree_with_rules_py(
    eligibility_sql: Any, case: str, facts: Any, expected: list[str]
) -> None:
    """Every row of test_rules.py's table through acctctl_eligibility: the same codes."""
    terms, user, partner = facts.terms, facts.actor_user, facts.new_partner
    row = eligibility_sql.execute(
        "SELECT acctctl_eligibility(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            facts.today,
            terms.contract,
            terms.manager,
            terms.term_end,
            terms.auto_renew,
            terms.agreement,
            list(terms.partners),
            facts.actor,
            user.email if user else None,
            user.role if user else None,
            facts.pending.to if facts.pending else None,
            partner.csn if partner else None,
            partner.active if partner else None,
            facts.replace_all,
        ),
    ).fetchone()
    assert row[0] == expected
