"""`--from FILE` and `--date-format`: the vendor portal's Subscriptions export as input.

Shared by `subs list`, `subs show`, `subs deadlines` and `partner verify` (issue 15).
Reading the export never opens the store: an administrator may have none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from acctctl.cli.app import state


def from_option() -> Any:
    return typer.Option(
        None,
        "--from",
        metavar="FILE",
        help="Read the vendor portal's Subscriptions export (CSV) instead of the store.",
        show_default=False,
    )


def newer_export_option() -> Any:
    return typer.Option(
        None,
        "--from",
        metavar="FILE",
        help="A Subscriptions export downloaded from the portal after the change (CSV).",
        show_default=False,
    )


def date_format_option() -> Any:
    return typer.Option(
        None,
        "--date-format",
        metavar="FORMAT",
        help="How the export writes dates, e.g. %d/%m/%Y (default: ISO, 2027-09-30).",
        show_default=False,
    )


def read(source: str, date_format: str | None) -> Any:
    """The export, read whole (ExportFileError, exit 4, names what cannot be read)."""
    from acctctl.export_csv import check_date_format, read_export

    return read_export(source, date_format=check_date_format(date_format))


def now_and_actor(ctx: typer.Context) -> tuple[datetime, str | None]:
    """The time and the acting identity (--as), without opening the store."""
    from acctctl.clock import now

    return now(), state(ctx).settings().user
