"""Long tables through the user's pager, as ``git log`` does.

At a terminal, a table longer than the screen goes through ``$PAGER`` (``less`` when
unset, with ``LESS=FRSX`` unless set: long lines chopped rather than folded, colours
kept, the text left on the screen when it quits). Lines are written as they are
made: the first screen shows while the rest of a 100,000-row listing is still being
read. Shorter tables, ``PAGER=cat`` (or empty) and output that is not a terminal are
written straight through. Quitting the pager early ends the listing quietly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, cast


class PagerClosed(Exception):
    """The user quit the pager before the end: stop making lines."""


class Paged:
    """A text stream to the terminal that turns into the pager's input once more than
    a screenful has been written."""

    def __init__(self, stream: IO[str], command: str | None, rows: int) -> None:
        self._stream = stream
        self._command = command
        self._rows = rows
        self._held: list[str] = []
        self._lines = 0
        self._pager: subprocess.Popen[str] | None = None

    def isatty(self) -> bool:
        return True  # what is written here ends on the terminal, pager or not

    def fileno(self) -> int:
        return self._stream.fileno()

    def write(self, text: str) -> int:
        if self._pager is not None:
            self._to_pager(text)
        elif self._command is None:
            self._stream.write(text)
        else:
            self._held.append(text)
            self._lines += text.count("\n")
            if self._lines >= self._rows:
                self._start()
        return len(text)

    def flush(self) -> None:
        if self._pager is None:
            self._stream.flush()

    def _start(self) -> None:
        environment = dict(os.environ)
        environment.setdefault("LESS", "FRSX")
        environment.setdefault("LV", "-c")
        assert self._command is not None
        self._stream.flush()
        try:
            self._pager = subprocess.Popen(
                self._command,
                shell=True,
                stdin=subprocess.PIPE,
                env=environment,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError:  # no such pager: the terminal, straight
            self._command = None
            self._stream.write("".join(self._held))
            self._held = []
            return
        held, self._held = "".join(self._held), []
        self._to_pager(held)

    def _to_pager(self, text: str) -> None:
        assert self._pager is not None and self._pager.stdin is not None
        try:
            self._pager.stdin.write(text)
        except (BrokenPipeError, ValueError):
            raise PagerClosed from None

    def close(self) -> None:
        if self._pager is None:
            self._stream.write("".join(self._held))
            self._held = []
            self._stream.flush()
            return
        pager, self._pager = self._pager, None
        try:
            if pager.stdin is not None:
                pager.stdin.close()
        except BrokenPipeError:
            pass
        # The user reads until they quit; Ctrl-C is the pager's to handle meanwhile.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            pager.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


def pager_command(stream: IO[str]) -> str | None:
    """The pager to use for ``stream``, or None: not a terminal, or ``PAGER=cat``/empty."""
    try:
        if not os.isatty(stream.fileno()):
            return None
    except (AttributeError, ValueError, OSError):
        return None
    command = os.environ.get("PAGER")
    if command is None:
        return "less" if shutil.which("less") else None
    command = command.strip()
    return None if command in ("", "cat") else command


@contextmanager
def paged(stream: IO[str], *, enabled: bool = True) -> Iterator[IO[str]]:
    """``stream``, or the pager once a screenful has gone by (see the module's text)."""
    command = pager_command(stream) if enabled else None
    rows = shutil.get_terminal_size().lines if command else 0
    target = Paged(stream, command, max(rows - 1, 5))
    try:
        yield cast(IO[str], target)
    except PagerClosed:
        pass
    finally:
        with suppress(PagerClosed):
            target.close()
