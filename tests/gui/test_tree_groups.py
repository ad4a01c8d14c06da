"""The window's tree with its top level grouped by owner type: reveal, filter as you type,
date moves, copying, and the View menu's switch remembered across a restart."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QGuiApplication

from ui import settings as st
from ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

DAY = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def generated() -> Any:
    import sorviewer
    from sorviewer import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gen.zip")
        synthetic.generate(path, entities=1500, seed=5)
        return sorviewer.load(path, use_cache=False)


def open_window(qtbot: Any, tmp_path: Path, reg: Any, group: str = "on") -> MainWindow:
    settings = st.Settings(str(tmp_path / "w.ini"))
    settings.set(st.GROUP_TOP, group)
    win = MainWindow(settings=settings, loader=lambda path, progress, cancelled: reg, panels=())
    qtbot.addWidget(win)
    path = tmp_path / "Sor_complete.zip"
    path.write_bytes(b"")
    with qtbot.waitSignal(win.load_task.finished, timeout=20000):
        win.open_path(str(path))
    win.state.set_as_of(DAY)
    return win


def deep_unit(reg: Any) -> int:
    """A unit two levels below a private owner."""
    snap = reg.snapshot(DAY)
    for root in snap.roots().tolist():
        for kid in snap.children(root).tolist():
            grand = snap.children(kid)
            if len(grand):
                return int(grand[0])
    raise AssertionError("no unit two levels down")


def test_reveal_filter_and_dates_work_through_the_groups(
    qtbot: Any, tmp_path: Path, generated: Any
) -> None:
    win = open_window(qtbot, tmp_path, generated)
    model, tree = win.model, win.tree
    assert model.grouped and win.action_map["group_top"].isChecked()
    e = deep_unit(generated)
    sid = str(generated.ids[e])
    # reveal (a link in the Overview, the search) opens the groups on the way
    assert win.reveal(sid)
    cur = tree.currentIndex()
    assert model.sor_id_of(cur) == sid and win.state.current == sid
    path = model.ancestors(e)
    assert model.is_group(path[0]) and all(tree.isExpanded(a) for a in path)
    # a date move keeps the selection and the open groups
    opened = [QPersistentModelIndex(a) for a in path]
    win.state.set_as_of(DAY + dt.timedelta(days=20))
    assert model.sor_id_of(tree.currentIndex()) == sid
    assert all(p.isValid() and tree.isExpanded(QModelIndex(p)) for p in opened)
    # filter as you type: the match with its groups and ancestors; Esc brings the tree back
    groups = model.rowCount()
    win.search.setText(sid)
    win._on_search_timer_timeout()
    assert len(model.matches) == 1 and model.rowCount() == 1
    assert tree.isExpanded(model.ancestors(e)[0])
    win.clear_filter()
    assert model.sor_id_of(tree.currentIndex()) == sid
    assert model.rowCount() == groups > 2
    # a group row is not a unit: selecting it selects nothing, copying it copies nothing
    QGuiApplication.clipboard().setText("before")
    tree.selectionModel().setCurrentIndex(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert win.state.current == sid
    assert win.selected_sor_ids() == []
    win.copy_selection()
    assert QGuiApplication.clipboard().text() == "before"


def test_the_grouping_switch_is_remembered(qtbot: Any, tmp_path: Path, generated: Any) -> None:
    win = open_window(qtbot, tmp_path, generated, group="auto")
    assert not win.model.grouped  # 1,500 units: about 250 owners, a list that fits
    win.action_map["group_top"].trigger()
    assert win.model.grouped
    win.save_settings()
    assert win.settings.get(st.GROUP_TOP) == "on"
    again = open_window(qtbot, tmp_path, generated, group=win.settings.get(st.GROUP_TOP))
    assert again.model.grouped and again.action_map["group_top"].isChecked()
    again.action_map["group_top"].trigger()
    assert not again.model.grouped and again.settings.get(st.GROUP_TOP) == "off"
