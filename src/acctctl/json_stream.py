"""A JSON object read member by member, its arrays element by element (``store import``).

``json.load`` of a 1,000,000-subscription document builds every record as a dict
at once (about 1 GB); an import only ever needs one record at a time. This reads
the top-level object's members in file order with the C decoder
(``JSONDecoder.raw_decode``) one value — or one array element — at a time, from a
buffer refilled in chunks, so memory holds a chunk and a record, not the document.

It refuses what ``document_input.decode_json`` refuses, with the same sentences
(built there): JSON errors at the same line and column, NUL bytes (``store import <
/dev/zero`` must not read forever), bytes that are not UTF-8 at the same position,
and an object naming one key twice, named by place.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from acctctl.document_input import (
    duplicate_finder,
    first_duplicate,
    holds_nul,
    key_in_place,
    not_json,
    not_utf8,
    too_deep,
)
from acctctl.errors import DocumentError, UsageError
from acctctl.i18n import _
from acctctl.ids import shown

_CHUNK = 1 << 20
_MAX_VALUE = 16 * _CHUNK
_RUN = 1 << 18  # characters of array elements decoded by one call (``ObjectReader.run``)
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class Missing:
    """A member the object does not have."""


MISSING = Missing()


class Array:
    """A top-level member's array, decoded one element at a time as it is iterated."""

    def __init__(self, reader: ObjectReader, key: str) -> None:
        self._reader = reader
        self.key = key
        self.done = False

    def __iter__(self) -> Iterator[Any]:
        reader = self._reader
        if self.done:
            return
        index = 0
        reader.skip()
        if reader.peek() == "]":
            reader.pos += 1
        else:
            while True:
                run = reader.run()
                if run:
                    yield from run
                    index += len(run)
                else:
                    yield reader.value(f"{self.key}[{index}]")
                    index += 1
                reader.skip()
                char = reader.peek()
                reader.pos += 1
                if char == "]":
                    break
                if char != ",":
                    reader.fail("Expecting ',' delimiter", reader.pos - 1)
                reader.skip()
        self.done = True
        reader.array_done()


class ObjectReader:
    """The top-level object of a JSON text read from ``stream``, member by member.

    ``take(key)`` returns that member's value — an ``Array`` for an array, read lazily
    — or ``MISSING``. Members met before the one asked for are decoded whole and held
    (a document in another order than SPEC's still imports, only less frugally).
    """

    def __init__(
        self,
        stream: IO[bytes],
        name: str,
        allowed: tuple[str, ...],
        read_error: Callable[[OSError], UsageError],
    ) -> None:
        self.name = name
        self._stream = stream
        self._read_error = read_error
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._read = 0  # bytes read so far, to place a bad byte
        self.buffer = ""
        self.pos = 0
        self._no_run_before = -1  # a run that failed ends here (in the buffer)
        self._eof = False
        self._lines = 0  # newlines in the text dropped from the buffer
        self._column = 0  # characters after the last of them
        self._found, make = duplicate_finder()
        self._decoder = json.JSONDecoder(object_pairs_hook=make)
        self._allowed = allowed
        self._held: dict[str, Any] = {}
        self._seen: set[str] = set()
        self._open: Array | None = None
        self._ended = False
        self._start()

    # --- the members --------------------------------------------------------------------

    def take(self, key: str) -> Any:
        if key in self._held:
            return self._held.pop(key)
        self._settle_open()
        while not self._ended:
            name, value = self._member()
            if name == key:
                return value
            if isinstance(value, Array):
                value = list(value)
            self._held[name] = value
        return MISSING

    def finish(self) -> None:
        """Read to the end: the rest must be members already refused or nothing."""
        self._settle_open()
        while not self._ended:
            self._member()
            self._settle_open()

    def _settle_open(self) -> None:
        if self._open is not None and not self._open.done:
            self._held[self._open.key] = list(self._open)
        self._open = None

    def array_done(self) -> None:
        self._after_member()

    def _start(self) -> None:
        self.skip()
        if self.peek() == "\ufeff":
            self.fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", self.pos)
        if self.peek() != "{":
            value = self.value("")  # JSON errors first, as json.loads gives them
            self.skip()
            if self.pos < len(self.buffer):
                self.fail("Extra data", self.pos)
            del value
            raise DocumentError("", _("the document must be a JSON object"))
        self.pos += 1
        self.skip()
        if self.peek() == "}":
            self.pos += 1
            self._end()

    def _end(self) -> None:
        """The object is closed: nothing but whitespace may follow."""
        self._ended = True
        self.skip()
        if self.pos < len(self.buffer):
            self.fail("Extra data", self.pos)

    def _member(self) -> tuple[str, Any]:
        if self.peek() != '"':
            self.fail("Expecting property name enclosed in double quotes", self.pos)
        key = self.value("")
        self.skip()
        if self.peek() != ":":
            self.fail("Expecting ':' delimiter", self.pos)
        self.pos += 1
        self.skip()
        if key not in self._allowed:
            raise DocumentError(
                "",
                _("unknown key {key} (allowed: {allowed})").format(
                    key=shown(str(key)), allowed=", ".join(self._allowed)
                ),
            )
        if key in self._seen:
            raise DocumentError(
                key_in_place(key), _("the key appears more than once in this object")
            )
        self._seen.add(key)
        if self.peek() == "[":
            self.pos += 1
            self._open = Array(self, key)
            return key, self._open
        value = self.value(key)
        self._after_member()
        return key, value

    def _after_member(self) -> None:
        self.skip()
        char = self.peek()
        self.pos += 1
        if char == "}":
            self._end()
        elif char == ",":
            self.skip()
        else:
            self.fail("Expecting ',' delimiter", self.pos - 1)

    # --- values -------------------------------------------------------------------------

    def value(self, place: str) -> Any:
        """The JSON value at the current position (whole: refilled until it is)."""
        while len(self.buffer) - self.pos < _CHUNK and self._fill():
            pass
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                # Perhaps only cut by the chunk's end: read on, up to a bound, since a
                # real mistake must not pull the rest of a large file into memory.
                if len(self.buffer) - self.pos < _MAX_VALUE and self._fill():
                    continue
                self.fail(exc.msg, exc.pos)
            except RecursionError:
                raise too_deep(self.name) from None
            if end == len(self.buffer) and self._fill():
                continue  # a number may go on in the next chunk
            break
        self.pos = end
        if self._found:
            self._found.clear()
            duplicate = first_duplicate(value, place)
            if duplicate is not None:
                raise duplicate
        return value

    def run(self) -> list[Any]:
        """The array elements from here to a ``},`` within ``_RUN`` characters, decoded
        by one call of the C decoder: that text in brackets is a JSON array exactly when
        it is a run of whole elements (a cut inside a string or inside a nested value
        leaves it unclosed), so the values are the ones element by element decoding
        would give. A cut that does not decode is moved back before the place the
        decoder stopped at (the array's end, a string holding ``},``), a few times.
        Empty when no run decodes, or when an object in it names a key twice: the caller
        then decodes one element, which says what is wrong and where; no run is tried
        again before that cut."""
        while len(self.buffer) - self.pos < _CHUNK and self._fill():
            pass
        if self.pos < self._no_run_before:
            return []
        end = self.pos + _RUN
        for _attempt in range(3):
            cut = self.buffer.rfind("},", self.pos, end)
            if cut < 0:
                return []
            try:
                values = self._decoder.decode("[" + self.buffer[self.pos : cut + 1] + "]")
            except json.JSONDecodeError as exc:
                self._found.clear()
                end = self.pos + exc.pos - 1  # the text before where it stopped ("[" added)
                continue
            except RecursionError:
                values = None
            if not isinstance(values, list) or self._found:
                break
            self.pos = cut + 1
            return values
        self._found.clear()
        self._no_run_before = cut
        return []

    def peek(self) -> str:
        if self.pos >= len(self.buffer):
            self._fill()
        return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def skip(self) -> None:
        while True:
            match = _WHITESPACE.match(self.buffer, self.pos)
            assert match is not None
            self.pos = match.end()
            if self.pos < len(self.buffer) or not self._fill():
                return

    def fail(self, problem: str, pos: int) -> Any:
        """Raise the error ``json.loads`` would give, at ``pos`` of the buffer."""
        before = self.buffer[:pos]
        newlines = before.count("\n")
        line = self._lines + newlines + 1
        column = pos - before.rfind("\n") if newlines else self._column + pos + 1
        raise not_json(self.name, json.JSONDecodeError(problem, "", 0), line, column)

    def _fill(self) -> bool:
        """Read one more chunk into the buffer; False at the end of the text."""
        if self._eof:
            return False
        try:
            chunk = self._stream.read(_CHUNK)
        except OSError as exc:
            raise self._read_error(exc) from None
        if b"\0" in chunk:  # before decoding, as decode_json: /dev/zero is NUL bytes
            raise holds_nul(self.name)
        pending = len(self._utf8.getstate()[0])
        try:
            text = self._utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start]
            raise not_utf8(self.name, bad, self._read - pending + exc.start) from None
        self._read += len(chunk)
        if not chunk:
            self._eof = True
        dropped = self.buffer[: self.pos]
        newlines = dropped.count("\n")
        if newlines:
            self._lines += newlines
            self._column = len(dropped) - dropped.rfind("\n") - 1
        else:
            self._column += len(dropped)
        self.buffer = self.buffer[self.pos :] + text
        self._no_run_before -= self.pos
        self.pos = 0
        return bool(chunk)
