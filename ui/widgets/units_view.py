"""The Units view ("Enheder"): every unit matching the filters at the date, as one table.

A coordinator's everyday task in the SOR Browser (a filtered list exported to a
spreadsheet) without its cap of about 1,000 rows. Left, the filter sidebar with its
facet counts (`ui.widgets.facet_sidebar`) and the saved filters; right, the count
("1.234 af 71.555 enheder"), the table (`ui.models.units_model`), and Columns,
Copy and Export.

Every query (`units_model.units_task`: `sorviewer.find.query` with every facet's
counts, then `find.sort_units` for a chosen order) runs on a worker through one
latest-only `TaskRunner`: typing, ticking, sorting and date moves ask for a new one
and only the newest is shown. The first query at a date builds the day's provenance
of every unit (about a second on a full register), so the view shows that it is busy
meanwhile and keeps the previous rows; the view also warms the opened register's
first date in the background (on the same runner: a query asked for meanwhile waits
for it instead of computing the same day a second time), so opening it is quick.
Like the docked panels the view only queries while it is shown (`LazyPanel`): a date
move behind another tab costs nothing until the view is shown again.

Selecting a row selects the unit everywhere (the window's `AppState`); a unit
selected elsewhere is selected here when the result has it. Ctrl+C copies the
selected rows' shown columns as TSV and as an HTML table with ids marked as text;
Export writes the result's chosen columns with the strict naming (the unit's own
values under the file's column names, `Effective...` and `...Source` beside them).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sorviewer.find import FACETS, Filters, FindError
from ui import settings as st
from ui.app_state import AppState
from ui.clipboard import copy_table
from ui.formatting import format_date
from ui.i18n import name_buttons, number, tr
from ui.models.units_model import (
    DEFAULT_COLUMNS,
    UnitsModel,
    UnitsResult,
    column_label,
    units_task,
)
from ui.tasks import TaskRunner, TaskState
from ui.units_filters import load_saved, store_saved
from ui.widgets.error_dialog import show_internal_error
from ui.widgets.facet_sidebar import FacetSidebar
from ui.widgets.labels import MutedLabel
from ui.widgets.panel import LazyPanel

if TYPE_CHECKING:
    from sorviewer.api import Register

log = logging.getLogger(__name__)

#: the busy bar shows when a query takes longer than this
BUSY_AFTER_MS = 120
#: the opened register's first date is warmed this long after it is installed
WARM_AFTER_MS = 1500
#: the runner's key of the warming task (queries have serial numbers)
WARM = "warm"
#: columns that show names get this many average characters of width
_NAME_COLUMNS = ("EntityName", "ParentName", "HealthInstitutionName", "OwnerName")
#: own / inherited from <SorId>: as wide as the longest such text
_SOURCE_COLUMNS = (
    "PostalAddressSource",
    "VisitingAddressSource",
    "ActivityAddressSource",
    "VirtualAddressSource",
    "EanLocationCodeSource",
    "ShakIdSource",
)


def warm_task(reg: Register, day: Any, state: TaskState) -> None:
    """What the first Units query at `day` needs, computed ahead (a task): the day's
    provenance, the facets' counts, and the columns the filters read (the free text
    alone reads seven, SorId's 100,000 distinct values among them: half a second the
    first time)."""
    from sorviewer.find import query

    query(reg, day, Filters(), FACETS)
    state.check()
    query(
        reg,
        day,
        Filters(
            level=("OE",),
            entity_type=("0",),
            owner_type=("0",),
            speciality=("0",),
            main_speciality=("0",),
            region=("0",),
            municipality=("0",),
            postcode=("0",),
            town=("0",),
            ean=("own",),
            shak=("0",),
            text="0",
        ),
    )


class UnitsTable(QTableView):
    """The table: Ctrl+C copies the selected rows (the view's copy, not Qt's one cell)."""

    def __init__(self, owner: UnitsView) -> None:
        super().__init__(owner)
        self.owner = owner

    def copy_selection(self) -> None:
        self.owner.copy_selection()

    def event(self, ev: QEvent) -> bool:  # Qt override
        # claim Ctrl+C before the window-wide Copy shortcut does
        if (
            ev.type() == QEvent.Type.ShortcutOverride
            and isinstance(ev, QKeyEvent)
            and ev.matches(QKeySequence.StandardKey.Copy)
        ):
            ev.accept()
            return True
        return super().event(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # Qt override
        if ev.matches(QKeySequence.StandardKey.Copy):
            self.owner.copy_selection()
            ev.accept()
            return
        super().keyPressEvent(ev)

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:  # Qt override
        self.owner.context_menu().exec(ev.globalPos())


class UnitsView(LazyPanel):
    """See the module docstring."""

    titles = ("Enheder", "Units")
    follows_selection = False  # it follows it itself: selects the row, stays stale-free

    def __init__(
        self, state: AppState, settings: st.Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(state, parent)
        self.setObjectName("UnitsView")
        self.settings = settings
        self.model = UnitsModel(self)
        self.model.language = state.language
        self.model.sort_requested.connect(self._on_model_sort_requested)
        self._serial = 0
        self._syncing = False
        self._shown_serial = -1
        #: the queries: the newest request wins; finished(serial, UnitsResult)
        self.runner = TaskRunner(self, latest_only=True)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._on_runner_cancelled)
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.setInterval(WARM_AFTER_MS)
        self._warm_timer.timeout.connect(self._on_warm_timer_timeout)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(4000)
        self._note_timer.timeout.connect(self._clear_note)

        self.sidebar = FacetSidebar()
        self.sidebar.filters_changed.connect(self._on_sidebar_filters_changed)
        self.saved = QComboBox()
        self.saved.setObjectName("UnitsSavedFilters")
        self.saved.activated.connect(self._on_saved_activated)
        self.save_button = QToolButton()
        self.save_button.setObjectName("UnitsSaveFilter")
        self.save_button.clicked.connect(self.ask_save_filter)
        self.saved_menu_button = QToolButton()
        self.saved_menu_button.setText("⋯")
        self.saved_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_menu = QMenu(self.saved_menu_button)
        self.saved_menu.aboutToShow.connect(self._fill_saved_menu)
        self.saved_menu_button.setMenu(self.saved_menu)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 4, 0, 0)
        left_layout.setSpacing(2)
        saved_row = QHBoxLayout()
        saved_row.setContentsMargins(4, 0, 4, 0)
        saved_row.addWidget(self.saved, 1)
        saved_row.addWidget(self.save_button)
        saved_row.addWidget(self.saved_menu_button)
        left_layout.addLayout(saved_row)
        left_layout.addWidget(self.sidebar, 1)

        self.count = QLabel()
        self.count.setObjectName("UnitsCount")
        font = self.count.font()
        font.setBold(True)
        self.count.setFont(font)
        self.busy = QProgressBar()
        self.busy.setObjectName("UnitsBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.note = MutedLabel()
        self.note.setObjectName("UnitsNote")
        self.note.setWordWrap(True)
        self.columns_button = QPushButton()
        self.columns_button.setObjectName("UnitsColumns")
        self.columns_button.clicked.connect(self.choose_columns)
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("UnitsCopy")
        self.copy_button.clicked.connect(self.copy_selection)
        self.export_button = QPushButton()
        self.export_button.setObjectName("UnitsExport")
        self.export_button.clicked.connect(self.export_dialog)

        self.table = UnitsTable(self)
        self.table.setObjectName("UnitsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_menu)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 4, 4, 0)
        right_layout.setSpacing(3)
        bar = QHBoxLayout()
        bar.addWidget(self.count)
        bar.addWidget(self.busy)
        bar.addStretch(1)
        for b in (self.columns_button, self.copy_button, self.export_button):
            bar.addWidget(b)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.note)
        right_layout.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("UnitsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        state.selection_changed.connect(self._on_state_selection_changed)
        self._restore_settings()
        self.retranslate()
        if state.register is not None:
            self.register_changed()

    # --- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        columns = [c for c in self.settings.get(st.UNITS_COLUMNS) if c]
        self.model.set_columns(columns or list(DEFAULT_COLUMNS))
        self._size_columns()
        split = self.settings.get(st.UNITS_SPLITTER)
        if split is not None and not split.isEmpty():
            self.splitter.restoreState(split)

    def save_settings(self) -> None:
        self.settings.set(st.UNITS_COLUMNS, list(self.model.columns))
        self.settings.set(st.UNITS_SPLITTER, self.splitter.saveState())

    # --- LazyPanel ---------------------------------------------------------------------------

    def register_changed(self) -> None:
        reg = self.state.register
        self.runner.cancel()
        self.model.set_register(reg)
        if reg is not None:
            known = set(self.known_columns())
            kept = [c for c in self.model.columns if c in known]
            self.model.set_columns(kept or [c for c in DEFAULT_COLUMNS if c in known])
            self._size_columns()
        self.sidebar.clear(emit=False)
        self.sidebar.set_facets({name: [] for name in FACETS})
        self._shown_serial = -1
        self._update_count()
        if reg is not None and not self.isVisible():
            self._warm_timer.start()

    def refresh(self) -> None:
        self.request()

    def retranslate(self) -> None:
        lang = self.lang
        self.model.set_language(lang)
        self.sidebar.set_language(lang)
        self.columns_button.setText(tr(lang, "Kolonner…", "Columns…"))
        self.columns_button.setToolTip(
            tr(lang, "Vælg og ordn tabellens kolonner", "Choose and order the table's columns")
        )
        self.copy_button.setText(tr(lang, "Kopiér", "Copy"))
        self.copy_button.setToolTip(
            tr(
                lang,
                "De markerede rækker (Ctrl+C), ellers alle: tabulatorsepareret og som "
                "tabel til regneark",
                "The selected rows (Ctrl+C), else all: tab-separated and as a table for "
                "spreadsheets",
            )
        )
        self.export_button.setText(tr(lang, "Eksportér…", "Export…"))
        self.export_button.setToolTip(
            tr(
                lang,
                "Resultatet med de valgte kolonner til CSV, Excel eller JSON",
                "The result with the chosen columns to CSV, Excel or JSON",
            )
        )
        self.save_button.setText(tr(lang, "Gem…", "Save…"))
        self.save_button.setToolTip(
            tr(
                lang,
                "Gem filtrene og kolonnerne under et navn",
                "Save the filters and columns under a name",
            )
        )
        self.saved_menu_button.setToolTip(tr(lang, "Omdøb eller slet", "Rename or delete"))
        self._fill_saved_combo()
        self._update_count()

    def wait(self) -> None:
        self.runner.wait_done(60_000)

    # --- queries ----------------------------------------------------------------------------

    def filters(self) -> Filters:
        return self.sidebar.filters()

    def request(self) -> None:
        """Ask for the result of the current filters, date and order (on the worker)."""
        reg = self.state.register
        if reg is None:
            return
        self._serial += 1
        self._warm_timer.stop()
        filters, day = self.filters(), self.state.as_of
        last = self.model.result
        # a new order of the same rows: the facet counts stay what they are
        same = last is not None and last.filters == filters and last.day == day
        facets = () if same else FACETS
        task = partial(units_task, reg, day, filters, facets, self.model.sort_order)
        self.runner.request(self._serial, task)
        if not self._busy_timer.isActive() and not self.busy.isVisible():
            self._busy_timer.start()

    def _on_sidebar_filters_changed(self) -> None:
        if self.isVisible():
            self.request()
        else:
            self.mark_stale()

    def _on_model_sort_requested(self, _column: str, _descending: bool) -> None:
        if self.state.register is not None:
            self.request()

    def _show_busy(self) -> None:
        if self.runner.busy:
            self.busy.show()
            self._update_count()

    def _end_busy(self) -> None:
        self._busy_timer.stop()
        self.busy.hide()

    def _on_runner_finished(self, serial: int, result: UnitsResult) -> None:
        if serial != self._serial:
            return  # an older request's answer (a newer one is on its way)
        self._end_busy()
        cur_sid = self.state.current
        self._syncing = True
        try:
            self.model.set_result(result)
            self.sidebar.set_facets(result.facets)
        finally:
            self._syncing = False
        self._shown_serial = serial
        lang = self.lang
        notes = [m.render("da" if lang == "da" else "en") for m in result.notes]
        if not len(result.ents):
            notes.insert(
                0, tr(lang, "Ingen enheder passer på filtrene.", "No units match the filters.")
            )
        self.note.setText("  ".join(notes))
        self.note.setVisible(bool(notes))
        self._update_count()
        if cur_sid and not self.table.currentIndex().isValid():
            self._select_sor_id(cur_sid)

    def _on_runner_failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self._end_busy()
        lang = self.lang
        if isinstance(exc, FindError):  # a filter value the file does not have
            self.note.setText(exc.message.render("da" if lang == "da" else "en"))
            self.note.show()
            self._update_count()
            return
        show_internal_error(self, lang, tr(lang, "søgte efter enheder", "finding units"), exc)

    def _on_runner_cancelled(self, _serial: int) -> None:
        if not self.runner.busy:
            self._end_busy()
            self._update_count()

    def _on_warm_timer_timeout(self) -> None:
        reg = self.state.register
        if reg is not None and self._shown_serial < 0 and not self.runner.busy:
            self.runner.request(WARM, partial(warm_task, reg, self.state.as_of))

    def _update_count(self) -> None:
        lang = self.lang
        if self.state.register is None:
            self.count.setText(tr(lang, "Ingen fil åbnet.", "No file open."))
            return
        if self.model.result is None:
            day = format_date(self.state.as_of)
            self.count.setText(
                tr(lang, f"Finder enhederne den {day} …", f"Finding the units on {day} …")
            )
            return
        shown = len(self.model.ents)
        total = self.model.result.total
        noun = tr(lang, "enhed" if total == 1 else "enheder", "unit" if total == 1 else "units")
        if shown == total:
            text = f"{number(total, lang)} {noun}"
        else:
            text = tr(lang, f"{number(shown, lang)} af ", f"{number(shown, lang)} of ")
            text += f"{number(total, lang)} {noun}"
        shown_day = self.model.day
        if shown_day is not None:
            on = format_date(shown_day)
            text += tr(lang, f" den {on}", f" on {on}")
        if self.busy.isVisible():
            text += tr(lang, "  · beregner …", "  · working …")
        self.count.setText(text)

    # --- columns -----------------------------------------------------------------------------

    def known_columns(self) -> list[str]:
        """The columns the chooser offers: every known column but `Effective...` (the
        table shows effective values already; the exports add them)."""
        from sorviewer.columns import EFFECTIVE_COLUMNS, known_columns

        reg = self.state.register
        if reg is None:
            return list(DEFAULT_COLUMNS)
        return [c for c in known_columns(reg) if c not in EFFECTIVE_COLUMNS]

    def set_columns(self, columns: list[str]) -> None:
        known = set(self.known_columns())
        columns = [c for c in columns if c in known] or list(DEFAULT_COLUMNS)
        sid = self.state.current
        self.model.set_columns(columns)
        self._size_columns()
        header = self.table.horizontalHeader()
        order = self.model.sort_order
        if order is not None and order[0] in columns:
            header.setSortIndicator(
                columns.index(order[0]),
                Qt.SortOrder.DescendingOrder if order[1] else Qt.SortOrder.AscendingOrder,
            )
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.settings.set(st.UNITS_COLUMNS, list(self.model.columns))
        if sid:
            self._select_sor_id(sid)

    def choose_columns(self) -> None:
        from ui.widgets.column_chooser import ColumnChooser

        dlg = ColumnChooser(self.known_columns(), self.model.columns, self.lang, self)
        if dlg.exec():
            self.set_columns(dlg.chosen())

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        fm = self.fontMetrics()
        digits = fm.horizontalAdvance("0" * 18) + 16
        from sorviewer.export import DATE_COLUMNS, is_id_column

        for i, c in enumerate(self.model.columns):
            label = fm.horizontalAdvance(column_label(c, self.lang)) + 28
            if c in _SOURCE_COLUMNS:
                width = max(label, fm.horizontalAdvance("nedarvet fra 0000000000000000") + 16)
            elif c in _NAME_COLUMNS:
                width = max(label, fm.averageCharWidth() * 34)
            elif c == "SorId" or c.endswith("SorId") or c == "EanLocationCode":
                width = max(digits, min(label, 220))
            elif is_id_column(c) or c in DATE_COLUMNS:
                width = max(fm.horizontalAdvance("00-00-0000") + 20, min(label, 200))
            else:
                width = min(max(label, 90), 240)
            header.resizeSection(i, width)

    def _on_header_menu(self, pos: Any) -> None:
        header = self.table.horizontalHeader()
        col = header.logicalIndexAt(pos)
        lang = self.lang
        menu = QMenu(self)
        if 0 <= col < len(self.model.columns) and len(self.model.columns) > 1:
            name = column_label(self.model.columns[col], lang)
            hide = menu.addAction(tr(lang, f"Skjul »{name}«", f"Hide “{name}”"))
            hide.triggered.connect(
                lambda _=False, c=col: self.set_columns(
                    [x for i, x in enumerate(self.model.columns) if i != c]
                )
            )
        natural = menu.addAction(tr(lang, "Sortér efter navn", "Sort by name"))
        natural.triggered.connect(self.sort_by_name)
        menu.addSeparator()
        choose = menu.addAction(tr(lang, "Kolonner…", "Columns…"))
        choose.triggered.connect(self.choose_columns)
        menu.exec(header.mapToGlobal(pos))

    def sort_by_name(self) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.sort(-1)

    # --- selection ---------------------------------------------------------------------------

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        sid = self.model.sor_id_at(current.row())
        if sid:
            self.state.select(sid)

    def _on_state_selection_changed(self, sor_id: str) -> None:
        if self._syncing:
            return
        cur = self.table.currentIndex()
        if cur.isValid() and self.model.sor_id_at(cur.row()) == sor_id:
            return
        self._select_sor_id(sor_id)

    def _select_sor_id(self, sor_id: str) -> None:
        row = self.model.row_of_sor_id(sor_id)
        sel = self.table.selectionModel()
        self._syncing = True
        try:
            if row < 0:
                sel.clear()
                return
            idx = self.model.index(row, 0)
            sel.setCurrentIndex(
                idx,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(idx, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._syncing = False

    def selected_rows(self) -> np.ndarray:
        """The selected rows in table order (the current row when none is selected)."""
        sel = self.table.selectionModel().selection()
        parts = [
            np.arange(sel.at(i).top(), sel.at(i).bottom() + 1, dtype=np.int64)
            for i in range(sel.count())
        ]
        if parts:
            return np.unique(np.concatenate(parts))
        cur = self.table.currentIndex()
        return np.array([cur.row()] if cur.isValid() else [], dtype=np.int64)

    # --- copy, export, "under" --------------------------------------------------------------

    def copy_selection(self) -> None:
        """The selected rows (else every row) as TSV and HTML, the shown columns."""
        rows = self.selected_rows()
        if not len(rows):
            rows = np.arange(len(self.model.ents), dtype=np.int64)
        if not len(rows):
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            header, values, columns = self.model.table(rows)
            copy_table(header, values, columns)
        finally:
            QApplication.restoreOverrideCursor()
        n = number(len(rows), self.lang)
        self.show_note(tr(self.lang, f"Kopierede {n} rækker.", f"Copied {n} rows."))

    def copy_sor_ids(self) -> None:
        """The selected rows' SOR ids, one a line."""
        from ui.clipboard import set_clipboard

        reg = self.state.register
        rows = self.selected_rows()
        if reg is not None and len(rows):
            set_clipboard("\n".join(str(i) for i in reg.ids[self.model.ents[rows]].tolist()))

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()
        self._note_timer.start()

    def _clear_note(self) -> None:
        self.note.clear()
        self.note.hide()

    def export_dialog(self) -> None:
        reg = self.state.register
        result = self.model.result
        if reg is None or result is None:
            return
        from ui.widgets.export_dialog import ExportDialog

        rows = self.selected_rows()
        dlg = ExportDialog(
            reg,
            result.day,
            [],
            self.settings.get(st.LAST_DIR),
            self,
            language=self.lang,
            units=self.model.ents,
            units_selected=self.model.ents[rows] if len(rows) > 1 else None,
            columns=list(self.model.columns),
        )
        if dlg.exec() and dlg.written:
            self.show_note(
                tr(self.lang, f"Eksporteret til {dlg.written}", f"Exported to {dlg.written}")
            )

    def set_under(self, sor_id: str) -> None:
        """Only `sor_id` and everything below it (the tree's "Vis underenheder")."""
        from ui.unit_labels import unit_name

        reg = self.state.register
        if reg is None:
            return
        label = unit_name(reg, sor_id, self.state.as_of) or sor_id
        self.sidebar.set_under(sor_id, label)

    def context_menu(self) -> QMenu:
        lang = self.lang
        menu = QMenu(self)
        has_rows = bool(len(self.model.ents))
        cur = self.table.currentIndex()
        sid = self.model.sor_id_at(cur.row()) if cur.isValid() else ""
        copy = QAction(tr(lang, "Kopiér", "Copy"), menu)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        copy.setEnabled(has_rows)
        menu.addAction(copy)
        copy_ids = QAction(tr(lang, "Kopiér SOR-koder", "Copy SOR ids"), menu)
        copy_ids.triggered.connect(self.copy_sor_ids)
        copy_ids.setEnabled(bool(sid))
        menu.addAction(copy_ids)
        menu.addSeparator()
        show = QAction(tr(lang, "Vis i træet", "Show in tree"), menu)
        show.triggered.connect(lambda: self.state.show_in_tree(sid))
        show.setEnabled(bool(sid))
        menu.addAction(show)
        under = QAction(
            tr(lang, "Vis kun denne og dens underenheder", "Show only this and its subunits"), menu
        )
        under.triggered.connect(lambda: self.set_under(sid))
        under.setEnabled(bool(sid))
        menu.addAction(under)
        menu.addSeparator()
        export = QAction(tr(lang, "Eksportér…", "Export…"), menu)
        export.triggered.connect(self.export_dialog)
        export.setEnabled(self.model.result is not None)
        menu.addAction(export)
        columns = QAction(tr(lang, "Kolonner…", "Columns…"), menu)
        columns.triggered.connect(self.choose_columns)
        menu.addAction(columns)
        return menu

    # --- saved filters ---------------------------------------------------------------------

    def saved_filters(self) -> dict[str, dict[str, Any]]:
        return load_saved(self.settings)

    def save_filter(self, name: str) -> None:
        """Save the current filters and columns as `name` (replacing one of that name)."""
        name = name.strip()
        if not name:
            return
        saved = self.saved_filters()
        saved[name] = {"filters": self.filters(), "columns": list(self.model.columns)}
        store_saved(self.settings, saved)
        self._fill_saved_combo(name)

    def load_filter(self, name: str) -> bool:
        """Show the saved filter `name` (its filters and columns); False if there is none."""
        entry = self.saved_filters().get(name)
        if entry is None:
            return False
        f: Filters = entry["filters"]
        reg = self.state.register
        under_label = ""
        if f.under and reg is not None:
            from ui.unit_labels import unit_name

            under_label = unit_name(reg, f.under[0], self.state.as_of) or ""
        if entry["columns"]:
            self.set_columns(entry["columns"])
        self.sidebar.set_filters(f, under_label)
        self._fill_saved_combo(name)
        return True

    def rename_filter(self, old: str, new: str) -> bool:
        new = new.strip()
        saved = self.saved_filters()
        if old not in saved or not new or (new in saved and new != old):
            return False
        saved[new] = saved.pop(old)
        store_saved(self.settings, saved)
        self._fill_saved_combo(new)
        return True

    def delete_filter(self, name: str) -> bool:
        saved = self.saved_filters()
        if saved.pop(name, None) is None:
            return False
        store_saved(self.settings, saved)
        self._fill_saved_combo()
        return True

    def ask_save_filter(self) -> None:
        lang = self.lang
        current = self.saved.currentData() or ""
        name, ok = QInputDialog.getText(
            self,
            tr(lang, "Gem filter", "Save filter"),
            tr(lang, "Navn på filteret (og kolonnerne):", "Name of the filter (and columns):"),
            text=str(current),
        )
        if not ok or not name.strip():
            return
        if name.strip() in self.saved_filters() and name.strip() != current:
            ask = QMessageBox(
                QMessageBox.Icon.Question,
                tr(lang, "Gem filter", "Save filter"),
                tr(
                    lang,
                    f"Erstat det gemte filter »{name}«?",
                    f"Replace the saved filter “{name}”?",
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self,
            )
            name_buttons(ask, lang)
            if ask.exec() != QMessageBox.StandardButton.Yes:
                return
        self.save_filter(name)

    def _fill_saved_combo(self, select: str = "") -> None:
        lang = self.lang
        self.saved.blockSignals(True)
        try:
            self.saved.clear()
            self.saved.addItem(tr(lang, "Gemte filtre …", "Saved filters …"), "")
            names = sorted(self.saved_filters(), key=str.lower)
            for name in names:
                self.saved.addItem(name, name)
            self.saved.setCurrentIndex(max(0, self.saved.findData(select)) if select else 0)
            self.saved.setEnabled(bool(names))
        finally:
            self.saved.blockSignals(False)

    def _on_saved_activated(self, i: int) -> None:
        name = self.saved.itemData(i)
        if name:
            self.load_filter(str(name))

    def _fill_saved_menu(self) -> None:
        lang = self.lang
        self.saved_menu.clear()
        name = str(self.saved.currentData() or "")
        rename = self.saved_menu.addAction(tr(lang, "Omdøb …", "Rename …"))
        rename.setEnabled(bool(name))
        rename.triggered.connect(lambda: self._ask_rename(name))
        delete = self.saved_menu.addAction(tr(lang, "Slet", "Delete"))
        delete.setEnabled(bool(name))
        delete.triggered.connect(lambda: self.delete_filter(name))

    def _ask_rename(self, name: str) -> None:
        lang = self.lang
        new, ok = QInputDialog.getText(
            self,
            tr(lang, "Omdøb filter", "Rename filter"),
            tr(lang, "Nyt navn:", "New name:"),
            text=name,
        )
        if ok:
            self.rename_filter(name, new)
