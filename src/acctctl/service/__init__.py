"""Use cases: the only place that decides.

The wizard and the scripted path call the same functions with the same values;
the CLI only parses and renders. Every rule check that leads to a write happens
inside the store's write transaction, so two processes cannot both change one
contract.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from acctctl.service.admin import (
        cancel_change,
        check_invariants,
        get_change,
        history,
        history_head,
        replace_store,
        set_auto_renew,
    )
    from acctctl.service.bulk import batches, change_batch
    from acctctl.service.change import (
        REMEDIES,
        ChangePlan,
        ChangeResult,
        ResultStatus,
        change_partner,
        error_result,
        plan_change,
        submit,
    )
    from acctctl.service.context import (
        DEFAULT_PROPAGATION,
        Context,
        as_of,
        in_effect,
        require_actor,
        sign_in,
    )
    from acctctl.service.listing import listing_rows
    from acctctl.service.views import (
        CHANGE_STATUS_LABELS,
        SUPPORT_LEVELS,
        NoticeView,
        SubscriptionDetail,
        SubscriptionView,
        account_users,
        eligible_ids,
        is_user,
        list_subscriptions,
        lookup_partner,
        notices,
        partner_names,
        show_contract,
        show_subscription,
    )

# Each name is imported from its module on first use, the modules tried in this order:
# `subs list --json` needs the listing only, a table the views too — not the change and
# admin use cases (and what they import), at every start. The imports above are for
# type checkers; `__all__` below.
_MODULES = ("listing", "views", "context", "change", "admin", "bulk")


def __getattr__(name: str) -> Any:
    if name in __all__:
        for module in _MODULES:
            value = getattr(importlib.import_module(f"{__name__}.{module}"), name, _MISSING)
            if value is not _MISSING:
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_MISSING = object()

__all__ = [
    "CHANGE_STATUS_LABELS",
    "DEFAULT_PROPAGATION",
    "REMEDIES",
    "SUPPORT_LEVELS",
    "ChangePlan",
    "ChangeResult",
    "Context",
    "NoticeView",
    "ResultStatus",
    "SubscriptionDetail",
    "SubscriptionView",
    "account_users",
    "as_of",
    "batches",
    "cancel_change",
    "change_batch",
    "change_partner",
    "check_invariants",
    "eligible_ids",
    "error_result",
    "get_change",
    "history",
    "history_head",
    "in_effect",
    "is_user",
    "list_subscriptions",
    "listing_rows",
    "lookup_partner",
    "notices",
    "partner_names",
    "plan_change",
    "replace_store",
    "require_actor",
    "set_auto_renew",
    "show_contract",
    "show_subscription",
    "sign_in",
    "submit",
]
