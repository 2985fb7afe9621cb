"""Guards for the performance work (docs/performance.md): the causes, not the clock.

* The hot SQLite statements — a subscription by id, a partner by CSN, a contract's
  subscriptions, a holder's pending change and history, writing a change — use an
  index. A full table scan is what makes `subs show` or a bulk change slow down as the
  account grows, so `EXPLAIN QUERY PLAN` of every statement those use cases run must
  not show one on a big table (nor on any table the statement looks a row up in).
* A command that does not prompt never imports questionary or prompt_toolkit, and the
  scripted listings not Rich either (50–150 ms of start-up each); `--version` is
  answered before Typer is imported.

No wall-clock assertion here: `bench/run` measures the figures.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from acctctl import service
from acctctl.demo import demo_document
from acctctl.domain import Partner
from acctctl.store.sqlite import SqliteStore
from acctctl.store.sqlite_schema import MIGRATIONS
from real_program import (
    CLAIRE,
    JULIE,
    NOW_MOMENT,
    THOMAS,
    TODAY,
    environment,
    modules_loaded,
    run,
)

BIG_TABLES = frozenset(
    {
        "subscriptions",
        "contracts",
        "contract_partners",
        "subscription_partners",
        "changes",
        "change_from",
    }
)
_NAMED = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)(?:\s+AS\s+(\w+))?", re.IGNORECASE)
# "SCAN t": every row of t; "SEARCH t" with no index named: the same, for min()/max().
_FULL_SCAN = re.compile(r"^(?:SCAN (?!CONSTANT ROW)(\w+)|SEARCH (\w+)$)")
_PLANNED = ("select", "insert", "update", "delete", "with")


def full_scans(connection: sqlite3.Connection, statement: str) -> list[str]:
    """The full table scans in the plan of ``statement`` that matter: of a big table, or
    of any table when the statement looks rows up (has a WHERE)."""
    tables: dict[str, str] = {}
    for table, alias in _NAMED.findall(statement):
        tables[table] = table
        if alias:
            tables[alias] = table
    looks_up = re.search(r"\bWHERE\b", statement, re.IGNORECASE) is not None
    found = []
    for row in connection.execute("EXPLAIN QUERY PLAN " + statement):
        detail = str(row[-1])
        match = _FULL_SCAN.match(detail)
        if match is None:
            continue
        name = match.group(1) or match.group(2)
        table = tables.get(name, name)
        if table in BIG_TABLES or looks_up:
            found.append(f"{detail} [{table}]")
    return found


# --- the query plans ----------------------------------------------------------------------


@pytest.fixture
def account_db(tmp_path: Path) -> Path:
    """The sample account, a change pending on contract 110000000001, and 300 copies of
    its seven contracts (every rule) of five subscriptions each, and 30 more subscriptions
    of the new buying model, some with two partners: the tables are not trivially small."""
    document = demo_document(TODAY, NOW_MOMENT)
    contracts = list(document.contracts)
    own_terms = document.subscriptions[9]
    assert own_terms.contract is None
    for n in range(300):
        number = f"1300000{n:05d}"
        document.contracts.append(replace(contracts[n % len(contracts)], number=number))
        document.subscriptions.extend(
            replace(document.subscriptions[0], id=_sub(n, k), contract=number) for k in range(5)
        )
        if n % 10 == 3:
            partners = ("5550001111", "5550004444")[: 1 + n % 2]
            document.subscriptions.append(
                replace(own_terms, id=f"7500000{n:05d}", partners=partners)
            )
    path = tmp_path / "account.db"
    store = SqliteStore(path)
    store.replace(document, force=False, sandbox=True)
    context = service.Context(store=store, now=NOW_MOMENT, actor=CLAIRE)
    partner = service.lookup_partner(context, "5550002222")
    assert service.change_partner(context, "72000000001", partner).status == "submitted"
    return path


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement run on a connection opened from now on, parameters filled in."""
    executed: list[str] = []
    connect = sqlite3.connect

    def tracing_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(executed.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", tracing_connect)
    yield executed


def _context(path: Path) -> service.Context:
    return service.Context(store=SqliteStore(path), now=NOW_MOMENT, actor=CLAIRE)


def _partner(ctx: service.Context, csn: str) -> Partner:
    return service.lookup_partner(ctx, csn)


def _sub(contract: int, k: int) -> str:
    """The id of the ``k``-th subscription of the ``contract``-th added contract."""
    return f"7400000{contract:05d}{k}"


USE_CASES: dict[str, Callable[[service.Context], object]] = {
    "partner lookup by CSN": lambda ctx: service.lookup_partner(ctx, "5550002222"),
    "subs show (contract, siblings, pending change)": lambda ctx: service.show_subscription(
        ctx, "72000000002"
    ),
    "subs show (new buying model)": lambda ctx: service.show_subscription(ctx, "72000000010"),
    "history of a holder": lambda ctx: service.history(ctx, "72000000001"),
    "history of a contract": lambda ctx: service.history(ctx, "110000000001"),
    "a change, checked (dry run)": lambda ctx: service.change_partner(
        ctx, _sub(7, 0), _partner(ctx, "5550002222"), dry_run=True
    ),
    "a change, written": lambda ctx: service.change_partner(
        ctx, _sub(7, 0), _partner(ctx, "5550002222")
    ),
    "a change already pending (unchanged)": lambda ctx: service.change_partner(
        ctx, "72000000003", _partner(ctx, "5550002222")
    ),
    "cancel a change": lambda ctx: service.cancel_change(ctx, "CHG-000001"),
    "a change taking effect, then a new one": lambda ctx: service.change_partner(
        replace(ctx, now=NOW_MOMENT + timedelta(hours=2)),
        "72000000001",
        _partner(ctx, "5550004444"),
    ),
    "automatic renewal": lambda ctx: service.set_auto_renew(ctx, _sub(123, 1), True),
}


@pytest.mark.parametrize("actor", [CLAIRE, THOMAS, JULIE, None])
def test_the_listing_shows_what_each_subscription_shows_on_its_own(
    account_db: Path, actor: str | None
) -> None:
    """The listing decides once per contract and reads partners with a merge join; what
    it shows is what deciding each subscription on its own (`subs show`) shows."""
    ctx = replace(_context(account_db), actor=actor)
    listed = [view.to_json() for view in service.list_subscriptions(ctx)]
    assert len(listed) > 1500
    for shown in listed[::4]:
        assert service.show_subscription(ctx, shown["id"]).view.to_json() == shown
    eligible = [view.to_json() for view in service.list_subscriptions(ctx, eligible_only=True)]
    assert eligible == [shown for shown in listed if shown["eligible"]]


@pytest.mark.parametrize("use_case", list(USE_CASES))
def test_hot_statements_use_an_index(account_db: Path, traced: list[str], use_case: str) -> None:
    explain = sqlite3.connect(f"file:{account_db}?mode=ro", uri=True)
    traced.clear()  # the explaining connection's own statements are not the use case's
    USE_CASES[use_case](_context(account_db))
    statements = [s for s in traced if s.lstrip().lower().startswith(_PLANNED)]
    assert statements, "the use case ran no SQL: the trace is not working"
    scans = {s: full_scans(explain, s) for s in statements}
    explain.close()
    assert {s: found for s, found in scans.items() if found} == {}


def test_the_guard_sees_a_full_scan_and_the_index_that_removes_it() -> None:
    """The detector itself: a lookup on a column without an index is a scan, and the
    last change's `ord` was one before migration 2 added its index."""
    connection = sqlite3.connect(":memory:")
    for statement in MIGRATIONS[0]:
        connection.execute(statement)
    assert full_scans(connection, "SELECT id FROM subscriptions WHERE product = 'Revit'")
    assert full_scans(connection, "SELECT * FROM partners WHERE name = 'CADpro'")
    assert not full_scans(connection, "SELECT id FROM subscriptions WHERE id = '1'")
    assert not full_scans(connection, "SELECT csn, name FROM partners ORDER BY ord")
    last = "SELECT coalesce(max(ord) + 1, 0) FROM changes"
    assert full_scans(connection, last)
    for statement in MIGRATIONS[1]:
        connection.execute(statement)
    assert not full_scans(connection, last)


# --- one connection for a bulk change -----------------------------------------------------


def test_a_session_keeps_each_block_atomic_and_recovers_from_a_failure(
    account_db: Path,
) -> None:
    store = SqliteStore(account_db)
    with store.session():
        with pytest.raises(RuntimeError), store.write() as writer:
            writer.set_contract_auto_renew("110000000001", True)
            raise RuntimeError("the block fails")
        with store.read() as reader:
            contract = reader.contract("110000000001")
            assert contract is not None and contract.auto_renew is False
            with store.read() as nested:  # a block inside a block has its own connection
                assert nested.subscription("72000000001") is not None
        with store.write() as writer:
            writer.set_contract_auto_renew("110000000001", True)
    with sqlite3.connect(account_db) as other:
        row = other.execute(
            "SELECT auto_renew FROM contracts WHERE number = '110000000001'"
        ).fetchone()
    assert row == (1,)


# --- imports ------------------------------------------------------------------------------

_PROBE = """
import atexit, runpy, sys
WATCHED = {"questionary", "prompt_toolkit", "rich", "typer"}
def report():
    loaded = sorted({name.partition(".")[0] for name in sys.modules} & WATCHED)
    sys.stderr.write("\\nLOADED: " + " ".join(loaded) + "\\n")
atexit.register(report)
"""
_RUN_ACCTCTL = """
sys.argv = ["acctctl", *sys.argv[1:]]
runpy.run_module("acctctl", run_name="__main__", alter_sys=True)
"""


def loaded_after(
    env: dict[str, str], body: str, *args: str, stdin: str = ""
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    return modules_loaded(env, _PROBE + body, *args, stdin=stdin)


@pytest.fixture
def sample_env(tmp_path: Path) -> dict[str, str]:
    env = environment(tmp_path / "home", None, user=CLAIRE)
    assert run(env, "store", "init", "--demo").returncode == 0
    return env


NON_INTERACTIVE: list[tuple[tuple[str, ...], str, set[str]]] = [
    # (arguments, standard input, what must not be imported besides questionary and
    # prompt_toolkit)
    (("subs", "list", "--json"), "", {"rich"}),
    (("subs", "list", "--ids"), "", {"rich"}),
    (("subs", "list", "--eligible", "--ids"), "", {"rich"}),
    (("subs", "show", "72000000001", "--json"), "", {"rich"}),
    (("partner", "lookup", "5550002222"), "", set()),
    (("partner", "lookup", "5550002222", "--json"), "", {"rich"}),
    (("partner", "change", "72000000001", "--csn", "5550002222", "--yes", "--json"), "", {"rich"}),
    (
        ("partner", "change", "-", "--csn", "5550002222", "--yes", "--replace-all", "--json"),
        "72000000001\n72000000008\n",
        {"rich"},
    ),
    (("partner", "change", "72000000001", "--csn", "5550002222", "--dry-run"), "", set()),
    (("partner", "history", "--json"), "", {"rich"}),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "stdin", "also_absent"),
    NON_INTERACTIVE,
    ids=[" ".join(a) for a, _, _ in NON_INTERACTIVE],
)
def test_a_command_that_does_not_prompt_does_not_import_the_prompt_libraries(
    sample_env: dict[str, str], args: tuple[str, ...], stdin: str, also_absent: set[str]
) -> None:
    done, loaded = loaded_after(sample_env, _RUN_ACCTCTL, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()  # it did its work
    assert loaded & ({"questionary", "prompt_toolkit"} | also_absent) == set()
    assert "typer" in loaded  # the probe sees what the command imported


def test_the_probe_sees_a_prompt_library(sample_env: dict[str, str]) -> None:
    _done, loaded = loaded_after(sample_env, "import acctctl.wizard.prompts, questionary")
    assert "questionary" in loaded and "prompt_toolkit" in loaded


def test_version_is_answered_before_typer_and_says_the_same(sample_env: dict[str, str]) -> None:
    done, loaded = loaded_after(sample_env, _RUN_ACCTCTL, "--version")
    assert done.returncode == 0
    assert "typer" not in loaded
    through_typer = run(sample_env, "--lang", "en", "--version")
    assert through_typer.returncode == 0
    assert done.stdout == through_typer.stdout == f"acctctl {_version()}\n"


def _version() -> str:
    from acctctl import __version__

    return __version__


# --- the bulk change's statements ---------------------------------------------------------

# What deciding and writing one id needs (issue 16, point 2): its savepoint and release,
# the next change id, the rules of the new change (its holder, partner, user, pending
# change) in one query, the history record, the change and the partners it moves from.
# The decision's reads (subscriptions, contracts, pending changes) are a few statements
# for the whole batch. 7.5 on this batch; 19.5 when the store's guards read each fact
# again and the batch read each id's rows one by one.
BULK_STATEMENTS_PER_ID = 8


def test_a_bulk_batch_reads_each_fact_once(account_db: Path, traced: list[str]) -> None:
    """A batch of 100 ids, each a change written, counted on the trace: the guards of
    the store's writer must not read again what the decision read in the same
    transaction. Fails if re-reads come back."""
    ctx = _context(account_db)
    holders: dict[str, str] = {}  # one id per contract: the others would be unchanged
    with ctx.store.read() as reader:
        for id, contract in reader.subscription_contracts():
            holders.setdefault(contract or id, id)
    ids = [id for id in service.eligible_ids(ctx) if id in holders.values()][:100]
    assert len(ids) == 100
    partner = _partner(ctx, "5550002222")
    traced.clear()
    results = service.change_batch(ctx, ids, partner, replace_all=True)
    assert [r.status for r in results] == ["submitted"] * 100
    per_id = len(traced) / len(ids)
    assert per_id <= BULK_STATEMENTS_PER_ID, "\n".join(traced[:60])
