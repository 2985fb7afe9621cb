"""Usage lines and argument help as a person writes them: ``acctctl subs show ID``.

Typer writes a required argument as ``{ID}`` and follows each argument with its Python
type (``ID <list[str]>``): neither means anything to an administrator. ``readable``
rewrites both on the built command tree (``acctctl.cli.app.main``, and the generator
of docs/cli.md), the way Click and `gh` write them: ``ID``, ``[ID]``, ``ID...``.
"""

from __future__ import annotations

import re
from typing import Any


def _usage_name(param: Any) -> str:
    name = str(param.metavar or param.name.upper())
    if not param.required and not name.startswith("["):
        name = f"[{name}]"
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name


def readable(command: Any) -> None:
    """Every argument of ``command`` and its subcommands: no braces, no Python types."""
    commands = [command]
    while commands:
        current = commands.pop()
        for param in getattr(current, "params", ()):
            if getattr(param, "param_type_name", "") != "argument":
                continue
            usage = _usage_name(param)
            shown = usage.removesuffix("...")
            param._usage_display_name = lambda usage=usage: usage
            param._rich_display_name = lambda shown=shown: shown
            param.display_type_rich = lambda ctx: ""
        commands.extend(getattr(current, "commands", {}).values())


def first_sentence(text: str) -> str:
    """The first sentence of a help text's first paragraph, its line breaks joined (a
    narrow no-break space, before a French « ? », stays)."""
    paragraph = re.sub(r"[ \t\n\b]+", " ", text.split("\n\n")[0]).strip()
    end = re.search(r"[.!?](?=\s|$)", paragraph)
    return paragraph[: end.end()] if end else paragraph


def summaries(command: Any) -> None:
    """Give every subcommand without one a ``short_help``: the first sentence of its help
    (translated first, when not English). Click would otherwise cut the help at about 45
    characters with "..." in a group's list of commands, mid-sentence (issue 11, point 7);
    a whole sentence wraps instead."""
    for sub in getattr(command, "commands", {}).values():
        if not sub.short_help and sub.help:
            sub.short_help = first_sentence(sub.help)
        summaries(sub)
