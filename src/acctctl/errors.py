"""One error hierarchy; each class knows its exit code (SPEC §6).

The CLI's single handler turns any of these into one line on stderr and the exit
code; nothing below the CLI calls ``sys.exit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acctctl.rules import Reason


class ExitCode(IntEnum):
    """The exit codes of SPEC §6, by name: scripts rely on the numbers."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    REJECTED = 3
    NOT_FOUND = 4
    NOT_ALLOWED = 5
    STORE = 6
    CANCELLED = 130
    # A run stopped from outside, numbered as a shell reports the signal (128 + N).
    READER_GONE = 141  # SIGPIPE: the reader of standard output went away (`| head -1`)
    TERMINATED = 143  # SIGTERM


class AcctctlError(Exception):
    """A failure the user can understand and act on. ``code`` names it for scripts (the
    ``code`` of an ``error`` result in JSON): the class's, or a sharper one given where
    it is raised (``unknown-subscription`` rather than ``not-found``)."""

    exit_code: ExitCode = ExitCode.INTERNAL
    code: str = "internal"

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code


class UsageError(AcctctlError):
    """Bad flag, malformed CSN or id, missing value when not interactive."""

    exit_code = ExitCode.USAGE
    code = "usage"


class DocumentError(UsageError):
    """An account document that does not validate; ``place`` says where."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(f"{place}: {problem}" if place else problem, code="invalid-document")
        self.place = place
        self.problem = problem


class RejectedError(AcctctlError):
    """An eligibility rule says no."""

    exit_code = ExitCode.REJECTED
    code = "rejected"

    def __init__(self, message: str, reasons: Sequence[Reason] = (), **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.reasons = list(reasons)
        if self.reasons:
            self.exit_code = self.reasons[0].exit_code
            self.code = self.reasons[0].code


class NotFoundError(AcctctlError):
    """Subscription, partner or change not found."""

    exit_code = ExitCode.NOT_FOUND
    code = "not-found"


class ExportFileError(NotFoundError):
    """The vendor's export cannot be read: missing essential column, unreadable value or
    file. Exit 4 (issue 15): what the command needs is not found in the file."""


class NotAllowedError(AcctctlError):
    """Unknown user, or not the contract manager."""

    exit_code = ExitCode.NOT_ALLOWED
    code = "not-allowed"


class StoreError(AcctctlError):
    """The store is missing, corrupt, locked too long or of a newer schema."""

    exit_code = ExitCode.STORE
    code = "store"


class StoreMissingError(StoreError):
    code = "store-missing"


class StoreCorruptError(StoreError):
    code = "store-corrupt"


class StoreLockedError(StoreError):
    code = "store-locked"


class StoreSchemaError(StoreError):
    code = "store-newer"


class StoreExistsError(UsageError):
    """``store init``/``import`` would overwrite an existing store without ``--force``."""

    code = "store-exists"


class CancelledError(AcctctlError):
    """Ctrl-C, Esc, or "no" at Submit: nothing written."""

    exit_code = ExitCode.CANCELLED
    code = "cancelled"


def exit_code_of(error: BaseException) -> ExitCode:
    """The one mapping from whatever stopped a command to its exit code (SPEC §6)."""
    if isinstance(error, AcctctlError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.CANCELLED
    if isinstance(error, BrokenPipeError):  # the reader went away (`| head`): output is lost
        return ExitCode.READER_GONE
    return ExitCode.INTERNAL
