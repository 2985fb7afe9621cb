"""How the flow asks: a ``Prompter`` protocol, and the scripted one fed from the command line.

The runner asks every question through a ``Prompter``, naming the flag that answers it
without prompts. At a terminal the wizard's ``QuestionaryPrompter`` asks the person;
with ``--yes`` / ``--dry-run`` (or no terminal) the ``ScriptedPrompter`` answers from
the command line's values, and a value the command line did not give is a usage
error naming the flag (exit 2) — at once, before the first step line, once who acts
is settled (``ScriptedPrompter.ready``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from acctctl.errors import CancelledError, UsageError
from acctctl.i18n import _

T = TypeVar("T")

Validator = Callable[[str], str | None]
"""Returns None when the text is acceptable, else the sentence saying what is wrong."""

# The flags that answer the flow's questions without prompts.
AS, CSN, IDS, YES, REPLACE_ALL = "--as", "--csn", "ID", "--yes", "--replace-all"


@dataclass(frozen=True, slots=True)
class Option(Generic[T]):
    """One answer of a ``select``; a ``disabled`` option is shown with its reason.
    ``echo`` is what the question shows once answered, when the title is longer than
    the answer needs (a table row: its subscription id)."""

    title: str
    value: T
    disabled: str | None = None
    echo: str | None = None


class Prompter(Protocol):
    """Asks the flow's questions. ``interactive`` is False when nobody answers: the flow
    then never goes back (an answer from the command line would come again)."""

    @property
    def interactive(self) -> bool: ...

    def select(
        self, message: str, options: Sequence[Option[T]], default: T | None = None, *, flag: str
    ) -> T:
        """One of the enabled options' values (the scripted prompter: the ``default``)."""
        ...

    def text(
        self, message: str, default: str = "", validate: Validator | None = None, *, flag: str
    ) -> str: ...

    def confirm(self, message: str, default: bool = False, *, flag: str) -> bool: ...

    def ready(self) -> None:
        """Called once who acts is settled (an unknown user is exit 5 first, SPEC issue
        10), before the first step asks anything: the scripted prompter fails here for a value
        that is needed and was not given."""
        ...


def cancelled() -> CancelledError:
    return CancelledError(_("Cancelled; nothing was written."))


def missing(flag: str) -> UsageError:
    """The value ``flag`` gives was needed and not given (not running interactively)."""
    if flag == CSN:
        return UsageError(_("Missing the new partner's account number: pass --csn CSN."))
    if flag == IDS:
        return UsageError(
            _("Missing the subscriptions: pass their IDs, or - to read them from stdin.")
        )
    if flag == AS:
        from acctctl.hints import command

        return UsageError(
            _("Who is acting? Pass --as EMAIL (or set ACCTCTL_USER, or `{command}`).").format(
                command=command("config", "set", "user", "EMAIL")
            )
        )
    return UsageError(
        _(
            "Pass --yes to submit without prompts (or --dry-run to only check), when not "
            "running interactively."
        )
    )


class ScriptedPrompter:
    """Answers from the command line: ``--csn``'s value, ``--yes`` (or ``--dry-run``) to
    every confirmation, ``--replace-all`` to "replace all partners?"."""

    interactive = False

    def __init__(self, answers: dict[str, str | bool | None], required: Sequence[str] = ()) -> None:
        self.answers = answers
        self.required = tuple(required)

    def ready(self) -> None:
        self.require(*self.required)

    def require(self, *flags: str) -> None:
        """Fail at once, naming the first flag that is needed and was not given."""
        for flag in flags:
            if not self.answers.get(flag):
                raise missing(flag)

    def select(
        self, message: str, options: Sequence[Option[T]], default: T | None = None, *, flag: str
    ) -> T:
        if flag != YES or not self.answers.get(YES) or default is None:
            raise missing(flag)
        return default

    def text(
        self, message: str, default: str = "", validate: Validator | None = None, *, flag: str
    ) -> str:
        value = self.answers.get(flag)
        if not isinstance(value, str):
            raise missing(flag)
        return value

    def confirm(self, message: str, default: bool = False, *, flag: str) -> bool:
        return bool(self.answers.get(flag))
