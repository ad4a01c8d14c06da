"""The Units view's table: every unit a find matched, one row each, any columns.

A thin QAbstractTableModel over a `UnitsResult` (what `units_task` computed on the
worker: the matching entity indices in display order, the facet counts, and the
day's `sorviewer.columns.DayColumns`). The model never runs a query itself:

- `rowCount` is the length of the result, `data` reads a block of `BLOCK` rows around
  the asked row from the day's columns (`DayColumns.values`: effective values,
  inherited groups filled in) the first time a row of it is painted, and keeps the
  last `CACHED_BLOCKS` blocks, so a repaint costs dictionary look-ups and scrolling
  through 100,000 rows reads only what is shown;
- sorting is the core's (`find.sort_units`, run on the worker with the query): a
  header click asks for it through `sort_requested`;
- a new result (another filter, date or sort) is a layout change with persistent
  indexes remapped by entity index, so the selected unit stays selected wherever
  it is still in the result; new columns or a new register reset the model.

Values the unit inherits are shown in italics with where they come from as the
tooltip; the derived words (status, EAN state, own/inherited) are shown, and copied,
in the window's language. Closed and future units look as in the tree (their status
colour, italics, a closed unit's name struck through: `ui.colours`), and at a date
after a snapshot file's an active unit's status reads "aktiv i udtrækket"
(`ui.unit_labels.status_text`), shown and copied alike. The DayColumns object
travels with the result, so a row painted while the next date's query still runs
reads the date it belongs to and never recomputes a day's provenance on the GUI
thread.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from sorviewer import schema
from sorviewer.columns import (
    EFFECTIVE_PREFIX,
    GROUP_OF,
    SOURCE_COLUMN,
    STATE_NAMES,
    DayColumns,
    day_columns,
)
from sorviewer.export import DATE_COLUMNS, DATETIME_COLUMNS
from sorviewer.find import FacetValue, Filters, query, sort_units
from ui.colours import status_colour, status_font
from ui.coverage import coverage
from ui.formatting import show_date
from ui.i18n import tr
from ui.unit_labels import field_label, status_text

if TYPE_CHECKING:
    from sorviewer.api import Register
    from sorviewer.messages import Message
    from ui.tasks import TaskState

#: the columns a new Units view shows
DEFAULT_COLUMNS = (
    "EntityName",
    "SorId",
    "SorType",
    "EntityTypeName",
    "ParentName",
    "VisitingAddressPostCodeId",
    "VisitingAddressDistrictName",
    "EanLocationCode",
    "ShakId",
)

#: rows read from the day's columns at a time, and how many such blocks are kept
BLOCK = 128
CACHED_BLOCKS = 48

SOR_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ENTITY_ROLE = Qt.ItemDataRole.UserRole + 2
#: True for a value the unit inherits (shown in italics)
INHERITED_ROLE = Qt.ItemDataRole.UserRole + 3

_INHERITED = STATE_NAMES.index("inherited")
_GROUP_OF_SOURCE = {v: k for k, v in SOURCE_COLUMN.items()}

#: derived words in the window's language (the files keep the codes, README "Find")
_WORDS: dict[str, tuple[str, str]] = {
    "active": ("aktiv", "active"),
    "closed": ("lukket", "closed"),
    "future": ("fremtidig", "future"),
    "own": ("egen", "own"),
    "inherited": ("nedarvet", "inherited"),
    "none": ("ingen", "none"),
}
_WORD_COLUMNS = ("Status", "EanState")

#: labels of the derived columns (the SOREntity columns' come from the field tables)
DERIVED_LABELS: dict[str, tuple[str, str]] = {
    "Status": ("Status på datoen", "Status at the date"),
    "ParentName": ("Overordnet enhed", "Parent unit"),
    "HealthInstitutionName": ("Sundhedsinstitution", "Health institution"),
    "OwnerName": ("Institutionsejer", "Institution owner"),
    "EanState": ("Lokationsnummer: egen/nedarvet", "EAN: own/inherited"),
    "PostalAddressSource": ("Postadresse: kilde", "Postal address: source"),
    "VisitingAddressSource": ("Besøgsadresse: kilde", "Visiting address: source"),
    "ActivityAddressSource": ("Aktivitetsadresse: kilde", "Activity address: source"),
    "VirtualAddressSource": ("Virtuel adresse: kilde", "Virtual address: source"),
    "EanLocationCodeSource": ("Lokationsnummer: kilde", "EAN: source"),
    "ShakIdSource": ("SHAK-kode: kilde", "SHAK code: source"),
}

Index = QModelIndex | QPersistentModelIndex

_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        SOR_ID_ROLE,
        ENTITY_ROLE,
        INHERITED_ROLE,
    }
)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def column_label(column: str, lang: str) -> str:
    """A column's label in the window's language, derived columns included."""
    if column in DERIVED_LABELS:
        return DERIVED_LABELS[column][0 if lang == "da" else 1]
    if column.startswith(EFFECTIVE_PREFIX) and column[len(EFFECTIVE_PREFIX) :] in GROUP_OF:
        base = field_label(column[len(EFFECTIVE_PREFIX) :], lang)
        return f"{base} ({tr(lang, 'gældende', 'effective')})"
    return field_label(column, lang)


def group_of(column: str) -> str | None:
    """The inheritable group a shown column's value can come from, or None."""
    group = GROUP_OF.get(column)
    if group is None and column.startswith(EFFECTIVE_PREFIX):
        group = GROUP_OF.get(column[len(EFFECTIVE_PREFIX) :])
    return group


def source_words(text: str | None, lang: str) -> str:
    """`own` / `inherited:<SorId>[:<group>]` / `none` in the window's language."""
    if not text:
        return ""
    if text in _WORDS:
        return _WORDS[text][0 if lang == "da" else 1]
    if text.startswith("inherited:"):
        parts = text.split(":")
        sid = parts[1] if len(parts) > 1 else ""
        out = tr(lang, f"nedarvet fra {sid}", f"inherited from {sid}")
        if len(parts) > 2 and parts[2] in schema.GROUP_LABELS:
            out += f" ({schema.GROUP_LABELS[parts[2]][0 if lang == 'da' else 1].lower()})"
        return out
    return text


def display_column(column: str, values: pa.Array, lang: str) -> list[str]:
    """A column's values as the table shows and copies them (None as "")."""
    if column in _WORD_COLUMNS or column in _GROUP_OF_SOURCE:
        enc = pc.dictionary_encode(values)
        words = [source_words(v, lang) for v in enc.dictionary.to_pylist()]
        idx = enc.indices.to_pylist()
        return ["" if i is None else words[i] for i in idx]
    texts = values.to_pylist()
    if column in DATE_COLUMNS or column in DATETIME_COLUMNS:
        return [show_date(t) if t else "" for t in texts]
    return [t if t is not None else "" for t in texts]


def copy_column(column: str, values: pa.Array, lang: str) -> list[str]:
    """A column's values for the clipboard: the shown words, dates in ISO form (which
    every spreadsheet reads as a date, whatever its language)."""
    if column in DATE_COLUMNS or column in DATETIME_COLUMNS:
        return [t if t is not None else "" for t in values.to_pylist()]
    return display_column(column, values, lang)


# --- the query, on the worker -------------------------------------------------------------


@dataclass
class UnitsResult:
    """What one run of the Units query found (handed from the worker to the model)."""

    day: dt.date
    filters: Filters
    ents: np.ndarray
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)
    sort: tuple[str, bool] | None = None
    dc: DayColumns | None = None


def units_task(
    reg: Register,
    day: dt.date,
    filters: Filters,
    facets: Sequence[str],
    sort: tuple[str, bool] | None,
    state: TaskState,
) -> UnitsResult:
    """The Units query (a task: runs on a worker). The first query at a new date
    builds the day's provenance of every unit (about a second at full scale)."""
    result = query(reg, day, filters, facets)
    state.check()
    ents = result.ents
    if sort is not None:
        ents = sort_units(reg, day, ents, sort[0], descending=sort[1])
    return UnitsResult(
        day,
        filters,
        np.asarray(ents, dtype=np.int64),
        result.total,
        result.facet_counts,
        list(result.notes),
        sort,
        day_columns(reg, day),
    )


# --- the model ------------------------------------------------------------------------------


@dataclass
class _Block:
    texts: list[list[str]]  # per column, per row
    inherited: list[list[bool]]  # per column, per row: the value is inherited
    italic: list[list[bool]]  # per column, per row: inherited, or the unit not active
    inactive: list[bool]  # per row: the unit is not active at the date
    status: list[int]  # per row: 0 active, 1 closed, 2 future (DayColumns.status_codes)


class UnitsModel(QAbstractTableModel):
    """See the module docstring."""

    #: a header click asked for this order: (column name or "" for name order, descending)
    sort_requested = Signal(str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reg: Register | None = None
        self.language = "da"
        self.columns: list[str] = list(DEFAULT_COLUMNS)
        self.result: UnitsResult | None = None
        self.ents = np.zeros(0, dtype=np.int64)
        self._pos: np.ndarray | None = None
        self._blocks: OrderedDict[int, _Block] = OrderedDict()
        self._last_b = -1
        self._last_block: _Block | None = None
        self._italic = QFont()
        self._italic.setItalic(True)
        self._struck = status_font("closed") or QFont()
        #: closed and future rows' text colours per palette base: (code, rgb) -> brush
        self._brushes: dict[tuple[int, int], QBrush] = {}
        #: the order asked for: (column, descending), None = by name then SorId
        self.sort_order: tuple[str, bool] | None = None

    # --- content ----------------------------------------------------------------------

    def set_register(self, reg: Register | None) -> None:
        """A new register (or none): empty until its first result."""
        self.beginResetModel()
        self.reg = reg
        self.result = None
        self.ents = np.zeros(0, dtype=np.int64)
        self._pos = None
        self._forget()
        self.endResetModel()

    def set_columns(self, columns: Sequence[str]) -> None:
        """Show these columns (a reset: the view restores the selection from the state)."""
        columns = list(dict.fromkeys(columns))
        if columns == self.columns:
            return
        self.beginResetModel()
        self.columns = columns
        self._forget()
        if self.sort_order is not None and self.sort_order[0] not in columns:
            self.sort_order = None
        self.endResetModel()

    def set_language(self, lang: str) -> None:
        if lang == self.language:
            return
        self.language = lang
        self._forget()  # the derived words are in the language
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if len(self.ents):
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.ents) - 1, len(self.columns) - 1)
            )

    def set_result(self, result: UnitsResult) -> None:
        """Show a new result: a layout change keeping persistent indexes by unit."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ents = [int(self.ents[p.row()]) if 0 <= p.row() < len(self.ents) else -1 for p in old]
        self.result = result
        self.ents = result.ents
        self._pos = None
        self._forget()
        new = []
        for p, e in zip(old, old_ents, strict=True):
            row = self.row_of_entity(e)
            new.append(self.index(row, p.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # --- asking ----------------------------------------------------------------------------

    @property
    def day(self) -> dt.date | None:
        return None if self.result is None else self.result.day

    def entity_at(self, row: int) -> int:
        return int(self.ents[row]) if 0 <= row < len(self.ents) else -1

    def sor_id_at(self, row: int) -> str:
        e = self.entity_at(row)
        return "" if e < 0 or self.reg is None else str(self.reg.ids[e])

    def row_of_entity(self, e: int) -> int:
        """The row showing entity `e`, -1 when it is not in the result."""
        if e < 0 or self.reg is None or not len(self.ents):
            return -1
        if self._pos is None:
            pos = np.full(len(self.reg.ids), -1, dtype=np.int64)
            pos[self.ents] = np.arange(len(self.ents))
            self._pos = pos
        return int(self._pos[e]) if e < len(self._pos) else -1

    def row_of_sor_id(self, sor_id: str) -> int:
        if self.reg is None or not sor_id:
            return -1
        return self.row_of_entity(self.reg.entity_index(sor_id))

    def labels(self) -> list[str]:
        return [column_label(c, self.language) for c in self.columns]

    def table(self, rows: np.ndarray) -> tuple[list[str], list[list[str]], list[str]]:
        """(header labels, rows of texts, column names) of `rows` for a copy: every
        shown column, the words in the window's language, dates in ISO form. Column by
        column over the day's arrays; the Python work is one list per column."""
        dc = None if self.result is None else self.result.dc
        if dc is None or not len(rows):
            return self.labels(), [], list(self.columns)
        ents = self.ents[np.asarray(rows, dtype=np.int64)]
        cols = [copy_column(c, dc.values(c, ents), self.language) for c in self.columns]
        self._say_status(cols, self.result.day if self.result is not None else None)
        return self.labels(), [list(r) for r in zip(*cols, strict=True)], list(self.columns)

    def _say_status(self, texts: list[list[str]], day: dt.date | None) -> None:
        """The Status column's "active" said with what the file can know at `day`
        ("aktiv i udtrækket" after a snapshot file's date), in place."""
        if "Status" not in self.columns or self.reg is None or day is None:
            return
        plain = status_text("active", self.language)
        said = status_text("active", self.language, coverage(self.reg), day)
        if said != plain:
            i = self.columns.index("Status")
            texts[i] = [said if t == plain else t for t in texts[i]]

    # --- reading rows ------------------------------------------------------------------------

    def _status_brush(self, code: int) -> QBrush:
        """The colour of a closed (1) or future (2) row, as in the tree."""
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
        key = (code, base.rgb())
        brush = self._brushes.get(key)
        if brush is None:
            brush = QBrush(status_colour("closed" if code == 1 else "future", base))
            self._brushes[key] = brush
        return brush

    def _forget(self) -> None:
        """Drop every block read (new rows, columns, language)."""
        self._blocks.clear()
        self._last_b, self._last_block = -1, None

    def _block(self, b: int) -> _Block:
        if b == self._last_b and self._last_block is not None:
            return self._last_block
        blk = self._blocks.get(b)
        if blk is not None:
            self._blocks.move_to_end(b)
        else:
            blk = self._read_block(b)
        self._last_b, self._last_block = b, blk
        return blk

    def _read_block(self, b: int) -> _Block:
        result = self.result
        assert result is not None and result.dc is not None
        dc = result.dc
        ents = self.ents[b * BLOCK : (b + 1) * BLOCK]
        texts = [display_column(c, dc.values(c, ents), self.language) for c in self.columns]
        self._say_status(texts, result.day)
        codes = dc.status_codes()[ents]
        inactive = codes != 0
        none = np.zeros(len(ents), dtype=bool)
        inherited = []
        italic = []
        for c in self.columns:
            group = group_of(c)
            inh = none if group is None else dc.bv.state[group][ents] == _INHERITED
            inherited.append(inh.tolist())
            italic.append((inh | inactive).tolist())
        # plain lists: data() is called several times per painted cell
        blk = _Block(texts, inherited, italic, inactive.tolist(), codes.tolist())
        self._blocks[b] = blk
        while len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return blk

    def _tooltip(self, row: int, col: int) -> str | None:
        column = self.columns[col]
        result = self.result
        assert result is not None and result.dc is not None
        blk = self._block(row // BLOCK)
        text = blk.texts[col][row % BLOCK]
        lang = self.language
        if blk.inherited[col][row % BLOCK]:
            group = group_of(column)
            assert group is not None
            src = result.dc.source_text(group, self.ents[row : row + 1]).to_pylist()[0]
            return f"{text}\n{source_words(src, lang)}" if text else source_words(src, lang)
        return text if len(text) > 40 else None

    # --- Qt API ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ents)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a repaint asks several roles per cell: those the model has no answer for
        # return before anything else
        if role not in _ROLES or not index.isValid() or self.result is None:
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self.ents) and 0 <= col < len(self.columns)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._block(row // BLOCK).texts[col][row % BLOCK]
        if role == SOR_ID_ROLE:
            return self.sor_id_at(row)
        if role == ENTITY_ROLE:
            return int(self.ents[row])
        if role == Qt.ItemDataRole.FontRole:
            blk = self._block(row // BLOCK)
            if blk.status[row % BLOCK] == 1 and self.columns[col] == "EntityName":
                return self._struck  # a closed unit's name, as in the tree
            return self._italic if blk.italic[col][row % BLOCK] else None
        if role == Qt.ItemDataRole.ForegroundRole:
            code = self._block(row // BLOCK).status[row % BLOCK]
            return self._status_brush(code) if code else None
        if role == INHERITED_ROLE:
            return self._block(row // BLOCK).inherited[col][row % BLOCK]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column_label(column, self.language)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = column
            if group_of(column) is not None and not column.startswith(EFFECTIVE_PREFIX):
                tip += tr(
                    self.language,
                    "\nDen gældende værdi; en nedarvet værdi står i kursiv.",
                    "\nThe value that applies; an inherited value is in italics.",
                )
            return tip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask for the order (the query runs it in the core, on the worker)."""
        if 0 <= column < len(self.columns):
            self.sort_order = (self.columns[column], order == Qt.SortOrder.DescendingOrder)
        else:
            self.sort_order = None
        name, desc = self.sort_order or ("", False)
        self.sort_requested.emit(name, desc)
