"""``store import`` in a stream: the document validated record by record as it is read
and handed on to the store in the same pass (SPEC §7).

Every promise of ``parse_document`` holds — the same checks, the first problem named
by its place, the history's chain verified — and the store writes the records inside
one transaction that a problem found later rolls back, so a document that is wrong
anywhere still writes nothing. What changes is memory: a record at a time plus the
identifiers the references are checked against (and the changes, which the chain is
verified against), instead of the decoded document and all its objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

from acctctl.document import _TOP_OPTIONAL, _TOP_REQUIRED, _Parser
from acctctl.document_fields import _count, _csn, _record, _text
from acctctl.domain import FORMAT, Account, Change, DocumentStream, HistoryEvent
from acctctl.errors import DocumentError, UsageError
from acctctl.history import verify
from acctctl.i18n import _
from acctctl.json_stream import MISSING, Array, ObjectReader

T = TypeVar("T")


class Counts:
    """How many records went by, for the closing message."""

    subscriptions = 0
    contracts = 0
    partners = 0


def read_document(
    stream: IO[bytes], name: str, read_error: Callable[[OSError], UsageError]
) -> tuple[DocumentStream, Counts]:
    """The document in ``stream`` as a ``DocumentStream`` to be read once, in order;
    iterating it raises ``DocumentError`` (or ``UsageError`` for bytes that are not
    JSON) at the first problem. The format and account are checked before this
    returns; ``last_change_number`` is set once the history has been read."""
    reader = ObjectReader(stream, name, (*_TOP_REQUIRED, *_TOP_OPTIONAL), read_error)
    parser = _Parser()
    counts = Counts()
    version = reader.take("format")
    if version is MISSING:
        raise DocumentError("format", _("is missing (expected {format})").format(format=FORMAT))
    if version != FORMAT:
        raise DocumentError("format", _("must be {format}").format(format=FORMAT))
    record = _record(_required(reader, "account"), "account", ("csn", "name"))
    account = Account(_csn(record["csn"], "account.csn"), _text(record["name"], "account.name"))
    users = list(_section(reader, "users", parser.parse_user))
    partners = list(_section(reader, "partners", parser.parse_partner))
    counts.partners = len(partners)
    changes: list[Change] = []

    def contracts() -> Iterator[Any]:
        for contract in _section(reader, "contracts", parser.parse_contract):
            counts.contracts += 1
            yield contract

    def subscriptions() -> Iterator[Any]:
        for subscription in _section(reader, "subscriptions", parser.parse_subscription):
            counts.subscriptions += 1
            yield subscription

    def notices() -> Iterator[Any]:
        for index, value in enumerate(_items(reader, "notices", required=False)):
            yield parser.parse_notice(value, f"notices[{index}]")

    def changes_() -> Iterator[Change]:
        for change in _section(reader, "changes", parser.parse_change, required=False):
            changes.append(change)  # kept: the chain is verified against them
            yield change

    def history() -> Iterator[HistoryEvent]:
        events = [
            parser.parse_event(value, f"history[{index}]")
            for index, value in enumerate(_items(reader, "history", required=False))
        ]
        last = reader.take("last_change_number")
        document.last_change_number = _count(0 if last is MISSING else last, "last_change_number")
        reader.finish()  # nothing after the last member but what was refused already
        if events:  # a document that brings its history must bring an intact one
            broken = verify(changes, events)
            if broken:
                raise DocumentError("history", broken[0])
        yield from events

    document = DocumentStream(
        account, users, partners, contracts(), subscriptions(), notices(), changes_(), history()
    )
    return document, counts


def drain(document: DocumentStream) -> None:
    """Read every section, writing nothing: the document's problems, if any, raised."""
    for section in (
        document.contracts,
        document.subscriptions,
        document.notices,
        document.changes,
        document.history,
    ):
        for _item in section:
            pass


def _required(reader: ObjectReader, key: str) -> Any:
    value = reader.take(key)
    if value is MISSING:
        raise DocumentError(key, _("is missing"))
    return value


def _items(reader: ObjectReader, key: str, *, required: bool = True) -> Iterator[Any]:
    value = reader.take(key)
    if value is MISSING:
        if required:
            raise DocumentError(key, _("is missing"))
        return iter(())
    if not isinstance(value, (Array, list)):
        raise DocumentError(key, _("must be a list"))
    return iter(value)


def _section(
    reader: ObjectReader,
    key: str,
    parse: Callable[[Any, str, int], T],
    *,
    required: bool = True,
) -> Iterator[T]:
    for index, value in enumerate(_items(reader, key, required=required)):
        yield parse(value, f"{key}[{index}]", index)
