"""What changed between two dates: created, closed, moved, renamed, changed.

The dates default to one year before the as-of date and the as-of date, and
follow it until the user picks dates of their own. One tab per kind of change,
each with its count; double-clicking a row selects the unit. The comparison
(about 0.6 s on a 100k-unit register) and the table rows are computed on a
worker thread, so moving the date with this panel in front never freezes the
window; only the newest pair of dates is shown.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer.changes import changes as compute_changes
from ui.app_state import AppState
from ui.formatting import format_date
from ui.i18n import number, tr
from ui.tasks import TaskRunner, TaskState
from ui.unit_labels import field_label, unit_name
from ui.widgets.date_field import DateField
from ui.widgets.error_dialog import show_internal_error
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

log = logging.getLogger(__name__)

KINDS = ("created", "closed", "moved", "renamed", "changed")
KIND_LABELS = {
    "created": ("Oprettet", "Created"),
    "closed": ("Lukket", "Closed"),
    "moved": ("Flyttet", "Moved"),
    "renamed": ("Omdøbt", "Renamed"),
    "changed": ("Ændret", "Changed"),
}


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class ChangesPanel(LazyPanel):
    """Units created, closed, moved, renamed or changed between two dates."""

    titles = ("Ændringer", "Changes")
    follows_selection = False

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._user_dates = False
        self._result: dict[str, list[dict[str, Any]]] | None = None
        self._key: tuple[dt.date, dt.date, str] | None = None  # what the tables show
        #: the comparison runs here; only the newest pair of dates counts
        self.job = TaskRunner(self, latest_only=True)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)

        # each field reads the whole date typed (a QDateEdit edited it section by section
        # and kept the old year of "01-01-2020" typed over a selected date); any date is
        # compared as asked, also outside the file's range
        self.from_edit = DateField(year_before(state.as_of), self, state.language)
        self.to_edit = DateField(state.as_of, self, state.language)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_date_edited)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.compare)
        self.follow_button = QPushButton(self)
        self.follow_button.clicked.connect(self._on_follow_clicked)
        self.from_label = QLabel(self)
        self.to_label = QLabel(self)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)

        self.tabs = QTabWidget(self)
        self.views: dict[str, RecordsView] = {}
        for kind in KINDS:
            view = RecordsView(state)
            self.views[kind] = view
            self.tabs.addTab(view.frame, kind)

        bar = QHBoxLayout()
        bar.addWidget(self.from_label)
        bar.addWidget(self.from_edit)
        bar.addWidget(self.to_label)
        bar.addWidget(self.to_edit)
        bar.addWidget(self.follow_button)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.caption)
        lay.addWidget(self.tabs, 1)
        self._set_dates(year_before(state.as_of), state.as_of)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.from_label.setText(tr(lang, "Fra", "From"))
        self.to_label.setText(tr(lang, "til", "to"))
        self.from_edit.set_language(lang)
        self.to_edit.set_language(lang)
        for view in self.views.values():
            view.filter_edit.setPlaceholderText(
                tr(lang, "Filtrér på SOR-kode eller navn", "Filter by SOR id or name")
            )
        self.follow_button.setText(tr(lang, "Følg datoen", "Follow the date"))
        self.follow_button.setToolTip(
            tr(
                lang,
                "Sammenlign et år før den valgte dato med den valgte dato",
                "Compare one year before the as-of date with the as-of date",
            )
        )
        self._update_tab_titles()

    def register_changed(self) -> None:
        self._result = None
        self._key = None

    # --- dates -----------------------------------------------------------------------

    def dates(self) -> tuple[dt.date, dt.date]:
        return self.from_edit.date(), self.to_edit.date()

    def _set_dates(self, d1: dt.date, d2: dt.date) -> None:
        self.from_edit.set_date(d1)
        self.to_edit.set_date(d2)

    def set_dates(self, d1: dt.date, d2: dt.date) -> None:
        """Compare these dates (the user's choice: they stop following the as-of date)."""
        self._user_dates = True
        self._set_dates(d1, d2)
        self.compare()

    def _on_date_edited(self, _day: dt.date) -> None:
        self._user_dates = True
        self._debounce.start()

    def _on_follow_clicked(self) -> None:
        self._user_dates = False
        self.mark_stale()

    # --- compute -------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._user_dates:
            self._set_dates(year_before(self.state.as_of), self.state.as_of)
        self.compare()

    def compare(self) -> None:
        """Compare the two dates on a worker thread, then fill the tabs (newest dates win)."""
        self._debounce.stop()
        reg, lang = self.state.register, self.lang
        if reg is None:
            self.job.cancel()
            self._key = None
            self.caption.setText(self.select_hint())
            self._fill({k: ([], []) for k in KINDS})
            return
        d1, d2 = self.dates()
        key = (d1, d2, lang)
        if key == self._key:
            self.job.cancel()
            return
        # make both snapshots here: the worker then only reads the register's cache
        reg.snapshot(d1)
        reg.snapshot(d2)
        self.caption.setText(
            tr(
                lang,
                f"Sammenligner {format_date(d1)} med {format_date(d2)} …",
                f"Comparing {format_date(d1)} with {format_date(d2)} …",
            )
        )
        self.job.request(key, partial(compare_records, reg, d1, d2, lang))

    def _on_job_finished(self, key: Any, result: Any) -> None:
        d1, d2, lang = key
        self._key = key
        self._result = {k: items for k, (_rows, items) in result.items()}
        total = sum(len(v) for v in self._result.values())
        self.caption.setText(
            tr(
                lang,
                f"{number(total, lang)} {'ændring' if total == 1 else 'ændringer'} fra "
                f"{format_date(d1)} til {format_date(d2)}",
                f"{number(total, lang)} {'change' if total == 1 else 'changes'} from "
                f"{format_date(d1)} to {format_date(d2)}",
            )
        )
        self._fill(result)

    def _on_job_failed(self, _key: Any, exc: BaseException) -> None:
        lang = self.lang
        self.caption.setText(
            tr(
                lang,
                "Sammenligningen stoppede på grund af en fejl i programmet.",
                "The comparison stopped because of an error in the program.",
            )
        )
        show_internal_error(
            self, lang, tr(lang, "sammenlignede to datoer", "comparing two dates"), exc
        )

    def wait(self) -> None:
        """Block until the comparison asked for has been shown (tests, scripts)."""
        self.job.wait_done()

    def _fill(self, result: dict[str, tuple[list[tuple[Any, ...]], Any]]) -> None:
        lang = self.lang
        sor_id = tr(lang, "SOR-kode", "SOR id")
        name = tr(lang, "Navn", "Name")
        headers = {
            "created": (("sor_id", "name"), (sor_id, name)),
            "closed": (("sor_id", "name"), (sor_id, name)),
            "moved": (
                ("sor_id", "name", "from_parent", "from_name", "to_parent", "to_name"),
                # the parents' ids and names: each header says which it is
                (
                    sor_id,
                    name,
                    tr(lang, "Fra (SOR-kode)", "From (SOR id)"),
                    tr(lang, "Fra (overordnet)", "From (parent)"),
                    tr(lang, "Til (SOR-kode)", "To (SOR id)"),
                    tr(lang, "Til (overordnet)", "To (parent)"),
                ),
            ),
            "renamed": (
                ("sor_id", "old_name", "name"),
                (sor_id, tr(lang, "Gammelt navn", "Old name"), tr(lang, "Nyt navn", "New name")),
            ),
            "changed": (
                ("sor_id", "name", "columns"),
                (sor_id, name, tr(lang, "Ændrede felter", "Changed fields")),
            ),
        }
        for kind in KINDS:
            keys, labels = headers[kind]
            view = self.views[kind]
            view.set_records(keys, labels, result.get(kind, ([], []))[0])
            view.resizeColumnToContents(0)
            if len(keys) > 2:
                view.resizeColumnToContents(1)
                view.setColumnWidth(1, min(view.columnWidth(1), 240))
            view.fit_id_columns()  # the parents' ids of the moved tab too
        self._update_tab_titles()

    def _update_tab_titles(self) -> None:
        i = 0 if self.lang == "da" else 1
        for n, kind in enumerate(KINDS):
            count = self.views[kind].records.rowCount()
            self.tabs.setTabText(n, f"{KIND_LABELS[kind][i]} ({count})")


def compare_records(
    reg: Any, d1: dt.date, d2: dt.date, lang: str, state: TaskState
) -> dict[str, tuple[list[tuple[Any, ...]], list[dict[str, Any]]]]:
    """Per kind of change: the table rows and the raw items (a task: runs on a worker,
    touches no Qt object)."""
    doc = compute_changes(reg, d1, d2)
    state.check()
    out: dict[str, tuple[list[tuple[Any, ...]], list[dict[str, Any]]]] = {}
    for kind in ("created", "closed"):
        items = doc.get(kind, [])
        out[kind] = ([(r["sor_id"], r["name"]) for r in items], items)
    items = doc.get("moved", [])
    out["moved"] = (
        [
            (
                r["sor_id"],
                r["name"],
                r.get("from_parent"),
                unit_name(reg, r.get("from_parent"), d1),
                r.get("to_parent"),
                unit_name(reg, r.get("to_parent"), d2),
            )
            for r in items
        ],
        items,
    )
    items = doc.get("renamed", [])
    out["renamed"] = ([(r["sor_id"], r.get("old_name"), r["name"]) for r in items], items)
    items = doc.get("changed", [])
    out["changed"] = (
        [
            (r["sor_id"], r["name"], ", ".join(field_label(c, lang) for c in r["columns"]))
            for r in items
        ],
        items,
    )
    return out
