"""`subs list --json` encodes each contract's shared part once (acctctl.listing_json):
the text is exactly what encoding each view on its own gives, on every kind of row."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from acctctl.demo import demo_document
from acctctl.document import parse_document
from acctctl.domain import AccountDocument
from acctctl.listing_json import row_lines, subscription_lines
from acctctl.output import json_text
from acctctl.service.context import Context
from acctctl.service.listing import listing_rows
from acctctl.service.views import list_subscriptions
from acctctl.store.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def generated(size: int) -> AccountDocument:
    """bench/make_account.py's account: every rule, pending changes, two-partner contracts."""
    spec = importlib.util.spec_from_file_location(
        "make_account", ROOT / "bench" / "make_account.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_account"] = module
    spec.loader.exec_module(module)
    return parse_document(module._Account(size, NOW, 1).document())


def hostile(document: AccountDocument) -> AccountDocument:
    """Names a terminal must not obey and JSON lets through: C1 controls, bidi overrides."""
    subs = [
        replace(s, product=s.product + '\u202e\x85\x7f "q" é') if n % 2 else s
        for n, s in enumerate(document.subscriptions)
    ]
    partners = [replace(p, name=p.name + "\u2066\x9b") for p in document.partners]
    return replace(document, subscriptions=subs, partners=partners)


@pytest.mark.parametrize("kind", ["demo", "hostile demo", "generated"])
@pytest.mark.parametrize("actor", ["claire@dupont.example", "user03@dupont.example", None])
def test_each_line_is_the_view_encoded_on_its_own(
    tmp_path: Path, kind: str, actor: str | None
) -> None:
    document = {
        "demo": lambda: demo_document(NOW.date(), NOW),
        "hostile demo": lambda: hostile(demo_document(NOW.date(), NOW)),
        "generated": lambda: generated(2000),
    }[kind]()
    store = SqliteStore(tmp_path / "account.db")
    store.replace(document, force=False)
    ctx = Context(store=store, now=NOW, actor=actor)
    expected = [json_text(view.to_json()) for view in list_subscriptions(ctx)]
    assert list(subscription_lines(list_subscriptions(ctx))) == expected
    assert list(row_lines(listing_rows(ctx))) == expected  # subs list --json's own path
    assert len(expected) == len(document.subscriptions)
    if kind == "hostile demo":
        assert any("\\u202e" in line for line in expected)  # escaped, not raw
    if kind == "generated":
        shown = [json.loads(line) for line in expected]
        assert any(row["pending_change"] for row in shown)
        assert {r["code"] for row in shown for r in row["reasons"]} >= {"auto-renew", "expired"}
