"""Messages wrapped to a terminal's width so that what they say can still be used.

Words break at spaces, never inside; a glued value (``terminal_text.glue``: a time with its
zone) and any word longer than the line stay whole. A command in backticks is
something to paste: it stays whole on a line when it fits one. When the message must
wrap and the command ends it, or the command is longer than the screen (a store path,
``--as`` and ``--lang`` repeated: ``hints.command``), it is set apart on lines of its
own, without backticks: a whole line is what a person selects. A long one is broken
only between arguments (an option kept with its value), each line but the last ending
with `` \\`` and the next indented: pasted, the lines are one shell command again.
"""

from __future__ import annotations

import re
import shlex
import textwrap

from acctctl.terminal_text import cell_width, glue, unglue

_COMMAND = re.compile(r"`([^`]+)`")
CONTINUATION = " \\"
_PUNCTUATION = re.compile(r"[\s.,;:\u202f]*")


def fit_message(text: str, width: int, indent: str = "  ") -> str:
    """``text`` wrapped to ``width`` columns (see the module); the lines after a line's
    first are indented by ``indent`` beyond that line's own leading spaces."""
    width = max(width, 20)
    lines: list[str] = []
    for line in text.split("\n"):
        if cell_width(line) <= width:
            lines.append(unglue(line))
        else:
            lines.extend(unglue(piece) for piece in _fit_line(line, width, indent))
    return "\n".join(lines)


def _fit_line(line: str, width: int, indent: str) -> list[str]:
    lead = line[: len(line) - len(line.lstrip(" "))]
    follow = lead + indent  # where a wrapped line goes on
    block = follow + "  "  # where a command set apart starts
    lines: list[str] = []
    text = ""  # the words waiting to be wrapped, commands that fit glued among them
    after_block = False  # a paragraph after a command set apart starts at ``follow``
    closing = False  # the command set apart was in parentheses: drop the ")" after it
    pieces = _COMMAND.split(line)  # text, command, text, command, …, text
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if closing:
                piece = piece.removeprefix(")")
                closing = False
            if after_block and not text and _PUNCTUATION.fullmatch(piece):
                continue  # only the sentence's end after the command: nothing to say
            text += piece
            continue
        command = f"`{piece}`"
        # A command that ends the sentence goes on a line of its own, without backticks,
        # as a longer one does: a whole line is what a person selects to paste.
        # (in parentheses, the ")" after it goes with the command set apart)
        rest = pieces[-1].removeprefix(")") if text.rstrip().endswith("(") else pieces[-1]
        ends_line = index == len(pieces) - 2 and _PUNCTUATION.fullmatch(rest)
        if not ends_line and cell_width(command) <= width - cell_width(follow):
            text += glue(command)
            continue
        if text.rstrip().endswith("("):
            text, closing = text.rstrip()[:-1], True
        lines += _paragraph(text, width, lead, follow, after_block)
        lines += command_lines(piece, width, block)
        text, after_block = "", True
    if text.strip() or not lines:
        lines += _paragraph(text, width, lead, follow, after_block)
    return lines


def _paragraph(text: str, width: int, lead: str, follow: str, after_block: bool) -> list[str]:
    if not text.strip():
        return []
    if after_block:
        text = follow + text.strip()
    return textwrap.wrap(
        text,
        width=width,
        subsequent_indent=follow,
        break_long_words=False,
        break_on_hyphens=False,
    )


def command_lines(command: str, width: int, prefix: str) -> list[str]:
    """``command`` on lines of at most ``width`` columns starting at ``prefix``, broken
    between arguments with shell continuations; an argument longer than a line stays
    whole. Text that is not a shell command (unbalanced quotes) is left on one line."""
    try:
        words = shlex.split(command)
    except ValueError:
        return [prefix + command]
    pairs: list[list[str]] = []
    for word in words:
        # A pipe between two commands (`subs list --ids | partner change -`) stays one:
        # no hint has an argument that is a lone `|`.
        quoted = word if word == "|" else shlex.quote(word)
        option = pairs[-1] if pairs else []
        # An option's value stays beside it (where a line breaks never changes the command)
        # unless the two do not fit a line together.
        if (
            len(option) == 1
            and option[0].startswith("--")
            and "=" not in option[0]
            and word[:1] != "-"
            and cell_width(f"{prefix}    {option[0]} {quoted}") <= width
        ):
            option.append(quoted)
        else:
            pairs.append([quoted])
    groups = [" ".join(pair) for pair in pairs]
    lines: list[str] = []
    current = prefix + groups[0]
    for position, group in enumerate(groups[1:], start=2):
        candidate = f"{current} {group}"
        room = width - (cell_width(CONTINUATION) if position < len(groups) else 0)
        if cell_width(candidate) <= room:
            current = candidate
        else:
            lines.append(current + CONTINUATION)
            current = prefix + "  " + group
    lines.append(current)
    return lines
