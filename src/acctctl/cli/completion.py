"""Shell completion from the store: fast, and silent on any error."""

from __future__ import annotations

import os


def _store_target() -> str:
    from acctctl import config
    from acctctl.store import default_store_path

    target = os.environ.get("ACCTCTL_STORE")
    if target:
        return target
    return str(config.load().get("store") or default_store_path())


def complete_subscription(incomplete: str) -> list[str]:
    try:
        from acctctl.store import open_store

        store = open_store(_store_target())
        try:
            with store.read() as reader:
                return [s.id for s in reader.subscriptions() if s.id.startswith(incomplete)][:200]
        finally:
            store.close()
    except Exception:  # completion must never print a traceback into the shell
        return []


def complete_partner(incomplete: str) -> list[str]:
    try:
        from acctctl.store import open_store

        store = open_store(_store_target())
        try:
            with store.read() as reader:
                return [p.csn for p in reader.partners() if p.csn.startswith(incomplete.strip())]
        finally:
            store.close()
    except Exception:  # completion must never print a traceback into the shell
        return []
