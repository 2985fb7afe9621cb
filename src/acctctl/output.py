"""Writing to the terminal and to pipes, safely.

Data goes to stdout, everything else to stderr. Text that comes from outside
(partner, product, account names) is made inert before it reaches a terminal:
control characters, escape sequences and bidi overrides are shown as escapes.
Rich is imported only by the code that draws.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import json

    from rich.console import Console

    from acctctl.tables import Column

R = TypeVar("R")

# Compiled on first use (0.5 ms at every start otherwise): most commands print no
# outside text that is not plain ASCII. json.dumps already escapes C0 controls; the
# second pattern is what it would pass through raw.
_UNSAFE_CHARACTERS = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_UNSAFE_IN_JSON_CHARACTERS = "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


@functools.cache
def _pattern(characters: str) -> re.Pattern[str]:
    return re.compile(characters)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object) -> str:
    """The text with every control, escape and bidi-override character written as an escape."""
    return _pattern(_UNSAFE_CHARACTERS).sub(_escape, str(text))


def _escape_in_json(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


@functools.cache
def _compact() -> json.JSONEncoder:
    """One encoder for every compact line: `json.dumps(..., ensure_ascii=False)` would
    build a new one per call, a third of the cost of a 100,000-row listing. Made on first
    use: `--help` and the other commands that print no JSON do not import json."""
    import json

    return json.JSONEncoder(ensure_ascii=False)


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON with non-ASCII letters kept, but control and bidi characters escaped."""
    if indent is None:
        text = _compact().encode(value)
    else:
        import json

        text = json.dumps(value, ensure_ascii=False, indent=indent)
    return safe_json(text)


def safe_json(text: str) -> str:
    """JSON text with the control and bidi characters JSON lets through escaped."""
    if text.isascii() and "\x7f" not in text:  # DEL is the one ASCII character to escape
        return text
    return _pattern(_UNSAFE_IN_JSON_CHARACTERS).sub(_escape_in_json, text)


def tolerate_unencodable() -> None:
    """Standard output and error write what their encoding cannot show as escapes.

    Under ``PYTHONIOENCODING=ascii`` or a Latin-1 locale a partner's name, a French
    sentence or an arrow would otherwise stop the command with UnicodeEncodeError —
    after a change was written, as an internal error. An error handler the user chose
    (``PYTHONIOENCODING=ascii:replace``) is kept."""
    import io

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def color_allowed(stream: IO[str]) -> bool:
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


def console(stream: IO[str] | None = None, *, width: int | None = None) -> Console:
    """A Rich console on ``stream`` (stdout), as wide as the terminal (80 when unknown)."""
    from rich.console import Console

    from acctctl.terminal_text import terminal_width

    stream = stream or sys.stdout
    terminal = is_terminal(stream)
    return Console(
        file=stream,
        width=width or terminal_width(stream),
        markup=False,
        emoji=False,
        highlight=False,
        force_terminal=terminal,
        no_color=not color_allowed(stream),
        soft_wrap=not terminal,
    )


def fit_message(text: str, width: int, indent: str = "  ") -> str:
    """``text`` wrapped at spaces to ``width`` columns; a command in backticks stays whole,
    or is broken between arguments with shell continuations (``wrapping``)."""
    from acctctl.wrapping import fit_message as fit

    return fit(text, width, indent)


def _fitted(text: str, stream: IO[str]) -> str:
    """At a terminal, wrapped to its width (the terminal itself would cut words and ids;
    its tab stops are counted: a result line's time must not run past the edge); in a
    pipe or a log, one line per message, tabs kept."""
    if not is_terminal(stream):
        from acctctl.terminal_text import unglue

        return unglue(text)
    from acctctl.terminal_text import cell_width, terminal_width, unglue

    width = terminal_width(stream)
    if "\t" in text:
        expanded = text.expandtabs()
        if all(cell_width(line) <= width for line in expanded.split("\n")):
            return unglue(text)  # the tabs kept: they fit
        text = expanded
    return fit_message(text, width)


def out(text: str = "") -> None:
    sys.stdout.write(_fitted(text, sys.stdout) + "\n")


def print_ids(ids: Iterable[str]) -> None:
    """One id per line, as ``out(inert(id))`` writes it, a thousand lines per write: an id
    of ASCII letters and digits (any valid one) has nothing to escape, unglue or wrap, so
    it is written as it is; anything else (a tampered store) goes through ``out``."""
    write = sys.stdout.write
    chunk: list[str] = []
    for id_ in ids:
        if id_.isascii() and id_.isalnum():
            chunk.append(id_)
            if len(chunk) == 1000:
                write("\n".join(chunk) + "\n")
                chunk.clear()
            continue
        if chunk:
            write("\n".join(chunk) + "\n")
            chunk.clear()
        out(inert(id_))
    if chunk:
        write("\n".join(chunk) + "\n")


def err(text: str = "") -> None:
    sys.stderr.write(_fitted(text, sys.stderr) + "\n")
    sys.stderr.flush()


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value, indent=2) + "\n")


def print_json_line(value: Any) -> None:
    sys.stdout.write(json_text(value) + "\n")
    sys.stdout.flush()


def print_json_array(items: Iterable[Any]) -> None:
    """Stream a JSON array item by item: constant memory for 100,000 rows."""
    print_json_array_text(json_text(item) for item in items)


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused for a streamed listing: a listing keeps a few
    thousand contracts' objects at a time and frees each by reference counting, and
    the collector would walk them some 300 times for nothing (5 % of a 100,000-row
    listing). Nothing it allocates refers to itself; the collector is resumed after,
    unless it was off before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def print_json_array_text(items: Iterable[str]) -> None:
    """A JSON array of items already encoded (compact, one per line), streamed: written
    a thousand items at a time (one write per item costs a tenth of a 100,000-row
    listing)."""
    write = sys.stdout.write
    remaining = iter(items)
    first = next(remaining, None)
    if first is None:
        write("[]\n")
        return
    write("[\n  " + first)
    while batch := list(itertools.islice(remaining, 1000)):
        write(",\n  " + ",\n  ".join(batch))
    write("\n]\n")


def table(
    columns: Sequence[Column[R]],
    records: Iterable[R],
    *,
    title: str | None = None,
    empty: str | None = None,
    stream: IO[str] | None = None,
    human: bool = False,
) -> None:
    """A table that fits the terminal; tab-separated text with English headers and
    language-independent values (streamed) when piped. ``empty`` is said instead of an
    empty table at a terminal (a pipe gets the header line alone). ``human``: drawn for
    a person wherever it goes (the wizard's screens, which only run at a terminal)."""
    from acctctl import tables, terminal_text
    from acctctl.pager import paged

    stream = stream or sys.stdout
    if not human and not is_terminal(stream):
        tables.write_plain(columns, records, stream)
        return
    # The layout is planned on a first batch and kept for the rest, drawn as it is read:
    # the first rows show at once and memory stays flat, whatever the number of records.
    remaining = iter(records)
    rows = list(itertools.islice(remaining, TABLE_SAMPLE))
    if not rows and empty:
        stream.write(_fitted(empty, stream) + "\n")  # a command in it stays pasteable
        return
    layout = tables.plan(columns, rows, terminal_text.terminal_width(stream))
    with paged(stream, enabled=not human) as target:
        layout.draw(rows, target, title=title)
        if layout.cards:
            while batch := list(itertools.islice(remaining, TABLE_SAMPLE)):
                layout.draw(batch, target, header=False)
        else:
            # A hundred lines per write: at a terminal each write is a system call.
            write = target.write
            lines = layout.rows(remaining)
            while chunk := "".join(itertools.islice(lines, 100)):
                write(chunk)
        footer = layout.footer()
        if footer:
            console(target).print(footer, style="dim")


TABLE_SAMPLE = 200  # records measured for the layout, drawn before the rest streams


def card(
    title: str, fields: Sequence[tuple[str, object]], *, stream: IO[str] | None = None
) -> None:
    """A titled block of "label: value" lines; a Rich panel on a terminal."""
    stream = stream or sys.stdout
    width = max((len(label) for label, _ in fields), default=0)
    if not is_terminal(stream):
        stream.write(inert(title) + "\n")
        from acctctl.terminal_text import unglue

        for label, value in fields:
            stream.write(f"  {label.ljust(width)}  {unglue(inert(value))}\n")
        return
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from acctctl.terminal_text import cell_width, terminal_width, wrap

    # Labels stay on one line; values are wrapped here, at spaces only, so an id, a date
    # or a time with its zone (glued: terminal_text.glue) is never split.
    label_width = max((cell_width(label) for label, _ in fields), default=0)
    value_width = max(terminal_width(stream) - 4 - label_width - 2, 16)
    body = Table.grid(padding=(0, 2))
    body.add_column(no_wrap=True, style="bold")
    body.add_column(no_wrap=True, overflow="fold")
    for label, value in fields:
        body.add_row(Text(label), Text("\n".join(wrap(inert(value), value_width))))
    console(stream).print(Panel(body, title=Text(inert(title)), title_align="left", expand=False))
