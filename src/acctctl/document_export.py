"""``store export`` in a stream: the document written record by record as the store
reads them, byte for byte what ``json.dumps(document_to_json(d), indent=2)`` writes
(a test compares them), without holding the account as objects or as one string:
contracts, subscriptions and changes come from the store's cursors as they are written.

``json.dumps`` with ``indent`` runs the pure-Python encoder anyway; records here are
flat (strings, numbers, booleans, null, lists of strings), so they are laid out by
hand around the C string encoder.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

from acctctl.document_json import (
    change_to_json,
    contract_to_json,
    event_to_json,
    notice_to_json,
    partner_to_json,
    subscription_to_json,
    user_to_json,
)
from acctctl.domain import FORMAT, DocumentStream
from acctctl.output import safe_json

_RECORD = "    "
_FIELD = "      "
_ITEM = "        "
_BATCH = 2000


def _value(value: Any) -> str:
    if isinstance(value, str):
        text: str = encode_basestring(value)
        return text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = ",\n".join(_ITEM + _value(item) for item in value)
        return f"[\n{items}\n{_FIELD}]"
    raise TypeError(f"unexpected value in a document record: {type(value).__name__}")


def _record(value: dict[str, Any]) -> str:
    fields = ",\n".join(f"{_FIELD}{encode_basestring(k)}: {_value(v)}" for k, v in value.items())
    return f"{_RECORD}{{\n{fields}\n{_RECORD}}}"


def _section(name: str, records: Iterable[dict[str, Any]], last: bool) -> Iterator[str]:
    end = "\n" if last else ",\n"
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        yield f'  "{name}": []{end}'
        return
    prefix = f'  "{name}": [\n'
    batch = [_record(first)]
    for record in iterator:
        batch.append(_record(record))
        if len(batch) >= _BATCH:
            yield prefix + ",\n".join(batch)
            prefix, batch = ",\n", []
    if batch:
        yield prefix + ",\n".join(batch)
    yield f"\n  ]{end}"


def document_chunks(document: DocumentStream) -> Iterator[str]:
    """The document's JSON text (indented by 2, non-ASCII kept, control and bidi
    characters escaped, a final newline), in pieces of a few thousand records."""
    account = document.account
    yield (
        f'{{\n  "format": {_value(FORMAT)},\n  "account": {{\n'
        f'    "csn": {_value(account.csn)},\n    "name": {_value(account.name)}\n  }},\n'
    )
    history = iter(document.history)
    first_event = next(history, None)
    sections: list[tuple[str, Iterable[dict[str, Any]]]] = [
        ("users", map(user_to_json, document.users)),
        ("partners", map(partner_to_json, document.partners)),
        ("contracts", map(contract_to_json, document.contracts)),
        ("subscriptions", map(subscription_to_json, document.subscriptions)),
        ("notices", map(notice_to_json, document.notices)),
        ("changes", map(change_to_json, document.changes)),
    ]
    if first_event is not None:  # written only when there is one (document_to_json)
        sections.append(("history", map(event_to_json, itertools.chain([first_event], history))))
    for n, (name, records) in enumerate(sections):
        yield from _section(name, records, last=n == len(sections) - 1)
    yield "}\n"


def write_document(document: DocumentStream, write: Callable[[str], object]) -> None:
    for chunk in document_chunks(document):
        write(safe_json(chunk))
