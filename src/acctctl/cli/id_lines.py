"""Ids read from standard input, one per line, for `partner change -` (SPEC §4).

Standard input is read as bytes and each line decoded on its own: one line that
is not UTF-8 (a file from another system, a stray binary) is that line's error
result — its bytes shown escaped (``72\\xff01``), never raw — and the ids around
it are still processed. Decoding the whole stream as text would instead stop the
run at the first bad byte with an internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from acctctl.errors import UsageError
from acctctl.i18n import _
from acctctl.ids import UndecodableLine


def id_lines() -> Iterator[str]:
    """The ids on standard input, lazily (results stream as ids arrive); blank lines and
    ``#`` comments skipped; an undecodable line as an ``UndecodableLine``."""
    stream = sys.stdin
    if stream is None:  # started with `<&-`
        raise UsageError(_("`-` reads standard input, but it is closed."))
    for number, raw in enumerate(stream.buffer, start=1):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            bad = UndecodableLine(raw.decode("utf-8", "backslashreplace").strip())
            bad.number = number
            yield bad
            continue
        if line and not line.startswith("#"):
            yield line
