"""The dock panels on the tiny register: what they show, copy and select."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextDocumentFragment
from PySide6.QtWidgets import QWidget

from sorviewer import Register
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport
from sorviewer.text import fold_text
from tests.unit import tiny
from tests.unit.tiny import FUT, IE, IE2, OE1, OE2, OE3, SI
from ui.app_state import AppState
from ui.colours import contrast
from ui.models.records_model import (
    SOR_ID_ROLE,
    SORT_ROLE,
    RecordsModel,
    RecordsProxy,
    fold_many,
)
from ui.widgets.changes_panel import ChangesPanel
from ui.widgets.details_panel import COLUMN_ROLE, STATE_ROLE, AllFieldsPanel, OverviewPanel
from ui.widgets.edi_panel import EanEdiPanel, EdiPanel
from ui.widgets.history_panel import HistoryPanel
from ui.widgets.mapping_panel import MappingPanel
from ui.widgets.table_view import RecordsView

DAY = dt.date(2021, 1, 1)
EAN_IE = "5790000173624"
EAN_OE3 = "5790000141227"

# The offscreen platform says this whenever a top-level widget is shown.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _register(names: dict[str, str] | None = None) -> Register:
    """The tiny register plus the EDI tables (tiny itself has none); `names` renames
    units (SorId -> EntityName)."""
    text = "string[pyarrow]"
    tables = {
        "LocationsCodeEDITypeMap": pd.DataFrame(
            {
                "EanLocationCode": [EAN_IE, EAN_OE3, EAN_OE3],
                "EdiId": ["11", "11", "22"],
                "EdifactName": ["REF01 Henvisning", "REF01 Henvisning", "DIS01 Epikrise"],
                "Direction": ["I", "I", "U"],
            }
        ).astype(text),
        "EDITypes": pd.DataFrame(
            {"EdiId": ["11", "22"], "EdiFactNavn": ["REF01 Henvisning", "DIS01 Epikrise"]}
        ).astype(text),
        "LocationsCode": pd.DataFrame(
            {
                "EanLocationCode": [EAN_IE, EAN_OE3],
                "EanLocationCodeSystemSupplierName": ["Systematic", "EG"],
            }
        ).astype(text),
    }
    rows = [dict(r) for r in tiny.ROWS]
    # SI inherits its postal address but carries a stale copy: a contradiction to show
    rows[2]["PostalAddressStreetName"] = "Gammel vej"
    for r in rows:  # a column the official tables do not know
        r["RegionalNote"] = "udvidet" if r["SorId"] == SI else None
        r["EntityName"] = (names or {}).get(r["SorId"], r["EntityName"])
    raw = RawData(
        entities=pd.DataFrame(rows).astype(text),
        tables=tables,
        source=SourceInfo(path="tiny", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


@pytest.fixture
def state() -> AppState:
    st = AppState()
    st.set_as_of(DAY)
    st.set_register(_register())
    st.set_language("en")
    return st


def _shown(qtbot, widget: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    return widget


def _clipboard() -> str:
    return QGuiApplication.clipboard().text()


def dark_palette() -> QPalette:
    """A dark palette that leaves Link at Qt's default blue (a dark system theme may)."""
    pal = QPalette(QGuiApplication.palette())
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2d30"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1f22"),
        (QPalette.ColorRole.AlternateBase, "#26282b"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#35373b"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Mid, "#4a4d52"),
        (QPalette.ColorRole.Link, "#0000f6"),
    ):
        pal.setColor(role, QColor(colour))
    return pal


def _link_colours(html: str) -> list[QColor]:
    """The colour of every link in rich text (each must carry one: Qt's own is stale)."""
    links = re.findall(r"<a [^>]*>", html)
    assert links, html
    found = [re.search(r'style="color:(#[0-9a-fA-F]{6})"', a) for a in links]
    assert all(found), links
    return [QColor(m.group(1)) for m in found if m]


def _reads_on(colour: QColor, background: QColor, ratio: float = 4.5) -> bool:
    return contrast(colour, background) >= ratio


# --- RecordsModel and RecordsView ------------------------------------------------------


def test_records_model_passes_modeltester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = RecordsModel()
    model.set_records(
        ["sor_id", "name", "from"],
        ["SOR id", "Name", "From"],
        [(SI, "Testhospital", "2010-01-01"), (OE1, "Ærø afdeling", None)],
    )
    qtmodeltester.check(model)
    proxy = RecordsProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    assert model.data(model.index(1, 0), SOR_ID_ROLE) == OE1
    assert model.data(model.index(1, 2)) == ""


def test_records_sort_ids_numerically_dates_and_danish_names() -> None:
    model = RecordsModel()
    rows = [
        ("9", "Øst", "2020-01-01"),
        ("100", "zulu", None),
        ("20", "Ærø", "2010-05-01"),
        ("3", "anæstesi", "2015-01-01"),
    ]
    model.set_records(["sor_id", "name", "day"], ["id", "name", "day"], rows)
    proxy = RecordsProxy()
    proxy.setSourceModel(model)

    def column(c: int) -> list[str]:
        return [proxy.index(r, c).data() for r in range(proxy.rowCount())]

    proxy.sort(0)
    assert column(0) == ["3", "9", "20", "100"]
    proxy.sort(1)
    assert column(1) == ["anæstesi", "zulu", "Ærø", "Øst"]
    proxy.sort(2)
    # dates sort by the day and show in Danish order, the empty one last
    assert column(2) == ["01-05-2010", "01-01-2015", "01-01-2020", ""]
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert column(0) == ["100", "20", "9", "3"]
    nine = [r[0] for r in model.records()].index("9")
    assert model.data(model.index(nine, 0), SORT_ROLE) == "9".rjust(24, "0")
    long = "x" * 60
    model.set_records(["a"], ["A"], [(long,), ("short",)], id_key=None)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == long
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(model.index(0, 0), SOR_ID_ROLE) is None


def test_records_view_filters_copies_and_selects(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    view = RecordsView(state)
    _shown(qtbot, view.frame)
    view.set_records(
        ["sor_id", "name"],
        ["SOR id", "Name"],
        [(SI, "Testhospital"), (OE1, "Ærø afdeling"), (OE3, "anæstesi")],
    )
    view.filter_edit.setText("aero")
    view.apply_filter()
    assert view.proxy.rowCount() == 1
    view.filter_edit.clear()
    view.apply_filter()
    assert view.proxy.rowCount() == 3
    view.selectRow(1)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert _clipboard().splitlines() == ["SOR id\tName", f"{OE1}\tÆrø afdeling"]
    view.copy_sor_id()
    assert _clipboard() == OE1
    with qtbot.waitSignal(state.selection_changed) as sig:
        view.doubleClicked.emit(view.proxy.index(2, 1))
    assert sig.args == [OE3]
    with qtbot.waitSignal(state.show_in_tree_requested):
        _action(view.context_menu(), "Show in tree").trigger()
    view.selectRow(0)
    _action(view.context_menu(), "Copy row").trigger()
    assert _clipboard().splitlines() == ["SOR id\tName", f"{SI}\tTesthospital"]
    assert not _action(view.context_menu(), "Copy EAN", missing=True)  # no EAN column


def _action(menu, text: str, missing: bool = False):  # type: ignore[no-untyped-def]
    """The menu's action whose text starts with `text` (None when `missing` is allowed)."""
    for a in menu.actions():
        if a.text().startswith(text):
            return a
    assert missing, [a.text() for a in menu.actions()]
    return None


def test_records_view_copy_ean_and_export_selection(qtbot, state: AppState, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = RecordsView(state)
    _shown(qtbot, view.frame)
    view.set_records(
        ["sor_id", "name", "ean"],
        ["SOR id", "Name", "EAN"],
        [(OE3, "anæstesi", EAN_OE3), (IE, "Region Testland", EAN_IE), (SI, "Testhospital", "")],
    )
    view.selectRow(0)
    _action(view.context_menu(), "Copy EAN").trigger()
    assert _clipboard() == EAN_OE3
    view.selectRow(2)
    assert not _action(view.context_menu(), "Copy EAN").isEnabled()
    view.selectAll()
    assert view.selected_sor_ids() == [OE3, IE, SI]
    assert _action(view.context_menu(), "Export selected units to CSV").isEnabled()
    out = tmp_path / "sel.csv"
    assert view.export_selection(str(out), "csv") == 3
    text = out.read_bytes().decode("utf-8-sig")
    assert {OE3, IE, SI} <= set(text.replace(";", "\n").replace(",", "\n").split())
    assert view.export_selection(str(tmp_path / "sel.xlsx"), "xlsx") == 3
    assert (tmp_path / "sel.xlsx").read_bytes()[:2] == b"PK"
    # a row the user picked is exported whatever its status at the date (FUT opens 2030)
    view.set_records(["sor_id", "name", "ean"], ["SOR id", "Name", "EAN"], [(FUT, "Ny", "")])
    view.selectAll()
    assert view.export_selection(str(out), "csv") == 1
    assert FUT in out.read_bytes().decode("utf-8-sig")


def test_records_view_header_sort_survives_new_rows(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    view = RecordsView(state)
    _shown(qtbot, view.frame)
    rows = [(SI, "Testhospital"), (OE1, "Ærø afdeling"), (OE3, "anæstesi")]
    view.set_records(["sor_id", "name"], ["SOR id", "Name"], rows)
    view.selectRow(0)  # Testhospital
    header = view.horizontalHeader()
    pos = QPoint(header.sectionViewportPosition(1) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)

    def names() -> list[str]:
        return [view.proxy.index(r, 1).data() for r in range(view.proxy.rowCount())]

    assert names() == ["anæstesi", "Testhospital", "Ærø afdeling"]
    assert view.current_sor_id() == SI  # the selection moved with its row
    view.set_records(["sor_id", "name"], ["SOR id", "Name"], [*rows, (IE, "Region Test")])
    assert names() == ["anæstesi", "Region Test", "Testhospital", "Ærø afdeling"]


# --- details -----------------------------------------------------------------------


def test_details_blank_with_hint_until_something_is_selected(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    assert panel.stack.currentWidget() is panel.hint
    assert "Select a unit" in panel.hint.text()
    state.select(OE2)
    assert panel.stack.currentIndex() == 1


def test_details_shows_own_and_inherited_with_source(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    state.select(SI)
    assert "Testhospital" in panel.header.text()
    assert f'href="sor:{IE}"' in panel.header.text()  # parent link
    fields = panel.field_items()
    street = fields["PostalAddressStreetName"]
    assert street.text(1) == "Vej 2"
    assert street.data(0, STATE_ROLE) == "inherited"
    assert street.font(1).italic()
    assert fields["ShakId"].data(0, STATE_ROLE) == "own"
    assert not fields["ShakId"].font(1).italic()
    postal = panel.group_links["postal_address"].text()
    assert "Inherited from" in postal and f"sor:{IE}" in postal and "Region Testland" in postal
    assert "INHERITED" in panel.group_badges["postal_address"].text()
    assert "OWN" in panel.group_badges["shak"].text()
    assert "shak" not in panel.group_links  # own values name no source
    # the path is a breadcrumb of links: the region above the hospital
    assert "Path:" in panel.header.text() and "Region Testland" in panel.header.text()
    # the source link selects the unit it names and shows it in the tree
    with qtbot.waitSignal(state.show_in_tree_requested) as sig:
        panel.group_links["postal_address"].linkActivated.emit(f"sor:{IE}")
    assert sig.args == [IE] and state.current == IE


def test_details_visiting_from_own_postal_and_none_groups(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    state.select(OE1)
    fields = panel.field_items()
    assert fields["VisitingAddressStreetName"].text(1) == "Gade 5"
    assert "from the postal address" in panel.group_links["visiting_address"].text()
    assert "NONE" in panel.group_badges["ean_location_code"].text()
    assert "ean_location_code" not in panel.group_links
    assert "EanLocationCode" not in fields  # empty: hidden
    panel.show_empty.setChecked(True)
    assert "EanLocationCode" in panel.field_items()


def test_details_follow_date_and_language(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    state.select(IE)
    assert panel.field_items()["EntityName"].text(1) == "Region Testland"
    label_en = panel.field_items()["EntityName"].text(0)
    state.set_as_of(dt.date(2012, 6, 1))
    assert panel.field_items()["EntityName"].text(1) == "Region Test"
    assert panel.field_items()["PostalAddressStreetName"].text(1) == "Vej 1"
    state.set_language("da")
    assert panel.field_items()["EntityName"].text(0) == "Enhedsnavn" != label_en
    assert panel.show_empty.text() == "Vis tomme felter"
    # an open-ended unit on an old version: the version ends, the unit does not
    header = QTextDocumentFragment.fromHtml(panel.header.text()).toPlainText()
    assert "aktiv (siden 01-01-2010; denne version 01-01-2010 – 31-12-2014)" in header
    assert panel.field_items()["FromDate"].text(1) == "01-01-2010"
    state.select(OE2)  # closes 30-06-2022
    header = QTextDocumentFragment.fromHtml(panel.header.text()).toPlainText()
    assert "siden 01-03-2012, lukker 30-06-2022" in header
    state.set_as_of(dt.date(2023, 1, 1))
    header = QTextDocumentFragment.fromHtml(panel.header.text()).toPlainText()
    assert "lukket (gyldig 01-03-2012 – 30-06-2022" in header
    state.select(FUT)
    header = QTextDocumentFragment.fromHtml(panel.header.text()).toPlainText()
    assert "fremtidig (fra 01-01-2030; denne version 01-01-2030 – …)" in header


def test_details_copy_value_and_unit(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    state.select(OE3)
    item = panel.field_items()["EanLocationCode"]
    panel.copy_item(item)
    assert _clipboard() == EAN_OE3
    panel.tree.setCurrentItem(panel.field_items()["SorId"])
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert _clipboard() == OE3
    menu = panel.item_menu(panel.field_items()["ParentSorId"])
    assert any(SI in a.text() for a in menu.actions())
    panel.copy_unit()
    lines = _clipboard().splitlines()
    assert lines[0] == "Field\tColumn\tValue\tSource"
    assert f"EAN location number\tEanLocationCode\t{EAN_OE3}\town" in lines
    assert f"Postal address: street\tPostalAddressStreetName\tVej 2\tinherited from {IE}" in lines
    assert f"SOR id\tSorId\t{OE3}\t" in lines
    # the copy speaks the window's language, the words included
    state.set_language("da")
    panel.copy_unit()
    lines = _clipboard().splitlines()
    assert lines[0] == "Felt\tKolonne\tVærdi\tKilde"
    assert f"Lokationsnummer (EAN)\tEanLocationCode\t{EAN_OE3}\tegen" in lines
    assert f"Postadresse: vejnavn\tPostalAddressStreetName\tVej 2\tnedarvet fra {IE}" in lines


def test_all_fields_lists_every_column_of_the_version(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, AllFieldsPanel(state))
    assert panel.stack.currentWidget() is panel.hint
    state.select(SI)
    values = panel.field_values()
    assert values["RegionalNote"] == "udvidet"  # the extra column is there, marked
    extra = next(r for r in panel.table.records.records() if r[2] == "RegionalNote")
    assert extra[3] == "extra column in the file"
    # the raw version: SI's stale postal street, not the inherited one the overview shows
    assert values["PostalAddressStreetName"] == "Gammel vej"
    assert len(values) == len(
        state.register.row_dict(state.register.snapshot(DAY).row(state.register.entity_index(SI)))
    )
    panel.show_empty.setChecked(False)
    assert None not in panel.field_values().values()
    state.select(IE)
    state.set_as_of(dt.date(2012, 6, 1))
    assert panel.field_values()["EntityName"] == "Region Test"
    panel.table.filter_edit.setText("enhedsnavn")
    panel.table.apply_filter()
    state.set_language("da")
    panel.table.selectAll()
    panel.table.copy_selection()
    assert _clipboard().splitlines() == [
        "Felt\tVærdi\tKolonne i filen\tBemærkning",
        "Enhedsnavn\tRegion Test\tEntityName\t",
    ]


def test_details_name_the_load_reports_findings_about_the_unit(qtbot) -> None:  # type: ignore[no-untyped-def]
    import sorviewer
    from tests.conftest import SAMPLES

    small = SAMPLES / "sor_xml_v2.0.0" / "Sor_small.xml"
    if not small.is_file():
        pytest.skip("the real SOR XML cuts (../shared/samples) are not on this machine")
    st = AppState()
    st.set_register(sorviewer.load(str(small), use_cache=False))
    st.set_as_of(dt.date(2019, 4, 12))
    st.set_language("da")
    panel = _shown(qtbot, OverviewPanel(st))
    st.select("6984910000160091")  # the hand-made node: no SorStatus, a bad check digit
    assert panel.problems.isVisible()
    text = panel.problems.text()
    assert "Manglende status" in text and "Forkert kontrolciffer" in text
    st.select("698491000016009")  # a real unit the report has nothing about
    assert panel.problems.isHidden()


def test_details_problem_strip(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    state.select(IE2)
    assert panel.problems.isHidden()
    state.select(SI)
    assert panel.problems.isVisible()
    assert "Gammel vej" in panel.problems.text() and IE in panel.problems.text()
    assert panel.field_items()["PostalAddressStreetName"].text(1) == "Vej 2"
    assert panel.field_items()["PostalAddressStreetName"].data(0, COLUMN_ROLE) == (
        "PostalAddressStreetName"
    )


# --- history -----------------------------------------------------------------------


def test_history_versions_changes_and_timeline(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, HistoryPanel(state))
    assert panel.stack.currentWidget() is panel.hint
    state.select(OE2)
    recs = panel.versions.records.records()
    assert [(r[1], r[2]) for r in recs] == [
        ("2012-03-01", "2019-12-31"),
        ("2020-01-01", "2022-06-30"),
    ]
    assert recs[0][3] == ""
    assert recs[1][3] == "Parent SOR id"
    assert panel.changes(1) == [("ParentSorId", SI, OE1)]
    # the version valid on 2021-01-01 is highlighted and selected
    idx = panel.versions.records.index(1, 0)
    assert idx.data(Qt.ItemDataRole.FontRole).bold()
    assert panel.versions.records.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    assert panel.versions.selected_source_rows() == [1]
    # the diff shows the version beside the one before it, differences only
    assert panel.a_combo.currentIndex() == 0 and panel.b_combo.currentIndex() == 1
    assert [r[1:] for r in panel.values.records.records()] == [(SI, OE1, "ParentSorId")]
    assert panel.values.records.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    panel.only_changes.setChecked(False)
    values = {r[3]: r for r in panel.values.records.records()}
    assert values["EntityName"][1:3] == ("Akut afsnit", "Akut afsnit")
    assert len(panel.timeline_bars()) == 2
    assert panel.timeline_marks() == {"EntityName": [], "ParentSorId": [1]}
    assert panel.marker_position() == pytest.approx(2021.0)
    # selecting a version moves the as-of date to its first day
    with qtbot.waitSignal(state.as_of_changed):
        panel.versions.selectRow(0)
    assert state.as_of == dt.date(2012, 3, 1)
    assert panel.versions.records.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert panel.versions.selected_source_rows() == [0]
    assert panel.marker_position() == pytest.approx(2012 + 60 / 365.25)
    # a scripted selection moves the date as a click does; a date move within the same
    # unit only moves the highlight (the table is not reset under its own selection)
    resets: list[int] = []
    panel.versions.records.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(state.as_of_changed):
        panel.versions.select_source_row(1)
    assert state.as_of == dt.date(2020, 1, 1)
    assert panel.versions.selected_source_rows() == [1]
    assert resets == []
    # the user may compare any two versions
    panel.a_combo.setCurrentIndex(1)
    panel.b_combo.setCurrentIndex(0)
    assert panel.values.horizontalHeader().model().headerData(1, Qt.Orientation.Horizontal) == "#2"
    assert (OE1, SI, "ParentSorId") in [r[1:] for r in panel.values.records.records()]


def test_history_rename_lists_name_column(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, HistoryPanel(state))
    state.select(IE)
    recs = panel.versions.records.records()
    assert "Name" in recs[1][3] and "Postal address: street" in recs[1][3]
    assert panel.timeline_marks()["EntityName"] == [1]
    assert panel.versions.current_sor_id() is None
    assert panel.versions.selected_source_rows() == [1]  # the version valid on the date
    state.set_as_of(dt.date(2012, 1, 1))
    assert panel.versions.selected_source_rows() == [0]  # follows the date
    assert state.as_of == dt.date(2012, 1, 1)  # following the date does not move it
    assert panel.diff(0, 1)[0] == ("EntityName", "Region Test", "Region Testland")
    state.set_language("da")
    assert "Enhedsnavn" in panel.versions.records.records()[1][3]
    assert panel.only_changes.text() == "Kun forskelle"


# --- mapping -----------------------------------------------------------------------


def test_mapping_unit_codes_direct_and_inherited(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, MappingPanel(state))
    assert panel.unit_stack.currentWidget() is panel.unit_hint
    state.select(OE2)
    assert panel.unit_table.records.records() == [
        ("123401", "inherited", None, OE1, "Ærø afdeling")
    ]
    state.select(SI)
    assert panel.unit_table.records.records() == [("1234", "direct", None, SI, "Testhospital")]
    state.select(IE)
    assert panel.unit_table.records.records() == []
    assert "no SHAK code" in panel.unit_caption.text()
    # before OE2 moved under OE1 (2020) it inherited the hospital's code
    state.select(OE2)
    state.set_as_of(dt.date(2015, 1, 1))
    assert panel.unit_table.records.records()[0][:4] == ("1234", "inherited", None, SI)


def test_mapping_code_box_and_whole_frame(qtbot, state: AppState, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, MappingPanel(state))
    panel.tabs.setCurrentIndex(1)
    panel.code_edit.setText("1234")
    panel.look_up_code()
    got = {(r[0], r[1], r[2], r[4]) for r in panel.code_table.records.records()}
    assert got == {
        ("1234", SI, "direct", SI),
        ("1234", OE3, "inherited", SI),
        ("123401", OE1, "direct", OE1),
        ("123401", OE2, "inherited", OE1),
    }
    # the box matches code prefixes, and says so
    assert "codes starting with 1234" in panel.code_caption.text()
    state.set_language("da")
    panel.look_up_code()
    assert "koder der begynder med 1234" in panel.code_caption.text()
    state.set_language("en")
    panel.code_edit.setText("123401")
    panel.look_up_code()
    assert [r[1] for r in panel.code_table.records.records()] == [OE2, OE1]  # by name
    assert "for SHAK code 123401" in panel.code_caption.text()
    panel.code_edit.setText("12340")
    panel.look_up_code()
    assert "codes starting with 12340" in panel.code_caption.text()
    panel.code_edit.setText("999")
    panel.look_up_code()
    assert "not in the file" in panel.code_caption.text()
    assert panel.code_table.records.rowCount() == 0

    panel.tabs.setCurrentIndex(2)
    panel.wait()
    assert panel.frame_table.records.rowCount() == 4
    assert "4 mappings at 01-01-2021" in panel.frame_caption.text()
    panel.prefix_edit.setText("123401")
    assert panel.frame_table.proxy.rowCount() == 2
    panel.kind_combo.setCurrentIndex(2)  # inherited only
    assert [panel.frame_table.proxy.index(0, 1).data()] == [OE2]
    assert "1 shown" in panel.frame_caption.text()
    panel.prefix_edit.clear()
    panel.kind_combo.setCurrentIndex(1)  # direct only
    assert panel.frame_table.proxy.rowCount() == 2
    panel.kind_combo.setCurrentIndex(0)
    panel.frame_table.filter_edit.setText("ærø")
    panel.frame_table.apply_filter()
    assert panel.frame_table.proxy.rowCount() == 1
    panel.copy_all.click()
    assert _clipboard().splitlines() == [
        "SHAK code\tSOR id\tMapping\tName\tSHAK name\tCode held by",
        f"123401\t{OE1}\tdirect\tÆrø afdeling\t\t{OE1}",
    ]
    out = tmp_path / "map.csv"
    assert panel.export_csv(str(out)) == 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbfSHAK code;")
    # a later date drops the closed unit from the whole mapping
    state.set_as_of(dt.date(2023, 1, 1))
    panel.wait()
    assert OE2 not in {r[1] for r in panel.frame_table.records.records()}
    with qtbot.waitSignal(state.selection_changed) as sig:
        panel.frame_table.doubleClicked.emit(panel.frame_table.proxy.index(0, 3))
    assert sig.args == [panel.frame_table.proxy.index(0, 1).data()]


# --- EDI ---------------------------------------------------------------------------


def test_edi_own_ean_with_types_and_details(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, EanEdiPanel(state))
    assert panel.stack.currentWidget() is panel.hint
    state.select(OE3)
    assert EAN_OE3 in panel.ean_label.text() and "OWN" in panel.ean_label.text()
    assert [r[:2] for r in panel.types.records.records()] == [
        ("22", "DIS01 Epikrise"),
        ("11", "REF01 Henvisning"),
    ]
    assert "System supplier: EG" in panel.location_text()
    assert "VANS (network): –" in panel.location_text()  # asked for, absent in the file
    state.select(SI)
    assert "INHERITED" in panel.ean_label.text() and f"sor:{IE}" in panel.ean_label.text()
    assert "System supplier: Systematic" in panel.location_text()
    assert [r[0] for r in panel.types.records.records()] == ["11"]
    with qtbot.waitSignal(state.show_in_tree_requested) as sig:
        panel.ean_label.linkActivated.emit(f"sor:{IE}")
    assert sig.args == [IE]
    state.select(OE1)
    assert "NONE" in panel.ean_label.text()
    assert panel.types.records.rowCount() == 0
    assert panel.location_text() == ""
    assert "cannot receive EDI" in panel.types_note.text()


def test_edi_recipients_own_and_inherited(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, EdiPanel(state))
    state.select(IE)
    assert [panel.type_combo.itemData(i) for i in range(panel.type_combo.count())] == ["22", "11"]
    panel.set_edi_type("11")
    got = [(r[0], r[3], r[2], r[4]) for r in panel.recipients.records.records()]
    assert got == [
        (OE3, EAN_OE3, "own", ""),
        (IE, EAN_IE, "own", ""),
        (SI, EAN_IE, "inherited", IE),
    ]
    assert f"sor:{IE}" in panel.root_label.text()
    panel.set_edi_type("22")
    assert [r[0] for r in panel.recipients.records.records()] == [OE3]
    # in 2015 the emergency ward still sat under the hospital and inherited its EAN
    panel.set_edi_type("11")
    state.set_as_of(dt.date(2015, 1, 1))
    assert (OE2, "inherited") in {(r[0], r[2]) for r in panel.recipients.records.records()}
    state.select(OE1)
    assert panel.recipients.records.rowCount() == 0
    # a pinned unit stays while the selection moves on
    panel.set_root(IE, pin=True)
    state.select(OE1)
    assert panel.root == IE and panel.recipients.records.rowCount() > 0
    panel.pin.setChecked(False)
    assert panel.root == OE1
    state.select(IE)
    panel.recipients.selectRow(0)
    _action(panel.recipients.context_menu(), "Copy EAN").trigger()
    assert _clipboard() == EAN_OE3
    with qtbot.waitSignal(state.selection_changed) as sig:
        panel.recipients.doubleClicked.emit(panel.recipients.proxy.index(0, 0))
    assert sig.args == [OE3]


# --- changes -----------------------------------------------------------------------


def test_changes_follow_the_date_then_user_dates(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    state.set_as_of(dt.date(2015, 6, 1))
    panel = _shown(qtbot, ChangesPanel(state))
    panel.wait()
    assert panel.dates() == (dt.date(2014, 6, 1), dt.date(2015, 6, 1))
    assert panel.views["renamed"].records.records() == [(IE, "Region Test", "Region Testland")]
    assert panel.views["changed"].records.records() == [
        (IE, "Region Testland", "Postal address: street")
    ]
    assert panel.tabs.tabText(3) == "Renamed (1)"
    # several date moves while the worker runs: only the newest pair is shown
    state.set_as_of(dt.date(2020, 1, 1))
    state.set_as_of(dt.date(2023, 1, 1))  # follows the as-of date
    panel.wait()
    assert panel.views["closed"].records.records() == [(OE2, "Akut afsnit")]
    assert panel.caption.text() == "1 change from 01-01-2022 to 01-01-2023"
    panel.set_dates(dt.date(2019, 1, 1), dt.date(2021, 1, 1))
    panel.wait()
    assert panel.views["moved"].records.records() == [
        (OE2, "Akut afsnit", SI, "Testhospital", OE1, "Ærø afdeling")
    ]
    state.set_as_of(dt.date(2012, 1, 1))  # the user's dates stay
    assert panel.dates() == (dt.date(2019, 1, 1), dt.date(2021, 1, 1))
    state.select(SI)  # a selection does not recompute the comparison
    assert not panel.job.busy
    with qtbot.waitSignal(state.selection_changed) as sig:
        panel.views["moved"].doubleClicked.emit(panel.views["moved"].proxy.index(0, 1))
    assert sig.args == [OE2]
    state.set_language("da")
    panel.wait()
    assert panel.tabs.tabText(2) == "Flyttet (1)"
    panel.follow_button.click()
    panel.wait()
    assert panel.dates() == (dt.date(2011, 1, 1), dt.date(2012, 1, 1))
    assert panel.views["moved"].records.rowCount() == 0


@pytest.mark.parametrize(
    "typed",
    ["01-01-2019", "1-1-2019", "1.1.2019", "01.01.2019", "01012019", "2019-01-01"],
)
def test_changes_dates_read_the_whole_date_typed_over_the_old_one(  # type: ignore[no-untyped-def]
    qtbot, state: AppState, typed: str
) -> None:
    state.set_as_of(dt.date(2023, 1, 1))
    panel = _shown(qtbot, ChangesPanel(state))
    panel.wait()
    assert panel.dates() == (dt.date(2022, 1, 1), dt.date(2023, 1, 1))
    field = panel.from_edit
    field.edit.setFocus()
    field.edit.selectAll()  # typed over the selected old date, key by key
    qtbot.keyClicks(field.edit, typed)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert panel.dates() == (dt.date(2019, 1, 1), dt.date(2023, 1, 1)), typed
    assert field.edit.text() == "01-01-2019"
    panel.compare()
    panel.wait()
    # the comparison ran over the typed range: what the core says for those dates
    from sorviewer.changes import changes

    doc = changes(state.register, dt.date(2019, 1, 1), dt.date(2023, 1, 1))
    total = sum(len(v) for v in doc.values())
    assert panel.caption.text().startswith(f"{total} change")
    assert panel.caption.text().endswith(" from 01-01-2019 to 01-01-2023")
    assert panel.views["closed"].records.records() == [(OE2, "Akut afsnit")]


def test_a_whole_date_applies_while_typing_and_a_bad_one_keeps_its_hint(  # type: ignore[no-untyped-def]
    qtbot, state: AppState
) -> None:
    state.set_as_of(dt.date(2023, 1, 1))
    panel = _shown(qtbot, ChangesPanel(state))
    panel.wait()
    field = panel.to_edit
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "15-06-2021")  # no Enter: the whole date applies
    assert panel.to_edit.date() == dt.date(2021, 6, 15)
    qtbot.waitUntil(lambda: panel._key is not None and panel._key[1] == dt.date(2021, 6, 15))
    # a date that does not exist stays as typed, marked, with the hint beside the field
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "31-02-2021")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.is_bad() and field.edit.text() == "31-02-2021"
    assert field.hint.isVisibleTo(panel) and field.hint.text().startswith("Not a date")
    assert panel.to_edit.date() == dt.date(2021, 6, 15)
    field.edit.editingFinished.emit()  # leaving the field keeps it
    assert field.hint.isVisibleTo(panel)
    state.set_language("da")
    assert field.hint.text().startswith("Ikke en dato")
    # Esc puts the date back
    qtbot.keyClick(field.edit, Qt.Key.Key_Escape)
    assert field.edit.text() == "15-06-2021" and not field.hint.isVisibleTo(panel)
    # a date far outside the file is compared as asked (nothing changed then)
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, "01-01-1950")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert panel.dates()[1] == dt.date(1950, 1, 1)
    panel.compare()
    panel.wait()
    assert "til 01-01-1950" in panel.caption.text()


def test_the_calendar_button_picks_a_date(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QDate

    panel = _shown(qtbot, ChangesPanel(state))
    with qtbot.waitSignal(panel.from_edit.dateChanged) as sig:
        panel.from_edit.calendar.clicked.emit(QDate(2019, 3, 4))
    assert sig.args == [dt.date(2019, 3, 4)]
    assert panel.from_edit.edit.text() == "04-03-2019"


def test_hidden_panel_waits_until_shown(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = OverviewPanel(state)
    qtbot.addWidget(panel)
    state.select(SI)
    assert panel.view is None  # nothing computed while hidden
    panel.show()
    assert panel.view is not None and panel.view["sor_id"] == SI


# --- pictures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "panel_class",
    [
        OverviewPanel,
        AllFieldsPanel,
        HistoryPanel,
        MappingPanel,
        EanEdiPanel,
        EdiPanel,
        ChangesPanel,
    ],
)
def test_every_panel_renders_to_png(qtbot, state: AppState, tmp_path: Path, panel_class) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, panel_class(state))
    assert all(isinstance(t, str) and t for t in panel_class.titles)
    blank = panel.grab().toImage()
    state.select(OE2)
    state.set_as_of(dt.date(2015, 6, 1))
    path = tmp_path / f"{panel_class.__name__}.png"
    pixmap = panel.grab()
    assert pixmap.save(str(path))
    assert path.stat().st_size > 1000
    assert pixmap.toImage() != blank  # the selection and date changed what is drawn


def test_bulk_fold_matches_search_folding() -> None:
    texts = ["Ærø Sygehus", "ÅLBORG", "Café Øst", "anæstesi", "Müller"] * 300
    assert fold_many(texts) == [fold_text(t) for t in texts]


# --- item models ---------------------------------------------------------------------


def _models(panel: QWidget) -> list[RecordsModel | RecordsProxy]:
    """Every records model and proxy inside a panel."""
    out: list[RecordsModel | RecordsProxy] = []
    for view in panel.findChildren(RecordsView):
        out += [view.records, view.proxy]
    return out


@pytest.mark.parametrize(
    "panel_class",
    [AllFieldsPanel, HistoryPanel, MappingPanel, EanEdiPanel, EdiPanel, ChangesPanel],
)
def test_model_tester_on_every_panel_table_at_several_dates(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, state: AppState, panel_class
) -> None:
    panel = _shown(qtbot, panel_class(state))
    tabs = getattr(panel, "tabs", None)
    checked = 0
    for sid in (IE, OE2):
        state.select(sid)
        for day in (dt.date(2012, 6, 1), dt.date(2021, 1, 1), dt.date(2023, 1, 1)):
            state.set_as_of(day)
            for i in range(tabs.count() if tabs is not None else 1):
                if tabs is not None:
                    tabs.setCurrentIndex(i)
                if hasattr(panel, "wait"):
                    panel.wait()
                for model in _models(panel):
                    qtmodeltester.check(model)
                    checked += model.rowCount() > 0
    assert checked > 0  # some table had rows


# --- colours on a dark palette -------------------------------------------------------


def test_history_follows_a_dark_palette(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, HistoryPanel(state))
    state.select(OE2)
    panel.only_changes.setChecked(False)
    light_base = panel.palette().color(QPalette.ColorRole.Base)
    assert panel.plot.backgroundBrush().color() == light_base
    dark = dark_palette()
    panel.setPalette(dark)  # sends the palette change to the panel and its children
    base, text = dark.color(QPalette.ColorRole.Base), dark.color(QPalette.ColorRole.Text)
    # the timeline: dark background, axes in the text colour, marks readable on it
    assert panel.plot.backgroundBrush().color() == base
    assert panel.plot.getAxis("bottom").textPen().color() == text
    colours = panel.plot_colours()
    for key in ("line", "EntityName", "ParentSorId"):
        assert _reads_on(colours[key], base, 3.0), key
    assert panel._marker.pen.color() == colours["line"]
    # the compared versions: the highlighted rows keep the text readable
    values = panel.values.records
    row = next(iter(values._highlight))
    brush = values.index(row, 1).data(Qt.ItemDataRole.BackgroundRole)
    assert brush.color() != QColor(255, 236, 170)
    assert _reads_on(text, brush.color())
    # the legend's swatches read on the window
    window = dark.color(QPalette.ColorRole.Window)
    swatches = re.findall(r"color:(#[0-9a-fA-F]{6})", panel.legend.text())
    assert len(swatches) == 3
    assert all(_reads_on(QColor(c), window, 3.0) for c in swatches)


def test_overview_links_and_muted_text_follow_a_dark_palette(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    state.select(SI)
    light = panel.palette()
    for label in (panel.header, panel.group_links["postal_address"]):
        for colour in _link_colours(label.text()):
            assert _reads_on(colour, light.color(QPalette.ColorRole.Base))
    dark = dark_palette()
    panel.setPalette(dark)
    base, window = dark.color(QPalette.ColorRole.Base), dark.color(QPalette.ColorRole.Window)
    # breadcrumbs and "Inherited from ..." links drawn earlier change colour too
    for label in (panel.header, panel.group_links["postal_address"]):
        for colour in _link_colours(label.text()):
            assert _reads_on(colour, base) and _reads_on(colour, window)
    # the status word, the inherited (muted) values
    status = re.search(r"color:(#[0-9a-fA-F]{6}); font-weight:600'>active", panel.header.text())
    assert status and _reads_on(QColor(status.group(1)), window)
    street = panel.field_items()["PostalAddressStreetName"]
    assert street.data(0, STATE_ROLE) == "inherited"
    muted = street.foreground(1).color()
    assert _reads_on(muted, base) and muted != dark.color(QPalette.ColorRole.Text)
    # the contradiction strip: a tint of the window under the window text
    strip = panel.problems.palette()
    assert _reads_on(
        strip.color(QPalette.ColorRole.WindowText), strip.color(QPalette.ColorRole.Window)
    )
    assert strip.color(QPalette.ColorRole.Window) != QColor("#fff3cd")


def test_edi_link_and_muted_labels_follow_a_dark_palette(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, EanEdiPanel(state))
    state.select(SI)  # inherits its EAN: a link to the holder
    dark = dark_palette()
    panel.setPalette(dark)
    for colour in _link_colours(panel.ean_label.text()):
        assert _reads_on(colour, dark.color(QPalette.ColorRole.Window))
    # the hint and row counts are muted, yet readable, on the light and the dark palette
    view = RecordsView(state)
    _shown(qtbot, view.frame)
    view.set_records(["a"], ["A"], [("x",)], id_key=None)
    for pal in (QGuiApplication.palette(), dark):
        view.frame.setPalette(pal)
        label = view.count_label.palette()
        assert _reads_on(
            label.color(QPalette.ColorRole.WindowText), label.color(QPalette.ColorRole.Window)
        )
        assert label.color(QPalette.ColorRole.WindowText) != label.color(QPalette.ColorRole.Text)


# --- wording -----------------------------------------------------------------------------


def test_row_counts_say_rows(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    view = RecordsView(state)
    _shown(qtbot, view.frame)
    view.set_records(
        ["sor_id", "name"], ["SOR id", "Name"], [(SI, "Testhospital"), (OE1, "Ærø afdeling")]
    )
    assert view.count_label.text() == "2 rows"
    view.filter_edit.setText("aero")
    view.apply_filter()
    assert view.count_label.text() == "1 of 2 rows"
    state.set_language("da")
    assert view.count_label.text() == "1 af 2 rækker"
    view.filter_edit.clear()
    view.apply_filter()
    assert view.count_label.text() == "2 rækker"
    view.set_records(["sor_id"], ["SOR id"], [(SI,)])
    assert view.count_label.text() == "1 række"
    state.set_language("en")
    assert view.count_label.text() == "1 row"
    view.set_records(["n"], ["n"], [(str(i),) for i in range(1234)], id_key=None)
    assert view.count_label.text() == "1,234 rows"


def test_changes_moved_headers_and_danish_dates(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    state.set_language("da")
    panel = _shown(qtbot, ChangesPanel(state))
    panel.set_dates(dt.date(2019, 1, 1), dt.date(2021, 1, 1))
    panel.wait()
    assert panel.views["moved"].records.labels() == [
        "SOR-kode",
        "Navn",
        "Fra (SOR-kode)",
        "Fra (overordnet)",
        "Til (SOR-kode)",
        "Til (overordnet)",
    ]
    assert panel.caption.text() == "1 ændring fra 01-01-2019 til 01-01-2021"
    state.set_language("en")
    panel.wait()
    assert panel.views["moved"].records.labels()[1:] == [
        "Name",
        "From (SOR id)",
        "From (parent)",
        "To (SOR id)",
        "To (parent)",
    ]


def test_all_fields_show_codes_in_words(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    state.set_language("da")
    panel = _shown(qtbot, AllFieldsPanel(state))
    state.select(SI)
    model = panel.table.records
    rows = {r[2]: i for i, r in enumerate(model.records())}

    def cell(col: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(rows[col], 1).data(role)

    assert cell("EanLocationCodeState") == "nedarvet"
    assert cell("EanLocationCodeState", Qt.ItemDataRole.ToolTipRole) == "inherited"
    assert cell("PostalAddressInheritanceIndicator") == "Ja"
    assert cell("PostalAddressInheritanceIndicator", Qt.ItemDataRole.ToolTipRole) == "true"
    # the column in the file is named as it is; a copy copies what is shown
    assert model.records()[rows["EanLocationCodeState"]][2] == "EanLocationCodeState"
    panel.table.selectRow(panel.table.proxy.mapFromSource(model.index(rows["ShakId"], 0)).row())
    panel.table.copy_selection()
    assert _clipboard().splitlines()[1].split("\t")[:3] == ["SHAK-kode (SghAfd)", "1234", "ShakId"]
    source = model.index(rows["EanLocationCodeState"], 0)
    panel.table.selectRow(panel.table.proxy.mapFromSource(source).row())
    panel.table.copy_selection()
    assert _clipboard().splitlines()[1].split("\t")[1] == "nedarvet"
    state.set_language("en")
    rows = {r[2]: i for i, r in enumerate(model.records())}
    assert cell("PostalAddressInheritanceIndicator") == "Yes"
    state.select(OE1)
    rows = {r[2]: i for i, r in enumerate(model.records())}
    assert cell("PostalAddressInheritanceIndicator") == "No"
    assert cell("EanLocationCodeState") == "none"


def test_overview_lists_addresses_in_reading_order(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, OverviewPanel(state))
    panel.show_empty.setChecked(True)  # every field of each group, filled or not
    state.select(OE1)
    order = [
        "StreetName",
        "StreetBuildingId",
        "FloorId",
        "SuiteId",
        "AdditionalAddressInfo",
        "PostCodeId",
        "DistrictName",
        "StreetCode",
        "MunicipalityCode",
    ]
    titles = {"Postal address", "Visiting address", "Activity address"}
    checked = 0
    for g in range(panel.tree.topLevelItemCount()):
        group = panel.tree.topLevelItem(g)
        cols = [group.child(i).data(0, COLUMN_ROLE) for i in range(group.childCount())]
        cols = [c for c in cols if c]
        if not any(group.text(0).startswith(t) for t in titles):
            continue
        prefix = cols[0][: cols[0].index("Address") + len("Address")]
        assert [c[len(prefix) :] for c in cols][: len(order)] == order, group.text(0)
        checked += 1
    assert checked == 3


# --- layout --------------------------------------------------------------------------


def test_edi_panel_without_edi_table_keeps_the_form_compact(qtbot) -> None:  # type: ignore[no-untyped-def]
    st = AppState()
    st.set_as_of(DAY)
    st.set_register(tiny.tiny_register())  # no EDI tables, as every XML extract
    st.set_language("en")
    panel = _shown(qtbot, EanEdiPanel(st))
    panel.resize(600, 800)
    st.select(OE3)  # its own EAN
    qtbot.waitUntil(lambda: panel.types_note.isVisible())
    assert "no table of EDI types" in panel.types_note.text()
    assert not panel.types.frame.isVisibleTo(panel)
    # the note sits right under the form, in the top part of the panel
    rows = [w for w in panel.form_values.values() if w.isVisibleTo(panel)]
    form_bottom = max(w.geometry().bottom() for w in rows)
    gaps = [b.geometry().top() - a.geometry().bottom() for a, b in itertools.pairwise(rows)]
    assert max(gaps) < 20  # no rows spread over the height
    assert panel.types_note.geometry().top() - form_bottom < 60
    assert panel.types_note.geometry().bottom() < panel.height() // 3
    note = panel.types_note.palette()
    assert _reads_on(
        note.color(QPalette.ColorRole.WindowText), note.color(QPalette.ColorRole.Window)
    )


def test_edi_types_table_reads_in_words(qtbot, state: AppState) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, EanEdiPanel(state))
    state.select(OE3)
    model = panel.types.records
    assert model.labels()[0] == "EDI type (id)"
    col = model.column_of("direction")
    got = {
        model.record(r)[0]: (
            model.index(r, col).data(),
            model.index(r, col).data(Qt.ItemDataRole.ToolTipRole),
        )
        for r in range(model.rowCount())
    }
    assert got == {"11": ("In", "I"), "22": ("Out", "U")}
    state.set_language("da")
    assert model.labels()[0] == "EDI-type (id)"
    assert {model.index(r, col).data() for r in range(model.rowCount())} == {"Ind", "Ud"}


@pytest.mark.parametrize("width", [520, 1000])
def test_mapping_keeps_code_unit_and_kind_in_view(qtbot, width: int) -> None:  # type: ignore[no-untyped-def]
    long = "Afdeling for meget lange navne, sengeafsnit og ambulatorium, matrikel 2"
    st = AppState()
    st.set_as_of(DAY)
    st.set_register(_register({OE1: long, SI: long + " (hospital)"}))
    st.set_language("en")
    panel = _shown(qtbot, MappingPanel(st))
    panel.resize(width, 600)
    st.select(OE2)
    for i, view in ((0, panel.unit_table), (1, panel.code_table), (2, panel.frame_table)):
        panel.tabs.setCurrentIndex(i)
        if i == 1:
            panel.code_edit.setText("1234")
            panel.look_up_code()
        panel.wait()
        qtbot.waitUntil(lambda v=view: v.records.rowCount() > 0)
        room = view.viewport().width()

        def right(key: str, v: RecordsView = view) -> int:
            c = v.records.column_of(key)
            return v.columnViewportPosition(c) + v.columnWidth(c)

        keys = [k for k in ("shak_id", "sor_id", "mapping") if view.records.column_of(k) >= 0]
        for key in keys:
            assert right(key) <= room, (i, key)
        name = view.records.column_of("name")
        if name >= 0:  # the name starts in view (and is whole when there is room)
            assert view.columnViewportPosition(name) < room - 60
            if width >= 1000:
                assert right("name") <= room


def test_source_not_in_the_file_is_named_without_a_link() -> None:
    from ui.widgets.details_panel import source_text

    reg = tiny.tiny_register()
    view = {"sor_id": OE1}
    prov = {"state": "inherited", "from_sor_id": "99999", "from_group": None}
    text = source_text(reg, view, prov, "da", DAY)
    assert "99999 (enheden findes ikke i filen)" in text and "href" not in text
    prov = {"state": "inherited", "from_sor_id": SI, "from_group": None}
    assert f'href="sor:{SI}"' in source_text(reg, view, prov, "en", DAY)


def test_history_version_click_does_not_move_the_date_for_another_unit(
    qtbot, state: AppState
) -> None:  # type: ignore[no-untyped-def]
    panel = _shown(qtbot, HistoryPanel(state))
    state.select(OE2)
    before = state.as_of
    panel.versions.select_source_row(0)  # asks (from the event loop) for OE2's first version
    state.select(IE)  # ... but a click in the tree comes first
    qtbot.wait(50)
    assert state.as_of == before
    panel.versions.select_source_row(0)  # IE's own first version does move it
    qtbot.waitUntil(lambda: state.as_of == dt.date(2010, 1, 1), timeout=3000)
