"""Click's own words — ``Usage:``, ``Options:``, ``[required]``, ``No such option`` — in
the administrator's language.

The Click that Typer 0.29 vendors writes them in English: some through
``gettext.gettext`` on the process-wide default domain (which acctctl leaves alone),
most hard-coded in f-strings. So, once a language other than English is chosen,
acctctl draws them itself: ``LocalizedContext`` gives every command a help formatter
that writes the usage prefix, the headings and the bracketed notes from our
catalog, and ``show_usage_error`` tells a usage error from the exception's fields
(which option, which parameter), not from its English sentence. English output is
left to Click, byte for byte.

This reaches into Typer's vendored Click (``typer._click``): Typer is pinned (0.29),
and a test runs every usage error and ``--help`` in French, so an upgrade that moves
these names fails there rather than in front of an administrator.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from typer import Abort
from typer._click import Context, HelpFormatter
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

from acctctl.i18n import N_, _, ngettext

HEADINGS = {
    "Usage": N_("Usage"),
    "Arguments": N_("Arguments"),
    "Options": N_("Options"),
    "Commands": N_("Commands"),
}

USAGE_WORDS = (
    ("[OPTIONS]", N_("[OPTIONS]")),
    ("COMMAND [ARGS]...", N_("COMMAND [ARGS]...")),
)


NOTES = (("default: ", N_("default: {value}")), ("env var: ", N_("env var: {value}")))


def _note(note: str) -> str:
    """One item of a help line's ``[…]``: ``required``, ``default: x``, ``env var: X``."""
    if note == "required":
        return _("required")
    for english, ours in NOTES:
        if note.startswith(english):
            return _(ours).format(value=note[len(english) :])
    return note


_NOTES = re.compile(r"\s*\[([^\[\]]*)\]$")
_TYPE_HINT = re.compile(r" <[^<>]*>$")  # Typer's "ID <list[str]>": Python, not a word


class LocalizedHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, ours in USAGE_WORDS:
            args = args.replace(english, _(ours))
        if prefix is None:
            prefix = _("{heading}:").format(heading=_("Usage")) + " "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        title = _(HEADINGS.get(heading, heading))
        self.write(f"{'':>{self.current_indent}}" + _("{heading}:").format(heading=title) + "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        localized = []
        for first, second in rows:
            notes = _NOTES.search(second)
            if notes:
                items = "; ".join(_note(item) for item in notes.group(1).split("; "))
                second = second[: notes.start()] + "  [" + items + "]"
            localized.append((_TYPE_HINT.sub("", first), second))
        super().write_dl(localized, col_max, col_spacing)


class LocalizedContext(Context):
    formatter_class = LocalizedHelpFormatter


def localize(command: Any) -> None:
    """Every command of the tree draws its help and usage with ``LocalizedHelpFormatter``."""
    command.context_class = LocalizedContext
    for sub in getattr(command, "commands", {}).values():
        localize(sub)


def _quoted(names: Any) -> str:
    """``'--csn'`` in English, « --csn » in French."""
    if isinstance(names, str):
        names = [names]
    return ", ".join(_("'{name}'").format(name=name) for name in names)


def _param_name(error: BadParameter) -> str:
    if error.param_hint is not None:
        hint = error.param_hint
        return _quoted(hint.strip("'") if isinstance(hint, str) else hint)
    if error.param is not None:
        param = error.param
        names = [o for o in getattr(param, "opts", ()) if o.startswith("-")]
        return _quoted(names or [param.display_name_raw])
    return ""


_UNEXPECTED = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", re.S)
_REQUIRES = re.compile(r"Option '(.+)' requires (?:an argument|(\d+) arguments)\.$")
_NO_VALUE = re.compile(r"Option '(.+)' does not take a value\.$")
_NO_COMMAND = re.compile(r"No such command '(.+)'\.(?: Did you mean (.*)\?)?$", re.S)


def message(error: ClickException) -> str:
    """The sentence of a usage error, in the current language."""
    if isinstance(error, NoSuchOption):
        text = _("No such option: {name}").format(name=error.option_name)
        if error.possibilities:
            text += " " + _("(Possible options: {names})").format(
                names=", ".join(sorted(error.possibilities))
            )
        return text
    if isinstance(error, MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param else "")
        name = _param_name(error)
        if kind == "argument":
            return _("Missing argument {name}.").format(name=name)
        if kind == "option":
            return _("Missing option {name}.").format(name=name)
        return _("Missing parameter {name}.").format(name=name)
    if isinstance(error, BadParameter):
        name = _param_name(error)
        return _("Invalid value for {name}: {problem}").format(name=name, problem=error.message)
    text = error.message
    found = _UNEXPECTED.match(text)
    if found:
        extra = found.group(1).split()
        return ngettext(
            "Unexpected extra argument: {arguments}",
            "Unexpected extra arguments: {arguments}",
            len(extra),
        ).format(arguments=found.group(1))
    found = _REQUIRES.match(text)
    if found:
        return _("Option {name} requires a value.").format(name=found.group(1))
    found = _NO_VALUE.match(text)
    if found:
        return _("Option {name} does not take a value.").format(name=found.group(1))
    found = _NO_COMMAND.match(text)
    if found:
        text = _("No such command: {name}.").format(name=found.group(1))
        if found.group(2):
            names = [name.strip("' ") for name in found.group(2).split(",")]
            text += " " + _("Did you mean {names}?").format(names=_quoted(names))
        return text
    return text


def show_usage_error(error: ClickException) -> None:
    """What Click's ``UsageError.show`` prints — usage, where to find help, the error —
    in the current language."""
    if isinstance(error, NoArgsIsHelpError):
        error.show()  # the help itself, already localized by the formatter
        return
    lines = []
    ctx = getattr(error, "ctx", None)
    if isinstance(error, UsageError) and ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(
                _("Try {command} for help.").format(
                    command=_quoted(f"{ctx.command_path} {ctx.help_option_names[0]}")
                )
            )
        lines.append("")
    lines.append(_("Error: {message}").format(message=message(error)))
    sys.stderr.write("\n".join(lines) + "\n")


def run_localized(command: Any, args: list[str]) -> int:
    """Run the command tree as ``command(args=…)`` does, but tell Click's usage errors
    with ``show_usage_error`` instead of Click's English ``show``."""
    try:
        result = command.main(args=args, prog_name="acctctl", standalone_mode=False)
    except ClickException as error:
        show_usage_error(error)
        return error.exit_code
    except Abort:
        sys.stderr.write(_("Aborted!") + "\n")
        return 1
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    # Not standalone, Click returns a command's typer.Exit code, or what it returned.
    return result if isinstance(result, int) and not isinstance(result, bool) else 0
