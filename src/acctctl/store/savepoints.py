"""A savepoint in plain SQL, for the back ends with a database (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def savepoint(execute: Callable[[str], object], name: str) -> Iterator[None]:
    """What the block writes is undone if it raises; the rest of the transaction stays.
    Plain statements: on PostgreSQL, psycopg's nested transaction would wait for the
    server at its entry and exit in pipeline mode."""
    execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        execute(f"ROLLBACK TO SAVEPOINT {name}")
        execute(f"RELEASE SAVEPOINT {name}")
        raise
    execute(f"RELEASE SAVEPOINT {name}")
