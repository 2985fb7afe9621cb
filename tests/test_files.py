"""Private files, and passwords never printed (issue 4, promise 7; SPEC §7).

Everything acctctl creates — the SQLite database and its WAL and SHM side files, a
JSON store and its lock file, the config file, an export, and every folder it makes
on the way — is 0600 (files) or 0700 (folders) whatever the umask of the process that
creates it. The real program runs under umask 000 and 022; the modes are read from
the file system. A password in a ``postgresql://`` store URL is never printed: not by
`store path`, `config show`, `config get`, nor in any error message.
"""

from __future__ import annotations

import contextlib
import json
import socket
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from real_program import (
    ACCTCTL,
    CLAIRE,
    PROCESS_TIMEOUT,
    document_json,
    environment,
    many_contracts,
    partner_csn,
    run,
    subscription_id,
)

pytestmark = pytest.mark.timeout(120)

UMASKS = pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask-000", "umask-022"])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(root: Path, created: Path) -> None:
    """``created`` and every folder between ``root`` (which the test made) and it."""
    assert mode(created) == (0o700 if created.is_dir() else 0o600), created
    for folder in created.relative_to(root).parents:
        if folder != Path("."):
            assert mode(root / folder) == 0o700, root / folder


class SideFileWatch:
    """Looks at the SQLite side files every millisecond while a process works, keeping
    the modes seen (they exist only while a connection is open)."""

    def __init__(self, database: Path) -> None:
        self.paths = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        self.seen: dict[str, set[int]] = {p.name: set() for p in self.paths}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.001):
            for path in self.paths:
                with contextlib.suppress(FileNotFoundError):  # not there between two blocks
                    self.seen[path.name].add(mode(path))

    def __enter__(self) -> SideFileWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@UMASKS
def test_the_default_sqlite_store_and_its_side_files_are_private(
    tmp_path: Path, umask: int
) -> None:
    home = tmp_path / "home"  # missing: acctctl creates it
    env = environment(home, None, user=CLAIRE)
    done = run(
        env,
        "store",
        "import",
        "--sandbox",
        "-",
        input=document_json(many_contracts(40)),
        umask=umask,
    )
    assert done.returncode == 0, done.stderr
    database = home / "data" / "account.db"
    assert_private(tmp_path, database)

    ids = "".join(f"{subscription_id(n)}\n" for n in range(40))
    with SideFileWatch(database) as watch:
        done = run(
            env, "partner", "change", "-", "--csn", partner_csn(1), "--yes", input=ids, umask=umask
        )
    assert done.returncode == 0, done.stderr
    assert watch.seen == {"account.db-wal": {0o600}, "account.db-shm": {0o600}}, watch.seen
    assert_private(tmp_path, database)


@UMASKS
def test_a_store_in_new_folders_is_private_all_the_way(tmp_path: Path, umask: int) -> None:
    database = tmp_path / "new" / "deeper" / "account.db"
    env = environment(tmp_path / "home", str(database), user=CLAIRE)
    assert run(env, "store", "init", "--demo", umask=umask).returncode == 0
    assert_private(tmp_path, database)


@UMASKS
def test_a_json_store_and_its_lock_file_are_private(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "new" / "account.json"
    env = environment(tmp_path / "home", str(path), user=CLAIRE)
    assert run(env, "store", "init", "--demo", umask=umask).returncode == 0
    done = run(env, "partner", "change", "72000000001", "--csn", "5550002222", "--yes", umask=umask)
    assert done.returncode == 0, done.stderr

    assert_private(tmp_path, path)
    assert_private(tmp_path, path.with_name("account.json.lock"))
    assert sorted(p.name for p in path.parent.iterdir()) == ["account.json", "account.json.lock"]
    assert json.loads(path.read_text(encoding="utf-8"))["changes"][0]["to"] == "5550002222"


@UMASKS
def test_the_config_file_and_its_folders_are_private(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "home"  # missing: the config file is the first thing written
    env = environment(home, None)
    done = run(env, "config", "set", "user", CLAIRE, umask=umask)
    assert done.returncode == 0, done.stderr
    config = home / "config" / "config.toml"
    assert_private(tmp_path, config)
    assert run(env, "config", "set", "lang", "fr", umask=umask).returncode == 0
    assert run(env, "config", "unset", "lang", umask=umask).returncode == 0
    assert_private(tmp_path, config)
    assert sorted(p.name for p in config.parent.iterdir()) == ["config.toml"]


@UMASKS
def test_an_export_is_private(tmp_path: Path, umask: int) -> None:
    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    assert run(env, "store", "init", "--demo", umask=umask).returncode == 0
    export = tmp_path / "account-export.json"
    assert run(env, "store", "export", "-o", str(export), umask=umask).returncode == 0
    assert mode(export) == 0o600


# --- passwords ---------------------------------------------------------------------------

SECRET = "S3cret-Pw"


def closed_port() -> int:
    """A port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def urls(port: int) -> dict[str, str]:
    return {
        "userinfo": f"postgresql://alice:{SECRET}@127.0.0.1:{port}/acctctl",
        "percent-encoded": f"postgresql://alice:{SECRET}%40%2F%3A@127.0.0.1:{port}/acctctl",
        "query": f"postgresql://alice@127.0.0.1:{port}/acctctl?password={SECRET}&sslmode=disable",
        "postgres-scheme": f"postgres://alice:{SECRET}@127.0.0.1:{port}/acctctl",
    }


def assert_no_secret(done: subprocess.CompletedProcess[str]) -> None:
    shown = done.stdout + done.stderr
    for secret in (SECRET, "S3cret", "%40%2F%3A"):
        assert secret not in shown, shown
    assert "Traceback" not in shown


@pytest.mark.slow
@pytest.mark.parametrize("form", list(urls(1)))
def test_a_password_in_a_store_url_is_never_printed(tmp_path: Path, form: str) -> None:
    url = urls(closed_port())[form]
    env = environment(tmp_path / "home", url, user=CLAIRE)

    path = run(env, "store", "path")
    assert path.returncode == 0 and "***" in path.stdout, path.stderr
    assert_no_secret(path)
    for args in (("config", "show"), ("config", "show", "--json")):
        shown = run(env, *args)
        assert shown.returncode == 0 and "127.0.0.1" in shown.stdout, shown.stderr
        assert_no_secret(shown)
    for args in (
        ("subs", "list"),
        ("store", "init", "--demo"),
        ("store", "check"),
        ("partner", "change", "72000000001", "--csn", "5550002222", "--yes"),
    ):
        failed = run(env, *args)
        assert failed.returncode == 6, (args, failed.stderr)
        assert "127.0.0.1" in failed.stderr
        assert_no_secret(failed)

    # The same URL kept in the config file instead of the environment.
    env.pop("ACCTCTL_STORE")
    assert run(env, "config", "set", "store", url).returncode == 0
    for args in (("config", "show"), ("config", "get", "store"), ("store", "path")):
        shown = run(env, *args)
        assert shown.returncode == 0, shown.stderr
        assert "127.0.0.1" in shown.stdout
        assert_no_secret(shown)
    flag = run({**env, "ACCTCTL_HOME": str(tmp_path / "other")}, "--store", url, "subs", "list")
    assert flag.returncode == 6
    assert_no_secret(flag)


def test_a_wrong_password_to_a_real_server_is_not_printed(
    postgres_server: str, tmp_path: Path
) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(postgres_server)
    wrong = parts._replace(
        netloc=f"{parts.username}:{SECRET}@{parts.hostname}:{parts.port or 5432}"
    ).geturl()
    env = environment(tmp_path / "home", wrong, user=CLAIRE)
    done = run(env, "subs", "list")
    assert done.returncode == 6, done.stderr
    assert "wrong user or password" in done.stderr
    assert_no_secret(done)

    right = environment(tmp_path / "home", postgres_server, user=CLAIRE)
    path = run(right, "store", "path")
    assert path.returncode == 0
    assert parts.password is not None and parts.password not in path.stdout + path.stderr


def test_a_killed_writer_leaves_no_stray_file(tmp_path: Path) -> None:
    """Crashes leave nothing readable by others either: whatever a killed bulk change
    leaves behind (side files of an open transaction) is 0600."""
    database = tmp_path / "account.db"
    env = environment(tmp_path / "home", str(database), user=CLAIRE)
    assert (
        run(
            env, "store", "import", "--sandbox", "-", input=document_json(many_contracts(60))
        ).returncode
        == 0
    )
    process = subprocess.Popen(
        [*ACCTCTL, "partner", "change", "-", "--csn", partner_csn(1), "--yes", "--json"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        umask=0,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("".join(f"{subscription_id(n)}\n" for n in range(60)))
    process.stdin.flush()
    first = json.loads(process.stdout.readline())
    assert first["status"] == "submitted"  # it is really part-way when killed
    process.kill()
    process.wait(timeout=PROCESS_TIMEOUT)
    process.stdin.close()
    for path in tmp_path.iterdir():
        if path.is_file():
            assert mode(path) == 0o600, path
