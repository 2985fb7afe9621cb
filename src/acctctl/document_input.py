"""Reading an account document's bytes and decoding its JSON (SPEC §7), strictly.

``store import FILE|-`` and the JSON-file store read documents through here, so
both refuse the same things with one sentence naming the place:

* what is not a file (a FIFO, a device, a directory) before reading a byte of it,
  and bytes that no JSON text holds (NUL): ``store import /dev/zero`` must not read
  forever, nor wait for a FIFO's writer;
* bytes that are not UTF-8, naming the first bad byte and where it is;
* an object naming one key twice. ``json.loads`` keeps the last value silently, so
  ``{"seats": 10, "seats": 1000}`` would import something other than what a reviewer
  of the file read. The key and its place are named
  (``subscriptions[3].seats: the key appears more than once in this object``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from acctctl.errors import DocumentError, UsageError
from acctctl.i18n import _, format_number
from acctctl.ids import shown

_CHUNK = 1 << 16


class _Duplicated(dict[str, Any]):
    """An object in which ``key`` was named more than once."""

    key: str = ""


def duplicate_finder() -> tuple[list[_Duplicated], Any]:
    """A decoder hook, and the list of objects it found naming a key twice."""
    found: list[_Duplicated] = []

    def make(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        seen: set[str] = set()
        duplicated = _Duplicated(value)
        for key, _value in pairs:
            if key in seen:
                duplicated.key = key
                break
            seen.add(key)
        found.append(duplicated)
        return duplicated

    return found, make


def key_in_place(key: str) -> str:
    return key if key.isascii() and key.isidentifier() and len(key) <= 40 else shown(key)


def first_duplicate(data: Any, place: str = "") -> DocumentError | None:
    """The first object, in document order, that names a key twice (iterative: the
    decoder's own depth limit is the only limit); ``place`` is where ``data`` is."""
    stack: list[tuple[Any, str]] = [(data, place)]
    while stack:
        value, place = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Duplicated):
                key = key_in_place(value.key)
                return DocumentError(
                    f"{place}.{key}" if place else key,
                    _("the key appears more than once in this object"),
                )
            children = [
                (v, f"{place}.{key_in_place(k)}" if place else key_in_place(k))
                for k, v in value.items()
            ]
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(v, f"{place}[{i}]") for i, v in enumerate(value)]))
    return None


class UndecodableError(UsageError):
    """Bytes that are not a JSON text; ``problem`` says why without naming the source."""

    def __init__(self, name: str, problem: str, message: str | None = None) -> None:
        super().__init__(
            message or _("{name} cannot be read: {problem}.").format(name=name, problem=problem)
        )
        self.problem = problem


def holds_nul(name: str) -> UndecodableError:
    return UndecodableError(name, _("it holds NUL bytes, which no JSON text holds"))


def not_utf8(name: str, byte: int, position: int) -> UndecodableError:
    problem = _("it is not UTF-8 text (byte {byte} at position {position})")
    return UndecodableError(name, problem.format(byte=f"0x{byte:02x}", position=position))


def not_json(name: str, exc: json.JSONDecodeError, line: int, column: int) -> UndecodableError:
    """``exc``'s problem, placed at ``line`` and ``column`` of the whole text."""
    from acctctl.problems import json_problem

    what, at_line, at_column = json_problem(exc), format_number(line), format_number(column)
    problem = _("it is not valid JSON ({problem} at line {line}, column {column})")
    message = _("{name} is not JSON: {problem} (line {line}, column {col}).")
    return UndecodableError(
        name,
        problem.format(problem=what, line=at_line, column=at_column),
        message.format(name=name, problem=what, line=at_line, col=at_column),
    )


def too_deep(name: str) -> UndecodableError:
    message = _("{name} is nested too deeply to be an account document.")
    return UndecodableError(name, _("it is nested too deeply"), message.format(name=name))


def decode_json(raw: bytes, name: str) -> Any:
    """The JSON value of ``raw`` (from ``name``, for messages).

    Raises ``UndecodableError`` for bytes that are not JSON text, ``DocumentError``
    for a key named twice in one object."""
    if b"\0" in raw:
        raise holds_nul(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(name, raw[exc.start], exc.start) from None
    found, make = duplicate_finder()
    try:
        data = json.loads(text, object_pairs_hook=make)
    except json.JSONDecodeError as exc:
        raise not_json(name, exc, exc.lineno, exc.colno) from None
    except RecursionError:
        raise too_deep(name) from None
    if found:  # only then is the document walked, to name the first one's place
        duplicate = first_duplicate(data)
        if duplicate is not None:
            raise duplicate
    return data


@contextmanager
def opened_source(source: str) -> Iterator[tuple[IO[bytes], str]]:
    """FILE, or standard input for ``-``, open to be read as it goes (``store import``
    of a million subscriptions), and the name to give it; refused as ``read_source``
    refuses it. Errors while reading are ``read_problem``'s."""
    if source == "-":
        yield _stdin(), _("standard input")
        return
    with os.fdopen(_open_file(source), "rb") as stream:
        yield stream, source


def _open_file(source: str) -> int:
    """A descriptor on FILE, a regular file; one sentence when it is missing, not a
    file (no hang on a FIFO or a device), or cannot be opened."""
    from acctctl.store.files import NotRegularFileError, open_regular

    try:
        return open_regular(Path(source))
    except FileNotFoundError:
        raise UsageError(_("No such file: {file}").format(file=source)) from None
    except NotRegularFileError as exc:
        raise UsageError(
            _("Cannot read {file}: {problem}").format(file=source, problem=exc.strerror)
        ) from None
    except OSError as exc:
        raise read_problem(source, exc) from None


def read_problem(source: str, exc: OSError) -> UsageError:
    """An error met while reading FILE (or standard input, for ``-``)."""
    from acctctl.problems import os_problem

    if source == "-":
        return UsageError(
            _("Cannot read standard input: {problem}").format(problem=os_problem(exc))
        )
    return UsageError(
        _("Cannot read {file}: {problem}").format(file=source, problem=os_problem(exc))
    )


def read_source(source: str) -> tuple[bytes, str]:
    """The bytes of FILE, or of standard input for ``-``, and the name to give it."""
    if source == "-":
        return _read_stdin(), _("standard input")
    with os.fdopen(_open_file(source), "rb") as stream:
        try:
            return stream.read(), source
        except OSError as exc:
            raise read_problem(source, exc) from None


def _stdin() -> IO[bytes]:
    """Standard input's bytes, unless it is closed or a terminal (nobody would type
    a document)."""
    from acctctl.output import is_terminal

    stream = sys.stdin
    if stream is None:
        raise UsageError(_("`-` reads standard input, but it is closed."))
    if is_terminal(stream):
        raise UsageError(_("`-` reads standard input, but it is a terminal."))
    return stream.buffer


def _read_stdin() -> bytes:
    """Standard input to its end, stopping at the first NUL byte (``< /dev/zero``)."""
    stream = _stdin()
    chunks: list[bytes] = []
    try:
        while chunk := stream.read(_CHUNK):
            if b"\0" in chunk:
                raise holds_nul(_("standard input"))
            chunks.append(chunk)
    except OSError as exc:
        raise read_problem("-", exc) from None
    return b"".join(chunks)
