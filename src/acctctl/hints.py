"""The commands acctctl tells people to run, written so that pasting them works.

Every hint that names a command builds it here: ``command("partner", "cancel", id)``
gives ``acctctl partner cancel CHG-000001 --store /tmp/team.db --as marc@…`` when
``--store`` and ``--as`` were given on the command line or by the environment — the
pasted command must act on the same store, as the same user. Options that came from
the config file are left out: the config file gives them again. The language is
repeated only when ``--lang`` was given.

A command that asks for a confirmation (``partner cancel``, ``subs auto-renew``) is
built by ``confirming``: when this run cannot ask (no terminal, ``--yes``, ``--json`` —
the CLI calls ``cannot_prompt``), the hint carries ``--yes``, or the command pasted into
the same script would stop at "Pass --yes …"; at a terminal it asks, as it should.

The CLI calls ``remember`` once it knows the settings; below the CLI nothing else
changes this module's state.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from acctctl.ids import MAX_EMAIL_LENGTH

PROGRAM = "acctctl"
_in_effect: tuple[str, ...] = ()
_unattended = False

# Where a setting came from (config.Settings.sources) for it to be repeated in a hint.
_REPEATED_FROM = {
    "store": ("flag", "environment"),
    "user": ("flag", "environment"),
    "lang": ("flag",),
}
_FLAGS = {"store": "--store", "user": "--as", "lang": "--lang"}


def without_password(target: str) -> str:
    """A store target without its secrets (a hint is shown on screen and kept in
    scrollback): every password-like parameter is left out (``store.target``), so the
    pasted command finds the password where libpq looks, ~/.pgpass or PGPASSWORD. A path
    is returned as it is."""
    from acctctl.store.target import without_secrets

    return without_secrets(target)


def remember(values: Mapping[str, str | None], sources: Mapping[str, str]) -> None:
    """The global options a pasted command must repeat (see the module's docstring)."""
    global _in_effect
    options: list[str] = []
    for key, flag in _FLAGS.items():
        value = values.get(key)
        if key == "user" and value and len(value) > MAX_EMAIL_LENGTH:
            continue  # no user's address is that long: repeating it helps no one
        if value and sources.get(key) in _REPEATED_FROM[key]:
            options += [flag, without_password(value) if key == "store" else value]
    _in_effect = tuple(options)


def cannot_prompt() -> None:
    """This run asks nothing (see the module's docstring): nor will the pasted command."""
    global _unattended
    _unattended = True


def forget() -> None:
    global _in_effect, _unattended
    _in_effect = ()
    _unattended = False


def command(*words: str) -> str:
    """``acctctl WORDS… [--store …] [--as …] [--lang …]``, each word quoted for a POSIX
    shell when it needs to be."""
    return " ".join(shlex.quote(word) for word in (PROGRAM, *words, *_in_effect))


def confirming(*words: str) -> str:
    """``command(*words)`` for a command that asks before it writes: with ``--yes`` when
    this run cannot ask, so that the command runs where this one ran."""
    return command(*words, "--yes") if _unattended else command(*words)
