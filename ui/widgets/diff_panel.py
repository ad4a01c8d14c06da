"""Differences: what changed between the open file and a second download (issue 12).

Shown while `AppState.comparison` holds one: which file is OLD and which NEW, the
core's notes (dates running backwards, files that seem to be different registers,
...), a check box per kind with its count, "only under the selected unit", a text
filter, and one row per difference (a changed unit has a row per changed column,
old -> new). Followed units come first, highlighted, and a line says how many of them
changed. The narrowing is the core's (`Diff.filter`, what `diff --under` and the
text search do) and runs with the rows on a worker (`ui.comparison.rows_task`); only
the newest filters are shown. Selecting a row moves the window to the newer file's
date (the older one's for a closed unit) and selects the unit in the tree. Copy and
export as in the other panels: Ctrl+C and "Kopiér alt", "Eksportér…" writes the rows
shown through the core's `export.write_diff` (csv, xlsx with a sheet per kind, json).
"""

from __future__ import annotations

import logging
import os
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer.diff import KINDS
from ui.app_state import AppState
from ui.comparison import (
    KIND_LABELS,
    PAIR_LABELS,
    ROW_KEYS,
    Comparison,
    Rows,
    kind_count,
    rows_task,
)
from ui.file_dialogs import get_save_file_name
from ui.formatting import format_date
from ui.i18n import number, pick, tr
from ui.tasks import TaskRunner, TaskState
from ui.widgets.error_dialog import show_internal_error, show_write_error
from ui.widgets.labels import MutedLabel
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

log = logging.getLogger(__name__)

#: the export formats of the panel: file filter (Danish, English) per format
EXPORT_FILTERS = {
    "xlsx": ("Excel (*.xlsx)", "Excel (*.xlsx)"),
    "csv": ("CSV (*.csv)", "CSV (*.csv)"),
    "json": ("JSON (*.json)", "JSON (*.json)"),
}
#: the mark of a differing unit in the tree, as the legend says it
TREE_MARK = "●"


class DifferencesPanel(LazyPanel):
    """The differences of the open comparison; see the module docstring."""

    titles = ("Forskelle", "Differences")
    follows_selection = False
    shown_by_default = False

    #: the empty panel's button: File > Compare with...
    compare_requested = Signal()
    #: a recent file chosen on the empty page, to compare the open file with
    compare_path_requested = Signal(str)
    #: "Close comparison": the window ends it (and a comparison still being made)
    close_requested = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._key: tuple[Any, ...] | None = None  # what the table shows
        self._rows: Rows | None = None
        self._kept: tuple[Any, ...] | None = None  # the row to find again in new rows
        #: the rows are made here; only the newest filters count
        self.job = TaskRunner(self, latest_only=True)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)
        #: swapping OLD and NEW compares again
        self.swap_job = TaskRunner(self)
        self.swap_job.finished.connect(self._on_swap_finished)
        self.swap_job.failed.connect(self._on_job_failed)
        self.export_job = TaskRunner(self)
        self.export_job.finished.connect(self._on_export_finished)
        self.export_job.failed.connect(self._on_export_failed)

        self.hint = self.hint_label()
        self.compare_button = QPushButton(self)
        self.compare_button.setObjectName("DiffCompare")
        self.compare_button.clicked.connect(self.compare_requested)
        empty = QWidget(self)
        empty_lay = QVBoxLayout(empty)
        empty_lay.addStretch(1)
        empty_lay.addWidget(self.hint)
        empty_lay.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignHCenter)
        # beside the button, the recent files (the window says which: `set_recent`)
        self.recent_label = QLabel(self)
        self.recent = QListWidget(self)
        self.recent.setObjectName("DiffRecent")
        self.recent.setMaximumHeight(160)
        self.recent.itemActivated.connect(self._on_recent_activated)
        self.recent.itemClicked.connect(self._on_recent_activated)
        empty_lay.addWidget(self.recent_label)
        empty_lay.addWidget(self.recent)
        empty_lay.addStretch(2)
        self._recent: list[str] = []
        self.empty = empty
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel(self)
        self.note.setObjectName("DiffNote")
        self.note.setWordWrap(True)
        self.followed_label = QLabel(self)
        self.followed_label.setObjectName("DiffFollowed")
        self.followed_label.setWordWrap(True)
        self.legend = MutedLabel(self)
        self.legend.setWordWrap(True)

        self.kind_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        for n, kind in enumerate(KINDS):
            box = QCheckBox(self)
            box.setObjectName(f"kind_{kind}")
            box.setChecked(True)
            box.toggled.connect(self._on_filter_changed)
            self.kind_boxes[kind] = box
            grid.addWidget(box, n // 4, n % 4)
        self.under_box = QCheckBox(self)
        self.under_box.setObjectName("DiffUnder")
        self.under_box.toggled.connect(self._on_under_toggled)
        #: the unit the rows must be under (the one selected when the box was ticked or
        #: selected elsewhere since; a row selected here does not move it)
        self._under_id = ""
        self._selecting = False
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("DiffText")
        self.text_edit.setClearButtonEnabled(True)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(250)
        self._text_timer.timeout.connect(self._on_filter_changed)
        self.text_edit.textChanged.connect(self._text_timer.start)
        state.selection_changed.connect(self._on_selection_changed)
        state.comparison_changed.connect(self._on_comparison_changed)
        state.followed_changed.connect(self._on_filter_changed)

        self.table = RecordsView(state, filterable=False)
        self.table.setObjectName("DiffTable")
        self.count_label = MutedLabel(self)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)

        self.swap_button = QPushButton(self)
        self.swap_button.setObjectName("DiffSwap")
        self.swap_button.clicked.connect(self.swap)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self.table.copy_all)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("DiffExport")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("DiffClose")
        self.close_button.clicked.connect(self._on_close_clicked)

        page = QWidget(self)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(self.note)
        lay.addLayout(grid)
        filters = QHBoxLayout()
        filters.addWidget(self.under_box)
        filters.addWidget(self.text_edit, 1)
        lay.addLayout(filters)
        lay.addWidget(self.followed_label)
        lay.addWidget(self.table.frame, 1)
        lay.addWidget(self.count_label)
        lay.addWidget(self.legend)
        bar = QHBoxLayout()
        bar.addWidget(self.swap_button)
        bar.addStretch(1)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.close_button)
        lay.addLayout(bar)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(empty)
        self.stack.addWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.retranslate()

    # --- language ---------------------------------------------------------------------

    def retranslate(self) -> None:
        lang = self.lang
        self._update_under_text()
        self.text_edit.setPlaceholderText(
            tr(
                lang,
                "Filtrér: navn, SOR-kode, felt, gammel eller ny værdi",
                "Filter: name, SOR id, field, old or new value",
            )
        )
        self.swap_button.setText(tr(lang, "Byt gammel og ny", "Swap old and new"))
        self.swap_button.setToolTip(
            tr(
                lang,
                "Sammenlign den anden vej: den nye fil som gammel",
                "Compare the other way round: the newer file as old",
            )
        )
        self.copy_button.setText(tr(lang, "Kopiér alt", "Copy all"))
        self.export_button.setText(tr(lang, "Eksportér…", "Export…"))
        self.close_button.setText(tr(lang, "Luk sammenligning", "Close comparison"))
        self.compare_button.setText(tr(lang, "Sammenlign med…", "Compare with…"))
        self.recent_label.setText(
            tr(lang, "Eller sammenlign med en seneste fil:", "Or compare with a recent file:")
        )
        self.legend.setText(
            tr(
                lang,
                f"{TREE_MARK} i træet: enheden er forskellig i de to udtræk.",
                f"{TREE_MARK} in the tree: the unit differs between the two downloads.",
            )
        )
        self._update_kind_texts()
        self._update_caption()

    def set_recent(self, paths: list[str]) -> None:
        """The recent files offered on the empty page (the open one left out)."""
        self._recent = list(paths)
        self.recent.clear()
        for p in self._recent:
            item = QListWidgetItem(f"{os.path.basename(p)}    {os.path.dirname(p)}")
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(p)
            self.recent.addItem(item)
        self.recent_label.setVisible(bool(self._recent))
        self.recent.setVisible(bool(self._recent))

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path and self.state.register is not None:
            self.compare_path_requested.emit(str(path))

    # --- state ------------------------------------------------------------------------

    def _on_state_changed(self, *_args: object) -> None:
        """The date moving does not change a comparison of two downloads (and selecting
        a row moves the date: the table must stay as it is)."""

    def _on_comparison_changed(self, _comp: object) -> None:
        # the row the user is on is found again in the new rows (a comparison's unit
        # lists are followed by the whole comparison while the user reads them)
        self._kept = self._current_row_key()
        self._key = None
        self._rows = None
        self.mark_stale()

    def _on_selection_changed(self, sor_id: str) -> None:
        if self._selecting:  # a row of this table: the rows stay as they are
            return
        if self.under_box.isChecked() and sor_id != self._under_id:
            self._under_id = sor_id
            self._update_under_text()
            self.mark_stale()

    def _on_under_toggled(self, on: bool) -> None:
        self._under_id = self.state.current if on else ""
        self._update_under_text()
        self._on_filter_changed()

    def _update_under_text(self) -> None:
        lang = self.lang
        text = tr(lang, "Kun under den valgte enhed", "Only under the selected unit")
        reg, sid = self.state.register, self._under_id
        if self.under_box.isChecked() and reg is not None and sid:
            from ui.unit_labels import unit_name

            text += f": {unit_name(reg, sid, self.state.as_of) or sid}"
        self.under_box.setText(text)

    def _on_filter_changed(self, *_args: object) -> None:
        self._text_timer.stop()
        self.mark_stale()

    @property
    def comparison(self) -> Comparison | None:
        return self.state.comparison

    def filters(self) -> tuple[tuple[str, ...], str | None, str]:
        """(kinds checked, the unit the rows must be under or None, the text)."""
        kinds = tuple(k for k in KINDS if self.kind_boxes[k].isChecked())
        under = self._under_id if self.under_box.isChecked() else None
        return kinds, (under or None), self.text_edit.text().strip()

    # --- compute ----------------------------------------------------------------------

    def refresh(self) -> None:
        comp = self.comparison
        if comp is None:
            self.job.cancel()
            self._key = None
            self.hint.setText(
                tr(
                    self.lang,
                    "Ingen sammenligning åben. Vælg Filer > Sammenlign med... for at se, hvad "
                    "der er ændret mellem den åbne fil og et andet udtræk.",
                    "No comparison open. Choose File > Compare with... to see what changed "
                    "between the open file and another download.",
                )
            )
            self.compare_button.setEnabled(self.state.register is not None)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        self._update_caption()
        self._update_actions()
        kinds, under, text = self.filters()
        followed = dict(self.state.followed)
        key = (id(comp.diff), kinds, under, text, self.lang, tuple(sorted(followed.items())))
        if key == self._key:
            self.job.cancel()
            return
        self.job.request(
            key,
            partial(
                rows_task,
                comp=comp,
                kinds=kinds,
                under=under,
                text=text,
                lang=self.lang,
                followed=followed,
            ),
        )

    def wait(self) -> None:
        """Block until the rows asked for are shown (tests, scripts)."""
        self.swap_job.wait_done()
        self.job.wait_done()

    def _on_job_finished(self, key: Any, rows: Rows) -> None:
        comp = self.comparison
        if comp is None or key[0] != id(comp.diff):
            return
        kept = self._current_row_key() if self._rows is not None else self._kept
        self._kept = None
        self._key = key
        self._rows = rows
        lang = self.lang
        labels = (
            tr(lang, "Forskel", "Difference"),
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Navn", "Name"),
            tr(lang, "Felt", "Field"),
            tr(lang, "Gammel værdi", "Old value"),
            tr(lang, "Ny værdi", "New value"),
            "EAN",
        )
        self.table.set_records(ROW_KEYS, labels, rows.rows, highlight=rows.followed_rows)
        self._size_columns(labels)
        if kept is not None and kept in rows.rows:
            self._selecting = True  # the same unit at the same day: nothing to move
            try:
                self.table.select_source_row(rows.rows.index(kept))
            finally:
                self._selecting = False
        self._update_kind_texts()
        self._update_count()
        self._update_followed()
        self._update_actions()

    def _current_row_key(self) -> tuple[Any, ...] | None:
        """The row the user is on (its cells), to find it again in new rows."""
        rows = self._rows
        idx = self.table.currentIndex()
        if rows is None or not idx.isValid():
            return None
        row = self.table.source_row(idx)
        return rows.rows[row] if 0 <= row < len(rows.rows) else None

    def _update_count(self) -> None:
        rows, comp, lang = self._rows, self.comparison, self.lang
        if rows is None:
            return
        shown = len(rows.rows)
        text = (
            tr(lang, f"{number(shown, lang)} rækker", f"{number(shown, lang)} rows")
            if shown != 1
            else tr(lang, "1 række", "1 row")
        )
        if comp is not None and not comp.complete:
            text += " · " + tr(
                lang,
                "de ændrede felter, SHAK og EAN/EDI sammenlignes stadig …",
                "the changed fields, SHAK and EAN/EDI are still being compared …",
            )
        self.count_label.setText(text)

    def _update_actions(self) -> None:
        """Copy all, export and swap wait for a comparison still under way (they would
        leave out the kinds not worked out yet)."""
        comp = self.comparison
        done = comp is not None and comp.complete
        for button in (self.copy_button, self.export_button, self.swap_button):
            button.setEnabled(done)

    def _size_columns(self, labels: tuple[str, ...]) -> None:
        """Fixed widths from the texts the columns can hold (fitting 15,000 rows to their
        contents costs more than the rows themselves); ids fitted whole."""
        metrics = self.table.fontMetrics()
        pad = 24
        kinds = [pick(v, self.lang) for v in (*KIND_LABELS.values(), *PAIR_LABELS.values())]
        widths = {
            "kind": max(metrics.horizontalAdvance(t) for t in (*kinds, labels[0])) + pad,
            "name": metrics.averageCharWidth() * 26,
            "field": metrics.averageCharWidth() * 28,
            "old": metrics.averageCharWidth() * 22,
            "new": metrics.averageCharWidth() * 22,
        }
        for key_name, width in widths.items():
            self.table.setColumnWidth(self.table.records.column_of(key_name), width)
        self.table.fit_id_columns()

    def _on_job_failed(self, _key: Any, exc: BaseException) -> None:
        lang = self.lang
        show_internal_error(
            self, lang, tr(lang, "viste forskellene", "showing the differences"), exc
        )

    # --- texts ------------------------------------------------------------------------

    def _update_caption(self) -> None:
        comp = self.comparison
        lang = self.lang
        if comp is None:
            self.caption.setText("")
            self.note.hide()
            return
        d = comp.diff

        def side(label: str, path: str, day: Any, snap: Any) -> str:
            at = format_date(snap) if snap else "-"
            read = format_date(day)
            name = os.path.basename(path)
            if snap == day:
                return f"{label}: {name} ({tr(lang, 'udtræk', 'download of')} {at})"
            return (
                f"{label}: {name} ({tr(lang, 'udtræk', 'download of')} {at}, "
                f"{tr(lang, 'læst pr.', 'read as of')} {read})"
            )

        old = side(tr(lang, "Gammel", "Old"), comp.old_path, d.old.day, d.old.snapshot_date)
        new = side(tr(lang, "Ny", "New"), comp.new_path, d.new.day, d.new.snapshot_date)
        open_word = tr(lang, "den åbne fil", "the open file")
        if comp.open_is_old:
            old += f" · {open_word}"
        else:
            new += f" · {open_word}"
        self.caption.setText(f"{old}\n{new}")
        self.caption.setToolTip(f"{comp.old_path}\n{comp.new_path}")
        notes = [w.render("da" if lang == "da" else "en") for w in d.warnings]
        if d.is_empty:
            from sorviewer.messages import msg

            notes.insert(0, msg("diff.no_differences").render("da" if lang == "da" else "en"))
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))

    def _update_kind_texts(self) -> None:
        comp = self.comparison
        counts = self._rows.counts if self._rows is not None else None
        full = comp.diff.counts() if comp is not None else None
        lang = self.lang
        pending_kinds = comp.pending_kinds() if comp is not None else ()
        pending = bool(pending_kinds)
        for kind, box in self.kind_boxes.items():
            text = pick(KIND_LABELS[kind], lang)
            if kind in pending_kinds:
                box.setText(f"{text} (…)")
                box.setToolTip(tr(lang, "Sammenlignes stadig …", "Still being compared …"))
                continue
            box.setToolTip("")
            if full is not None:
                total = kind_count(full, kind)
                n = counts[kind] if counts is not None else total
                if n != total:
                    text += f" ({number(n, lang)} {tr(lang, 'af', 'of')} {number(total, lang)})"
                else:
                    text += f" ({number(total, lang)})"
            box.setText(text)
        if comp is not None and not comp.diff.has_edi and not pending:
            self.kind_boxes["ean_edi"].setToolTip(
                tr(
                    lang,
                    "Mindst én af filerne har ingen EDI-tabel (XML og dagsfilen har ingen).",
                    "At least one of the files has no EDI table (the XML and the daily file "
                    "have none).",
                )
            )
        elif not pending:
            self.kind_boxes["ean_edi"].setToolTip("")

    def _update_followed(self) -> None:
        rows, lang, comp = self._rows, self.lang, self.comparison
        if rows is None or not self.state.followed or comp is None or not comp.complete:
            self.followed_label.hide()
            return
        n = len(rows.followed_changed)
        if n:
            text = tr(
                lang,
                f"{number(n, lang)} {'fulgt enhed' if n == 1 else 'fulgte enheder'} er "
                "ændret; de står først.",
                f"{number(n, lang)} followed {'unit' if n == 1 else 'units'} changed; "
                "listed first.",
            )
        else:
            text = tr(lang, "Ingen fulgte enheder er ændret.", "No followed unit changed.")
        self.followed_label.setText(text)
        self.followed_label.show()

    # --- rows -> the tree ---------------------------------------------------------------

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        comp, rows = self.comparison, self._rows
        if self._selecting or comp is None or rows is None or not current.isValid():
            return  # (a row found again in new rows: the user may have moved on since)
        row = self.table.source_row(current)
        sid = self.table.records.sor_id(row)
        if not sid:
            return
        # the unit at the date it is compared at: the newer file's (the older one's for a
        # closed unit); the tree shows the open file at that date
        self._selecting = True
        try:
            self.state.set_as_of(comp.day_of(rows.kinds[row]))
            self.state.select(sid)
        finally:
            self._selecting = False
        reg = self.state.register
        if reg is not None and reg.entity_index(sid) < 0:  # a unit the open file lacks
            other = os.path.basename(comp.other_path)
            self.count_label.setText(
                tr(
                    self.lang,
                    f"{sid} findes kun i {other}, ikke i den åbne fil.",
                    f"{sid} is only in {other}, not in the open file.",
                )
            )

    # --- actions ------------------------------------------------------------------------

    def swap(self) -> None:
        """Compare the other way round (on a worker)."""
        comp = self.comparison
        if comp is None or self.swap_job.running:
            return
        self.caption.setText(tr(self.lang, "Sammenligner …", "Comparing …"))
        self.swap_job.start(lambda _state: comp.swapped(), key=comp)

    def _on_swap_finished(self, key: Any, result: Comparison) -> None:
        if key is self.comparison:
            self.state.set_comparison(result)

    def _on_close_clicked(self) -> None:
        self.close_requested.emit()

    def shown_diff(self) -> Any:
        """The comparison narrowed as the panel shows it (what Export writes)."""
        comp = self.comparison
        if comp is None:
            return None
        kinds, under, text = self.filters()
        return comp.diff.filter(kinds=kinds, under=under, text=text or None)

    def _on_export_clicked(self) -> None:
        comp = self.comparison
        if comp is None or self.export_job.running:
            return
        lang = self.lang
        folder = os.path.dirname(os.path.abspath(comp.new_path))
        d = comp.diff
        name = f"sor_diff_{d.old.day:%Y-%m-%d}_{d.new.day:%Y-%m-%d}.xlsx"
        filters = ";;".join(pick(f, lang) for f in EXPORT_FILTERS.values())
        path, chosen = get_save_file_name(
            self,
            tr(lang, "Eksportér forskellene", "Export the differences"),
            os.path.join(folder, name),
            filters,
            lang,
        )
        if path:
            self.export(path, export_format(path, chosen))

    def export(self, path: str, fmt: str) -> None:
        """Write the differences shown (every column, old and new values) to `path`."""
        diff = self.shown_diff()
        if diff is None:
            return
        from sorviewer.export import write_diff

        def task(state: TaskState) -> int:
            return int(write_diff(diff, path, fmt, progress=state.report))

        self.export_job.start(task, key=path)

    def _on_export_finished(self, path: str, n: int) -> None:
        lang = self.lang
        self.count_label.setText(
            tr(
                lang,
                f"{number(n, lang)} rækker eksporteret til {path}",
                f"{number(n, lang)} rows exported to {path}",
            )
        )

    def _on_export_failed(self, path: str, exc: BaseException) -> None:
        lang = self.lang
        if isinstance(exc, OSError):
            show_write_error(self, lang, path, exc)
            return
        show_internal_error(
            self, lang, tr(lang, "eksporterede forskellene", "exporting the differences"), exc
        )


def export_format(path: str, chosen_filter: str = "") -> str:
    """The export format of a file name (its extension), else of the chosen filter."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext in EXPORT_FILTERS:
        return ext
    for fmt in EXPORT_FILTERS:
        if f"*.{fmt}" in chosen_filter:
            return fmt
    return "xlsx"
