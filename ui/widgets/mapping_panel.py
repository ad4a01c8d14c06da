"""SHAK <-> SOR at the as-of date, both ways.

Three tabs: the selected unit's SHAK codes (direct, or inherited with the unit
that holds the code); a SHAK code box (a code or its prefix -> the SOR units
mapped to it, direct vs inherited); and the whole mapping at the date, filterable
by SHAK code prefix, by SOR id or name, and by direct/inherited, copyable and
exportable. The whole mapping is built only when its tab is shown, on a worker
thread (a date move must not freeze the window), and is kept for recent dates.
The short columns (codes, direct/inherited) come before the long names, and the
names are capped, so a dock of normal width shows the code, the unit and how it
is mapped without scrolling.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import partial
from typing import Any

import pandas as pd
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import mapping
from sorviewer.export import neutralise
from ui.app_state import AppState
from ui.file_dialogs import get_save_file_name
from ui.formatting import format_date
from ui.i18n import tr
from ui.tasks import TaskRunner, TaskState
from ui.unit_labels import unit_name
from ui.widgets.error_dialog import show_internal_error, show_write_error
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

UNIT_KEYS = ("shak_id", "mapping", "shak_name", "direct_sor_id", "holder")
CODE_KEYS = ("shak_id", "sor_id", "mapping", "name", "direct_sor_id")
FRAME_KEYS = ("shak_id", "sor_id", "mapping", "name", "shak_name", "direct_sor_id")
#: widest a name column is made by fitting it to its contents (longer names elide)
NAME_WIDTH = 240


def _mapping_word(direct: bool, lang: str) -> str:
    return tr(lang, "direkte", "direct") if direct else tr(lang, "nedarvet", "inherited")


def _fit_columns(view: RecordsView, names: tuple[str, ...]) -> None:
    """Columns fitted to their contents, the name columns `names` no wider than
    NAME_WIDTH (they elide), so the columns after them stay in view."""
    view.resizeColumnsToContents()
    for key in names:
        col = view.records.column_of(key)
        if col >= 0 and col < view.records.columnCount() - 1:
            view.setColumnWidth(col, min(view.columnWidth(col), NAME_WIDTH))
    view.fit_id_columns()  # the fitting above samples rows: the longest id may be later


class MappingPanel(LazyPanel):
    """SHAK codes of the selected unit, SOR units of a SHAK code, the whole map."""

    titles = ("SHAK/SOR", "SHAK/SOR")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._frames: dict[dt.date, pd.DataFrame] = {}

        # tab 1: the selected unit
        self.unit_caption = QLabel(self)
        self.unit_caption.setWordWrap(True)
        self.unit_table = RecordsView(state, filterable=False)
        self.unit_hint = self.hint_label()
        self.unit_stack = QStackedWidget(self)
        unit_box = QWidget(self)
        lay = QVBoxLayout(unit_box)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.unit_caption)
        lay.addWidget(self.unit_table.frame, 1)
        self.unit_stack.addWidget(self.unit_hint)
        self.unit_stack.addWidget(unit_box)

        # tab 2: a SHAK code
        self.code_edit = QLineEdit(self)
        self.code_edit.setClearButtonEnabled(True)
        self._code_timer = QTimer(self)
        self._code_timer.setSingleShot(True)
        self._code_timer.setInterval(250)
        self._code_timer.timeout.connect(self.look_up_code)
        self.code_edit.textChanged.connect(self._code_timer.start)
        self.code_edit.returnPressed.connect(self.look_up_code)
        self.code_caption = QLabel(self)
        self.code_table = RecordsView(state, filterable=False)
        code_box = QWidget(self)
        lay = QVBoxLayout(code_box)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.code_edit)
        lay.addWidget(self.code_caption)
        lay.addWidget(self.code_table.frame, 1)

        # tab 3: the whole mapping at the date
        self.frame_table = RecordsView(state)
        self._frame_key: tuple[dt.date, str] | None = None  # what the table shows
        #: the whole mapping is built here; only the newest date counts
        self.frame_job = TaskRunner(self, latest_only=True)
        self.frame_job.finished.connect(self._on_frame_done)
        self.frame_job.failed.connect(self._on_frame_failed)
        self.frame_caption = QLabel(self)
        self.prefix_edit = QLineEdit(self)
        self.prefix_edit.setClearButtonEnabled(True)
        self.prefix_edit.setMinimumWidth(190)
        self.prefix_edit.textChanged.connect(self._apply_frame_filters)
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItems(["", "", ""])
        self.kind_combo.currentIndexChanged.connect(self._apply_frame_filters)
        self.copy_all = QPushButton(self)
        self.copy_all.clicked.connect(self._on_copy_all_clicked)
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(self._on_export_clicked)
        frame_box = QWidget(self)
        lay = QVBoxLayout(frame_box)
        lay.setContentsMargins(4, 4, 4, 4)
        filters = QHBoxLayout()
        filters.addWidget(self.prefix_edit)
        filters.addWidget(self.kind_combo)
        filters.addStretch(1)
        lay.addLayout(filters)
        lay.addWidget(self.frame_caption)
        lay.addWidget(self.frame_table.frame, 1)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.copy_all)
        bar.addWidget(self.export_button)
        lay.addLayout(bar)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.unit_stack, "")
        self.tabs.addTab(code_box, "")
        self.tabs.addTab(frame_box, "")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.tabs)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.tabs.setTabText(0, tr(lang, "Valgt enhed", "Selected unit"))
        self.tabs.setTabText(1, tr(lang, "SHAK-kode → SOR", "SHAK code → SOR"))
        self.tabs.setTabText(2, tr(lang, "Hele mappingen", "Whole mapping"))
        self.code_edit.setPlaceholderText(
            tr(lang, "SHAK-kode eller begyndelsen af en", "A SHAK code or its beginning")
        )
        self.frame_table.filter_edit.setPlaceholderText(
            tr(lang, "Filtrér på SOR-kode, navn eller SHAK-navn", "Filter by SOR id or name")
        )
        self.prefix_edit.setPlaceholderText(tr(lang, "SHAK-kode eller start", "SHAK code or start"))
        for i, (da, en) in enumerate(
            (("Alle", "All"), ("Kun direkte", "Direct only"), ("Kun nedarvede", "Inherited only"))
        ):
            self.kind_combo.setItemText(i, tr(lang, da, en))
        self.copy_all.setText(tr(lang, "Kopiér alt (TSV)", "Copy all (TSV)"))
        self.export_button.setText(tr(lang, "Eksportér CSV…", "Export CSV…"))

    def register_changed(self) -> None:
        self._frames = {}
        self._frame_key = None
        self.frame_job.cancel()

    def mapping_frame(self) -> pd.DataFrame | None:
        """The whole mapping at the as-of date (kept for the last few dates)."""
        reg = self.state.register
        if reg is None:
            return None
        day = self.state.as_of
        frame = self._frames.get(day)
        if frame is None:
            frame = mapping.mapping_frame(reg, day)
            self._keep_frame(day, frame)
        return frame

    def _keep_frame(self, day: dt.date, frame: pd.DataFrame) -> None:
        if day not in self._frames and len(self._frames) > 4:
            self._frames.pop(next(iter(self._frames)))
        self._frames[day] = frame

    # --- refresh: only the visible tab ------------------------------------------------

    def refresh(self) -> None:
        i = self.tabs.currentIndex()
        if i == 0:
            self._fill_unit()
        elif i == 1:
            self.look_up_code()
        else:
            self._fill_frame()

    def _on_tabs_current_changed(self, _i: int) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _fill_unit(self) -> None:
        reg, sid, lang = self.state.register, self.state.current, self.lang
        rows = mapping.sor_to_shak(reg, sid, self.state.as_of) if reg and sid else None
        if reg is None or rows is None:
            self.unit_hint.setText(self.select_hint())
            self.unit_stack.setCurrentWidget(self.unit_hint)
            return
        self.unit_stack.setCurrentIndex(1)
        day = self.state.as_of
        name = unit_name(reg, sid, day) or "?"
        if rows:
            self.unit_caption.setText(
                tr(lang, f"SHAK-koder for {name} ({sid})", f"SHAK codes of {name} ({sid})")
            )
        else:
            self.unit_caption.setText(
                tr(
                    lang,
                    f"{name} ({sid}) har ingen SHAK-kode på datoen.",
                    f"{name} ({sid}) has no SHAK code on this date.",
                )
            )
        records = [
            (
                r["shak_id"],
                _mapping_word(r["direct"], lang),
                r["name"],
                r["direct_sor_id"],
                unit_name(reg, r["direct_sor_id"], day),
            )
            for r in rows
        ]
        labels = [
            tr(lang, "SHAK-kode", "SHAK code"),
            tr(lang, "Tilknytning", "Mapping"),
            tr(lang, "SHAK-navn", "SHAK name"),
            tr(lang, "Koden sidder på", "Code held by"),
            tr(lang, "Navn", "Name"),
        ]
        self.unit_table.set_records(UNIT_KEYS, labels, records, id_key="direct_sor_id")
        _fit_columns(self.unit_table, ("shak_name",))

    def look_up_code(self) -> None:
        """SOR units mapped at the date to the code in the box, or to codes starting so."""
        self._code_timer.stop()
        reg, lang = self.state.register, self.lang
        code = self.code_edit.text().strip()
        labels = [
            tr(lang, "SHAK-kode", "SHAK code"),
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Tilknytning", "Mapping"),
            tr(lang, "Navn", "Name"),
            tr(lang, "Koden sidder på", "Code held by"),
        ]
        if reg is None or not code:
            self.code_caption.setText(
                tr(lang, "Skriv en SHAK-kode.", "Type a SHAK code.") if reg else self.select_hint()
            )
            self.code_table.set_records(CODE_KEYS, labels, [])
            return
        known = mapping.known_shak_codes(reg)
        if not any(k.startswith(code) for k in known):
            self.code_caption.setText(
                tr(lang, f"SHAK-koden {code} findes ikke i filen.", f"{code} is not in the file.")
            )
            self.code_table.set_records(CODE_KEYS, labels, [])
            return
        frame = self.mapping_frame()
        assert frame is not None
        sel = frame.loc[frame["shak_id"].astype(str).str.startswith(code).to_numpy(dtype=bool)]
        records = [
            (r.shak_id, r.sor_id, _mapping_word(bool(r.direct), lang), r.name, r.direct_sor_id)
            for r in sel.itertuples(index=False)
        ]
        day = format_date(self.state.as_of)
        # the box matches code prefixes: say so whenever a longer code is among the hits
        # (or could be: the typed code is not a code of its own)
        exact = code in known and all(r[0] == code for r in records)
        which = (
            tr(lang, f"SHAK-kode {code}", f"SHAK code {code}")
            if exact
            else tr(lang, f"koder der begynder med {code}", f"codes starting with {code}")
        )
        self.code_caption.setText(
            tr(
                lang,
                f"{len(records)} SOR-enheder den {day} for {which}",
                f"{len(records)} SOR units on {day} for {which}",
            )
        )
        self.code_table.set_records(CODE_KEYS, labels, records)
        _fit_columns(self.code_table, ("name",))

    def _frame_labels(self) -> list[str]:
        lang = self.lang
        return [
            tr(lang, "SHAK-kode", "SHAK code"),
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Tilknytning", "Mapping"),
            tr(lang, "Navn", "Name"),
            tr(lang, "SHAK-navn", "SHAK name"),
            tr(lang, "Koden sidder på", "Code held by"),
        ]

    def _fill_frame(self) -> None:
        reg, lang, day = self.state.register, self.lang, self.state.as_of
        if reg is None:
            self.frame_job.cancel()
            self._frame_key = None
            self.frame_table.set_records(FRAME_KEYS, self._frame_labels(), [])
            self.frame_caption.setText(self.select_hint())
            return
        key = (day, lang)
        if key == self._frame_key:
            self.frame_job.cancel()
            return
        reg.snapshot(day)  # made here: the worker only reads the register's cache
        cached = self._frames.get(day)
        self.frame_caption.setText(
            tr(
                lang,
                f"Henter mappingen pr. {format_date(day)} …",
                f"Loading the map at {format_date(day)} …",
            )
        )
        self.frame_job.request(key, partial(frame_records, reg, day, lang, cached))

    def _on_frame_done(self, key: Any, result: Any) -> None:
        day, _lang = key
        frame, records = result
        self._keep_frame(day, frame)
        self._frame_key = key
        self.frame_table.set_records(FRAME_KEYS, self._frame_labels(), records)
        _fit_columns(self.frame_table, ("name", "shak_name"))
        self._apply_frame_filters()  # the mapping words follow the language

    def _on_frame_failed(self, _key: Any, exc: BaseException) -> None:
        lang = self.lang
        self.frame_caption.setText(
            tr(
                lang,
                "Mappingen kunne ikke vises på grund af en fejl i programmet.",
                "The mapping could not be shown because of an error in the program.",
            )
        )
        show_internal_error(
            self, lang, tr(lang, "byggede hele mappingen", "building the whole mapping"), exc
        )

    def _apply_frame_filters(self, *_args: object) -> None:
        prefix = self.prefix_edit.text().strip()
        proxy = self.frame_table.proxy
        proxy.set_column_test(0, (lambda v: str(v or "").startswith(prefix)) if prefix else None)
        kind = self.kind_combo.currentIndex()
        column = FRAME_KEYS.index("mapping")
        if kind == 0:
            proxy.set_column_test(column, None)
        else:
            word = _mapping_word(kind == 1, self.lang)
            proxy.set_column_test(column, lambda v: v == word)
        self._update_frame_caption()

    def _update_frame_caption(self) -> None:
        if self._frame_key is None:
            return
        day, lang = self._frame_key
        shown = self.frame_table.proxy.rowCount()
        total = self.frame_table.records.rowCount()
        when = format_date(day)
        self.frame_caption.setText(
            tr(
                lang,
                f"{total} tilknytninger pr. {when}" + (f", {shown} vist" * (shown != total)),
                f"{total} mappings at {when}" + (f", {shown} shown" * (shown != total)),
            )
        )

    def wait(self) -> None:
        """Block until the whole mapping asked for is shown (tests, scripts)."""
        self.frame_job.wait_done()

    # --- copy and export -----------------------------------------------------------------

    def _on_copy_all_clicked(self) -> None:
        self.frame_table.copy_all()

    def _on_export_clicked(self) -> None:
        lang = self.lang
        path, _ = get_save_file_name(
            self,
            tr(lang, "Eksportér mappingen", "Export the mapping"),
            f"shak_sor_{self.state.as_of:%Y-%m-%d}.csv",
            "CSV (*.csv)",
            lang,
        )
        if not path:
            return
        try:
            n = self.export_csv(path)
        except OSError as exc:  # the disk or the folder: the user can do something
            show_write_error(self, lang, path, exc)
            return
        self.frame_table.count_label.setText(
            tr(lang, f"{n} rækker eksporteret", f"{n} rows exported")
        )

    def export_csv(self, path: str) -> int:
        """Write the rows shown (filter applied) as CSV: UTF-8 with BOM, `;`."""
        view = self.frame_table
        rows: list[Any] = [
            view.records.record(view.proxy.mapToSource(view.proxy.index(r, 0)).row())
            for r in range(view.proxy.rowCount())
        ]
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            w.writerow(view.records.labels())
            w.writerows([neutralise("" if v is None else str(v)) for v in r] for r in rows)
        return len(rows)


def frame_records(
    reg: Any, day: dt.date, lang: str, frame: pd.DataFrame | None, state: TaskState
) -> tuple[pd.DataFrame, list[tuple[Any, ...]]]:
    """The mapping at the day and its table rows (a task: runs on a worker, touches no
    Qt object)."""
    if frame is None:
        frame = mapping.mapping_frame(reg, day)
    state.check()
    direct, inherited = _mapping_word(True, lang), _mapping_word(False, lang)
    records = list(
        zip(
            frame["shak_id"].tolist(),
            frame["sor_id"].tolist(),
            [direct if d else inherited for d in frame["direct"].tolist()],
            frame["name"].tolist(),
            frame["shak_name"].tolist(),
            frame["direct_sor_id"].tolist(),
            strict=True,
        )
    )
    return frame, records
