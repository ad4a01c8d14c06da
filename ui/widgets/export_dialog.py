"""Export the selection, the subtree of the selected unit, or everything at the date.

The writing itself is `sorviewer.export.write_export`, run on a worker thread so a
full-register export does not freeze the window. When write_export takes a
`progress(done, total)` keyword the bar shows real progress (the worker's calls are
carried to the GUI thread by a queued signal); otherwise it is a busy bar.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.load_task import Job
from ui.widgets.date_bar import format_date

FORMATS = (
    ("csv", "CSV (semikolon, UTF-8)", "CSV (semicolon, UTF-8)"),
    ("xlsx", "Excel-projektmappe (.xlsx)", "Excel workbook (.xlsx)"),
    ("json", "JSON", "JSON"),
)


def _tr(lang: str, da: str, en: str) -> str:
    return da if lang == "da" else en


class _Progress(QObject):
    """Carries progress calls from the worker thread to the GUI thread."""

    moved = Signal(int, int)

    def __call__(self, done: int, total: int) -> None:
        self.moved.emit(int(done), int(total))


class ExportDialog(QDialog):
    """Choose what and where; `accept()` only after the file was written."""

    def __init__(
        self,
        reg: Any,
        day: dt.date,
        selected: list[str],
        start_dir: str = "",
        parent: QWidget | None = None,
        scope: str = "",
        language: str = "en",
        include_all: bool = False,
        filtered: list[str] | None = None,
        filter_text: str = "",
    ) -> None:
        """`selected`: the selected units' SorIds; `filtered`: the units matching the
        tree's filter `filter_text` (offered as a scope when there is a filter)."""
        super().__init__(parent)
        lang = self.lang = language
        self.setWindowTitle(_tr(lang, "Eksportér", "Export"))
        self.reg = reg
        self.day = day
        self.selected = list(selected)
        self.job: Job | None = None
        self.written = ""
        self.count = 0
        self._progress = _Progress(self)
        self._progress.moved.connect(self._on_progress_moved)

        day_text = format_date(day)
        n = len(self.selected)
        self.scope_selection = QRadioButton(
            _tr(lang, f"De markerede enheder ({n})", f"The selected units ({n})")
        )
        self.scope_subtree = QRadioButton(
            _tr(
                lang,
                "Den markerede enhed og alt under den",
                "The selected unit and everything under it",
            )
        )
        self.scope_all = QRadioButton(
            _tr(lang, f"Alle enheder den {day_text}", f"Every unit on {day_text}")
        )
        self.filtered = list(filtered or [])
        m = len(self.filtered)
        self.scope_filtered = QRadioButton(
            _tr(
                lang,
                f"De {m} enheder, der passer på søgningen »{filter_text}«",
                f"The {m} units matching the search “{filter_text}”",
            )
        )
        self.scope_filtered.setVisible(bool(filter_text))
        self.scope_filtered.setEnabled(bool(self.filtered))
        self.scopes = QButtonGroup(self)
        for b in (self.scope_selection, self.scope_subtree, self.scope_filtered, self.scope_all):
            self.scopes.addButton(b)
        has_sel = bool(self.selected)
        self.scope_selection.setEnabled(has_sel)
        self.scope_subtree.setEnabled(n == 1)
        if scope == "subtree" and n == 1:
            self.scope_subtree.setChecked(True)
        elif scope == "filtered" and self.filtered:
            self.scope_filtered.setChecked(True)
        elif scope == "all" or not has_sel:
            self.scope_all.setChecked(True)
        else:
            self.scope_selection.setChecked(True)
        self.include_all = QCheckBox(
            _tr(lang, "Medtag lukkede og fremtidige enheder", "Include closed and future units")
        )
        self.include_all.setChecked(include_all)
        self.format = QComboBox()
        for key, da, en in FORMATS:
            self.format.addItem(_tr(lang, da, en), key)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.path = QLineEdit()
        self.path.setObjectName("ExportPath")
        name = f"sor_export_{day.isoformat()}.csv"
        self.path.setText(os.path.join(start_dir or os.path.expanduser("~"), name))
        browse = QPushButton(_tr(lang, "Gennemse...", "Browse..."))
        browse.clicked.connect(self._on_browse_clicked)
        self.progress = QProgressBar()
        self.progress.setObjectName("ExportProgress")
        self.progress.setRange(0, 0)
        self.progress.hide()

        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow(_tr(lang, "Format:", "Format:"), self.format)
        form.addRow(_tr(lang, "Fil:", "File:"), where)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                _tr(
                    lang,
                    f"Værdierne som de var den {day_text}; datoen står i filnavnet og i "
                    "filen (kolonnen AsOfDate).",
                    f"Values as they stood on {day_text}; the date is in the file name and "
                    "in the file (the AsOfDate column).",
                )
            )
        )
        for b in (self.scope_selection, self.scope_subtree, self.scope_filtered, self.scope_all):
            layout.addWidget(b)
        layout.addWidget(self.include_all)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    def options(self) -> dict[str, Any]:
        """The keyword arguments for write_export that the dialog stands for."""
        fmt = str(self.format.currentData())
        # stamp: the as-of date goes into the file too (a column, and an XLSX sheet about
        # the export), so it survives renaming the file
        opts: dict[str, Any] = {
            "fmt": fmt,
            "include_all": self.include_all.isChecked(),
            "stamp": True,
        }
        if self.scope_selection.isChecked():
            opts["sor_ids"] = list(self.selected)
        elif self.scope_filtered.isChecked():
            opts["sor_ids"] = list(self.filtered)
        elif self.scope_subtree.isChecked():
            opts["subtree"] = self.selected[0]
        return opts

    def _on_format_changed(self, _i: int) -> None:
        fmt = str(self.format.currentData())
        base, _ext = os.path.splitext(self.path.text())
        self.path.setText(f"{base}.{fmt}")

    def _on_browse_clicked(self) -> None:
        fmt = str(self.format.currentData())
        path, _ = QFileDialog.getSaveFileName(
            self,
            _tr(self.lang, "Eksportér til", "Export to"),
            self.path.text(),
            f"{fmt.upper()} (*.{fmt})",
        )
        if path:
            self.path.setText(path)

    def start_export(self) -> None:
        lang = self.lang
        title = _tr(lang, "Eksportér", "Export")
        path = self.path.text().strip()
        if not path:
            QMessageBox.warning(
                self, title, _tr(lang, "Vælg en fil.", "Choose a file to export to.")
            )
            return
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            QMessageBox.warning(
                self,
                title,
                _tr(lang, f"Mappen {folder} findes ikke.", f"The folder {folder} does not exist."),
            )
            return
        from sorviewer.export import write_export

        opts = self.options()
        opts["progress"] = self._progress
        reg, day = self.reg, self.day

        def run() -> str:
            self.count = int(write_export(reg, day, path, opts.pop("fmt"), **opts) or 0)
            return path

        from sorviewer.errors import LoadError

        self.job = Job(run, user_errors=(LoadError, ValueError), parent=self)
        self.job.done.connect(self._on_job_done)
        self.job.failed.connect(self._on_job_failed)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.buttons.setEnabled(False)
        self.job.start()

    def _on_progress_moved(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _on_job_done(self, path: object) -> None:
        self.written = str(path)
        self.progress.hide()
        self.buttons.setEnabled(True)
        self.job = None
        self.accept()

    def _on_job_failed(self, message: str) -> None:
        self.progress.hide()
        self.buttons.setEnabled(True)
        self.job = None
        QMessageBox.warning(self, _tr(self.lang, "Eksporten mislykkedes", "Export failed"), message)

    def done(self, result: int) -> None:
        if self.job is not None and self.job.running:
            self.job.wait()
        super().done(result)
