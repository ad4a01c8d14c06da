"""A flat table of records (tuples) for the panels' tables, with a matching proxy.

The panels show small-to-large lists (a unit's versions, the whole SHAK map at a
date: ~100k rows), so `data()` is a tuple lookup and the per-column sort keys are
built once, on the first sort by that column. Sorting is asked of the
`RecordsProxy` (a `QSortFilterProxyModel`), which hands it to the model: one
Python sort over a precomputed key list instead of ~n log n `lessThan`/`data()`
round trips (4.4 s -> well under 0.2 s for 55k rows). The keys (also served as
`SORT_ROLE`) are strings whose plain order is the wanted one: digit columns
zero-padded (ids sort numerically), ISO dates as they are, text by the Danish
collation key (æ, ø, å after z), empty cells last.
Filtering is a substring test over a folded per-row text, also built once.

A cell may hold a `Worded` value: a file code shown in words ("I" as "Ind", TRUE as
"Ja"). It is a `str` of the words, so showing, sorting, filtering and copying all
use what is shown; the code as the file has it is the cell's tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from sorviewer.text import fold_array, fold_text, name_sort_key
from ui.formatting import display_text, raw_text

#: the SorId of a row (str) or None when the row has none
SOR_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: a string whose plain comparison gives the wanted order
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
#: the row's record (tuple) as given
RECORD_ROLE = Qt.ItemDataRole.UserRole + 3

#: values longer than this get the whole text as a tooltip
LONG_TEXT = 40
#: a cell of only digits this long or longer is an id or a code (SOR id, EAN, SHAK):
#: its column is sized so it is never cut, and it carries itself as a tooltip
ID_DIGITS = 6
_ID_WIDTH = 24
_LAST = "\U0010ffff"  # empty cells sort after everything

Index = QModelIndex | QPersistentModelIndex


class Worded(str):
    """A file value shown in words; `raw` is the value as the file has it."""

    raw: str

    def __new__(cls, words: str, raw: str) -> Worded:
        obj = super().__new__(cls, words)
        obj.raw = raw
        return obj


def fold_many(texts: list[str]) -> list[str]:
    """`fold_text` over many strings at once (the core's pyarrow form, for tables of 50k
    rows)."""
    if len(texts) < 1000:
        return [fold_text(t) for t in texts]
    out: list[str] = fold_array(pa.array(texts, type=pa.string())).to_pylist()
    return out


def is_id_text(text: str) -> bool:
    """Whether a cell's text is an id or a code that must be shown whole."""
    return len(text) >= ID_DIGITS and text.isdigit()


def _is_date(text: str) -> bool:
    """An ISO date (shown as dd-mm-yyyy, never cut either)."""
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()


def _column_kind(texts: Sequence[str]) -> str:
    filled = [t for t in texts if t]
    if filled and all(t.isdigit() for t in filled):
        return "digits"
    if filled and all(len(t) == 10 and t[4] == "-" and t[7] == "-" for t in filled):
        return "date"
    return "text"


def _sort_keys(texts: Sequence[str]) -> list[str]:
    kind = _column_kind(texts)
    if kind == "digits":
        return [t.rjust(_ID_WIDTH, "0") if t else _LAST for t in texts]
    if kind == "date":
        return [t or _LAST for t in texts]
    return [name_sort_key(t) if t else _LAST for t in texts]


class RecordsModel(QAbstractTableModel):
    """Rows of tuples under header keys, with display labels per key.

    `id_key` names the column holding a row's SorId (for `SOR_ID_ROLE`); rows
    listed in `highlight` are shown bold with a tinted background.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys: list[str] = []
        self._labels: list[str] = []
        self._rows: list[tuple[Any, ...]] = []
        self._id_col = -1
        self._highlight: frozenset[int] = frozenset()
        self._sort_cache: dict[int, list[str]] = {}
        self._row_text: list[str] | None = None
        self._italic_rows: frozenset[int] = frozenset()
        # the view sets it from its palette (and again on a palette change)
        self._highlight_brush = QBrush(QColor(255, 236, 170))

    # --- content ------------------------------------------------------------------

    def set_records(
        self,
        keys: Sequence[str],
        labels: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        id_key: str | None = "sor_id",
        highlight: Sequence[int] = (),
    ) -> None:
        """Replace everything (a model reset: new content, not a date move)."""
        self.beginResetModel()
        self._keys = list(keys)
        self._labels = list(labels)
        self._rows = list(rows)
        self._id_col = self._keys.index(id_key) if id_key in self._keys else -1
        self._highlight = frozenset(highlight)
        self._sort_cache = {}
        self._row_text = None
        self.endResetModel()

    def set_labels(self, labels: Sequence[str]) -> None:
        """New header labels (language switch) without touching the rows."""
        self._labels = list(labels)
        if self._keys:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._keys) - 1)

    def set_highlight(self, rows: Sequence[int]) -> None:
        self._highlight = frozenset(rows)
        self._highlight_changed()

    def set_highlight_brush(self, brush: QBrush) -> None:
        """The background of highlighted rows (the view picks it from its palette)."""
        self._highlight_brush = brush
        if self._highlight:
            self._highlight_changed()

    def highlight_brush(self) -> QBrush:
        return self._highlight_brush

    def _highlight_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(self._keys) - 1),
                [Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole],
            )

    def sort_keys(self, column: int) -> list[str]:
        """The column's sort keys, one per row (built on first use)."""
        keys = self._sort_cache.get(column)
        if keys is None:
            keys = _sort_keys([raw_text(row[column]) for row in self._rows])
            self._sort_cache[column] = keys
        return keys

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by `column` (stable), keeping persistent indexes."""
        if not 0 <= column < len(self._keys) or len(self._rows) < 2:
            return
        keys = self.sort_keys(column)
        descending = order == Qt.SortOrder.DescendingOrder
        perm = sorted(range(len(self._rows)), key=keys.__getitem__, reverse=descending)
        self.layoutAboutToBeChanged.emit()
        new_pos = [0] * len(perm)
        for new, old in enumerate(perm):
            new_pos[old] = new
        self._rows = [self._rows[i] for i in perm]
        self._sort_cache = {c: [k[i] for i in perm] for c, k in self._sort_cache.items()}
        if self._row_text is not None:
            self._row_text = [self._row_text[i] for i in perm]
        self._highlight = frozenset(new_pos[r] for r in self._highlight)
        old_list = self.persistentIndexList()
        self.changePersistentIndexList(
            old_list, [self.index(new_pos[i.row()], i.column()) for i in old_list]
        )
        self.layoutChanged.emit()

    def longest_id(self, column: int) -> str:
        """The longest cell of `column` that must be shown whole - an id or a date - as
        shown ("" when it holds none): the view keeps the column at least that wide."""
        best = ""
        for row in self._rows:  # ~5 ms per 100,000 rows: the length test comes first
            value = row[column]
            text = value if type(value) is str else raw_text(value)
            if len(text) > len(best) and (is_id_text(text) or _is_date(text)):
                best = text
        return display_text(best)

    def keys(self) -> list[str]:
        return list(self._keys)

    def labels(self) -> list[str]:
        return list(self._labels)

    def records(self) -> list[tuple[Any, ...]]:
        return self._rows

    def record(self, row: int) -> tuple[Any, ...]:
        return self._rows[row]

    def column_of(self, key: str) -> int:
        """The column of header key `key`, or -1."""
        return self._keys.index(key) if key in self._keys else -1

    def has_sor_ids(self) -> bool:
        """Whether the rows name SOR units (an id column was given)."""
        return self._id_col >= 0

    def sor_id(self, row: int) -> str | None:
        if self._id_col < 0 or not 0 <= row < len(self._rows):
            return None
        v = self._rows[row][self._id_col]
        return None if v in (None, "") else str(v)

    def row_text(self, row: int) -> str:
        """The row's cells folded for filtering (built for all rows on first use)."""
        if self._row_text is None:
            self._row_text = fold_many(
                ["\t".join([display_text(v) for v in r]) for r in self._rows]
            )
        return self._row_text[row]

    # --- Qt API ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(self._rows[r][c])
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self._rows[r][c]
            if isinstance(value, Worded):
                return value.raw
            text = display_text(value)
            return text if len(text) > LONG_TEXT or is_id_text(text) else None
        if role == SORT_ROLE:
            return self.sort_keys(c)[r]
        if role == SOR_ID_ROLE:
            return self.sor_id(r)
        if role == RECORD_ROLE:
            return self._rows[r]
        if role == Qt.ItemDataRole.FontRole and r in self._highlight:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and r in self._highlight:
            return self._highlight_brush
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._labels[section] if 0 <= section < len(self._labels) else None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RecordsProxy(QSortFilterProxyModel):
    """Hands sorting to the `RecordsModel`; keeps rows whose folded text has the filter."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""
        self._tests: dict[int, Callable[[Any], bool]] = {}

    def set_column_test(self, column: int, test: Callable[[Any], bool] | None) -> None:
        """Keep only rows whose value in `column` passes `test` (None removes the test)."""
        self.beginFilterChange()
        if test is None:
            self._tests.pop(column, None)
        else:
            self._tests[column] = test
        self.endFilterChange()

    def set_filter_text(self, text: str) -> None:
        needle = fold_text(text.strip())
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        src = self.sourceModel()
        if isinstance(src, RecordsModel):
            # The proxy itself stays unsorted (sortColumn -1) and follows the source order.
            src.sort(column, order)
            return
        super().sort(column, order)

    def filter_text(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle and not self._tests:
            return True
        src = self.sourceModel()
        if not isinstance(src, RecordsModel):
            return True
        if self._tests:
            rec = src.record(source_row)
            for col, test in self._tests.items():
                if col < len(rec) and not test(rec[col]):
                    return False
        return not self._needle or self._needle in src.row_text(source_row)
