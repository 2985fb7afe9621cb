"""The TOML config file and the settings it feeds.

Precedence everywhere: flag > environment > config file > default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from acctctl import values  # dataclasses compiled once (values.py)
from acctctl.errors import UsageError
from acctctl.i18n import _

KEYS: dict[str, str] = {
    "store": "where the account store is: a path (SQLite), a .json file, or postgresql://…",
    "user": "who is acting: a user's email (like --as)",
    "lang": "language of messages: en or fr",
    "propagation_minutes": "how long a submitted change takes to show (default 60)",
}
LANGS = ("en", "fr")


def home() -> Path | None:
    """ACCTCTL_HOME moves every file acctctl writes (tests set it)."""
    value = os.environ.get("ACCTCTL_HOME")
    return Path(value).expanduser() if value else None


def config_path() -> Path:
    base = home()
    if base is not None:
        return base / "config" / "config.toml"
    from acctctl.dirs import user_config_path

    return user_config_path() / "config.toml"


def _validate(key: str, value: Any) -> Any:
    if key not in KEYS:
        raise UsageError(
            _("Unknown config key {key!r}; known keys: {keys}.").format(
                key=key[:40], keys=", ".join(KEYS)
            )
        )
    if key == "propagation_minutes":
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                value = -1
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
            raise UsageError(
                _("propagation_minutes must be a whole number of minutes (0 or more).")
            )
        return value
    if not isinstance(value, str) or not value.strip():
        raise UsageError(_("{key} must be a non-empty string.").format(key=key))
    value = value.strip()
    if key == "lang" and value not in LANGS:
        raise UsageError(_("lang must be one of: {langs}.").format(langs=", ".join(LANGS)))
    return value


def _unreadable(path: Path, problem: object) -> UsageError:
    return UsageError(
        _("The config file {path} cannot be read: {problem}").format(path=path, problem=problem),
        hint=_("Fix it by hand, or delete it."),
    )


def load(path: Path | None = None) -> dict[str, Any]:
    """The file's settings, validated; {} when there is no file. A file that cannot be
    used — not UTF-8, not TOML, nested too deeply, a FIFO or a device — is a usage
    error naming it (exit 2): guessing past a broken config could act on the wrong store."""
    path = path or config_path()
    if not os.path.lexists(path):  # no file (nor folder): the store package not imported
        return {}
    from acctctl.store.files import read_regular_file

    try:
        raw = read_regular_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as exc:
        raise _unreadable(path, exc.strerror or exc) from None
    import tomllib  # only with a file to read: 2 ms of every start-up without one

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problem = _("it is not UTF-8 text (byte {byte} at position {position})")
        raise _unreadable(
            path, problem.format(byte=f"0x{raw[exc.start]:02x}", position=exc.start)
        ) from None
    except RecursionError:
        raise _unreadable(path, _("it is nested too deeply")) from None
    except tomllib.TOMLDecodeError as exc:
        raise _unreadable(path, exc) from None
    clean: dict[str, Any] = {}
    for key, value in data.items():
        try:
            clean[key] = _validate(key, value)
        except UsageError as exc:
            raise UsageError(
                _("In {path}: {problem}").format(path=path, problem=exc.message)
            ) from None
    return clean


def _write(path: Path, data: dict[str, Any]) -> None:
    """The whole file, atomically, 0600 in a 0700 folder (every folder made on the way
    too: mkdir's parents= would follow the umask)."""
    import tomli_w

    from acctctl.store.files import ensure_private_dir, write_atomically

    ensure_private_dir(path.parent)
    os.chmod(path.parent, 0o700)
    write_atomically(path, tomli_w.dumps(data).encode("utf-8"))


def save(key: str, value: str, path: Path | None = None) -> Any:
    """Set one key, writing the file atomically."""
    path = path or config_path()
    parsed = _validate(key, value)
    data = load(path)
    data[key] = parsed
    _write(path, data)
    return parsed


def unset(key: str, path: Path | None = None) -> None:
    _validate(key, "en" if key == "lang" else "x" if key != "propagation_minutes" else "0")
    path = path or config_path()
    data = load(path)
    if key in data:
        del data[key]
        _write(path, data)


@values.value
class Settings(values.Frozen):
    """The settings in effect: each from a flag, the environment, the config file or the default."""

    store: str
    user: str | None
    lang: str | None
    propagation_minutes: int
    sources: dict[str, str]

    def __init__(
        self,
        store: str,
        user: str | None,
        lang: str | None,
        propagation_minutes: int,
        sources: dict[str, str],
    ) -> None:
        values.set_field(self, "store", store)
        values.set_field(self, "user", user)
        values.set_field(self, "lang", lang)
        values.set_field(self, "propagation_minutes", propagation_minutes)
        values.set_field(self, "sources", sources)


def resolve(
    *, store: str | None, user: str | None, lang: str | None, default_store: str
) -> Settings:
    """Flag > environment > config file > default, for every setting."""
    file_values = load()
    sources: dict[str, str] = {}

    def pick(name: str, flag: Any, env: str | None, default: Any) -> Any:
        if flag is not None:
            sources[name] = "flag"
            return flag
        if env and os.environ.get(env):
            sources[name] = "environment"
            return os.environ[env]
        if name in file_values:
            sources[name] = "config"
            return file_values[name]
        sources[name] = "default"
        return default

    # The language is the one exception to "environment before config" (issue 7): the
    # locale variables speak for the whole system, `lang` in acctctl's config for acctctl.
    chosen_lang, sources["lang"] = lang, "flag"
    if lang is None and "lang" in file_values:
        chosen_lang, sources["lang"] = file_values["lang"], "config"
    elif lang is None:
        chosen_lang, sources["lang"] = None, "default"
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            if os.environ.get(var):
                chosen_lang, sources["lang"] = os.environ[var], f"environment ({var})"
                break
    return Settings(
        store=pick("store", store, "ACCTCTL_STORE", default_store),
        user=pick("user", user, "ACCTCTL_USER", None),
        lang=chosen_lang,
        propagation_minutes=int(pick("propagation_minutes", None, None, 60)),
        sources=sources,
    )
