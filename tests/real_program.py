"""Running the real program for the reliability tests: environments, a starting line
that releases many processes at the same instant, and accounts built in code.

Everything here starts ``python -m acctctl`` (or, behind a barrier, the same module
through ``runpy``) as a separate process: what these tests prove — locks, crashes,
file modes, terminals — only a process shows. ``InProcess`` is the exception: the same
entry point called in this process, for matrices that check only exit codes, messages
and the store (fast tier), while their one-process-per-case run is marked slow.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from acctctl.document_json import document_to_json
from acctctl.domain import (
    Account,
    AccountDocument,
    Contract,
    Notice,
    Partner,
    Subscription,
    User,
)
from acctctl.store.base import Store

ACCTCTL = [sys.executable, "-m", "acctctl"]
NOW = "2026-11-26T09:30:00Z"
NOW_MOMENT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 26)

CLAIRE = "claire@dupont.example"  # primary admin
THOMAS = "thomas@dupont.example"  # secondary admin, manager of some contracts
MARC = "marc@dupont.example"  # secondary admin, manager of none
JULIE = "julie@dupont.example"  # user

# Generous: a loaded CI machine with two cores runs 16 of these at once.
PROCESS_TIMEOUT = 120.0


def target(store: Store) -> str:
    """What ``--store``/``ACCTCTL_STORE`` takes for ``store``: a path, or a PostgreSQL URL
    (``where()`` hides the password, which the process needs)."""
    url = getattr(store, "url", None)
    return str(url) if url else store.where()


def environment(
    home: Path, store: str | None, *, user: str | None = None, now: str = NOW, **more: str
) -> dict[str, str]:
    """A clean environment: no ACCTCTL_* of the caller's, English, no colour, no prompts;
    ``more`` sets (or overrides) other variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ACCTCTL_") and k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")
    }
    env.update(
        ACCTCTL_HOME=str(home),
        ACCTCTL_NOW=now,
        ACCTCTL_NO_PROMPT="1",
        LANG="C.UTF-8",
        PYTHONIOENCODING="utf-8",
        NO_COLOR="1",
    )
    if store is not None:
        env["ACCTCTL_STORE"] = store
    if user is not None:
        env["ACCTCTL_USER"] = user
    env.update(more)
    return env


def terminal_environment(
    home: Path, store: str | None, *, user: str | None = None, **more: str
) -> dict[str, str]:
    """``environment`` for the program in a pseudo-terminal: a plain xterm, prompts on."""
    env = environment(
        home,
        store,
        user=user,
        TERM="xterm",
        # pexpect is no terminal emulator: it never answers prompt_toolkit's cursor
        # position requests, each of which then waits a second when a question closes.
        PROMPT_TOOLKIT_NO_CPR="1",
        **more,
    )
    del env["ACCTCTL_NO_PROMPT"]
    return env


def run(
    env: dict[str, str],
    *args: str,
    input: str | None = None,
    timeout: float = PROCESS_TIMEOUT,
    umask: int | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``acctctl ARGS`` to completion; standard input is ``input`` or nothing at all."""
    return subprocess.run(
        [*ACCTCTL, *args],
        env=env,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        umask=-1 if umask is None else umask,
        cwd=cwd,
    )


def on_terminal(env: dict[str, str], *args: str, input: bytes | None = None) -> tuple[int, str]:
    """`acctctl ARGS` with standard output and error on a 60×300 pseudo-terminal, read
    while it runs (a terminal's buffer is small: an unread one would block the writer);
    standard input is ``input`` through a pipe, or nothing at all."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 300, 0, 0))
    try:
        process = subprocess.Popen(
            [*ACCTCTL, *args],
            stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            stdout=follower,
            stderr=follower,
            env={**env, "TERM": "xterm", "COLUMNS": "300", "LINES": "60"},
        )
        os.close(follower)
        follower = -1
        if process.stdin is not None:
            process.stdin.write(input or b"")
            process.stdin.close()
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the program ended and its side of the terminal closed
                break
            if not chunk:
                break
            shown += chunk
        code = process.wait(timeout=60)
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    return code, shown.decode("utf-8")


def modules_loaded(
    env: dict[str, str], probe: str, *args: str, stdin: str = ""
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``python -c PROBE ARGS``, where the probe writes on stderr at exit a line
    ``LOADED: name name …`` (the modules it watches); those names."""
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=PROCESS_TIMEOUT,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("LOADED:")]
    assert lines, done.stderr
    return done, set(lines[-1].removeprefix("LOADED:").split())


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_clean_failure(done: subprocess.CompletedProcess[str], code: int) -> None:
    """Exit ``code`` with a sentence on stderr starting ``acctctl:`` (or Click's usage
    error), never a traceback."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    said = done.stderr.splitlines()
    assert done.stderr.startswith("Usage: ") or any(
        line.startswith("acctctl: ") for line in said
    ), done.stderr


@dataclass
class InProcess:
    """``acctctl ARGS`` through the real entry point (``acctctl.cli.app.main``) in this
    process: what ``run`` gives (exit code, stdout, stderr), without a process per value."""

    capsys: pytest.CaptureFixture[str]

    def __call__(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        from acctctl.cli.app import main

        self.capsys.readouterr()
        with pytest.MonkeyPatch.context() as patch:
            for key in [k for k in os.environ if k.startswith("ACCTCTL_")]:
                patch.delenv(key)
            for key, value in env.items():
                if key.startswith("ACCTCTL_") or key in ("LANG", "NO_COLOR"):
                    patch.setenv(key, value)
            for key in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
                patch.delenv(key, raising=False)
            code = main(list(args))
        out, err = self.capsys.readouterr()
        return subprocess.CompletedProcess(["acctctl", *args], code, out, err)


# --- a starting line: processes started, held, then released together ---------------------

_LAUNCHER = """
import os, runpy, sys
import acctctl.cli.app, acctctl.service, acctctl.store.sqlite, acctctl.store.jsonfile
try:
    import acctctl.store.postgres, psycopg
except ImportError:
    pass
ready = int(os.environ.pop("ACCTCTL_TEST_READY_FD"))
release = int(os.environ.pop("ACCTCTL_TEST_RELEASE_FD"))
os.write(ready, b".")
os.close(ready)
os.read(release, 1)
os.close(release)
sys.argv = ["acctctl", *sys.argv[1:]]
runpy.run_module("acctctl", run_name="__main__", alter_sys=True)
"""


@dataclass
class StartingLine:
    """``acctctl ARGS`` processes that pay for start-up and imports first, then wait at a
    barrier (a pipe) until ``release()`` lets all of them go at the same instant, so they
    really meet at the store. Each runs module ``acctctl`` as ``__main__``, exactly what
    ``python -m acctctl`` does."""

    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ready_r, self._ready_w = os.pipe()
        self._release_r, self._release_w = os.pipe()

    def start(self, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
        env = {
            **env,
            "ACCTCTL_TEST_READY_FD": str(self._ready_w),
            "ACCTCTL_TEST_RELEASE_FD": str(self._release_r),
        }
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *args],
            env=env,
            pass_fds=(self._ready_w, self._release_r),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.processes.append(process)
        return process

    def release(self, timeout: float = PROCESS_TIMEOUT) -> None:
        """Wait until every process is at the barrier, then let them all go."""
        os.close(self._ready_w)
        os.close(self._release_r)
        arrived = 0
        deadline = time.monotonic() + timeout
        while arrived < len(self.processes):
            left = deadline - time.monotonic()
            assert left > 0, f"only {arrived} of {len(self.processes)} reached the barrier"
            readable, _, _ = select.select([self._ready_r], [], [], min(left, 1.0))
            if readable:
                chunk = os.read(self._ready_r, 64)
                if not chunk:
                    died = [p.communicate(timeout=timeout) for p in self.processes if p.poll()]
                    raise AssertionError(f"a process died before reaching the barrier: {died}")
                arrived += len(chunk)
        os.close(self._ready_r)
        os.close(self._release_w)  # end of file: every process reads it at once

    def finish(self, timeout: float = PROCESS_TIMEOUT) -> list[tuple[int, str, str]]:
        """(exit code, stdout, stderr) of each process, in start order."""
        results = []
        for process in self.processes:
            out, err = process.communicate(timeout=timeout)
            results.append((process.returncode, out, err))
        return results


# --- accounts built in code -----------------------------------------------------------------


def partner_csn(n: int) -> str:
    return f"{5560000000 + n:010d}"


def contract_number(n: int) -> str:
    return f"1200000{n:05d}"


def subscription_id(n: int) -> str:
    return f"7300000{n:05d}"


def many_contracts(
    contracts: int, *, partners: int = 13, managed_by_thomas: int = 0
) -> AccountDocument:
    """An account with ``contracts`` eligible contracts, one subscription each, all with
    partner 0; ``partners`` active partners (0…). The first ``managed_by_thomas``
    contracts are managed by Thomas (a secondary admin), the others by Claire."""
    return AccountDocument(
        account=Account("5100000001", "Atelier Dupont"),
        users=[
            User(CLAIRE, "Claire Dupont", "primary_admin"),
            User(THOMAS, "Thomas Bernard", "secondary_admin"),
            User(MARC, "Marc Lefèvre", "secondary_admin"),
            User(JULIE, "Julie Martin", "user"),
        ],
        partners=[
            Partner(partner_csn(n), f"Partner {n}", "Lyon", "FR", f"p{n}@partners.example", True)
            for n in range(partners)
        ],
        contracts=[
            Contract(
                contract_number(n),
                THOMAS if n < managed_by_thomas else CLAIRE,
                TODAY + timedelta(days=400 + n),
                False,
                "standard",
                (partner_csn(0),),
            )
            for n in range(contracts)
        ],
        subscriptions=[
            Subscription(subscription_id(n), "AutoCAD", 1 + n % 50, "standard", contract_number(n))
            for n in range(contracts)
        ],
        notices=[Notice(TODAY - timedelta(days=6), partner_csn(1), "Your new partner")],
    )


def document_json(document: AccountDocument) -> str:
    return json.dumps(document_to_json(document), ensure_ascii=False, indent=2)


def exported(store: Store) -> dict[str, Any]:
    """The whole account as ``store export`` writes it, read through the store API."""
    with store.read() as reader:
        return document_to_json(reader.document())
