"""The table every panel uses: `RecordsView`.

Ids are never cut: a column holding ids or codes (cells of digits only) or dates is
kept at least as wide as its longest one, in bold (highlighted rows are bold), whatever the
panel sizes it to (`fit_id_columns`, run after every new content); a user who drags
it narrower still sees the whole id on hover, and copies take the record, not the
drawn text.

It shows a `RecordsModel` through a sorting/filtering proxy, with a filter box
(`view.frame` holds both), Ctrl+C as TSV with header plus an HTML table with ids
marked as text (`ui.clipboard`), a context menu (Copy, Copy row, Copy SOR id, Copy
EAN, Show in tree, Export the selected units to CSV/XLSX through the core exporter)
and double-click to select the row's unit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.app_state import AppState
from ui.clipboard import copy_table, set_clipboard, to_tsv
from ui.colours import highlight_colour
from ui.file_dialogs import get_save_file_name
from ui.formatting import count_text
from ui.i18n import tr
from ui.models.records_model import RecordsModel, RecordsProxy
from ui.widgets.error_dialog import show_internal_error, show_write_error
from ui.widgets.labels import MutedLabel

log = logging.getLogger(__name__)

#: record keys that hold ids or codes a spreadsheet must keep as text
_ID_KEYS = ("ean", "shak", "postcode", "phone", "cvr")


def _id_like(key: str) -> bool:
    k = key.lower()
    return k.endswith(("id", "_code", "number")) or k in _ID_KEYS


class RecordsView(QTableView):
    """A sortable, filterable table of records with copy and navigation."""

    #: a source row was double-clicked (source row index)
    row_activated = Signal(int)

    def __init__(
        self,
        state: AppState,
        parent: QWidget | None = None,
        filterable: bool = True,
        placeholder: str = "",
    ) -> None:
        self.frame = QWidget(parent)
        super().__init__(self.frame)
        self.app_state = state
        self.records = RecordsModel(self)
        self.proxy = RecordsProxy(self)
        self.proxy.setSourceModel(self.records)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicatorShown(False)  # given order until a click
        self.horizontalHeader().sectionClicked.connect(self._on_header_clicked)
        self._sorted = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # fitting a column to its contents looks at a sample of rows, not all 50k
        self.horizontalHeader().setResizeContentsPrecision(200)
        self.doubleClicked.connect(self._on_double_clicked)

        self.filter_edit = QLineEdit(self.frame)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setPlaceholderText(placeholder or "Filter")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._debounce.start)
        self.count_label = MutedLabel(self.frame)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        lay = QVBoxLayout(self.frame)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self)
        lay.addWidget(self.count_label)
        self.filter_edit.setVisible(filterable)
        self.count_label.setVisible(filterable)
        self.records.set_highlight_brush(QBrush(highlight_colour(self.palette())))
        state.language_changed.connect(self._update_count)

    # --- content ----------------------------------------------------------------

    def set_records(
        self,
        keys: Sequence[str],
        labels: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        id_key: str | None = "sor_id",
        highlight: Sequence[int] = (),
    ) -> None:
        self.records.set_records(keys, labels, rows, id_key=id_key, highlight=highlight)
        self.fit_id_columns()
        header = self.horizontalHeader()
        if (
            self._sorted
            and self.isSortingEnabled()
            and 0 <= header.sortIndicatorSection() < len(keys)
        ):  # new content keeps the order the user chose
            self.records.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._update_count()

    def id_column_width(self, column: int) -> int:
        """The width column `column` needs for its longest id (0 when it has none): the
        text in bold plus the cell's margins."""
        longest = self.records.longest_id(column)
        if not longest:
            return 0
        font = QFont(self.font())
        font.setBold(True)
        margin = 2 * (
            self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        )
        return QFontMetrics(font).horizontalAdvance(longest) + margin + 8

    def fit_id_columns(self) -> None:
        """Widen every column holding ids to its longest id (never narrower than it is).
        Panels call it again after sizing their columns themselves."""
        header = self.horizontalHeader()
        for col in range(self.records.columnCount()):
            need = self.id_column_width(col)
            if need and header.sectionSize(col) < need:
                header.resizeSection(col, need)

    def _on_header_clicked(self, _section: int) -> None:
        if self.isSortingEnabled():
            self._sorted = True
            self.horizontalHeader().setSortIndicatorShown(True)

    def apply_filter(self) -> None:
        """Apply the filter box now (typing applies it after a short pause)."""
        self._debounce.stop()
        self.proxy.set_filter_text(self.filter_edit.text())
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.records.rowCount()
        self.count_label.setText(count_text(self.app_state.language, shown, total))

    def source_row(self, proxy_index: QModelIndex) -> int:
        return self.proxy.mapToSource(proxy_index).row()

    def selected_source_rows(self) -> list[int]:
        rows = {self.source_row(i) for i in self.selectionModel().selectedIndexes()}
        return sorted(rows)

    def current_sor_id(self) -> str | None:
        idx = self.currentIndex()
        if not idx.isValid():
            rows = self.selected_source_rows()
            return self.records.sor_id(rows[0]) if rows else None
        return self.records.sor_id(self.source_row(idx))

    def select_source_row(self, row: int) -> None:
        """Make source row `row` current and selected (if it passes the filter)."""
        idx = self.proxy.mapFromSource(self.records.index(row, 0))
        if idx.isValid():
            self.setCurrentIndex(idx)
            self.selectRow(idx.row())
            self.scrollTo(idx)

    # --- copy -------------------------------------------------------------------

    def selection_table(self) -> tuple[list[str], list[list[Any]], list[str]]:
        """The selected rows (every column) or cells: (header, rows, register column of
        each position) for a copy; empty when nothing is selected."""
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return [], [], []
        ncols = self.records.columnCount()
        by_row: dict[int, set[int]] = {}
        for i in indexes:
            by_row.setdefault(i.row(), set()).add(i.column())
        cols = sorted({c for cs in by_row.values() for c in cs})
        whole_rows = all(len(cs) == ncols for cs in by_row.values())
        if whole_rows:
            cols = list(range(ncols))
        labels = self.records.labels()
        header = [labels[c] for c in cols]
        rows = []
        for prow in sorted(by_row):
            src = self.proxy.mapToSource(self.proxy.index(prow, 0)).row()
            rec = self.records.record(src)
            rows.append([rec[c] if whole_rows or c in by_row[prow] else "" for c in cols])
        names = self.column_names()
        return header, rows, [names[c] for c in cols]

    def column_names(self) -> list[str]:
        """Per column, a register column name saying whether it holds ids (for the
        clipboard's HTML, see `ui.clipboard`): id-like keys (`sor_id`, `ean`, ...) as
        `SorId`, the others as their keys."""
        keys: list[str] = self.records.keys()
        return ["SorId" if _id_like(k) else k for k in keys]

    def selection_tsv(self) -> str:
        """The selected rows (every column) or cells, as TSV with a header line."""
        header, rows, _ = self.selection_table()
        return to_tsv(header, rows) if header else ""

    def all_table(self) -> tuple[list[str], list[list[Any]], list[str]]:
        """Every row that passes the filter, in the shown order: (header, rows, names)."""
        rows = [
            list(self.records.record(self.proxy.mapToSource(self.proxy.index(r, 0)).row()))
            for r in range(self.proxy.rowCount())
        ]
        return self.records.labels(), rows, self.column_names()

    def all_tsv(self) -> str:
        """Every row that passes the filter, in the shown order, as TSV."""
        header, rows, _ = self.all_table()
        return to_tsv(header, rows)

    def copy_all(self) -> None:
        """Every row that passes the filter on the clipboard (TSV and HTML)."""
        copy_table(*self.all_table())

    def copy_selection(self) -> None:
        header, rows, names = self.selection_table()
        if header:
            copy_table(header, rows, names)

    def copy_sor_id(self) -> None:
        sid = self.current_sor_id()
        if sid:
            set_clipboard(sid)

    def current_row(self) -> int:
        """Source row of the current index (or the first selected row), -1 when none."""
        idx = self.currentIndex()
        if idx.isValid():
            return self.source_row(idx)
        rows = self.selected_source_rows()
        return rows[0] if rows else -1

    def current_ean(self) -> str | None:
        """The EAN in the current row's `ean` column, when the table has one."""
        col = self.records.column_of("ean")
        row = self.current_row()
        if col < 0 or row < 0:
            return None
        value = self.records.record(row)[col]
        return str(value) if value not in (None, "") else None

    def copy_ean(self) -> None:
        ean = self.current_ean()
        if ean:
            set_clipboard(ean)

    def row_tsv(self, row: int) -> str:
        """One source row with the header, as TSV."""
        if not 0 <= row < self.records.rowCount():
            return ""
        return to_tsv(self.records.labels(), [list(self.records.record(row))])

    def copy_row(self) -> None:
        row = self.current_row()
        if 0 <= row < self.records.rowCount():
            copy_table(self.records.labels(), [list(self.records.record(row))], self.column_names())

    def selected_sor_ids(self) -> list[str]:
        """SOR ids of the selected rows, in the shown order, without repeats."""
        seen: dict[str, None] = {}
        prows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        for prow in prows:
            sid = self.records.sor_id(self.proxy.mapToSource(self.proxy.index(prow, 0)).row())
            if sid:
                seen.setdefault(sid, None)
        return list(seen)

    def export_selection(self, path: str, fmt: str) -> int:
        """Write the selected units at the as-of date with the core exporter."""
        from sorviewer.export import write_export

        reg = self.app_state.register
        ids = self.selected_sor_ids()
        if reg is None or not ids:
            return 0
        # the rows asked for, whatever their status at the date (a closed unit in a list
        # of changes is still the row the user picked); the as-of date goes into the file
        # strict: never an inherited value under the unit's own column name (README "Find")
        return int(
            write_export(
                reg,
                self.app_state.as_of,
                path,
                fmt,
                sor_ids=ids,
                include_all=True,
                stamp=True,
                naming="strict",
            )
        )

    def _ask_export(self, fmt: str) -> None:
        lang = self.app_state.language
        day = self.app_state.as_of
        ext = {"csv": "CSV (*.csv)", "xlsx": "Excel (*.xlsx)"}[fmt]
        path, _ = get_save_file_name(
            self,
            tr(lang, "Eksportér udvalget", "Export the selection"),
            f"sor_{day:%Y-%m-%d}.{fmt}",
            ext,
            lang,
        )
        if not path:
            return
        try:
            # a CSV from the window is for a spreadsheet: ids kept as ="…"
            self.export_selection(path, "csv-excel" if fmt == "csv" else fmt)
        except OSError as exc:  # the disk or the folder: the user can do something
            show_write_error(self, lang, path, exc)
        except Exception as exc:  # anything else is a bug in the program
            show_internal_error(
                self, lang, tr(lang, "eksporterede udvalget", "exporting the selection"), exc
            )

    def show_current_in_tree(self) -> None:
        sid = self.current_sor_id()
        if sid:
            self.app_state.show_in_tree(sid)

    # --- events -----------------------------------------------------------------

    def event(self, ev: QEvent) -> bool:  # Qt override
        # Claim Ctrl+C before a window-wide Copy shortcut does: the table copies itself.
        if (
            ev.type() == QEvent.Type.ShortcutOverride
            and isinstance(ev, QKeyEvent)
            and ev.matches(QKeySequence.StandardKey.Copy)
        ):
            ev.accept()
            return True
        return super().event(ev)

    def changeEvent(self, ev: QEvent) -> None:  # Qt override
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange:
            self.records.set_highlight_brush(QBrush(highlight_colour(self.palette())))

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # Qt override
        if ev.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            ev.accept()
            return
        super().keyPressEvent(ev)

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:  # Qt override
        menu = self.context_menu()
        menu.exec(ev.globalPos())

    def context_menu(self) -> QMenu:
        """The context menu's actions (built fresh so they match the current row)."""
        menu = QMenu(self)
        lang = self.app_state.language
        copy = QAction(tr(lang, "Kopiér", "Copy"), menu)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        copy.setEnabled(self.selectionModel().hasSelection())
        menu.addAction(copy)
        row = QAction(tr(lang, "Kopiér række", "Copy row"), menu)
        row.triggered.connect(self.copy_row)
        row.setEnabled(self.current_row() >= 0)
        menu.addAction(row)
        sid = self.current_sor_id()
        has_ids = self.records.has_sor_ids()
        if has_ids:
            copy_id = QAction(tr(lang, "Kopiér SOR-kode", "Copy SOR id"), menu)
            copy_id.triggered.connect(self.copy_sor_id)
            copy_id.setEnabled(sid is not None)
            menu.addAction(copy_id)
        if self.records.column_of("ean") >= 0:
            copy_ean = QAction(tr(lang, "Kopiér EAN", "Copy EAN"), menu)
            copy_ean.triggered.connect(self.copy_ean)
            copy_ean.setEnabled(self.current_ean() is not None)
            menu.addAction(copy_ean)
        if has_ids:
            menu.addSeparator()
            show = QAction(tr(lang, "Vis i træet", "Show in tree"), menu)
            show.triggered.connect(self.show_current_in_tree)
            show.setEnabled(sid is not None)
            menu.addAction(show)
            can_export = self.app_state.register is not None and bool(self.selected_sor_ids())
            for fmt, da, en in (
                ("csv", "Eksportér udvalgte enheder til CSV…", "Export selected units to CSV…"),
                ("xlsx", "Eksportér udvalgte enheder til XLSX…", "Export selected units to XLSX…"),
            ):
                export = QAction(tr(lang, da, en), menu)
                export.triggered.connect(lambda _=False, f=fmt: self._ask_export(f))
                export.setEnabled(can_export)
                menu.addAction(export)
        return menu

    def _on_double_clicked(self, index: QModelIndex) -> None:
        row = self.source_row(index)
        self.row_activated.emit(row)
        sid = self.records.sor_id(row)
        if sid:
            self.app_state.select(sid)
