"""`store export` in a stream (issue 16): the bytes the whole-document path wrote,
from every back end, with and without a history chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from acctctl.demo import demo_document
from acctctl.document_export import document_chunks
from acctctl.document_json import document_to_json
from acctctl.domain import AccountDocument, DocumentStream, Partner
from acctctl.output import json_text, safe_json


def whole(document: AccountDocument) -> str:
    """What `store export` wrote before it streamed."""
    return json_text(document_to_json(document), indent=2) + "\n"


def streamed(document: DocumentStream) -> str:
    return "".join(safe_json(chunk) for chunk in document_chunks(document))


def test_the_same_bytes_as_the_whole_document(sample_document: AccountDocument) -> None:
    assert streamed(DocumentStream.of(sample_document)) == whole(sample_document)
    demo = demo_document(date(2026, 11, 26), datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert streamed(DocumentStream.of(demo)) == whole(demo)
    empty = AccountDocument(account=sample_document.account)
    assert streamed(DocumentStream.of(empty)) == whole(empty)


def test_what_a_terminal_would_obey_is_escaped(sample_document: AccountDocument) -> None:
    odd = Partner("5550009999", 'Évil "\u202e\x1b[2J" \\ 日本', "Li\u2028lle", "FR", "e@x.io", True)
    sample_document.partners.append(odd)
    text = streamed(DocumentStream.of(sample_document))
    assert text == whole(sample_document)
    assert "\x1b" not in text and "\u202e" not in text and "日本" in text


def test_many_records_span_chunks(sample_document: AccountDocument) -> None:
    base = sample_document.subscriptions[0]
    sample_document.subscriptions = [replace(base, id=f"72{n:09d}") for n in range(4_100)]
    assert streamed(DocumentStream.of(sample_document)) == whole(sample_document)


def test_every_store_streams_what_its_document_holds(
    store_factory: Any, sample_document: AccountDocument
) -> None:
    store = store_factory()
    store.replace(sample_document, force=False, sandbox=True)
    with store.write() as writer:  # a history record beyond the import's
        writer.set_auto_renew(
            "72000000001",
            True,
            by="claire@dupont.example",
            at=datetime(2026, 11, 26, 12, tzinfo=UTC),
        )
    with store.read() as reader:
        document = reader.document()
        assert document.history
        assert streamed(reader.document_stream()) == whole(document)
    store.close()
