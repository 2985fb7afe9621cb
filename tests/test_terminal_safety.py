"""Names from outside print inert (issue 4, promise 5).

Partner, product, user and account names, cities, e-mails and notice subjects are
written by other people: a reseller, a shared PostgreSQL store, a restored backup.
Import refuses control characters outright (document.py; see docs/reliability.md),
so these tests build the hostile account with the store API, which does not
validate: the renderers must be safe whatever the store holds.

What "inert" means, checked on the bytes a real terminal receives: no escape
sequence, bell, C1 control, line separator or bidi override of the data reaches it
raw (they are shown as ``\\x1b``-style escapes instead), and Rich markup in a name
prints as the characters typed. JSON keeps every name escaped, and exactly.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from acctctl.demo import (
    ALPES_CONCEPTION,
    ANCIEN_REVENDEUR,
    BIM_NANTES,
    BUREAU_NUMERIQUE,
    CADPRO,
    demo_document,
)
from acctctl.domain import Account, AccountDocument, Change, Notice, Partner, Subscription
from acctctl.output import card, inert, json_text, table
from acctctl.tables import Column
from conftest import StoreFactory, TerminalStream
from real_program import (
    CLAIRE,
    NOW_MOMENT,
    TODAY,
    InProcess,
    environment,
    exported,
    on_terminal,
    run,
    target,
)

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.timeout(120)

# Each payload carries a MARK, so a test can tell "shown inert" from "removed".
CSI = "\x1b[31mRED-MARK\x1b[0m"
CURSOR = "\x1b[5;5HMOVE-MARK"
OSC_TITLE = "\x1b]0;PWNED-TITLE\x07TITLE-MARK"
OSC_LINK = "\x1b]8;;http://evil.example/\x1b\\LINK8-MARK\x1b]8;;\x1b\\"
BELL = "BELL-MARK\x07\x07"
C1 = "\x9b31mC1-MARK\x9d0;t\x9c"
BIDI = "\u202eBIDI-MARK\u202c\u2066x\u2069"
FORGED = "NL-MARK\nforged line\r\u2028forged too"
RICH_BOLD = "[bold]BOLD-MARK[/bold]"
RICH_LINK = "[link=http://x]RLINK-MARK[/link]"
RICH_STYLE = "[red on white blink]STYLE-MARK"

# What must never reach a terminal raw.
RAW = (
    "\x1b[31mRED-MARK",
    "\x1b[5;5H",
    "\x1b]0;PWNED",
    "\x1b]8;;http://evil",
    "\x07",
    "\u009b",
    "\u009c",
    "\u009d",
    "\u202e",
    "\u202c",
    "\u2066",
    "\u2069",
    "\u2028",
)
MARKS = ("RED-MARK", "BOLD-MARK", "RLINK-MARK", "BIDI-MARK")
HOSTILE_ID = "72000000099" + OSC_TITLE
# A JSON store is an account document, validated when loaded: it cannot hold these.
STORES_WITH_ANY_TEXT = ["sqlite", "postgres"]


def hostile_account() -> AccountDocument:
    """The sample account with every name it shows made hostile, and a pending change
    (whose partner's name a rejection quotes)."""
    demo = demo_document(TODAY, NOW_MOMENT)
    names = {
        CADPRO: "CADpro " + CSI + RICH_LINK,
        BUREAU_NUMERIQUE: "Bureau " + OSC_TITLE + RICH_BOLD,
        BIM_NANTES: "BIM " + BIDI + RICH_STYLE,
        ALPES_CONCEPTION: "Alpes " + OSC_LINK + BELL,
        ANCIEN_REVENDEUR: "Ancien " + C1 + FORGED,
    }
    partners = [
        replace(p, name=names[p.csn], city="Lyon" + CURSOR, email="x" + BELL + "@p.example")
        for p in demo.partners
    ]
    products = [CSI, RICH_BOLD, BIDI, OSC_TITLE, RICH_LINK, C1, FORGED, OSC_LINK, CURSOR, BELL]
    subscriptions: list[Subscription] = [
        replace(s, product=f"{s.product[:8]} {products[i % len(products)]}")
        for i, s in enumerate(demo.subscriptions)
    ]
    # Ids are validated on import, but a shared store may hold anything.
    subscriptions.append(Subscription(HOSTILE_ID, "AutoCAD", 1, "standard", "110000000001"))
    users = [
        replace(u, name=u.name + " " + (CSI if i % 2 else RICH_LINK))
        for i, u in enumerate(demo.users)
    ]
    submitted = NOW_MOMENT - timedelta(minutes=10)
    return replace(
        demo,
        account=Account(demo.account.csn, "Atelier " + CSI + BIDI),
        users=users,
        partners=partners,
        subscriptions=subscriptions,
        notices=[Notice(TODAY - timedelta(days=6), BUREAU_NUMERIQUE, "New " + OSC_TITLE)],
        changes=[
            Change(
                "CHG-000001",
                "110000000001",
                None,
                (CADPRO,),
                BUREAU_NUMERIQUE,
                CLAIRE,
                submitted,
                submitted + timedelta(hours=1),
                "pending",
            )
        ],
    )


def assert_inert(screen: str) -> None:
    for raw in RAW:
        assert raw not in screen, f"{raw!r} reached the terminal raw"
    for line in screen.splitlines():
        assert not line.lstrip(" │┃|").startswith("forged"), "a name forged a line of output"


TERMINAL_COMMANDS = {
    "subs-list": (("subs", "list"), 0),
    "subs-list-eligible": (("subs", "list", "--eligible"), 0),
    "subs-list-ids": (("subs", "list", "--ids"), 0),
    "subs-show-several-partners": (("subs", "show", "72000000008"), 0),
    "subs-show-pending": (("subs", "show", "72000000001"), 0),
    "partner-lookup": (("partner", "lookup", BUREAU_NUMERIQUE), 0),
    "partner-lookup-inactive": (("partner", "lookup", ANCIEN_REVENDEUR), 0),
    "partner-history": (("partner", "history"), 0),
    "change-steps": (("partner", "change", "72000000009", "--csn", ALPES_CONCEPTION, "--yes"), 0),
    "change-rejected-quotes-pending-partner": (
        ("partner", "change", "72000000001", "--csn", BIM_NANTES, "--yes"),
        3,
    ),
    "change-dry-run": (("partner", "change", "72000000008", "--csn", CADPRO, "--dry-run"), 3),
}


@pytest.fixture
def hostile_store(store_factory: StoreFactory, tmp_path: Path) -> tuple[str, Any, dict[str, str]]:
    store = store_factory()
    store.replace(hostile_account(), force=False, sandbox=True)
    return store_factory.kind, store, environment(tmp_path / "home", target(store), user=CLAIRE)


@pytest.mark.slow
@pytest.mark.parametrize("command", TERMINAL_COMMANDS)
def test_every_table_and_card_prints_names_inert_on_a_terminal(
    hostile_store: tuple[str, Any, dict[str, str]], command: str
) -> None:
    kind, _store, env = hostile_store
    args, expected = TERMINAL_COMMANDS[command]
    code, screen = on_terminal(env, *args)
    if kind == "json":
        # A JSON store is an account document: loading it refuses the control
        # characters outright, so nothing of it is ever drawn.
        assert code == 6 and "not a valid account document" in screen, screen
        assert_inert(screen)
        return
    assert code == expected, screen
    assert "Traceback" not in screen
    assert_inert(screen)


@pytest.mark.parametrize("store_factory", STORES_WITH_ANY_TEXT, indirect=True)
def test_names_are_shown_not_removed_and_markup_prints_as_typed(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    store = store_factory()
    store.replace(hostile_account(), force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    _, listing = on_terminal(env, "subs", "list")
    _, lookup = on_terminal(env, "partner", "lookup", BUREAU_NUMERIQUE)

    for mark in MARKS:
        assert mark in listing, mark
    assert "\\x1b[31mRED-MARK" in listing  # escaped: the reader sees what is there
    assert RICH_BOLD in lookup and "\\x1b]0;PWNED-TITLE\\x07TITLE-MARK" in lookup
    assert "\x1b]8;" not in listing + lookup  # Rich made no hyperlink of [link=…]


@pytest.mark.parametrize("store_factory", STORES_WITH_ANY_TEXT, indirect=True)
def test_piped_output_is_inert_too(store_factory: StoreFactory, tmp_path: Path) -> None:
    store = store_factory()
    store.replace(hostile_account(), force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    for args in (("subs", "list"), ("subs", "show", "72000000008"), ("partner", "lookup", CADPRO)):
        done = run(env, *args)
        assert done.returncode == 0, done.stderr
        assert_inert(done.stdout + done.stderr)
        assert "\x1b" not in done.stdout + done.stderr


@pytest.mark.parametrize("store_factory", STORES_WITH_ANY_TEXT, indirect=True)
def test_json_keeps_every_name_escaped_and_exact(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    account = hostile_account()
    store = store_factory()
    store.replace(account, force=False, sandbox=True)
    env = environment(tmp_path / "home", target(store), user=CLAIRE)
    outputs = {
        args: run(env, *args)
        for args in (
            ("subs", "list", "--json"),
            ("subs", "show", "72000000008", "--json"),
            ("partner", "lookup", BUREAU_NUMERIQUE, "--json"),
            ("partner", "history", "--json"),
            ("store", "export"),
        )
    }
    for args, done in outputs.items():
        assert done.returncode == 0, (args, done.stderr)
        for raw in ("\x1b", "\x07", "\x9b", "\x9c", "\x9d", "\u202e", "\u2066", "\u2028", "\n\r"):
            assert raw not in done.stdout, (args, raw)
        json.loads(done.stdout)

    listing = json.loads(outputs[("subs", "list", "--json")].stdout)
    assert {s["product"] for s in listing} == {s.product for s in account.subscriptions}
    names = {p.csn: p.name for p in account.partners}
    assert all(p["name"] == names[p["csn"]] for s in listing for p in s["partners"])
    looked_up = json.loads(outputs[("partner", "lookup", BUREAU_NUMERIQUE, "--json")].stdout)
    assert looked_up["name"] == names[BUREAU_NUMERIQUE]
    assert json.loads(outputs[("store", "export")].stdout) == exported(store)


# --- the wizard, in a real terminal --------------------------------------------------------


def test_the_wizard_prints_names_inert_at_every_step_and_prompt(tmp_path: Path) -> None:
    """All eight steps on the hostile account: notices at step 1, users at step 2 (their
    names are the choices of the prompt), the table, the partner card, the review with
    the several-partners warning and its question naming the new partner, Done."""
    from acctctl.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "account.db")
    store.replace(hostile_account(), force=False, sandbox=True)
    env = environment(tmp_path / "home", str(tmp_path / "account.db"))
    env.pop("ACCTCTL_NO_PROMPT")
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="200", LINES="60")
    screen = io.StringIO()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "acctctl", "partner", "change", "72000000008"],
        env=env,
        dimensions=(60, 200),
        encoding="utf-8",
        timeout=60,
    )
    child.logfile_read = screen
    for question, keys in (
        ("Who is signing in?", "\r"),  # Claire, settled before step 1
        ("New partner's account number:", "\r"),  # the notice's partner: Bureau…
        ("Actions:", "\r"),  # Update reseller information
        ("Account number", "\r"),  # Find
        ("Is this the right partner?", "\r"),  # Yes: Next
        ("Replace all 2 partners with", "y"),
        ("Submit?", "\r"),
        ("Step 8/8", ""),
        ("Close the confirmation window:", "\r"),  # Done
    ):
        child.expect_exact(question)
        child.send(keys)
    child.expect(pexpect.EOF)
    child.close()
    shown = screen.getvalue()

    assert child.exitstatus == 0, shown[-2000:]
    assert_inert(shown)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert "\\x1b]0;PWNED-TITLE\\x07TITLE-MARK" in plain  # Bureau, shown escaped
    assert "RLINK-MARK" in plain and "BIDI-MARK" in plain


# --- the renderers themselves, on a stream that says it is a terminal ---------------------


HOSTILE_TEXTS = (CSI, CURSOR, OSC_TITLE, OSC_LINK, BELL, C1, BIDI, FORGED, RICH_BOLD, RICH_LINK)


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_table_and_card_render_any_text_inert(terminal: bool) -> None:
    stream: io.StringIO = TerminalStream() if terminal else io.StringIO()
    columns: list[Column[str]] = [
        Column("Name", "Name", str, str, whole=True),
        Column("Other", "Other", str, str),
    ]
    table(columns, HOSTILE_TEXTS, title=CSI, stream=stream)
    card(OSC_TITLE, [(f"Field {i}", text) for i, text in enumerate(HOSTILE_TEXTS)], stream=stream)
    drawn = stream.getvalue()

    assert_inert(drawn)
    assert "\x1b]8;" not in drawn
    assert RICH_BOLD in drawn and RICH_LINK in drawn


def test_inert_and_json_text_escape_every_dangerous_character() -> None:
    dangerous = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
    dangerous += ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029"]
    dangerous += [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
    for char in dangerous:
        assert char not in inert(f"a{char}b"), repr(char)
        assert char not in json_text({"name": f"a{char}b"}), repr(char)
        assert json.loads(json_text({"name": f"a{char}b"})) == {"name": f"a{char}b"}


def test_import_refuses_control_characters_outright(tmp_path: Path) -> None:
    """The decision of document.py: an imported name with a control or bidi character is
    refused (exit 2, the place named), not escaped and stored."""
    from acctctl.document_json import document_to_json

    env = environment(tmp_path / "home", str(tmp_path / "account.db"), user=CLAIRE)
    for text in (CSI, OSC_TITLE, BELL, C1, BIDI, FORGED, "\u2029", "\x00"):
        data = document_to_json(demo_document(TODAY, NOW_MOMENT))
        data["partners"][1]["name"] = "Bureau " + text
        done = run(env, "store", "import", "--sandbox", "-", input=json.dumps(data))
        assert done.returncode == 2, (text, done.stderr)
        assert "partners[1].name: must not contain control" in done.stderr
        assert_inert(done.stderr)
    assert not (tmp_path / "account.db").exists()
    data["partners"][1]["name"] = "Bureau " + RICH_BOLD + " » Numérique «"  # markup is text
    assert run(env, "store", "import", "--sandbox", "-", input=json.dumps(data)).returncode == 0


def test_store_check_prints_what_a_tampered_store_holds_inert(tmp_path: Path) -> None:
    """A problem found in a store quotes what the store holds: a tampered store must not
    reach the terminal through `store check` either."""
    from acctctl.store.sqlite import SqliteStore

    path = tmp_path / "account.db"
    SqliteStore(path).replace(demo_document(TODAY, NOW_MOMENT), force=False, sandbox=True)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO changes (id, ord, contract, subscription, holder, to_partner, by_user,"
        " submitted_at, effective_at, status) VALUES ('CHG-000009', 1, ?, NULL, ?, ?, ?,"
        " '2026-11-26T09:00:00+00:00', '2026-11-26T10:00:00+00:00', 'cancelled')",
        ("NOPE" + OSC_TITLE, "NOPE" + OSC_TITLE, CADPRO + BIDI, "x" + CSI),
    )
    connection.commit()
    connection.close()
    env = environment(tmp_path / "home", str(path), user=CLAIRE)

    code, screen = on_terminal(env, "store", "check")

    assert code == 6, screen
    assert "names unknown contract" in screen
    assert_inert(screen)


def test_partner_fields_keep_every_value_as_text() -> None:
    from acctctl.presentation import partner_fields

    partner = Partner(CADPRO, RICH_BOLD + CSI, "Lyon" + CURSOR, "FR" + BIDI, "e@x" + BELL, True)
    stream = TerminalStream()
    card("Partner", partner_fields(partner), stream=stream)
    assert_inert(stream.getvalue())
    assert RICH_BOLD in stream.getvalue()


def test_store_members_list_piped_is_login_tab_email_with_each_value_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tab between the columns is the separator a script splits on, not data to
    escape; a tab or escape inside a login (a shared store's) is escaped."""
    from acctctl.service import members
    from acctctl.store.base import Member

    listed = [Member("thomas_d", "thomas@dupont.example"), Member("bad\tlogin\x1b", "j@x.example")]
    monkeypatch.setattr(members, "list_members", lambda ctx: listed)
    env = environment(tmp_path / "home", None)
    done = InProcess(capsys)(env, "store", "members", "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "thomas_d\tthomas@dupont.example",
        "bad\\x09login\\x1b\tj@x.example",
    ]
