"""After the portal: does a newer export show the partner changes the store recorded?

The portal can take "at least one hour" to show a change. Each contract's latest change
(not cancelled) is compared with the resellers the newer export lists for it:

* ``confirmed``: the export lists the new partner, and only it;
* ``not-yet-visible``: it still lists exactly the partners from before the change;
* ``different``: anything else (another partner, a mix, the contract missing).

The export names resellers, and gives their CSN only in a ``reseller_csn`` column: a
partner is matched by CSN when the export has one, else by name (case and spacing aside).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from acctctl.domain import Change
from acctctl.export_csv import Export
from acctctl.i18n import _, format_datetime
from acctctl.ids import is_csn
from acctctl.service.context import Context, _iso, as_of
from acctctl.service.export import account_of

Outcome = Literal["confirmed", "not-yet-visible", "different"]
OUTCOMES: tuple[Outcome, ...] = ("confirmed", "not-yet-visible", "different")


@dataclass(frozen=True, slots=True)
class Verification:
    change: Change
    names: dict[str, str]  # CSN → name, from the store
    seen: tuple[tuple[str | None, str], ...] | None  # (CSN, name) in the export; None: absent
    outcome: Outcome
    message: str

    def to_json(self) -> dict[str, Any]:
        change = self.change
        return {
            "change": change.id,
            "contract": change.contract,
            "subscription": change.subscription,
            "status": change.status,
            "effective_at": _iso(change.effective_at),
            "from": [{"csn": c, "name": self.names.get(c, c)} for c in change.from_],
            "to": {"csn": change.to, "name": self.names.get(change.to, change.to)},
            "export_partners": (
                None if self.seen is None else [{"csn": c, "name": n} for c, n in self.seen]
            ),
            "outcome": self.outcome,
            "message": self.message,
        }


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def _same(csn: str, name: str, seen: tuple[str | None, str]) -> bool:
    seen_csn, seen_name = seen
    if seen_csn is not None:
        return seen_csn == csn
    return _folded(seen_name) == _folded(name)


def _matches(csns: tuple[str, ...], names: dict[str, str], seen: tuple[Any, ...]) -> bool:
    """The export lists exactly these partners (in any order)."""
    if len(csns) != len(seen):
        return False
    return all(any(_same(c, names.get(c, c), s) for s in seen) for c in csns)


def verify(ctx: Context, export: Export) -> list[Verification]:
    """Every contract's (or new-model subscription's) latest change, in the store's order."""
    account = account_of(export)
    with ctx.store.read() as reader:
        names = {p.csn: p.name for p in reader.partners()}
        changes = [as_of(c, ctx.now) for c in reader.changes() if c.status != "cancelled"]
    latest: dict[str, Change] = {}
    for change in changes:
        current = latest.get(change.holder)
        if current is None or change.submitted_at >= current.submitted_at:
            latest[change.holder] = change
    found: list[Verification] = []
    for change in sorted(latest.values(), key=lambda c: (c.submitted_at, c.id)):
        terms = account.terms.get(change.holder)
        if terms is None:
            found.append(
                Verification(
                    change,
                    names,
                    None,
                    "different",
                    _("{holder} is not in the export: is it the right account's export?").format(
                        holder=change.holder
                    ),
                )
            )
            continue
        seen = tuple(
            (key if is_csn(key) else None, account.partner_names.get(key, key))
            for key in terms.partners
        )
        to_name = names.get(change.to, change.to)
        if _matches((change.to,), names, seen):
            outcome: Outcome = "confirmed"
            message = _("The portal shows {name} as the partner of {holder}.").format(
                name=to_name, holder=change.holder
            )
        elif _matches(change.from_, names, seen):
            outcome = "not-yet-visible"
            if change.status == "pending":
                message = _(
                    "The portal still shows the partners from before; it can take at least "
                    "one hour: export again after {when}."
                ).format(when=format_datetime(change.effective_at))
            else:
                message = _(
                    "The portal still shows the partners from before: export again later; if "
                    "it lasts, check that the change was submitted in the portal."
                )
        else:
            outcome = "different"
            message = _(
                "The portal shows {seen} for {holder}, not {name}: check the contract in the "
                "portal, or contact support."
            ).format(
                seen=", ".join(n for _c, n in seen) or _("no partner"),
                holder=change.holder,
                name=to_name,
            )
        found.append(Verification(change, names, seen, outcome, message))
    return found
