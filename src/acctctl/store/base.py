"""The store contract every back end keeps (SPEC §7).

A back end gives read views and write transactions. A write transaction is
atomic and serialised against other processes: the service checks the rules and
writes inside one, so two processes can neither lose an update nor both change
the same contract. Nothing here knows about the CLI.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from acctctl.domain import (
    Account,
    AccountDocument,
    Change,
    ChangeStatus,
    Contract,
    DocumentStream,
    HistoryEvent,
    Notice,
    Partner,
    Subscription,
    User,
)

if TYPE_CHECKING:
    from acctctl.candidates import Candidates
    from acctctl.store.listing_rows import ListingRow


class StoreReader(Protocol):
    """Reads, all consistent with one another within one ``read()``/``write()`` block."""

    def account(self) -> Account: ...

    def users(self) -> list[User]: ...

    def user(self, email: str) -> User | None: ...

    def partners(self) -> list[Partner]: ...

    def partner(self, csn: str) -> Partner | None: ...

    def contracts(self) -> Iterator[Contract]:
        """Every contract, ordered by number."""
        ...

    def contract(self, number: str) -> Contract | None: ...

    def subscriptions(self) -> Iterator[Subscription]:
        """Every subscription, ordered by id; streamed, so 100,000 rows stay cheap."""
        ...

    def subscription(self, id: str) -> Subscription | None: ...

    def listing(
        self, candidates: Candidates | None = None
    ) -> Iterator[tuple[Subscription, Contract | None]]:
        """Every subscription with its contract (None for the new buying model), ordered
        by id and streamed: memory does not grow with the account. Consecutive rows of one
        contract share one ``Contract`` object. With ``candidates``, only the rows that
        may be eligible (``candidates.Candidates``: a superset, the rules still decide)."""
        ...

    def candidate_contracts(self, candidates: Candidates) -> Iterator[Contract]:
        """The contracts ``candidates`` admits (``candidates.Candidates``: a superset, the rules
        still decide), ordered by number: what ``subs list --eligible --ids`` decides on."""
        ...

    def subscription_contracts(self) -> Iterator[tuple[str, str | None]]:
        """Every subscription's id and contract number (None for the new buying model),
        ordered by id and streamed."""
        ...

    def listing_rows(self, candidates: Candidates | None = None) -> Iterator[ListingRow]:
        """``listing`` as plain rows (``store.listing_rows``): ``(id, product, seats,
        plan, source)``, the source being the contract or the new-model subscription."""
        ...

    def subscriptions_of_contract(self, number: str) -> list[Subscription]:
        """Ordered by id."""
        ...

    def with_holders(
        self, sub_ids: Sequence[str]
    ) -> Iterator[tuple[Subscription, Contract | None, Change | None]]:
        """Each subscription of ``sub_ids`` the store holds, with its contract (None for
        the new buying model) and its holder's pending change: what a bulk change decides
        on, read for a whole batch at once (in one round trip on PostgreSQL)."""
        ...

    def notices(self) -> list[Notice]:
        """Newest first."""
        ...

    def changes(self, holder: str | None = None) -> list[Change]:
        """All changes, or those of one contract number / new-model subscription id;
        ordered by ``submitted_at`` then id."""
        ...

    def change(self, id: str) -> Change | None: ...

    def pending_changes(self) -> dict[str, Change]:
        """Changes with status ``pending``, keyed by holder (contract number or
        subscription id)."""
        ...

    def pending_change(self, holder: str) -> Change | None: ...

    def document(self) -> AccountDocument:
        """The whole account, for ``store export``, with its history."""
        ...

    def document_stream(self) -> DocumentStream:
        """What ``document()`` holds, for ``store export``: contracts, subscriptions and
        changes read from the store as they are iterated (inside the block)."""
        ...

    def history(self) -> list[HistoryEvent]:
        """The hash chain of the account's history, oldest first (history.py)."""
        ...

    def latest_event_at(self) -> datetime | None:
        """When the latest history record was made: no write may be dated before it."""
        ...

    def sandbox(self) -> bool:
        """A sandbox store (``store init --demo``, ``--sandbox``) lets ACCTCTL_NOW date
        its writes; any other store dates them by its own clock."""
        ...


class PipelineAborted(Exception):
    """The database refused a statement of a ``batched`` block sent without waiting: the
    transaction is rolled back; run the block again with ``batched(pipelined=False)``,
    where the refusal is raised by the statement it belongs to."""


class StoreWriter(StoreReader, Protocol):
    """A write transaction: everything done through it commits together or not at all."""

    def savepoint(self) -> AbstractContextManager[None]:
        """A block whose writes are undone when it raises, the transaction going on: one
        subscription of a bulk change's batch fails alone."""
        ...

    def batched(self, *, pipelined: bool = True) -> AbstractContextManager[None]:
        """A block of many small writes (a bulk change's batch): the store may send them
        without waiting for each answer — PostgreSQL's pipeline mode; nothing elsewhere.
        A change ``submit_change`` returns in the block may then carry a placeholder id
        until the block ends: ``recorded`` gives it as recorded. If the database refuses
        a statement sent that way, the block raises ``PipelineAborted`` once nothing of
        it is written: run it again with ``pipelined=False``."""
        ...

    def recorded(self, change: Change) -> Change:
        """A change ``submit_change`` returned inside ``batched``, as recorded (its id and
        times), once the block has ended."""
        ...

    def next_change_id(self) -> str:
        """A new change id (``CHG-000001``…), unique in this store."""
        ...

    def add_change(self, change: Change) -> None:
        """Raw: the change and its ``submitted`` history record, as given."""
        ...

    def set_change_status(
        self, id: str, status: ChangeStatus, *, at: datetime, by: str | None = None
    ) -> None:
        """Raw: a pending change becomes applied or cancelled, recorded in the history at
        ``at``; anything else is refused (ValueError): history is append-only."""
        ...

    def set_contract_partners(self, number: str, partners: Iterable[str]) -> None: ...

    def set_subscription_partners(self, id: str, partners: Iterable[str]) -> None:
        """For a new-buying-model subscription, which holds its own partners."""
        ...

    def set_contract_auto_renew(self, number: str, value: bool) -> None: ...

    def set_subscription_auto_renew(self, id: str, value: bool) -> None: ...

    # The recorded writes the service makes, each after deciding on what it read in the
    # same transaction. The raw setters above are for tests and repairs; on PostgreSQL a
    # member may use only these, which the database checks again (identity, rules, time).

    def settle(self, holder: str, at: datetime) -> Change | None:
        """Write down the holder's pending change whose time has come; the change applied."""
        ...

    def submit_change(self, change: Change, *, subscription: str, replace_all: bool) -> Change:
        """Record ``change`` (asked for ``subscription``; its id is given here) as submitted.
        Returns it as recorded: the store may date it by its own clock."""
        ...

    def cancel_change(self, id: str, *, by: str, at: datetime) -> Change: ...

    def set_auto_renew(self, subscription: str, value: bool, *, by: str, at: datetime) -> bool:
        """Automatic renewal of the subscription's contract (or its own); whether it changed."""
        ...


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the store says is connected: its ``login``, the account user it is mapped to
    (``email``, None when unmapped), and whether it is the store's ``owner``, who may act
    as any user (``--as``)."""

    login: str
    email: str | None
    owner: bool


@dataclass(frozen=True, slots=True)
class Member:
    """A team member: a PostgreSQL login and the account user it acts as."""

    login: str
    email: str


@runtime_checkable
class SharedStore(Protocol):
    """A store shared by a team, whose logins are mapped to account users (PostgreSQL)."""

    def members(self) -> list[Member]: ...

    def add_member(self, login: str, email: str) -> None:
        """Map ``login`` to the account user ``email`` and grant it what acctctl needs."""
        ...

    def remove_member(self, login: str) -> bool:
        """Unmap ``login`` and revoke what was granted; whether it was a member."""
        ...


class Store(Protocol):
    """One account store. ``target`` is what the user typed (password hidden by ``where``)."""

    def exists(self) -> bool: ...

    def where(self) -> str:
        """Where the store is, safe to print (no password)."""
        ...

    def read(self) -> AbstractContextManager[StoreReader]:
        """A consistent read view. Missing store: StoreMissingError; corrupt: StoreCorruptError;
        newer schema: StoreSchemaError."""
        ...

    def write(self) -> AbstractContextManager[StoreWriter]:
        """A write transaction, waiting at most the busy timeout for other writers
        (then StoreLockedError). Commits when the block ends normally, rolls back
        when it raises."""
        ...

    def replace(
        self, document: AccountDocument | DocumentStream, *, force: bool, sandbox: bool = False
    ) -> None:
        """Create the store holding ``document`` (``store init``/``import``), atomically.
        Refuses an existing store unless ``force`` (StoreExistsError). A whole document
        is already validated; a stream (``store import``) is validated as it is read,
        once, in section order, inside the transaction, so a problem it raises leaves
        the store as it was. Without a history, one is started from its changes."""
        ...

    def identity(self) -> Identity | None:
        """Who is connected, for a store that knows (PostgreSQL: the login); None for a
        local file, whose owner is trusted to act as any user."""
        ...

    def clock(self) -> datetime | None:
        """The store's own clock (PostgreSQL's ``now()``); None: this machine's."""
        ...

    def check(self) -> list[str]:
        """Integrity and schema problems found (empty: healthy). Domain invariants are
        checked by the service on top of ``read()``."""
        ...

    def session(self) -> AbstractContextManager[None]:
        """Blocks in a row — a bulk change — kept on one connection where that saves work
        (SQLite); each block is still its own transaction. Elsewhere it does nothing."""
        ...

    def close(self) -> None: ...
