"""Writing to the terminal and to pipes, safely.

Data goes to stdout, everything else to stderr. Text that comes from outside
(partner, product, account names) is made inert before it reaches a terminal:
control characters, escape sequences and bidi overrides are shown as escapes.
Rich is imported only by the code that draws.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# json.dumps already escapes C0 controls; these it would pass through raw.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object) -> str:
    """The text with every control, escape and bidi-override character written as an escape."""
    return _UNSAFE.sub(_escape, str(text))


def _escape_in_json(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


# One encoder for every compact line: `json.dumps(..., ensure_ascii=False)` would build
# a new one per call, which is a third of the cost of a 100,000-row listing.
_COMPACT = json.JSONEncoder(ensure_ascii=False)


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON with non-ASCII letters kept, but control and bidi characters escaped."""
    if indent is None:
        text = _COMPACT.encode(value)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=indent)
    if text.isascii() and "\x7f" not in text:  # DEL is the one ASCII character to escape
        return text
    return _UNSAFE_IN_JSON.sub(_escape_in_json, text)


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def color_allowed(stream: IO[str]) -> bool:
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


def console(stream: IO[str] | None = None) -> Console:
    from rich.console import Console

    stream = stream or sys.stdout
    terminal = is_terminal(stream)
    return Console(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        force_terminal=terminal,
        no_color=not color_allowed(stream),
        soft_wrap=not terminal,
    )


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str = "") -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value, indent=2) + "\n")


def print_json_line(value: Any) -> None:
    sys.stdout.write(json_text(value) + "\n")
    sys.stdout.flush()


def print_json_array(items: Iterable[Any]) -> None:
    """Stream a JSON array item by item: constant memory for 100,000 rows."""
    write = sys.stdout.write
    first = True
    for item in items:
        write(("[\n  " if first else ",\n  ") + json_text(item))
        first = False
    write("[]\n" if first else "\n]\n")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    stream: IO[str] | None = None,
) -> None:
    """A Rich table on a terminal; tab-separated plain text (streamed) when piped."""
    stream = stream or sys.stdout
    if not is_terminal(stream):
        stream.write("\t".join(headers) + "\n")
        for row in rows:
            stream.write("\t".join(inert(cell).replace("\t", " ") for cell in row) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table(title=inert(title) if title else None, title_justify="left")
    for index, header in enumerate(headers):
        # Ids, numbers and dates stay whole; names and sentences fold.
        grid.add_column(header, overflow="fold", no_wrap=index == 0)
    for row in rows:
        grid.add_row(*(Text(inert(cell)) for cell in row))
    console(stream).print(grid)


def card(
    title: str, fields: Sequence[tuple[str, object]], *, stream: IO[str] | None = None
) -> None:
    """A titled block of "label: value" lines; a Rich panel on a terminal."""
    stream = stream or sys.stdout
    width = max((len(label) for label, _ in fields), default=0)
    if not is_terminal(stream):
        stream.write(inert(title) + "\n")
        for label, value in fields:
            stream.write(f"  {label.ljust(width)}  {inert(value)}\n")
        return
    from rich.panel import Panel
    from rich.text import Text

    body = Text()
    for i, (label, value) in enumerate(fields):
        if i:
            body.append("\n")
        body.append(label.ljust(width) + "  ", style="bold")
        body.append(inert(value))
    console(stream).print(Panel(body, title=Text(inert(title)), title_align="left", expand=False))
