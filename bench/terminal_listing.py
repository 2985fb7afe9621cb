"""`subs list` on a terminal: time to the first row, total, peak memory, beside the
piped run (issue 16, item 1). A benchmark, not a test.

    python bench/terminal_listing.py STORE [--runs 3] [--columns 120]

The program runs on a pseudo-terminal (PAGER=cat, so nothing waits for a key); the
first row is the first line holding a subscription id. Prints medians.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

ACCTCTL = str(Path(sys.executable).with_name("acctctl"))
ROW = re.compile(rb"\b72[0-9]{9}\b")


def environment(columns: int) -> dict[str, str]:
    return {
        **os.environ,
        "ACCTCTL_NOW": "2026-11-26T12:00:00+00:00",
        "ACCTCTL_USER": "claire@dupont.example",
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
        "PAGER": "cat",
        "COLUMNS": str(columns),
        "LINES": "50",
    }


def on_terminal(store: str, columns: int) -> tuple[float, float, float]:
    main, secondary = pty.openpty()
    start = time.perf_counter()
    child = subprocess.Popen(
        [ACCTCTL, "--store", store, "subs", "list"],
        stdout=secondary,
        stderr=secondary,
        stdin=subprocess.DEVNULL,
        env=environment(columns),
    )
    os.close(secondary)
    first = None
    tail = b""
    while True:
        ready, _, _ = select.select([main], [], [], 1.0)
        if not ready:
            if child.poll() is not None:
                break
            continue
        try:
            data = os.read(main, 1 << 16)
        except OSError:
            break
        if not data:
            break
        if first is None and ROW.search(tail + data):
            first = time.perf_counter() - start
        tail = data[-16:]
    _, _status, usage = os.wait4(child.pid, 0)
    total = time.perf_counter() - start
    os.close(main)
    return first or total, total, usage.ru_maxrss / 1024


def piped(store: str, columns: int) -> tuple[float, float]:
    start = time.perf_counter()
    child = subprocess.Popen(
        [ACCTCTL, "--store", store, "subs", "list"],
        stdout=subprocess.DEVNULL,
        env=environment(columns),
    )
    _, _, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--columns", type=int, default=120)
    args = parser.parse_args()
    firsts, totals, peaks, pipes = [], [], [], []
    for _ in range(args.runs):
        first, total, peak = on_terminal(args.store, args.columns)
        pipe, _ = piped(args.store, args.columns)
        firsts.append(first)
        totals.append(total)
        peaks.append(peak)
        pipes.append(pipe)
    med = statistics.median
    print(
        f"terminal: first row {med(firsts):.2f} s, total {med(totals):.2f} s, "
        f"peak {med(peaks):.0f} MB; piped {med(pipes):.2f} s; "
        f"total / piped = {med(totals) / med(pipes):.2f}"
    )


if __name__ == "__main__":
    main()
