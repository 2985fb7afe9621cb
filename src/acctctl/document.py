"""The account document (SPEC §7): validation on import (its JSON on export:
document_json.py).

``parse_document`` checks a decoded JSON value completely before anything is
written, and stops at the first problem with a ``DocumentError`` naming its place
(``subscriptions[3].seats: must be a positive integer``).

Security decision — no control characters in any string. Every string of a
document (names, products, subjects, e-mails, ids) is later printed to a terminal,
written to logs and stored. An imported document is untrusted input, so a string
holding a C0 or C1 control character (including ESC and DEL), a line or paragraph
separator (U+2028, U+2029), a Unicode bidirectional override or isolate (U+202A–
U+202E, U+2066–U+2069, the "Trojan Source" characters) or a lone surrogate is
rejected rather than escaped: it could otherwise rewrite the terminal (ANSI
escape sequences), forge lines in output and logs, show a partner name reading
differently from the bytes that are stored, or fail later when encoded to UTF-8.
No legitimate name, product or subject needs them.

Identifiers are strict inside documents: a CSN is exactly ten ASCII digits with no
surrounding spaces (only the command line forgives spaces), and Unicode digits
such as ``５`` are not digits here.

Validation is linear in the size of the document: every uniqueness check and
every reference is a dict lookup, so 100,000 subscriptions stay fast.
"""

from __future__ import annotations

import re
from array import array
from typing import Any

from acctctl.document_fields import (
    _bool,
    _choice,
    _count,
    _csn,
    _date,
    _email,
    _id,
    _list,
    _moment,
    _record,
    _seats,
    _text,
)
from acctctl.domain import (
    AGREEMENTS,
    CHANGE_STATUSES,
    EVENT_KINDS,
    FORMAT,
    PLANS,
    ROLES,
    Account,
    AccountDocument,
    Change,
    Contract,
    HistoryEvent,
    Notice,
    Partner,
    Subscription,
    User,
)
from acctctl.errors import DocumentError
from acctctl.i18n import _
from acctctl.ids import shown

_TOP_REQUIRED = ("format", "account", "users", "partners", "contracts", "subscriptions")
_TOP_OPTIONAL = ("notices", "changes", "history", "last_change_number")
_ACCOUNT_KEYS = ("csn", "name")
_USER_KEYS = ("email", "name", "role")
_PARTNER_KEYS = ("csn", "name", "city", "country", "email", "active")
_CONTRACT_KEYS = ("number", "manager", "term_end", "auto_renew", "agreement", "partners")
_SUBSCRIPTION_KEYS = ("id", "product", "seats", "plan", "contract")
_OWN_TERMS = ("manager", "term_end", "auto_renew", "partners")
_NOTICE_KEYS = ("received", "partner", "subject")
_CHANGE_REQUIRED = ("id", "from", "to", "by", "submitted_at", "effective_at", "status")
_CHANGE_HOLDERS = ("contract", "subscription")
_HISTORY_KEYS = ("event", "change", "at", "by", "hash")
_HASH = re.compile("[0-9a-f]{64}")


# --- the document ---------------------------------------------------------------------


class _Parser:
    """One pass over the document in SPEC order; each section only refers backwards."""

    def __init__(self) -> None:
        self.users: dict[str, int] = {}
        self.partners: dict[str, int] = {}
        self.contracts: dict[str, int] = {}
        self.contract_numbers: list[str] = []
        self.subscription_index: dict[str, int] = {}
        # Per subscription, its contract's index (-1: new buying model). Compact on
        # purpose: a streamed import keeps no million Subscription objects to check
        # the few changes that name a subscription.
        self.subscription_contract = array("l")
        self.changes: dict[str, int] = {}
        self.pending: dict[tuple[str, str], int] = {}

    @staticmethod
    def unique(seen: dict[str, int], key: str, index: int, section: str, place: str) -> None:
        other = seen.setdefault(key, index)
        if other != index:
            raise DocumentError(
                place,
                _("{value} is a duplicate: {section}[{other}] has it already").format(
                    value=shown(key), section=section, other=other
                ),
            )

    def user(self, value: Any, place: str) -> str:
        email = _email(value, place)
        if email not in self.users:
            raise DocumentError(
                place, _("{value} is not a user of the account").format(value=shown(email))
            )
        return email

    def partner(self, value: Any, place: str) -> str:
        csn = _csn(value, place)
        if csn not in self.partners:
            raise DocumentError(
                place, _("{value} is not a partner of the account").format(value=csn)
            )
        return csn

    def partner_list(self, value: Any, place: str) -> tuple[str, ...]:
        items = _list(value, place)
        if not items:
            raise DocumentError(place, _("must name at least one partner"))
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            item_place = f"{place}[{index}]"
            csn = self.partner(item, item_place)
            self.unique(seen, csn, index, place, item_place)
        return tuple(seen)

    def parse(self, data: Any) -> AccountDocument:
        if not isinstance(data, dict):
            raise DocumentError("", _("the document must be a JSON object"))
        if "format" not in data:
            raise DocumentError("format", _("is missing (expected {format})").format(format=FORMAT))
        if data["format"] != FORMAT:
            raise DocumentError("format", _("must be {format}").format(format=FORMAT))
        top = _record(data, "", _TOP_REQUIRED, _TOP_OPTIONAL)
        account_record = _record(top["account"], "account", _ACCOUNT_KEYS)
        account = Account(
            _csn(account_record["csn"], "account.csn"),
            _text(account_record["name"], "account.name"),
        )
        return AccountDocument(
            account=account,
            users=[self.parse_user(v, f"users[{i}]", i) for i, v in self.items(top, "users")],
            partners=[
                self.parse_partner(v, f"partners[{i}]", i) for i, v in self.items(top, "partners")
            ],
            contracts=[
                self.parse_contract(v, f"contracts[{i}]", i)
                for i, v in self.items(top, "contracts")
            ],
            subscriptions=[
                self.parse_subscription(v, f"subscriptions[{i}]", i)
                for i, v in self.items(top, "subscriptions")
            ],
            notices=[self.parse_notice(v, f"notices[{i}]") for i, v in self.items(top, "notices")],
            changes=[
                self.parse_change(v, f"changes[{i}]", i) for i, v in self.items(top, "changes")
            ],
            history=[self.parse_event(v, f"history[{i}]") for i, v in self.items(top, "history")],
            last_change_number=_count(top.get("last_change_number", 0), "last_change_number"),
        )

    @staticmethod
    def items(top: dict[str, Any], section: str) -> list[tuple[int, Any]]:
        if section not in top:
            return []
        return list(enumerate(_list(top[section], section)))

    def parse_user(self, value: Any, place: str, index: int) -> User:
        record = _record(value, place, _USER_KEYS)
        email = _email(record["email"], f"{place}.email")
        self.unique(self.users, email, index, "users", f"{place}.email")
        return User(
            email,
            _text(record["name"], f"{place}.name"),
            _choice(record["role"], f"{place}.role", ROLES),
        )

    def parse_partner(self, value: Any, place: str, index: int) -> Partner:
        record = _record(value, place, _PARTNER_KEYS)
        csn = _csn(record["csn"], f"{place}.csn")
        self.unique(self.partners, csn, index, "partners", f"{place}.csn")
        return Partner(
            csn,
            _text(record["name"], f"{place}.name"),
            _text(record["city"], f"{place}.city"),
            _text(record["country"], f"{place}.country"),
            _email(record["email"], f"{place}.email"),
            _bool(record["active"], f"{place}.active"),
        )

    def parse_contract(self, value: Any, place: str, index: int) -> Contract:
        record = _record(value, place, _CONTRACT_KEYS)
        number = _id(record["number"], f"{place}.number")
        self.unique(self.contracts, number, index, "contracts", f"{place}.number")
        self.contract_numbers.append(number)
        return Contract(
            number,
            self.user(record["manager"], f"{place}.manager"),
            _date(record["term_end"], f"{place}.term_end"),
            _bool(record["auto_renew"], f"{place}.auto_renew"),
            _choice(record["agreement"], f"{place}.agreement", AGREEMENTS),
            self.partner_list(record["partners"], f"{place}.partners"),
        )

    def parse_subscription(self, value: Any, place: str, index: int) -> Subscription:
        record = _record(value, place, _SUBSCRIPTION_KEYS, _OWN_TERMS)
        id_ = _id(record["id"], f"{place}.id")
        self.unique(self.subscription_index, id_, index, "subscriptions", f"{place}.id")
        product = _text(record["product"], f"{place}.product")
        seats = _seats(record["seats"], f"{place}.seats")
        plan = _choice(record["plan"], f"{place}.plan", PLANS)
        contract = record["contract"]
        if contract is not None:
            number = _id(contract, f"{place}.contract")
            if number not in self.contracts:
                raise DocumentError(
                    f"{place}.contract",
                    _("{value} is not a contract of the account").format(value=shown(number)),
                )
            for key in _OWN_TERMS:
                if key in record:
                    raise DocumentError(
                        f"{place}.{key}",
                        _(
                            "must not be given: the subscription belongs to contract {number}, "
                            "which holds its terms"
                        ).format(number=number),
                    )
            subscription = Subscription(id_, product, seats, plan, number)
        else:
            for key in _OWN_TERMS:
                if key not in record:
                    raise DocumentError(
                        f"{place}.{key}",
                        _(
                            "is missing: a subscription without a contract (new buying model) "
                            "carries its own manager, term_end, auto_renew and partners"
                        ),
                    )
            subscription = Subscription(
                id_,
                product,
                seats,
                plan,
                None,
                manager=self.user(record["manager"], f"{place}.manager"),
                term_end=_date(record["term_end"], f"{place}.term_end"),
                auto_renew=_bool(record["auto_renew"], f"{place}.auto_renew"),
                partners=self.partner_list(record["partners"], f"{place}.partners"),
            )
        self.subscription_contract.append(
            -1 if subscription.contract is None else self.contracts[subscription.contract]
        )
        return subscription

    def parse_notice(self, value: Any, place: str) -> Notice:
        record = _record(value, place, _NOTICE_KEYS)
        return Notice(
            _date(record["received"], f"{place}.received"),
            self.partner(record["partner"], f"{place}.partner"),
            _text(record["subject"], f"{place}.subject"),
        )

    def parse_change(self, value: Any, place: str, index: int) -> Change:
        record = _record(value, place, _CHANGE_REQUIRED, _CHANGE_HOLDERS)
        id_ = _id(record["id"], f"{place}.id")
        self.unique(self.changes, id_, index, "changes", f"{place}.id")
        if ("contract" in record) == ("subscription" in record):
            raise DocumentError(place, _("must name exactly one of contract or subscription"))
        contract: str | None = None
        subscription: str | None = None
        if "contract" in record:
            contract = _id(record["contract"], f"{place}.contract")
            if contract not in self.contracts:
                raise DocumentError(
                    f"{place}.contract",
                    _("{value} is not a contract of the account").format(value=shown(contract)),
                )
            holder = ("contract", contract)
        else:
            subscription = _id(record["subscription"], f"{place}.subscription")
            known = self.subscription_index.get(subscription)
            if known is None:
                raise DocumentError(
                    f"{place}.subscription",
                    _("{value} is not a subscription of the account").format(
                        value=shown(subscription)
                    ),
                )
            owner = self.subscription_contract[known]
            if owner >= 0:
                raise DocumentError(
                    f"{place}.subscription",
                    _(
                        "subscription {id} belongs to contract {number}: "
                        "its change must name the contract"
                    ).format(id=subscription, number=self.contract_numbers[owner]),
                )
            holder = ("subscription", subscription)
        before = _list(record["from"], f"{place}.from")
        from_seen: dict[str, int] = {}
        for i, item in enumerate(before):
            csn = _csn(item, f"{place}.from[{i}]")
            self.unique(from_seen, csn, i, f"{place}.from", f"{place}.from[{i}]")
        to = self.partner(record["to"], f"{place}.to")
        by = self.user(record["by"], f"{place}.by")
        submitted_at = _moment(record["submitted_at"], f"{place}.submitted_at")
        effective_at = _moment(record["effective_at"], f"{place}.effective_at")
        if effective_at < submitted_at:
            raise DocumentError(f"{place}.effective_at", _("must not be before submitted_at"))
        status = _choice(record["status"], f"{place}.status", CHANGE_STATUSES)
        if status == "pending":
            other = self.pending.setdefault(holder, index)
            if other != index:
                raise DocumentError(
                    f"{place}.status",
                    _(
                        "changes[{other}] is already pending on {kind} {holder}: "
                        "at most one change may be pending at a time"
                    ).format(other=other, kind=holder[0], holder=holder[1]),
                )
        return Change(
            id_,
            contract,
            subscription,
            tuple(from_seen),
            to,
            by,
            submitted_at,
            effective_at,
            status,
        )

    def parse_event(self, value: Any, place: str) -> HistoryEvent:
        """A record's fields; whether the chain holds is ``history.verify``'s question."""
        record = _record(value, place, _HISTORY_KEYS)
        by = record["by"]
        hash_ = record["hash"]
        if not isinstance(hash_, str) or _HASH.fullmatch(hash_) is None:
            raise DocumentError(f"{place}.hash", _("must be 64 lowercase hexadecimal digits"))
        return HistoryEvent(
            _choice(record["event"], f"{place}.event", EVENT_KINDS),
            _id(record["change"], f"{place}.change"),
            _moment(record["at"], f"{place}.at"),
            None if by is None else _email(by, f"{place}.by"),
            hash_,
        )


def parse_document(data: Any) -> AccountDocument:
    """Validate a decoded JSON value completely; raise DocumentError naming the place."""
    return _Parser().parse(data)
