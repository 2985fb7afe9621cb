"""The vendor portal's Subscriptions export (Reporting / User management › Export), read
as spreadsheets save it.

UTF-8 with or without a byte-order mark, comma or semicolon separated (sniffed from the
header), quoted fields. Columns are matched loosely — case, spaces, underscores and
hyphens do not count, so ``Contract number`` is ``contract_number`` — under the old and
the new (2026) names; other columns are ignored. Anything that cannot be read is an
``ExportFileError`` (exit 4) naming the column and the row as a spreadsheet numbers them
(the header is row 1): the file is never half-read.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

from acctctl.errors import ExportFileError, UsageError
from acctctl.i18n import _
from acctctl.ids import is_csn, is_id, shown

# The vendor's column names ("Export data fields"), each with the other spellings seen
# in older exports and announced for 2026; compared after `_normal`.
ALIASES: dict[str, tuple[str, ...]] = {
    "subscription_id": ("subscription_id", "subscription_number", "subscription"),
    "contract_number": ("contract_number", "contract_no", "contract"),
    "offering_name": ("offering_name", "offering", "product_name", "product"),
    "plan": ("plan", "plan_name", "subscription_plan"),
    "seat_quantity": ("seat_quantity", "seats", "quantity", "number_of_seats"),
    "end_date": ("end_date", "subscription_end_date", "contract_end_date", "term_end"),
    "autorenew_date": ("autorenew_date", "auto_renew_date", "auto_renewal_date", "renewal_date"),
    "contract_manager_email": ("contract_manager_email", "contract_manager"),
    "reseller_name": ("reseller_name", "reseller", "partner_name", "partner"),
    "reseller_email": ("reseller_email", "partner_email"),
    "reseller_csn": ("reseller_csn", "reseller_account_number", "partner_csn"),
    "subscription_status": ("subscription_status", "status"),
}
ESSENTIAL = ("subscription_id", "contract_number", "end_date")
# A header line longer than this is not a Subscriptions export (and reading on would
# only fill memory); csv's own limit guards each field of the rows below it.
MAX_HEADER_CHARS = 64 * 1024
MAX_FIELD_CHARS = 128 * 1024


def _normal(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.strip().lstrip("\ufeff").casefold())


_CANONICAL = {_normal(alias): name for name, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One subscription line of the export; ``None``: empty, or its column is absent."""

    row: int
    subscription: str
    contract: str | None
    offering: str | None
    plan: str | None
    seats: int | None
    end_date: date
    autorenew_date: date | None
    manager: str | None
    reseller: str | None
    reseller_email: str | None
    reseller_csn: str | None


@dataclass(frozen=True, slots=True)
class Export:
    """A Subscriptions export: where it came from, which known columns it has, its rows,
    and the ``--date-format`` it was read with (a hint that reads it again repeats it)."""

    source: str
    columns: frozenset[str]
    rows: tuple[ExportRow, ...]
    date_format: str | None = None


def _problem(source: str, row: int, column: str, text: str) -> ExportFileError:
    return ExportFileError(
        _("{file}, row {row}, column {column}: {problem}").format(
            file=source, row=row, column=column, problem=text
        )
    )


class _Values:
    """Turns one row's cells into typed values, naming the column and row on failure."""

    def __init__(self, source: str, date_format: str | None) -> None:
        self.source = source
        self.date_format = date_format

    def identifier(self, row: int, column: str, text: str) -> str:
        if not is_id(text):
            raise _problem(
                self.source,
                row,
                column,
                _(
                    "{value} is not an identifier (letters, digits and '-'); if a spreadsheet "
                    "turned it into a number, export again and open the file as text."
                ).format(value=shown(text)),
            )
        return text

    def day(self, row: int, column: str, text: str) -> date:
        try:
            if self.date_format is not None:
                return datetime.strptime(text, self.date_format).date()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
                return date.fromisoformat(text[:10])
        except ValueError:
            pass
        if self.date_format is not None:
            problem = _("{value} is not a date in the form {format}.").format(
                value=shown(text), format=self.date_format
            )
        else:
            problem = _(
                "{value} is not a date in the form YYYY-MM-DD; for another form pass "
                "--date-format (e.g. --date-format %d/%m/%Y)."
            ).format(value=shown(text))
        raise _problem(self.source, row, column, problem)

    def count(self, row: int, column: str, text: str) -> int:
        digits = re.sub(r"[\s\u202f\u00a0]", "", text)
        if digits.endswith(".0"):  # spreadsheets write whole numbers as 10.0
            digits = digits[:-2]
        if not digits.isascii() or not digits.isdigit():
            raise _problem(
                self.source,
                row,
                column,
                _("{value} is not a number of seats.").format(value=shown(text)),
            )
        return int(digits)


def check_date_format(date_format: str | None) -> str | None:
    """``--date-format`` must contain a directive: a format without one matches no date."""
    if date_format is not None and "%" not in date_format:
        raise UsageError(
            _("--date-format {value} names no part of a date (e.g. %d/%m/%Y).").format(
                value=shown(date_format)
            )
        )
    return date_format


def _open(source: str) -> IO[bytes]:
    if source == "-":
        return sys.stdin.buffer
    path = Path(source)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ExportFileError(
                _("{file} is a folder, not the Subscriptions export (a .csv file).").format(
                    file=source
                )
            )
        if not stat.S_ISREG(mode):
            # A FIFO with no writer would hang the read; ask for a file (or `-`).
            raise ExportFileError(
                _("{file} is not a regular file: save the export as a .csv file.").format(
                    file=source
                )
            )
        return path.open("rb")
    except OSError as exc:
        raise ExportFileError(
            _("Cannot read the export {file}: {problem}.").format(
                file=source, problem=exc.strerror or exc
            )
        ) from None


def _delimiter(header: str) -> str:
    """Comma or semicolon: the one that splits the header into more known columns."""

    def score(delimiter: str) -> tuple[int, int]:
        names = next(csv.reader([header], delimiter=delimiter), [])
        return sum(_normal(n) in _CANONICAL for n in names), len(names)

    return max((",", ";"), key=score)


def read_export(source: str, *, date_format: str | None = None) -> Export:
    """Read the whole export (``-``: standard input); raises ExportFileError."""
    name = "-" if source == "-" else os.fspath(source)
    binary = _open(name)
    try:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        return _parse(name, text, date_format)
    except UnicodeDecodeError:
        raise ExportFileError(
            _(
                "{file} is not UTF-8 text: save it from the spreadsheet as CSV UTF-8, "
                "or download the export again."
            ).format(file=name)
        ) from None
    except OSError as exc:
        raise ExportFileError(
            _("Cannot read the export {file}: {problem}.").format(
                file=name, problem=exc.strerror or exc
            )
        ) from None
    finally:
        if binary is not sys.stdin.buffer:
            binary.close()


def _parse(source: str, text: io.TextIOWrapper, date_format: str | None) -> Export:
    header = text.readline(MAX_HEADER_CHARS + 1)
    if len(header) > MAX_HEADER_CHARS:
        raise ExportFileError(
            _("{file}: row 1 (the header) is too long to be a Subscriptions export.").format(
                file=source
            )
        )
    if not header.strip():
        raise ExportFileError(
            _("{file} is empty: download the Subscriptions export again.").format(file=source)
        )
    delimiter = _delimiter(header)
    names = next(csv.reader([header], delimiter=delimiter), [])
    index: dict[str, int] = {}
    for position, column in enumerate(names):
        canonical = _CANONICAL.get(_normal(column))
        if canonical is not None:
            index.setdefault(canonical, position)  # the first of two same columns wins
    for column in ESSENTIAL:
        if column not in index:
            raise ExportFileError(
                _(
                    "{file}, row 1: no {column} column; is this the Subscriptions export "
                    "(Reporting › Export › Subscriptions)?"
                ).format(file=source, column=column)
            )
    rows = tuple(_rows(source, text, delimiter, index, _Values(source, date_format)))
    return Export(source, frozenset(index), rows, date_format)


def _records(text: io.TextIOWrapper, delimiter: str) -> Iterator[list[str]]:
    limit = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        yield from csv.reader(text, delimiter=delimiter)
    finally:
        csv.field_size_limit(limit)


def _rows(
    source: str,
    text: io.TextIOWrapper,
    delimiter: str,
    index: dict[str, int],
    values: _Values,
) -> Iterator[ExportRow]:
    seen: dict[str, int] = {}
    records = _records(text, delimiter)
    row = 1
    while True:
        try:
            cells = next(records, None)
        except csv.Error as exc:
            raise _problem_row(source, row + 1, str(exc)) from None
        if cells is None:
            return
        row += 1
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave empty lines (and ";;;;") at the end

        def cell(column: str, cells: list[str] = cells) -> str | None:
            position = index.get(column)
            if position is None or position >= len(cells):
                return None
            value = cells[position].strip()
            return value or None

        sub_text = cell("subscription_id")
        if sub_text is None:
            raise _problem(source, row, "subscription_id", _("empty."))
        subscription = values.identifier(row, "subscription_id", sub_text)
        if subscription in seen:
            raise _problem(
                source,
                row,
                "subscription_id",
                _("{id} is already on row {first}.").format(
                    id=subscription, first=seen[subscription]
                ),
            )
        seen[subscription] = row
        contract_text = cell("contract_number")
        end_text = cell("end_date")
        if end_text is None:
            raise _problem(source, row, "end_date", _("empty."))
        seats_text = cell("seat_quantity")
        renewal_text = cell("autorenew_date")
        csn_text = cell("reseller_csn")
        if csn_text is not None:
            csn_text = re.sub(r"[\s-]", "", csn_text)
            if not is_csn(csn_text):
                raise _problem(
                    source,
                    row,
                    "reseller_csn",
                    _("{value} is not a partner account number (10 digits).").format(
                        value=shown(csn_text)
                    ),
                )
        yield ExportRow(
            row=row,
            subscription=subscription,
            contract=(
                values.identifier(row, "contract_number", contract_text)
                if contract_text is not None
                else None
            ),
            offering=cell("offering_name"),
            plan=cell("plan"),
            seats=(
                values.count(row, "seat_quantity", seats_text) if seats_text is not None else None
            ),
            end_date=values.day(row, "end_date", end_text),
            autorenew_date=(
                values.day(row, "autorenew_date", renewal_text)
                if renewal_text is not None
                else None
            ),
            manager=cell("contract_manager_email"),
            reseller=cell("reseller_name"),
            reseller_email=cell("reseller_email"),
            reseller_csn=csn_text,
        )


def _problem_row(source: str, row: int, problem: str) -> ExportFileError:
    return ExportFileError(
        _("{file}, row {row}: cannot be read as CSV ({problem}).").format(
            file=source, row=row, problem=problem
        )
    )


__all__ = ["ALIASES", "ESSENTIAL", "Export", "ExportRow", "check_date_format", "read_export"]
