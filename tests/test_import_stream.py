"""`store import` in a stream (issue 16): the promises of the whole-document path —
same checks, same places, same sentences, the chain verified, nothing written when
anything is wrong — with the document read a chunk at a time (3 bytes cuts every
key, value and multi-byte character somewhere)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from acctctl import json_stream
from acctctl.cli.app import app
from acctctl.document import parse_document
from acctctl.document_import import read_document
from acctctl.document_input import decode_json, read_problem
from acctctl.document_json import document_to_json
from acctctl.domain import AccountDocument, DocumentStream
from acctctl.errors import DocumentError, UsageError
from acctctl.history import synthesize
from acctctl.store.invariants import format_change_id
from conftest import CLAIRE, StoreFactory
from test_document import CASES, VALID_VARIANTS, Mutation, valid


@pytest.fixture(params=[3, 64, 1 << 20], ids=["chunk3", "chunk64", "chunk1M"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    size: int = request.param
    monkeypatch.setattr(json_stream, "_CHUNK", size)
    return size


def stream_of(raw: str | bytes) -> DocumentStream:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    document, _counts = read_document(
        io.BytesIO(data), "doc.json", lambda exc: read_problem("doc.json", exc)
    )
    return document


def streamed(raw: str | bytes) -> AccountDocument:
    return stream_of(raw).collect()


@pytest.mark.parametrize(("mutate", "place", "fragment"), CASES)
def test_streamed_import_names_the_same_place(
    mutate: Mutation, place: str, fragment: str, chunk: int
) -> None:
    with pytest.raises(DocumentError) as caught:
        streamed(json.dumps(mutate(valid()), indent=2))
    assert caught.value.place == place
    assert fragment in caught.value.problem


@pytest.mark.parametrize("mutate", VALID_VARIANTS)
def test_streamed_import_reads_what_parse_document_reads(mutate: Mutation, chunk: int) -> None:
    value = mutate(valid())
    assert streamed(json.dumps(value, ensure_ascii=False)) == parse_document(value)
    assert streamed(json.dumps(value, indent=4)) == parse_document(value)


def test_history_and_last_change_number_come_through(chunk: int) -> None:
    document = parse_document(valid())
    document.history = synthesize(document.changes)
    document.last_change_number = 4242
    got = streamed(json.dumps(document_to_json(document)))
    assert got.history == document.history
    assert got.last_change_number == 4242


def test_a_chain_that_does_not_hold_is_refused_when_the_stream_is_read(chunk: int) -> None:
    document = parse_document(valid())
    value = document_to_json(document) | {
        "history": [
            {
                "event": e.event,
                "change": e.change,
                "at": e.at.isoformat(),
                "by": e.by,
                "hash": e.hash,
            }
            for e in synthesize(document.changes)
        ]
    }
    value["history"][0]["hash"] = "0" * 64
    with pytest.raises(DocumentError) as caught:
        streamed(json.dumps(value))
    assert caught.value.place == "history"
    assert "hash does not match" in caught.value.problem


BROKEN = [
    b"",
    b"{",
    b'{"format": "acctctl/1" "account": {}}',
    b'{"format": "acctctl/1", "users": [1 2]}',
    b'{"format": "acctctl/1"}\n\n  x',
    b'{"format": "acctctl/1",\n "users": [\n  "unterminated\n ]}',
    "\ufeff{}".encode(),
    b"[1, 2",
    '{"format": "acctctl/1", "users": ["é", "日本", 1.5e]}'.encode(),
    b'{"format": "acctctl/1", "account": "\xc3\xa9\xff"}',
    b'{"format": "acctctl/1", "account": "\xe6\x97"',
    b'{"format": "acctctl/1", "account": "\x00"}',
    b"[" * 100_000 + b"]" * 100_000,
]


@pytest.mark.parametrize("raw", BROKEN)
def test_bytes_that_are_not_json_get_decode_json_s_sentence(raw: bytes, chunk: int) -> None:
    with pytest.raises(UsageError) as expected:
        decode_json(raw, "doc.json")
    with pytest.raises(UsageError) as caught:
        streamed(raw)
    assert not isinstance(caught.value, DocumentError)
    assert str(caught.value) == str(expected.value)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ('{"format": "acctctl/1", "format": "acctctl/1"}', "format"),
        (json.dumps(valid())[:-1] + ', "users": []}', "users"),
        (
            json.dumps(valid()).replace('"seats": 10,', '"seats": 10, "seats": 1000,', 1),
            "subscriptions[0].seats",
        ),
        (json.dumps(valid()).replace('"csn": ', '"csn": "1", "csn": ', 1), "account.csn"),
    ],
)
def test_a_key_named_twice_is_refused_with_its_place(text: str, place: str, chunk: int) -> None:
    assert '"seats": 10,' in json.dumps(valid())
    with pytest.raises(DocumentError) as caught:
        streamed(text)
    assert caught.value.place == place
    assert caught.value.problem == "the key appears more than once in this object"


def test_nul_bytes_stop_the_reading() -> None:
    class Zeros(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            self.reads += 1
            buffer[:] = b"\0" * len(buffer)
            return len(buffer)

    zeros = Zeros()
    with pytest.raises(UsageError, match="NUL"):
        read_document(io.BufferedReader(zeros), "standard input", lambda exc: UsageError(""))
    assert zeros.reads < 5


def test_a_problem_in_the_last_record_leaves_the_store_as_it_was(
    store_factory: StoreFactory, sample_document: AccountDocument, chunk: int
) -> None:
    store = store_factory()
    store.replace(sample_document, force=False)
    value = valid()
    value["changes"][-1]["to"] = "5559999999"
    with pytest.raises(DocumentError) as caught:
        store.replace(stream_of(json.dumps(value)), force=True)
    assert caught.value.place == f"changes[{len(value['changes']) - 1}].to"
    with store.read() as reader:
        assert reader.document() == sample_document
    store.close()


def test_a_streamed_import_round_trips_through_every_store(
    store_factory: StoreFactory, sample_document: AccountDocument
) -> None:
    store = store_factory()
    value = document_to_json(sample_document) | {"last_change_number": 77}
    store.replace(stream_of(json.dumps(value)), force=False)
    with store.read() as reader:
        got = reader.document()
        assert replace(got, last_change_number=0) == sample_document
    with store.write() as writer:  # numbering goes on from the document's (issue 14)
        assert writer.next_change_id() == format_change_id(78)
    store.close()


def _import(tmp_path: Path, store: Path, *args: str, input: str | None = None) -> Any:
    env = {
        "ACCTCTL_HOME": str(tmp_path / "home"),
        "ACCTCTL_STORE": str(store),
        "ACCTCTL_NO_PROMPT": "1",
        "ACCTCTL_USER": CLAIRE,
    }
    return CliRunner().invoke(app, ["store", "import", *args], env=env, input=input)


def test_a_wrong_last_record_leaves_no_store_file(tmp_path: Path) -> None:
    value = valid()
    value["changes"][-1]["to"] = "5559999999"
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(value))
    store = tmp_path / "new" / "acctctl.db"
    refused = _import(tmp_path, store, str(source))
    assert refused.exit_code == 2, refused.output
    assert ".to:" in refused.stderr
    assert sorted(p.name for p in store.parent.iterdir()) == []


def test_a_wrong_document_is_named_before_the_existing_store(tmp_path: Path) -> None:
    store = tmp_path / "acctctl.db"
    assert _import(tmp_path, store, "-", input=json.dumps(valid())).exit_code == 0
    value = valid()
    value["subscriptions"][-1]["seats"] = 0
    refused = _import(tmp_path, store, "-", input=json.dumps(value))
    assert refused.exit_code == 2, refused.output
    assert "seats" in refused.stderr and "already exists" not in refused.stderr
    exists = _import(tmp_path, store, "-", input=json.dumps(valid()))
    assert exists.exit_code != 0 and "already exists" in exists.stderr


def _many_subscriptions() -> dict[str, Any]:
    """valid() with 1,500 subscriptions, some products holding "}," and "[", so that
    runs of elements meet cuts inside strings."""
    value = valid()
    first = value["subscriptions"][0]
    value["subscriptions"] = [
        *(
            dict(first, id=f"72{n:09d}", product="Revit },{ [x] }," if n % 7 == 0 else "AutoCAD")
            for n in range(100, 1600)
        ),
        *value["subscriptions"],
    ]
    return value


def test_runs_of_elements_read_what_element_by_element_reads(chunk: int) -> None:
    """Array elements are decoded many at a time (json_stream.ObjectReader.run): the
    same records, however the chunks and the cuts fall."""
    value = _many_subscriptions()
    expected = parse_document(value)
    for text in (json.dumps(value, ensure_ascii=False), json.dumps(value, indent=2)):
        assert streamed(text) == expected


def test_a_key_named_twice_deep_in_a_run_is_named_by_its_place(chunk: int) -> None:
    text = json.dumps(_many_subscriptions())
    marker = '"id": "72000001050",'
    assert marker in text
    text = text.replace(marker, marker + ' "seats": 11,', 1)
    with pytest.raises(DocumentError) as caught:
        streamed(text)
    assert caught.value.place == "subscriptions[950].seats"
    assert caught.value.problem == "the key appears more than once in this object"


def test_a_mistake_deep_in_a_run_is_placed_as_json_loads_places_it(chunk: int) -> None:
    text = json.dumps(_many_subscriptions(), indent=2)
    broken = text.replace('"id": "72000001400"', '"id": "72000001400" "x"', 1)
    with pytest.raises(UsageError) as expected:
        decode_json(broken.encode(), "doc.json")
    with pytest.raises(UsageError) as caught:
        streamed(broken)
    assert str(caught.value) == str(expected.value)
