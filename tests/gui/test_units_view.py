"""The Units view: its models, facet counts against the core, columns and saved filters
across a restart, selection in step with the tree, the clipboard's two forms, the
exports it starts (XLSX read back, cancel), and "Vis underenheder i Enheder"."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from sorviewer import find
from sorviewer.find import FACETS, FacetValue, Filters
from sorviewer.ids import make_sor_id
from tests.unit import tiny
from ui import settings as st
from ui.app_state import AppState
from ui.main_window import MainWindow
from ui.models.facet_model import COUNT_ROLE, FacetModel
from ui.models.units_model import (
    DEFAULT_COLUMNS,
    INHERITED_ROLE,
    UnitsModel,
    column_label,
    units_task,
)
from ui.tasks import TaskState
from ui.units_filters import filters_from_dict, filters_to_dict
from ui.widgets import export_dialog
from ui.widgets.column_chooser import ColumnChooser
from ui.widgets.export_dialog import ExportDialog
from ui.widgets.facet_sidebar import FacetSection
from ui.widgets.units_view import UnitsView

#: the offscreen platform says so when a window is shown or raised; not a failure
OFFSCREEN_NOISE = pytest.mark.qt_log_ignore("This plugin does not support")
pytestmark = OFFSCREEN_NOISE

DAY = dt.date(2024, 6, 1)
#: an 18-digit SOR id (the longest there are) and a postcode with a leading zero: what a
#: spreadsheet would turn into 1.23456781000016E+17 and 800
LONG_ID = make_sor_id(12345678)
POSTCODE = "0800"


@pytest.fixture(scope="module")
def generated() -> Any:
    import sorviewer
    from sorviewer import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gen.zip")
        synthetic.generate(path, entities=1500, seed=5)
        return sorviewer.load(path, use_cache=False)


def long_id_register() -> Any:
    """The tiny register with OE3 under an 18-digit id and a visiting postcode 0800."""
    rows = []
    for r in tiny.ROWS:
        r = dict(r)
        if r["SorId"] == tiny.OE3:
            r.update(
                SorId=LONG_ID,
                VisitingAddressInheritanceIndicator="false",
                VisitingAddressPostCodeId=POSTCODE,
                VisitingAddressDistrictName="Høje-Taastrup",
            )
        rows.append(r)
    return tiny.tiny_register(rows)


def make_view(
    qtbot: Any, reg: Any, tmp_path: Path, day: dt.date = DAY, lang: str = "da"
) -> UnitsView:
    state = AppState()
    state.set_as_of(day)
    state.set_language(lang)
    view = UnitsView(state, st.Settings(str(tmp_path / "units.ini")))
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    state.set_register(reg)
    view.wait()
    return view


def shown_facets(view: UnitsView, name: str) -> list[tuple[str, int]]:
    m = view.sidebar.sections[name].model
    return [(m.value_at(r).code, m.index(r).data(COUNT_ROLE)) for r in range(m.rowCount())]


def core_facets(reg: Any, day: dt.date, f: Filters, name: str) -> list[tuple[str, int]]:
    res = find.query(reg, day, f, [name])
    return [(v.code, v.count) for v in res.facet_counts[name]]


# --- the models ------------------------------------------------------------------------------


def test_units_model_passes_the_model_tester(qtmodeltester: Any, generated: Any) -> None:
    model = UnitsModel()
    model.set_register(generated)
    state = TaskState()
    model.set_result(units_task(generated, DAY, Filters(), FACETS, None, state))
    assert model.rowCount() > 500
    qtmodeltester.check(model)
    model.set_result(units_task(generated, DAY, Filters(level=("OE",)), (), None, state))
    model.set_result(units_task(generated, DAY, Filters(), (), ("EanLocationCode", True), state))
    model.set_columns([*DEFAULT_COLUMNS, "ShakIdSource", "Status", "FromDate"])
    model.set_language("en")
    model.set_result(units_task(generated, dt.date(2019, 1, 1), Filters(), (), None, state))
    qtmodeltester.check(model)
    model.set_result(units_task(generated, DAY, Filters(text="zzzqqq"), (), None, state))
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_facet_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = FacetModel()
    model.set_values([FacetValue(str(i), f"værdi {i}", 100 - i) for i in range(40)])
    model.set_checked(["3", "7"])
    qtmodeltester.check(model)
    model.set_search("værdi 1")
    assert model.rowCount() == 11  # 1 and 10-19
    model.toggle(0)
    assert model.checked == {"1", "3", "7"}
    model.set_search("")
    model.set_values([FacetValue("3", "tre", 5)])
    assert model.checked_codes() == ("3", "1", "7")  # unlisted ticks kept, last
    qtmodeltester.check(model)


def test_a_result_keeps_the_selected_unit_by_entity(generated: Any) -> None:
    from PySide6.QtCore import QPersistentModelIndex

    model = UnitsModel()
    model.set_register(generated)
    state = TaskState()
    model.set_result(units_task(generated, DAY, Filters(), (), None, state))
    e = int(model.ents[len(model.ents) // 2])
    kept = QPersistentModelIndex(model.index(model.row_of_entity(e), 2))
    model.set_result(units_task(generated, DAY, Filters(), (), ("SorId", True), state))
    assert kept.isValid() and model.entity_at(kept.row()) == e and kept.column() == 2
    model.set_result(units_task(generated, DAY, Filters(text="zzzqqq"), (), None, state))
    assert not kept.isValid()


# --- the view against the core ---------------------------------------------------------------


def test_rows_counts_and_facets_are_the_cores(
    qtbot: Any, generated: Any, tmp_path: Path, sync_tasks: None
) -> None:
    view = make_view(qtbot, generated, tmp_path)
    f = Filters()
    res = find.query(generated, DAY, f)
    assert np.array_equal(view.model.ents, res.ents)
    n = len(res.ents)
    assert view.count.text().startswith(f"{n:,}".replace(",", ".") + " enheder")
    # tick one value in each of three facets, one after the other
    for name in ("level", "region", "edi_type"):
        section = view.sidebar.sections[name]
        section.model.toggle(0)
        f = view.filters()
        res = find.query(generated, DAY, f)
        assert np.array_equal(view.model.ents, res.ents), name
        for facet in FACETS:
            assert shown_facets(view, facet) == core_facets(generated, DAY, f, facet), facet
    assert f.level and f.region and f.edi_type
    shown = f"{len(res.ents):,}".replace(",", ".")
    total = f"{res.total:,}".replace(",", ".")
    assert view.count.text().startswith(f"{shown} af {total} enheder")
    # a title says how many values are ticked; a code is the tooltip
    section = view.sidebar.sections["region"]
    assert "(1 valgt)" in section.title.text()
    assert section.model.value_at(0).code in section.model.index(0).data(
        Qt.ItemDataRole.ToolTipRole
    )
    # sorting is the core's
    col = view.model.columns.index("EanLocationCode")
    view.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    expect = find.sort_units(generated, DAY, res.ents, "EanLocationCode", descending=True)
    assert np.array_equal(view.model.ents, expect)
    # the text filter takes regex and SQL characters literally
    view.sidebar.text.setText(".*' OR 1=1 --")
    view.sidebar.flush()
    assert view.model.rowCount() == 0
    assert "Ingen enheder passer" in view.note.text()


def test_filters_follow_the_date_and_the_language(
    qtbot: Any, generated: Any, tmp_path: Path, sync_tasks: None
) -> None:
    view = make_view(qtbot, generated, tmp_path)
    view.sidebar.sections["level"].model.toggle(
        view.sidebar.sections["level"].model.row_of_code("OE")
    )
    before = view.filters()
    old = dt.date(2015, 1, 1)
    view.state.set_as_of(old)
    assert view.model.day == old
    assert view.filters() == before
    assert np.array_equal(view.model.ents, find.query(generated, old, before).ents)
    assert shown_facets(view, "region") == core_facets(generated, old, before, "region")
    # Danish words, then English ones
    level = view.sidebar.sections["level"].model
    assert level.label_at(level.row_of_code("OE")) == "Organisationsenhed"
    view.set_columns([*DEFAULT_COLUMNS, "EanLocationCodeSource", "Status"])
    col = view.model.columns.index("Status")
    assert view.model.index(0, col).data() in ("aktiv", "lukket", "fremtidig")
    view.state.set_language("en")
    assert level.label_at(level.row_of_code("OE")) == "Organisational unit"
    assert view.model.index(0, col).data() in ("active", "closed", "future")
    assert view.count.text().endswith(f"units on {old:%d-%m-%Y}")
    assert view.model.headerData(col, Qt.Orientation.Horizontal) == "Status at the date"


def test_inherited_values_are_marked(qtbot: Any, tmp_path: Path, sync_tasks: None) -> None:
    reg = tiny.tiny_register()
    view = make_view(qtbot, reg, tmp_path, dt.date(2018, 6, 1))
    view.set_columns(["EntityName", "SorId", "EanLocationCode", "EanLocationCodeSource"])
    row = view.model.row_of_sor_id(tiny.SI)  # inherits the owner's EAN
    ean = view.model.index(row, 2)
    assert ean.data() == "5790000173624" and ean.data(INHERITED_ROLE)
    assert ean.data(Qt.ItemDataRole.FontRole).italic()
    assert f"nedarvet fra {tiny.IE}" in ean.data(Qt.ItemDataRole.ToolTipRole)
    assert view.model.index(row, 3).data() == f"nedarvet fra {tiny.IE}"
    own = view.model.index(view.model.row_of_sor_id(tiny.IE), 2)
    assert not own.data(INHERITED_ROLE) and own.data(Qt.ItemDataRole.FontRole) is None


def test_a_facet_with_ten_thousand_values_is_one_list(qtbot: Any) -> None:
    section = FacetSection("town")
    qtbot.addWidget(section)
    section.open()
    section.show()
    section.set_values([FacetValue(f"{i:05d}", f"By {i}", 1) for i in range(10_000)])
    assert section.model.rowCount() == 10_000
    assert section.search.isVisibleTo(section)
    # virtualised: a handful of widgets whatever the number of values
    assert len(section.findChildren(QWidget)) < 30
    section.search.setText("By 999")
    assert section.model.rowCount() == 11  # 999 and 9990-9999
    section.view.clicked.emit(section.model.index(0))
    assert section.checked() == ("00999",)


def test_busy_while_the_worker_computes(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.models import units_model

    gate = threading.Event()
    real = units_model.units_task

    def slow(*args: Any) -> Any:
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr("ui.widgets.units_view.units_task", slow)
    state = AppState()
    state.set_as_of(DAY)
    view = UnitsView(state, st.Settings(str(tmp_path / "u.ini")))
    qtbot.addWidget(view)
    view.show()
    state.set_register(tiny.tiny_register())
    qtbot.waitUntil(view.busy.isVisible, timeout=3000)  # the GUI thread is not blocked
    assert "Finder enhederne" in view.count.text()
    gate.set()
    view.wait()
    qtbot.waitUntil(lambda: not view.busy.isVisible(), timeout=3000)
    assert view.count.text().startswith("5 enheder den 01-06-2024")


# --- columns and saved filters across a restart --------------------------------------------------


def test_column_chooser_choices_survive_a_restart(
    qtbot: Any, tmp_path: Path, sync_tasks: None
) -> None:
    reg = tiny.tiny_register()
    view = make_view(qtbot, reg, tmp_path, dt.date(2018, 6, 1))
    dlg = ColumnChooser(view.known_columns(), view.model.columns, "da", view)
    qtbot.addWidget(dlg)
    labels = [dlg.available.item(i).text() for i in range(dlg.available.count())]
    assert any(t.startswith(column_label("ShakIdSource", "da")) for t in labels)
    assert not any("EffectiveShakId" in t for t in labels)  # the table shows effective values
    dlg.search.setText("kilde")
    assert all(
        "kilde" in dlg.available.item(i).text().lower() for i in range(dlg.available.count())
    )
    dlg.add_columns(["ShakIdSource", "OwnerName"])
    dlg.shown.setCurrentRow(len(dlg.chosen()) - 1)
    dlg.shown.item(len(dlg.chosen()) - 1).setSelected(True)
    dlg.move_selected(-1)
    chosen = dlg.chosen()
    assert chosen[-2:] == ["OwnerName", "ShakIdSource"]
    view.set_columns(chosen)
    view.save_settings()
    view.settings.sync()
    again = make_view(qtbot, reg, tmp_path, dt.date(2018, 6, 1))
    assert again.model.columns == chosen
    assert again.model.headerData(len(chosen) - 1, Qt.Orientation.Horizontal) == "SHAK-kode: kilde"


def test_saved_filters_round_trip(
    qtbot: Any, generated: Any, tmp_path: Path, sync_tasks: None
) -> None:
    view = make_view(qtbot, generated, tmp_path)
    sid = str(generated.ids[int(view.model.ents[0])])
    view.set_under(sid)
    view.sidebar.sections["level"].model.toggle(0)
    view.sidebar.text.setText("a")
    view.sidebar.post_from.setText("1000")
    view.sidebar.post_to.setText("4999")
    view.sidebar.shak_direct.setChecked(True)
    view.sidebar.flush()
    wanted = view.filters()
    view.set_columns(["EntityName", "SorId", "EanLocationCode"])
    view.save_filter("Månedens udtræk")
    view.sidebar.clear()
    view.set_columns(list(DEFAULT_COLUMNS))
    assert view.filters() == Filters()
    # another run of the program reads it back
    again = make_view(qtbot, generated, tmp_path)
    assert again.saved.findText("Månedens udtræk") >= 0
    assert again.load_filter("Månedens udtræk")
    assert again.filters() == wanted
    assert again.model.columns == ["EntityName", "SorId", "EanLocationCode"]
    assert np.array_equal(again.model.ents, find.query(generated, DAY, wanted).ents)
    assert again.sidebar.under_row.isVisibleTo(again)
    assert again.rename_filter("Månedens udtræk", "Marts")
    assert list(again.saved_filters()) == ["Marts"]
    assert again.delete_filter("Marts") and again.saved_filters() == {}
    # a filter with every field survives the JSON
    full = Filters(
        level=("OE",),
        status=("active", "future"),
        entity_type=("394761003",),
        owner_type=("Privat",),
        speciality=("408443003",),
        main_speciality=("almen medicin",),
        region=("1084",),
        municipality=("0101",),
        postcode=("2100", "3000-3999"),
        town=("Ærøskøbing",),
        ean=("own",),
        edi_type=("11",),
        shak=("1301",),
        shak_direct=True,
        under=(sid,),
        text="læge, \\,",
        where=(find.Where("ShakId", "~", ("13",)),),
    )
    assert filters_from_dict(filters_to_dict(full)) == full
    assert filters_from_dict({"level": "not a list", "bogus": 1}) == Filters()


# --- the window: selection, "under", the tree's copy ----------------------------------------------


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, generated: Any) -> MainWindow:
    win = MainWindow(
        settings=st.Settings(str(tmp_path / "w.ini")),
        loader=lambda path, progress, cancelled: generated,
        panels=(),
    )
    qtbot.addWidget(win)
    path = tmp_path / "Sor_complete.zip"
    path.write_bytes(b"")
    with qtbot.waitSignal(win.load_task.finished, timeout=20000):
        win.open_path(str(path))
    win.state.set_as_of(DAY)
    return win


def test_selection_follows_between_units_and_tree(
    qtbot: Any, window: MainWindow, sync_tasks: None
) -> None:
    win = window
    win.show()
    win.action_map["units_view"].trigger()
    view = win.units_view
    assert view is not None and win.views.currentIndex() == 1
    view.wait()
    row = len(view.model.ents) // 3
    view.table.selectRow(row)
    sid = view.model.sor_id_at(row)
    assert win.state.current == sid
    assert win.model.sor_id_of(win.tree.currentIndex()) == sid  # the tree followed
    # the tree's choice is the table's
    other = view.model.sor_id_at(row + 5)
    win.reveal(other)
    assert view.model.sor_id_at(view.table.currentIndex().row()) == other
    # a unit the result does not hold clears the table's selection
    view.sidebar.sections["level"].model.set_checked(["IE"], notify=True)
    owner = view.model.sor_id_at(0)
    view.sidebar.sections["level"].model.set_checked(["OE"], notify=True)
    win.reveal(owner)
    assert not view.table.selectionModel().hasSelection()


def test_show_subunits_in_units_from_the_tree(
    qtbot: Any, window: MainWindow, generated: Any, sync_tasks: None
) -> None:
    win = window
    win.show()
    snap = generated.snapshot(DAY)
    root = max(snap.roots().tolist(), key=lambda r: len(snap.children(r)))
    sid = str(generated.ids[root])
    assert win.reveal(sid)
    action = win.action_map["units_under"]
    assert action in win.findChildren(type(action))
    action.trigger()
    view = win.units_view
    assert view is not None and win.views.currentIndex() == 1
    view.wait()
    assert view.filters().under == (sid,)
    expect = find.query(generated, DAY, Filters(under=(sid,))).ents
    assert np.array_equal(view.model.ents, expect) and len(expect) > 1
    assert sid in view.sidebar.under_label.text()
    view.sidebar.clear_under()
    assert view.filters().under == ()
    assert len(view.model.ents) > len(expect)


# --- the clipboard --------------------------------------------------------------------------------


def _mime() -> Any:
    return QGuiApplication.clipboard().mimeData()


def _assert_ids_marked(html: str, values: list[str]) -> None:
    for v in values:
        cell = f"""<td style='mso-number-format:"\\@"' sdnum="1030;0;@">{v}</td>"""
        assert cell in html, v


def test_every_copy_puts_tsv_and_an_html_table_with_ids_as_text(
    qtbot: Any, tmp_path: Path, sync_tasks: None
) -> None:
    reg = long_id_register()
    day = dt.date(2018, 6, 1)
    # the Units table
    view = make_view(qtbot, reg, tmp_path, day)
    row = view.model.row_of_sor_id(LONG_ID)
    view.table.selectRow(row)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    mime = _mime()
    assert mime.hasText() and mime.hasHtml()
    lines = mime.text().splitlines()
    assert lines[0].split("\t") == view.model.labels()
    assert LONG_ID in lines[1].split("\t") and POSTCODE in lines[1].split("\t")
    assert len(LONG_ID) == 18
    _assert_ids_marked(mime.html(), [LONG_ID, POSTCODE, "5790000141227"])
    # the own/inherited words are in the window's language
    view.set_columns(["SorId", "EanLocationCodeSource"])
    view.table.clearSelection()
    view.table.selectRow(view.model.row_of_sor_id(tiny.SI))
    view.copy_selection()
    assert _mime().text().splitlines()[1] == f"{tiny.SI}\tnedarvet fra {tiny.IE}"
    view.state.set_language("en")
    view.copy_selection()
    assert _mime().text().splitlines()[1] == f"{tiny.SI}\tinherited from {tiny.IE}"


def test_tree_results_and_panel_tables_copy_both_forms(qtbot: Any, tmp_path: Path) -> None:
    from ui.widgets.table_view import RecordsView

    reg = long_id_register()
    win = MainWindow(
        settings=st.Settings(str(tmp_path / "w.ini")),
        loader=lambda path, progress, cancelled: reg,
        panels=(),
    )
    qtbot.addWidget(win)
    path = tmp_path / "x.csv"
    path.write_text("x")
    with qtbot.waitSignal(win.load_task.finished, timeout=10000):
        win.open_path(str(path))
    win.state.set_as_of(dt.date(2018, 6, 1))
    win.show()
    # the tree
    assert win.reveal(LONG_ID)
    win.tree.setFocus()
    win.copy_selection()
    mime = _mime()
    assert mime.hasHtml() and LONG_ID in mime.text().splitlines()[1].split("\t")
    _assert_ids_marked(mime.html(), [LONG_ID])
    # the search results
    win.search.setText(LONG_ID[:12])
    win._on_search_timer_timeout()
    win.results.setCurrentRow(0)
    win.results.item(0).setSelected(True)
    win.results.setFocus()
    win.copy_selection()
    assert LONG_ID in _mime().text() and _mime().hasHtml()
    _assert_ids_marked(_mime().html(), [LONG_ID])
    # a panel's table
    table = RecordsView(win.state)
    qtbot.addWidget(table.frame)
    table.set_records(
        ["sor_id", "name", "ean"], ["SOR id", "Name", "EAN"], [(LONG_ID, "x", "0123")]
    )
    table.selectRow(0)
    table.copy_selection()
    assert _mime().text().splitlines() == ["SOR id\tName\tEAN", f"{LONG_ID}\tx\t0123"]
    _assert_ids_marked(_mime().html(), [LONG_ID, "0123"])


# --- exports ------------------------------------------------------------------------------------


def _units_export(qtbot: Any, view: UnitsView, folder: Path, fmt: str) -> ExportDialog:
    dlg = ExportDialog(
        view.state.register,
        view.model.day,
        [],
        str(folder),
        language="da",
        units=view.model.ents,
        columns=list(view.model.columns),
    )
    qtbot.addWidget(dlg)
    dlg.format.setCurrentIndex(dlg.format.findData(fmt))
    dlg.path.setText(str(folder / f"units.{export_dialog.EXTENSIONS[fmt]}"))
    return dlg


def test_xlsx_export_reads_back_with_ids_as_text_and_dates_as_dates(
    qtbot: Any, tmp_path: Path, sync_tasks: None
) -> None:
    import openpyxl

    reg = long_id_register()
    view = make_view(qtbot, reg, tmp_path, dt.date(2018, 6, 1))
    view.set_columns(["EntityName", "SorId", "ShakId", "VisitingAddressPostCodeId", "FromDate"])
    out = tmp_path / "out"
    out.mkdir()
    dlg = _units_export(qtbot, view, out, "xlsx")
    assert dlg.scope_units.isChecked() and not dlg.scope_all.isVisibleTo(dlg)
    assert dlg.options()["naming"] == "strict"
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.start_export()
    wb = openpyxl.load_workbook(dlg.written)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    # the unit's own SHAK code under its name; the effective one and its source beside it
    assert header[:7] == [
        "EntityName",
        "SorId",
        "ShakId",
        "EffectiveShakId",
        "ShakIdSource",
        "VisitingAddressPostCodeId",
        "EffectiveVisitingAddressPostCodeId",
    ]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == [
        view.model.index(i, 0).data() for i in range(view.model.rowCount())
    ]
    long_row = rows[LONG_ID]
    assert long_row[1].data_type == "s" and long_row[1].value == LONG_ID
    assert long_row[header.index("VisitingAddressPostCodeId")].value == POSTCODE
    oe1 = rows[tiny.OE1]
    assert oe1[header.index("ShakId")].value == "123401"
    si = rows[tiny.SI]
    assert si[header.index("ShakIdSource")].value == "own"
    from_date = long_row[header.index("FromDate")].value
    assert isinstance(from_date, dt.datetime) and from_date.date() == dt.date(2010, 1, 1)
    assert len(wb.worksheets) == 2  # the sheet about the export stays


def test_csv_for_excel_is_the_default_and_plain_csv_the_other(
    qtbot: Any, tmp_path: Path, sync_tasks: None
) -> None:
    reg = long_id_register()
    view = make_view(qtbot, reg, tmp_path, dt.date(2018, 6, 1))
    view.table.selectRow(0)
    view.table.selectionModel().select(
        QItemSelection(view.model.index(1, 0), view.model.index(2, 0)),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    dlg = ExportDialog(
        reg,
        view.model.day,
        [],
        str(tmp_path),
        language="da",
        units=view.model.ents,
        units_selected=view.model.ents[view.selected_rows()],
        columns=list(view.model.columns),
    )
    qtbot.addWidget(dlg)
    assert dlg.format.currentData() == "csv-excel" and dlg.path.text().endswith(".csv")
    dlg.scope_units_selected.setChecked(True)
    assert len(dlg.options()["ents"]) == 3
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.start_export()
    text = Path(dlg.written).read_text(encoding="utf-8-sig")
    assert len(text.splitlines()) == 4
    assert '"=""' in text  # ids wrapped for spreadsheets
    dlg2 = _units_export(qtbot, view, tmp_path, "csv")
    with qtbot.waitSignal(dlg2.accepted, timeout=10000):
        dlg2.start_export()
    plain = Path(dlg2.written).read_text(encoding="utf-8-sig")
    assert LONG_ID in plain and '="' not in plain


def test_cancel_during_a_units_export_leaves_no_file(
    qtbot: Any, generated: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, gate = threading.Event(), threading.Event()
    real = export_dialog.export_task

    def held(reg: Any, day: Any, path: str, options: dict[str, Any], state: TaskState) -> int:
        report = state.report

        def first_report_waits(done: int, total: int) -> None:
            reached.set()
            gate.wait(5)  # the user presses Cancel meanwhile
            report(done, total)

        state.report = first_report_waits  # type: ignore[method-assign]
        return real(reg, day, path, options, state)

    monkeypatch.setattr(export_dialog, "export_task", held)
    view = make_view(qtbot, generated, tmp_path)
    view.wait()
    out = tmp_path / "out"
    out.mkdir()
    dlg = _units_export(qtbot, view, out, "xlsx")
    dlg.show()
    dlg.start_export()
    assert reached.wait(10)
    assert dlg.progress.isVisible() and dlg.progress.format() == "%p %"
    with qtbot.waitSignal(dlg.job.cancelled, timeout=10000):
        dlg.buttons.rejected.emit()
        gate.set()
    assert os.listdir(out) == []
    assert dlg.written == ""


def test_a_program_that_copied_a_table_exits_cleanly(tmp_path: Path) -> None:
    """The clipboard keeps what was copied until the process ends; a QMimeData made by
    the binding then crashed the exit (see ui.clipboard)."""
    import subprocess
    import sys

    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from ui.clipboard import copy_table\n"
        f"copy_table(['SorId'], [['{LONG_ID}']], ['SorId'])\n"
        "print(QApplication.clipboard().mimeData().formats())\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "text/html" in done.stdout and "text/plain" in done.stdout


def test_json_export_uses_the_strict_naming(qtbot: Any, tmp_path: Path, sync_tasks: None) -> None:
    import json

    reg = tiny.tiny_register()
    view = make_view(qtbot, reg, tmp_path, dt.date(2018, 6, 1))
    view.set_columns(["SorId", "ShakId"])
    dlg = _units_export(qtbot, view, tmp_path, "json")
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.start_export()
    objects = {o["SorId"]: o for o in json.loads(Path(dlg.written).read_text(encoding="utf-8"))}
    assert list(objects) == [view.model.sor_id_at(r) for r in range(view.model.rowCount())]
    oe3 = objects[tiny.OE3]  # inherits the hospital's SHAK code, holds none itself
    assert oe3["ShakId"] is None
    assert oe3["EffectiveShakId"] == "1234"
    assert oe3["ShakIdSource"] == f"inherited:{tiny.SI}"
    assert oe3["as_of"] == "2018-06-01"
