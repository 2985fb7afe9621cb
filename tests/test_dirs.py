"""The default folders, worked out without platformdirs on Linux, are platformdirs' own."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from acctctl import dirs

CASES = [
    {"HOME": "/home/claire"},
    {"HOME": "/home/claire/"},
    {"HOME": "/"},
    {"HOME": "/home/claire", "XDG_CONFIG_HOME": "/xdg/config", "XDG_DATA_HOME": "/xdg/data"},
    {"HOME": "/home/claire", "XDG_CONFIG_HOME": "relative/config", "XDG_DATA_HOME": "rel"},
    {"HOME": "/home/claire", "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""},
    {"HOME": "relative-home"},
    {},
]


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is for Linux only")
@pytest.mark.parametrize("environment", CASES, ids=[str(c) for c in CASES])
def test_the_folders_are_platformdirs_folders(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    for variable in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "ANDROID_DATA"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert dirs.user_config_path() == platformdirs.user_config_path("acctctl")
    assert dirs.user_data_path() == platformdirs.user_data_path("acctctl")


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is for Linux only")
def test_the_shortcut_answers_without_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/claire")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # importing it would fail
    assert dirs.user_data_path() == Path("/home/claire/.local/share/acctctl")
