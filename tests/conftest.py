"""Shared fixtures: a store of every back end, and a small account built in code.

``store_factory`` is parametrised over the back ends, so a test written against it
runs unchanged on each. What only one back end knows — which files it keeps, how
to stamp a newer schema, how to damage it — lives here, in ``StoreFactory``, and
nowhere in the tests. PostgreSQL stores live in fresh databases on the server
named by ``ACCTCTL_TEST_POSTGRES`` (``PostgresDatabases``), dropped after each test;
without a server those tests skip, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from acctctl.domain import (
    Account,
    AccountDocument,
    Change,
    Contract,
    Notice,
    Partner,
    Subscription,
    User,
)
from acctctl.service.context import Context
from acctctl.store.base import Store
from acctctl.store.jsonfile import JsonFileStore
from acctctl.store.sqlite import SqliteStore
from acctctl.store.sqlite_schema import SCHEMA_VERSION

BACKENDS = ["sqlite", "json", "postgres"]

CLAIRE = "claire@dupont.example"
MARC = "marc@dupont.example"
CADPRO = "5550001111"
BUREAU = "5550002222"
ANCIEN = "5550003333"

DAMAGES = ("truncated", "scribbled", "garbage", "foreign")
# The same damage done to a PostgreSQL store: a table gone, the schema stamp scribbled,
# the account row's table gone, a table of another application under our name.
PG_DAMAGE: dict[str, tuple[str, ...]] = {
    "truncated": ("DROP TABLE acctctl_subscriptions CASCADE",),
    "scribbled": ("UPDATE acctctl_meta SET value = 'x' WHERE key = 'schema_version'",),
    "garbage": ("DROP TABLE acctctl_account",),
    "foreign": (
        "DROP TABLE acctctl_meta",
        "CREATE TABLE acctctl_meta (photo text)",
        "INSERT INTO acctctl_meta VALUES ('cat.jpg')",
    ),
}


@dataclass
class StoreFactory:
    """Makes stores of one back end in a private folder; ``timeout`` is the busy/lock
    wait, short so that lock tests stay fast."""

    kind: str
    root: Path
    timeout: float = 5.0
    databases: PostgresDatabases | None = None

    @property
    def is_file(self) -> bool:
        return self.kind in ("sqlite", "json")

    def path(self, name: str = "account") -> Path:
        return self.root / (name + (".json" if self.kind == "json" else ".db"))

    def __call__(
        self, name: str = "account", *, timeout: float | None = None, path: Path | None = None
    ) -> Store:
        target = path or self.path(name)
        wait = self.timeout if timeout is None else timeout
        if self.kind == "sqlite":
            return SqliteStore(target, busy_timeout=wait)
        if self.kind == "json":
            return JsonFileStore(target, lock_timeout=wait)
        if self.kind == "postgres" and self.databases is not None:
            return self.databases.store(target.stem, wait)
        raise NotImplementedError(self.kind)

    def files(self, store: Store) -> list[Path]:
        """The files the store keeps that exist now (all must be private)."""
        if not self.is_file:
            return []
        path = Path(store.where())
        extra = ("-wal", "-shm") if self.kind == "sqlite" else (".lock",)
        candidates = [path, *(path.with_name(path.name + suffix) for suffix in extra)]
        return [p for p in candidates if p.exists()]

    def snapshot(self, store: Store) -> dict[str, bytes]:
        """Every byte the store keeps, to prove a failure wrote nothing."""
        if self.databases is not None:
            return self.databases.snapshot(store)
        return {p.name: p.read_bytes() for p in self.files(store) if not p.name.endswith("shm")}

    def stamp_newer_schema(self, store: Store) -> None:
        if self.databases is not None:
            self.databases.stamp_newer_schema(store)
            return
        path = Path(store.where())
        if self.kind == "sqlite":
            connection = sqlite3.connect(path)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
            connection.commit()
            connection.close()
        elif self.kind == "json":
            data = json.loads(path.read_text(encoding="utf-8"))
            data["format"] = "acctctl/2"
            data["new_section"] = []
            path.write_text(json.dumps(data), encoding="utf-8")
        else:
            raise NotImplementedError(self.kind)

    def damage(self, store: Store, how: str) -> None:
        """``truncated``: cut in half; ``scribbled``: all but the first 4 KiB overwritten
        (the header stays right); ``garbage``: bytes of nothing; ``foreign``: a
        well-formed file of the right kind that is not an account store."""
        if self.databases is not None:
            self.databases.damage(store, how)
            return
        path = Path(store.where())
        data = path.read_bytes()
        if how == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif how == "scribbled":
            keep = min(4096, len(data) // 2)
            path.write_bytes(data[:keep] + b"\xa5" * (len(data) - keep))
        elif how == "garbage":
            path.write_bytes(b"\xff\xfe\x00not a store\x9c" * 700)
        elif how == "foreign" and self.kind == "sqlite":
            path.unlink()
            connection = sqlite3.connect(path)
            connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
            connection.commit()
            connection.close()
        elif how == "foreign" and self.kind == "json":
            path.write_text('{"photos": [1, 2, 3]}\n', encoding="utf-8")
        else:
            raise NotImplementedError((self.kind, how))


class PostgresDatabases:
    """Fresh databases on the test server (``ACCTCTL_TEST_POSTGRES``), one per store name,
    all dropped when the test ends. The PostgreSQL side of ``StoreFactory``."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"acctctl_test_{uuid.uuid4().hex[:10]}"
        self.made: list[str] = []
        self.opened: list[Store] = []

    def url(self, name: str = "account") -> str:
        """The URL of this test's database ``name``, created empty on first use."""
        import psycopg

        database = f"{self.prefix}_{name.replace('-', '_')}"
        if database not in self.made:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{database}"')
            self.made.append(database)
        return urlsplit(self.admin_url)._replace(path=f"/{database}").geturl()

    def store(self, name: str, timeout: float) -> Store:
        from acctctl.store.postgres import PostgresStore

        store = PostgresStore(self.url(name), lock_timeout=timeout)
        self.opened.append(store)
        return store

    def run(self, store: Store, *statements: str, params: tuple[Any, ...] = ()) -> None:
        import psycopg

        with psycopg.connect(store.url, autocommit=True) as db:  # type: ignore[attr-defined]
            for statement in statements:
                db.execute(statement, params or None)

    def stamp_newer_schema(self, store: Store) -> None:
        from acctctl.store.postgres_schema import SCHEMA_VERSION as PG_SCHEMA_VERSION

        self.run(
            store,
            "UPDATE acctctl_meta SET value = %s WHERE key = 'schema_version'",
            params=(str(PG_SCHEMA_VERSION + 1),),
        )

    def damage(self, store: Store, how: str) -> None:
        self.run(store, *PG_DAMAGE[how])

    def snapshot(self, store: Store) -> dict[str, bytes]:
        """Every row of every table of the database, and the sequences' positions."""
        import psycopg

        found: dict[str, bytes] = {}
        with psycopg.connect(store.url, autocommit=True) as db:  # type: ignore[attr-defined]
            tables = db.execute(
                "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                " AND relkind IN ('r', 'S') ORDER BY relname"
            ).fetchall()
            for name, kind in tables:
                query = (
                    f'SELECT last_value, is_called FROM "{name}"'
                    if kind == "S"
                    else f'SELECT t::text FROM "{name}" AS t ORDER BY 1'
                )
                found[name] = repr(db.execute(query).fetchall()).encode()
        return found

    def drop_all(self) -> None:
        import psycopg

        for store in self.opened:
            store.close()
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            for database in self.made:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# A long table at a terminal goes through the pager, which waits for a key: tests that
# run the program on a pseudo-terminal read it straight, as git's own tests do. The
# pager itself is tested in test_table_stream.py, naming its PAGER.
os.environ["PAGER"] = "cat"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the PostgreSQL server is slow (a fresh database each, and a
    server round trip per statement): ``pytest -m "not slow"`` runs the back-end
    contract on SQLite and JSON; the whole suite (CI) runs it on PostgreSQL too."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        needs_server = "postgres_server" in getattr(item, "fixturenames", ())
        if needs_server or "postgres" in params.values():
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL server; skipped without one, except under
    CI, where a missing server is a failure."""
    url = os.environ.get("ACCTCTL_TEST_POSTGRES", "")
    under_ci = os.environ.get("CI", "").lower() in ("true", "1")
    problem = "PostgreSQL tests need ACCTCTL_TEST_POSTGRES (a server URL); .ci/run starts one"
    if url:
        try:
            import psycopg

            psycopg.connect(url, connect_timeout=5).close()
            return url
        except Exception as exc:
            from acctctl.store.postgres_errors import connection_problem

            problem = f"ACCTCTL_TEST_POSTGRES is set but unusable: {connection_problem(exc, url)}"
    if under_ci:
        pytest.fail(f"{problem} (CI=true: a missing server is a failure)", pytrace=False)
    pytest.skip(problem)


@pytest.fixture
def databases(postgres_server: str) -> Iterator[PostgresDatabases]:
    """Databases made for one test on the PostgreSQL server, dropped after it."""
    made = PostgresDatabases(postgres_server)
    try:
        yield made
    finally:
        made.drop_all()


def fail_after_writing(monkeypatch: pytest.MonkeyPatch, failing_id: str) -> None:
    """A bulk change's write of ``failing_id`` raises once its change is written (its
    savepoint must undo it); every other id is written as usual."""
    from acctctl.errors import RejectedError
    from acctctl.service import bulk, change

    real = change._decide_and_write

    def failing(writer: Any, context: Any, sub_id: str, *args: Any) -> Any:
        result = real(writer, context, sub_id, *args)
        if sub_id == failing_id:
            raise RejectedError("refused after writing")
        return result

    monkeypatch.setattr(bulk, "_decide_and_write", failing)


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    root = tmp_path / "stores"
    root.mkdir()
    if request.param != "postgres":
        yield StoreFactory(request.param, root)
        return
    databases = PostgresDatabases(request.getfixturevalue("postgres_server"))
    try:
        yield StoreFactory(request.param, root, databases=databases)
    finally:
        databases.drop_all()


def demo_context(path: Path, actor: str | None) -> Context:
    """The demo account in a new sandbox SQLite store at ``path``, as of ACCTCTL_NOW (the
    in-process flow and wizard tests; close its store when done)."""
    from acctctl import clock, service
    from acctctl.demo import demo_document
    from acctctl.store import open_store

    now = clock.now()
    context = Context(store=open_store(str(path)), now=now, actor=actor)
    service.replace_store(context, demo_document(now.date(), now), force=False, sandbox=True)
    return context


def a_change(
    id: str,
    *,
    contract: str | None = "110000000001",
    subscription: str | None = None,
    from_: tuple[str, ...] = (CADPRO,),
    to: str = BUREAU,
    by: str = CLAIRE,
    status: str = "pending",
    at: datetime = datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
) -> Change:
    """A change made in code, submitted ``at`` and taking effect an hour later."""
    return Change(
        id=id,
        contract=contract,
        subscription=subscription,
        from_=from_,
        to=to,
        by=by,
        submitted_at=at,
        effective_at=at + timedelta(hours=1),
        status=status,  # type: ignore[arg-type]
    )


@pytest.fixture
def sample_document() -> AccountDocument:
    """Lists deliberately out of key order, to tell document order from sorted order."""
    submitted = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    return AccountDocument(
        account=Account("5100000001", "Atelier Dupont"),
        users=[
            User(CLAIRE, "Claire Dupont", "primary_admin"),
            User(MARC, "Marc Lefèvre", "secondary_admin"),
        ],
        partners=[
            Partner(CADPRO, "CADpro Lyon", "Lyon", "FR", "ventes@cadpro.example", True),
            Partner(BUREAU, "Bureau Numérique [Paris]", "Paris", "FR", "bn@bn.example", True),
            Partner(ANCIEN, "Ancien Revendeur SARL", "Lille", "FR", "a@ancien.example", False),
        ],
        contracts=[
            Contract("110000000003", MARC, date(2027, 3, 31), True, "eba-token-flex", (BUREAU,)),
            Contract("110000000001", CLAIRE, date(2027, 9, 30), False, "standard", (CADPRO,)),
            Contract("110000000002", CLAIRE, date(2027, 6, 30), False, "eba", (BUREAU, CADPRO)),
        ],
        subscriptions=[
            Subscription("72000000004", "AutoCAD LT", 3, "premium", "110000000002"),
            Subscription("72000000001", "AutoCAD", 10, "standard", "110000000001"),
            Subscription(
                "72000000009",
                "Fusion",
                2,
                "standard",
                None,
                manager=CLAIRE,
                term_end=date(2027, 2, 1),
                auto_renew=True,
                partners=(CADPRO,),
            ),
            Subscription("72000000002", "Revit", 5, "enterprise", "110000000001"),
        ],
        notices=[Notice(date(2026, 11, 20), BUREAU, "Your new Autodesk partner")],
        changes=[
            a_change("CHG-000001", from_=(BUREAU,), to=CADPRO, status="applied", at=submitted)
        ],
    )


@pytest.fixture(autouse=True)
def _no_real_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that forgets ``ACCTCTL_HOME`` must not write the developer's own config or
    store: the platform folders point into a temporary directory for every test (a test
    that sets ``ACCTCTL_HOME`` or these variables itself still wins)."""
    base = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.delenv("ACCTCTL_STORE", raising=False)
    monkeypatch.delenv("ACCTCTL_USER", raising=False)


class TerminalStream(io.StringIO):
    """A text stream that says it is a terminal: what a renderer writes for a person."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """A command run in-process with --lang fr or LANG=fr switches the process's language;
    every test starts, and leaves, in English."""
    from acctctl.i18n import set_language

    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def cards_for_a_person(monkeypatch: pytest.MonkeyPatch) -> None:
    """`subs show`, `partner lookup` and `config show` write their card for a person (in
    the chosen language) although the test captures standard output: in a pipe they
    write tab-separated English (``acctctl.piped_cards``)."""
    monkeypatch.setattr("acctctl.piped_cards.piped", lambda: False)
