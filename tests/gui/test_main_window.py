"""The main window: opening (ok, failing, cancelled), tree and state, search, copy, settings."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QHeaderView, QTabBar

from sorviewer.dates import to_day
from sorviewer.errors import LoadCancelled, LoadError
from sorviewer.messages import msg
from tests.unit import tiny
from ui import actions as act
from ui import main_window as mw
from ui import settings as st
from ui.formatting import format_date
from ui.main_window import MainWindow
from ui.models.tree_model import CHILD_COUNT_ROLE, MATCH_ROLE
from ui.widgets.date_bar import DateBar, active_per_month, add_months, changes_per_month
from ui.widgets.report_dialog import ReportDialog

#: the offscreen platform says so when a window is shown or raised; not a failure
OFFSCREEN_NOISE = pytest.mark.qt_log_ignore("This plugin does not support")


def tiny_loader(path: str, progress: Any, cancelled: Any) -> Any:
    progress(500, 1000)
    progress(1000, 1000)
    return tiny.tiny_register()


@pytest.fixture
def file(tmp_path: Path) -> str:
    p = tmp_path / "SorEntity_daily.csv"
    p.write_text("not read: the tests inject their loader\n", encoding="utf-8")
    return str(p)


@pytest.fixture
def make_window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    def make(loader: Any = tiny_loader, ini: str = "settings.ini") -> MainWindow:
        # the panels have their own tests
        win = MainWindow(settings=st.Settings(str(tmp_path / ini)), loader=loader, panels=())
        win.errors = []  # type: ignore[attr-defined]
        win.error = win.errors.append  # type: ignore[method-assign,attr-defined]
        qtbot.addWidget(win)
        return win

    return make


def open_and_wait(qtbot: Any, win: MainWindow, path: str) -> None:
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        assert win.open_path(path)
    win.state.set_as_of(dt.date(2018, 6, 1))


def test_start_page_until_a_file_is_open(make_window: Any) -> None:
    win = make_window()
    assert win.stack.currentWidget() is win.start_page
    # the demo button says it is synthetic; the download address is a working link
    page = win.start_page
    assert page.demo_button.text() == "Åbn demoregister (syntetiske data)"
    assert page.hint.openExternalLinks()
    assert 'href="https://sor-filer.sundhedsdata.dk"' in page.hint.text()
    assert ">sor-filer.sundhedsdata.dk</a>" in page.hint.text()
    win.action_map["lang_en"].trigger()
    assert page.demo_button.text() == "Open demo register (synthetic data)"
    assert 'href="https://sor-filer.sundhedsdata.dk"' in page.hint.text()
    assert win.windowTitle() == "SOR Viewer"
    assert not win.action_map["copy"].isEnabled()
    assert not win.action_map["export"].isEnabled()
    assert win.action_map["open"].shortcut().toString() != ""


def test_open_file_shows_tree_and_status(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    assert win.stack.currentWidget() is win.workspace
    assert win.state.register is not None
    assert win.model.rowCount() == 2
    assert win.action_map["copy"].isEnabled()
    assert "SorEntity_daily.csv" in win.windowTitle()
    assert win.units_label.text().startswith("6 ")  # all but the future unit
    assert win.settings.recent_files() == [file]
    assert not win.banner.isVisibleTo(win)


def test_failed_load_keeps_the_open_register(qtbot: Any, make_window: Any, file: str) -> None:
    def failing(path: str, progress: Any, cancelled: Any) -> Any:
        raise LoadError(msg("load.no_tables", name="notes.zip"))

    win = make_window()
    open_and_wait(qtbot, win, file)
    reg = win.state.register
    win.loader = failing
    with qtbot.waitSignal(win.load_task.failed, timeout=10000):
        win.open_path(file)
    # the core's sentence, in the window's language
    assert win.errors == [
        "notes.zip indeholder ingen SOR-tabeller: forventet SOREntity.csv eller Sor.xml."
    ]
    assert win.state.register is reg
    assert not win.progress.isVisibleTo(win)
    win.state.set_language("en")
    with qtbot.waitSignal(win.load_task.failed, timeout=10000):
        win.open_path(file)
    assert win.errors[-1] == "notes.zip holds no SOR tables: expected SOREntity.csv or Sor.xml."


def test_missing_file_is_one_sentence(make_window: Any, tmp_path: Path) -> None:
    win = make_window()
    assert not win.open_path(str(tmp_path / "nope.zip"))
    assert len(win.errors) == 1 and win.errors[0].endswith(".")


def test_cancel_keeps_the_open_register(qtbot: Any, make_window: Any, file: str) -> None:
    started = threading.Event()

    def slow(path: str, progress: Any, cancelled: Any) -> Any:
        started.set()
        for _ in range(500):
            if cancelled():
                raise LoadCancelled()
            threading.Event().wait(0.01)
        raise AssertionError("never cancelled")

    win = make_window()
    open_and_wait(qtbot, win, file)
    reg = win.state.register
    win.loader = slow
    with qtbot.waitSignal(win.load_task.cancelled, timeout=10000):
        win.open_path(file)
        assert started.wait(5)
        assert win.cancel_button.isVisibleTo(win)
        assert not win.open_path(file)  # one load at a time
        win.cancel_button.click()
    assert win.state.register is reg
    assert len(win.errors) == 1 and "indlæses stadig" in win.errors[0]


def test_date_switch_keeps_selection_and_expansion(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.state.show_in_tree(tiny.OE2)
    cur = win.tree.currentIndex()
    assert win.model.sor_id_of(cur) == tiny.OE2
    si = win.model.index_of_sor_id(tiny.SI)
    assert win.tree.isExpanded(si)
    win.tree.collapse(win.model.index_of_sor_id(tiny.OE1))
    win.state.set_as_of(dt.date(2021, 1, 1))  # OE2 now sits under OE1
    cur = win.tree.currentIndex()
    assert win.model.sor_id_of(cur) == tiny.OE2
    assert win.model.sor_id_of(cur.parent()) == tiny.OE1
    assert win.tree.isExpanded(cur.parent())  # its new path is opened, so it stays in view
    assert win.tree.isExpanded(win.model.index_of_sor_id(tiny.SI))
    assert win.state.current == tiny.OE2


def test_tree_selection_drives_state(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    with qtbot.waitSignal(win.state.selection_changed) as blocker:
        win.tree.setCurrentIndex(win.model.index_of_sor_id(tiny.IE2))
    assert blocker.args == [tiny.IE2]


def test_copy_puts_tsv_with_header_on_clipboard(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.reveal(tiny.OE1)
    sel = win.tree.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    sel.select(win.model.index_of_sor_id(tiny.IE), flags)
    win.tree.setFocus()
    win.copy_selection()
    lines = QApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:2] == ["Enhedsnavn", "SOR-kode"]
    assert [line.split("\t")[1] for line in lines[1:]] == [tiny.IE, tiny.OE1]  # tree order


def test_search_filters_tree_and_enter_jumps(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.focus_search()
    qtbot.keyClicks(win.search, "anæst")
    qtbot.waitUntil(lambda: win.model.filter_text == "anæst", timeout=3000)
    assert win.tree_pane.results.count() == 1
    assert win.model.rowCount() == 1
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.model.sor_id_of(win.tree.currentIndex()) == tiny.OE3
    assert win.state.current == tiny.OE3


def test_search_box_folds_both_ways_and_takes_words_in_any_order(
    qtbot: Any, make_window: Any, file: str
) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.state.set_as_of(dt.date(2021, 1, 1))

    def typed(text: str) -> list[str]:
        win.focus_search()
        win.search.clear()
        qtbot.keyClicks(win.search, text)
        qtbot.waitUntil(lambda: win.model.filter_text == text, timeout=3000)
        return [str(win.model.sor_id_of(i)) for i in _matches(win)]

    # "Ærø afdeling" typed every way, the tree filter and the result list agree
    for text in ("ærø afd", "aeroe afd", "aero afd", "AFD AERØ"):
        assert typed(text) == [tiny.OE1], text
        assert win.tree_pane.results.count() == 1
        assert win.tree_pane.results.item(0).text().startswith("Ærø afdeling")
    # an EAN hit says whose number it is
    win.state.set_language("da")
    typed("5790000173624")
    lines = [win.tree_pane.results.item(i).text() for i in range(win.tree_pane.results.count())]
    assert lines[0].endswith(f"{tiny.IE}  (Lokationsnummer (EAN): eget)")
    assert any(
        f"·  {tiny.SI}  (Lokationsnummer (EAN): nedarvet fra Region Testland ({tiny.IE}))" in x
        for x in lines
    )
    win.state.set_language("en")
    typed("5790000173624")
    assert win.tree_pane.results.item(0).text().endswith("(EAN location number: own)")


def _matches(win: MainWindow) -> list[QModelIndex]:
    return [win.model.index_of_entity(int(e)) for e in win.model.matches.tolist()]


def test_show_closed_action_reveals_closed_units(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.state.set_as_of(dt.date(2023, 1, 1))
    assert not win.reveal(tiny.OE2)
    win.action_map["show_closed"].setChecked(True)
    assert win.reveal(tiny.OE2)


def test_settings_survive_a_restart(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.action_map["lang_en"].trigger()
    win.action_map["show_closed"].setChecked(True)
    assert win.model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    win.close()
    again = make_window()
    assert again.state.language == "en"
    assert again.action_map["lang_en"].isChecked()
    assert again.action_map["show_closed"].isChecked()
    assert again.settings.recent_files() == [file]


def test_demo_is_labelled_synthetic(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mw, "demo_path", lambda: str(tmp_path / "demo.zip"))
    monkeypatch.setattr(mw, "demo_loader", tiny_loader)
    win = make_window()
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        win.open_demo()
    assert "demodata" in win.windowTitle()
    assert win.banner.isVisibleTo(win)
    assert win.settings.recent_files() == []  # the demo is not a recent file


def test_date_bar_scrubbing_applies_only_the_newest_date(qtbot: Any) -> None:
    from ui.app_state import AppState

    state = AppState()
    bar = DateBar(state)
    qtbot.addWidget(bar)
    state.set_register(tiny.tiny_register())
    seen: list[dt.date] = []
    state.as_of_changed.connect(seen.append)
    line = bar._lines[0]
    for days in (400, 300, 200):  # three drag positions inside one timer interval
        line.setValue(to_day(dt.date(2018, 1, 1) - dt.timedelta(days=days)) * 86400.0)
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    assert seen == [dt.date(2018, 1, 1) - dt.timedelta(days=200)]
    assert bar.edit.text() == format_date(state.as_of)


def test_date_field_takes_danish_and_iso_dates(qtbot: Any) -> None:
    from ui.app_state import AppState

    state = AppState()
    bar = DateBar(state)
    qtbot.addWidget(bar)
    state.set_register(tiny.tiny_register())
    assert bar.set_text("01-06-2018")
    assert state.as_of == dt.date(2018, 6, 1)
    assert bar.edit.text() == "01-06-2018"
    assert bar.set_text("2016-02-29")
    assert state.as_of == dt.date(2016, 2, 29)
    assert not bar.set_text("31-02-2016")
    assert state.as_of == dt.date(2016, 2, 29)
    bar.step("month", 1)
    assert state.as_of == dt.date(2016, 3, 29)
    bar.step("year", -1)
    assert state.as_of == dt.date(2015, 3, 29)
    bar.step("day", 1)
    assert state.as_of == dt.date(2015, 3, 30)
    bar.step_buttons[("day", -1)].click()
    assert state.as_of == dt.date(2015, 3, 29)


@pytest.mark.parametrize(
    "typed", ["01-06-2018", "1-6-2018", "1.6.2018", "01.06.2018", "01062018", "2018-06-01"]
)
def test_the_date_bar_reads_the_whole_date_typed_over_the_old_one(qtbot: Any, typed: str) -> None:
    from ui.app_state import AppState

    state = AppState()
    bar = DateBar(state)
    qtbot.addWidget(bar)
    state.set_register(tiny.tiny_register())
    state.set_as_of(dt.date(2021, 3, 9))
    bar.edit.setFocus()
    bar.edit.selectAll()
    qtbot.keyClicks(bar.edit, typed)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert state.as_of == dt.date(2018, 6, 1), typed
    assert bar.edit.text() == "01-06-2018"
    assert not bar.bad_label.isVisibleTo(bar) and not bar.clamp_label.isVisibleTo(bar)


def test_a_date_outside_the_range_is_clamped_and_the_bar_says_so(qtbot: Any) -> None:
    from ui.app_state import AppState

    state = AppState()
    state.set_language("da")
    bar = DateBar(state)
    qtbot.addWidget(bar)
    state.set_register(tiny.tiny_register())
    bar.edit.setFocus()
    bar.edit.selectAll()
    qtbot.keyClicks(bar.edit, "01-01-1850")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert state.as_of == bar.lo > dt.date(1850, 1, 1)
    note = bar.clamp_label
    assert note.isVisibleTo(bar)
    assert note.text() == (
        f"01-01-1850 er før det tidligste, der kan vises; viser {format_date(bar.lo)}"
    )
    state.set_language("en")
    assert note.text().startswith("01-01-1850 is before the earliest date shown; showing")
    bar.set_text("31-12-9999")
    assert state.as_of == bar.hi and note.text().startswith("31-12-9999 is after the latest")
    # a date inside the range takes the note away
    bar.set_text("01-06-2018")
    assert state.as_of == dt.date(2018, 6, 1) and not note.isVisibleTo(bar)
    # a step past the end is clamped too, and said
    bar.set_text(format_date(bar.hi))
    bar.step("year", 1)
    assert state.as_of == bar.hi and note.isVisibleTo(bar)


def test_a_bad_date_stays_marked_until_fixed_or_esc(qtbot: Any) -> None:
    from ui.app_state import AppState

    state = AppState()
    bar = DateBar(state)
    qtbot.addWidget(bar)
    state.set_register(tiny.tiny_register())
    state.set_as_of(dt.date(2018, 6, 1))
    bar.edit.setFocus()
    bar.edit.selectAll()
    qtbot.keyClicks(bar.edit, "31-02-2019")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)  # returnPressed, then editingFinished
    # the text stays, marked, with the hint beside it; the date does not move
    assert bar.edit.text() == "31-02-2019"
    assert "border" in bar.edit.styleSheet()
    assert bar.bad_label.isVisibleTo(bar) and bar.bad_label.text().startswith("Ikke en dato")
    assert bar.edit.toolTip().startswith("Ikke en dato")
    assert state.as_of == dt.date(2018, 6, 1)
    bar.edit.editingFinished.emit()  # leaving the field keeps it too
    assert bar.edit.text() == "31-02-2019" and bar.bad_label.isVisibleTo(bar)
    # Esc puts the current date back
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert bar.edit.text() == "01-06-2018"
    assert bar.edit.styleSheet() == "" and not bar.bad_label.isVisibleTo(bar)
    # fixed by typing: the mark goes once it is a date, Enter applies it
    bar.edit.selectAll()
    qtbot.keyClicks(bar.edit, "1-13")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.bad_label.isVisibleTo(bar) and bar.edit.text() == "1-13"
    bar.edit.selectAll()
    qtbot.keyClicks(bar.edit, "28-02-2019")
    assert not bar.bad_label.isVisibleTo(bar)
    assert state.as_of == dt.date(2018, 6, 1)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert state.as_of == dt.date(2019, 2, 28)
    assert bar.edit.text() == "28-02-2019"
    # a date moved some other way replaces a bad text and its mark
    bar.set_text("nope")
    assert bar.bad_label.isVisibleTo(bar)
    bar.step("day", 1)
    assert bar.edit.text() == "01-03-2019" and not bar.bad_label.isVisibleTo(bar)


def test_add_months_clamps_the_day() -> None:
    assert add_months(dt.date(2020, 1, 31), 1) == dt.date(2020, 2, 29)
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2020, 12, 15), 1) == dt.date(2021, 1, 15)
    assert add_months(dt.date(2020, 2, 29), -12) == dt.date(2019, 2, 28)


def test_changes_per_month_counts() -> None:
    import numpy as np

    from sorviewer.dates import MAX_DAY, MIN_DAY

    d = to_day
    first = np.array([d(dt.date(2020, 1, 5)), d(dt.date(2020, 3, 1)), MIN_DAY])
    last = np.array([d(dt.date(2020, 2, 29)), MAX_DAY, MAX_DAY])
    # unit 0: one version; unit 1: a second version from April; unit 2: open start
    from_day = np.array(
        [d(dt.date(2020, 1, 5)), d(dt.date(2020, 3, 1)), d(dt.date(2020, 4, 2)), MIN_DAY]
    )
    is_first = np.array([True, True, False, True])
    days, kinds = changes_per_month(
        first, last, from_day, is_first, dt.date(2020, 1, 1), dt.date(2020, 4, 30)
    )
    assert len(days) == 4
    assert kinds["created"].tolist() == [1, 0, 1, 0]
    assert kinds["closed"].tolist() == [0, 0, 1, 0]  # closed after 29 Feb: counts in March
    assert kinds["changed"].tolist() == [0, 0, 0, 1]


def test_active_per_month_counts() -> None:
    import numpy as np

    from sorviewer.dates import MAX_DAY, to_day

    first = np.array([to_day(dt.date(2020, 1, 1)), to_day(dt.date(2020, 3, 15))])
    last = np.array([to_day(dt.date(2020, 2, 10)), MAX_DAY])
    days, counts = active_per_month(first, last, dt.date(2020, 1, 1), dt.date(2020, 4, 30))
    assert counts.tolist() == [1, 1, 0, 1]
    assert days[0] == to_day(dt.date(2020, 1, 1))


def test_report_dialog_filters(qtbot: Any) -> None:
    from sorviewer.report import LoadReport

    rep = LoadReport()
    rep.add("warning", "SOREntity", "Bad date here.", line=3, kind="bad_date")
    rep.add("error", "SOREntity", "Cycle found.", sor_id="1", kind="cycle")
    rep.add("info", "zip", "Member ignored.")
    dlg = ReportDialog(rep)
    qtbot.addWidget(dlg)
    assert dlg.proxy.rowCount() == 3
    assert dlg.proxy.index(0, 0).data() == "error"  # sorted by severity
    dlg.search.setText("cycle")
    assert dlg.proxy.rowCount() == 1
    dlg.search.clear()
    dlg.severity.setCurrentIndex(dlg.severity.findData("info"))
    assert dlg.proxy.rowCount() == 1


def test_panels_are_docked_and_follow_the_tree(qtbot: Any, tmp_path: Path, file: str) -> None:
    win = MainWindow(settings=st.Settings(str(tmp_path / "p.ini")), loader=tiny_loader)
    qtbot.addWidget(win)
    open_and_wait(qtbot, win, file)
    for dock in win.docks:
        assert dock.windowTitle()
        assert dock.objectName().startswith("dock_")
    win.reveal(tiny.OE1)
    assert win.state.current == tiny.OE1
    win.reset_layout()
    assert all(not d.isFloating() for d in win.docks)


def test_export_dialog_writes_the_selection(qtbot: Any, tmp_path: Path) -> None:
    from ui.widgets.export_dialog import ExportDialog

    reg = tiny.tiny_register()
    dlg = ExportDialog(reg, dt.date(2018, 6, 1), [tiny.OE1, tiny.OE3], str(tmp_path))
    qtbot.addWidget(dlg)
    # CSV for Excel is the default; what leaves the program uses the strict naming
    assert dlg.options() == {
        "fmt": "csv-excel",
        "include_all": False,
        "stamp": True,
        "naming": "strict",
        "sor_ids": [tiny.OE1, tiny.OE3],
    }
    assert not dlg.scope_filtered.isVisibleTo(dlg)  # no filter, no such choice
    dlg.format.setCurrentIndex(dlg.format.findData("json"))
    assert dlg.path.text().endswith(".json")
    dlg.format.setCurrentIndex(dlg.format.findData("csv"))
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.start_export()
    text = Path(dlg.written).read_text(encoding="utf-8-sig")
    assert tiny.OE1 in text and tiny.OE3 in text and tiny.IE2 not in text
    # the as-of date is in the file, not only in its name
    header, first = text.splitlines()[:2]
    assert header.split(";")[-1] == "AsOfDate" and first.split(";")[-1] == "2018-06-01"


def test_export_dialog_offers_the_units_matching_the_filter(qtbot: Any, tmp_path: Path) -> None:
    from ui.widgets.export_dialog import ExportDialog

    reg = tiny.tiny_register()
    dlg = ExportDialog(
        reg,
        dt.date(2018, 6, 1),
        [tiny.OE1],
        str(tmp_path),
        language="da",
        filtered=[tiny.OE1, tiny.OE3],
        filter_text="afd",
        scope="filtered",
    )
    qtbot.addWidget(dlg)
    assert dlg.scope_filtered.isVisibleTo(dlg) and dlg.scope_filtered.isChecked()
    assert "De 2 enheder, der passer på søgningen »afd«" in dlg.scope_filtered.text()
    assert dlg.options()["sor_ids"] == [tiny.OE1, tiny.OE3]


def test_dropping_a_file_opens_it(qtbot: Any, make_window: Any, file: str) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    win = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(file)])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        win.dropEvent(event)
    assert win.path == file


def test_uncaught_exception_shows_a_dialog(monkeypatch: pytest.MonkeyPatch, qapp: Any) -> None:
    import sys

    from ui import app
    from ui.widgets.error_dialog import ErrorDialog

    shown: list[ErrorDialog] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: shown.append(self) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sys, "stderr", None)
    app.install_excepthook()
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        sys.excepthook(RuntimeError, exc, exc.__traceback__)
    assert len(shown) == 1 and "RuntimeError: boom" in shown[0].details
    assert "fejl i programmet" in shown[0].message.text()


def test_open_at_last_date_choice(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    win.action_map["asof_last"].trigger()
    open_and_wait(qtbot, win, file)  # ends at 2018-06-01
    win.close()
    again = make_window()
    assert again.action_map["asof_last"].isChecked()
    with qtbot.waitSignal(again.load_task.finished, timeout=10000):
        again.open_path(file)
    assert again.state.as_of == dt.date(2018, 6, 1)


# --- a generated register through the real loader ----------------------------------------


@pytest.fixture(scope="module")
def generated_zip(tmp_path_factory: pytest.TempPathFactory) -> str:
    from sorviewer import synthetic

    path = tmp_path_factory.mktemp("gen") / "sor_1500.zip"
    synthetic.generate(path, entities=1500, seed=5)
    return str(path)


@OFFSCREEN_NOISE
def test_generated_zip_loads_through_the_worker(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_zip: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no shared load cache
    win = MainWindow(settings=st.Settings(str(tmp_path / "s.ini")), panels=())
    qtbot.addWidget(win)
    stages: list[str] = []
    win.load_task.staged.connect(stages.append)
    with qtbot.waitSignal(win.load_task.finished, timeout=60000) as blocker:
        assert win.open_path(generated_zip)
        assert win.progress.isVisibleTo(win)
        assert "%" in win.progress.format()
    assert blocker.args[0] == generated_zip
    reg = blocker.args[1]
    assert win.state.register is reg
    assert len(reg.ids) >= 1500
    assert stages[0] == "read" and stages[-1] == "prepare"
    assert win.model.rowCount() > 0
    assert not win.progress.isVisibleTo(win)
    assert reg.cache("search_base", lambda: None) is not None  # built on the worker
    # the warnings button names the count and opens the sortable report
    assert "datavarsler" in win.warnings_button.text()
    win.warnings_button.click()
    dlg = win._report_dialog
    assert dlg is not None and dlg.model.rowCount() == len(reg.report.rows)
    assert dlg.table.isSortingEnabled()
    dlg.close()


def test_scrubbing_the_timeline_keeps_expansion_and_selection(
    qtbot: Any, make_window: Any, file: str
) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.state.show_in_tree(tiny.OE2)
    si = QPersistentModelIndex(win.model.index_of_sor_id(tiny.SI))
    bar = win.date_bar
    for year in (2019, 2020, 2021):  # drag the line across OE2's move under OE1
        bar._lines[0].setValue(to_day(dt.date(year, 7, 1)) * 86400.0)
    qtbot.waitUntil(lambda: win.state.as_of == dt.date(2021, 7, 1), timeout=3000)
    cur = win.tree.currentIndex()
    assert win.model.sor_id_of(cur) == tiny.OE2
    assert win.model.sor_id_of(cur.parent()) == tiny.OE1
    assert win.tree.isExpanded(QModelIndex(si))
    assert "01-07-2021" in win.windowTitle()


def test_filter_highlights_counts_and_esc_clears(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.reveal(tiny.OE1)
    win.focus_search()
    qtbot.keyClicks(win.search, "afdeling")
    qtbot.waitUntil(lambda: win.model.filter_text == "afdeling", timeout=3000)
    n = len(win.model.matches)
    assert n >= 1
    assert win.tree_pane.count.text() == f"{n} fundet"
    oe1 = win.model.index_of_sor_id(tiny.OE1)
    assert oe1.data(MATCH_ROLE) is True
    assert oe1.data(Qt.ItemDataRole.FontRole).bold()
    si = win.model.index_of_sor_id(tiny.SI)
    assert si.data(MATCH_ROLE) is False  # an ancestor kept for context, not a match
    qtbot.keyClick(win.search, Qt.Key.Key_Escape)
    assert win.search.text() == "" and win.model.filter_text == ""
    assert win.tree_pane.count.text() == ""
    assert win.model.rowCount() == 2
    assert win.model.sor_id_of(win.tree.currentIndex()) == tiny.OE1  # selection kept
    # the path to the selection stays open
    assert win.tree.isExpanded(win.model.index_of_sor_id(tiny.IE))
    assert win.tree.isExpanded(win.model.index_of_sor_id(tiny.SI))


def test_filter_closes_the_branches_it_opened(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.tree.collapseAll()
    win.tree.expand(win.model.index_of_sor_id(tiny.IE2))
    win.focus_search()
    qtbot.keyClicks(win.search, "afdeling")
    qtbot.waitUntil(lambda: win.model.filter_text == "afdeling", timeout=3000)
    assert win.tree.isExpanded(win.model.index_of_sor_id(tiny.SI))  # opened to show matches
    qtbot.keyClick(win.search, Qt.Key.Key_Escape)
    assert not win.tree.isExpanded(win.model.index_of_sor_id(tiny.IE))
    assert win.tree.isExpanded(win.model.index_of_sor_id(tiny.IE2))


def test_a_snapshot_without_history_opens_at_its_date(make_window: Any) -> None:
    win = make_window()
    reg = tiny.tiny_register()
    reg.source.snapshot_date = dt.date(2010, 1, 26)
    assert win.initial_day(reg) == dt.date.today()  # a file with history: today
    reg.source.has_history = False
    assert win.initial_day(reg) == dt.date(2010, 1, 26)


def test_tree_badges_and_child_counts(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    si = win.model.index_of_sor_id(tiny.SI)
    assert si.data(CHILD_COUNT_ROLE) == 3
    assert not si.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert si.siblingAtColumn(1).data(Qt.ItemDataRole.DecorationRole) is None
    assert "SI" in si.data(Qt.ItemDataRole.ToolTipRole)


def test_context_menu_copies(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    clip = QApplication.clipboard()
    win.reveal(tiny.IE)
    win.tree.setFocus()
    win.action_map["copy_id"].trigger()
    assert clip.text() == tiny.IE
    win.action_map["copy_ean"].trigger()
    assert clip.text() == "5790000173624"
    win.reveal(tiny.OE1)  # inherits its EAN from above
    win.action_map["copy_ean"].trigger()
    assert clip.text() == "5790000173624"
    win.action_map["copy_row"].trigger()
    lines = clip.text().splitlines()
    assert len(lines) == 2 and lines[1].split("\t")[1] == tiny.OE1
    for aid in ("copy", "copy_id", "copy_ean", "copy_row", "export_subtree"):
        assert win.action_map[aid] in _menu_actions(act.TREE_CONTEXT_MENU, win)


def _menu_actions(ids: tuple[str, ...], win: MainWindow) -> list[Any]:
    return [win.action_map[i] for i in ids if i != "-"]


def test_export_subtree_writes_the_expected_rows(qtbot: Any, tmp_path: Path) -> None:
    from ui.widgets.export_dialog import ExportDialog

    reg = tiny.tiny_register()
    dlg = ExportDialog(
        reg, dt.date(2018, 6, 1), [tiny.SI], str(tmp_path), scope="subtree", language="da"
    )
    qtbot.addWidget(dlg)
    assert dlg.scope_subtree.isChecked()
    assert dlg.options() == {
        "fmt": "csv-excel",
        "include_all": False,
        "stamp": True,
        "naming": "strict",
        "subtree": tiny.SI,
    }
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.start_export()
    import csv

    text = Path(dlg.written).read_text(encoding="utf-8-sig")
    header, *lines = list(csv.reader(text.splitlines(), delimiter=";"))
    sor_col = header.index("SorId")
    # CSV for Excel writes ids as ="…", so a spreadsheet keeps every digit
    assert all(line[sor_col].startswith('="') for line in lines)
    ids = [line[sor_col].removeprefix("=").strip('"') for line in lines]
    assert sorted(ids) == sorted([tiny.SI, tiny.OE1, tiny.OE2, tiny.OE3])
    assert dlg.count == 4
    assert "2018-06-01" in dlg.written


def test_language_switch_covers_menus_docks_and_status(
    qtbot: Any, tmp_path: Path, file: str
) -> None:
    win = MainWindow(settings=st.Settings(str(tmp_path / "l.ini")), loader=tiny_loader)
    qtbot.addWidget(win)
    open_and_wait(qtbot, win, file)
    titles = [m.title() for m in win.menus.values()]
    assert titles[0] == "&Filer"
    assert win.action_map["open"].text() == "&Åbn..."
    win.action_map["lang_en"].trigger()
    assert next(m.title() for m in win.menus.values()) == "&File"
    assert win.action_map["open"].text() == "&Open..."
    assert win.units_label.text().endswith("units on 01-06-2018")
    assert "warnings" in win.warnings_button.text()
    if win.docks:
        dock_titles = {d.windowTitle() for d in win.docks}
        assert "Details" in dock_titles or "Overview" in dock_titles
        win.action_map["lang_da"].trigger()
        dock_titles = {d.windowTitle() for d in win.docks}
        assert "Detaljer" in dock_titles or "Overblik" in dock_titles


def test_settings_round_trip_in_a_temp_folder(qapp: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QByteArray

    path = str(tmp_path / "conf" / "sorviewer.ini")
    s = st.Settings(path)
    assert s.get(st.LANGUAGE) == "da" and s.get(st.RECENT_FILES) == []
    s.set(st.LANGUAGE, "en")
    s.set(st.SHOW_CLOSED, True)
    s.set(st.AS_OF_CHOICE, "last")
    s.set(st.LAST_AS_OF, "2020-02-29")
    s.set(st.TREE_HEADER, QByteArray(b"\x00\x01header"))
    s.add_recent(str(tmp_path / "a.zip"))
    s.add_recent(str(tmp_path / "b.zip"))
    s.add_recent(str(tmp_path / "a.zip"))
    s.sync()
    again = st.Settings(path)
    assert again.get(st.LANGUAGE) == "en"
    assert again.get(st.SHOW_CLOSED) is True
    assert again.get(st.AS_OF_CHOICE) == "last"
    assert again.get(st.LAST_AS_OF) == "2020-02-29"
    assert bytes(again.get(st.TREE_HEADER).data()) == b"\x00\x01header"
    assert again.recent_files() == [str(tmp_path / "a.zip"), str(tmp_path / "b.zip")]
    assert again.path == path
    with pytest.raises(KeyError):
        again.get(st.Setting("nope", str, ""))


def test_default_settings_live_in_the_platformdirs_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert st.default_path().startswith(str(tmp_path))


def test_window_layout_survives_a_restart(qtbot: Any, make_window: Any, file: str) -> None:
    win = make_window()
    open_and_wait(qtbot, win, file)
    win.tree.header().resizeSection(1, 222)
    win.close()
    again = make_window()
    assert again.tree.header().sectionSize(1) == 222


def test_crash_is_logged_to_the_user_log_folder(
    monkeypatch: pytest.MonkeyPatch, qapp: Any, tmp_path: Path
) -> None:
    import sys

    from ui import app, logs
    from ui.widgets.error_dialog import ErrorDialog

    shown: list[ErrorDialog] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: shown.append(self) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(st, "log_dir", lambda: str(tmp_path / "logs"))
    log = logs.setup_logging()
    try:
        app.install_excepthook()
        try:
            raise ValueError("kaboom")
        except ValueError as exc:
            sys.excepthook(ValueError, exc, exc.__traceback__)
    finally:
        logs.teardown_logging()
    assert log == str(tmp_path / "logs" / "sorviewer.log")
    text = (tmp_path / "logs" / "sorviewer.log").read_text(encoding="utf-8")
    assert "ValueError: kaboom" in text and "Traceback" in text
    # the dialog says it is the program's error, names the log file, offers the details
    assert len(shown) == 1
    assert "fejl i programmet" in shown[0].message.text()
    assert "ikke en fejl i din fil" in shown[0].message.text()
    assert log in shown[0].message.text()
    assert "ValueError: kaboom" in shown[0].details


@OFFSCREEN_NOISE
def test_docks_are_built_after_the_first_paint(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.widgets.history_panel import HistoryPanel

    win = MainWindow(settings=st.Settings(str(tmp_path / "d.ini")), panels=(HistoryPanel,))
    qtbot.addWidget(win)
    assert win.docks == []
    win.show()
    qtbot.waitUntil(lambda: len(win.docks) == 1, timeout=5000)
    assert win.docks[0].objectName() == "dock_HistoryPanel"
    assert win.docks[0].isHidden()  # the start page shows no panels


@OFFSCREEN_NOISE
def test_keyboard_and_scrolling_reach_every_top_row(
    qtbot: Any, make_window: Any, file: str, generated_zip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tree hands the view its top rows a chunk at a time; scrolling to the end,
    revealing a unit, type-ahead, End and select-all still reach all of them."""
    import sorviewer
    from ui.models import tree_model

    monkeypatch.setattr(tree_model, "TOP_CHUNK", 60)  # taller than the view, as 1000 is
    reg = sorviewer.load(generated_zip, use_cache=False)
    win = make_window(loader=lambda path, progress, cancelled: reg)
    win.resize(900, 700)
    win.show()
    open_and_wait(qtbot, win, file)
    model, tree = win.model, win.tree
    roots = model.snapshot().roots().tolist()
    assert len(roots) > 150
    assert model.rowCount() == 60
    # scrolled to the end, the view asks for the next chunk
    bar = tree.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=3000)
    bar.setValue(bar.maximum())
    assert model.rowCount() == 120

    def back_to_one_chunk() -> None:
        tree.collapseAll()
        tree.setCurrentIndex(model.index(0, 0))
        model.set_filter("zzz")
        model.set_filter("")
        assert model.rowCount() == 60

    # arrows move between rows; End goes to the very last top row
    tree.setFocus()
    tree.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert model.entity_of(tree.currentIndex()) == roots[1]
    qtbot.keyClick(tree, Qt.Key.Key_End)
    assert model.entity_of(tree.currentIndex()) == roots[-1]
    # a unit under the last root is revealed and selected
    back_to_one_chunk()
    snap = model.snapshot()
    last_with_kids = next(r for r in reversed(roots) if len(snap.children(r)))
    kid = int(snap.children(last_with_kids)[0])
    assert win.reveal(str(reg.ids[kid]))
    assert model.entity_of(tree.currentIndex()) == kid
    # type-ahead finds a unit whose name is unique among the roots, far down the list
    back_to_one_chunk()
    names = [model.entity_values(r)[0] for r in roots]
    target = next(i for i in range(len(roots) - 1, 0, -1) if names.count(names[i]) == 1)
    tree.keyboardSearch(names[target])
    assert model.entity_of(tree.currentIndex()) == roots[target]
    # select all covers every top row
    back_to_one_chunk()
    tree.selectAll()
    assert len(tree.selectionModel().selectedRows(0)) == len(roots)


# --- the tree's name column and the dock tabs across a restart ---------------------------


def _panels_window(qtbot: Any, tmp_path: Path, ini: str = "w.ini") -> MainWindow:
    """A shown 1024 px window with every panel docked (real panels, tiny register)."""
    win = MainWindow(settings=st.Settings(str(tmp_path / ini)), loader=tiny_loader)
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    qtbot.waitUntil(lambda: len(win.docks) > 3, timeout=10000)
    return win


@OFFSCREEN_NOISE
def test_tree_name_column_keeps_its_room(qtbot: Any, tmp_path: Path, file: str) -> None:
    win = _panels_window(qtbot, tmp_path)
    open_and_wait(qtbot, win, file)
    tree, header = win.tree, win.tree.header()

    def fitted() -> bool:
        return tree.columnWidth(0) >= tree.name_min_width()

    qtbot.waitUntil(fitted, timeout=3000)
    assert tree.name_min_width() >= 220
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    # the others gave way first: everything still fits beside the docks, no scrolling
    total = sum(header.sectionSize(c) for c in range(header.count()))
    assert total <= tree.viewport().width()
    assert header.sectionSize(3) < tree.wanted_widths[3]
    # a saved state with a stretched name column and a wide type column (as the window
    # saved before): after a restart the name column still does not collapse
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.resizeSection(3, 420)
    win.close()
    again = _panels_window(qtbot, tmp_path)
    open_and_wait(qtbot, again, file)
    tree = again.tree
    qtbot.waitUntil(lambda: tree.columnWidth(0) >= tree.name_min_width(), timeout=3000)
    assert tree.header().sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    assert tree.wanted_widths[3] == 420  # the user's width is kept for a wider window
    again.resize(1600, 700)
    qtbot.waitUntil(lambda: tree.header().sectionSize(3) == 420, timeout=3000)
    assert tree.columnWidth(0) >= tree.name_min_width()


def _dock_tab_bars(win: MainWindow) -> list[QTabBar]:
    titles = {d.windowTitle() for d in win.docks}
    return [
        bar
        for bar in win.findChildren(QTabBar)
        if bar.count() and {bar.tabText(i) for i in range(bar.count())} <= titles
    ]


@OFFSCREEN_NOISE
def test_dock_tabs_in_full_and_the_front_one_after_a_restart(
    qtbot: Any, tmp_path: Path, file: str
) -> None:
    win = _panels_window(qtbot, tmp_path)
    open_and_wait(qtbot, win, file)
    history = next(d for d in win.docks if d.objectName() == "dock_HistoryPanel")
    history.raise_()
    qtbot.waitUntil(lambda: win._front_dock is history, timeout=3000)
    win.close()
    again = _panels_window(qtbot, tmp_path)
    open_and_wait(qtbot, again, file)

    def history_in_front() -> bool:
        bars = _dock_tab_bars(again)
        return bool(bars) and any(b.tabText(b.currentIndex()) == "Historik" for b in bars)

    qtbot.waitUntil(history_in_front, timeout=3000)
    assert again._front_dock is not None
    assert again._front_dock.objectName() == "dock_HistoryPanel"
    # the restored layout's tab bars show whole titles ("Overblik", not "Ove…")
    qtbot.waitUntil(
        lambda: all(b.elideMode() == Qt.TextElideMode.ElideNone for b in _dock_tab_bars(again)),
        timeout=3000,
    )
    assert all(b.usesScrollButtons() for b in _dock_tab_bars(again))
    # the start page and back (another file) keep the tab in front
    again.state.set_register(None)
    again._show_start_page()
    again._show_workspace()
    qtbot.waitUntil(history_in_front, timeout=3000)


def test_the_docked_panels_are_named_classes() -> None:
    """The panels are imported by name: renaming or losing one fails here, it is never
    left out quietly."""
    from ui.main_window import default_panels

    classes = default_panels()
    assert [c.__name__ for c in classes] == [
        "OverviewPanel",
        "HistoryPanel",
        "EanEdiPanel",
        "AllFieldsPanel",
        "MappingPanel",
        "EdiPanel",
        "ChangesPanel",
        "DifferencesPanel",
        "FollowedPanel",
    ]
    for i in (0, 1):  # every dock has a title of its own in both languages
        titles = [c.titles[i] for c in classes]
        assert all(titles) and len(set(titles)) == len(titles)


@OFFSCREEN_NOISE
def test_the_cache_is_written_after_the_window_has_the_register_and_can_be_cleared(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_zip: str
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from sorviewer import cache

    root = tmp_path / "register cache"
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(root))
    limit = cache.size_limit()
    win = MainWindow(settings=st.Settings(str(tmp_path / "s.ini")), panels=())
    qtbot.addWidget(win)
    seen: list[bool] = []

    def finished(_path: str, reg: Any) -> None:
        # the window has the register: the cache is not written yet
        seen.append(cache.entries() == [] and reg.cache_key is not None)

    win.load_task.finished.connect(finished)
    with qtbot.waitSignal(win.finish_task.finished, timeout=60000) as blocker:
        assert win.open_path(generated_zip)
    assert seen == [True]
    assert blocker.args[1] is True  # written
    (entry,) = cache.entries()
    assert entry.size > 0
    # File > Cache size: a bound smaller than the entry removes it at once
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (0, True))
    try:
        win.action_map["cache_limit"].trigger()
        assert win.settings.get(st.CACHE_LIMIT_MB) == 0
        assert cache.entries() == []
        cache.set_size_limit(limit)
        # a reopen reads the file again and writes the cache; File > Clear cache empties it
        win.settings.set(st.CACHE_LIMIT_MB, 2000)
        with qtbot.waitSignal(win.finish_task.finished, timeout=60000):
            assert win.open_path(generated_zip)
        assert len(cache.entries()) == 1
        win.action_map["clear_cache"].trigger()
        assert cache.entries() == []
        assert "MB" in win.statusBar().currentMessage()
        assert win.state.register is not None and win.model.rowCount() > 0
    finally:
        cache.set_size_limit(limit)


def test_open_and_compare_ask_for_a_sor_file_in_the_last_folder(
    qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, file: str
) -> None:
    import ui.main_window as mw

    asked: list[tuple[str, str, str, str]] = []
    chosen = [""]

    def fake(_parent: Any, caption: str, start: str, filters: str, lang: str) -> Any:
        asked.append((caption, start, filters, lang))
        return chosen[0], ""

    monkeypatch.setattr(mw, "get_open_file_name", fake)
    win = make_window()
    win.settings.set(st.LAST_DIR, str(tmp_path))
    win.open_file_dialog()  # cancelled: nothing opens
    assert win.state.register is None
    chosen[0] = file
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        win.open_file_dialog()
    opened: list[str] = []
    monkeypatch.setattr(win, "compare_with", opened.append)
    win.compare_file_dialog()
    assert opened == [file]
    assert [a[0] for a in asked] == [
        "Åbn en SOR-fil",
        "Åbn en SOR-fil",
        "Sammenlign med en anden SOR-fil",
    ]
    assert all(a[1] == str(tmp_path) and "*.zip *.csv *.xml" in a[2] for a in asked)
