"""Links, and files that are not files (issue 14, items 1 and 7).

A JSON store or config file reached through a symbolic link is written through to
its target and the lock is taken beside the target. A FIFO, a device or a directory
named as a store, a document or the config is refused at once — these run the real
program under a timeout, since the failure they guard against is a hang. A read-only
store can still be read; a read-only file is not replaced behind its owner's back;
`store export -o` cannot overwrite the live store; a full disk is exit 6 with one
sentence. Read-only mounts and a tiny full file system are made in a private mount
namespace (`unshare`); where that is not allowed those tests skip.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from real_program import (
    ACCTCTL,
    CLAIRE,
    assert_clean_failure,
    document_json,
    environment,
    json_lines,
    many_contracts,
    partner_csn,
    run,
    subscription_id,
)

pytestmark = pytest.mark.timeout(120)

HANG = 30.0  # a hang is a test failure (TimeoutExpired), never a stuck suite
FILE_BACKENDS = pytest.mark.parametrize("suffix", [".db", ".json"], ids=["sqlite", "json"])


def make_store(home: Path, path: Path) -> dict[str, str]:
    """A store of a few contracts at ``path``; the environment acting on it as Claire."""
    env = environment(home, str(path), user=CLAIRE)
    document = home / "document.json"
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_text(document_json(many_contracts(3)), encoding="utf-8")
    done = run(env, "store", "import", "--sandbox", str(document))
    assert done.returncode == 0, done.stderr
    return env


def change(env: dict[str, str], n: int = 0, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        env, *extra, "partner", "change", subscription_id(n), "--csn", partner_csn(1),
        "--yes", "--json", timeout=HANG,
    )  # fmt: skip


# --- item 1: links ---------------------------------------------------------------------


def test_a_linked_json_store_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "disk" / "account.json"
    link = tmp_path / "account.json"
    make_store(tmp_path / "home", real)
    link.symlink_to(real)
    env = environment(tmp_path / "home", str(link), user=CLAIRE)

    done = change(env)

    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == real
    assert '"CHG-000001"' in real.read_text(encoding="utf-8")
    assert not (tmp_path / "account.json.lock").exists()  # the lock is beside the target


def test_writers_through_a_link_and_the_real_path_share_one_lock(tmp_path: Path) -> None:
    real = tmp_path / "disk" / "account.json"
    make_store(tmp_path / "home", real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    env = {**environment(tmp_path / "home", str(link), user=CLAIRE), "ACCTCTL_BUSY_TIMEOUT": "0.5"}
    before = real.read_bytes()

    # A writer using the real path holds the lock; one using the link must wait for it.
    fd = os.open(real.with_name(real.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done = change(env)
    finally:
        os.close(fd)

    assert_clean_failure(done, 6)
    assert "locked by another acctctl process" in done.stderr
    assert real.read_bytes() == before


def test_a_linked_config_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    home = tmp_path / "home"
    dotfiles = tmp_path / "dotfiles" / "acctctl.toml"
    dotfiles.parent.mkdir()
    dotfiles.write_text('lang = "en"\n', encoding="utf-8")
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.symlink_to(dotfiles)

    done = run(environment(home, None), "config", "set", "user", CLAIRE)

    assert done.returncode == 0, done.stderr
    assert config.is_symlink()
    assert dotfiles.read_text(encoding="utf-8") == f'lang = "en"\nuser = "{CLAIRE}"\n'


# --- item 7: what is not a file --------------------------------------------------------


@pytest.mark.slow
@FILE_BACKENDS
@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_a_store_that_is_not_a_file_is_refused_at_once(
    tmp_path: Path, suffix: str, kind: str
) -> None:
    store = tmp_path / ("store" + suffix)
    if kind == "fifo":
        os.mkfifo(store)
    elif kind == "directory":
        store.mkdir()
    else:
        store.symlink_to("/dev/zero")
    env = environment(tmp_path / "home", str(store), user=CLAIRE)
    said = {"fifo": "named pipe (FIFO)", "directory": "directory", "device": "device"}[kind]

    for args in (["subs", "list"], ["store", "init"], ["store", "init", "--force"]):
        done = run(env, *args, timeout=HANG)
        assert_clean_failure(done, 6)
        assert f"it is a {said}, not a file" in done.stderr, (args, done.stderr)
    assert store.is_symlink() if kind == "device" else not store.is_file()


@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "stdin-zero"])
def test_a_document_that_is_not_a_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    source = tmp_path / "document.json"
    if kind == "fifo":
        os.mkfifo(source)
    elif kind == "directory":
        source.mkdir()
    elif kind == "device":
        source = Path("/dev/zero")
    if kind == "stdin-zero":
        with open("/dev/zero", "rb") as zeros:
            done = subprocess.run(
                [*ACCTCTL, "store", "import", "-"], env=env, stdin=zeros,
                capture_output=True, text=True, timeout=HANG,
            )  # fmt: skip
        assert "holds NUL bytes" in done.stderr
    else:
        done = run(env, "store", "import", str(source), timeout=HANG)
        assert "not a file" in done.stderr
    assert_clean_failure(done, 2)
    assert not (tmp_path / "account.db").exists()


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_config_that_is_not_a_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    home = tmp_path / "home"
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(config)
    else:
        config.mkdir()

    done = run(environment(home, None), "config", "show", timeout=HANG)

    assert_clean_failure(done, 2)
    assert str(config) in done.stderr and "not a file" in done.stderr
    assert run(environment(home, None), "config", "path").stdout.strip() == str(config)


def test_a_read_only_json_store_is_not_replaced(tmp_path: Path) -> None:
    store = tmp_path / "account.json"
    env = make_store(tmp_path / "home", store)
    store.chmod(0o400)
    before = store.read_bytes()

    done = change(env)

    assert_clean_failure(done, 6)
    assert "read-only" in done.stderr
    assert store.read_bytes() == before and (store.stat().st_mode & 0o777) == 0o400
    assert run(env, "subs", "list", "--ids").returncode == 0  # it can still be read


@FILE_BACKENDS
def test_export_onto_the_live_store_is_refused(tmp_path: Path, suffix: str) -> None:
    store = tmp_path / ("account" + suffix)
    env = make_store(tmp_path / "home", store)
    link = tmp_path / "link"
    link.symlink_to(store)
    before = store.read_bytes()

    for output in (store, link, Path(str(store) + ("-wal" if suffix == ".db" else ".lock"))):
        done = run(env, "store", "export", "-o", str(output))
        assert_clean_failure(done, 2)
        assert "is the store itself" in done.stderr
    assert store.read_bytes() == before
    assert run(env, "store", "check").returncode == 0


# --- read-only mounts and a full disk, in a private mount namespace ---------------------


def _namespace(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``sh -c script args…`` as root of a private mount namespace (a user namespace for
    a non-root user): mounts made there vanish with it."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) for a private mount namespace")
    userns = [] if os.geteuid() == 0 else ["-r"]
    probe = subprocess.run(["unshare", *userns, "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr!r}")
    return subprocess.run(
        ["unshare", *userns, "-m", "sh", "-c", script, "sh", *args],
        env={**env, "PY": sys.executable}, capture_output=True, text=True, timeout=HANG * 4,
    )  # fmt: skip


def test_a_read_only_sqlite_store_can_be_read_and_exported(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    store = folder / "account.db"
    env = make_store(tmp_path / "home", store)
    expected = run(env, "store", "export").stdout
    script = """
    mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
    "$PY" -m acctctl subs list --ids > "$2/ids" || exit 10
    "$PY" -m acctctl store export > "$2/export" || exit 11
    "$PY" -m acctctl store check || exit 12
    """
    done = _namespace(script, env, str(folder), str(tmp_path))
    if done.returncode == 99:
        pytest.skip(f"cannot mount read-only here: {done.stderr!r}")

    assert done.returncode == 0, (done.returncode, done.stderr)
    assert (tmp_path / "ids").read_text().split() == [subscription_id(n) for n in range(3)]
    assert (tmp_path / "export").read_text() == expected


@FILE_BACKENDS
def test_a_full_disk_is_exit_6_with_one_sentence(tmp_path: Path, suffix: str) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    env = environment(tmp_path / "home", str(disk / ("account" + suffix)), user=CLAIRE)
    (tmp_path / "document.json").write_text(document_json(many_contracts(3)), encoding="utf-8")
    script = """
    mount -t tmpfs -o size=512k tmpfs "$1" || exit 99
    "$PY" -m acctctl store import --sandbox "$2" || exit 98
    dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null
    exec "$PY" -m acctctl partner change "$3" --csn "$4" --yes --json
    """
    done = _namespace(
        script, env, str(disk), str(tmp_path / "document.json"), subscription_id(0),
        partner_csn(1),
    )  # fmt: skip
    if done.returncode == 99:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")

    assert_clean_failure(done, 6)
    assert "no space left on the device" in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("acctctl:")] == [
        f"acctctl: Cannot write the store at {disk / ('account' + suffix)}: "
        "no space left on the device."
    ]
    assert json_lines(done.stdout) == []


def test_a_full_disk_under_export_and_config_is_exit_6(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, injected: the atomic writer behind `store export -o` and `config set`."""
    from typer.testing import CliRunner

    from acctctl.cli.app import app

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    make_store(tmp_path / "home", tmp_path / "account.json")
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_STORE", str(tmp_path / "account.json"))
    monkeypatch.setattr("acctctl.store.files.os.fsync", full)
    runner = CliRunner()
    for args in (
        ["store", "export", "-o", str(tmp_path / "out.json")],
        ["config", "set", "lang", "fr"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 6, (args, result.output)
        assert "no space left on the device" in result.stderr
    assert not (tmp_path / "out.json").exists()
    assert list(tmp_path.glob(".out.json.*")) == []  # no temp file left behind
