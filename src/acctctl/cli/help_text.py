"""`--help` in the administrator's language.

Typer takes a command's help from its docstring and an option's from ``help=``
(and the placeholder of its value from ``metavar=``), when the module is imported —
before the language is known. So Babel extracts them with ``extract`` below (named
in ``babel.cfg`` for the CLI modules), and ``translate`` swaps them for their
translation on the built Click command tree, once the language is chosen
(``acctctl.cli.app.main``). Click's own words (``Usage:``, ``[required]``…) are
``acctctl.cli.click_text``'s.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from acctctl.i18n import N_, _

_DOCUMENTED = ("command", "callback")
"""Decorators whose function's docstring Typer shows as the command's help."""

TYPER_OPTIONS = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
"""The help of the options Typer adds to every command (translated like ours)."""


def translate(command: Any) -> None:
    """Translate, in place, the help texts of a Click command and all its subcommands."""
    for name in ("help", "short_help"):
        text = getattr(command, name, None)
        if text:
            setattr(command, name, _(inspect.cleandoc(text)))
    for param in getattr(command, "params", ()):
        text = getattr(param, "help", None)
        if text:
            param.help = _(inspect.cleandoc(text))
        if getattr(param, "metavar", None):
            param.metavar = _(param.metavar)
    if hasattr(command, "get_help_option"):
        # Click makes the --help option itself on first use, so translate it then.
        make_help_option = command.get_help_option

        def get_help_option(ctx: Any) -> Any:
            option = make_help_option(ctx)
            if option is not None and option.help:
                option.help = _(inspect.cleandoc(option.help))
            return option

        command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        translate(sub)


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of every docstring of a Typer command or callback and every
    literal ``help=`` and ``metavar=`` argument in a module's source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            decorated = any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr in _DOCUMENTED
                for d in node.decorator_list
            )
            doc = ast.get_docstring(node, clean=True)
            if decorated and doc:
                yield node.body[0].lineno, doc
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg in ("help", "metavar")
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and value.value.strip()
                ):
                    yield value.lineno, inspect.cleandoc(value.value)


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Any,
) -> Iterator[tuple[Any, ...]]:
    """A Babel extraction method: the ``_()`` calls, as Babel's Python extractor finds
    them, plus the help texts Typer shows, as ``(line, function, message, comments)``."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    encoding = str(options.get("encoding", "utf-8"))
    for lineno, text in help_texts(fileobj.read().decode(encoding)):
        yield lineno, None, text, []
