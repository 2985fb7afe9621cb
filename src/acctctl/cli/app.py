"""The root command: global options, settings, and the one error handler.

Every command below parses its flags, calls the service and renders; errors
from any layer reach ``AcctctlGroup.invoke`` and become one line on stderr and
the exit code of SPEC §6.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
from collections.abc import Collection
from typing import Any

import typer
from typer.core import TyperGroup

from acctctl import __version__
from acctctl.cli.global_options import ROOT_OPTIONS_WITH_VALUE, hoist_global_options
from acctctl.errors import AcctctlError, CancelledError, ExitCode, exit_code_of
from acctctl.i18n import _


def report(error: AcctctlError) -> None:
    from acctctl.output import err, inert

    err(_("acctctl: {message}").format(message=inert(error.message)))
    if error.hint:
        err(_("hint: {hint}").format(hint=inert(error.hint)))


def handle(error: BaseException) -> ExitCode:
    """Whatever stopped a command, told in one sentence on stderr; returns its exit code.

    The only place errors become exit codes (through ``errors.exit_code_of``)."""
    from acctctl.output import err

    code = exit_code_of(error)
    if isinstance(error, AcctctlError):
        report(error)
    elif isinstance(error, KeyboardInterrupt):
        report(CancelledError(_("Cancelled; nothing was written.")))
    elif isinstance(error, BrokenPipeError):
        # The reader went away (`| head`): stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    else:
        err(
            _("acctctl: internal error ({kind}): {message}").format(
                kind=type(error).__name__, message=str(error)[:200]
            )
        )
        err(_("This is a bug in acctctl; set ACCTCTL_DEBUG=1 to see where it happened."))
    return code


class AcctctlGroup(TyperGroup):
    """The root group: every command runs inside its ``invoke``, so one handler serves all."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # Click's own, handled by it
            raise
        except Exception as error:
            if os.environ.get("ACCTCTL_DEBUG") and exit_code_of(error) == ExitCode.INTERNAL:
                raise
            raise typer.Exit(handle(error)) from None
        except KeyboardInterrupt as interrupt:
            raise typer.Exit(handle(interrupt)) from None


class State:
    """The global options, resolved lazily so `--version` and `--help` stay fast.

    A plain class: it was a dataclass, whose generated methods (compiled at every start)
    nothing used — one State per run, never compared nor printed."""

    def __init__(
        self,
        store_flag: str | None = None,
        as_flag: str | None = None,
        lang_flag: str | None = None,
    ) -> None:
        self.store_flag = store_flag
        self.as_flag = as_flag
        self.lang_flag = lang_flag
        self._settings: Any = None
        self._store: Any = None
        self._extra: dict[str, Any] = {}

    def settings(self) -> Any:
        if self._settings is None:
            from acctctl import config
            from acctctl.store import default_store_path

            self._settings = config.resolve(
                store=self.store_flag,
                user=self.as_flag,
                lang=self.lang_flag,
                default_store=str(default_store_path()),
            )
        return self._settings

    def store(self) -> Any:
        if self._store is None:
            from acctctl.store import open_store

            self._store = open_store(self.settings().store)
        return self._store

    def context(self, actor: str | None = None) -> Any:
        from datetime import timedelta

        from acctctl import clock
        from acctctl.service import Context
        from acctctl.service.context import resolve_actor

        settings = self.settings()
        store = self.store()
        # ACCTCTL_NOW for every read; for writes only on a sandbox store (service.at_write).
        given = clock.given()
        return Context(
            store=store,
            now=clock.now() if given else (store.clock() or clock.system_now()),
            actor=resolve_actor(store, actor if actor is not None else settings.user),
            propagation=timedelta(minutes=settings.propagation_minutes),
            now_given=given,
        )

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def prompts_allowed(yes: bool = False) -> bool:
    """Prompt only when stdin and stdout are terminals, no --yes, no ACCTCTL_NO_PROMPT."""
    from acctctl.output import is_terminal

    return (
        not yes
        and not os.environ.get("ACCTCTL_NO_PROMPT")
        and is_terminal(sys.stdin)
        and is_terminal(sys.stdout)
    )


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"acctctl {__version__}\n")
        raise typer.Exit(0)


_root = typer.Typer(
    name="acctctl",
    cls=AcctctlGroup,
    help="See a subscription account's contracts and move them to another partner.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@_root.callback()
def root(
    ctx: typer.Context,
    store: str | None = typer.Option(
        None,
        "--store",
        metavar="TARGET",
        help="The account store: a path (SQLite), a .json file, or postgresql://… "
        "[env: ACCTCTL_STORE; config: store]",
        show_default=False,
    ),
    as_: str | None = typer.Option(
        None,
        "--as",
        metavar="EMAIL",
        help="Act as this user of the account [env: ACCTCTL_USER; config: user]",
    ),
    lang: str | None = typer.Option(
        None, "--lang", metavar="LANG", help="Language of messages: en or fr [config: lang]"
    ),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """See a subscription account's contracts and move them to another partner."""
    current = state(ctx)
    current.store_flag, current.as_flag, current.lang_flag = store, as_, lang
    from acctctl.i18n import LANGUAGES, language_code, set_language

    if lang is not None and language_code(lang) not in LANGUAGES:
        from acctctl.errors import UsageError

        # Said in the language the rest of the settings choose (config, locale).
        current.lang_flag = None
        set_language(current.settings().lang)
        raise UsageError(_("--lang must be en or fr."))
    try:
        settings = current.settings()
    except AcctctlError:
        # A broken config file is reported by each command that needs a setting (they
        # call settings() again); `config path`, which says where to fix it, needs none.
        set_language(lang)
    else:
        set_language(settings.lang)
        from acctctl import hints

        hints.remember(
            {"store": settings.store, "user": settings.user, "lang": lang}, settings.sources
        )
        if not prompts_allowed():  # a command this run tells to run will not ask either
            hints.cannot_prompt()
        ctx.call_on_close(hints.forget)
    ctx.call_on_close(current.close)


def _group(name: str, module: str, *, help: str) -> tuple[str, str, str]:
    return name, module, help


# The command groups, each imported only when it runs (or the whole app is asked for):
# a command pays for its own group's imports, not the other three's.
_GROUPS = (
    _group("subs", "acctctl.cli.subs", help="Billing and Orders › Subscriptions and Contracts."),
    _group("partner", "acctctl.cli.partner", help="Find a partner, change partner, history."),
    _group(
        "store", "acctctl.cli.store_commands", help="Create, import, export and check the store."
    ),
    _group("config", "acctctl.cli.config_commands", help="The config file."),
)


def _app_with(real: Collection[str], command: str | None = None) -> typer.Typer:
    """The root command with every group: those named in ``real`` imported and whole, the
    others as their name and help only (what the root's `--help` shows of them). With
    ``command``, the group in ``real`` holds only that command (``_with_only``)."""
    built = copy.copy(_root)
    built.registered_groups = []  # the copy's own list: `_root` stays without groups
    for name, module, help in _GROUPS:
        group = importlib.import_module(module).app if name in real else typer.Typer()
        if command is not None and name in real:
            group = _with_only(group, command)
        built.add_typer(group, name=name, help=help)
    return built


def _with_only(group: typer.Typer, name: str) -> typer.Typer:
    """``group`` holding only its command ``name``: Typer builds (signature, type hints,
    Click parameters) every command of a group at each start, and a command line runs
    one. The whole group when it has no command registered under that exact name (Click
    then says so, with its suggestions)."""
    chosen = [info for info in group.registered_commands if info.name == name]
    if len(chosen) != 1 or group.registered_groups:
        return group
    only = copy.copy(group)
    only.registered_commands = chosen  # the copy's own list: the group stays whole
    return only


def __getattr__(name: str) -> Any:
    """``app``: the whole application, every group imported (tests, generated docs)."""
    if name == "app":
        whole = _app_with({group for group, _module, _help in _GROUPS})
        globals()["app"] = whole
        return whole
    raise AttributeError(name)


def _language_before_parsing(args: list[str]) -> str | None:
    """The language for `--help`, which Click prints while parsing, before `root` runs."""
    flag = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            flag = args[index + 1]
        elif arg.startswith("--lang="):
            flag = arg.partition("=")[2]
    from acctctl import config
    from acctctl.i18n import LANGUAGES, language_code

    if flag is not None and language_code(flag) not in LANGUAGES:
        flag = None  # refused by `root`, in the language the other settings choose

    try:
        return config.resolve(store=None, user=None, lang=flag, default_store="").lang
    except AcctctlError:  # a broken config file is reported once the command runs
        return flag


def _only_group(args: list[str]) -> typer.Typer:
    """The application for this command line: only the group it runs is imported, and
    only the command it runs is built (Typer builds every command it holds at each
    start, and each group's module imports its own dependencies). Shell completion gets
    every group whole; `GROUP --help …` and a word the group does not know, the group."""
    if "_ACCTCTL_COMPLETE" in os.environ:
        return _app_with({group for group, _module, _help in _GROUPS})
    value_follows = False
    named = None  # the group the command line names
    for arg in args:
        if value_follows:
            value_follows = False
        elif arg in ROOT_OPTIONS_WITH_VALUE:
            value_follows = True
        elif arg == "--":  # what follows is not an option: let Click decide with every group
            return _app_with({group for group, _module, _help in _GROUPS})
        elif arg.startswith("-"):  # --help, --version, --store=…, completion options
            if named is not None:  # `subs --help list` shows the group: all of it
                return _app_with({named})
            continue
        elif named is None:
            # The first word that is not an option names the group (or nothing we know:
            # Click then says so, with every group's name in its help).
            named = arg
        else:
            return _app_with({named}, command=arg)  # the second, the group's command
    return _app_with(() if named is None else {named})


def main(argv: list[str] | None = None) -> int:
    from acctctl.cli.interruption import reserve_standard_streams
    from acctctl.i18n import set_language
    from acctctl.output import tolerate_unencodable

    reserve_standard_streams()  # first: before any file can take descriptor 0, 1 or 2
    tolerate_unencodable()
    args = sys.argv[1:] if argv is None else list(argv)
    command = typer.main.get_command(_only_group(args))
    if "_ACCTCTL_COMPLETE" not in os.environ:
        args = hoist_global_options(args, command)
    from acctctl.cli.coercion import skip_pydantic

    skip_pydantic(command)
    from acctctl.cli.usage import readable, summaries

    readable(command)
    if set_language(_language_before_parsing(args)) != "en":
        from acctctl.cli.click_text import localize, run_localized
        from acctctl.cli.help_text import translate

        translate(command)
        summaries(command)
        localize(command)
        return run_localized(command, args)
    summaries(command)
    try:
        command(args=args, prog_name="acctctl")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
