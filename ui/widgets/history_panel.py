"""The selected unit's versions: when each was valid, what changed, and a diff of two.

A pyqtgraph timeline with a bar per version, name changes and parent moves
marked, a line at the as-of date, and the years the file cannot know shaded as on the
date bar's timeline (after a snapshot file's date); a table of versions (valid from, valid to,
changed fields) with the one valid at the as-of date highlighted; and a diff of
two chosen versions side by side with the differing fields highlighted.
Selecting a version (click, keyboard, or a click on its bar) moves the as-of date
to the version's first day; the diff then shows the version before it beside it (the
first version beside the second: a version against itself shows nothing changed).
Under the caption, the units the unit replaces or is replaced by, as links.
The timeline's background, axes and marks come from the palette (and are picked
again when it changes), so a dark system theme gets a dark timeline.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import schema
from sorviewer.dates import MAX_DAY, MIN_DAY, from_day, to_day
from sorviewer.records import HistoryEntry
from ui.app_state import AppState
from ui.colours import mix, readable
from ui.coverage import coverage
from ui.formatting import show_date
from ui.i18n import tr
from ui.unit_labels import field_label, replacement_html
from ui.widgets.labels import connect_link, set_link_text
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

VERSION_KEYS = ("n", "valid_from", "valid_to", "changed")
DIFF_KEYS = ("field", "a", "b", "column")

#: columns whose change is marked on the timeline: (column, symbol, colour, da, en)
MARKS = (
    ("EntityName", "t", "#c82828", "navn", "name"),
    ("ParentSorId", "s", "#1e781e", "flyttet", "moved"),
)
#: the line at the as-of date, and the bars of the versions (the one at the date apart);
#: mid-tones, made readable on the palette's base where they are not
DATE_LINE = "#c81e1e"
BAR = "#7896c8"
BAR_CURRENT = "#e6a028"


def timeline_colours(pal: QPalette) -> dict[str, QColor]:
    """The timeline's colours for a palette: background, axes, and every mark readable
    on the background (3:1, as for lines and symbols)."""
    base = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    out = {
        "background": base,
        "axis": text,
        "outline": mix(text, base, 0.35),  # the bars' edge: the text colour, softened
        "line": readable(DATE_LINE, base, 3.0),
        "bar": readable(BAR, base, 1.0),
        # the years the file does not know: the text colour a fifth of the way in, as the
        # date bar's timeline shades them
        "unknown": mix(base, text, 0.2),
        "current": readable(BAR_CURRENT, base, 1.0),
    }
    for col, _symbol, colour, _da, _en in MARKS:
        out[col] = readable(colour, base, 3.0)
    return out


def _year(day: dt.date) -> float:
    """A date as a fractional year: the timeline's x axis."""
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


class HistoryPanel(LazyPanel):
    """Versions of the selected unit, with a timeline and a diff of two versions."""

    titles = ("Historik", "History")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.hint = self.hint_label()
        self._unit = ""
        self._rows: list[int] = []  # register rows of the versions, oldest first
        self._history: list[HistoryEntry] = []
        self._selected = -1
        self._syncing = False  # True while the panel itself moves the table's selection
        self._filled_lang = ""  # the language the version table was filled in
        self._pair = (-1, -1)
        self.plot: Any = None  # pyqtgraph PlotWidget, made on first use
        self._bars: Any = None
        self._marker: Any = None
        self._marks: dict[str, list[int]] = {}
        #: the shaded spans of the timeline (fractional years), for tests
        self.unknown_spans: list[tuple[float, float]] = []

        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        #: "Erstattet af ..." / "Erstatter ...": links to the other units
        self.replacements = QLabel(self)
        self.replacements.setObjectName("Replacements")
        self.replacements.setWordWrap(True)
        self.replacements.setTextFormat(Qt.TextFormat.RichText)
        connect_link(self.replacements, state, reveal=True)
        self.replacements.hide()
        #: the version chosen last (unit, version, the day it moved the date to)
        self._chosen: tuple[str, int, dt.date] | None = None
        self.versions = RecordsView(state, filterable=False)
        self.versions.setSortingEnabled(False)
        self.versions.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.versions.selectionModel().currentRowChanged.connect(self._on_version_current)

        self.a_combo = QComboBox(self)
        self.b_combo = QComboBox(self)
        self.a_combo.currentIndexChanged.connect(self._on_pair_combo_changed)
        self.b_combo.currentIndexChanged.connect(self._on_pair_combo_changed)
        self.only_changes = QCheckBox(self)
        self.only_changes.setChecked(True)
        self.only_changes.toggled.connect(self._on_only_changes_toggled)
        self.diff_caption = QLabel(self)
        self.values = RecordsView(state, placeholder="Filter")

        self.timeline_box = QWidget(self)
        self.timeline_box.setMinimumHeight(90)
        self._timeline_layout = QVBoxLayout(self.timeline_box)
        self._timeline_layout.setContentsMargins(0, 0, 0, 0)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self._timeline_layout.addWidget(self.legend)

        diff_box = QWidget(self)
        vlay = QVBoxLayout(diff_box)
        vlay.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        self.a_title = QLabel(self)
        self.b_title = QLabel(self)
        pick.addWidget(self.a_title)
        pick.addWidget(self.a_combo, 1)
        pick.addWidget(self.b_title)
        pick.addWidget(self.b_combo, 1)
        vlay.addLayout(pick)
        row = QHBoxLayout()
        row.addWidget(self.only_changes)
        row.addStretch(1)
        row.addWidget(self.diff_caption)
        vlay.addLayout(row)
        vlay.addWidget(self.values.frame)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.timeline_box)
        split.addWidget(self.versions.frame)
        split.addWidget(diff_box)
        split.setSizes([120, 150, 300])

        content = QWidget(self)
        lay = QVBoxLayout(content)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.caption)
        lay.addWidget(self.replacements)
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
        self.only_changes.setText(tr(lang, "Kun forskelle", "Differences only"))
        self.values.filter_edit.setPlaceholderText(tr(lang, "Filtrér felter", "Filter fields"))
        self.a_title.setText(tr(lang, "Sammenlign", "Compare"))
        self.b_title.setText(tr(lang, "med", "with"))
        self._fill_legend()

    def _fill_legend(self) -> None:
        # the legend sits on the window colour, the marks on the plot's base: readable on both
        lang = self.lang
        window = self.palette().color(QPalette.ColorRole.Window)
        colours = timeline_colours(self.palette())

        def swatch(key: str, symbol: str) -> str:
            c = readable(colours[key], window, 3.0).name()
            return f"<span style='color:{c}'>{symbol}</span>"

        self.legend.setText(
            swatch("EntityName", "▲")
            + " "
            + tr(lang, "nyt navn", "renamed")
            + " &nbsp; "
            + swatch("ParentSorId", "■")
            + " "
            + tr(lang, "flyttet (ny overordnet)", "moved (new parent)")
            + " &nbsp; "
            + swatch("line", "|")
            + " "
            + tr(lang, "valgt dato", "chosen date")
            + (
                # the shade as drawn (like the date bar's legend), not made darker
                f" &nbsp; <span style='color:{colours['unknown'].name()}'>&#9632;</span> "
                + tr(lang, "ikke i filen", "not in the file")
                if self.unknown_spans
                else ""
            )
        )

    def palette_changed(self) -> None:
        self._fill_legend()
        self._apply_plot_palette()
        super().palette_changed()  # the refresh draws the timeline in the new colours

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
        same_table = sid == self._unit and lang == self._filled_lang
        if sid != self._unit:
            self._unit = sid
            self._rows = list(reg.rows_of(e))
            self._history = reg.history(sid)
        day = to_day(self.state.as_of)
        current = self.version_at(day)
        chosen = self._chosen
        if chosen is not None and chosen[0] == sid and chosen[2] == self.state.as_of:
            # the date is the chosen version's first day: keep that version even where
            # another one is valid the same day (overlapping versions in the file)
            current = chosen[1]
        self._fill_replacements(reg, sid)
        if same_table:
            # a date move within the same unit: only the highlighted version changes (no
            # model reset, which would also pull the rows from under a selection handler)
            self.versions.records.set_highlight([current] if current >= 0 else [])
            self._select_version(current if current >= 0 else len(self._rows) - 1)
            self._draw_timeline(current)
            return
        self._filled_lang = lang
        rows = [
            (
                i + 1,
                h["valid_from"],
                h["valid_to"],
                ", ".join(field_label(c, lang) for c in h["changed"]),
            )
            for i, h in enumerate(self._history)
        ]
        labels = [
            "#",
            tr(lang, "Gyldig fra", "Valid from"),
            tr(lang, "Gyldig til", "Valid to"),
            tr(lang, "Ændrede felter", "Changed fields"),
        ]
        self.versions.set_records(
            VERSION_KEYS, labels, rows, id_key=None, highlight=[current] if current >= 0 else []
        )
        self.versions.resizeColumnsToContents()
        self.versions.fit_id_columns()  # the bold row of the date: its dates whole too
        name = reg.value(self._rows[-1], "EntityName") or "?"
        n = len(self._rows)
        self.caption.setText(
            f"<b>{name}</b> ({sid}) – "
            + tr(lang, f"{n} version{'er' if n != 1 else ''}", f"{n} version{'s' * (n != 1)}")
            + tr(lang, " · vælg en version for at gå til den", " · select a version to go to it")
        )
        self._fill_combos()
        self._select_version(current if current >= 0 else n - 1)
        self._draw_timeline(current)

    def _select_version(self, pick: int) -> None:
        """Show version `pick` as the selected row and compare it with the one before."""
        self._syncing = True
        try:
            self.versions.select_source_row(pick)
        finally:
            self._syncing = False
        self._selected = pick
        self.set_pair(*self.pair_for(pick))

    def pair_for(self, pick: int) -> tuple[int, int]:
        """The comparison that says what version `pick` changed: the one before against
        it; for the first version, it against the second (what changed next); a unit
        with one version shows that version's values."""
        if pick > 0:
            return pick - 1, pick
        return (0, 1) if len(self._rows) > 1 else (pick, pick)

    def _fill_replacements(self, reg: Any, sid: str) -> None:
        """The units this one replaces and is replaced by, as links (hidden when none)."""
        from sorviewer.unit_view import replacements

        lang, day = self.lang, self.state.as_of
        by, of = replacements(reg, sid, day)
        parts = []
        if by:
            parts.append(
                replacement_html(reg, tr(lang, "Erstattet af", "Replaced by"), tuple(by), day, lang)
            )
        if of:
            parts.append(
                replacement_html(reg, tr(lang, "Erstatter", "Replaces"), tuple(of), day, lang)
            )
        set_link_text(self.replacements, "<br>".join(parts))
        self.replacements.setVisible(bool(parts))

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

    def _fill_combos(self) -> None:
        items = [
            f"#{i + 1} ({show_date(h['valid_from'] or '') or '…'})"
            for i, h in enumerate(self._history)
        ]
        for combo in (self.a_combo, self.b_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            combo.blockSignals(False)

    # --- the diff -------------------------------------------------------------------

    def set_pair(self, a: int, b: int) -> None:
        """Compare version `a` (left) with version `b` (right)."""
        for combo, i in ((self.a_combo, a), (self.b_combo, b)):
            combo.blockSignals(True)
            combo.setCurrentIndex(i)
            combo.blockSignals(False)
        self._pair = (a, b)
        self.show_diff()

    def _on_pair_combo_changed(self, _i: int) -> None:
        self._pair = (self.a_combo.currentIndex(), self.b_combo.currentIndex())
        self.show_diff()

    def _on_only_changes_toggled(self, _on: bool) -> None:
        self.show_diff()

    def diff(self, a: int, b: int) -> list[tuple[str, str | None, str | None]]:
        """(column, value in a, value in b) for every data column that differs."""
        reg = self.state.register
        n = len(self._rows)
        if reg is None or not (0 <= a < n and 0 <= b < n):
            return []
        va, vb = reg.row_dict(self._rows[a]), reg.row_dict(self._rows[b])
        cols = list(va) + [c for c in vb if c not in va]
        return [
            (c, va.get(c), vb.get(c))
            for c in cols
            if not c.startswith("__")
            and c not in schema.NON_DATA_COLUMNS
            and va.get(c) != vb.get(c)
        ]

    def show_diff(self) -> None:
        reg = self.state.register
        a, b = self._pair
        n = len(self._rows)
        lang = self.lang
        labels = [
            tr(lang, "Felt", "Field"),
            f"#{a + 1}" if 0 <= a < n else "A",
            f"#{b + 1}" if 0 <= b < n else "B",
            tr(lang, "Kolonne", "Column"),
        ]
        if reg is None or not (0 <= a < n and 0 <= b < n):
            self.values.set_records(DIFF_KEYS, labels, [], id_key=None)
            return
        va, vb = reg.row_dict(self._rows[a]), reg.row_dict(self._rows[b])
        differ = {c for c, _x, _y in self.diff(a, b)}
        only = self.only_changes.isChecked() and a != b  # one version: show its values
        records: list[tuple[str, str | None, str | None, str]] = []
        highlight: list[int] = []
        cols = list(va) + [c for c in vb if c not in va]
        for col in cols:
            if col.startswith("__"):
                continue
            x, y = va.get(col), vb.get(col)
            if col in differ:
                highlight.append(len(records))
            elif only or (x in (None, "") and y in (None, "")):
                continue
            records.append((field_label(col, lang), x, y, col))
        self.values.set_records(DIFF_KEYS, labels, records, id_key=None, highlight=highlight)
        self.diff_caption.setText(
            tr(lang, "samme version: alle felter", "the same version: every field")
            if a == b
            else tr(lang, f"{len(differ)} felter forskellige", f"{len(differ)} fields differ")
        )
        # the two versions side by side get equal room; the column name comes last
        self.values.resizeColumnToContents(0)
        first = min(self.values.columnWidth(0), 190)
        self.values.setColumnWidth(0, first)
        room = max(240, self.values.viewport().width() - first - 60)
        for c in (1, 2):
            self.values.resizeColumnToContents(c)
            self.values.setColumnWidth(c, max(90, min(self.values.columnWidth(c), room // 2)))
        self.values.fit_id_columns()  # a value that is an id is never cut by the halving

    def changes(self, i: int) -> list[tuple[str, str | None, str | None]]:
        """(column, old, new) for every column version `i` changed from the one before."""
        return self.diff(i - 1, i) if i > 0 else []

    # --- selecting a version ----------------------------------------------------------

    def _on_version_current(self, current: Any, _previous: Any) -> None:
        if self._syncing or not current.isValid():
            return
        # moved to the event loop: the date move refreshes every panel, this table too,
        # and that must not happen inside the selection model's own signal
        row = self.versions.source_row(current)
        # the panel as context: the call is dropped when the panel is gone; and it goes
        # only to the unit it was chosen for (a click in the tree may come first)
        QTimer.singleShot(0, self, functools.partial(self._go_to_version_of, self._unit, row))

    def _go_to_version_of(self, unit: str, i: int) -> None:
        if unit == self._unit:
            self.go_to_version(i)

    def go_to_version(self, i: int) -> None:
        """Move the as-of date to the first day of version `i`."""
        reg = self.state.register
        if reg is None or not 0 <= i < len(self._rows):
            return
        start = int(reg.from_day[self._rows[i]])
        if start == MIN_DAY:
            start = int(reg.first_day[reg.row_entity[self._rows[i]]])
        if start == MIN_DAY:
            self.set_pair(*self.pair_for(i))
            return
        day = from_day(start)
        if day is None:  # an open end: no first day to go to
            return
        self._selected = i
        self._chosen = (self._unit, i, day)
        if day == self.state.as_of:  # no date move to refresh on: compare here
            self._select_version(i)
        self.state.set_as_of(day)

    # --- timeline -------------------------------------------------------------------

    def _ensure_plot(self) -> Any:
        if self.plot is None:
            import pyqtgraph as pg  # lazy: only when a history is first drawn

            self.plot = pg.PlotWidget()
            self.plot.setMenuEnabled(False)
            self.plot.hideButtons()
            self.plot.invertY(True)  # oldest on top, as in the table
            self.plot.setMouseEnabled(x=True, y=False)
            self.plot.getAxis("left").setTicks([[]])
            self.plot.getAxis("left").setWidth(8)
            self.plot.showGrid(x=True, y=False, alpha=0.2)
            self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
            self._timeline_layout.insertWidget(0, self.plot, 1)
            self._apply_plot_palette()
        return self.plot

    def _apply_plot_palette(self) -> None:
        """The plot's background and axes from the palette."""
        if self.plot is None:
            return
        import pyqtgraph as pg

        colours = timeline_colours(self.palette())
        self.plot.setBackground(colours["background"])
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(colours["axis"]))
            axis.setTextPen(pg.mkPen(colours["axis"]))

    def plot_colours(self) -> dict[str, QColor]:
        """The colours the timeline is drawn in (for tests)."""
        return timeline_colours(self.palette())

    def _draw_timeline(self, current: int) -> None:
        reg = self.state.register
        if reg is None or not self._rows:
            return
        import pyqtgraph as pg

        plot = self._ensure_plot()
        plot.clear()
        colours = timeline_colours(self.palette())
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
            brushes.append(pg.mkBrush(colours["current" if i == current else "bar"]))
        self._bars = pg.BarGraphItem(
            x0=x0s,
            width=widths,
            y=ys,
            height=0.6,
            brushes=brushes,
            pen=pg.mkPen(colours["outline"]),
        )
        plot.addItem(self._bars)
        self._marks = {}
        for col, symbol, _colour, _da, _en in MARKS:
            hits = [i for i, h in enumerate(self._history) if col in h["changed"]]
            self._marks[col] = hits
            if hits:
                plot.addItem(
                    pg.ScatterPlotItem(
                        x=[x0s[i] for i in hits],
                        y=[i - 0.45 for i in hits],
                        symbol=symbol,
                        size=11,
                        brush=pg.mkBrush(colours[col]),
                        pen=pg.mkPen(colours["background"]),
                    )
                )
        self._marker = pg.InfiniteLine(pos=as_of, angle=90, pen=pg.mkPen(colours["line"], width=2))
        plot.addItem(self._marker)
        self._shade_unknown(reg, lo - 0.5, hi + 0.5, colours["unknown"])
        self._fill_legend()
        plot.setXRange(lo - 0.5, hi + 0.5, padding=0)
        plot.setYRange(-0.9, max(len(self._rows), 3) - 0.4, padding=0)

    def _shade_unknown(self, reg: Any, x0: float, x1: float, colour: QColor) -> None:
        """Shade the years the file cannot know, as the date bar's timeline does (after a
        snapshot file's date, before a history file's first data)."""
        import pyqtgraph as pg

        self.unknown_spans = []
        past, future = coverage(reg).shaded()
        spans = []
        if past is not None and _year(past) > x0:
            spans.append((x0, _year(past) + 1 / 365.25))
        if future is not None and _year(future) < x1:
            spans.append((_year(future), x1))
        for a, b in spans:
            region = pg.LinearRegionItem((a, b), movable=False, brush=pg.mkBrush(colour))
            for edge in region.lines:
                edge.setPen(pg.mkPen(None))
            self.plot.addItem(region)
            region.setZValue(self.plot.getViewBox().zValue() - 1)  # behind the bars
            self.unknown_spans.append((a, b))

    def timeline_bars(self) -> list[tuple[float, float]]:
        """(start, end) in fractional years per drawn bar (for tests)."""
        if self._bars is None:
            return []
        opts = self._bars.opts
        return [(x, x + w) for x, w in zip(opts["x0"], opts["width"], strict=True)]

    def timeline_marks(self) -> dict[str, list[int]]:
        """Versions marked on the timeline per column (EntityName, ParentSorId)."""
        return dict(self._marks)

    def marker_position(self) -> float | None:
        return None if self._marker is None else float(self._marker.value())

    def _on_plot_clicked(self, ev: Any) -> None:
        if self.plot is None:
            return
        point = self.plot.getViewBox().mapSceneToView(ev.scenePos())
        i = round(point.y())
        if 0 <= i < len(self._rows) and abs(point.y() - i) <= 0.3:
            self.go_to_version(i)
