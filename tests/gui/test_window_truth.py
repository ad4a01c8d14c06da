"""Issue 13: every part of the window tells the same truth at every date, and works from
the keyboard and at 1024x700.

What a file knows (the snapshot boundary, a history file's first data) on the
timeline, in the bar over the tree and in the statuses; provenance badges against the
core on closed, future and active units at several dates; replacements as links;
closed and future units that look different, with a legend; ids never cut; focus,
links, shortcuts, panels and menu mnemonics from the keyboard; the layout at 1024x700;
the export dialog's memory.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QMenu,
    QStyle,
    QTabBar,
    QTableView,
    QTreeView,
    QWidget,
)

import sorviewer
from sorviewer import Register
from sorviewer.asof import statuses
from sorviewer.dates import to_day
from sorviewer.ids import make_sor_id
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport
from tests.unit import tiny
from ui import actions as act
from ui import settings as st
from ui.app_state import AppState
from ui.colours import contrast
from ui.coverage import Coverage, coverage
from ui.main_window import MainWindow
from ui.models.tree_model import TreeModel
from ui.widgets.details_panel import (
    COLUMN_ROLE,
    FROM_ROLE,
    GROUP_ROLE,
    STATE_ROLE,
    OverviewPanel,
)
from ui.widgets.history_panel import HistoryPanel

#: the offscreen platform says so when a window is shown or raised; not a failure
pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support"),
    pytest.mark.qt_log_ignore("propagateSizeHints"),
]

SNAP = dt.date(2016, 1, 1)
#: the real XML cuts, beside the repository (CI has them at ../shared/samples)
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
XML_CUT = SAMPLES / "sor_xml_v1_real.zip"


# --- registers ---------------------------------------------------------------------------


def _build(
    rows: list[dict[str, Any]],
    source: SourceInfo,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Register:
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables=tables or {},
        source=source,
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


def snapshot_register() -> Register:
    """The tiny register as a snapshot file would hand it over (no history)."""
    source = SourceInfo(
        path="sor.zip",
        format="sor-xml",
        format_version="1.0.0",
        snapshot_date=SNAP,
        has_history=False,
    )
    return _build([dict(r) for r in tiny.ROWS], source)


def late_data_register() -> Register:
    """The tiny register whose owner's first valid day (2005) is before any version row
    starts (2010): the file has no data before 2010."""
    rows = [dict(r) for r in tiny.ROWS]
    for r in rows:
        if r["SorId"] == tiny.IE:
            r["FirstFromDate"] = "2005-01-01"
    source = SourceInfo(path="Sor_complete.zip", format="sor2-zip", has_history=True)
    return _build(rows, source)


#: the tiny ids mapped to 18-digit ones (the longest SOR ids there are)
TINY_IDS = (tiny.IE, tiny.SI, tiny.OE1, tiny.OE2, tiny.OE3, tiny.IE2, tiny.FUT)
LONG = {sid: make_sor_id(98_765_430 + k) for k, sid in enumerate(TINY_IDS)}


def long_id_register() -> Register:
    """The tiny register with 18-digit ids, and OE2 (moved from SI to OE1 in 2020,
    closed mid-2022) replaced by OE3."""
    rows = [dict(r) for r in tiny.ROWS]
    for r in rows:
        for col in ("SorId", "ParentSorId"):
            if r.get(col):
                r[col] = LONG[r[col]]
    replaced = pd.DataFrame(
        {
            "ReplacedSorId": [LONG[tiny.OE2]],
            "ReplacedBySorId": [LONG[tiny.OE3]],
            "FromDate": ["2022-07-01"],
            "ToDate": [None],
        }
    ).astype("string[pyarrow]")
    source = SourceInfo(path="Sor_complete.zip", format="sor2-zip", has_history=True)
    return _build(rows, source, {"SORReplacedEntities": replaced})


def loader_of(reg: Register) -> Any:
    def load(_path: str, progress: Any, _cancelled: Any) -> Register:
        progress(1, 1)
        return reg

    return load


@pytest.fixture
def file(tmp_path: Path) -> str:
    p = tmp_path / "sor.zip"
    p.write_text("not read: the tests inject their loader\n", encoding="utf-8")
    return str(p)


def make_window(
    qtbot: Any,
    tmp_path: Path,
    reg: Register,
    size: tuple[int, int] = (1024, 700),
    panels: Any = None,
    ini: str = "w.ini",
) -> MainWindow:
    """A shown window (1024x700 unless told) whose loader hands over `reg`; with every
    real panel docked unless `panels` says otherwise."""
    win = MainWindow(
        settings=st.Settings(str(tmp_path / ini)), loader=loader_of(reg), panels=panels
    )
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5000)
    if panels is None:
        qtbot.waitUntil(lambda: len(win.docks) > 3, timeout=10000)
    return win


def open_file(qtbot: Any, win: MainWindow, path: str) -> None:
    with qtbot.waitSignal(win.load_task.finished, timeout=20000):
        assert win.open_path(path)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.workspace, timeout=5000)


def dock(win: MainWindow, cls_name: str) -> Any:
    return next(d for d in win.docks if d.objectName() == f"dock_{cls_name}")


def popup_menu(qtbot: Any) -> QMenu:
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3000)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    return menu


def close_popups() -> None:
    while (w := QApplication.activePopupWidget()) is not None:
        w.close()


def dark_palette() -> QPalette:
    pal = QPalette(QGuiApplication.palette())
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2d30"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1f22"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
    ):
        pal.setColor(role, QColor(colour))
    return pal


@pytest.fixture
def light_then_dark(qapp: Any) -> Iterator[list[QPalette]]:
    """The application palette as it is, then a dark one (put back afterwards)."""
    before = QPalette(qapp.palette())
    yield [before, dark_palette()]
    qapp.setPalette(before)


# --- what the file knows ------------------------------------------------------------------


def test_coverage_of_a_snapshot_and_of_a_history_file() -> None:
    snap = coverage(snapshot_register())
    assert snap == Coverage(snapshot=SNAP)
    assert snap.side(SNAP) == "" and snap.side(SNAP + dt.timedelta(days=1)) == "after"
    assert snap.side(dt.date(2012, 1, 1)) == "before"
    assert snap.unknown(dt.date(2020, 1, 1)) and not snap.unknown(dt.date(2012, 1, 1))
    assert snap.shaded() == (None, dt.date(2016, 1, 2))
    assert snap.notice(dt.date(2020, 1, 1), "da") == (
        "Udtrækket viser registret den 01-01-2016; senere ændringer er ikke i filen"
    )
    assert snap.notice(dt.date(2020, 1, 1), "en") == (
        "The download shows the register on 01-01-2016; later changes are not in the file"
    )
    assert "tidligere versioner er ikke i filen" in snap.notice(dt.date(2012, 1, 1), "da")
    assert snap.notice(SNAP, "da") == "" and snap.bound(dt.date(2020, 1, 1)) == SNAP

    late = coverage(late_data_register())
    assert late == Coverage(first=dt.date(2010, 1, 1))
    assert late.side(dt.date(2009, 12, 31)) == "before" and late.side(dt.date(2030, 1, 1)) == ""
    assert late.unknown(dt.date(2007, 1, 1))
    assert late.shaded() == (dt.date(2009, 12, 31), None)
    assert late.notice(dt.date(2007, 1, 1), "da") == (
        "Filen har data fra den 01-01-2010; registret før den dato er ikke i filen"
    )
    # a history file whose rows start when its units do knows every date it shows
    assert coverage(tiny.tiny_register()).side(dt.date(1990, 1, 1)) == "before"
    assert coverage(tiny.tiny_register()).shaded()[1] is None


def test_a_snapshot_says_where_its_knowledge_ends(qtbot: Any, tmp_path: Path, file: str) -> None:
    win = make_window(qtbot, tmp_path, snapshot_register())
    open_file(qtbot, win, file)
    assert win.state.as_of == SNAP  # a snapshot opens at its date: nothing to say
    assert not win.coverage_bar.isVisible()
    bar = win.date_bar
    assert bar.shaded_ranges() == [(dt.date(2016, 1, 2), bar.hi)]
    assert "ikke i filen" in bar.legend.text()
    overview = win.panels["OverviewPanel"]
    win.reveal(tiny.OE1)

    win.state.set_as_of(dt.date(2020, 6, 1))
    # the unit's history shades the same years as the date bar
    win.bring_to_front(dock(win, "HistoryPanel"))
    history = win.panels["HistoryPanel"]
    qtbot.waitUntil(lambda: bool(history.unknown_spans), timeout=3000)
    assert history.unknown_spans[0][0] == pytest.approx(2016 + 1 / 365.25)
    assert "ikke i filen" in history.legend.text()
    win.bring_to_front(dock(win, "OverviewPanel"))
    assert win.coverage_bar.isVisible()
    assert win.coverage_bar.label.text() == (
        "Udtrækket viser registret den 01-01-2016; senere ændringer er ikke i filen"
    )
    assert win.coverage_bar.go_button.text() == "Gå til 01-01-2016"
    assert win.units_label.text().endswith("den 01-06-2020 ifølge udtrækket")
    # the statuses say the same: the tree's tooltip, the Overview's status
    tip = win.model.index_of_sor_id(tiny.OE1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Aktiv i udtrækket" in tip
    qtbot.waitUntil(lambda: "aktiv i udtrækket" in overview.header.text(), timeout=3000)
    # ... in the window's language
    win.action_map["lang_en"].trigger()
    assert win.coverage_bar.label.text() == (
        "The download shows the register on 01-01-2016; later changes are not in the file"
    )
    tip = win.model.index_of_sor_id(tiny.OE1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Active in the download" in tip
    qtbot.waitUntil(lambda: "active in the download" in overview.header.text(), timeout=3000)
    # back to the date the file knows: the bar goes, the status is plain again
    win.coverage_bar.go_button.click()
    assert win.state.as_of == SNAP and not win.coverage_bar.isVisible()
    tip = win.model.index_of_sor_id(tiny.OE1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Active" in tip and "download" not in tip
    # before the snapshot: the earlier versions are not in the file either
    win.state.set_as_of(dt.date(2012, 1, 1))
    assert win.coverage_bar.isVisible()
    assert "earlier versions are not in the file" in win.coverage_bar.label.text()


@pytest.mark.skipif(not XML_CUT.exists(), reason="the real XML cuts are not beside the repository")
def test_the_real_xml_cut_after_its_snapshot(qtbot: Any, tmp_path: Path) -> None:
    reg = sorviewer.load(str(XML_CUT))
    win = make_window(qtbot, tmp_path, reg, panels=())
    open_file(qtbot, win, str(XML_CUT))
    assert win.state.as_of == dt.date(2010, 1, 26) and not win.coverage_bar.isVisible()
    win.state.set_as_of(dt.date(2024, 5, 1))
    assert win.coverage_bar.label.text() == (
        "Udtrækket viser registret den 26-01-2010; senere ændringer er ikke i filen"
    )
    assert win.date_bar.shaded_ranges()[0][0] == dt.date(2010, 1, 27)
    e = int(np.nonzero(win.model.snapshot().active_mask)[0][0])
    tip = win.model.index_of_entity(e).data(Qt.ItemDataRole.ToolTipRole)
    assert "Aktiv i udtrækket" in tip


def test_a_history_file_before_its_first_data(qtbot: Any, tmp_path: Path, file: str) -> None:
    win = make_window(qtbot, tmp_path, late_data_register(), panels=())
    open_file(qtbot, win, file)
    bar = win.date_bar
    assert bar.lo == dt.date(2005, 1, 1)
    assert bar.shaded_ranges() == [(dt.date(2005, 1, 1), dt.date(2009, 12, 31))]
    win.state.set_as_of(dt.date(2007, 6, 1))
    assert win.coverage_bar.label.text() == (
        "Filen har data fra den 01-01-2010; registret før den dato er ikke i filen"
    )
    tip = win.model.index_of_sor_id(tiny.IE).data(Qt.ItemDataRole.ToolTipRole)
    assert "Aktiv før filens data" in tip
    win.coverage_bar.go_button.click()
    assert win.state.as_of == dt.date(2010, 1, 1) and not win.coverage_bar.isVisible()


# --- provenance in the Overview agrees with the core and with the values --------------------


def overview_groups(panel: OverviewPanel) -> dict[str, tuple[str, list[str]]]:
    """Per inheritable group shown: (the badge's state, the values of its field rows)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for g in range(panel.tree.topLevelItemCount()):
        item = panel.tree.topLevelItem(g)
        assert item is not None
        key, state = item.data(0, GROUP_ROLE), item.data(0, STATE_ROLE)
        if not state:
            continue
        values = [
            item.child(i).text(1)
            for i in range(item.childCount())
            if item.child(i).data(0, COLUMN_ROLE) is not None
        ]
        out[str(key)] = (str(state), values)
    return out


def sample_units(reg: Register, day: dt.date, per_status: int = 8) -> list[str]:
    """Up to `per_status` active, closed and future units at `day`, spread over the file."""
    ents = np.arange(len(reg.ids))
    status = statuses(reg, ents, to_day(day))
    out: list[str] = []
    for kind in ("active", "closed", "future"):
        pick = ents[status == kind]
        step = max(1, len(pick) // per_status)
        out += [str(reg.ids[e]) for e in pick[::step][:per_status]]
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Register:
    from sorviewer import synthetic

    path = tmp_path_factory.mktemp("gen") / "sor_1200.zip"
    synthetic.generate(path, entities=1200, seed=13)
    return sorviewer.load(str(path))


def registers_to_check(generated: Register) -> list[Register]:
    regs = [generated, long_id_register()]
    regs += [sorviewer.load(str(p)) for p in sorted(SAMPLES.glob("*.zip"))]
    return regs


def test_overview_badges_agree_with_the_core_for_closed_future_and_active_units(
    qtbot: Any, generated: Register
) -> None:
    """The badge is the core's provenance state, and it agrees with the values listed:
    a group said to be none lists no value (a closed unit never shows "none" above its
    own SHAK code); an own or inherited one lists at least one."""
    for reg in registers_to_check(generated):
        state = AppState()
        state.set_language("da")
        panel = OverviewPanel(state)
        qtbot.addWidget(panel)
        panel.resize(600, 800)
        panel.show()
        panel.show_empty.setChecked(True)
        state.set_register(reg)
        lo, hi = reg.date_range()
        assert lo is not None and hi is not None
        days = {lo, lo + (hi - lo) / 2, hi, dt.date.today(), dt.date(2012, 6, 1)}
        seen: set[str] = set()
        for day in sorted(days):
            state.set_as_of(day)
            for sid in sample_units(reg, day):
                state.select(sid)
                details = reg.unit(sid, day)
                assert details is not None and panel.details is not None
                assert panel.details.view == details.view
                prov = details.view["provenance"]
                groups = overview_groups(panel)
                assert set(groups) == set(prov)
                for key, (badge, values) in groups.items():
                    assert badge == prov[key]["state"], (sid, day, key)
                    filled = [v for v in values if v]
                    if badge == "none":
                        assert not filled, (sid, day, key, values)
                    else:
                        assert filled, (sid, day, key, badge)
                    word = {"own": "EGEN", "inherited": "NEDARVET", "none": "INGEN"}[badge]
                    assert word in panel.group_badges[key].text()
                seen.add(details.view["status"])
        if reg is generated:
            assert seen == {"active", "closed", "future"}


# --- replacements -----------------------------------------------------------------------------


def test_replacements_are_links_in_the_overview_and_the_history(qtbot: Any) -> None:
    reg = long_id_register()
    old, new = LONG[tiny.OE2], LONG[tiny.OE3]
    state = AppState()
    state.set_register(reg)
    state.set_as_of(dt.date(2021, 1, 1))
    overview = OverviewPanel(state)
    history = HistoryPanel(state)
    for w in (overview, history):
        qtbot.addWidget(w)
        w.resize(700, 600)
        w.show()
    state.select(old)
    assert f'href="sor:{new}"' in overview.header.text()
    assert "Erstattet af" in overview.header.text() and "(fra 01-07-2022)" in overview.header.text()
    assert history.replacements.isVisible()
    assert "Erstattet af" in history.replacements.text()
    assert f'href="sor:{new}"' in history.replacements.text()
    state.select(new)
    assert "Erstatter" in overview.header.text() and f'href="sor:{old}"' in overview.header.text()
    assert f'href="sor:{old}"' in history.replacements.text()
    state.select(LONG[tiny.OE1])  # no replacement: nothing said
    assert "Erstat" not in overview.header.text() and not history.replacements.isVisible()
    state.set_language("en")
    state.select(old)
    assert "Replaced by" in overview.header.text() and "(from 01-07-2022)" in overview.header.text()


# --- closed and future units look different ----------------------------------------------------


def test_closed_and_future_units_look_different_on_light_and_dark(
    qtbot: Any, light_then_dark: list[QPalette], qapp: Any
) -> None:
    model = TreeModel()
    model.set_register(tiny.tiny_register(), dt.date(2025, 1, 1))
    model.set_show_closed(True)
    idx = {sid: model.index_of_sor_id(sid) for sid in (tiny.OE1, tiny.OE2, tiny.FUT)}
    assert all(i.isValid() for i in idx.values())
    for pal in light_then_dark:
        qapp.setPalette(pal)
        base = pal.color(QPalette.ColorRole.Base)
        fg = {s: i.data(Qt.ItemDataRole.ForegroundRole) for s, i in idx.items()}
        assert fg[tiny.OE1] is None  # an active unit in the palette's text colour
        closed, future = fg[tiny.OE2].color(), fg[tiny.FUT].color()
        assert closed != future
        for c in (closed, future):
            assert contrast(c, base) >= 4.5
    closed_font = idx[tiny.OE2].data(Qt.ItemDataRole.FontRole)
    future_font = idx[tiny.FUT].data(Qt.ItemDataRole.FontRole)
    assert closed_font.strikeOut() and closed_font.italic()
    assert future_font.italic() and not future_font.strikeOut()
    # the id beside a struck name stays legible
    id_font = idx[tiny.OE2].siblingAtColumn(1).data(Qt.ItemDataRole.FontRole)
    assert id_font.italic() and not id_font.strikeOut()
    assert idx[tiny.OE1].data(Qt.ItemDataRole.FontRole) is None


def test_the_legend_shows_while_closed_units_do(qtbot: Any, tmp_path: Path, file: str) -> None:
    win = make_window(qtbot, tmp_path, tiny.tiny_register(), panels=())
    open_file(qtbot, win, file)
    legend = win.tree_pane.legend
    assert not legend.isVisible()
    win.action_map["show_closed"].trigger()
    assert legend.isVisible()
    assert "<s>lukket</s>" in legend.text() and "<i>fremtidig</i>" in legend.text()
    win.action_map["lang_en"].trigger()
    assert "<s>closed</s>" in legend.text() and "<i>future</i>" in legend.text()
    # the search results say it too
    win.state.set_as_of(dt.date(2025, 1, 1))
    win.search.setText("akut")
    win._on_search_timer_timeout()
    item = win.results.item(0)
    assert item is not None and "closed" in item.text()
    assert item.font().italic() and item.foreground().color() != QColor()
    win.action_map["show_closed"].trigger()
    assert not legend.isVisible()


# --- ids are never cut --------------------------------------------------------------------------


def _text_room(view: QAbstractItemView, index: QModelIndex) -> int:
    """The width a cell's text gets before the delegate elides it."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return view.visualRect(index).width() - 2 * margin


def _cell_font(view: QAbstractItemView, index: QModelIndex) -> QFont:
    font = index.data(Qt.ItemDataRole.FontRole)
    return QFont(font) if isinstance(font, QFont) else QFont(view.font())


def assert_ids_whole(view: QAbstractItemView, max_rows: int = 300) -> int:
    """Every id cell (6+ digits) in `view` is drawn whole: its text fits the cell's room
    in the cell's own font, and the whole id is its tooltip. Returns the cells checked."""
    model = view.model()
    checked = 0
    stack = [QModelIndex()]
    while stack and checked < max_rows * 8:
        parent = stack.pop()
        for r in range(min(model.rowCount(parent), max_rows)):
            for c in range(model.columnCount(parent)):
                index = model.index(r, c, parent)
                text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
                if c == 0 and isinstance(view, QTreeView) and view.isExpanded(index):
                    stack.append(index)
                if not (len(text) >= 6 and text.isdigit()):
                    continue
                if isinstance(view, (QTreeView, QTableView)) and view.isColumnHidden(c):
                    continue
                need = QFontMetrics(_cell_font(view, index)).horizontalAdvance(text)
                assert need <= _text_room(view, index), (text, need, _text_room(view, index))
                checked += 1
    return checked


def test_ids_are_whole_in_history_changes_report_and_tree(
    qtbot: Any, tmp_path: Path, file: str
) -> None:
    reg = long_id_register()
    reg.report.add(
        "warning", "SOREntity", sorviewer.messages.msg("load.empty_file"), sor_id=LONG[tiny.OE2]
    )
    win = make_window(qtbot, tmp_path, reg)
    open_file(qtbot, win, file)
    win.state.set_as_of(dt.date(2021, 1, 1))
    tree = win.tree
    tree.expandAll()
    qtbot.waitUntil(lambda: tree.columnWidth(0) >= tree.name_min_width(), timeout=3000)
    assert assert_ids_whole(tree) >= 6
    # the history's two versions side by side: OE2 moved, so its parent ids differ
    win.reveal(LONG[tiny.OE2])
    win.bring_to_front(dock(win, "HistoryPanel"))
    history = win.panels["HistoryPanel"]
    qtbot.waitUntil(lambda: history.values.records.rowCount() > 0, timeout=3000)
    history.set_pair(0, 1)
    assert any(LONG[tiny.SI] == r[1] for r in history.values.records.records())
    assert assert_ids_whole(history.values) >= 2
    # the Changes panel's moved units, their parents' ids too
    win.bring_to_front(dock(win, "ChangesPanel"))
    changes = win.panels["ChangesPanel"]
    changes.set_dates(dt.date(2019, 1, 1), dt.date(2021, 1, 1))
    changes.wait()
    moved = changes.views["moved"]
    qtbot.waitUntil(lambda: moved.records.rowCount() == 1, timeout=5000)
    changes.tabs.setCurrentIndex(2)
    assert assert_ids_whole(moved) == 3  # the unit, where it came from, where it went
    index = moved.model().index(0, 0)
    assert index.data(Qt.ItemDataRole.ToolTipRole) == LONG[tiny.OE2]  # the whole id on hover
    # the load report
    win.show_report()
    dlg = win._report_dialog
    assert dlg is not None
    qtbot.waitExposed(dlg)
    assert assert_ids_whole(dlg.table) == 1
    dlg.close()


# --- the keyboard -----------------------------------------------------------------------------


def test_focus_is_in_the_tree_after_opening_and_after_a_link(
    qtbot: Any, tmp_path: Path, file: str
) -> None:
    reg = long_id_register()
    win = make_window(qtbot, tmp_path, reg)
    open_file(qtbot, win, file)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is win.tree, timeout=3000)
    # Space in the tree never moves the date (it did when the focus was on "year back")
    day = win.state.as_of
    qtbot.keyClick(win.tree, Qt.Key.Key_Space)
    assert win.state.as_of == day
    # the Overview's links: Tab reaches them, Enter follows one, the tree has the focus
    win.state.set_as_of(dt.date(2021, 1, 1))
    win.reveal(LONG[tiny.OE2])
    win.bring_to_front(dock(win, "OverviewPanel"))
    overview = win.panels["OverviewPanel"]
    header = overview.header
    qtbot.waitUntil(lambda: LONG[tiny.OE3] in header.text(), timeout=3000)
    win.tree.setFocus()
    header.setFocus(Qt.FocusReason.TabFocusReason)
    assert header.hasFocus() and header.selectedText()  # on the first link, not the label
    for _ in range(8):
        if LONG[tiny.OE3] in header.selectedText():
            break
        qtbot.keyClick(header, Qt.Key.Key_Tab)
    assert LONG[tiny.OE3] in header.selectedText()
    qtbot.keyClick(header, Qt.Key.Key_Return)
    assert win.state.current == LONG[tiny.OE3]
    assert win.model.sor_id_of(win.tree.currentIndex()) == LONG[tiny.OE3]
    assert QApplication.focusWidget() is win.tree


def test_overview_links_offer_show_in_tree_from_the_keyboard(
    qtbot: Any, tmp_path: Path, file: str
) -> None:
    reg = long_id_register()
    win = make_window(qtbot, tmp_path, reg)
    open_file(qtbot, win, file)
    win.state.set_as_of(dt.date(2021, 1, 1))
    win.reveal(LONG[tiny.SI])  # inherits its postal address from IE
    win.bring_to_front(dock(win, "OverviewPanel"))
    overview = win.panels["OverviewPanel"]
    header = overview.header
    qtbot.waitUntil(lambda: LONG[tiny.IE] in header.text(), timeout=3000)
    # a link in the header: Shift+F10 opens its menu, "Show in the tree" follows it
    win.tree.setFocus()
    header.setFocus(Qt.FocusReason.TabFocusReason)
    assert LONG[tiny.IE] in header.selectedText()
    qtbot.keyClick(header, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = popup_menu(qtbot)
    show = menu.findChild(type(menu.actions()[0]), "ShowInTree")
    assert show is not None and LONG[tiny.IE] in show.text()
    show.trigger()
    close_popups()
    assert win.state.current == LONG[tiny.IE]
    # the field list: the source row of an inherited group; Enter follows it, and the
    # context-menu key offers the same
    win.reveal(LONG[tiny.SI])
    overview.update_now()
    tree = overview.tree
    source = None
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        for i in range(group.childCount()):
            if (
                group.child(i).data(0, FROM_ROLE) == LONG[tiny.IE]
                and group.child(i).data(0, COLUMN_ROLE) is None
            ):
                source = group.child(i)
    assert source is not None
    tree.setFocus()
    tree.setCurrentItem(source)
    qtbot.keyClick(tree, Qt.Key.Key_Menu)
    menu = popup_menu(qtbot)
    assert menu.findChild(type(menu.actions()[0]), "ShowInTree") is not None
    close_popups()
    tree.setCurrentItem(source)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert win.state.current == LONG[tiny.IE]
    assert QApplication.focusWidget() is win.tree


def test_date_shortcuts_panels_to_front_and_a_timeline_without_tab_stop(
    qtbot: Any, tmp_path: Path, file: str
) -> None:
    win = make_window(qtbot, tmp_path, tiny.tiny_register())
    open_file(qtbot, win, file)
    win.state.set_as_of(dt.date(2018, 6, 15))
    tree = win.tree
    tree.setFocus()
    alt, shift = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ShiftModifier
    for key, mods, day in (
        (Qt.Key.Key_Left, alt, dt.date(2018, 6, 14)),
        (Qt.Key.Key_Right, alt, dt.date(2018, 6, 15)),
        (Qt.Key.Key_PageUp, alt, dt.date(2018, 5, 15)),
        (Qt.Key.Key_PageDown, alt, dt.date(2018, 6, 15)),
        (Qt.Key.Key_PageUp, alt | shift, dt.date(2017, 6, 15)),
        (Qt.Key.Key_PageDown, alt | shift, dt.date(2018, 6, 15)),
        (Qt.Key.Key_Home, alt, dt.date.today()),
    ):
        qtbot.keyClick(tree, key, mods)
        assert win.state.as_of == day, (key, mods)
    # the step buttons name their keys
    assert "Alt" in win.date_bar.step_buttons[("day", -1)].toolTip()
    # Ctrl+G: the date field, its text selected for typing
    qtbot.keyClick(tree, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is win.date_bar.edit
    assert win.date_bar.edit.selectedText() == win.date_bar.edit.text()
    # the timeline answers no keys, so it takes no Tab stop
    assert win.date_bar.ensure_plot().focusPolicy() == Qt.FocusPolicy.NoFocus
    # Alt+N and View > Panels bring panel N to the front (a closed one comes back)
    for n, d in enumerate(win.docks, start=1):
        qtbot.keyClick(tree, Qt.Key(Qt.Key.Key_0 + n), alt)
        assert d.isVisible() and win._front_dock is d
        assert d.isAncestorOf(QApplication.focusWidget())
        tree.setFocus()
    history = dock(win, "HistoryPanel")
    history.close()
    assert not history.isVisible()
    action = win.panel_actions[win.docks.index(history)]
    assert not action.isCheckable()  # it brings to the front, it never hides
    assert action.text() == f"&{win.docks.index(history) + 1} Historik"
    action.trigger()
    assert history.isVisible() and win._front_dock is history
    action.trigger()  # again: still in front, not hidden
    assert history.isVisible()


def _menu_clashes(actions: list[Any], where: str) -> list[str]:
    """Menu texts sharing a mnemonic letter within one menu, walking submenus."""
    out: list[str] = []
    seen: dict[str, str] = {}
    for a in actions:
        if a.isSeparator() or not a.isVisible():
            continue
        letter = act.mnemonic(a.text())
        if letter:
            if letter in seen:
                out.append(f"{where}: {seen[letter]!r} and {a.text()!r} share {letter!r}")
            seen[letter] = a.text()
        if a.menu() is not None:
            a.menu().aboutToShow.emit()  # fills the recent files and builds the docks
            out += _menu_clashes(a.menu().actions(), a.text())
    return out


def test_menu_mnemonics_are_unique_in_both_languages(qtbot: Any, tmp_path: Path) -> None:
    settings = st.Settings(str(tmp_path / "m.ini"))
    settings.add_recent(str(tmp_path / "R&D sor.zip"))
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.ensure_docks()
    for lang in ("da", "en"):
        win.state.set_language(lang)
        clashes = _menu_clashes(win.menuBar().actions(), "menu bar")
        assert not clashes, clashes
        titles = [a.text() for a in win.menuBar().actions()]
        assert all(act.mnemonic(t) for t in titles)
    # a file name's "&" is text, not a mnemonic
    win.recent_menu.aboutToShow.emit()
    assert win.recent_menu.actions()[0].text() == "R&&D sor.zip"


def test_choosing_a_version_compares_it_with_the_one_before(qtbot: Any) -> None:
    state = AppState()
    state.set_register(tiny.tiny_register())
    state.set_as_of(dt.date(2021, 1, 1))
    panel = HistoryPanel(state)
    qtbot.addWidget(panel)
    panel.resize(700, 600)
    panel.show()
    state.select(tiny.IE)  # two versions: renamed in 2015
    panel.versions.setFocus()
    assert panel._pair == (0, 1)
    qtbot.keyClick(panel.versions, Qt.Key.Key_Up)  # the first version
    qtbot.waitUntil(lambda: state.as_of == dt.date(2010, 1, 1), timeout=3000)
    assert panel._pair == (0, 1)  # against the next one, never against itself
    assert "EntityName" in {r[3] for r in panel.values.records.records()}
    qtbot.keyClick(panel.versions, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: state.as_of == dt.date(2015, 1, 1), timeout=3000)
    assert panel._pair == (0, 1)
    state.select(tiny.OE1)  # one version: its values
    assert panel._pair == (0, 0)


# --- 1024x700 ----------------------------------------------------------------------------------


def _dock_tab_bars(win: MainWindow) -> list[QTabBar]:
    titles = {d.windowTitle() for d in win.docks}
    return [
        bar
        for bar in win.findChildren(QTabBar)
        if bar.isVisible()
        and bar.count()
        and {bar.tabText(i) for i in range(bar.count())} <= titles
    ]


def test_the_window_at_1024x700(qtbot: Any, tmp_path: Path, file: str) -> None:
    reg = long_id_register()
    gate = threading.Event()

    def slow(path: str, progress: Any, cancelled: Any) -> Register:
        gate.wait(10)
        return reg

    win = make_window(qtbot, tmp_path, reg)
    open_file(qtbot, win, file)
    win.state.set_as_of(dt.date(2021, 1, 1))
    tree = win.tree
    tree.expandAll()
    qtbot.waitUntil(lambda: tree.columnWidth(0) >= tree.name_min_width(), timeout=3000)
    # the name column keeps 24 characters three levels down, beside badge and count
    metrics = tree.fontMetrics()
    assert tree.name_min_width() >= 24 * metrics.averageCharWidth() + 3 * tree.indentation()
    assert assert_ids_whole(tree) >= 6
    # every dock tab in view, inside the window
    qtbot.waitUntil(lambda: len(_dock_tab_bars(win)) == 1, timeout=3000)
    bar = _dock_tab_bars(win)[0]
    qtbot.waitUntil(
        lambda: all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count())),
        timeout=3000,
    )
    # every open dock (Differences opens with a comparison, Followed when following)
    assert bar.count() == len([d for d in win.docks if not d.isHidden()])
    assert bar.count() >= len(win.docks) - 2
    for i in range(bar.count()):
        r = bar.tabRect(i)
        in_window = QRect(bar.mapTo(win, r.topLeft()), r.size())
        assert win.rect().contains(in_window), (bar.tabText(i), in_window)
    # the status bar's widgets never overlap, also while another file loads
    win.loader = slow
    assert win.open_path(file)
    try:
        qtbot.waitUntil(lambda: win.progress.isVisible(), timeout=3000)
        qtbot.wait(50)
        shown = [
            w
            for w in win.statusBar().findChildren(QWidget)
            if w.isVisible() and w.parentWidget() is win.statusBar()
        ]
        assert len(shown) >= 6
        bar_rect = win.statusBar().rect()
        for i, a in enumerate(shown):
            assert bar_rect.contains(a.geometry()), a.objectName()
            for b in shown[i + 1 :]:
                assert not a.geometry().intersects(b.geometry()), (a.objectName(), b.objectName())
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not win.load_task.running, timeout=10000)
    # a long message gets its room: the labels that can give way are narrowed meanwhile
    win.state.set_as_of(dt.date(2025, 1, 1))
    assert not win.reveal(LONG[tiny.OE2])  # closed then: the status bar says how to see it
    status = win.statusBar()
    text = status.currentMessage()
    assert "Vis lukkede og fremtidige enheder" in text

    def message_room() -> int:
        xs = [w.x() for w in (win.file_label, win.format_label) if w.isVisible()]
        return min(xs) - 8

    qtbot.waitUntil(
        lambda: message_room() >= status.fontMetrics().horizontalAdvance(text), timeout=3000
    )
    assert win.file_label.is_elided() or win.format_label.is_elided()
    status.clearMessage()
    qtbot.waitUntil(lambda: not win.format_label.is_elided(), timeout=3000)
    # the bad-date hint has a line of its own and is never cut
    edit = win.date_bar.edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "31-02-20x0")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    hint = win.date_bar.bad_label
    qtbot.waitUntil(hint.isVisible, timeout=3000)
    qtbot.wait(50)
    assert win.date_bar.rect().contains(hint.geometry())
    assert hint.height() >= hint.heightForWidth(hint.width())
    assert hint.width() >= min(hint.sizeHint().width(), hint.width()) > 100


# --- the export dialog remembers ------------------------------------------------------------


def test_the_export_dialog_remembers_the_last_folder_and_format(
    qtbot: Any, tmp_path: Path, file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.widgets.export_dialog import ExportDialog

    seen: list[tuple[str, str]] = []
    target = tmp_path / "exports"
    target.mkdir()

    def run(dlg: ExportDialog) -> int:
        seen.append((dlg.path.text(), str(dlg.format.currentData())))
        if len(seen) == 1:
            dlg.format.setCurrentIndex(dlg.format.findData("xlsx"))
            dlg.path.setText(str(target / "mine.xlsx"))
            with qtbot.waitSignal(dlg.accepted, timeout=10000):
                dlg.start_export()
            return 1
        return 0

    monkeypatch.setattr(ExportDialog, "exec", run)
    win = make_window(qtbot, tmp_path, tiny.tiny_register(), panels=())
    open_file(qtbot, win, file)
    win.reveal(tiny.OE1)
    win.export_dialog()
    assert (target / "mine.xlsx").exists()
    win.export_dialog()
    first, second = seen
    assert Path(first[0]).parent == Path(file).parent
    assert Path(second[0]).parent == target and second[0].endswith(".xlsx")
    assert second[1] == "xlsx"
    # and after a restart
    win.close()
    again = make_window(qtbot, tmp_path, tiny.tiny_register(), panels=())
    open_file(qtbot, again, file)
    again.export_dialog()
    assert Path(seen[2][0]).parent == target and seen[2][1] == "xlsx"


def test_the_units_list_agrees_with_the_tree(qtbot: Any) -> None:
    """The Units view's rows: closed and future units in the tree's colours, a closed
    unit's name struck through; after a snapshot's date "aktiv i udtrækket", shown and
    copied."""
    from sorviewer.find import Filters
    from ui.models.units_model import DEFAULT_COLUMNS, UnitsModel, units_task
    from ui.tasks import TaskState

    reg = tiny.tiny_register()
    day = dt.date(2025, 1, 1)
    model = UnitsModel()
    model.set_register(reg)
    model.set_columns([*DEFAULT_COLUMNS, "Status"])
    model.set_result(units_task(reg, day, Filters(status=("all",)), (), None, TaskState()))
    tree = TreeModel()
    tree.set_register(reg, day)
    status_col = model.columns.index("Status")
    rows = {model.sor_id_at(r): r for r in range(model.rowCount())}
    for sid, status in ((tiny.OE2, "closed"), (tiny.FUT, "future")):
        index = model.index(rows[sid], 0)
        assert (
            index.data(Qt.ItemDataRole.ForegroundRole).color() == tree.status_brush(status).color()
        )
        assert index.data(Qt.ItemDataRole.FontRole).strikeOut() == (status == "closed")
    assert model.index(rows[tiny.OE1], 0).data(Qt.ItemDataRole.ForegroundRole) is None
    # a snapshot file after its date
    snap = snapshot_register()
    model.set_register(snap)
    model.set_result(
        units_task(snap, dt.date(2020, 1, 1), Filters(status=("all",)), (), None, TaskState())
    )
    row = next(r for r in range(model.rowCount()) if model.sor_id_at(r) == tiny.OE1)
    assert model.index(row, status_col).data() == "aktiv i udtrækket"
    _labels, copied, _names = model.table(np.array([row]))
    assert copied[0][status_col] == "aktiv i udtrækket"
