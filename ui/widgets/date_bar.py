"""The as-of date bar: a date field, step buttons, Today/snapshot, and a timeline.

The date field shows the Danish form dd-mm-yyyy and reads the whole date typed in
any form `sorviewer.dates.parse_user_date` takes (d.m.yyyy, ddmmyyyy, yyyy-mm-dd, ...);
a calendar pops up from the button beside it. A date outside the range the bar covers
is shown as its nearest end, and the note beside the field says so. Step buttons move
by a day, a month or a year. The timeline (pyqtgraph, imported when a register
arrives because it is slow to import) has two plots sharing the time axis: units
active on the first of each month, and bars of units created, closed and changed
per month; both carry a draggable line and a click sets the date.

Dragging scrubs live: every position goes into `_pending`, and a single-shot timer
that is started but never restarted applies only the newest one, so the window
redraws at most every SCRUB_MS while the mouse moves and never queues stale dates.

The timeline shades the dates the file cannot know (`ui.coverage`: after a snapshot
file's date, before a history file's first data), with a legend entry saying so. It
takes no Tab stop (the date field, the step buttons and their shortcuts are the
keyboard's way), and the hint about a typed text that is not a date has a line of its
own under the buttons, so it is never cut off however narrow the window.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np
from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sorviewer.dates import MAX_DAY, MIN_DAY, from_day, parse_user_date, to_day
from ui.app_state import AppState
from ui.colours import mix
from ui.coverage import Coverage, coverage
from ui.formatting import format_date, to_qdate
from ui.widgets.date_field import ALERT_COLOUR, calendar_locale, calendar_popup, mark_bad_date

#: the newest dragged position is applied at most this often
SCRUB_MS = 40
#: the timeline never runs further back than this (bad dates in a file must not stretch it)
EARLIEST = dt.date(1900, 1, 1)
DAY_S = 86400.0

#: colours of the timeline: active units, and created / closed / changed per month
ACTIVE_COLOUR = "#3d7ab8"
BAR_COLOURS = {"created": "#4f9a4a", "closed": "#c0504d", "changed": "#d09a2c"}

_TEXT = {
    "da": {
        "date": "Dato:",
        "today": "I dag",
        "snapshot": "Udtræksdato",
        "calendar": "Vælg i kalender",
        "field_tip": "Skriv en dato som dd-mm-åååå (eller åååå-mm-dd) og tryk Enter",
        "bad": "Ikke en dato: skriv dd-mm-åååå, fx 01-06-2020 (Esc: tilbage)",
        "back": "Tilbage 1 {unit}",
        "forward": "Frem 1 {unit}",
        "year": "år",
        "month": "måned",
        "day": "dag",
        "y": "år",
        "m": "md",
        "d": "dag",
        "active": "aktive enheder",
        "created": "oprettet",
        "closed": "lukket",
        "changed": "ændret",
        "per_month": "pr. måned",
        "outside": "ikke i filen",
        "plot_tip": "Træk den røde linje, eller klik, for at vælge dato",
        "clamp_before": "{asked} er før det tidligste, der kan vises; viser {shown}",
        "clamp_after": "{asked} er efter det seneste, der kan vises; viser {shown}",
    },
    "en": {
        "date": "Date:",
        "today": "Today",
        "snapshot": "Snapshot date",
        "calendar": "Pick from a calendar",
        "field_tip": "Type a date as dd-mm-yyyy (or yyyy-mm-dd) and press Enter",
        "bad": "Not a date: type dd-mm-yyyy, e.g. 01-06-2020 (Esc: undo)",
        "back": "Back 1 {unit}",
        "forward": "Forward 1 {unit}",
        "year": "year",
        "month": "month",
        "day": "day",
        "y": "yr",
        "m": "mo",
        "d": "day",
        "active": "active units",
        "created": "created",
        "closed": "closed",
        "changed": "changed",
        "per_month": "per month",
        "outside": "not in the file",
        "plot_tip": "Drag the red line, or click, to choose the date",
        "clamp_before": "{asked} is before the earliest date shown; showing {shown}",
        "clamp_after": "{asked} is after the latest date shown; showing {shown}",
    },
}


def add_months(d: dt.date, months: int) -> dt.date:
    """`d` moved by whole months, the day clamped to the month's length (31 Jan + 1 = 28/29 Feb)."""
    year, m0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError("date out of range")
    return dt.date(year, m0 + 1, min(d.day, calendar.monthrange(year, m0 + 1)[1]))


def _month_days(lo: dt.date, hi: dt.date) -> np.ndarray:
    months = np.arange(np.datetime64(lo, "M"), np.datetime64(hi, "M") + 1)
    return months.astype("datetime64[D]").astype(np.int64)


def active_per_month(
    first_day: np.ndarray, last_day: np.ndarray, lo: dt.date, hi: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """(first day of each month from lo to hi as day numbers, units active on that day)."""
    days = _month_days(lo, hi)
    starts = np.sort(first_day.astype(np.int64))
    ends = np.sort(last_day.astype(np.int64))
    started = np.searchsorted(starts, days, side="right")
    ended = np.searchsorted(ends, days, side="left")
    return days, started - ended


def changes_per_month(
    first_day: np.ndarray,
    last_day: np.ndarray,
    from_day: np.ndarray,
    is_first_row: np.ndarray,
    lo: dt.date,
    hi: dt.date,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Units created, closed and changed in each month from lo to hi.

    created: the unit's first valid day falls in the month; closed: the day after its
    last valid day does; changed: a version other than the unit's first starts in it.
    Open ends (MIN_DAY / MAX_DAY) count nowhere. Pure numpy: one bincount per kind.
    """
    days = _month_days(lo, hi)
    n = len(days)
    month0 = np.datetime64(lo, "M")

    def count(day_numbers: np.ndarray) -> np.ndarray:
        d = day_numbers.astype(np.int64)
        d = d[(d != MIN_DAY) & (d != MAX_DAY) & (d != MAX_DAY + 1)]
        m = (d.astype("datetime64[D]").astype("datetime64[M]") - month0).astype(np.int64)
        m = m[(m >= 0) & (m < n)]
        return np.bincount(m, minlength=n)[:n]

    closed = last_day.astype(np.int64)
    closed = np.where(closed == MAX_DAY, MAX_DAY, closed + 1)
    later = from_day[~is_first_row.astype(bool)]
    return days, {"created": count(first_day), "closed": count(closed), "changed": count(later)}


def register_changes(
    reg: Any, lo: dt.date, hi: dt.date
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """`changes_per_month` over a Register's arrays."""
    first_row = np.zeros(len(reg.from_day), dtype=bool)
    first_row[reg.id_start[:-1][reg.id_start[:-1] < len(first_row)]] = True
    return changes_per_month(reg.first_day, reg.last_day, reg.from_day, first_row, lo, hi)


class DateBar(QWidget):
    """See the module docstring. `request(day)` is the one way in; the state is the way out."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DateBar")
        self.state = state
        self.lo = EARLIEST
        self.hi = dt.date.today()
        self.snapshot_date: dt.date | None = None
        #: what the file knows: the timeline shades the rest
        self.coverage = Coverage()
        #: per plot, the shaded regions before and after what the file knows
        self._shades: list[tuple[Any, Any]] = []
        self._pending: dt.date | None = None
        self._shown: dt.date = state.as_of
        self._plots: list[Any] = []
        self._lines: list[Any] = []
        self._curve: Any = None
        self._bars: dict[str, Any] = {}
        self._graph: Any = None
        self._lang = "da"
        #: the window's shortcut for each step button, said in its tooltip
        self.shortcut_hints: dict[tuple[str, int], str] = {}
        self._bad = False  # the field holds text that is not a date (kept until fixed)
        #: (date asked for, date shown) when a request fell outside the range
        self._clamped: tuple[dt.date, dt.date] | None = None

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SCRUB_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

        self.label = QLabel()
        self.edit = QLineEdit()
        self.edit.setObjectName("AsOfEdit")
        self.edit.setMaxLength(10)
        self.edit.setFixedWidth(self.fontMetrics().horizontalAdvance("00-00-00000") + 16)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.edit.returnPressed.connect(self._on_edit_return)
        self.edit.editingFinished.connect(self._on_edit_finished)
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.installEventFilter(self)  # Esc puts the current date back
        #: says what is wrong with a typed date, beside the buttons (a tooltip is unseen)
        self.bad_label = QLabel()
        self.bad_label.setObjectName("DateHint")
        self.bad_label.hide()
        #: says when a date asked for lay outside the range and another is shown
        self.clamp_label = QLabel()
        self.clamp_label.setObjectName("DateClampNote")
        self.clamp_label.hide()
        self.calendar, self.calendar_button, self.calendar_menu = calendar_popup(
            "CalendarButton", self._on_calendar_clicked, self._on_calendar_about_to_show
        )

        self.step_buttons: dict[tuple[str, int], QToolButton] = {}
        for unit in ("year", "month", "day"):
            for sign in (-1, 1):
                b = QToolButton()
                b.setObjectName(f"Step_{unit}_{'back' if sign < 0 else 'forward'}")
                b.setAutoRepeat(True)
                b.clicked.connect(lambda _c=False, u=unit, s=sign: self.step(u, s))
                self.step_buttons[(unit, sign)] = b
        self.today_button = QPushButton()
        self.today_button.setObjectName("TodayButton")
        self.today_button.clicked.connect(self._on_today_clicked)
        self.snapshot_button = QPushButton()
        self.snapshot_button.clicked.connect(self._on_snapshot_clicked)
        self.legend = QLabel()
        self.legend.setObjectName("TimelineLegend")
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.legend.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.label)
        for unit in ("year", "month", "day"):
            row.addWidget(self.step_buttons[(unit, -1)])
        row.addSpacing(2)
        row.addWidget(self.edit)
        row.addWidget(self.calendar_button)
        row.addSpacing(2)
        for unit in ("day", "month", "year"):
            row.addWidget(self.step_buttons[(unit, 1)])
        row.addSpacing(8)
        row.addWidget(self.today_button)
        row.addWidget(self.snapshot_button)
        row.addSpacing(8)
        row.addWidget(self.clamp_label)
        row.addStretch(1)
        self.bad_label.setWordWrap(True)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 2)
        self._layout.setSpacing(2)
        self._layout.addLayout(row)
        self._layout.addWidget(self.bad_label)

        state.register_changed.connect(self._on_state_register_changed)
        state.as_of_changed.connect(self._on_state_as_of_changed)
        state.language_changed.connect(self._on_state_language_changed)
        self._on_state_language_changed(state.language)
        self._on_state_register_changed(state.register)
        # the note about a date shown instead of the one asked for: a line of its own
        self.clamp_label.setWordWrap(True)
        self._layout.addWidget(self.clamp_label)

    # --- public -----------------------------------------------------------------------

    def request(self, day: dt.date) -> None:
        """Ask for `day` (clamped to the range, and then the note beside the field says
        so); the newest request wins within SCRUB_MS."""
        asked = day
        day = min(max(day, self.lo), self.hi)
        self._clamped = (asked, day) if asked != day else None
        self._show_clamp_note()
        self._pending = day
        self._show(day)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Apply a pending request now (tests, Enter in the date field, buttons)."""
        self._timer.stop()
        self._on_timer_timeout()

    def current(self) -> dt.date:
        """The date on display (a pending request, or the state's date)."""
        return self._pending or self.state.as_of

    def step(self, unit: str, sign: int) -> None:
        """Move by one day, month or year (sign -1 or 1) and apply at once."""
        d = self.current()
        try:
            if unit == "day":
                new = d + dt.timedelta(days=sign)
            else:
                new = add_months(d, sign * (12 if unit == "year" else 1))
        except (OverflowError, ValueError):
            return
        self.request(new)
        self.flush()

    def set_text(self, text: str) -> bool:
        """Apply a typed date (dd-mm-yyyy or ISO); False, with the field marked, when bad.

        A bad text stays in the field, marked red with the hint beside it, until it is
        fixed, Esc puts the current date back, or the date moves some other way."""
        try:
            day = parse_user_date(text)
        except ValueError:
            self._mark_bad(True)
            return False
        self._mark_bad(False)
        self.request(day)
        self.flush()
        return True

    def set_shortcut_hints(self, hints: dict[tuple[str, int], str]) -> None:
        """The shortcuts of the step buttons ((unit, sign) -> key text), for their tips."""
        self.shortcut_hints = dict(hints)
        self._on_state_language_changed(self._lang)

    def ensure_plot(self) -> Any:
        """Create the timeline (pyqtgraph is imported here: it is slow to import)."""
        if self._graph is not None:
            return self._graph
        import pyqtgraph as pg

        graph = pg.GraphicsLayoutWidget()
        graph.setObjectName("Timeline")
        # no Tab stop: it answers no keys (the date field and the step shortcuts do)
        graph.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        graph.setFixedHeight(128)
        graph.ci.layout.setContentsMargins(0, 0, 4, 0)
        graph.ci.layout.setSpacing(0)
        graph.setToolTip(_TEXT[self._lang]["plot_tip"])
        for i in range(2):
            axis = pg.DateAxisItem(orientation="bottom")
            plot = graph.addPlot(row=i, col=0, axisItems={"bottom": axis})
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(44)
            if i == 0:
                plot.getAxis("bottom").setStyle(showValues=False)
                plot.getAxis("bottom").setHeight(2)
            line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(ALERT_COLOUR, width=2))
            line.setHoverPen(pg.mkPen("#ff5a4a", width=3))
            line.sigPositionChanged.connect(self._on_line_moved)
            shades = []
            for _side in range(2):
                shade = pg.LinearRegionItem((0, 0), movable=False)
                for edge in shade.lines:
                    edge.setPen(pg.mkPen(None))
                    edge.setHoverPen(pg.mkPen(None))
                shade.hide()
                plot.addItem(shade)
                # behind the curve and the bars (addItem lifts an item above the view box:
                # the z-value is set after it)
                shade.setZValue(plot.getViewBox().zValue() - 1)
                shades.append(shade)
            self._shades.append((shades[0], shades[1]))
            plot.addItem(line)
            self._lines.append(line)
            self._plots.append(plot)
        graph.ci.layout.setRowStretchFactor(0, 3)
        graph.ci.layout.setRowStretchFactor(1, 2)
        self._plots[1].setXLink(self._plots[0])
        colour = pg.mkColor(ACTIVE_COLOUR)
        fill = pg.mkColor(ACTIVE_COLOUR)
        fill.setAlpha(70)
        self._curve = self._plots[0].plot(
            [], [], pen=pg.mkPen(colour, width=1.5), fillLevel=0, brush=fill
        )
        for kind, c in BAR_COLOURS.items():
            bars = pg.BarGraphItem(x=[], height=[], width=1, brush=pg.mkBrush(c), pen=None)
            self._plots[1].addItem(bars)
            self._bars[kind] = bars
        graph.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self._graph = graph
        self._apply_palette()
        self._layout.addWidget(graph)
        self._layout.addWidget(self.legend)
        self.legend.show()
        return graph

    # --- slots ------------------------------------------------------------------------

    def _on_state_register_changed(self, reg: Any) -> None:
        today = dt.date.today()
        self.snapshot_date = None
        self.coverage = Coverage()
        self._pending = None
        self._timer.stop()
        if reg is None:
            self.lo, self.hi = EARLIEST, today
            self.setEnabled(False)
        else:
            lo, hi = reg.date_range()
            self.snapshot_date = reg.source.snapshot_date
            self.coverage = coverage(reg)
            lo = max(lo or today, EARLIEST)
            hi = max(hi or today, today, lo)
            self.lo, self.hi = min(lo, today), hi
            self.setEnabled(True)
        self.snapshot_button.setEnabled(self.snapshot_date is not None)
        self.calendar.setDateRange(to_qdate(self.lo), to_qdate(self.hi))
        if reg is not None:
            self._draw(reg)
        self._clamped = None
        self._on_state_language_changed(self._lang)
        self._show(self.state.as_of)

    def _draw(self, reg: Any) -> None:
        self.ensure_plot()
        first = np.where(reg.first_day == MIN_DAY, to_day(self.lo), reg.first_day)
        days, counts = active_per_month(first, reg.last_day, self.lo, self.hi)
        x = days.astype(float) * DAY_S
        self._curve.setData(x, counts.astype(float))
        _days, kinds = register_changes(reg, self.lo, self.hi)
        base = np.zeros(len(days), dtype=float)
        width = 26 * DAY_S
        for kind in ("created", "closed", "changed"):
            h = kinds[kind].astype(float)
            self._bars[kind].setOpts(x=x + 15 * DAY_S, height=h, y0=base.copy(), width=width)
            base += h
        x0, x1 = to_day(self.lo) * DAY_S, to_day(self.hi) * DAY_S
        self._plots[0].setXRange(x0, x1, padding=0.01)
        self._plots[0].setYRange(0, max(1, int(counts.max(initial=0))) * 1.12, padding=0)
        self._plots[1].setYRange(0, max(1.0, float(base.max(initial=0))) * 1.1, padding=0)
        for line in self._lines:
            # clamping to the new bounds moves the line: that is not the user's request
            line.blockSignals(True)
            line.setBounds((x0, x1))
            line.blockSignals(False)
        self._draw_shades()

    def _draw_shades(self) -> None:
        """Shade the dates the file cannot know (before its first data, after a snapshot)."""
        past, future = self.coverage.shaded()
        x0, x1 = to_day(self.lo) * DAY_S, (to_day(self.hi) + 1) * DAY_S
        for before, after in self._shades:
            if past is not None and past >= self.lo:
                before.setRegion((x0, (to_day(past) + 1) * DAY_S))
                before.show()
            else:
                before.hide()
            if future is not None and future <= self.hi:
                after.setRegion((to_day(future) * DAY_S, x1))
                after.show()
            else:
                after.hide()

    def shaded_ranges(self) -> list[tuple[dt.date, dt.date]]:
        """The date ranges the timeline shades, first and last day (for tests)."""
        out: list[tuple[dt.date, dt.date]] = []
        if not self._shades:
            return out
        for shade in self._shades[0]:
            if shade.isVisible():
                a, b = shade.getRegion()
                first, last = from_day(round(a / DAY_S)), from_day(round(b / DAY_S) - 1)
                if first is not None and last is not None:
                    out.append((first, last))
        return out

    def _on_state_as_of_changed(self, day: dt.date) -> None:
        if self._pending is None:
            self._show(day)

    def _on_state_language_changed(self, lang: str) -> None:
        self._lang = lang if lang in _TEXT else "en"
        t = _TEXT[self._lang]
        self.label.setText(t["date"])
        self.today_button.setText(t["today"])
        self.snapshot_button.setText(t["snapshot"])
        tip = ""
        if self.snapshot_date is not None:
            tip = format_date(self.snapshot_date)
        self.snapshot_button.setToolTip(tip)
        self.edit.setPlaceholderText("dd-mm-åååå" if self._lang == "da" else "dd-mm-yyyy")
        self.edit.setToolTip(t["bad"] if self._bad else t["field_tip"])
        self.bad_label.setText(t["bad"])
        self._show_clamp_note()
        self.calendar_button.setToolTip(t["calendar"])
        self.calendar.setLocale(calendar_locale(self._lang))
        for (unit, sign), b in self.step_buttons.items():
            arrow = "◂" if sign < 0 else "▸"
            short = t[unit[0]]
            b.setText(f"{arrow}{short}" if sign < 0 else f"{short}{arrow}")
            tip = t["back" if sign < 0 else "forward"].format(unit=t[unit])
            hint = self.shortcut_hints.get((unit, sign))
            b.setToolTip(f"{tip} ({hint})" if hint else tip)
        swatch = '<span style="color:{c}">&#9632;</span> {w}'
        parts = [swatch.format(c=ACTIVE_COLOUR, w=t["active"])]
        parts += [swatch.format(c=BAR_COLOURS[k], w=t[k]) for k in ("created", "closed", "changed")]
        bars = "&nbsp;&nbsp;".join(parts[1:])
        text = f"{parts[0]} &nbsp;·&nbsp; {bars} <i>{t['per_month']}</i>"
        if self.shaded_ranges():  # only when the timeline shows a shaded stretch
            grey = self._shade_colour(self.palette()).name()
            text += f" &nbsp;·&nbsp; {swatch.format(c=grey, w=t['outside'])}"
        self.legend.setText(text)
        if self._graph is not None:
            self._graph.setToolTip(t["plot_tip"])

    def _on_edit_return(self) -> None:
        self.set_text(self.edit.text())

    def _on_edit_finished(self) -> None:
        # Enter or leaving the field: a date applies; anything else stays as typed, marked,
        # so the hint is seen (putting the old date back would hide what went wrong)
        text = self.edit.text().strip()
        if text == format_date(self.current()):
            self._mark_bad(False)
        else:
            self.set_text(text)

    def _on_edit_text_edited(self, text: str) -> None:
        # the mark goes as soon as the text is a date again; Enter applies it
        if self._bad:
            try:
                parse_user_date(text)
            except ValueError:
                return
            self._mark_bad(False)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if (
            obj is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.restore_field()
            return True
        return super().eventFilter(obj, event)

    def restore_field(self) -> None:
        """Put the current date back in the field and drop the bad-date mark (Esc)."""
        self._mark_bad(False)
        self.edit.setText(format_date(self.current()))

    def _on_calendar_about_to_show(self) -> None:
        self.calendar.setSelectedDate(to_qdate(self.current()))

    def _on_calendar_clicked(self, q: QDate) -> None:
        self.calendar_menu.close()
        self.request(dt.date(q.year(), q.month(), q.day()))
        self.flush()

    def _on_line_moved(self, line: Any) -> None:
        d = from_day(round(float(line.value()) / DAY_S))
        if d is not None:
            self.request(d)

    def _on_plot_clicked(self, event: Any) -> None:
        if not self._plots or event.button() != Qt.MouseButton.LeftButton:
            return
        for plot in self._plots:
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(event.scenePos()):
                x = vb.mapSceneToView(event.scenePos()).x()
                d = from_day(round(x / DAY_S))
                if d is not None:
                    self.request(d)
                    self.flush()
                return

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

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
            if self._bad:  # the red of the mark and the hint, for the new background
                self._mark_bad(True)

    # --- helpers ------------------------------------------------------------------------

    def _apply_palette(self) -> None:
        """Timeline colours from the palette, so a dark system theme gets a dark plot."""
        if self._graph is None:
            return
        import pyqtgraph as pg

        pal = self.palette()
        self._graph.setBackground(pal.color(QPalette.ColorRole.Base))
        fg = pal.color(QPalette.ColorRole.Text)
        shade = self._shade_colour(pal)  # opaque: drawn behind the curve and the bars
        for pair in self._shades:
            for region in pair:
                region.setBrush(pg.mkBrush(shade))
                region.setHoverBrush(pg.mkBrush(shade))
        for plot in self._plots:
            for name in ("left", "bottom"):
                ax = plot.getAxis(name)
                ax.setPen(pg.mkPen(fg))
                ax.setTextPen(pg.mkPen(fg))

    @staticmethod
    def _shade_colour(pal: QPalette) -> QColor:
        """The grey of the dates the file does not know: the text colour part-way to the
        plot's base (darker on a light plot, lighter on a dark one)."""
        base = pal.color(QPalette.ColorRole.Base)
        return mix(base, pal.color(QPalette.ColorRole.Text), 0.2)

    def _show_clamp_note(self) -> None:
        """The note beside the field when the date shown is not the one asked for."""
        if self._clamped is None:
            self.clamp_label.hide()
            return
        asked, shown = self._clamped
        key = "clamp_before" if asked < shown else "clamp_after"
        self.clamp_label.setText(
            _TEXT[self._lang][key].format(asked=format_date(asked), shown=format_date(shown))
        )
        self.clamp_label.show()

    def _mark_bad(self, bad: bool) -> None:
        self._bad = bad
        mark_bad_date(self.edit, self.bad_label, bad)
        t = _TEXT[self._lang]
        self.edit.setToolTip(t["bad"] if bad else t["field_tip"])

    def _show(self, day: dt.date) -> None:
        """Put `day` into the field and the lines without feeding back into the timer."""
        self._shown = day
        if not self.edit.hasFocus() or self.edit.text() != format_date(day):
            self.edit.setText(format_date(day))
            if self._bad:  # the date moved some other way: the typed text is gone
                self._mark_bad(False)
        for line in self._lines:
            line.blockSignals(True)
            line.setValue(to_day(day) * DAY_S)
            line.blockSignals(False)
