"""The figures of issue 16 part B, on each back end, each beside its hand-written floor:

* ``subs list --eligible --ids`` against ``plain_eligible.py`` (the rules as one SQL
  query; the two outputs are checked equal first), on SQLite and PostgreSQL;
* ``store export``: time and peak memory, against ``plain_dump.py``;
* the bulk ``partner change - --yes --json`` of one subscription per eligible contract
  (up to 10,000): on SQLite against ``plain_commits.py --batch 100`` (the same group
  commit, no rules); on PostgreSQL, as the store's owner and as a member, against
  ``plain_pg_submits.py`` (the store's write function per id, pipelined, no decision
  on the client); on the JSON store (200 ids) against loading and writing the
  document once per batch.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from harness import (
    ACCTCTL,
    BENCH,
    NEW_PARTNER,
    PYTHON,
    BenchError,
    Report,
    Row,
    Sample,
    interleaved,
    median_wall,
    peak_memory_kb,
    run_once,
    seconds,
)

BULK_IDS = 10_000
JSON_IDS = 200
MEMBER = "acctctl_bench_member"
MEMBER_PASSWORD = "bench-member-secret"
CHANGE = ["partner", "change", "-", "--csn", NEW_PARTNER, "--yes", "--replace-all", "--json"]
Run = tuple[Sample, int, float]  # a bulk run: its sample, ids submitted, first line's share


def eligible(
    report: Report, env: dict[str, str], work: Path, store: str, size: int, runs: int, kind: str
) -> None:
    ours = [ACCTCTL, "--store", store, "subs", "list", "--eligible", "--ids"]
    floor = [PYTHON, str(BENCH / "plain_eligible.py"), store]
    mine, theirs = work / "eligible-ours.txt", work / "eligible-floor.txt"
    run_once(ours, env, stdout=mine)
    run_once(floor, env, stdout=theirs)
    if not filecmp.cmp(mine, theirs, shallow=False):
        raise BenchError(f"plain_eligible.py does not print what --eligible --ids prints ({kind})")
    count = sum(1 for _ in mine.open())
    targets, baselines = interleaved(
        lambda: run_once(ours, env), lambda: run_once(floor, env), runs
    )
    value, base = median_wall(targets), median_wall(baselines)
    judged = size >= 100_000
    report.add(
        Row(
            f"subs list --eligible --ids, {kind} ({size:,} subs) [base: plain_eligible.py]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "ratio ≤ 2.5" if judged else "(100k)",
            value / base <= 2.5 if judged else None,
            f"{count:,} ids, same as the floor's",
        ),
        size=size,
        key=f"--eligible --ids, {kind}",
    )
    report.growth.setdefault(f"  ÷ plain_eligible.py, {kind}", {})[size] = f"{value / base:.2f}"


def export(
    report: Report, env: dict[str, str], work: Path, pristine: Path, size: int, runs: int
) -> None:
    out = work / "exported.json"
    ours = [ACCTCTL, "--store", str(pristine), "store", "export", "-o", str(out)]
    floor = [PYTHON, str(BENCH / "plain_dump.py"), str(pristine)]
    targets, baselines = interleaved(
        lambda: run_once(ours, env), lambda: run_once(floor, env), max(1, min(3, runs))
    )
    value, base = median_wall(targets), median_wall(baselines)
    peak, how = peak_memory_kb(ours, env, max(s.rss_kb for s in targets))
    out.unlink(missing_ok=True)
    judged = size >= 1_000_000
    report.add(
        Row(
            f"store export ({size:,} subs) [base: plain_dump.py]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "",
            None,
        ),
        size=size,
        key="store export",
    )
    report.add(
        Row(
            f"  peak memory of that export ({how})",
            f"{peak / 1024:.0f} MB",
            "",
            "",
            "≤ 200 MB" if judged else "(1M)",
            peak <= 200 * 1024 if judged else None,
        ),
        size=size,
        key="  peak memory of store export",
    )


def one_per_contract(listed: Path, contract_of: dict[str, str | None], limit: int) -> list[str]:
    """The first eligible subscription of each contract, in id order, up to ``limit``."""
    seen: set[str | None] = set()
    chosen: list[str] = []
    for line in listed.open():
        sub_id = line.strip()
        contract = contract_of.get(sub_id)
        if contract not in seen:
            seen.add(contract)
            chosen.append(sub_id)
            if len(chosen) == limit:
                break
    return chosen


def bulk_ids(
    env: dict[str, str], work: Path, store: str, contract_of: dict[str, str | None]
) -> Path:
    listed = work / "eligible-ids.txt"
    run_once([ACCTCTL, "--store", store, "subs", "list", "--eligible", "--ids"], env, stdout=listed)
    ids = work / "bulk-ids.txt"
    ids.write_text("\n".join(one_per_contract(listed, contract_of, BULK_IDS)) + "\n")
    return ids


def streamed(argv: list[str], env: dict[str, str], ids: Path) -> Run:
    """A run reading its JSON lines as they come: the sample, how many were submitted,
    and when the first line came (a share of the run)."""
    with open(ids, "rb") as source:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, env=env, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdout is not None and process.stderr is not None
        first = None
        submitted = 0
        for line in process.stdout:
            if first is None:
                first = time.perf_counter() - start
            submitted += json.loads(line)["status"] == "submitted"
        errors = process.stderr.read().decode(errors="replace")
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise BenchError(f"{' '.join(argv)} failed:\n{errors[-800:]}")
    return (
        Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss),
        submitted,
        (first or wall) / wall,
    )


def bulk_figure(
    report: Report,
    figure: str,
    size: int,
    key: str,
    ours: list[Run],
    floors: list[Run],
    ids: int,
    limit: float,
) -> None:
    """Per 1,000 submitted, judged on ``BULK_IDS`` ids (fewer do not amortise start-up)."""
    judged = ids >= BULK_IDS
    submitted = min(n for _s, n, _f in ours)
    value = median_wall([s for s, _n, _f in ours])
    base = median_wall([s for s, _n, _f in floors])
    per, base_per = value / max(1, submitted) * 1000, base / max(1, ids) * 1000
    report.add(
        Row(
            figure,
            seconds(per),
            seconds(base_per),
            f"{per / base_per:.2f}",
            f"≤ {limit:g} s / 1,000" if judged else f"({BULK_IDS:,} ids)",
            (per <= limit and submitted == ids) if judged else None,
            f"{submitted:,} of {ids:,} submitted in {seconds(value)};"
            f" first result at {statistics.median(f for _s, _n, f in ours):.1%}",
        ),
        size=size,
        key=key,
    )


def sqlite_ids(env: dict[str, str], work: Path, pristine: Path) -> Path:
    with sqlite3.connect(f"file:{pristine}?mode=ro", uri=True) as db:
        contract_of = dict(db.execute("SELECT id, contract FROM subscriptions"))
    return bulk_ids(env, work, str(pristine), contract_of)


def sqlite_bulk(
    report: Report, env: dict[str, str], work: Path, pristine: Path, size: int, runs: int
) -> Path:
    ids = sqlite_ids(env, work, pristine)
    count = sum(1 for _ in ids.open())
    copy = work / "bulk.db"

    def fresh(argv: list[str]) -> list[str]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, copy)
        return [str(copy) if a == "STORE" else a for a in argv]

    ours: list[Run] = []
    floors: list[Run] = []

    def mine() -> Sample:
        ours.append(streamed(fresh([ACCTCTL, "--store", "STORE", *CHANGE]), env, ids))
        return ours[-1][0]

    def floor() -> Sample:
        argv = [PYTHON, str(BENCH / "plain_commits.py"), "STORE", "--batch", "100"]
        floors.append(streamed(fresh(argv), env, ids))
        return floors[-1][0]

    interleaved(mine, floor, max(1, min(3, runs)))
    figure = f"bulk change, SQLite, {count:,} ids ({size:,} subs), per 1,000 [plain_commits]"
    key = "bulk change per 1,000 submitted, SQLite"
    bulk_figure(report, figure, size, key, ours[1:], floors[1:], count, 0.15)
    return ids


# --- PostgreSQL ---------------------------------------------------------------------------


def _url(server: str, database: str, login: str | None = None) -> str:
    parts = urlsplit(server)
    if login is not None:
        parts = parts._replace(netloc=f"{login}@{parts.hostname}:{parts.port or 5432}")
    return parts._replace(path=f"/{database}").geturl()


def _admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as db:
        for statement in statements:
            db.execute(statement)


def postgres(
    report: Report,
    env: dict[str, str],
    work: Path,
    server: str,
    document: Path,
    size: int,
    runs: int,
) -> None:
    """The PostgreSQL figures: the account imported once into a template database, a
    fresh copy of it for each bulk run."""
    import psycopg

    base, run_db = f"acctctl_bench_{size}", "acctctl_bench_run"
    _admin(
        server,
        f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)',
        f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)',
        f'CREATE DATABASE "{base}"',
    )
    with psycopg.connect(server, autocommit=True) as db:
        if db.execute("SELECT FROM pg_roles WHERE rolname = %s", (MEMBER,)).fetchone() is None:
            db.execute(f"CREATE ROLE {MEMBER} LOGIN PASSWORD '{MEMBER_PASSWORD}'")
    parts = urlsplit(server)
    pgpass = Path(env["HOME"]) / ".pgpass"
    pgpass.write_text(f"{parts.hostname}:{parts.port or 5432}:*:{MEMBER}:{MEMBER_PASSWORD}\n")
    pgpass.chmod(0o600)
    owner = _url(server, base)
    started = time.perf_counter()
    run_once([ACCTCTL, "--store", owner, "store", "import", "--sandbox", str(document)], env)
    imported = time.perf_counter() - started
    run_once(
        [ACCTCTL, "--store", owner, "store", "members", "add", MEMBER, env["ACCTCTL_USER"]], env
    )
    report.add(
        Row(
            f"store import, PostgreSQL ({size:,} subs), one run",
            seconds(imported),
            "",
            "",
            "",
            None,
        ),
        size=size,
        key="store import, PostgreSQL",
    )
    eligible(report, env, work, owner, size, runs, "PostgreSQL")
    with psycopg.connect(owner) as db:
        contract_of = dict(db.execute("SELECT id, contract FROM acctctl_subscriptions").fetchall())
    ids = bulk_ids(env, work, owner, contract_of)
    count = sum(1 for _ in ids.open())
    run_url = {"owner": _url(server, run_db), "member": _url(server, run_db, MEMBER)}

    def fresh() -> None:
        _admin(
            server,
            f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)',
            f'CREATE DATABASE "{run_db}" TEMPLATE "{base}"',
        )

    floor_argv = [PYTHON, str(BENCH / "plain_pg_submits.py"), run_url["owner"], NEW_PARTNER]
    for who in ("owner", "member"):
        ours: list[Run] = []
        floors: list[Run] = []

        def mine(who: str = who, into: list[Run] = ours) -> Sample:
            fresh()
            into.append(streamed([ACCTCTL, "--store", run_url[who], *CHANGE], env, ids))
            return into[-1][0]

        def floor(into: list[Run] = floors) -> Sample:
            fresh()
            into.append(streamed(floor_argv, env, ids))
            return into[-1][0]

        interleaved(mine, floor, max(1, min(3, runs)))
        figure = (
            f"bulk change, PostgreSQL as {who}, {count:,} ids ({size:,} subs), per 1,000"
            " [plain_pg_submits]"
        )
        key = f"bulk change per 1,000 submitted, PostgreSQL {who}"
        bulk_figure(report, figure, size, key, ours[1:], floors[1:], count, 1.0)
    _admin(server, f'DROP DATABASE IF EXISTS "{run_db}" WITH (FORCE)')


# --- the JSON store -----------------------------------------------------------------------

_JSON_FLOOR = """
import json, sys
path, batches = sys.argv[1], int(sys.argv[2])
for _ in range(batches):  # what a batch must do: load the document, write it back
    with open(path, encoding="utf-8") as stream:
        document = json.load(stream)
    with open(path + ".new", "w", encoding="utf-8") as stream:
        json.dump(document, stream, ensure_ascii=False, indent=2)
for line in sys.stdin:
    sys.stdout.write(json.dumps({"subscription": line.strip(), "status": "submitted"}) + "\\n")
"""


def json_store(
    report: Report, env: dict[str, str], work: Path, document: Path, ids: Path, size: int, runs: int
) -> None:
    pristine = work / "pristine-store.json"
    pristine.unlink(missing_ok=True)
    run_once(
        [ACCTCTL, "--store", str(pristine), "store", "import", "--sandbox", str(document)], env
    )
    chosen = work / "json-ids.txt"
    chosen.write_text("".join(ids.open().readlines()[:JSON_IDS]))
    count = sum(1 for _ in chosen.open())
    copy = work / "bulk-store.json"
    ours: list[Run] = []
    floors: list[Run] = []

    def mine() -> Sample:
        shutil.copyfile(pristine, copy)
        ours.append(streamed([ACCTCTL, "--store", str(copy), *CHANGE], env, chosen))
        return ours[-1][0]

    def floor() -> Sample:
        shutil.copyfile(pristine, copy)
        batches = str(-(-count // 100))
        floors.append(streamed([PYTHON, "-c", _JSON_FLOOR, str(copy), batches], env, chosen))
        return floors[-1][0]

    interleaved(mine, floor, max(1, min(3, runs)))
    value = median_wall([s for s, _n, _f in ours[1:]])
    base = median_wall([s for s, _n, _f in floors[1:]])
    submitted = min(n for _s, n, _f in ours[1:])
    judged = size == 10_000
    report.add(
        Row(
            f"bulk change, JSON store, {count} ids ({size:,} subs) [base: load+write per batch]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "≤ 3 s" if judged else "(10k)",
            (value <= 3 and submitted == count) if judged else None,
            f"{submitted} submitted",
        ),
        size=size,
        key=f"bulk change, JSON store, {JSON_IDS} ids",
    )
