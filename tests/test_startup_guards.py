"""Start-up guards (docs/performance.md, issue 16): what a command imports, not its time.

* A command imports its own command group only, and `subs list --json` the listing
  only — not the views, the change and admin use cases, nor the other groups' modules.
* `--help` reads no store, and neither it nor a listing imports platformdirs on Linux
  (the XDG folders are worked out by `acctctl.dirs`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from real_program import CLAIRE, environment, modules_loaded, run

_PROBE = """
import atexit, os, runpy, sys
def report():
    sys.stderr.write("\\nLOADED: " + " ".join(sorted(sys.modules)) + "\\n")
atexit.register(report)
sys.argv = ["acctctl", *sys.argv[1:]]
runpy.run_module("acctctl", run_name="__main__", alter_sys=True)
"""


def loaded_by(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    return modules_loaded(env, _PROBE, *args)


@pytest.fixture
def home_env(tmp_path: Path) -> dict[str, str]:
    """The real default paths: a scratch HOME, no ACCTCTL_HOME, no XDG variables."""
    env = environment(tmp_path / "unused", None, user=CLAIRE)
    del env["ACCTCTL_HOME"]
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env.pop(variable, None)
    env["HOME"] = str(tmp_path / "home")
    assert run(env, "store", "init", "--demo").returncode == 0
    return env


OTHER_GROUPS = {
    "subs": {"acctctl.cli.partner", "acctctl.cli.store_commands", "acctctl.cli.config_commands"},
    "partner": {"acctctl.cli.subs", "acctctl.cli.store_commands", "acctctl.cli.config_commands"},
}


def test_a_listing_imports_its_group_and_the_listing_only(home_env: dict[str, str]) -> None:
    done, loaded = loaded_by(home_env, "subs", "list", "--json")
    assert done.returncode == 0, done.stderr
    assert '"id": "72000000001"' in done.stdout
    assert "acctctl.cli.subs" in loaded and "acctctl.service.listing" in loaded
    assert "acctctl.service.views" not in loaded  # a JSON listing builds no view
    assert loaded & OTHER_GROUPS["subs"] == set()
    assert loaded & {"acctctl.service.change", "acctctl.service.admin"} == set()
    if sys.platform == "linux":
        assert "platformdirs" not in loaded
    # Nor what drawing, writing and hashing need, nor the store protocols (annotations).
    assert (
        loaded
        & {
            "acctctl.tables",
            "acctctl.presentation",
            "acctctl.store.sqlite_writes",
            "acctctl.store.base",
            "hashlib",
            "struct",  # unpacks a translation catalog: English reads none
        }
        == set()
    )


def test_partner_lookup_imports_its_group_only(home_env: dict[str, str]) -> None:
    done, loaded = loaded_by(home_env, "--as", CLAIRE, "partner", "lookup", "5550002222")
    assert done.returncode == 0, done.stderr
    assert "acctctl.cli.partner" in loaded
    assert loaded & OTHER_GROUPS["partner"] == set()


@pytest.mark.parametrize("args", [("--help",), ("subs", "--help"), ()])
def test_help_reads_no_store(home_env: dict[str, str], args: tuple[str, ...]) -> None:
    done, loaded = loaded_by(home_env, *args)
    assert "Usage: acctctl" in done.stdout + done.stderr
    assert loaded & {"sqlite3", "acctctl.store.sqlite", "acctctl.service"} == set()
    if sys.platform == "linux":
        assert "platformdirs" not in loaded
    if args != ("subs", "--help"):  # the root's help: no JSON, no store package
        assert loaded & {"json", "acctctl.store"} == set()


def test_root_help_lists_every_group_and_a_group_runs_whole(home_env: dict[str, str]) -> None:
    shown = run(home_env, "--help").stdout
    for group in ("subs", "partner", "store", "config"):
        assert f"  {group} " in shown
    assert "list" in run(home_env, "subs", "--help").stdout
    assert "No such command 'nope'" in run(home_env, "nope").stderr


def test_the_whole_app_is_there_for_tools() -> None:
    from acctctl.cli.app import app

    assert {g.name for g in app.registered_groups} == {"subs", "partner", "store", "config"}
    assert all(g.typer_instance.registered_commands for g in app.registered_groups)


def test_only_the_command_that_runs_is_built() -> None:
    """`subs list …` builds the subs group with its `list` command alone; a word the group
    does not know, or an option before the command, gets the whole group."""
    from acctctl.cli.app import _only_group

    def commands(args: list[str]) -> set[str]:
        (subs,) = [g for g in _only_group(args).registered_groups if g.name == "subs"]
        assert subs.typer_instance is not None
        return {c.name or "" for c in subs.typer_instance.registered_commands}

    assert commands(["subs", "list", "--json"]) == {"list"}
    assert commands(["--store", "x.db", "subs", "--as", "a@b.example", "show", "1"]) == {"show"}
    whole = commands(["subs"])
    assert {"list", "show", "deadlines"} <= whole
    assert commands(["subs", "lst"]) == whole
    assert commands(["subs", "--help", "list"]) == whole


@pytest.mark.parametrize(
    "args",
    [
        ["subs", "list", "--help"],
        ["subs", "list", "--bogus"],
        ["subs", "lst"],
        ["subs", "--help", "list"],
        ["partner", "change", "--help"],
        ["subs", "show"],
        ["store", "import"],
        ["--lang", "fr", "subs", "list", "--help"],
    ],
)
def test_building_one_command_changes_nothing_said(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Help, usage errors and suggestions read the same as with the whole application."""
    from acctctl.cli import app as cli
    from acctctl.i18n import set_language

    said = []
    for build in (cli._only_group, lambda _args: cli._app_with([g for g, _m, _h in cli._GROUPS])):
        monkeypatch.setattr(cli, "_only_group", build)
        code = cli.main(list(args))
        said.append((code, *capsys.readouterr()))
    set_language("en")
    assert said[0] == said[1]
    assert ": acctctl" in said[0][1] + said[0][2]  # Usage: / Utilisation :


_GC_PROBE = """
import atexit, gc, runpy, sys
collections = []
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.append(info))
def report():
    sys.stderr.write(f"\\nGC: {gc.isenabled()} {gc.get_freeze_count()} {len(collections)}\\n")
atexit.register(report)
sys.argv = ["acctctl", *sys.argv[1:]]
runpy.run_module("acctctl", run_name="__main__", alter_sys=True)
"""


def test_start_up_sets_its_objects_aside_from_the_cycle_collector(
    home_env: dict[str, str],
) -> None:
    """What importing Typer and the application creates is frozen, not walked again and
    again; the collector is on for the command itself."""
    done = subprocess.run(
        [sys.executable, "-c", _GC_PROBE, "subs", "list", "--json"],
        env=home_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    enabled, frozen, collections = done.stderr.rsplit("GC: ", 1)[1].split()
    assert enabled == "True"
    assert int(frozen) > 10_000  # the modules, classes and functions of the start
    assert int(collections) < 15  # ~35 when the start-up is walked


# Notes, at exit, the module that had source text compiled at run time (``exec``): for
# a dataclass, the module that declared it (the first caller outside ``dataclasses``);
# and which of the SQLite tables' row mappers were compiled.
_EXEC_PROBE = """
import atexit, builtins, runpy, sys
compiled = set()
real_exec = builtins.exec
def exec_noted(*args, **kwargs):
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == "dataclasses":
        frame = frame.f_back
    if frame is not None:
        compiled.add(frame.f_globals.get("__name__", "?"))
    return real_exec(*args, **kwargs)
builtins.exec = exec_noted
def report():
    schema = sys.modules.get("acctctl.store.sqlite_schema")
    mappers = []
    for name, table in vars(schema).items() if schema else ():
        if isinstance(table, schema.Table):
            mappers += [f"{name}.{m}" for m in ("to_domain", "params") if m in vars(table)]
    sys.stderr.write("\\nLOADED: " + " ".join(sorted(compiled)) + "\\n")
    sys.stderr.write("MAPPERS: " + " ".join(mappers) + "\\n")
atexit.register(report)
sys.argv = ["acctctl", *sys.argv[1:]]
runpy.run_module("acctctl", run_name="__main__", alter_sys=True)
"""


def test_a_listing_compiles_no_code_of_ours(home_env: dict[str, str]) -> None:
    """The domain's, the rules' and the settings' dataclasses are written out
    (acctctl.values), and the SQLite tables' row mappers are compiled on first use: a
    listing, which reads its subscriptions' rows itself, compiles only the mappers of
    the users (the acting one) and the partners (their names) — ~6 ms of a start that
    is ~50 compiled nothing else."""
    done, compiled = modules_loaded(home_env, _EXEC_PROBE, "subs", "list", "--json")
    assert done.returncode == 0, done.stderr
    assert '"id": "72000000001"' in done.stdout
    assert {name for name in compiled if name.startswith("acctctl")} <= {"acctctl.store.columns"}
    mappers = done.stderr.rsplit("MAPPERS: ", 1)[1].split()
    assert sorted(mappers) == ["PARTNERS.to_domain", "USERS.to_domain"]
    # The probe sees them when they are compiled: a command that reads users does.
    done, compiled = modules_loaded(home_env, _EXEC_PROBE, "store", "export")
    assert done.returncode == 0, done.stderr
    assert "acctctl.store.columns" in compiled
    assert "CONTRACTS.to_domain" in done.stderr.rsplit("MAPPERS: ", 1)[1]
