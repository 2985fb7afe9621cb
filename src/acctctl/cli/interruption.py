"""A bulk run that stops telling the truth (issue 14, item 2).

`partner change -` may be stopped part-way: Ctrl-C (SIGINT), SIGTERM from a
supervisor, a reader that goes away (`| head -1`), or a standard stream closed
before the start (`>&-`, `<&-`). Every change is atomic, so the store is always
whole; what must not lie is the report. ``BulkRun`` is the one place that knows:

* a signal that arrives while a subscription is being changed is held until that
  change is done, then the run stops; one that arrives while waiting for the next
  id stops it at once;
* however it stops, stderr says how many changes were written (and which, when
  few), never "nothing was written" when something was;
* the exit code says how: 130 (SIGINT), 143 (SIGTERM), 141 (the reader went away,
  as a shell reports SIGPIPE), 2 (standard output closed from the start).

``reserve_standard_streams`` runs first in ``main``: a descriptor 0, 1 or 2 closed
at start is opened on /dev/null, so no file acctctl opens later (the SQLite store,
a lock file) takes its number and receives what was meant for a terminal.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from types import FrameType, TracebackType
from typing import Any

from acctctl.errors import AcctctlError, ExitCode, UsageError
from acctctl.i18n import _, ngettext

_SHOWN_IDS = 10  # written changes named one by one up to this many


class ClosedOutput:
    """Standard output when it was closed at start: any write is a usage error."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise UsageError(
            _("Standard output is closed (>&-): acctctl writes its results there."),
            hint=_("Redirect it to /dev/null to discard them: >/dev/null"),
        )

    def flush(self) -> None:
        """Nothing to flush: nothing was ever written."""

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("standard output is closed")


def reserve_standard_streams() -> None:
    """Hold descriptors 0–2 open (on /dev/null) when the process started without them."""
    for fd, flags in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, flags)
            if opened != fd:  # the lowest free number is taken: it is fd unless a lower one
                os.dup2(opened, fd)
                os.close(opened)
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    if sys.stderr is None:  # nowhere to tell anything; the exit code still does
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


class Interrupted(AcctctlError):
    """The run stopped before its end; the message says what was written."""

    code = "interrupted"

    def __init__(self, message: str, exit_code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that no ``except Exception`` stops it."""


_SIGNALS = {
    signal.SIGINT: ("Ctrl-C (SIGINT)", ExitCode.CANCELLED),
    signal.SIGTERM: ("SIGTERM", ExitCode.TERMINATED),
}


class BulkRun:
    """``with BulkRun() as run:`` around a bulk change; ``run.each(ids)`` hands out the
    ids, ``run.written(change_id)`` is told of each change written."""

    def __init__(self) -> None:
        self.changes: list[str] = []
        self._busy = False
        self._pending: int | None = None
        self._previous: dict[int, Any] = {}

    # --- what the run is told -----------------------------------------------------------

    def written(self, change_id: str) -> None:
        self.changes.append(change_id)

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        """A change (or a batch of them) in progress: a signal now waits for its end,
        then stops the run. Outside this block — waiting for input — it stops it at once."""
        self._stop_if_signalled()
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
        self._stop_if_signalled()

    def each(self, ids: Iterable[str]) -> Iterator[str]:
        """The ids, each worked on inside ``working``."""
        for sub_id in ids:  # reading the next id: a signal stops the run at once
            with self.working():
                yield sub_id

    def watch(self, display: Any) -> Any:
        """``display`` (the runner's), noting each change it is shown as submitted before
        printing it: a result that cannot be printed was still written."""
        return _Watched(display, self)

    # --- signals --------------------------------------------------------------------------

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if self._busy:
            self._pending = number  # finish the change in progress first
            return
        self._raise(number)

    def _stop_if_signalled(self) -> None:
        if self._pending is not None:
            self._raise(self._pending)

    @staticmethod
    def _raise(number: int) -> None:
        if number == signal.SIGTERM:
            raise _Terminated
        raise KeyboardInterrupt

    def __enter__(self) -> BulkRun:
        if isinstance(sys.stdout, ClosedOutput):
            sys.stdout.write("")  # refused before anything is written
        for number in _SIGNALS:
            self._previous[number] = signal.signal(number, self._on_signal)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)
        if error is None:
            return
        if isinstance(error, KeyboardInterrupt | _Terminated):
            number = signal.SIGTERM if isinstance(error, _Terminated) else signal.SIGINT
            name, code = _SIGNALS[number]
            how = _("Interrupted by {signal}").format(signal=name)
            raise Interrupted(self._told(how), code) from None
        if isinstance(error, BrokenPipeError):
            _silence_stdout()
            how = _("The reader of standard output went away")
            raise Interrupted(self._told(how), ExitCode.READER_GONE) from None
        if isinstance(error, UsageError) and isinstance(sys.stdout, ClosedOutput):
            raise Interrupted(self._told(error.message), ExitCode.USAGE) from None

    def _told(self, how: str) -> str:
        """``how`` the run stopped, and what it had written by then."""
        count = len(self.changes)
        if not count:
            return _("{how}: nothing was written.").format(how=how)
        written = ngettext(
            "{how}: {count} change was written ({ids}) before the run stopped.",
            "{how}: {count} changes were written ({ids}) before the run stopped.",
            count,
        )
        ids = ", ".join(self.changes[:_SHOWN_IDS]) + ("…" if count > _SHOWN_IDS else "")
        return written.format(how=how, count=count, ids=ids)


class _Watched:
    """A display that tells a ``BulkRun`` of every submitted change, then shows it."""

    def __init__(self, display: Any, run: BulkRun) -> None:
        self._display = display
        self._run = run

    def __getattr__(self, name: str) -> Any:
        return getattr(self._display, name)

    def result(self, at: Any, result: Any, dry_run: bool) -> None:
        if result.status == "submitted" and result.change is not None:
            self._run.written(result.change.id)
        self._display.result(at, result, dry_run)


def _silence_stdout() -> None:
    """Point descriptor 1 at /dev/null: the interpreter's last flush at exit would
    otherwise fail on the broken pipe again and print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
