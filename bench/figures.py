"""Measure every figure of the performance targets; run through `bench/run`.

How each figure is taken (runs in turns with a baseline, peak memory, the
children's environment) is written in bench/harness.py.

Nothing here asserts: it prints, and exits 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import figures_stores
from harness import (
    ACCTCTL,
    ADMIN,
    BENCH,
    LOOKED_UP,
    NOW,
    PYTHON,
    BenchError,
    Report,
    Row,
    Sample,
    child_env,
    interleaved,
    load,
    machine,
    median_wall,
    peak_memory_kb,
    run_once,
    seconds,
)

GROUPS = (
    "startup",
    "imports",
    "import",
    "account",
    "export",
    "eligible",
    "bulk",
    "json",
    "postgres",
)
HEAVY = ("questionary", "prompt_toolkit", "rich", "pydantic")
NEVER = ("questionary", "prompt_toolkit")

# Runs a command like `acctctl`, then writes the heavy top-level packages it imported.
_MODULES_PROBE = """
import atexit, os, runpy, sys
def _report():
    loaded = {name.partition(".")[0] for name in sys.modules}
    found = sorted(loaded & set(os.environ["ACCTCTL_BENCH_HEAVY"].split()))
    with open(os.environ["ACCTCTL_BENCH_MODULES"], "w") as stream:
        stream.write(" ".join(found))
atexit.register(_report)
sys.argv = ["acctctl", *sys.argv[1:]]
runpy.run_module("acctctl", run_name="__main__", alter_sys=True)
"""


# --- the figures --------------------------------------------------------------------------


def startup(report: Report, env: dict[str, str], runs: int) -> None:
    typer_import = [PYTHON, "-c", "import typer"]

    def ratio_row(figure: str, argv: list[str], limit: float | None) -> None:
        targets, baselines = interleaved(
            lambda: run_once(argv, env), lambda: run_once(typer_import, env), runs
        )
        value, base = median_wall(targets), median_wall(baselines)
        report.add(
            Row(
                figure,
                seconds(value),
                seconds(base),
                f"{value / base:.2f}",
                f"ratio ≤ {limit}" if limit else "",
                None if limit is None else value / base <= limit,
            )
        )

    print('baseline: python -c "import typer" (same interpreter)')
    ratio_row("acctctl --version", [ACCTCTL, "--version"], 1.3)
    ratio_row(
        "  (through Typer: acctctl --lang en --version)",
        [ACCTCTL, "--lang", "en", "--version"],
        None,
    )
    ratio_row(
        "acctctl subs list --json (sample account)", [ACCTCTL, "subs", "list", "--json"], 1.25
    )
    ratio_row("acctctl --help", [ACCTCTL, "--help"], 1.2)


def imports(report: Report, env: dict[str, str], work: Path) -> None:
    copy = work / "imports.db"
    run_once([ACCTCTL, "store", "export", "-o", str(work / "sample.json")], env)
    run_once([ACCTCTL, "--store", str(copy), "store", "import", str(work / "sample.json")], env)
    ids = work / "imports-ids.txt"
    ids.write_text("72000000001\n72000000008\n")
    commands: list[tuple[list[str], Path | None]] = [
        (["subs", "list", "--json"], None),
        (["subs", "list", "--ids"], None),
        (["subs", "list", "--eligible", "--ids"], None),
        (["subs", "list"], None),
        (["subs", "show", "72000000001"], None),
        (["subs", "show", "72000000001", "--json"], None),
        (["partner", "lookup", "5550002222"], None),
        (["partner", "lookup", "5550002222", "--json"], None),
        (["partner", "history", "--json"], None),
        (["store", "export"], None),
        (["--version"], None),
        (
            [
                "--store",
                str(copy),
                "partner",
                "change",
                "72000000001",
                "--csn",
                "5550002222",
                "--dry-run",
                "--json",
            ],
            None,
        ),
        (
            [
                "--store",
                str(copy),
                "partner",
                "change",
                "-",
                "--csn",
                "5550002222",
                "--yes",
                "--replace-all",
                "--json",
            ],
            ids,
        ),
        (
            [
                "--store",
                str(copy),
                "partner",
                "change",
                "72000000001",
                "--csn",
                "5550004444",
                "--yes",
            ],
            None,
        ),
    ]
    marker = work / "modules.txt"
    probe_env = dict(env, ACCTCTL_BENCH_MODULES=str(marker), ACCTCTL_BENCH_HEAVY=" ".join(HEAVY))
    offenders = []
    print("heavy modules imported by each non-interactive command:")
    for args, stdin in commands:
        marker.unlink(missing_ok=True)
        argv = [PYTHON, "-c", _MODULES_PROBE, *args]
        with open(stdin or os.devnull, "rb") as source:
            subprocess.run(
                argv,
                env=probe_env,
                stdin=source,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        loaded = marker.read_text().split() if marker.exists() else ["(no report)"]
        shown = " ".join(a if "/" not in a else "STORE" for a in args)
        print(f"    acctctl {shown:<72} {' '.join(loaded) or '-'}")
        if any(name in loaded for name in NEVER) or "(no report)" in loaded:
            offenders.append(shown)
    report.add(
        Row(
            "questionary, prompt_toolkit imported by a non-interactive command",
            "never" if not offenders else f"{len(offenders)} cmds",
            "",
            "",
            "never",
            not offenders,
            "; ".join(offenders),
        )
    )


def account(
    report: Report,
    env: dict[str, str],
    work: Path,
    size: int,
    runs: int,
    *,
    only: set[str],
    data: Path | None,
    postgres: str | None,
) -> None:
    """The figures on an account of ``size`` subscriptions."""
    document = (data or work) / f"account-{size}.json"
    if not document.exists():  # --data keeps the documents between runs
        subprocess.run(
            [PYTHON, str(BENCH / "make_account.py"), str(size), "-o", str(document), "--now", NOW],
            check=True,
        )
    pristine = work / f"account-{size}.db"
    tag = f"{size:,} subs"

    # store import
    attempt = iter(range(1_000_000))

    def import_once() -> Sample:
        target = work / f"import-{size}-{next(attempt)}.db"
        argv = [ACCTCTL, "--store", str(target), "store", "import", "--sandbox", str(document)]
        sample = run_once(argv, env)
        if not pristine.exists():
            target.rename(pristine)
        else:
            target.unlink()
        return sample

    read_only = [PYTHON, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(document)]
    kept = data / f"account-{size}.db" if data else None
    if "import" in only:
        targets, baselines = interleaved(
            import_once, lambda: run_once(read_only, env), max(1, min(3, runs))
        )
        value, base = median_wall(targets), median_wall(baselines)
        report.add(
            Row(
                f"store import ({tag}) [base: json.load of the file]",
                seconds(value),
                seconds(base),
                f"{value / base:.1f}",
                "≤ 20 s" if size <= 100_000 else "",
                value <= 20 if size <= 100_000 else None,
            ),
            size=size,
            key="store import",
        )
        peak = max(s.rss_kb for s in targets)
        judged = size >= 1_000_000
        report.add(
            Row(
                "  peak memory of that import (wait4)",
                f"{peak / 1024:.0f} MB",
                f"{max(s.rss_kb for s in baselines) / 1024:.0f} MB",
                "",
                "≤ 400 MB" if judged else "(1M)",
                peak <= 400 * 1024 if judged else None,
            ),
            size=size,
            key="  peak memory of store import",
        )

    if not pristine.exists() and kept is not None and kept.exists():
        shutil.copyfile(kept, pristine)
    elif not pristine.exists():
        import_once()
    if kept is not None and not kept.exists():
        shutil.copyfile(pristine, kept)

    if "export" in only:
        figures_stores.export(report, env, work, pristine, size, runs)
    if "eligible" in only:
        figures_stores.eligible(report, env, work, str(pristine), size, runs, "SQLite")
    ids = None
    if "bulk" in only:
        ids = figures_stores.sqlite_bulk(report, env, work, pristine, size, runs)
    if "json" in only and size <= 100_000:
        if ids is None:  # the same ids as the SQLite bulk figure's
            ids = figures_stores.sqlite_ids(env, work, pristine)
        figures_stores.json_store(report, env, work, document, ids, size, runs)
    if "postgres" in only and postgres:
        figures_stores.postgres(report, env, work, postgres, document, size, runs)
    if "account" not in only:
        return

    store = ["--store", str(pristine)]
    listing = [ACCTCTL, *store, "subs", "list", "--json"]
    dump = [PYTHON, str(BENCH / "plain_dump.py"), str(pristine)]
    targets, baselines = interleaved(
        lambda: run_once(listing, env), lambda: run_once(dump, env), runs
    )
    value, base = median_wall(targets), median_wall(baselines)
    report.add(
        Row(
            f"subs list --json ({tag}) [base: plain sqlite3→JSON dump]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "≤ 2 s, ratio ≤ 4" if size <= 100_000 else "ratio ≤ 4",  # 2 s: round 1, 100k
            (value <= 2 or size > 100_000) and value / base <= 4,
        ),
        size=size,
        key="subs list --json",
    )
    peak, how = peak_memory_kb(listing, env, max(s.rss_kb for s in targets))
    base_peak = statistics.median(s.rss_kb for s in baselines)
    report.add(
        Row(
            f"  peak memory of that listing ({how})",
            f"{peak / 1024:.0f} MB",
            f"{base_peak / 1024:.0f} MB",
            f"{peak / base_peak:.1f}",
            "≤ 200 MB",
            peak <= 200 * 1024,
        ),
        size=size,
        key="  peak memory of that listing",
    )

    listing_floor(report, env, work, pristine, size, runs)

    # One subscription, one partner: against the same command on the sample account.
    sub_id = f"72{size // 2:09d}"
    for figure, args, sample_args in (
        (
            f"subs show ID ({tag}) [base: same, sample]",
            ["subs", "show", sub_id],
            ["subs", "show", "72000000001"],
        ),
        (
            f"partner lookup CSN ({tag}) [base: same, sample]",
            ["partner", "lookup", LOOKED_UP],
            ["partner", "lookup", "5550002222"],
        ),
    ):
        targets, baselines = interleaved(
            lambda a=args: run_once([ACCTCTL, *store, *a], env),
            lambda a=sample_args: run_once([ACCTCTL, *a], env),
            max(runs, 7),
        )
        value, base = median_wall(targets), median_wall(baselines)
        report.add(
            Row(
                figure,
                seconds(value),
                seconds(base),
                f"{value / base:.2f}",
                "≤ 0.3 s",
                value <= 0.3,
            ),
            size=size,
            key=figure.split(" (")[0],
        )


def listing_floor(
    report: Report, env: dict[str, str], work: Path, pristine: Path, size: int, runs: int
) -> None:
    """`subs list --json` against `plain_listing.py`, which writes the same bytes by hand
    (checked here first: a floor that wrote something else would measure nothing)."""
    tag = f"{size:,} subs"
    listing = [ACCTCTL, "--store", str(pristine), "subs", "list", "--json"]
    floor = [PYTHON, str(BENCH / "plain_listing.py"), str(pristine), ADMIN, NOW]
    ours, theirs = work / f"listing-{size}.json", work / f"floor-{size}.json"
    run_once(listing, env, stdout=ours)
    run_once(floor, env, stdout=theirs)
    if not filecmp.cmp(ours, theirs, shallow=False):
        raise BenchError(f"plain_listing.py does not write what subs list --json writes: {work}")
    for path in (ours, theirs):
        path.unlink()
    targets, baselines = interleaved(
        lambda: run_once(listing, env), lambda: run_once(floor, env), runs
    )
    value, base = median_wall(targets), median_wall(baselines)
    # The target is for 100,000 and 1,000,000 subscriptions: below, the floor's start-up
    # (20 ms against acctctl's 55) weighs on the ratio; reported for the growth curve.
    judged = size >= 100_000
    report.add(
        Row(
            f"subs list --json ({tag}) [base: plain_listing.py, same bytes]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "ratio ≤ 1.0" if judged else "(100k, 1M)",
            value / base <= 1.0 if judged else None,
        ),
        size=size,
        key="subs list --json ÷ plain_listing.py",
    )
    peak, how = peak_memory_kb(listing, env, max(s.rss_kb for s in targets))
    base_peak, _how = peak_memory_kb(floor, env, max(s.rss_kb for s in baselines))
    report.add(
        Row(
            f"  peak memory of that listing ({how})",
            f"{peak / 1024:.0f} MB",
            f"{base_peak / 1024:.0f} MB",
            f"{peak / base_peak:.1f}",
            "≤ 64 MB",
            peak <= 64 * 1024,
        ),
        size=size,
        key="  peak memory of subs list --json",
    )


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the performance targets.")
    parser.add_argument(
        "--sizes",
        default="100000",
        help="comma-separated account sizes in subscriptions (default 100000)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--startup-runs", type=int, default=31, help="runs per start-up figure (default 31)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--data",
        type=Path,
        help="keep the generated account documents here and reuse them (account-N.json)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ACCTCTL_TEST_POSTGRES"),
        help="a PostgreSQL server's admin URL for its figures (default: $ACCTCTL_TEST_POSTGRES;"
        " databases acctctl_bench_* and the login acctctl_bench_member are made there)",
    )
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated groups to run, among {', '.join(GROUPS)} (default: all)",
    )
    args = parser.parse_args(argv)
    only = {group.strip() for group in args.only.split(",") if group.strip()}
    if only - set(GROUPS):
        parser.error(f"unknown groups: {', '.join(sorted(only - set(GROUPS)))}")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=out))
    home = work / "home"
    home.mkdir()
    env = child_env(home)
    started = time.perf_counter()
    report = Report()
    print(f"machine: {machine()}")
    print(f"scratch: {work}")
    print(f"  {'figure':<58} {'value':>10} {'baseline':>10} {'ratio':>7}  {'target':<15} verdict")
    try:
        run_once([ACCTCTL, "store", "init", "--demo"], env)
        if "startup" in only:
            startup(report, env, args.startup_runs)
        if "imports" in only:
            imports(report, env, work)
        for size in sizes:
            print(f"account of {size:,} subscriptions:")
            account(
                report,
                env,
                work,
                size,
                args.runs,
                only=only,
                data=args.data,
                postgres=args.postgres,
            )
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if len(sizes) > 1:
        print("\ngrowth:")
        print(f"  {'figure':<58} " + " ".join(f"{s:>12,}" for s in sizes))
        for figure, values in report.growth.items():
            print(f"  {figure:<58} " + " ".join(f"{values.get(s, ''):>12}" for s in sizes))
    missed = [row.figure.strip() for row in report.rows if row.met is False]
    elapsed = time.perf_counter() - started
    print(f"\nload average at the end: {load()}; {elapsed:.0f} s")
    if missed:
        print("NOT MET: " + "; ".join(missed))
        return 1
    print("every target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
