"""Tables that fit the terminal, and tab-separated text that scripts can trust.

A table is a list of ``Column``s over records (subscription views, changes…). Each
column knows its English name (the header of piped output), its label (translated
on a terminal), how a record reads to a person and how it reads in a pipe.

On a terminal the layout is worked out before anything is drawn (``plan``):

* a *whole* column (ids, contract numbers, CSNs, dates, times, e-mails) is never
  split or cut: its width is its longest value;
* a *text* column (product and partner names, reasons) wraps at word boundaries, and
  takes what is left, up to the width of its longest value;
* when even that does not fit, the least useful columns are left out, and the footer
  names them; when the essential ones alone do not fit, each record becomes a card.

``plan`` only needs the records it is given to measure, so a caller can measure a
first batch (or know the widths) and then draw any number of records with the same
layout, batch after batch (``Layout.draw``): a listing can stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Generic, Literal, TypeVar

from acctctl.i18n import ngettext
from acctctl.terminal_text import DEFAULT_WIDTH, cell_width, longest_word, unglue, wrap

if TYPE_CHECKING:
    from rich.text import Text

R = TypeVar("R")

GAP = 2  # spaces between two columns


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: ``name`` is its English header in a pipe, ``label`` the header a
    person reads (already translated), ``human``/``plain`` what a record shows in each.

    ``keep`` ranks usefulness: when the terminal is too narrow, the column with the
    lowest ``keep`` goes first; ``keep=None`` never goes (the table becomes cards)."""

    name: str
    label: str
    human: Callable[[R], str]
    plain: Callable[[R], str]
    whole: bool = False
    keep: int | None = None
    justify: Literal["left", "right"] = "left"
    min_text: int = 10  # a wrapping column narrower than this reads badly
    # A pipe may want two columns where a person reads one ("From", "To": "A → B").
    shown: Literal["both", "terminal", "pipe"] = "both"


@dataclass
class Measure:
    """What one column needs: ``least`` to read at all, ``natural`` to use one line per record."""

    least: int
    natural: int
    empty: bool


def measure(column: Column[R], cells: Sequence[str]) -> Measure:
    label_words = longest_word(column.label)
    if column.whole:
        longest = max((cell_width(c) for c in cells), default=0)
        least = max(longest, label_words)
        return Measure(least, max(least, cell_width(column.label)), not any(cells))
    natural = max([cell_width(column.label), *(cell_width(c) for c in cells)])
    words = max([label_words, *(longest_word(c) for c in cells)])
    least = min(natural, max(words, column.min_text))
    return Measure(least, natural, not any(cells))


@dataclass
class Layout(Generic[R]):
    """How records are drawn at a given width: the columns kept, their widths, the columns
    left out (named in the footer), or ``cards`` when no table fits."""

    columns: list[Column[R]]
    widths: list[int]
    dropped: list[Column[R]] = field(default_factory=list)
    cards: bool = False
    width: int = DEFAULT_WIDTH
    all_columns: list[Column[R]] = field(default_factory=list)

    def draw(
        self,
        records: Iterable[R],
        stream: IO[str],
        *,
        title: str | None = None,
        header: bool = True,
    ) -> None:
        """Draw ``records`` (one batch; call again with ``header=False`` for the next)."""
        from acctctl.output import console, inert

        screen = console(stream, width=self.width)
        if self.cards:
            if title and header:
                screen.print(_text(inert(title), "bold"))
            for record in records:
                _draw_card(screen, self.all_columns, record, self.width)
            return
        from rich import box
        from rich.table import Table

        grid = Table(
            title=inert(title) if title and header else None,
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
            show_header=header,
            header_style="bold",
        )
        for column, width in zip(self.columns, self.widths, strict=True):
            grid.add_column(
                "\n".join(wrap(column.label, width)),
                width=width,
                no_wrap=True,
                overflow="fold",
                justify=column.justify,
            )
        for record in records:
            grid.add_row(
                *(
                    _text(_cell(inert(column.human(record)), column, width))
                    for column, width in zip(self.columns, self.widths, strict=True)
                )
            )
        screen.print(grid)

    def rows(self, records: Iterable[R]) -> Iterator[str]:
        """The lines ``draw(records, header=False)`` draws for a table (not cards), made
        directly: a listing of 100,000 records after its first batch, at the speed of
        text. A whole value wider than its column (never one the layout measured) is
        written whole, pushing its row to the right, rather than split.

        A listing repeats its values (products, partners, dates): each column's cell is
        made (escaped, wrapped, padded) once per value, a few thousand values kept."""
        spans = list(zip(self.columns, self.widths, strict=True))
        made: list[dict[str, list[str]]] = [{} for _ in spans]
        blanks = [" " * width for width in self.widths]
        for record in records:
            cells: list[list[str]] = []
            for (column, width), known in zip(spans, made, strict=True):
                value = column.human(record)
                lines = known.get(value)
                if lines is None:
                    if len(known) >= _CELLS_KEPT:
                        known.clear()
                    lines = known[value] = _padded(value, column, width)
                cells.append(lines)
            if all(len(lines) == 1 for lines in cells):
                yield "  ".join([lines[0] for lines in cells]) + "\n"
                continue
            for n in range(max(len(lines) for lines in cells)):
                yield (
                    "  ".join(
                        [
                            lines[n] if n < len(lines) else blank
                            for lines, blank in zip(cells, blanks, strict=True)
                        ]
                    )
                    + "\n"
                )

    def footer(self) -> str | None:
        if not self.dropped:
            return None
        return ngettext(
            "Not shown at this width: {columns}. A wider terminal shows it.",
            "Not shown at this width: {columns}. A wider terminal shows them.",
            len(self.dropped),
        ).format(columns=", ".join(c.label for c in self.dropped))


_CELLS_KEPT = 4096  # distinct values per column whose cell lines ``Layout.rows`` keeps


def _padded(raw: str, column: Column[R], width: int) -> list[str]:
    """A cell's lines as ``Layout.rows`` writes them: escaped, wrapped to ``width`` (a
    whole value kept on one line), each padded to ``width`` on the side away from its
    justification."""
    from acctctl.output import inert

    value = inert(raw)
    if column.whole or ("\n" not in value and cell_width(value) <= width):
        lines = [unglue(value)]
    else:
        lines = wrap(value, width)
    padded = []
    for text in lines:
        pad = " " * max(width - cell_width(text), 0)
        padded.append(pad + text if column.justify == "right" else text + pad)
    return padded


def _cell(value: str, column: Column[R], width: int) -> str:
    if column.whole:
        return unglue(value)
    return "\n".join(wrap(value, width))


def _text(value: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(value, style=style)


def plan(columns: Sequence[Column[R]], sample: Sequence[R], width: int) -> Layout[R]:
    """The layout for ``sample`` (the records, or the first of them) at ``width``."""
    columns = [c for c in columns if c.shown != "pipe"]
    cells = [[c.human(r) for r in sample] for c in columns]
    measures = [measure(c, column_cells) for c, column_cells in zip(columns, cells, strict=True)]
    # A column empty for every record says nothing (no pending change anywhere).
    kept = [i for i, m in enumerate(measures) if not m.empty or columns[i].keep is None]
    dropped: list[int] = []

    def needed(indexes: list[int]) -> int:
        return sum(measures[i].least for i in indexes) + GAP * max(len(indexes) - 1, 0)

    while needed(kept) > width:
        droppable = [i for i in kept if columns[i].keep is not None]
        if not droppable:
            return Layout([], [], cards=True, width=width, all_columns=list(columns))
        least_useful = min(droppable, key=lambda i: columns[i].keep or 0)
        kept.remove(least_useful)
        dropped.append(least_useful)
    # A wide column dropped late may have made room for narrower ones dropped before it.
    for i in sorted(dropped, key=lambda i: -(columns[i].keep or 0)):
        if needed(sorted([*kept, i])) <= width:
            kept = sorted([*kept, i])
            dropped.remove(i)
    widths = {i: measures[i].least for i in kept}
    spare = width - needed(kept)
    _spend(spare, widths, [i for i in kept if not columns[i].whole], measures, cells, columns)
    return Layout(
        [columns[i] for i in kept],
        [widths[i] for i in kept],
        [columns[i] for i in sorted(dropped)],
        width=width,
        all_columns=list(columns),
    )


OPTIMISED_ROWS = 60  # the records the spare width is shared out for (the first ones)


def _spend(
    spare: int,
    widths: dict[int, int],
    wrapping: list[int],
    measures: list[Measure],
    cells: list[list[str]],
    columns: Sequence[Column[R]],
) -> None:
    """Share ``spare`` columns of width among the ``wrapping`` columns so that the records
    take the fewest lines: each time, the widening that saves most lines per column of
    width (a record is as tall as its tallest cell)."""
    rows = min(len(cells[0]) if cells else 0, OPTIMISED_ROWS)
    cache: dict[tuple[int, int], list[int]] = {}

    def lines(i: int, width: int) -> list[int]:
        key = (i, width)
        if key not in cache:
            cache[key] = [len(wrap(cell, width)) for cell in cells[i][:rows]]
        return cache[key]

    while spare > 0:
        current = {i: lines(i, widths[i]) for i in wrapping}
        best: tuple[float, int, int] | None = None  # (lines saved per column, column, width)
        for i in wrapping:
            others = [
                max((current[j][r] for j in wrapping if j != i), default=1) for r in range(rows)
            ]
            before = sum(max(o, n) for o, n in zip(others, current[i], strict=True))
            top = min(measures[i].natural, widths[i] + spare)
            for width in range(widths[i] + 1, top + 1):
                after = sum(max(o, n) for o, n in zip(others, lines(i, width), strict=True))
                if after < before:
                    gain = (before - after) / (width - widths[i])
                    if best is None or gain > best[0]:
                        best = (gain, i, width)
                    break
        if best is None:
            break
        _, i, width = best
        spare -= width - widths[i]
        widths[i] = width
    # Nothing more saves a line: widen what still wraps, so names read in fewer pieces.
    for i in sorted(wrapping, key=lambda i: -(columns[i].keep or 1000)):
        grow = min(spare, measures[i].natural - widths[i])
        if grow > 0:
            widths[i] += grow
            spare -= grow


def _draw_card(screen: object, columns: Sequence[Column[R]], record: R, width: int) -> None:
    """One record as "label  value" lines; values wrap at words, whole values never split."""
    from rich.console import Console

    assert isinstance(screen, Console)
    from acctctl.output import inert

    label_width = min(max(cell_width(c.label) for c in columns), max(width // 3, 8))
    indent = " " * (label_width + 2)
    lines: list[str] = []
    for column in columns:
        value = inert(column.human(record))
        if not value:
            continue
        label = column.label.ljust(label_width)
        if column.whole or cell_width(value) <= width - len(indent):
            lines.append(f"{label}  {unglue(value)}")
            continue
        wrapped = wrap(value, max(width - len(indent), 10))
        lines.append(f"{label}  {wrapped[0]}")
        lines.extend(indent + rest for rest in wrapped[1:])
    screen.print("\n".join(lines), soft_wrap=True)
    screen.print()


def write_plain(columns: Sequence[Column[R]], records: Iterable[R], stream: IO[str]) -> None:
    """Tab-separated: one header line of English names, then one line per record, as the
    records come (a pipe reads the first line before the last is known)."""
    from acctctl.output import inert

    columns = [c for c in columns if c.shown != "terminal"]
    stream.write("\t".join(c.name for c in columns) + "\n")
    for record in records:
        stream.write(
            "\t".join(
                unglue(inert(c.plain(record))).replace("\t", " ").replace("\n", " ")
                for c in columns
            )
            + "\n"
        )
