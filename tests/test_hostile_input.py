"""Hostile input: a clear message, its exit code, nothing written (issue 4, promise 4).

Identifiers and account numbers that are not what SPEC §2 allows — Unicode digits,
SQL, shell metacharacters, control characters, 5,000 characters, a leading ``-`` or
``+`` — are refused by the real program with one sentence on stderr, exit 2 (or 4 when
a well-formed id names nothing), and the store is left byte for byte as it was.
Account documents are fuzzed with hypothesis through ``store import``: type swaps,
missing and extra keys, duplicates, dangling references, impossible dates, huge
numbers. No document crashes acctctl, a refused one leaves the store unchanged, and an
accepted one is stored exactly as validated.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from acctctl.cli.app import app
from acctctl.document import parse_document
from acctctl.document_json import document_to_json
from acctctl.errors import AcctctlError, DocumentError
from acctctl.service import Context, replace_store
from acctctl.store.base import Store
from conftest import StoreFactory
from real_program import (
    CLAIRE,
    NOW_MOMENT,
    InProcess,
    assert_clean_failure,
    document_json,
    environment,
    exported,
    json_lines,
    many_contracts,
    run,
    subscription_id,
    target,
)

pytestmark = pytest.mark.timeout(300)

VALID_ID = subscription_id(1)
VALID_CSN = "5560000001"

# Each is refused wherever an id or an account number (CSN) is expected.
HOSTILE = {
    "fullwidth-digits": "７３００００００００００１",
    "arabic-indic-digits": "٧٣٠٠٠٠٠٠٠٠٠١",
    "devanagari-csn": "५५६००००००१",
    "sql-or": "1' OR '1'='1",
    "sql-drop": "73000000001'; DROP TABLE subscriptions; --",
    "shell-substitution": "$(touch PWNED)",
    "shell-backticks": "`touch PWNED`",
    "shell-chain": "73000000001; touch PWNED && echo | cat",
    "escape-sequence": "7300\x1b[2J\x1b]0;owned\x070001",
    "bell-and-return": "73000000001\x07\r",
    "bidi-override": "\u202e10000000037",
    "c1-csi": "7300\x9b31m0001",
    "5000-characters": "7" * 5000,
    "5000-digit-csn": "5" * 5000,
    "leading-plus": "+73000000001",
    "plus-csn": "+556000001",
    "path": "../../etc/passwd",
    "format-string": "{0}{id}%s%n",
    "blank": "   ",
}
# Click reads a leading '-' as an option; after '--' it reaches acctctl's own parsing.
LEADING_DASH = {"leading-dash": "-73000000001", "dash-csn": "-556000001"}

# Well-formed, but naming nothing in the account: not found (exit 4).
ABSENT = {"id": ("73099999999", "NaN", "CHG-999999"), "csn": ("5569999999",)}

# What each command expects where VALUE is (an id or a CSN), and the command.
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "subs-show": ("id", ("subs", "show", "VALUE")),
    "subs-auto-renew": ("id", ("subs", "auto-renew", "VALUE", "--off", "--yes")),
    "partner-lookup": ("csn", ("partner", "lookup", "VALUE")),
    "partner-change-id": ("id", ("partner", "change", "VALUE", "--csn", VALID_CSN, "--yes")),
    "partner-change-csn": ("csn", ("partner", "change", VALID_ID, "--csn", "VALUE", "--yes")),
    "partner-history": ("id", ("partner", "history", "VALUE")),
    "partner-cancel": ("id", ("partner", "cancel", "VALUE", "--yes")),
}


@pytest.fixture
def account(store_factory: StoreFactory) -> Iterator[tuple[StoreFactory, Store]]:
    store = store_factory()
    store.replace(many_contracts(4), force=False, sandbox=True)
    yield store_factory, store


def command_line(command: str, value: str, *, separated: bool) -> list[str]:
    """The command with ``value`` in its place; ``separated`` puts a positional value after
    ``--``, where Click no longer reads a leading '-' as an option."""
    template = COMMANDS[command][1]
    args = [value if a == "VALUE" else a for a in template]
    if separated and template[2] == "VALUE":
        args.remove(value)
        args += ["--", value]
    return args


def assert_refused(done: Any, raw: str, code: int) -> None:
    """Exit ``code``, one clean sentence, and the hostile text never echoed raw."""
    assert_clean_failure(done, code)
    for unsafe in ("\x1b", "\x07", "\r", "\x9b", "\u202e"):
        assert unsafe not in done.stderr + done.stdout
    assert raw not in done.stderr or len(raw) < 100, "a 5,000-character value echoed whole"


@pytest.mark.parametrize("way", ["in-process", pytest.param("process", marks=pytest.mark.slow)])
@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_ids_and_csns_are_refused_and_nothing_is_written(
    tmp_path: Path, command: str, way: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """On SQLite only: each value is refused while parsing, before any back end is asked
    (the tests below feed such values to every back end). In-process through the real
    entry point (fast); one process per value in the slow tier."""
    store_factory = StoreFactory("sqlite", tmp_path)
    store = store_factory()
    store.replace(many_contracts(4), force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    before, files = exported(store), store_factory.snapshot(store)
    acctctl = run if way == "process" else InProcess(capsys)
    cases = [(v, False, 2) for v in HOSTILE.values()]
    cases += [(v, separated, 2) for v in LEADING_DASH.values() for separated in (False, True)]
    cases += [(v, False, 4) for v in ABSENT[COMMANDS[command][0]]]
    for value, separated, code in cases:
        done = acctctl(env, *command_line(command, value, separated=separated))
        assert_refused(done, value, code)
        assert not (tmp_path / "PWNED").exists()
    assert exported(store) == before
    assert store_factory.snapshot(store) == files


def test_hostile_ids_on_standard_input_are_refused_one_by_one(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    """`partner change -`: each line is its own result; a hostile one is an error of its
    own (exit 2), the good one after it still goes through, and nothing else is written."""
    store = store_factory()
    store.replace(many_contracts(4), force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    before = exported(store)
    values = [*HOSTILE.values(), *LEADING_DASH.values(), "\x00", "7300\x000001"]
    lines = [v.replace("\r", "") for v in values if v.strip()] + [VALID_ID]

    done = run(
        env,
        "partner",
        "change",
        "-",
        "--csn",
        VALID_CSN,
        "--yes",
        "--json",
        input="\n".join(lines) + "\n",
    )

    assert done.returncode == 2, done.stderr
    results = json_lines(done.stdout)
    assert [r["status"] for r in results] == ["error"] * (len(lines) - 1) + ["submitted"]
    assert all(len(r["subscription"]) <= 80 for r in results)
    assert "Traceback" not in done.stderr
    for unsafe in ("\x1b", "\x07", "\x00", "\x9b", "\u202e"):
        assert unsafe not in done.stdout + done.stderr
    [change] = exported(store)["changes"]
    assert change["contract"] == "120000000001"
    assert {k: v for k, v in exported(store).items() if k not in ("changes", "history")} == {
        k: v for k, v in before.items() if k != "changes"
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "actor", ["1' OR '1'='1", "claire@dupont.example' --", "$(id)@x", "x" * 5000, "\u202eclaire"]
)
def test_a_hostile_identity_is_not_a_user(tmp_path: Path, actor: str) -> None:
    path = tmp_path / "account.db"
    env = environment(tmp_path / "home", str(path), user=actor)
    store_env = environment(tmp_path / "home", str(path), user=CLAIRE)
    assert (
        run(
            store_env, "store", "import", "--sandbox", "-", input=document_json(many_contracts(2))
        ).returncode
        == 0
    )
    before = path.read_bytes()

    done = run(env, "partner", "change", VALID_ID, "--csn", VALID_CSN, "--yes", "--json")

    assert done.returncode == 5, done.stderr
    # Who acts is settled before step 1: one sentence, no result line.
    assert done.stdout == "" and "is not a user of this account" in done.stderr
    assert "\u202e" not in done.stdout + done.stderr
    assert path.read_bytes() == before


# --- documents ---------------------------------------------------------------------------


def base_document() -> dict[str, Any]:
    """A small account using every part of the format: a new-model subscription, a
    notice, an applied change."""
    data = document_to_json(many_contracts(3))
    data["subscriptions"].append(
        {
            "id": "73000000999",
            "product": "Fusion",
            "seats": 2,
            "plan": "premium",
            "contract": None,
            "manager": CLAIRE,
            "term_end": "2027-02-01",
            "auto_renew": False,
            "partners": ["5560000002"],
        }
    )
    data["changes"] = [
        {
            "id": "CHG-000001",
            "contract": "120000000000",
            "from": ["5560000003"],
            "to": "5560000000",
            "by": CLAIRE,
            "submitted_at": "2026-10-01T09:00:00+00:00",
            "effective_at": "2026-10-01T10:00:00+00:00",
            "status": "applied",
        }
    ]
    parse_document(data)  # the base itself is valid
    return data


# Values that have broken importers before: impossible dates, numbers too large for a
# 64-bit column, NaN, near-miss identifiers, escape sequences, empty and huge strings.
NASTY_VALUES = [
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "2026-02-29",
    "99999-01-01",
    "2026-11-26T25:61:00Z",
    "2026-11-26T09:30:00+99:00",
    "",
    " ",
    "x" * 5000,
    "\x1b[31mred",
    "５５６００００００１",
    "556000000",
    "55600000000",
    "CHG-" + "9" * 60,
    "primary_admin ",
    "acctctl/2",
    10**30,
    -(2**63) - 1,
    2**64,
    0,
    -1,
    1e308,
    float("nan"),
    float("inf"),
    True,
    None,
    [],
    {},
]
NASTY = st.sampled_from(NASTY_VALUES)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | NASTY,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=5,
)
UNKNOWN_REFERENCES = st.sampled_from(
    ["5569999999", "999999999999", "ghost@nowhere.example", "73099999999", "CHG-999999"]
)

Path_ = tuple[str | int, ...]


def paths(node: Any, at: Path_ = ()) -> Iterator[Path_]:
    yield at
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*at, index))


def parent_of(document: Any, at: Path_) -> Any:
    node = document
    for step in at[:-1]:
        node = node[step]
    return node


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    document = base_document()
    for _ in range(draw(st.integers(1, 3))):
        every = list(paths(document))
        at = draw(st.sampled_from(every))
        kind = draw(st.sampled_from(["replace", "delete", "extra", "duplicate", "dangle", "swap"]))
        if not at:
            if kind == "replace":
                document = draw(JSON_VALUES)
            continue
        parent = parent_of(document, at)
        key = at[-1]
        if kind == "replace":
            parent[key] = draw(NASTY | JSON_VALUES)
        elif kind == "delete":
            del parent[key]
        elif kind == "extra" and isinstance(parent[key], dict):
            parent[key][draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
        elif kind == "duplicate" and isinstance(parent[key], list) and parent[key]:
            parent[key].append(copy.deepcopy(draw(st.sampled_from(parent[key]))))
        elif kind == "dangle" and isinstance(parent[key], str):
            parent[key] = draw(UNKNOWN_REFERENCES)
        elif kind == "swap":
            others = [p for p in every if p and p[: len(at)] != at and at[: len(p)] != p]
            if others:
                other = draw(st.sampled_from(others))
                other_parent = parent_of(document, other)
                parent[key], other_parent[other[-1]] = (
                    copy.deepcopy(other_parent[other[-1]]),
                    copy.deepcopy(parent[key]),
                )
    return document


@dataclass
class Importer:
    """A store holding the base account, and two ways to import a document over it:
    `acctctl store import FILE --force` (in this process through CliRunner, for speed:
    the real command's code), or the two calls that command makes, for the sweep."""

    store_factory: StoreFactory
    store: Store
    file: Path
    runner: CliRunner = field(default_factory=CliRunner)

    def through_cli(self, text: str) -> tuple[int, str]:
        self.file.write_text(text, encoding="utf-8")
        result = self.runner.invoke(
            app, ["store", "import", "--sandbox", str(self.file), "--force"]
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        return result.exit_code, result.stderr

    def through_library(self, text: str) -> tuple[int, str]:
        context = Context(store=self.store, now=NOW_MOMENT, actor=CLAIRE)
        try:
            replace_store(context, parse_document(json.loads(text)), force=True)
        except AcctctlError as error:  # anything else is a crash, and fails the test
            return error.exit_code, f"acctctl: {error.message}"
        return 0, ""


@pytest.fixture
def importer(
    store_factory: StoreFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Importer]:
    store = store_factory()
    store.replace(parse_document(base_document()), force=False)
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    for key in [k for k in env if k.startswith("ACCTCTL_")] + ["LANG"]:
        monkeypatch.setenv(key, env[key])
    for key in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "ACCTCTL_BUSY_TIMEOUT"):
        monkeypatch.delenv(key, raising=False)
    yield Importer(store_factory, store, tmp_path / "document.json")
    store.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=mutated_documents())
def test_fuzzed_documents_never_crash_and_never_half_import(
    importer: Importer, document: Any
) -> None:
    event(import_and_check(importer, document))


@pytest.mark.slow
def test_every_field_against_every_nasty_value(importer: Importer) -> None:
    """Systematic where the fuzzing is random: each field of the format (its first
    occurrence) given each value of NASTY_VALUES, one import each."""
    base = base_document()
    fields: dict[tuple[str, ...], Path_] = {}
    for at in paths(base):
        if at and not isinstance(parent_of(base, at)[at[-1]], dict | list):
            fields.setdefault(tuple(str(step) for step in at if isinstance(step, str)), at)
    outcomes = set()
    for at in fields.values():
        for value in NASTY_VALUES:
            document = base_document()
            parent_of(document, at)[at[-1]] = copy.deepcopy(value)
            outcomes.add(import_and_check(importer, document, quick=True))
    assert outcomes == {"accepted", "refused"}


def without_history(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "history"}


def import_and_check(importer: Importer, document: Any, *, quick: bool = False) -> str:
    """Import ``document`` over the base account: never a crash; refused (exit 2), the
    store is untouched — down to its bytes or rows unless ``quick``; accepted, it holds
    exactly what validation made of it (then the base account is put back). ``quick``
    also skips the command-line layer. Returns "accepted" or "refused"."""
    store_factory, store = importer.store_factory, importer.store
    before = exported(store)
    files = None if quick else store_factory.snapshot(store)
    text = json.dumps(document, ensure_ascii=False)

    try:
        expected: dict[str, Any] | None = document_to_json(parse_document(json.loads(text)))
    except DocumentError:
        expected = None
    code, said = (importer.through_library if quick else importer.through_cli)(text)

    assert "internal error" not in said and "Traceback" not in said
    if expected is None:
        assert code == 2, (code, said)
        assert said.startswith("acctctl: ")
        assert exported(store) == before
        assert files is None or store_factory.snapshot(store) == files
        return "refused"
    assert code == 0, said
    # The store keeps a history chain started from the changes (history.py): not part of
    # what the document said.
    assert without_history(exported(store)) == without_history(expected)
    store.replace(parse_document(base_document()), force=True)
    return "accepted"


# A few refused documents through the real process: the message names the place.
BAD_DOCUMENTS = {
    "dangling-partner": (
        lambda d: d["contracts"][1].update(partners=["5569999999"]),
        "contracts[1].partners[0]",
    ),
    "duplicate-subscription": (
        lambda d: d["subscriptions"].append(dict(d["subscriptions"][0])),
        "subscriptions[4].id",
    ),
    "impossible-date": (lambda d: d["contracts"][0].update(term_end="2027-02-30"), "term_end"),
    "huge-seats": (lambda d: d["subscriptions"][2].update(seats=10**40), "subscriptions[2].seats"),
    "type-swap": (lambda d: d["partners"][0].update(active="yes"), "partners[0].active"),
    "missing-key": (lambda d: d["users"][0].pop("role"), "users[0].role"),
    "extra-key": (lambda d: d["account"].update(owner="me"), "account"),
    "escape-in-name": (
        lambda d: d["partners"][1].update(name="\x1b]0;owned\x07Evil"),
        "partners[1].name",
    ),
    "two-pending": (
        lambda d: d["changes"].extend(
            [
                dict(d["changes"][0], id="CHG-000002", status="pending"),
                dict(d["changes"][0], id="CHG-000003", status="pending"),
            ]
        ),
        "changes[2].status",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", BAD_DOCUMENTS)
def test_a_refused_document_names_the_place_and_writes_nothing(
    account: tuple[StoreFactory, Store], tmp_path: Path, case: str
) -> None:
    store_factory, store = account
    mutate, place = BAD_DOCUMENTS[case]
    data = base_document()
    mutate(data)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    before, files = exported(store), store_factory.snapshot(store)

    done = run(env, "store", "import", "--sandbox", str(file), "--force")

    assert_clean_failure(done, 2)
    assert place in done.stderr, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert exported(store) == before
    assert store_factory.snapshot(store) == files


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "{", "\ufeff{}", "null", '"acctctl/1"', "[]", "1e999999"],
    ids=["deeply-nested", "truncated", "bom", "null", "string", "array", "huge-number"],
)
def test_what_is_not_an_account_document_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "account.db"
    env = environment(tmp_path / "home", str(path), user=CLAIRE)
    assert run(env, "store", "init", "--demo").returncode == 0
    before = path.read_bytes()

    done = run(env, "store", "import", "--sandbox", "-", "--force", input=text)

    assert_clean_failure(done, 2)
    assert path.read_bytes() == before
