"""What changed between two dates: created, closed, moved, renamed, changed.

The dates default to one year before the as-of date and the as-of date, and
follow it until the user picks dates of their own. One tab per kind of change,
each with its count; double-clicking a row selects the unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import schema
from ui.app_state import AppState
from ui.widgets.details_panel import unit_name
from ui.widgets.table_view import LazyPanel, RecordsView, tr

try:
    from sorviewer.changes import changes as compute_changes
except ImportError:  # pragma: no cover - the module lands separately
    compute_changes = None

KINDS = ("created", "closed", "moved", "renamed", "changed")
KIND_LABELS = {
    "created": ("Oprettet", "Created"),
    "closed": ("Lukket", "Closed"),
    "moved": ("Flyttet", "Moved"),
    "renamed": ("Omdøbt", "Renamed"),
    "changed": ("Ændret", "Changed"),
}


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class ChangesPanel(LazyPanel):
    """Units created, closed, moved, renamed or changed between two dates."""

    title = "Changes"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._user_dates = False
        self._result: dict[str, list[dict[str, Any]]] | None = None
        self._key: tuple[dt.date, dt.date] | None = None

        self.from_edit = QDateEdit(self)
        self.to_edit = QDateEdit(self)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(QDate(1900, 1, 1))
            edit.setMaximumDate(QDate(2199, 12, 31))
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
        return _pydate(self.from_edit.date()), _pydate(self.to_edit.date())

    def _set_dates(self, d1: dt.date, d2: dt.date) -> None:
        for edit, day in ((self.from_edit, d1), (self.to_edit, d2)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)

    def set_dates(self, d1: dt.date, d2: dt.date) -> None:
        """Compare these dates (the user's choice: they stop following the as-of date)."""
        self._user_dates = True
        self._set_dates(d1, d2)
        self.compare()

    def _on_date_edited(self, _q: QDate) -> None:
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
        """Compute (or reuse) the changes between the two dates and fill the tabs."""
        self._debounce.stop()
        reg, lang = self.state.register, self.lang
        if reg is None:
            self.caption.setText(self.select_hint())
            self._fill({k: [] for k in KINDS})
            return
        if compute_changes is None:
            self.caption.setText(tr(lang, "Ikke tilgængelig.", "Not available."))
            return
        d1, d2 = self.dates()
        if self._key != (d1, d2) or self._result is None:
            self._result = compute_changes(reg, d1, d2)
            self._key = (d1, d2)
        total = sum(len(v) for v in self._result.values())
        self.caption.setText(
            tr(
                lang,
                f"{total} ændringer fra {d1:%Y-%m-%d} til {d2:%Y-%m-%d}",
                f"{total} changes from {d1:%Y-%m-%d} to {d2:%Y-%m-%d}",
            )
        )
        self._fill(self._result)

    def _fill(self, doc: dict[str, list[dict[str, Any]]]) -> None:
        reg, lang = self.state.register, self.lang
        sor_id = tr(lang, "SOR-kode", "SOR id")
        name = tr(lang, "Navn", "Name")
        d2 = self.dates()[1]
        d1 = self.dates()[0]
        for kind in ("created", "closed"):
            rows = [(r["sor_id"], r["name"]) for r in doc.get(kind, [])]
            self.views[kind].set_records(("sor_id", "name"), (sor_id, name), rows)
        moved = [
            (
                r["sor_id"],
                r["name"],
                r.get("from_parent"),
                unit_name(reg, r.get("from_parent"), d1) if reg else None,
                r.get("to_parent"),
                unit_name(reg, r.get("to_parent"), d2) if reg else None,
            )
            for r in doc.get("moved", [])
        ]
        self.views["moved"].set_records(
            ("sor_id", "name", "from_parent", "from_name", "to_parent", "to_name"),
            (
                sor_id,
                name,
                tr(lang, "Fra overordnet", "From parent"),
                tr(lang, "Navn", "Name"),
                tr(lang, "Til overordnet", "To parent"),
                tr(lang, "Navn", "Name"),
            ),
            moved,
        )
        renamed = [(r["sor_id"], r.get("old_name"), r["name"]) for r in doc.get("renamed", [])]
        self.views["renamed"].set_records(
            ("sor_id", "old_name", "name"),
            (sor_id, tr(lang, "Gammelt navn", "Old name"), tr(lang, "Nyt navn", "New name")),
            renamed,
        )
        changed = [
            (r["sor_id"], r["name"], ", ".join(schema.label(c, lang) for c in r["columns"]))
            for r in doc.get("changed", [])
        ]
        self.views["changed"].set_records(
            ("sor_id", "name", "columns"),
            (sor_id, name, tr(lang, "Ændrede felter", "Changed fields")),
            changed,
        )
        for view in self.views.values():
            view.resizeColumnToContents(0)
        self._update_tab_titles()

    def _update_tab_titles(self) -> None:
        i = 0 if self.lang == "da" else 1
        for n, kind in enumerate(KINDS):
            count = self.views[kind].records.rowCount()
            self.tabs.setTabText(n, f"{KIND_LABELS[kind][i]} ({count})")
