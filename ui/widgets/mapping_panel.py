"""SHAK <-> SOR at the as-of date, both ways.

Three tabs: the selected unit's SHAK codes (direct, or inherited with the unit
that holds the code); a SHAK code box (a code or its prefix -> the SOR units
mapped to it, direct vs inherited); and the whole mapping at the date, filterable,
copyable and exportable. The whole mapping is built only when its tab is shown
and is kept per date, so moving the date with another tab open costs nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pandas as pd
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import mapping
from sorviewer.export import neutralise
from ui.app_state import AppState
from ui.widgets.details_panel import unit_name
from ui.widgets.table_view import LazyPanel, RecordsView, set_clipboard, tr

UNIT_KEYS = ("shak_id", "shak_name", "mapping", "direct_sor_id", "holder")
CODE_KEYS = ("shak_id", "sor_id", "name", "mapping", "direct_sor_id")
FRAME_KEYS = ("shak_id", "shak_name", "sor_id", "name", "mapping", "direct_sor_id")


def _mapping_word(direct: bool, lang: str) -> str:
    return tr(lang, "direkte", "direct") if direct else tr(lang, "nedarvet", "inherited")


class MappingPanel(LazyPanel):
    """SHAK codes of the selected unit, SOR units of a SHAK code, the whole map."""

    title = "SHAK / SOR"

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
        self.copy_all = QPushButton(self)
        self.copy_all.clicked.connect(self._on_copy_all_clicked)
        self.export_button = QPushButton(self)
        self.export_button.clicked.connect(self._on_export_clicked)
        frame_box = QWidget(self)
        lay = QVBoxLayout(frame_box)
        lay.setContentsMargins(4, 4, 4, 4)
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
        self.frame_table.filter_edit.setPlaceholderText(tr(lang, "Filtrér", "Filter"))
        self.copy_all.setText(tr(lang, "Kopiér alt (TSV)", "Copy all (TSV)"))
        self.export_button.setText(tr(lang, "Eksportér CSV…", "Export CSV…"))

    def register_changed(self) -> None:
        self._frames = {}

    def mapping_frame(self) -> pd.DataFrame | None:
        """The whole mapping at the as-of date (kept for the last few dates)."""
        reg = self.state.register
        if reg is None:
            return None
        day = self.state.as_of
        frame = self._frames.get(day)
        if frame is None:
            if len(self._frames) > 4:
                self._frames.pop(next(iter(self._frames)))
            frame = mapping.mapping_frame(reg, day)
            self._frames[day] = frame
        return frame

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
                r["name"],
                _mapping_word(r["direct"], lang),
                r["direct_sor_id"],
                unit_name(reg, r["direct_sor_id"], day),
            )
            for r in rows
        ]
        labels = [
            tr(lang, "SHAK-kode", "SHAK code"),
            tr(lang, "SHAK-navn", "SHAK name"),
            tr(lang, "Tilknytning", "Mapping"),
            tr(lang, "Koden sidder på", "Code held by"),
            tr(lang, "Navn", "Name"),
        ]
        self.unit_table.set_records(UNIT_KEYS, labels, records, id_key="direct_sor_id")
        self.unit_table.resizeColumnsToContents()

    def look_up_code(self) -> None:
        """SOR units mapped at the date to the code in the box, or to codes starting so."""
        self._code_timer.stop()
        reg, lang = self.state.register, self.lang
        code = self.code_edit.text().strip()
        labels = [
            tr(lang, "SHAK-kode", "SHAK code"),
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Navn", "Name"),
            tr(lang, "Tilknytning", "Mapping"),
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
            (r.shak_id, r.sor_id, r.name, _mapping_word(bool(r.direct), lang), r.direct_sor_id)
            for r in sel.itertuples(index=False)
        ]
        self.code_caption.setText(
            tr(
                lang,
                f"{len(records)} SOR-enheder på {self.state.as_of:%Y-%m-%d}",
                f"{len(records)} SOR units on {self.state.as_of:%Y-%m-%d}",
            )
        )
        self.code_table.set_records(CODE_KEYS, labels, records)
        self.code_table.resizeColumnsToContents()

    def _fill_frame(self) -> None:
        lang = self.lang
        frame = self.mapping_frame()
        labels = [
            tr(lang, "SHAK-kode", "SHAK code"),
            tr(lang, "SHAK-navn", "SHAK name"),
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Navn", "Name"),
            tr(lang, "Tilknytning", "Mapping"),
            tr(lang, "Koden sidder på", "Code held by"),
        ]
        if frame is None:
            self.frame_table.set_records(FRAME_KEYS, labels, [])
            return
        direct, inherited = _mapping_word(True, lang), _mapping_word(False, lang)
        records = list(
            zip(
                frame["shak_id"].tolist(),
                frame["shak_name"].tolist(),
                frame["sor_id"].tolist(),
                frame["name"].tolist(),
                [direct if d else inherited for d in frame["direct"].tolist()],
                frame["direct_sor_id"].tolist(),
                strict=True,
            )
        )
        self.frame_table.set_records(FRAME_KEYS, labels, records)

    # --- copy and export -----------------------------------------------------------------

    def _on_copy_all_clicked(self) -> None:
        set_clipboard(self.frame_table.all_tsv())

    def _on_export_clicked(self) -> None:
        lang = self.lang
        path, _ = QFileDialog.getSaveFileName(
            self,
            tr(lang, "Eksportér mappingen", "Export the mapping"),
            f"shak_sor_{self.state.as_of:%Y-%m-%d}.csv",
            "CSV (*.csv)",
        )
        if not path:
            return
        try:
            n = self.export_csv(path)
        except OSError as exc:
            QMessageBox.warning(
                self,
                tr(lang, "Eksport mislykkedes", "Export failed"),
                tr(lang, f"Kunne ikke skrive {path}: {exc}", f"Could not write {path}: {exc}"),
            )
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
