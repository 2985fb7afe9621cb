"""Private files and folders, written so a crash never leaves half a file (SPEC §7).

The store holds account data, so what acctctl creates is readable by its owner
only — 0700 folders, 0600 files — whatever the umask says. Folders that already
exist (the user's own, or the current one) are left as they are.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from acctctl.errors import AcctctlError
from acctctl.i18n import _

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` and its missing parents with mode 0700; raises OSError."""
    missing: list[Path] = []
    current = directory
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it at the same moment: its mode is its own
        # mkdir's mode is masked by the umask; chmod is not.
        os.chmod(folder, PRIVATE_DIR)


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True when it was created here."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def open_private_file(path: Path) -> int:
    """A read-write descriptor on ``path``, created 0600 if missing (for lock files)."""
    if create_private_file(path):
        return os.open(path, os.O_RDWR | os.O_CLOEXEC)
    return os.open(path, os.O_RDWR | os.O_CLOEXEC)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable; some file systems cannot, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename, fsync the folder).

    Readers see the old file or the new one, never a mixture; on any failure the old
    file is untouched and the temp file removed. The new file is 0600. Raises OSError.
    """
    import tempfile  # here: a read-only command never needs it (1 ms of start-up)

    directory = path.parent
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_directory(directory)


def write_atomically(path: Path, data: bytes) -> None:
    """``replace_file`` for files the user names (``store export -o FILE``)."""
    try:
        replace_file(path, data)
    except OSError as exc:
        raise AcctctlError(
            _("Cannot write {path}: {problem}.").format(path=path, problem=exc.strerror or exc)
        ) from None
