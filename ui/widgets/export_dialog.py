"""Export the selection, the subtree of the selected unit, or everything at the date.

The writing itself is `sorviewer.export.write_export`, run on a worker thread so a
full-register export does not freeze the window.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

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

FORMATS = (("csv", "CSV (semicolon, UTF-8)"), ("xlsx", "Excel workbook (.xlsx)"), ("json", "JSON"))


class ExportDialog(QDialog):
    """Choose what and where; `accept()` only after the file was written."""

    def __init__(
        self,
        reg: Any,
        day: dt.date,
        selected: list[str],
        start_dir: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.reg = reg
        self.day = day
        self.selected = list(selected)
        self.job: Job | None = None
        self.written = ""

        self.scope_selection = QRadioButton(f"The selected units ({len(self.selected)})")
        self.scope_subtree = QRadioButton("The selected unit and everything under it")
        self.scope_all = QRadioButton(f"Every unit at {day.isoformat()}")
        self.scopes = QButtonGroup(self)
        for b in (self.scope_selection, self.scope_subtree, self.scope_all):
            self.scopes.addButton(b)
        has_sel = bool(self.selected)
        self.scope_selection.setEnabled(has_sel)
        self.scope_subtree.setEnabled(len(self.selected) == 1)
        (self.scope_selection if has_sel else self.scope_all).setChecked(True)
        self.include_all = QCheckBox("Include closed and future units")
        self.format = QComboBox()
        for key, text in FORMATS:
            self.format.addItem(text, key)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.path = QLineEdit()
        self.path.setObjectName("ExportPath")
        name = f"sor_export_{day.isoformat()}.csv"
        self.path.setText(os.path.join(start_dir or os.path.expanduser("~"), name))
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._on_browse_clicked)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()

        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format:", self.format)
        form.addRow("File:", where)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Values as they stood on {day.isoformat()}."))
        for b in (self.scope_selection, self.scope_subtree, self.scope_all):
            layout.addWidget(b)
        layout.addWidget(self.include_all)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    def options(self) -> dict[str, Any]:
        """The keyword arguments for write_export that the dialog stands for."""
        fmt = str(self.format.currentData())
        opts: dict[str, Any] = {"fmt": fmt, "include_all": self.include_all.isChecked()}
        if self.scope_selection.isChecked():
            opts["sor_ids"] = list(self.selected)
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
            self, "Export to", self.path.text(), f"{fmt.upper()} files (*.{fmt})"
        )
        if path:
            self.path.setText(path)

    def start_export(self) -> None:
        path = self.path.text().strip()
        if not path:
            QMessageBox.warning(self, "Export", "Choose a file to export to.")
            return
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            QMessageBox.warning(self, "Export", f"The folder {folder} does not exist.")
            return
        try:
            from sorviewer.export import write_export
        except ImportError:
            QMessageBox.warning(self, "Export", "Export is not available in this version.")
            return
        opts = self.options()
        reg, day = self.reg, self.day

        def run() -> str:
            write_export(reg, day, path, opts.pop("fmt"), **opts)
            return path

        from sorviewer.errors import LoadError

        self.job = Job(run, user_errors=(LoadError, ValueError), parent=self)
        self.job.done.connect(self._on_job_done)
        self.job.failed.connect(self._on_job_failed)
        self.progress.show()
        self.buttons.setEnabled(False)
        self.job.start()

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
        QMessageBox.warning(self, "Export failed", message)

    def done(self, result: int) -> None:
        if self.job is not None and self.job.running:
            self.job.wait()
        super().done(result)
