"""Export the selection, the subtree of the selected unit, everything at the date, or
the Units view's result with its chosen columns.

The writing itself is `sorviewer.export.write_export`, run as a task on a
`ui.tasks.TaskRunner` so a full-register export does not freeze the window; the bar
shows its progress in per cent. Cancel stops it: the task's progress callback raises
once cancelling was asked for, and write_export, which writes through a temporary
file, then leaves no file behind. A disk that refuses the file is the user's problem
(one sentence); anything else is a bug in the program (logged, and said to be one).

What leaves the program never passes an inherited value off as the unit's own: every
export from the window uses the strict naming (`ShakId` is the unit's own code as the
file has it, `EffectiveShakId` and `ShakIdSource` beside it; the same for addresses
and the EAN; README "Find"). CSV comes in two forms: "CSV til Excel" (the default;
ids written as `="…"` so a spreadsheet keeps 16-18 digit ids and leading zeros) and
plain CSV for programs.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from functools import partial
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.file_dialogs import get_save_file_name
from ui.formatting import format_date
from ui.i18n import name_buttons, tr
from ui.tasks import TaskRunner, TaskState
from ui.widgets.error_dialog import show_internal_error, show_user_error

log = logging.getLogger(__name__)

FORMATS = (
    ("csv-excel", "CSV til Excel (id'er bevares)", "CSV for Excel (ids kept exact)"),
    ("xlsx", "Excel-projektmappe (.xlsx)", "Excel workbook (.xlsx)"),
    ("csv", "CSV til programmer (semikolon, UTF-8)", "CSV for programs (semicolon, UTF-8)"),
    ("json", "JSON", "JSON"),
)
#: the file name ending of each format
EXTENSIONS = {"csv-excel": "csv", "csv": "csv", "xlsx": "xlsx", "json": "json"}


def export_task(
    reg: Any, day: dt.date, path: str, options: dict[str, Any], state: TaskState
) -> int:
    """Write the export (a task: runs on a worker); the number of units written."""
    from sorviewer.export import write_export

    opts = dict(options)
    fmt = opts.pop("fmt")
    return int(write_export(reg, day, path, fmt, progress=state.report, **opts) or 0)


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
        units: Any = None,
        units_selected: Any = None,
        columns: list[str] | None = None,
    ) -> None:
        """`selected`: the selected units' SorIds; `filtered`: the units matching the
        tree's filter `filter_text` (offered as a scope when there is a filter).

        From the Units view: `units` are its result's entity indices in the shown order,
        `units_selected` the selected rows' (when several are), `columns` its columns;
        the dialog then offers those two scopes only."""
        super().__init__(parent)
        lang = self.lang = language
        self.setWindowTitle(tr(lang, "Eksportér", "Export"))
        self.reg = reg
        self.day = day
        self.selected = list(selected)
        self.written = ""
        self.count = 0
        self.units = units
        self.units_selected = units_selected
        self.columns = list(columns) if columns else None
        #: the export runs here: finished(path, count), failed(path, exc), cancelled(path)
        self.job = TaskRunner(self)
        self.job.progressed.connect(self._on_progress_moved)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)
        self.job.cancelled.connect(self._on_job_cancelled)

        day_text = format_date(day)
        n = len(self.selected)
        self.scope_selection = QRadioButton(
            tr(lang, f"De markerede enheder ({n})", f"The selected units ({n})")
        )
        self.scope_subtree = QRadioButton(
            tr(
                lang,
                "Den markerede enhed og alt under den",
                "The selected unit and everything under it",
            )
        )
        self.scope_all = QRadioButton(
            tr(lang, f"Alle enheder den {day_text}", f"Every unit on {day_text}")
        )
        self.filtered = list(filtered or [])
        m = len(self.filtered)
        self.scope_filtered = QRadioButton(
            tr(
                lang,
                f"De {m} enheder, der passer på søgningen »{filter_text}«",
                f"The {m} units matching the search “{filter_text}”",
            )
        )
        self.scope_filtered.setVisible(bool(filter_text))
        self.scope_filtered.setEnabled(bool(self.filtered))
        self.scope_units = QRadioButton(
            tr(
                lang,
                f"Alle {_n(units, lang)} enheder i resultatet, i den viste rækkefølge",
                f"All {_n(units, lang)} units of the result, in the order shown",
            )
        )
        self.scope_units_selected = QRadioButton(
            tr(
                lang,
                f"De {_n(units_selected, lang)} markerede rækker",
                f"The {_n(units_selected, lang)} selected rows",
            )
        )
        self.scopes = QButtonGroup(self)
        for b in (
            self.scope_selection,
            self.scope_subtree,
            self.scope_filtered,
            self.scope_all,
            self.scope_units,
            self.scope_units_selected,
        ):
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
        from_units = units is not None
        for b in (self.scope_selection, self.scope_subtree, self.scope_all):
            b.setVisible(not from_units)
        if from_units:
            self.scope_filtered.setVisible(False)
            self.scope_units.setChecked(True)
        self.scope_units.setVisible(from_units)
        self.scope_units_selected.setVisible(units_selected is not None)
        self.include_all = QCheckBox(
            tr(lang, "Medtag lukkede og fremtidige enheder", "Include closed and future units")
        )
        self.include_all.setChecked(include_all)
        self.include_all.setVisible(not from_units)
        self.format = QComboBox()
        self.format.setObjectName("ExportFormat")
        for key, da, en in FORMATS:
            self.format.addItem(tr(lang, da, en), key)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.path = QLineEdit()
        self.path.setObjectName("ExportPath")
        stem = "sor_enheder" if from_units else "sor_export"
        name = f"{stem}_{day.isoformat()}.csv"
        self.path.setText(os.path.join(start_dir or os.path.expanduser("~"), name))
        browse = QPushButton(tr(lang, "Gennemse...", "Browse..."))
        browse.clicked.connect(self._on_browse_clicked)
        self.progress = QProgressBar()
        self.progress.setObjectName("ExportProgress")
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p %")
        self.progress.hide()
        self._format_tip()

        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow(tr(lang, "Format:", "Format:"), self.format)
        form.addRow(tr(lang, "Fil:", "File:"), where)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        name_buttons(self.buttons, lang)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save is not None
        self.save_button = save
        #: says why nothing was written after a cancelled export
        self.note = QLabel()
        self.note.setObjectName("ExportNote")
        self.note.setWordWrap(True)
        self.note.hide()

        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                lang,
                f"Værdierne som de var den {day_text}; datoen står i filnavnet og i "
                "filen (kolonnen AsOfDate). En nedarvet værdi står under "
                "Effective…-kolonnen, aldrig under enhedens egen.",
                f"Values as they stood on {day_text}; the date is in the file name and "
                "in the file (the AsOfDate column). An inherited value goes under the "
                "Effective… column, never under the unit's own.",
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for button in self.scopes.buttons():
            layout.addWidget(button)
        layout.addWidget(self.include_all)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

    def options(self) -> dict[str, Any]:
        """The keyword arguments for write_export that the dialog stands for."""
        fmt = str(self.format.currentData())
        # stamp: the as-of date goes into the file too (a column, and an XLSX sheet about
        # the export), so it survives renaming the file
        # strict: what leaves the program never passes an inherited value off as the
        # unit's own (the module docstring)
        opts: dict[str, Any] = {"fmt": fmt, "stamp": True, "naming": "strict"}
        if self.units is not None:
            chosen = self.units_selected if self.scope_units_selected.isChecked() else self.units
            opts["ents"] = chosen
            if self.columns:
                opts["columns"] = list(self.columns)
            return opts
        opts["include_all"] = self.include_all.isChecked()
        if self.scope_selection.isChecked():
            opts["sor_ids"] = list(self.selected)
        elif self.scope_filtered.isChecked():
            opts["sor_ids"] = list(self.filtered)
        elif self.scope_subtree.isChecked():
            opts["subtree"] = self.selected[0]
        return opts

    def _on_format_changed(self, _i: int) -> None:
        ext = EXTENSIONS[str(self.format.currentData())]
        base, _ext = os.path.splitext(self.path.text())
        self.path.setText(f"{base}.{ext}")
        self._format_tip()

    def _format_tip(self) -> None:
        tips = {
            "csv-excel": (
                'Semikolon, UTF-8. Id\'er og koder skrives som ="…", så Excel og '
                "LibreOffice bevarer alle cifre og foranstillede nuller.",
                'Semicolon, UTF-8. Ids and codes are written as ="…", so Excel and '
                "LibreOffice keep every digit and leading zero.",
            ),
            "csv": (
                "Semikolon, UTF-8, id'er som rene cifre: til andre programmer. Åbnet i et "
                "regneark mister lange id'er cifre.",
                "Semicolon, UTF-8, ids as plain digits: for other programs. Opened in a "
                "spreadsheet, long ids lose digits.",
            ),
            "xlsx": (
                "Overskrift med filter, id'er som tekst, datoer som datoer.",
                "Header with a filter, ids as text, dates as dates.",
            ),
            "json": ("Én post pr. enhed.", "One object per unit."),
        }
        da, en = tips[str(self.format.currentData())]
        self.format.setToolTip(tr(self.lang, da, en))

    def _on_browse_clicked(self) -> None:
        fmt = str(self.format.currentData())
        ext = EXTENSIONS[fmt]
        path, _ = get_save_file_name(
            self,
            tr(self.lang, "Eksportér til", "Export to"),
            self.path.text(),
            f"{ext.upper()} (*.{ext})",
            self.lang,
        )
        if path:
            self.path.setText(path)

    def start_export(self) -> None:
        """Check the target, then write on a worker; the dialog closes once written."""
        lang = self.lang
        title = tr(lang, "Eksportér", "Export")
        path = self.path.text().strip()
        if not path:
            show_user_error(self, tr(lang, "Vælg en fil.", "Choose a file to export to."), title)
            return
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            show_user_error(
                self,
                tr(lang, f"Mappen {folder} findes ikke.", f"The folder {folder} does not exist."),
                title,
            )
            return
        self.note.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.save_button.setEnabled(False)
        log.info("exporting %s as %s", os.path.basename(path), self.options()["fmt"])
        self.job.start(partial(export_task, self.reg, self.day, path, self.options()), key=path)

    @property
    def exporting(self) -> bool:
        return self.job.running

    def _on_progress_moved(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setValue(min(100, done * 100 // total))

    def _end_export(self) -> None:
        self.progress.hide()
        self.save_button.setEnabled(True)

    def _on_job_finished(self, path: str, count: int) -> None:
        self._end_export()
        self.written = path
        self.count = count
        log.info("exported %d units to %s", count, path)
        self.accept()

    def _on_job_failed(self, path: str, exc: BaseException) -> None:
        self._end_export()
        lang = self.lang
        if isinstance(exc, OSError):  # the disk or the folder: the user can do something
            show_user_error(
                self,
                tr(
                    lang,
                    f"Filen {path} kunne ikke skrives: {exc.strerror or exc}.",
                    f"The file {path} could not be written: {exc.strerror or exc}.",
                ),
                tr(lang, "Eksporten mislykkedes", "Export failed"),
            )
        else:
            show_internal_error(
                self, lang, tr(lang, f"eksporterede til {path}", f"exporting to {path}"), exc
            )

    def _on_job_cancelled(self, path: str) -> None:
        self._end_export()
        log.info("export to %s cancelled", path)
        self.note.setText(
            tr(
                self.lang,
                "Eksporten blev afbrudt; der er ikke skrevet nogen fil.",
                "The export was cancelled; no file was written.",
            )
        )
        self.note.show()

    def reject(self) -> None:
        """Cancel (the button, Esc, closing the window): a running export is stopped and
        the dialog stays open to say so (`cancelled` follows); with none running, close."""
        if self.job.running:
            self.job.cancel()
            return
        super().reject()

    def done(self, result: int) -> None:
        self.job.wait()
        super().done(result)


def _n(ents: Any, lang: str) -> str:
    """The number of units in `ents` (None: 0) as the language writes it."""
    from ui.i18n import number

    return number(0 if ents is None else len(ents), lang)
