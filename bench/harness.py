"""What bench/figures.py measures with: running the real program, taking figures in
turns with their baselines, the report, the children's environment, the machine.

Each figure is the median of repeated runs of the real program (the venv's
``acctctl`` script, a fresh process each time), taken in turn with its baseline in
the same loop, so a busy machine slows both alike: ratios hold where absolute times
drift. Peak memory is ``/usr/bin/time -v``'s maximum resident set size (or, without
it, the child's own ``wait4`` rusage). Children run without PYTHONDONTWRITEBYTECODE,
as an installed program would (compiled modules cached), in a scratch HOME, so the
default store and config paths are the real ones (platformdirs included).
"""

from __future__ import annotations

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
