"""What the standard library says went wrong, in the administrator's language.

``json`` and the operating system describe a problem in English (``Expecting ','
delimiter``, ``Permission denied``) whatever the language; these functions give
the catalog's sentence for the ones an administrator meets, and the original text
for the rest (it is still better than nothing, and it names the problem exactly).
"""

from __future__ import annotations

import errno
import json
import re

from acctctl.i18n import N_, _

_JSON = (
    ("Expecting value", N_("a value is expected")),
    ("Expecting property name enclosed in double quotes", N_("a key in double quotes is expected")),
    ("Expecting ':' delimiter", N_("a colon (:) is expected")),
    ("Expecting ',' delimiter", N_("a comma (,) is expected")),
    ("Unterminated string starting at", N_("a string is not closed")),
    ("Invalid control character at", N_("a control character appears inside a string")),
    ("Invalid \\escape", N_("a backslash escape is not valid")),
    ("Invalid \\uXXXX escape", N_("a \\uXXXX escape is not valid")),
    ("Extra data", N_("more text follows the document")),
    ("Illegal trailing comma before end of object", N_("a comma ends an object")),
    ("Illegal trailing comma before end of array", N_("a comma ends a list")),
)


def json_problem(error: json.JSONDecodeError) -> str:
    """``Expecting ',' delimiter`` → « une virgule (,) est attendue »."""
    for english, ours in _JSON:
        if error.msg.startswith(english):
            return _(ours)
    return error.msg


_OS = {
    errno.ENOENT: N_("no such file or directory"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.EISDIR: N_("it is a directory"),
    errno.ENOTDIR: N_("a part of the path is not a directory"),
    errno.ENOSPC: N_("no space left on the device"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EEXIST: N_("it already exists"),
    errno.ELOOP: N_("too many symbolic links"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EDQUOT: N_("the disk quota is exceeded"),
    errno.EIO: N_("input/output error"),
}


def os_problem(error: OSError | UnicodeError) -> str:
    """``[Errno 13] Permission denied: 'x'`` → « permission refusée »."""
    if isinstance(error, UnicodeError):
        return _("it is not UTF-8 text")
    known = _OS.get(error.errno) if error.errno is not None else None
    if known is not None:
        return _(known)
    return error.strerror or re.sub(r"^\[Errno \d+\] ", "", str(error))
