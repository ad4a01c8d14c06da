"""Comparing the open file with a second download in the window (issue 12): the compare
flow, a failed or cancelled second load, the Differences panel's filters and rows, the
tree's marks, "since last time" and followed units."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from sorviewer import Register
from sorviewer.errors import LoadCancelled, LoadError
from sorviewer.messages import msg
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport
from tests.unit import tiny
from tests.unit.tiny import IE, OE1, OE2, OE3, SI
from ui import settings as st
from ui.comparison import Remembered, read_followed, read_remembered
from ui.main_window import MainWindow
from ui.widgets.diff_panel import DifferencesPanel, export_format
from ui.widgets.followed_panel import FollowedPanel

pytestmark = [
    pytest.mark.qt_log_ignore("propagateSizeHints"),
    pytest.mark.qt_log_ignore("This plugin does not support"),
]

OLD_DAY = dt.date(2021, 1, 1)
NEW_DAY = dt.date(2021, 2, 1)


def _register(day: dt.date, changed: bool, fmt: str = "sor2-zip") -> Register:
    """The tiny register downloaded on `day`; `changed`: OE1 renamed and OE2's street
    changed (its own postal address), on the day before."""
    rows = [dict(r) for r in tiny.ROWS]
    if changed:
        for r in rows:
            if r["SorId"] == OE1:
                r["EntityName"] = "Kardiologi Nord"
            if r["SorId"] == OE2:
                r["PostalAddressInheritanceIndicator"] = "false"
                r["PostalAddressStreetName"] = "Ny Vej 9"
                r["PostalAddressPostCodeId"] = "8200"
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables={},
        source=SourceInfo(path="tiny", format=fmt, snapshot_date=day, has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    out = {}
    for name in ("old", "new", "bad", "xml", "slow"):
        p = tmp_path / f"{name}.zip"
        p.write_text(f"not read: the tests inject their loader ({name})\n", encoding="utf-8")
        out[name] = str(p)
    return out


def loader(path: str, progress: Any, cancelled: Any) -> Any:
    name = Path(path).stem
    progress(1000, 1000)
    if name == "bad":
        raise LoadError(msg("load.damaged", name="bad.zip"))
    if name == "xml":
        return _register(NEW_DAY, True, fmt="sor-xml")
    return _register(OLD_DAY if name == "old" else NEW_DAY, name != "old")


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> MainWindow:
    win = MainWindow(
        settings=st.Settings(str(tmp_path / "s.ini")),
        loader=loader,
        panels=(DifferencesPanel, FollowedPanel),
    )
    said: list[str] = []
    win.said = said  # type: ignore[attr-defined]
    win.error = said.append  # type: ignore[method-assign,assignment]
    qtbot.addWidget(win)
    win.state.set_language("en")
    win.show()
    win.ensure_docks()
    return win


def errors(win: MainWindow) -> list[str]:
    """The sentences the window said to the user."""
    said: list[str] = win.said  # type: ignore[attr-defined]
    return said


def _open(qtbot: Any, win: MainWindow, path: str) -> None:
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        assert win.open_path(path)


def _compare(qtbot: Any, win: MainWindow, path: str) -> None:
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        assert win.compare_with(path)


def _panel(win: MainWindow) -> DifferencesPanel:
    panel = win.panels["DifferencesPanel"]
    assert isinstance(panel, DifferencesPanel)
    panel.wait()
    return panel


def _rows(panel: DifferencesPanel) -> list[tuple[Any, ...]]:
    return [panel.table.records.record(r) for r in range(panel.table.records.rowCount())]


def test_compare_with_a_second_file_shows_the_differences_and_marks_the_tree(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    reg = win.state.register
    assert reg is not None
    assert not win.action_map["close_compare"].isEnabled()
    _compare(qtbot, win, files["old"])
    comp = win.state.comparison
    assert comp is not None and win.state.register is reg
    # the chosen file has the older snapshot: it is OLD, the open file NEW
    assert not comp.open_is_old
    assert comp.old_path == files["old"] and comp.new_path == files["new"]
    assert comp.diff.old.day == OLD_DAY and comp.diff.new.day == NEW_DAY
    panel = _panel(win)
    assert panel.stack.currentIndex() == 1
    assert "old.zip" in panel.caption.text() and "new.zip" in panel.caption.text()
    rows = _rows(panel)
    renamed = [r for r in rows if r[0] == "Renamed"]
    assert [(r[1], r[2], r[5]) for r in renamed] == [(OE1, "Kardiologi Nord", "Kardiologi Nord")]
    # a changed unit: one row per changed column, old -> new (effective values)
    street = {r[3]: (r[4], r[5]) for r in rows if r[0] == "Changed" and r[1] == OE2}
    assert street["Postal address: street"] == ("Gade 5", "Ny Vej 9")
    assert street["Postal address: postcode"][1] == "8200"
    assert panel.kind_boxes["renamed"].text() == "Renamed (1)"
    # the tree marks the units that differ, and says so in the tooltip
    e1 = reg.entity_index(OE1)
    assert win.model.is_marked(e1) and not win.model.is_marked(reg.entity_index(IE))
    win.state.set_as_of(NEW_DAY)
    win.reveal(OE1)
    idx = win.model.index_of_sor_id(OE1)
    assert "differs between the two compared downloads" in idx.data(Qt.ItemDataRole.ToolTipRole)
    assert win.action_map["close_compare"].isEnabled()
    win.action_map["close_compare"].trigger()
    assert win.state.comparison is None
    assert not win.model.is_marked(e1)
    assert "differs" not in idx.data(Qt.ItemDataRole.ToolTipRole)
    panel.update_now()
    assert panel.stack.currentWidget() is panel.empty


def test_the_language_switch_relabels_the_panel(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    _compare(qtbot, win, files["old"])
    panel = _panel(win)
    win.state.set_language("da")
    panel.wait()
    assert panel.kind_boxes["renamed"].text() == "Omdøbt (1)"
    assert panel.under_box.text() == "Kun under den valgte enhed"
    assert any(r[0] == "Omdøbt" for r in _rows(panel))
    assert panel.table.records.labels()[4] == "Gammel værdi"
    assert win.action_map["compare"].text() == "Sa&mmenlign med..."


def test_a_failed_second_load_leaves_the_first_untouched(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    reg, day = win.state.register, win.state.as_of
    win.reveal(SI)
    with qtbot.waitSignal(win.compare_task.failed, timeout=10000):
        assert win.compare_with(files["bad"])
    assert errors(win) == ["bad.zip is damaged or cut short: it cannot be read."] or (
        len(errors(win)) == 1 and "bad.zip" in errors(win)[0] and errors(win)[0].endswith(".")
    )
    assert win.state.register is reg and win.state.comparison is None
    assert win.state.as_of == day and win.state.current == SI
    assert not win.progress.isVisibleTo(win)
    assert win.action_map["compare"].isEnabled()
    # a file that is not there: one sentence, nothing started
    assert not win.compare_with(files["bad"] + ".gone")
    assert len(errors(win)) == 2 and errors(win)[1].endswith(".")


def test_a_cancelled_second_load_leaves_the_first_untouched(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    started = threading.Event()

    def slow(path: str, progress: Any, cancelled: Any) -> Any:
        if Path(path).stem != "slow":
            return loader(path, progress, cancelled)
        started.set()
        for _ in range(500):
            if cancelled():
                raise LoadCancelled()
            threading.Event().wait(0.01)
        raise AssertionError("never cancelled")

    win = window
    win.loader = slow
    _open(qtbot, win, files["new"])
    reg = win.state.register
    with qtbot.waitSignal(win.compare_task.cancelled, timeout=10000):
        assert win.compare_with(files["slow"])
        assert started.wait(5)
        # the first file stays usable while the second loads
        assert win.reveal(OE3) and win.state.current == OE3
        assert not win.compare_with(files["old"])  # one at a time
        win.cancel_button.click()
    assert win.state.register is reg and win.state.comparison is None
    assert len(errors(win)) == 1 and "comparison is not finished" in errors(win)[0]


def test_filters_narrow_the_rows_and_a_row_selects_the_unit_in_the_tree(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    _compare(qtbot, win, files["old"])
    panel = _panel(win)
    all_rows = _rows(panel)
    assert {r[0] for r in all_rows} >= {"Renamed", "Changed"}
    panel.kind_boxes["changed"].setChecked(False)
    panel.wait()
    assert {r[0] for r in _rows(panel)} == {r[0] for r in all_rows} - {"Changed"}
    assert panel.kind_boxes["changed"].isChecked() is False
    panel.kind_boxes["changed"].setChecked(True)
    # text: the core's rule (folded, any field)
    panel.text_edit.setText("ny vej")
    panel._text_timer.timeout.emit()
    panel.wait()
    rows = _rows(panel)
    assert rows and all(r[1] == OE2 for r in rows)
    assert panel.kind_boxes["renamed"].text() == "Renamed (0 of 1)"
    assert panel.kind_boxes["changed"].text() == "Changed (1)"
    panel.text_edit.clear()
    panel._text_timer.timeout.emit()
    # under the selected unit: OE2 hangs under OE1; it follows the selection
    win.state.set_as_of(NEW_DAY)
    win.reveal(OE2)
    panel.under_box.setChecked(True)
    panel.wait()
    assert {r[1] for r in _rows(panel)} == {OE2}
    win.reveal(OE1)
    panel.wait()
    assert {r[1] for r in _rows(panel)} == {OE1, OE2}
    assert panel.under_box.text() == "Only under the selected unit: Kardiologi Nord"
    # selecting a row of the table keeps the rows (the unit they are under stays)
    panel.table.select_source_row(next(i for i, r in enumerate(_rows(panel)) if r[1] == OE2))
    panel.wait()
    assert win.state.current == OE2 and {r[1] for r in _rows(panel)} == {OE1, OE2}
    win.reveal(OE3)
    panel.wait()
    assert _rows(panel) == []
    panel.under_box.setChecked(False)
    panel.wait()
    # a row selects its unit in the tree, at the newer file's date
    win.state.set_as_of(dt.date(2016, 6, 1))
    row = next(i for i, r in enumerate(_rows(panel)) if r[1] == OE2)
    panel.table.select_source_row(row)
    assert win.state.as_of == NEW_DAY
    assert win.state.current == OE2
    assert win.model.sor_id_of(win.tree.currentIndex()) == OE2
    # copy: the selected row with the header
    panel.table.copy_selection()
    from PySide6.QtGui import QGuiApplication

    clip = QGuiApplication.clipboard().text().splitlines()
    assert clip[0].split("\t")[:3] == ["Difference", "SOR id", "Name"]
    assert OE2 in clip[1]


def test_export_writes_the_rows_shown(
    qtbot: Any, window: MainWindow, files: dict[str, str], tmp_path: Path
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    _compare(qtbot, win, files["old"])
    panel = _panel(win)
    panel.kind_boxes["changed"].setChecked(False)
    out = tmp_path / "d.csv"
    with qtbot.waitSignal(panel.export_job.finished, timeout=10000):
        panel.export(str(out), export_format(str(out)))
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].split(";")[:3] == ["kind", "sor_id", "name"]
    assert "renamed" in text and "Kardiologi Nord" in text and "changed" not in text
    assert export_format("x.json") == "json" and export_format("x", "Excel (*.xlsx)") == "xlsx"


def test_swapping_old_and_new_says_the_dates_run_backwards(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    _compare(qtbot, win, files["old"])
    panel = _panel(win)
    assert not panel.note.isVisibleTo(panel)
    with qtbot.waitSignal(panel.swap_job.finished, timeout=10000):
        panel.swap_button.click()
    comp = win.state.comparison
    assert comp is not None and comp.open_is_old
    panel.wait()
    assert panel.note.isVisibleTo(panel) and "backwards" in panel.note.text()


def test_since_last_time_offers_the_changes_of_a_newer_download_of_the_same_kind(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    assert not win.since_bar.isVisibleTo(win)  # nothing remembered yet
    rec = read_remembered(win.settings.get(st.LAST_DOWNLOADS))["sor2-zip"]
    assert rec.snapshot == OLD_DAY and rec.key and rec.path == files["old"]
    _open(qtbot, win, files["new"])
    assert win.since_bar.isVisibleTo(win)
    assert win.since_bar.label.text() == "Show what changed since the download of 01-01-2021"
    win.state.set_language("da")
    assert win.since_bar.label.text() == "Vis hvad der er ændret siden udtrækket fra 01-01-2021"
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        win.since_bar.show_button.click()
    comp = win.state.comparison
    assert comp is not None and comp.old_path == files["old"] and not comp.open_is_old
    assert not win.since_bar.isVisibleTo(win)
    assert _rows(_panel(win))
    # another kind of file is remembered on its own; the same file again offers nothing
    _open(qtbot, win, files["xml"])
    assert not win.since_bar.isVisibleTo(win)
    assert set(read_remembered(win.settings.get(st.LAST_DOWNLOADS))) == {"sor2-zip", "sor-xml"}
    _open(qtbot, win, files["new"])
    assert not win.since_bar.isVisibleTo(win)


def test_since_last_time_says_so_when_the_old_download_is_gone(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    _open(qtbot, win, files["new"])
    Path(files["old"]).write_text("replaced by another file\n", encoding="utf-8")
    offered = win.since_bar.offered
    assert isinstance(offered, Remembered)
    with qtbot.waitSignal(win.compare_task.failed, timeout=10000):
        win.since_bar.show_button.click()
    assert len(errors(win)) == 1 and "neither in the cache nor where it was" in errors(win)[0]
    assert win.state.comparison is None


def test_remembering_can_be_turned_off(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    win.action_map["remember_downloads"].setChecked(False)
    assert win.settings.get(st.LAST_DOWNLOADS) == ""
    _open(qtbot, win, files["new"])
    assert not win.since_bar.isVisibleTo(win)
    assert win.settings.get(st.LAST_DOWNLOADS) == ""


def test_followed_units_are_listed_first(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    win.state.set_as_of(NEW_DAY)
    win.reveal(OE2)
    win.action_map["follow"].trigger()
    assert win.state.followed == {OE2: False}
    assert read_followed(win.settings.get(st.FOLLOWED)) == {OE2: False}
    _compare(qtbot, win, files["old"])
    panel = _panel(win)
    rows = _rows(panel)
    assert rows[0][1] == OE2
    assert panel.followed_label.text() == "1 followed unit changed; listed first."
    assert panel.table.records.data(
        panel.table.records.index(0, 0), Qt.ItemDataRole.FontRole
    ).bold()
    # a followed subtree covers the units under it
    win.reveal(SI)
    win.action_map["unfollow"].trigger()  # SI is not followed: nothing changes
    assert win.state.followed == {OE2: False}
    win.action_map["follow_subtree"].trigger()
    panel.wait()
    assert panel.followed_label.text() == "2 followed units changed; listed first."
    assert {r[1] for r in _rows(panel)[:2]} >= {OE1}
    win.reveal(OE2)
    win.action_map["unfollow"].trigger()
    assert win.state.followed == {SI: True}


def test_the_followed_list_shows_which_followed_units_changed(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    win.state.set_as_of(NEW_DAY)
    followed = win.panels["FollowedPanel"]
    assert isinstance(followed, FollowedPanel)
    dock = win.findChild(type(win.docks[0]), "dock_FollowedPanel")
    assert dock is not None and dock.isHidden()  # closed until something is followed
    for sid in (OE3, OE2):
        win.reveal(sid)
        win.action_map["follow"].trigger()
    assert not dock.isHidden()
    followed.update_now()
    table = followed.table.records
    assert {table.record(r)[0] for r in range(table.rowCount())} == {OE2, OE3}
    assert followed.caption.text().startswith("2 followed.")
    _compare(qtbot, win, files["old"])
    followed.update_now()
    # the changed one first, with its count of differing units
    assert table.record(0)[:2] == (OE2, "1")
    assert table.record(1)[:2] == (OE3, "0")
    assert followed.caption.text() == (
        "1 of 2 followed have differences in the comparison; 1 unit in all."
    )
    # a row selects the unit; Unfollow removes it from the list and the settings
    followed.table.select_source_row(1)
    assert win.state.current == OE3
    followed.unfollow_button.click()
    assert win.state.followed == {OE2: False}
    assert read_followed(win.settings.get(st.FOLLOWED)) == {OE2: False}


def test_with_followed_units_the_bar_says_how_many_changed(
    qtbot: Any, window: MainWindow, files: dict[str, str], sync_tasks: None
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    win.state.set_followed({OE2: False, OE3: False, SI: True})
    _open(qtbot, win, files["new"])
    # compared ahead (inline here): OE2 and OE1 (under SI) changed, OE3 did not
    assert win.since_bar.followed_changed == 2
    assert win.since_bar.label.text() == (
        "Show what changed since the download of 01-01-2021 · 2 followed units changed"
    )
    win.since_bar.show_button.click()  # taken as made: no second load
    comp = win.state.comparison
    assert comp is not None and comp.old_path == files["old"]
    panel = _panel(win)
    rows = _rows(panel)
    mine = [i for i, r in enumerate(rows) if r[1] in (OE1, OE2)]
    assert mine == list(range(len(mine))) and {rows[i][1] for i in mine} == {OE1, OE2}
    assert panel.followed_label.text() == "2 followed units changed; listed first."
    # dismissing an offer lets go of what was made ahead
    _open(qtbot, win, files["old"])
    _open(qtbot, win, files["new"])
    assert win._since_ready is not None
    win.since_bar.close_button.click()
    assert win._since_ready is None and not win.since_bar.isVisibleTo(win)


def test_recent_files_are_offered_to_compare_with(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    _open(qtbot, win, files["new"])
    # the menu and the Differences panel's empty page list the other recent files
    assert win.compare_candidates() == [files["old"]]
    win._fill_compare_recent_menu()
    actions = win.compare_recent_menu.actions()
    assert [a.text() for a in actions] == ["old.zip"]
    panel = win.panels["DifferencesPanel"]
    assert isinstance(panel, DifferencesPanel)
    assert panel.recent.count() == 1
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        panel._on_recent_activated(panel.recent.item(0))
    comp = win.state.comparison
    assert comp is not None and comp.other_path == files["old"]
    # while the second file loads, no other file is opened over it
    win.close_comparison()
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        actions[0].trigger()
    assert win.state.comparison is not None


def test_the_open_file_is_old_when_the_chosen_one_is_newer(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    _compare(qtbot, win, files["new"])
    comp = win.state.comparison
    assert comp is not None and comp.open_is_old
    assert comp.old_path == files["old"] and comp.new_path == files["new"]
    panel = _panel(win)
    assert "old.zip" in panel.caption.text().splitlines()[0]
    assert panel.caption.text().splitlines()[0].endswith("the open file")
    assert not panel.note.isVisibleTo(panel)  # the dates run forwards: no note
    # the old file's tree, at the newer file's date, selects the renamed unit
    row = next(i for i, r in enumerate(_rows(panel)) if r[0] == "Renamed")
    panel.table.select_source_row(row)
    assert win.state.as_of == NEW_DAY and win.state.current == OE1
    assert win.model.sor_id_of(win.tree.currentIndex()) == OE1


def test_since_last_time_reads_the_old_download_from_its_cache(
    qtbot: Any, window: MainWindow, files: dict[str, str]
) -> None:
    """Today's download saved over last month's under the same name: the comparison
    still opens, from the cache, without reading any file again."""
    from sorviewer.cache import write_cache

    win = window
    _open(qtbot, win, files["old"])
    rec = read_remembered(win.settings.get(st.LAST_DOWNLOADS))["sor2-zip"]
    assert rec.key is not None
    reg_old = win.state.register
    assert reg_old is not None
    # what `sorviewer.load` does after reading a file (the test's loader does not)
    assert write_cache(rec.key, reg_old)
    Path(files["old"]).write_text("today's download, saved over last month's\n", encoding="utf-8")
    read: list[str] = []

    def counting(path: str, progress: Any, cancelled: Any) -> Any:
        read.append(Path(path).stem)
        # the file at the old path now holds the newer download
        return loader(files["new"] if Path(path).stem == "old" else path, progress, cancelled)

    win.loader = counting
    _open(qtbot, win, files["old"])
    assert win.since_bar.isVisibleTo(win) and read == ["old"]
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        win.since_bar.show_button.click()
    comp = win.state.comparison
    assert comp is not None and read == ["old"]  # no file read for the comparison
    assert comp.diff.old.snapshot_date == OLD_DAY and comp.diff.new.snapshot_date == NEW_DAY
    assert comp.diff.counts()["renamed"] == 1


def _held_second_step(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold `diff.finish` (the comparison's second step) until released: (reached,
    release)."""
    import sorviewer.diff as diff_mod

    reached, release = threading.Event(), threading.Event()
    real = diff_mod.finish

    def held(d: Any, cancelled: Any = None) -> Any:
        reached.set()
        assert release.wait(10)
        return real(d, cancelled)

    monkeypatch.setattr(diff_mod, "finish", held)
    return reached, release


def _cancel_second_step(qtbot: Any, win: MainWindow, release: threading.Event) -> None:
    """The status bar's Cancel while the second step is held, then let it run out."""
    with qtbot.waitSignal(win.compare_task.cancelled, timeout=10000):
        win.cancel_button.click()
        release.set()


def test_the_unit_lists_show_first_and_the_rest_follows(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, release = _held_second_step(monkeypatch)
    win = window
    _open(qtbot, win, files["new"])
    with qtbot.waitSignal(win.compare_task.partial, timeout=10000):
        assert win.compare_with(files["old"])
    assert reached.wait(5)
    comp = win.state.comparison
    assert comp is not None and not comp.complete and win.compare_task.running
    panel = _panel(win)
    # the unit lists are there; the kinds still being compared say so, and nothing
    # that would leave them out can be copied whole or exported
    assert panel.kind_boxes["renamed"].text() == "Renamed (1)"
    for kind, label in (("changed", "Changed"), ("shak", "SHAK"), ("ean_edi", "EAN/EDI")):
        assert panel.kind_boxes[kind].text() == f"{label} (…)"
    assert "still being compared" in panel.count_label.text()
    assert not panel.export_button.isEnabled() and not panel.copy_button.isEnabled()
    assert not panel.swap_button.isEnabled()
    assert panel.note.isHidden()  # never "no differences" before the end
    assert not any(r[0] == "Changed" for r in _rows(panel))
    renamed = next(n for n, r in enumerate(_rows(panel)) if r[0] == "Renamed")
    panel.table.select_source_row(renamed)
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        release.set()
    panel = _panel(win)
    whole = win.state.comparison
    assert whole is not None and whole.complete and whole.current is comp.current
    assert any(r[0] == "Changed" and r[1] == OE2 for r in _rows(panel))
    assert panel.kind_boxes["changed"].text() == f"Changed ({whole.diff.counts()['changed']})"
    assert "still being compared" not in panel.count_label.text()
    assert panel.export_button.isEnabled() and panel.copy_button.isEnabled()
    # the row the user was on is still the current one
    current = panel.table.source_row(panel.table.currentIndex())
    assert _rows(panel)[current][0] == "Renamed" and _rows(panel)[current][1] == OE1


def test_a_comparison_cancelled_in_its_second_step_is_not_kept_half_done(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, release = _held_second_step(monkeypatch)
    win = window
    _open(qtbot, win, files["new"])
    reg = win.state.register
    with qtbot.waitSignal(win.compare_task.partial, timeout=10000):
        assert win.compare_with(files["old"])
    assert reached.wait(5)
    assert win.state.comparison is not None
    _cancel_second_step(qtbot, win, release)
    assert win.state.comparison is None and win.state.register is reg
    assert not win.progress.isVisibleTo(win)
    assert win.action_map["compare"].isEnabled()


def _start_held(qtbot: Any, win: MainWindow, path: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Start comparing with `path` and wait until its first step is shown and its second
    held; returns the event that releases the second step."""
    reached, release = _held_second_step(monkeypatch)
    with qtbot.waitSignal(win.compare_task.partial, timeout=10000):
        assert win.compare_with(path)
    assert reached.wait(5)
    return release


def test_the_panel_s_close_during_the_second_step_sticks(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    release = _start_held(qtbot, win, files["old"], monkeypatch)
    _panel(win).close_button.click()
    assert win.state.comparison is None
    with qtbot.waitSignal(win.compare_task.cancelled, timeout=10000):
        release.set()
    assert win.state.comparison is None


def test_a_second_step_cancelled_from_the_since_bar_keeps_the_offer(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    win = window
    _open(qtbot, win, files["old"])
    _open(qtbot, win, files["new"])
    offered = win.since_bar.offered
    assert offered is not None
    reached, release = _held_second_step(monkeypatch)
    with qtbot.waitSignal(win.compare_task.partial, timeout=10000):
        win.since_bar.show_button.click()
    assert reached.wait(5)
    assert not win.since_bar.isVisibleTo(win)  # hidden while the comparison is shown
    _cancel_second_step(qtbot, win, release)
    assert win.state.comparison is None
    assert win.since_bar.offered is offered and win.since_bar.isVisibleTo(win)
    # closed by the user during the second step: the offer comes back too
    reached.clear()
    release.clear()
    with qtbot.waitSignal(win.compare_task.partial, timeout=10000):
        win.since_bar.show_button.click()
    assert reached.wait(5) and not win.since_bar.isVisibleTo(win)
    with qtbot.waitSignal(win.compare_task.cancelled, timeout=10000):
        win.action_map["close_compare"].trigger()
        release.set()
    assert win.state.comparison is None
    assert win.since_bar.offered is offered and win.since_bar.isVisibleTo(win)


def test_a_cancelled_second_step_gives_back_the_comparison_it_replaced(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    _compare(qtbot, win, files["old"])
    before = win.state.comparison
    assert before is not None and before.complete
    release = _start_held(qtbot, win, files["xml"], monkeypatch)
    assert win.state.comparison is not before
    _cancel_second_step(qtbot, win, release)
    assert win.state.comparison is before
    assert win.model.is_marked(win.state.register.entity_index(OE1))  # type: ignore[union-attr]


def test_the_followed_panel_waits_for_the_whole_comparison(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    win = window
    _open(qtbot, win, files["new"])
    win.state.set_as_of(NEW_DAY)
    followed = win.panels["FollowedPanel"]
    assert isinstance(followed, FollowedPanel)
    win.reveal(OE2)
    win.action_map["follow"].trigger()  # OE2: only its street changed (a later kind)
    release = _start_held(qtbot, win, files["old"], monkeypatch)
    followed.update_now()
    assert "not finished yet" in followed.caption.text()
    assert followed.table.records.record(0)[1] == ""  # no count rather than a false 0
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        release.set()
    followed.update_now()
    assert followed.caption.text().startswith("1 of 1 followed have differences")
    assert followed.table.records.record(0)[1] not in ("", "0")


def test_the_whole_comparison_leaves_focus_selection_and_date_alone(
    qtbot: Any, window: MainWindow, files: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    win = window
    win.activateWindow()
    _open(qtbot, win, files["new"])
    release = _start_held(qtbot, win, files["old"], monkeypatch)
    panel = _panel(win)
    renamed = next(n for n, r in enumerate(_rows(panel)) if r[0] == "Renamed")
    panel.table.select_source_row(renamed)  # the user reads a row: the tree at OE1
    assert win.state.current == OE1 and win.state.as_of == NEW_DAY
    win.state.set_as_of(OLD_DAY)  # then looks elsewhere, at another day
    win.reveal(IE)
    panel.text_edit.setFocus()  # and types in the panel's filter
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.text_edit, timeout=2000)
    with qtbot.waitSignal(win.compare_task.finished, timeout=10000):
        release.set()
    panel = _panel(win)
    assert (win.state.current, win.state.as_of) == (IE, OLD_DAY)
    assert QApplication.focusWidget() is panel.text_edit
    # the tree marks now include the later kinds (OE2's street)
    reg = win.state.register
    assert reg is not None and win.model.is_marked(reg.entity_index(OE2))
