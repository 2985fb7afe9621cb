"""The JSON-file store: the account document itself is the store (SPEC §7).

Readers need no lock: the file is only ever replaced whole (temp file, fsync,
rename), so a reader sees the old document or the new one. Writers take an
exclusive ``flock`` on a sibling ``<name>.lock`` file for the whole transaction —
load, decide, write — so two processes can neither lose an update nor both change
one contract. A file that does not parse is reported and never rewritten.

A store reached through a symbolic link is written through to its target, and the
lock is taken beside the target: a writer naming the link and one naming the real
path take the same lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from acctctl.document import parse_document
from acctctl.document_input import UndecodableError, decode_json
from acctctl.document_json import document_to_json
from acctctl.domain import FORMAT, AccountDocument, DocumentStream
from acctctl.errors import DocumentError, StoreError, StoreMissingError
from acctctl.history import chain_of
from acctctl.i18n import _
from acctctl.store.base import StoreReader, StoreWriter
from acctctl.store.files import (
    ensure_private_dir,
    is_out_of_space,
    open_private_file,
    read_regular_file,
    real_path,
    replace_file,
)
from acctctl.store.invariants import (
    issued_change_number,
    store_corrupt,
    store_exists,
    store_locked,
    store_missing,
    store_newer,
)
from acctctl.store.memory import DocumentView

_POLL_SECONDS = 0.05


def _format_version(value: str) -> int | None:
    """The number N of an ``acctctl/N`` format, None for anything else."""
    name, _slash, number = value.partition("/")
    if name != "acctctl" or not number.isascii() or not number.isdigit():
        return None
    return int(number)


_KNOWN_VERSION = _format_version(FORMAT) or 1


class JsonFileStore:
    """An account in one JSON file; ``lock_timeout`` is how long a writer waits (seconds)."""

    def __init__(self, path: Path, lock_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    def where(self) -> str:
        return str(self.path)

    @property
    def lock_path(self) -> Path:
        """Beside the file the path leads to, so every name of one store shares its lock."""
        real = real_path(self.path)
        return real.with_name(real.name + ".lock")

    def exists(self) -> bool:
        try:
            status = self.path.stat()
            # What is not a file (a FIFO, a directory) is not free for a new store either:
            # loading it reports what it is.
            return status.st_size > 0 or not stat.S_ISREG(status.st_mode)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError:
            return True

    @contextlib.contextmanager
    def read(self) -> Iterator[StoreReader]:
        yield self._view()

    @contextlib.contextmanager
    def write(self) -> Iterator[StoreWriter]:
        if not self.exists():
            raise store_missing(self.where())
        with self._locked():
            view = self._view()
            yield view
            # Reached only when the block ended normally: on an exception nothing is written.
            if view.modified:
                self._save(view.stored_document(), sandbox=view.sandbox(), check=True)

    def identity(self) -> None:
        """A local file: its owner is trusted to act as any user (``--as``)."""
        return None

    def clock(self) -> None:
        return None

    def replace(
        self, document: AccountDocument | DocumentStream, *, force: bool, sandbox: bool = False
    ) -> None:
        if isinstance(document, DocumentStream):
            document = document.collect()  # one file written whole: read it all first
        try:
            ensure_private_dir(self.path.parent)
        except OSError as exc:
            raise self._cannot(_("Cannot create the store at {where}: {problem}."), exc) from None
        with self._locked():
            if self.exists():
                old = self._load()  # a corrupt or newer store is reported, never overwritten
                if not force:
                    raise store_exists(self.where())
                # Change ids go on from the replaced account's: the file is the only
                # place this store can remember them.
                issued = max(issued_change_number(old), document.last_change_number)
                document = replace(document, last_change_number=issued)
            history = chain_of(document.changes, document.history)
            self._save(replace(document, history=history), sandbox=sandbox)

    def check(self) -> list[str]:
        try:
            self._load()
        except StoreMissingError:
            raise
        except StoreError as exc:
            return [exc.message]
        return []

    def session(self) -> contextlib.AbstractContextManager[None]:
        """Nothing to keep: every block reads the file under its own lock."""
        return contextlib.nullcontext()

    def close(self) -> None:
        """Nothing stays open between blocks."""

    # --- the file ----------------------------------------------------------------------

    def _view(self) -> DocumentView:
        document, sandbox = self._load_with_flags()
        return DocumentView(document, sandbox=sandbox)

    def _load(self) -> AccountDocument:
        return self._load_with_flags()[0]

    def _load_with_flags(self) -> tuple[AccountDocument, bool]:
        """The document, and whether the store is a sandbox (a top-level ``"sandbox":
        true`` kept by this store beside the document, never exported)."""
        try:
            raw = read_regular_file(self.path)
        except (FileNotFoundError, NotADirectoryError):
            raise store_missing(self.where()) from None
        except OSError as exc:
            raise self._cannot(_("Cannot read the store at {where}: {problem}."), exc) from None
        if not raw:
            raise store_missing(self.where(), empty=True)
        try:
            data = decode_json(raw, self.where())
        except UndecodableError as exc:
            raise store_corrupt(self.where(), exc.problem) from None
        except DocumentError as exc:
            problem = _("it is not a valid account document ({problem})")
            raise store_corrupt(self.where(), problem.format(problem=exc.message)) from None
        if isinstance(data, dict) and isinstance(data.get("format"), str):
            version = _format_version(data["format"])
            if version is not None and version > _KNOWN_VERSION:
                raise store_newer(self.where(), data["format"], FORMAT)
        sandbox = isinstance(data, dict) and data.pop("sandbox", False) is True
        try:
            return parse_document(data), sandbox
        except DocumentError as exc:
            problem = _("it is not a valid account document ({problem})")
            raise store_corrupt(self.where(), problem.format(problem=exc.message)) from None

    def _save(
        self, document: AccountDocument, *, sandbox: bool = False, check: bool = False
    ) -> None:
        data = document_to_json(document)
        if check:
            # The last guard: never leave behind a file that would not load again.
            try:
                parse_document(data)
            except DocumentError as exc:
                raise ValueError(f"refusing to write an invalid account document: {exc}") from None
        if sandbox:
            data = {"format": data.pop("format"), "sandbox": True, **data}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        try:
            replace_file(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise self._cannot(_("Cannot write the store at {where}: {problem}."), exc) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the exclusive lock, waiting at most ``lock_timeout`` for another writer."""
        try:
            fd = open_private_file(self.lock_path)
        except OSError as exc:
            raise self._cannot(_("Cannot lock the store at {where}: {problem}."), exc) from None
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise store_locked(self.where()) from None
                    time.sleep(min(_POLL_SECONDS, left))
                except OSError as exc:
                    message = _("Cannot lock the store at {where}: {problem}.")
                    raise self._cannot(message, exc) from None
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _cannot(self, message: str, exc: OSError) -> StoreError:
        if is_out_of_space(exc):
            return StoreError(
                _("Cannot write the store at {where}: no space left on the device.").format(
                    where=self.where()
                )
            )
        return StoreError(message.format(where=self.where(), problem=exc.strerror or exc))
