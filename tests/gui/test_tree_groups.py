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
from PySide6.QtWidgets import QApplication

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


def test_scrolling_through_an_open_group_reaches_every_owner(
    qtbot: Any, tmp_path: Path, generated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.models import tree_model
    from ui.models.tree_model import CHILD_COUNT_ROLE

    monkeypatch.setattr(tree_model, "TOP_CHUNK", 20)  # taller than the view, as 1000 is
    win = open_window(qtbot, tmp_path, generated)
    win.resize(900, 600)
    win.show()
    model, tree = win.model, win.tree
    private = next(
        model.index(r, 0) for r in range(model.rowCount()) if model.index(r, 0).data() == "Private"
    )
    tree.expand(private)
    region = max(
        (model.index(r, 0, private) for r in range(model.rowCount(private))),
        key=lambda i: i.data(CHILD_COUNT_ROLE),
    )
    owners = region.data(CHILD_COUNT_ROLE)
    tree.expand(region)
    group = QPersistentModelIndex(region)
    assert model.rowCount(region) == 20 < owners
    bar = tree.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=3000)
    for _ in range(owners):  # scroll down a page at a time, as a user would
        if model.rowCount(QModelIndex(group)) == owners and bar.value() == bar.maximum():
            break
        bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
        QApplication.processEvents()  # the view lays the new rows out from its event loop
    assert model.rowCount(QModelIndex(group)) == owners
