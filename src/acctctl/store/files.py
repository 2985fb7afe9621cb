"""Private files and folders, written so a crash never leaves half a file (SPEC §7).

The store holds account data, so what acctctl creates is readable by its owner
only — 0700 folders, 0600 files — whatever the umask says. Folders that already
exist (the user's own, or the current one) are left as they are.

Files acctctl reads or replaces may be reached through a symbolic link (a dotfiles
folder, a store on another disk): a write lands on the link's target and the link
stays a link. What is not a regular file — a FIFO, a device, a directory — is
refused before anything is read from it: reading a FIFO with no writer waits
forever, and ``/dev/zero`` never ends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from acctctl.errors import AcctctlError, StoreError
from acctctl.i18n import _

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class NotRegularFileError(OSError):
    """The path names a FIFO, a device, a socket or a directory, not a file."""


def _not_regular(path: Path, mode: int) -> NotRegularFileError:
    if stat.S_ISDIR(mode):
        what = _("it is a directory, not a file")
    elif stat.S_ISFIFO(mode):
        what = _("it is a named pipe (FIFO), not a file")
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = _("it is a device, not a file")
    else:
        what = _("it is not a regular file")
    return NotRegularFileError(errno.EINVAL, what, str(path))


def real_path(path: Path) -> Path:
    """Where ``path`` leads once every symbolic link is followed (the path itself if
    nothing is a link): the file a write must replace, the name a lock must be taken on."""
    return Path(os.path.realpath(path))


def open_regular(path: Path) -> int:
    """A read-only descriptor on ``path``, once it is known to be a regular file.

    Opened without blocking (a FIFO with no writer would otherwise hold ``open``
    forever), then checked on the descriptor itself, so the file checked is the file
    read. Raises OSError: ``NotRegularFileError`` for what is not a file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_regular(path: Path) -> None:
    """Raise ``NotRegularFileError`` when ``path`` (links followed) exists and is not a
    regular file; a missing path, or one that cannot be looked at, passes."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``, a regular file (``open_regular``); raises OSError."""
    with os.fdopen(open_regular(path), "rb") as stream:
        return stream.read()


def same_file(one: Path, other: Path) -> bool:
    """Whether two paths lead to one file: through links, or hard links, or the same name."""
    try:
        a, b = os.stat(one), os.stat(other)
    except OSError:
        return real_path(one) == real_path(other)
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def is_out_of_space(exc: OSError) -> bool:
    """No space left on the device, or the user's quota is used up."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


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


def replace_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its pieces, as they are made) to ``path`` atomically (temp
    file, fsync, rename, fsync the folder).

    Readers see the old file or the new one, never a mixture; on any failure the old
    file is untouched and the temp file removed. The new file is 0600. Raises OSError.

    A symbolic link is written through: its target is replaced and the link stays.
    A file without write permission (0400) is refused, not replaced behind its
    owner's back (a rename needs only the folder's permission, and root needs none);
    so is what is not a regular file: replacing ``/dev/null`` or a FIFO by a file
    would break whoever uses it.
    """
    import tempfile  # here: a read-only command never needs it (1 ms of start-up)

    path = real_path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        if not mode & 0o222 or not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, _("the file is read-only"), str(path))
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                for piece in data:
                    stream.write(piece)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_directory(directory)


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """``replace_file`` for files the user names (``store export -o FILE``)."""
    try:
        replace_file(path, data)
    except OSError as exc:
        if is_out_of_space(exc):
            raise StoreError(
                _("Cannot write {path}: no space left on the device.").format(path=path)
            ) from None
        raise AcctctlError(
            _("Cannot write {path}: {problem}.").format(path=path, problem=exc.strerror or exc)
        ) from None
