"""The as-of date scrubber: a date field, a slider, two shortcuts and a small plot.

The plot shows how many units were active month by month (counted with numpy from
each unit's first and last valid day) with a vertical line that can be dragged.
Every control feeds one debounced timer, so scrubbing asks the rest of the window
to redraw at most every ~100 ms; the timer calls `AppState.set_as_of`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from sorviewer.dates import MIN_DAY, from_day, to_day
from ui.app_state import AppState

DEBOUNCE_MS = 100
#: the slider never runs further back than this (bad dates in a file must not stretch it)
EARLIEST = dt.date(1900, 1, 1)

_TEXT = {
    "da": {"date": "Dato:", "today": "I dag", "snapshot": "Udtræksdato", "plot": "Aktive enheder"},
    "en": {"date": "Date:", "today": "Today", "snapshot": "Snapshot date", "plot": "Active units"},
}


def active_per_month(
    first_day: np.ndarray, last_day: np.ndarray, lo: dt.date, hi: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """(first day of each month from lo to hi as day numbers, units active on that day)."""
    months = np.arange(np.datetime64(lo, "M"), np.datetime64(hi, "M") + 1)
    days = months.astype("datetime64[D]").astype(np.int64)
    starts = np.sort(first_day.astype(np.int64))
    ends = np.sort(last_day.astype(np.int64))
    started = np.searchsorted(starts, days, side="right")
    ended = np.searchsorted(ends, days, side="left")
    return days, started - ended


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class DateBar(QWidget):
    """Date edit + slider + Today / Snapshot date + active-units plot; see module doc."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DateBar")
        self.state = state
        self.lo = EARLIEST
        self.hi = dt.date.today()
        self.snapshot_date: dt.date | None = None
        self._pending: dt.date | None = None
        self._plot: Any = None
        self._line: Any = None
        self._curve: Any = None

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

        self.label = QLabel()
        self.edit = QDateEdit()
        self.edit.setObjectName("AsOfEdit")
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.dateChanged.connect(self._on_edit_changed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("AsOfSlider")
        self.slider.setPageStep(30)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.today_button = QPushButton()
        self.today_button.clicked.connect(self._on_today_clicked)
        self.snapshot_button = QPushButton()
        self.snapshot_button.clicked.connect(self._on_snapshot_clicked)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.edit)
        row.addWidget(self.slider, 1)
        row.addWidget(self.today_button)
        row.addWidget(self.snapshot_button)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 2)
        self._layout.setSpacing(2)
        self._layout.addLayout(row)

        state.register_changed.connect(self._on_state_register_changed)
        state.as_of_changed.connect(self._on_state_as_of_changed)
        state.language_changed.connect(self._on_state_language_changed)
        self._on_state_language_changed(state.language)
        self._on_state_register_changed(state.register)

    # --- public -----------------------------------------------------------------------

    def request(self, day: dt.date) -> None:
        """Ask for `day` (clamped to the range); applied after the debounce interval."""
        day = min(max(day, self.lo), self.hi)
        self._pending = day
        self._show(day)
        self._timer.start()

    def flush(self) -> None:
        """Apply a pending request now (tests, and Enter in the date field)."""
        if self._timer.isActive():
            self._timer.stop()
            self._on_timer_timeout()

    def ensure_plot(self) -> Any:
        """Create the pyqtgraph plot (imported here: it is slow to import)."""
        if self._plot is None:
            import pyqtgraph as pg

            pg.setConfigOptions(antialias=True, background="w", foreground="#444")
            axis = pg.DateAxisItem(orientation="bottom")
            plot = pg.PlotWidget(axisItems={"bottom": axis})
            plot.setObjectName("ActivePlot")
            plot.setFixedHeight(92)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getPlotItem().getAxis("left").setWidth(48)
            plot.getPlotItem().setContentsMargins(0, 0, 4, 0)
            self._curve = plot.plot(
                [], [], pen=pg.mkPen("#2f6f9f", width=1.5), fillLevel=0, brush=(47, 111, 159, 60)
            )
            line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#c0392b", width=2))
            line.setHoverPen(pg.mkPen("#e74c3c", width=3))
            line.sigPositionChanged.connect(self._on_line_moved)
            plot.addItem(line)
            self._line = line
            self._plot = plot
            self._layout.addWidget(plot)
        return self._plot

    # --- slots ------------------------------------------------------------------------

    def _on_state_register_changed(self, reg: Any) -> None:
        today = dt.date.today()
        self.snapshot_date = None
        if reg is None:
            self.lo, self.hi = EARLIEST, today
            self.setEnabled(False)
        else:
            lo, hi = reg.date_range()
            self.snapshot_date = reg.source.snapshot_date
            lo = max(lo or today, EARLIEST)
            hi = max(hi or today, today, lo)
            self.lo, self.hi = min(lo, today), hi
            self.setEnabled(True)
        self.snapshot_button.setEnabled(self.snapshot_date is not None)
        self.edit.blockSignals(True)
        self.edit.setDateRange(_qdate(self.lo), _qdate(self.hi))
        self.edit.blockSignals(False)
        self.slider.blockSignals(True)
        self.slider.setRange(to_day(self.lo), to_day(self.hi))
        self.slider.blockSignals(False)
        if reg is not None:
            self._draw_counts(reg)
        self._show(self.state.as_of)

    def _draw_counts(self, reg: Any) -> None:
        self.ensure_plot()
        first = np.where(reg.first_day == MIN_DAY, to_day(self.lo), reg.first_day)
        last = reg.last_day
        days, counts = active_per_month(first, last, self.lo, self.hi)
        self._curve.setData(days.astype(float) * 86400.0, counts.astype(float))
        self._plot.setXRange(to_day(self.lo) * 86400.0, to_day(self.hi) * 86400.0, padding=0.01)
        self._plot.setYRange(0, max(1, int(counts.max(initial=0))) * 1.12, padding=0)
        self._line.setBounds((to_day(self.lo) * 86400.0, to_day(self.hi) * 86400.0))

    def _on_state_as_of_changed(self, day: dt.date) -> None:
        if not self._timer.isActive():
            self._show(day)

    def _on_state_language_changed(self, lang: str) -> None:
        text = _TEXT.get(lang, _TEXT["en"])
        self.label.setText(text["date"])
        self.today_button.setText(text["today"])
        self.snapshot_button.setText(text["snapshot"])
        if self.snapshot_date is not None:
            self.snapshot_button.setToolTip(self.snapshot_date.isoformat())

    def _on_edit_changed(self, q: QDate) -> None:
        self.request(_pydate(q))

    def _on_slider_changed(self, value: int) -> None:
        d = from_day(value)
        if d is not None:
            self.request(d)

    def _on_line_moved(self, line: Any) -> None:
        d = from_day(round(float(line.value()) / 86400.0))
        if d is not None:
            self.request(d)

    def _on_today_clicked(self) -> None:
        self.request(dt.date.today())
        self.flush()

    def _on_snapshot_clicked(self) -> None:
        if self.snapshot_date is not None:
            self.request(self.snapshot_date)
            self.flush()

    def _on_timer_timeout(self) -> None:
        if self._pending is not None:
            day, self._pending = self._pending, None
            self.state.set_as_of(day)

    # --- helpers ------------------------------------------------------------------------

    def _show(self, day: dt.date) -> None:
        """Put `day` into every control without feeding back into the timer."""
        for w in (self.edit, self.slider):
            w.blockSignals(True)
        self.edit.setDate(_qdate(day))
        self.slider.setValue(to_day(day))
        for w in (self.edit, self.slider):
            w.blockSignals(False)
        if self._line is not None:
            self._line.blockSignals(True)
            self._line.setValue(to_day(day) * 86400.0)
            self._line.blockSignals(False)
