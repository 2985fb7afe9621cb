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
import sys
from pathlib import Path
from typing import Any

from acctctl.errors import DocumentError, UsageError
from acctctl.i18n import _, format_number
from acctctl.ids import shown

_CHUNK = 1 << 16


class _Duplicated(dict[str, Any]):
    """An object in which ``key`` was named more than once."""

    key: str = ""


def _objects() -> tuple[list[_Duplicated], Any]:
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


def _key_in_place(key: str) -> str:
    return key if key.isascii() and key.isidentifier() and len(key) <= 40 else shown(key)


def _first_duplicate(data: Any) -> DocumentError | None:
    """The first object, in document order, that names a key twice (iterative: the
    decoder's own depth limit is the only limit)."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, place = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Duplicated):
                key = _key_in_place(value.key)
                return DocumentError(
                    f"{place}.{key}" if place else key,
                    _("the key appears more than once in this object"),
                )
            children = [
                (v, f"{place}.{_key_in_place(k)}" if place else _key_in_place(k))
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


def decode_json(raw: bytes, name: str) -> Any:
    """The JSON value of ``raw`` (from ``name``, for messages).

    Raises ``UndecodableError`` for bytes that are not JSON text, ``DocumentError``
    for a key named twice in one object."""
    if b"\0" in raw:
        raise UndecodableError(name, _("it holds NUL bytes, which no JSON text holds"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = _("it is not UTF-8 text (byte {byte} at position {position})")
        raise UndecodableError(
            name, problem.format(byte=f"0x{raw[exc.start]:02x}", position=exc.start)
        ) from None
    found, make = _objects()
    try:
        data = json.loads(text, object_pairs_hook=make)
    except json.JSONDecodeError as exc:
        from acctctl.problems import json_problem

        what, line, column = json_problem(exc), format_number(exc.lineno), format_number(exc.colno)
        problem = _("it is not valid JSON ({problem} at line {line}, column {column})")
        message = _("{name} is not JSON: {problem} (line {line}, column {col}).")
        raise UndecodableError(
            name,
            problem.format(problem=what, line=line, column=column),
            message.format(name=name, problem=what, line=line, col=column),
        ) from None
    except RecursionError:
        message = _("{name} is nested too deeply to be an account document.")
        raise UndecodableError(
            name, _("it is nested too deeply"), message.format(name=name)
        ) from None
    if found:  # only then is the document walked, to name the first one's place
        duplicate = _first_duplicate(data)
        if duplicate is not None:
            raise duplicate
    return data


def read_source(source: str) -> tuple[bytes, str]:
    """The bytes of FILE, or of standard input for ``-``, and the name to give it."""
    if source == "-":
        return _read_stdin(), _("standard input")
    from acctctl.store.files import NotRegularFileError, read_regular_file

    try:
        return read_regular_file(Path(source)), source
    except FileNotFoundError:
        raise UsageError(_("No such file: {file}").format(file=source)) from None
    except NotRegularFileError as exc:
        raise UsageError(
            _("Cannot read {file}: {problem}").format(file=source, problem=exc.strerror)
        ) from None
    except OSError as exc:
        from acctctl.problems import os_problem

        raise UsageError(
            _("Cannot read {file}: {problem}").format(file=source, problem=os_problem(exc))
        ) from None


def _read_stdin() -> bytes:
    """Standard input to its end, stopping at the first NUL byte (``< /dev/zero``)."""
    from acctctl.output import is_terminal

    stream = sys.stdin
    if stream is None:
        raise UsageError(_("`-` reads standard input, but it is closed."))
    if is_terminal(stream):
        raise UsageError(_("`-` reads standard input, but it is a terminal."))
    chunks: list[bytes] = []
    try:
        while chunk := stream.buffer.read(_CHUNK):
            if b"\0" in chunk:
                problem = _("it holds NUL bytes, which no JSON text holds")
                raise UndecodableError(_("standard input"), problem)
            chunks.append(chunk)
    except OSError as exc:
        from acctctl.problems import os_problem

        raise UsageError(
            _("Cannot read standard input: {problem}").format(problem=os_problem(exc))
        ) from None
    return b"".join(chunks)
