"""Where acctctl keeps its files by default: the platform's user directories.

On Linux they are the XDG base directories, worked out here as ``platformdirs`` does
(``$XDG_CONFIG_HOME`` or ``$XDG_DATA_HOME`` when absolute, else under an absolute
``$HOME``): importing ``platformdirs`` costs 2–3 ms of every start-up, `--help`
included. Anywhere else, or in any case this does not cover, ``platformdirs`` answers;
a test compares both on Linux.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "acctctl"

_XDG = {"config": ("XDG_CONFIG_HOME", ".config"), "data": ("XDG_DATA_HOME", ".local/share")}


def _linux(kind: str) -> Path | None:
    android = hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ
    if sys.platform != "linux" or android:  # Android has folders of its own
        return None
    variable, under_home = _XDG[kind]
    xdg = os.environ.get(variable, "")
    if xdg.startswith("/"):
        return Path(xdg) / APP
    home = os.environ.get("HOME", "")
    if home.startswith("/"):
        return Path(home) / under_home / APP
    return None  # no usable HOME: platformdirs asks the password database


def user_config_path() -> Path:
    found = _linux("config")
    if found is not None:
        return found
    import platformdirs

    return platformdirs.user_config_path(APP)


def user_data_path() -> Path:
    found = _linux("data")
    if found is not None:
        return found
    import platformdirs

    return platformdirs.user_data_path(APP)
