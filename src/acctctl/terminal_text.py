"""Text on a terminal: its width, how many columns a text takes, and wrapping at spaces.

Shared by the tables (``tables.py``), the messages (``wrapping.py``, ``output.py``) and the
wizard's prompts, which all measure and break text the same way: ids, dates and glued
values are never split, words break at spaces only.
"""

from __future__ import annotations

import os
import re
import textwrap
from typing import IO

DEFAULT_WIDTH = 80
_SANE_WIDTHS = range(20, 1001)


def terminal_width(stream: IO[str] | None = None) -> int:
    """The terminal's width: ``COLUMNS`` when it is a sane number, else the terminal's own
    size; ``COLUMNS=0``, ``COLUMNS=abc`` or ``COLUMNS=99999`` mean 80, like an unknown
    terminal."""
    text = os.environ.get("COLUMNS")
    if text is not None:
        try:
            value = int(text.strip())
        except ValueError:
            return DEFAULT_WIDTH
        return value if value in _SANE_WIDTHS else DEFAULT_WIDTH
    try:
        import sys

        fileno = (stream or sys.stdout).fileno()
        value = os.get_terminal_size(fileno).columns
    except (AttributeError, ValueError, OSError):
        return DEFAULT_WIDTH
    return value if value in _SANE_WIDTHS else DEFAULT_WIDTH


def cell_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide characters count two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


# Joins the words of a value that must stay on one line ("2026-12-01 10:30 CET") inside
# wrapping text. Rich would break at a no-break space, so cells are wrapped here, at
# plain spaces only, and the glue becomes a space once the lines are made.
GLUE = "\ue000"
_SPACES = re.compile("[ \t\n]+")


def glue(text: str) -> str:
    """``text`` kept on one line when a table or a message wraps."""
    return text.replace(" ", GLUE)


def unglue(text: str) -> str:
    return text.replace(GLUE, " ")


def words(text: str) -> list[str]:
    return [word for word in _SPACES.split(text) if word]


def longest_word(text: str) -> int:
    return max((cell_width(word) for word in words(text)), default=0)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces only; a word longer
    than the width (never one the layout measured) is folded rather than lost."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=max(width, 1),
                break_long_words=True,
                break_on_hyphens=False,
            )
            or [""]
        )
    return [unglue(line) for line in lines]
