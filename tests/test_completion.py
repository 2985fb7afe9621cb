"""Shell completion: ids and CSNs come from the store, quickly and silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOW = "2026-11-26T10:00:00Z"


def complete(env: dict[str, str], words: str, cword: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acctctl"],
        env={
            **env,
            "_ACCTCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
        },
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCTCTL_")}
    env.update(ACCTCTL_HOME=str(tmp_path), ACCTCTL_NOW=NOW, ACCTCTL_NO_PROMPT="1")
    subprocess.run(
        [sys.executable, "-m", "acctctl", "store", "init", "--demo"],
        env=env, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return env


def test_subscription_ids_complete_from_the_store(env: dict[str, str]) -> None:
    result = complete(env, "acctctl subs show 7200000000", 3)
    assert result.returncode == 0
    ids = result.stdout.split()
    assert ids and all(i.startswith("7200000000") for i in ids)
    assert "72000000001" in ids and result.stderr == ""


def test_partner_csns_complete_from_the_store(env: dict[str, str]) -> None:
    result = complete(env, "acctctl partner lookup 55500022", 3)
    assert result.stdout.split() == ["5550002222"]


def test_completion_is_silent_without_a_store(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "ACCTCTL_STORE": str(tmp_path / "missing.db")}
    result = complete(env, "acctctl subs show 7", 3)
    assert result.returncode == 0
    assert result.stdout.strip() == "" and result.stderr == ""
    assert not (tmp_path / "missing.db").exists()
