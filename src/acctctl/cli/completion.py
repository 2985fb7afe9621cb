"""Shell completion from the store: fast, and silent on any error.

Candidates are printed into the user's shell, so they are escaped like table cells
(``output.inert``): a tampered store's id holding an escape sequence or a newline
must not reach the terminal or split into two candidates.
"""

from __future__ import annotations

import os
from itertools import islice

from acctctl.output import inert


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
                found = (s.id for s in reader.subscriptions() if s.id.startswith(incomplete))
                return [inert(i) for i in islice(found, 200)]
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
                prefix = incomplete.strip()
                return [inert(p.csn) for p in reader.partners() if p.csn.startswith(prefix)]
        finally:
            store.close()
    except Exception:  # completion must never print a traceback into the shell
        return []
