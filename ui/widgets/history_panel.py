"""The selected unit's versions: when each was valid and what changed.

A table of versions (valid from, valid to, changed fields) with the one valid at
the as-of date highlighted; the selected version's values beside the previous
version's (old -> new); and a pyqtgraph timeline with a bar per version and a
line at the as-of date. Double-clicking a version, or clicking its bar, moves the
as-of date to the version's first day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import schema
from sorviewer.dates import MAX_DAY, MIN_DAY, from_day, to_day
from ui.app_state import AppState
from ui.widgets.table_view import LazyPanel, RecordsView, tr

VERSION_KEYS = ("n", "valid_from", "valid_to", "changed")
VALUE_KEYS = ("field", "column", "value", "previous")


def _year(day: dt.date) -> float:
    """A date as a fractional year: the timeline's x axis."""
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


class HistoryPanel(LazyPanel):
    """Versions of the selected unit, with values, differences and a timeline."""

    title = "History"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.hint = self.hint_label()
        self._unit = ""
        self._rows: list[int] = []  # register rows of the versions, oldest first
        self._history: list[dict[str, Any]] = []
        self._selected = -1
        self._day = 0
        self.plot: Any = None  # pyqtgraph PlotWidget, made on first use
        self._bars: Any = None
        self._marker: Any = None

        self.caption = QLabel(self)
        self.versions = RecordsView(state, filterable=False)
        self.versions.setSortingEnabled(False)
        self.versions.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.versions.selectionModel().currentRowChanged.connect(self._on_version_current)
        self.versions.row_activated.connect(self._on_version_activated)
        self.only_changes = QCheckBox(self)
        self.only_changes.toggled.connect(self._on_only_changes_toggled)
        self.values = RecordsView(state, placeholder="Filter")

        self.timeline_box = QWidget(self)
        self.timeline_box.setMinimumHeight(90)
        self._timeline_layout = QVBoxLayout(self.timeline_box)
        self._timeline_layout.setContentsMargins(0, 0, 0, 0)

        values_box = QWidget(self)
        vlay = QVBoxLayout(values_box)
        vlay.setContentsMargins(0, 0, 0, 0)
        vlay.addWidget(self.only_changes)
        vlay.addWidget(self.values.frame)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.timeline_box)
        split.addWidget(self.versions.frame)
        split.addWidget(values_box)
        split.setSizes([100, 160, 300])

        content = QWidget(self)
        lay = QVBoxLayout(content)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(split, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.only_changes.setText(tr(lang, "Kun ændrede felter", "Changed fields only"))
        self.values.filter_edit.setPlaceholderText(tr(lang, "Filtrér felter", "Filter fields"))

    def register_changed(self) -> None:
        self._unit = ""

    # --- refresh -----------------------------------------------------------------

    def refresh(self) -> None:
        reg, sid = self.state.register, self.state.current
        e = reg.entity_index(sid) if reg is not None and sid else -1
        if reg is None or e < 0:
            self._unit = ""
            self.hint.setText(self.select_hint())
            self.stack.setCurrentWidget(self.hint)
            return
        self.stack.setCurrentIndex(1)
        lang = self.lang
        new_unit = sid != self._unit
        if new_unit:
            self._unit = sid
            self._rows = list(reg.rows_of(e))
            self._history = reg.history(sid)
        day = to_day(self.state.as_of)
        current = self.version_at(day)
        rows = [
            (
                i + 1,
                h["valid_from"],
                h["valid_to"],
                ", ".join(schema.label(c, lang) for c in h["changed"]),
            )
            for i, h in enumerate(self._history)
        ]
        labels = [
            "#",
            tr(lang, "Gyldig fra", "Valid from"),
            tr(lang, "Gyldig til", "Valid to"),
            tr(lang, "Ændrede felter", "Changed fields"),
        ]
        # the chosen version stays on a relabel; a new unit or date shows the current one
        keep = self._selected if not new_unit and self._day == day else -1
        self._day = day
        self.versions.set_records(
            VERSION_KEYS, labels, rows, id_key=None, highlight=[current] if current >= 0 else []
        )
        self.versions.resizeColumnsToContents()
        name = reg.value(self._rows[-1], "EntityName") or "?"
        n = len(self._rows)
        self.caption.setText(
            f"<b>{name}</b> ({sid}) – "
            + tr(lang, f"{n} version{'er' if n != 1 else ''}", f"{n} version{'s' * (n != 1)}")
        )
        pick = keep if 0 <= keep < n else (current if current >= 0 else n - 1)
        self._selected = -1
        self.versions.select_source_row(pick)
        if self._selected != pick:  # no currentRowChanged when the index did not move
            self.show_version(pick)
        self._draw_timeline(current)

    def version_at(self, day: int) -> int:
        """Index of the version valid on `day` (the later one where they overlap), or -1."""
        reg = self.state.register
        if reg is None:
            return -1
        hit = -1
        for i, r in enumerate(self._rows):
            if reg.from_day[r] <= day <= reg.to_day[r]:
                hit = i
        return hit

    # --- one version ----------------------------------------------------------------

    def show_version(self, i: int) -> None:
        """Show version `i`'s values beside the previous version's."""
        reg = self.state.register
        if reg is None or not 0 <= i < len(self._rows):
            return
        self._selected = i
        lang = self.lang
        cur = reg.row_dict(self._rows[i])
        prev = reg.row_dict(self._rows[i - 1]) if i > 0 else {}
        changed = set(self._history[i]["changed"])
        only = self.only_changes.isChecked()
        records = []
        highlight = []
        for col, value in cur.items():
            if col.startswith("__"):
                continue
            before = prev.get(col)
            if col in changed:
                highlight.append(len(records))
            elif only or value in (None, ""):
                continue
            records.append(
                (schema.label(col, lang), col, value, before if col in changed else None)
            )
        labels = [
            tr(lang, "Felt", "Field"),
            tr(lang, "Kolonne", "Column"),
            tr(lang, "Værdi", "Value"),
            tr(lang, "Før (forrige version)", "Before (previous version)"),
        ]
        self.values.set_records(VALUE_KEYS, labels, records, id_key=None, highlight=highlight)
        self.values.resizeColumnToContents(0)
        self.values.setColumnWidth(1, min(self.values.columnWidth(1), 160))
        self.values.resizeColumnToContents(2)
        self.values.setColumnWidth(2, min(self.values.columnWidth(2), 260))

    def changes(self, i: int) -> list[tuple[str, str | None, str | None]]:
        """(column, old, new) for every column version `i` changed."""
        reg = self.state.register
        if reg is None or not 0 < i < len(self._rows):
            return []
        cur = reg.row_dict(self._rows[i])
        prev = reg.row_dict(self._rows[i - 1])
        return [(c, prev.get(c), cur.get(c)) for c in self._history[i]["changed"]]

    def _on_version_current(self, current: Any, _previous: Any) -> None:
        if current.isValid():
            self.show_version(self.versions.source_row(current))

    def _on_only_changes_toggled(self, _on: bool) -> None:
        self.show_version(self._selected)

    def _on_version_activated(self, row: int) -> None:
        self.go_to_version(row)

    def go_to_version(self, i: int) -> None:
        """Move the as-of date to the first day of version `i`."""
        reg = self.state.register
        if reg is None or not 0 <= i < len(self._rows):
            return
        start = int(reg.from_day[self._rows[i]])
        day = from_day(start) if start != MIN_DAY else None
        if day is not None:
            self._selected = i
            self.state.set_as_of(day)

    # --- timeline -------------------------------------------------------------------

    def _ensure_plot(self) -> Any:
        if self.plot is None:
            import pyqtgraph as pg  # lazy: only when a history is first drawn

            self.plot = pg.PlotWidget(background="w")
            self.plot.setMenuEnabled(False)
            self.plot.hideButtons()
            self.plot.invertY(True)  # oldest on top, as in the table
            self.plot.setMouseEnabled(x=True, y=False)
            self.plot.getAxis("left").setTicks([[]])
            self.plot.showGrid(x=True, y=False, alpha=0.2)
            self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
            self._timeline_layout.addWidget(self.plot)
        return self.plot

    def _draw_timeline(self, current: int) -> None:
        reg = self.state.register
        if reg is None or not self._rows:
            return
        import pyqtgraph as pg

        plot = self._ensure_plot()
        plot.clear()
        as_of = _year(self.state.as_of)
        today = _year(dt.date.today())
        x0s, widths, ys, brushes = [], [], [], []
        lo = min(as_of, today)
        hi = max(as_of, today)
        for i, r in enumerate(self._rows):
            f, t = int(reg.from_day[r]), int(reg.to_day[r])
            start = _year(from_day(f)) if f != MIN_DAY else None  # type: ignore[arg-type]
            if start is None:
                first = int(reg.first_day[reg.row_entity[r]])
                start = _year(from_day(first)) if first != MIN_DAY else lo - 1  # type: ignore[arg-type]
            end = _year(from_day(t)) + 1 / 365.25 if t != MAX_DAY else hi + 1  # type: ignore[arg-type]
            lo, hi = min(lo, start), max(hi, end)
            x0s.append(start)
            widths.append(max(end - start, 1 / 365.25))
            ys.append(i)
            brushes.append(pg.mkBrush(230, 160, 40) if i == current else pg.mkBrush(120, 150, 200))
        self._bars = pg.BarGraphItem(
            x0=x0s, width=widths, y=ys, height=0.6, brushes=brushes, pen=pg.mkPen(60, 60, 60)
        )
        plot.addItem(self._bars)
        self._marker = pg.InfiniteLine(pos=as_of, angle=90, pen=pg.mkPen(200, 30, 30, width=2))
        plot.addItem(self._marker)
        plot.setXRange(lo - 0.5, hi + 0.5, padding=0)
        plot.setYRange(-0.6, len(self._rows) - 0.4, padding=0)

    def timeline_bars(self) -> list[tuple[float, float]]:
        """(start, end) in fractional years per drawn bar (for tests)."""
        if self._bars is None:
            return []
        opts = self._bars.opts
        return [(x, x + w) for x, w in zip(opts["x0"], opts["width"], strict=True)]

    def marker_position(self) -> float | None:
        return None if self._marker is None else float(self._marker.value())

    def _on_plot_clicked(self, ev: Any) -> None:
        if self.plot is None:
            return
        point = self.plot.getViewBox().mapSceneToView(ev.scenePos())
        i = round(point.y())
        if 0 <= i < len(self._rows) and abs(point.y() - i) <= 0.3:
            self.versions.select_source_row(i)
            self.go_to_version(i)
