"""Measure every figure of the performance targets; run through `bench/run`.

Each figure is the median of repeated runs of the real program (the venv's
``acctctl`` script, a fresh process each time), taken in turn with its baseline in
the same loop, so a busy machine slows both alike: ratios hold where absolute times
drift. Peak memory is ``/usr/bin/time -v``'s maximum resident set size (or, without
it, the child's own ``wait4`` rusage). Children run without PYTHONDONTWRITEBYTECODE,
as an installed program would (compiled modules cached), in a scratch HOME, so the
default store and config paths are the real ones (platformdirs included).

Nothing here asserts: it prints, and exits 1 when a target is not met.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
ACCTCTL = str(Path(sys.executable).parent / "acctctl")
NOW = "2026-11-26T12:00:00Z"
ADMIN = "claire@dupont.example"
NEW_PARTNER = "5550000000"  # active, holds no contract (bench/make_account.py)
LOOKED_UP = "5550000017"
BULK = 5000
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


class BenchError(Exception):
    pass


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kb: int


@dataclass
class Row:
    figure: str
    value: str
    baseline: str
    ratio: str
    target: str
    met: bool | None  # None: reported, no target
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    growth: dict[str, dict[int, str]] = field(default_factory=dict)

    def add(self, row: Row, *, size: int | None = None, key: str = "") -> None:
        self.rows.append(row)
        verdict = {True: "met", False: "NOT MET", None: ""}[row.met]
        print(
            f"  {row.figure:<58} {row.value:>10} {row.baseline:>10} {row.ratio:>7}"
            f"  {row.target:<15} {verdict}{'  ' + row.note if row.note else ''}",
            flush=True,
        )
        if size is not None:
            self.growth.setdefault(key or row.figure, {})[size] = row.value


# --- running ------------------------------------------------------------------------------


def run_once(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    stdin: Path | None = None,
    stdout: Path | None = None,
) -> Sample:
    """One run; its wall time, CPU time (user + system) and peak RSS (wait4)."""
    with (
        tempfile.TemporaryFile() as errors,
        open(stdin or os.devnull, "rb") as source,
        open(stdout or os.devnull, "wb") as sink,
    ):
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdin=source, stdout=sink, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-800:]
            raise BenchError(f"{' '.join(argv)} exited {process.returncode}:\n{message}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def interleaved(
    target: Callable[[], Sample], baseline: Callable[[], Sample], runs: int
) -> tuple[list[Sample], list[Sample]]:
    """``runs`` of each, alternating which goes first, after one warm-up run of each."""
    target()
    baseline()
    targets: list[Sample] = []
    baselines: list[Sample] = []
    for n in range(runs):
        pair = [(baseline, baselines), (target, targets)]
        if n % 2:
            pair.reverse()
        for run, into in pair:
            into.append(run())
    return targets, baselines


def median_wall(samples: Sequence[Sample]) -> float:
    return statistics.median(s.wall for s in samples)


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def peak_memory_kb(argv: Sequence[str], env: dict[str, str], fallback: int) -> tuple[int, str]:
    """The maximum resident set size `/usr/bin/time -v` reports, else ``fallback``."""
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if gnu_time is None:
        return fallback, "wait4"
    result = subprocess.run(
        [gnu_time, "-v", *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr.decode())
    if result.returncode != 0 or found is None:
        return fallback, "wait4"
    return int(found.group(1)), "time -v"


# --- the environment ----------------------------------------------------------------------


def child_env(home: Path) -> dict[str, str]:
    dropped = ("PYTHONDONTWRITEBYTECODE", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ACCTCTL_", "XDG_")) and key not in dropped
    }
    env.update(
        HOME=str(home),
        LANG="C.UTF-8",
        NO_COLOR="1",
        ACCTCTL_NO_PROMPT="1",
        ACCTCTL_NOW=NOW,
        ACCTCTL_USER=ADMIN,
    )
    return env


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {model}; Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}; load average {load()}"
    )


def load() -> str:
    """The load average, and how much of the last minute tasks waited for the disk (Linux
    pressure stall information): the bulk change is one fsync per id, so a neighbour
    writing heavily slows it where it hardly slows a listing."""
    try:
        text = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        text = "?"
    try:
        first = Path("/proc/pressure/io").read_text().splitlines()[0]
        stalled = dict(part.split("=") for part in first.split()[1:])
        text += f"; disk waits {stalled['avg60']} % of the last minute"
    except (OSError, IndexError, KeyError, ValueError):
        pass
    return text


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


def account(report: Report, env: dict[str, str], work: Path, size: int, runs: int) -> None:
    """The figures on an account of ``size`` subscriptions."""
    document = work / f"account-{size}.json"
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
        sample = run_once([ACCTCTL, "--store", str(target), "store", "import", str(document)], env)
        if not pristine.exists():
            target.rename(pristine)
        else:
            target.unlink()
        return sample

    read_only = [PYTHON, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(document)]
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
            "≤ 20 s",
            value <= 20,
        ),
        size=size,
        key="store import",
    )

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
            "≤ 2 s, ratio ≤ 4",
            value <= 2 and value / base <= 4,
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

    eligible = [ACCTCTL, *store, "subs", "list", "--eligible", "--ids"]
    targets, baselines = interleaved(
        lambda: run_once(eligible, env), lambda: run_once(dump, env), runs
    )
    value, base = median_wall(targets), median_wall(baselines)
    report.add(
        Row(
            f"subs list --eligible --ids ({tag}) [base: plain dump]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "≤ 1.5 s",
            value <= 1.5,
        ),
        size=size,
        key="subs list --eligible --ids",
    )
    bulk(report, env, work, pristine, size, runs)


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
    report.add(
        Row(
            f"subs list --json ({tag}) [base: plain_listing.py, same bytes]",
            seconds(value),
            seconds(base),
            f"{value / base:.2f}",
            "ratio ≤ 1.0",
            value / base <= 1.0,
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


def bulk(
    report: Report, env: dict[str, str], work: Path, pristine: Path, size: int, runs: int
) -> None:
    """`partner change - --yes --json` of up to 5,000 ids (one per eligible contract)."""
    views = work / f"list-{size}.json"
    run_once(
        [ACCTCTL, "--store", str(pristine), "subs", "list", "--eligible", "--json"],
        env,
        stdout=views,
    )
    contracts: set[str] = set()
    chosen: list[str] = []
    for view in json.loads(views.read_text(encoding="utf-8")):
        if view["contract"] and view["contract"] not in contracts and len(chosen) < BULK:
            contracts.add(view["contract"])
            chosen.append(view["id"])
    ids = work / f"bulk-{size}.txt"
    ids.write_text("\n".join(chosen) + "\n")
    change = [
        ACCTCTL,
        "--store",
        "STORE",
        "partner",
        "change",
        "-",
        "--csn",
        NEW_PARTNER,
        "--yes",
        "--replace-all",
        "--json",
    ]
    floor = [PYTHON, str(BENCH / "plain_commits.py"), "STORE"]
    firsts: list[float] = []
    statuses: list[int] = []

    def fresh(argv: list[str]) -> tuple[list[str], Path]:
        copy = work / "bulk.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, copy)
        return [str(copy) if a == "STORE" else a for a in argv], copy

    def streamed(argv: list[str], record: bool) -> Sample:
        argv, _copy = fresh(argv)
        with open(ids, "rb") as source:
            start = time.perf_counter()
            process = subprocess.Popen(
                argv, env=env, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            assert process.stdout is not None
            first = None
            submitted = 0
            for line in process.stdout:
                if first is None:
                    first = time.perf_counter() - start
                submitted += json.loads(line)["status"] == "submitted"
            _pid, _status, usage = os.wait4(process.pid, 0)
            process.returncode = 0
            wall = time.perf_counter() - start
        if record:
            firsts.append((first or wall) / wall)
            statuses.append(submitted)
        return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)

    runs = max(1, min(3, runs))
    targets, baselines = interleaved(
        lambda: streamed(change, True), lambda: streamed(floor, False), runs
    )
    submitted = min(statuses[-runs:])
    value, base = median_wall(targets), median_wall(baselines)
    per_thousand = value / max(1, submitted) * 1000
    base_per_thousand = base / len(chosen) * 1000
    first_share = statistics.median(firsts[-runs:])
    # The target is for 5,000 ids; a smaller account has fewer eligible contracts, and the
    # ~80 ms start-up then weighs on "per 1,000": reported for the growth curve, not judged.
    judged = len(chosen) >= BULK
    report.add(
        Row(
            f"partner change - --yes --json, {len(chosen):,} ids ({size:,} subs), per 1,000"
            " [base: plain commits]",
            seconds(per_thousand),
            seconds(base_per_thousand),
            f"{per_thousand / base_per_thousand:.1f}",
            "≤ 1 s / 1,000" if judged else "(5,000 ids)",
            (per_thousand <= 1 and submitted == len(chosen)) if judged else None,
            f"{submitted:,} submitted in {seconds(value)}",
        ),
        size=size,
        key="bulk partner change, per 1,000 submitted",
    )
    report.add(
        Row(
            "  results streamed: first result at (share of the run)",
            f"{first_share:.1%}",
            "",
            "",
            "≤ 10 %" if judged else "(5,000 ids)",
            first_share <= 0.10 if judged else None,
        ),
        size=size,
        key="  first result at (share of the run)",
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
    args = parser.parse_args(argv)
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
        startup(report, env, args.startup_runs)
        imports(report, env, work)
        for size in sizes:
            print(f"account of {size:,} subscriptions:")
            account(report, env, work, size, args.runs)
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
