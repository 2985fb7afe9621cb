"""`acctctl config show|get|set|unset|path`."""

from __future__ import annotations

import typer

from acctctl import config
from acctctl.cli.app import state
from acctctl.errors import NotFoundError, UsageError
from acctctl.i18n import N_, _, language
from acctctl.output import inert, out, print_json

app = typer.Typer(no_args_is_help=True)

KEY_HELP = N_("A setting: store, user, lang or propagation_minutes.")
"""Marked for the catalog (tests/test_french_cli.py checks it names
every key of ``config.KEYS``)."""


@app.command("path")
def path_() -> None:
    """Print where the config file is."""
    out(str(config.config_path()))


@app.command("show")
def show(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show every setting, its value and where it comes from."""
    from acctctl.store import redact

    settings = state(ctx).settings()
    values = {
        "store": redact(settings.store),
        "user": settings.user,
        "lang": language(),
        "propagation_minutes": settings.propagation_minutes,
    }
    if json_:
        print_json(
            {
                k: {"value": v, "source": settings.sources.get(k, "default")}
                for k, v in values.items()
            }
        )
        return
    from acctctl import piped_cards

    if piped_cards.piped():
        piped_cards.settings(
            [(k, v, settings.sources.get(k, "default")) for k, v in values.items()]
        )
        return
    for key, value in values.items():
        shown = "" if value is None else inert(value)
        source = source_label(settings.sources.get(key, "default"))
        out(_("{key} = {value}  ({source})").format(key=key, value=shown, source=source))


SOURCES = {
    "flag": N_("option"),
    "config": N_("config file"),
    "default": N_("default"),
    "environment": N_("environment"),
}


def source_label(source: str) -> str:
    """``environment (LANG)`` → « environnement (LANG) »: the word translated, the
    variable's name kept."""
    word, _space, detail = source.partition(" ")
    label = _(SOURCES[word]) if word in SOURCES else word
    return f"{label} {detail}" if detail else label


@app.command("get")
def get(
    key: str = typer.Argument(..., metavar="KEY", help=KEY_HELP),
) -> None:
    """Print one key's value in the config file."""
    if key not in config.KEYS:
        raise UsageError(
            _("Unknown config key {key!r}; known keys: {keys}.").format(
                key=key[:40], keys=", ".join(config.KEYS)
            )
        )
    data = config.load()
    if key not in data:
        raise NotFoundError(
            _("{key} is not set in {path}.").format(key=key, path=config.config_path())
        )
    if key == "store":
        from acctctl.store import redact

        out(inert(redact(data[key])))  # a password in a store URL is never printed
        return
    out(inert(data[key]))


@app.command("set")
def set_(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="KEY", help=KEY_HELP),
    value: str = typer.Argument(..., metavar="VALUE", help="Its new value."),
) -> None:
    """Set one key in the config file (written atomically)."""
    if key == "user":
        _check_user(ctx, value)
    config.save(key, value)


def _check_user(ctx: typer.Context, email: str) -> None:
    """``user`` must be a user of the account, or every later command fails with exit 5;
    a store that cannot be read yet (not created) only earns a warning."""
    from acctctl import service
    from acctctl.errors import NotAllowedError, StoreError
    from acctctl.output import err

    try:
        known = service.is_user(state(ctx).context(actor=None), email.strip())
    except StoreError as error:
        err(
            _("warning: {email} could not be checked ({problem}); saved anyway.").format(
                email=inert(email), problem=inert(error.message)
            )
        )
        return
    if not known:
        raise NotAllowedError(
            _("{email} is not a user of this account; nothing was saved.").format(
                email=inert(email)
            ),
            code="unknown-user",
        )


@app.command("unset")
def unset(
    key: str = typer.Argument(..., metavar="KEY", help=KEY_HELP),
) -> None:
    """Remove one key from the config file."""
    config.unset(key)
