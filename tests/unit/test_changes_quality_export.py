"""Changes between dates, data-quality findings, and export (CSV, XLSX, JSON, TSV).

Exact answers come from tiny.py and from small registers built here, each
planting the one situation a test is about.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sorviewer import Register, cli, export
from sorviewer.changes import changes
from sorviewer.export import (
    export_rows,
    export_views,
    neutralise,
    select_units,
    to_tsv,
    write_export,
)
from sorviewer.ids import make_ean, make_sor_id
from sorviewer.quality import quality
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport

from . import tiny
from .tiny import FUT, IE, IE2, OE1, OE2, OE3, SI, tiny_register

DAY = dt.date(2021, 1, 1)


def build(rows: list[dict[str, str]], tables: dict[str, pd.DataFrame] | None = None) -> Register:
    df = pd.DataFrame(rows).astype("string[pyarrow]")
    raw = RawData(
        entities=df,
        tables=tables or {},
        source=SourceInfo(path="planted", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


def unit(sor_id: str, name: str, parent: str | None = None, **kw: str) -> dict[str, str]:
    """An open unit from 2010 with its own postal address unless told otherwise."""
    row = {
        "SorId": sor_id,
        "SorType": "OE" if parent else "IE",
        "EntityName": name,
        "FirstFromDate": "2010-01-01",
        "FromDate": "2010-01-01",
        "PostalAddressStreetName": "Vej 1",
        "PostalAddressInheritanceIndicator": "false",
        "VirtualAddressInheritanceIndicator": "false",
        "EanLocationCodeState": "none",
    }
    if parent:
        row["ParentSorId"] = parent
    row.update(kw)
    return {k: v for k, v in row.items() if v != ""}


ID = [make_sor_id(n) for n in range(1, 30)]


# --- changes -------------------------------------------------------------------------


def test_changes_across_rename_closure_and_creation() -> None:
    doc = changes(tiny_register(), dt.date(2014, 1, 1), dt.date(2031, 1, 1))
    assert doc == {
        "created": [{"sor_id": FUT, "name": "Ny klinik"}],
        "closed": [{"sor_id": OE2, "name": "Akut afsnit"}],
        "moved": [],
        "renamed": [{"sor_id": IE, "name": "Region Testland", "old_name": "Region Test"}],
        "changed": [
            {"sor_id": IE, "name": "Region Testland", "columns": ["PostalAddressStreetName"]}
        ],
    }


def test_changes_sees_the_move() -> None:
    doc = changes(tiny_register(), dt.date(2019, 6, 1), DAY)
    assert doc["moved"] == [
        {"sor_id": OE2, "name": "Akut afsnit", "from_parent": SI, "to_parent": OE1}
    ]
    assert doc["created"] == doc["closed"] == doc["renamed"] == doc["changed"] == []


def test_changes_on_one_day_is_empty() -> None:
    doc = changes(tiny_register(), DAY, DAY)
    assert all(v == [] for v in doc.values())
    assert list(doc) == ["created", "closed", "moved", "renamed", "changed"]


def test_changed_ignores_inherited_copies_and_sorts_by_danish_name() -> None:
    common = {"PostalAddressInheritanceIndicator": "true", "PostalAddressStreetName": "Kopi 1"}
    rows = [
        unit(ID[0], "Ejer"),
        # inherits its postal address on both days: a changed copy is noise
        unit(ID[1], "Åben afdeling", ID[0], ToDate="2015-12-31", **common),
        unit(
            ID[1],
            "Åben afdeling",
            ID[0],
            FromDate="2016-01-01",
            PostalAddressInheritanceIndicator="true",
            PostalAddressStreetName="Kopi 2",
            LocalCode="X",
        ),
        # own address that really changed
        unit(ID[2], "Øvre afsnit", ID[0], ToDate="2015-12-31"),
        unit(ID[2], "Øvre afsnit", ID[0], FromDate="2016-01-01", PostalAddressStreetName="Vej 9"),
        unit(ID[3], "Zebra", ID[0], ToDate="2015-12-31"),
        unit(ID[3], "Zebra", ID[0], FromDate="2016-01-01", ProviderId="123456"),
    ]
    doc = changes(build(rows), dt.date(2015, 1, 1), dt.date(2017, 1, 1))
    assert doc["changed"] == [
        {"sor_id": ID[3], "name": "Zebra", "columns": ["ProviderId"]},
        {"sor_id": ID[2], "name": "Øvre afsnit", "columns": ["PostalAddressStreetName"]},
        {"sor_id": ID[1], "name": "Åben afdeling", "columns": ["LocalCode"]},  # æ, ø, å
    ]


# --- quality --------------------------------------------------------------------------


def kinds(findings: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(f["kind"], f["sor_id"]) for f in findings]


def test_quality_on_tiny() -> None:
    reg = tiny_register()
    assert quality(reg, DAY) == [
        {
            "severity": "warning",
            "kind": "inherited_without_source",
            "sor_id": OE2,
            "message": "Akut afsnit (41000016001) is marked as inheriting an EAN location "
            "number, but no unit above it has one.",
        }
    ]
    after = quality(reg, dt.date(2023, 1, 1))
    assert kinds(after) == [("empty_subtree", OE1)]
    assert "closed" in str(after[0]["message"])


def test_quality_parent_closed_or_not_yet_open() -> None:
    rows = [
        unit(ID[0], "Ejer"),
        unit(ID[1], "Lukket", ID[0], ToDate="2019-12-31"),
        unit(ID[2], "Barn", ID[1]),
        unit(ID[3], "Kommende", ID[0], FirstFromDate="2030-01-01", FromDate="2030-01-01"),
        unit(ID[4], "Tidligt barn", ID[3]),
    ]
    found = quality(build(rows), DAY)
    errors = [f for f in found if f["severity"] == "error"]
    assert kinds(errors) == [("parent_not_active", ID[2]), ("parent_not_active", ID[4])]
    assert "closed after 2019-12-31" in str(errors[0]["message"])
    assert "only opens on 2030-01-01" in str(errors[1]["message"])
    assert ("empty_subtree", ID[1]) not in kinds(found)  # closed units are not checked


def test_quality_eans_and_edi() -> None:
    ean_a, ean_b, ean_c = (
        make_ean("579000000001"),
        make_ean("579000000002"),
        make_ean("579000000003"),
    )
    rows = [
        unit(ID[0], "Ejer", EanLocationCodeState="own", EanLocationCode=ean_a),
        unit(ID[1], "Uden EDI", ID[0], EanLocationCodeState="own", EanLocationCode=ean_b),
        unit(ID[2], "Delt 1", ID[0], EanLocationCodeState="own", EanLocationCode=ean_c),
        unit(ID[3], "Delt 2", ID[0], EanLocationCodeState="own", EanLocationCode=ean_c),
        unit(ID[4], "Arver", ID[1], EanLocationCodeState="inherited"),
    ]
    edi = pd.DataFrame({"EanLocationCode": [ean_a, ean_c, ean_b], "EdiId": ["1", "1", "2"]}).astype(
        "string[pyarrow]"
    )
    edi["ToDate"] = pd.Series([None, None, "2015-01-01"], dtype="string[pyarrow]")
    found = quality(build(rows, {"LocationsCodeEDITypeMap": edi}), DAY)
    assert kinds(found) == [("ean_without_edi", ID[1]), ("shared_ean", ID[2])]
    assert ean_b in str(found[0]["message"])
    assert "Delt 1 (" in str(found[1]["message"]) and "Delt 2 (" in str(found[1]["message"])
    # without any EDI map in the file, nothing can be said about EDI types
    assert kinds(quality(build(rows), DAY)) == [("shared_ean", ID[2])]


def test_quality_shak_on_several_units_derived_and_from_the_map() -> None:
    rows = [
        unit(ID[0], "Ejer"),
        unit(ID[1], "B afsnit", ID[0], ShakId="1234011"),
        unit(ID[2], "A afsnit", ID[0], ShakId="1234011"),
        unit(ID[3], "Under A", ID[2]),  # inherits the code: not a second direct mapping
    ]
    found = quality(build(rows), DAY)
    assert kinds(found) == [("shak_multiple", ID[2])]
    assert "1234011" in str(found[0]["message"])
    shak = pd.DataFrame(
        {
            "ShakId": ["9999", "9999", "8888", "8888"],
            "SorId": [ID[1], ID[2], ID[1], ID[3]],
            "IsDirectSorShakMapping": ["true", "true", "true", "false"],
            "ShakIdsDirectSorId": ["", "", "", ID[1]],
        }
    ).astype("string[pyarrow]")
    found = quality(build(rows, {"SHAKSORMap": shak}), DAY)
    assert kinds(found) == [("shak_multiple", ID[2])]
    assert "SHAK code 9999" in str(found[0]["message"])


def test_quality_addresses_names_and_orphans() -> None:
    rows = [
        unit(ID[0], "Ejer uden adresse", PostalAddressStreetName=""),
        unit(ID[1], "Arver intet", ID[0], PostalAddressInheritanceIndicator="true"),
        unit(ID[2], " Mellemrum", ID[0]),
        unit(ID[3], "Dobbelt  mellemrum", ID[0], VirtualAddressInheritanceIndicator="true"),
        unit(ID[4], "Forældreløs", make_sor_id(999)),
    ]
    reg = build(rows)
    assert reg.report.count("unknown_parent") == 1
    found = quality(reg, DAY)
    assert kinds(found) == [
        ("parent_missing", ID[4]),
        ("no_postal_address", ID[1]),
        ("no_postal_address", ID[0]),
        ("inherited_without_source", ID[3]),
        ("name_spaces", ID[2]),
        ("name_spaces", ID[3]),
    ]
    msgs = [str(f["message"]) for f in found]
    assert msgs[0] == (
        f"Forældreløs ({ID[4]}) is active, but its parent {make_sor_id(999)} is not in the "
        "file, so it is shown under 'Missing parent'."
    )
    assert found[0]["severity"] == "error"
    assert "inherits its postal address" in msgs[1]
    assert "neither its own nor inherited" in msgs[2]
    assert "leading or trailing" in msgs[4] and "doubled" in msgs[5]


def of_kind(findings: list[dict[str, object]], kind: str) -> list[object]:
    return [f["sor_id"] for f in findings if f["kind"] == kind]


def test_quality_cycles_at_the_date_one_finding_each() -> None:
    rows = [
        unit(ID[0], "Alfa", ID[1]),
        unit(ID[1], "Beta", ID[0], ToDate="2019-12-31"),
        unit(ID[1], "Beta", "", FromDate="2020-01-01", SorType="IE"),
        unit(ID[2], "Gamma", ID[0]),  # under the loop, not in it
        unit(ID[3], "Delta", ID[4]),  # a loop in every version
        unit(ID[4], "Epsilon", ID[3]),
    ]
    reg = build(rows)
    assert reg.report.count("cycle") == 2  # Delta and Epsilon, from their latest rows
    found = quality(reg, DAY)
    assert of_kind(found, "cycle") == [ID[3], ID[4]]
    assert found[0]["severity"] == "error"
    assert found[0]["message"] == (
        f"Delta ({ID[3]}) is in a loop of parent units (Delta ({ID[3]}) -> Epsilon ({ID[4]}) "
        f"-> Delta ({ID[3]})), so it has no place in the tree and is shown under "
        "'Missing parent'."
    )
    assert not of_kind(found, "parent_missing") and not of_kind(found, "parent_not_active")
    before = quality(reg, dt.date(2019, 6, 1))  # Alfa and Beta loop only then
    assert of_kind(before, "cycle") == [ID[0], ID[1], ID[3], ID[4]]
    assert "Beta" in str(before[0]["message"])


def test_quality_bad_check_digits_of_active_units() -> None:
    good = make_sor_id(5)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    closed_bad = make_sor_id(6)[:-1] + str((int(make_sor_id(6)[-1]) + 1) % 10)
    ean = make_ean("579000000001")
    bad_ean = ean[:-1] + str((int(ean[-1]) + 1) % 10)
    rows = [
        unit(ID[0], "Ejer", EanLocationCodeState="own", EanLocationCode=ean),
        unit(bad, "Skæv", ID[0], EanLocationCodeState="own", EanLocationCode=bad_ean),
        unit(closed_bad, "Lukket skæv", ID[0], ToDate="2015-12-31"),
    ]
    reg = build(rows)
    assert reg.report.count("bad_check_digit") == 2
    found = quality(reg, DAY)
    assert kinds(found) == [("bad_check_digit", bad), ("bad_ean", bad)]
    assert found[0]["message"] == f"The SOR id of Skæv ({bad}) fails the Verhoeff check digit."
    assert found[1]["message"] == (
        f"The EAN location number {bad_ean} of Skæv ({bad}) is not 13 digits with a valid "
        "GS1 check digit."
    )


def test_quality_duplicate_provider_numbers() -> None:
    rows = [
        unit(ID[0], "Ejer"),
        unit(ID[1], "Praksis B", ID[0], ProviderId="045756"),
        unit(ID[2], "Praksis A", ID[0], ProviderId=" 045756"),
        unit(ID[3], "Gammel praksis", ID[0], ProviderId="011111", ToDate="2019-12-31"),
        unit(ID[4], "Ny praksis", ID[0], ProviderId="011111"),
        unit(ID[5], "Eneste", ID[0], ProviderId="045757"),
    ]
    found = quality(build(rows), DAY)
    assert kinds(found) == [("duplicate_provider", ID[2])]
    assert found[0]["message"] == (
        f"Provider number 045756 is on 2 active units: Praksis A ({ID[2]}), Praksis B ({ID[1]})."
    )
    before = quality(build(rows), dt.date(2015, 1, 1))
    assert kinds(before) == [("duplicate_provider", ID[3]), ("duplicate_provider", ID[2])]


def test_quality_inherited_ean_from_a_closed_unit() -> None:
    ean_a, ean_b = make_ean("579000000001"), make_ean("579000000002")
    closed = {"ToDate": "2019-12-31"}
    rows = [
        unit(ID[0], "Ejer", EanLocationCodeState="own", EanLocationCode=ean_a),
        unit(ID[1], "Lukket", ID[0], EanLocationCodeState="own", EanLocationCode=ean_b, **closed),
        unit(ID[2], "Arver", ID[1], EanLocationCodeState="inherited", EanLocationCode=ean_b),
        unit(ID[4], "Lukket mellem", ID[0], EanLocationCodeState="inherited", **closed),
        unit(ID[5], "Under mellem", ID[4], EanLocationCodeState="inherited"),
        unit(ID[7], "Lukket uden", ID[0], **closed),
        unit(ID[6], "Under uden", ID[7], EanLocationCodeState="inherited"),
        unit(ID[8], "Arver rigtigt", ID[0], EanLocationCodeState="inherited"),
    ]
    found = quality(build(rows), DAY)
    by_id = {f["sor_id"]: f["message"] for f in found if f["kind"] == "ean_from_closed"}
    assert by_id == {
        ID[2]: f"Arver ({ID[2]}) inherits its EAN location number {ean_b} from Lukket "
        f"({ID[1]}), which closed after 2019-12-31.",
        ID[5]: f"Under mellem ({ID[5]}) inherits its EAN location number {ean_a} from Ejer "
        f"({ID[0]}) through Lukket mellem ({ID[4]}), which closed after 2019-12-31.",
    }
    # no EAN anywhere up the chain: the older finding, and never both for one unit
    assert of_kind(found, "inherited_without_source") == [ID[6]]
    assert sorted(of_kind(found, "parent_not_active")) == sorted([ID[2], ID[5], ID[6]])
    assert ID[8] not in {f["sor_id"] for f in found}
    assert of_kind(quality(build(rows), dt.date(2015, 1, 1)), "ean_from_closed") == []


# --- export rows and values ------------------------------------------------------------


def test_export_rows_active_by_name_with_inherited_values() -> None:
    reg = tiny_register()
    header, rows = export_rows(reg, DAY)
    assert header == [c for c in reg.entities.columns if c != "__line__"] + ["Status"]
    col = {c: i for i, c in enumerate(header)}
    assert [r[col["EntityName"]] for r in rows] == [
        "Akut afsnit",
        "anæstesi",
        "Region Testland",
        "Testhospital",
        "Ærø afdeling",
        "Øster Klinik",
    ]
    by_id = {r[0]: r for r in rows}
    si = by_id[SI]
    assert si[col["PostalAddressStreetName"]] == "Vej 2"  # from IE at the date
    assert si[col["VisitingAddressStreetName"]] == "Vej 2"  # own (inherited) postal
    assert si[col["EanLocationCode"]] == "5790000173624"
    assert si[col["VirtualAddressTelephoneNumber"]] == "11111111"
    assert si[col["Status"]] == "active"
    oe2 = by_id[OE2]
    assert oe2[col["PostalAddressStreetName"]] == "Gade 5"  # from OE1, its parent since 2020
    assert oe2[col["ActivityAddressPostCodeId"]] == "5970"
    assert oe2[col["ShakId"]] == "123401"  # inherited SHAK
    assert oe2[col["EanLocationCode"]] is None  # OE1 has none
    assert oe2[col["ParentSorId"]] == OE1


def test_export_all_adds_closed_and_future() -> None:
    reg = tiny_register()
    _h, rows = export_rows(reg, dt.date(2023, 1, 1), include_all=True)
    status = {r[0]: r[-1] for r in rows}
    assert status[OE2] == "closed" and status[FUT] == "future" and status[IE] == "active"
    assert len(rows) == len(tiny.ROWS) - 2  # 9 rows, 7 units
    _h, active = export_rows(reg, dt.date(2023, 1, 1))
    assert {r[0] for r in active} == {IE, SI, OE1, OE3, IE2}


def test_export_subtree_in_tree_order_and_selected_ids() -> None:
    reg = tiny_register()
    _h, rows = export_rows(reg, DAY, subtree=IE)
    assert [r[0] for r in rows] == [IE, SI, OE3, OE1, OE2]
    _h, rows = export_rows(reg, DAY, subtree=IE2)
    assert [r[0] for r in rows] == [IE2]
    _h, rows = export_rows(reg, DAY, subtree=IE2, include_all=True)
    assert [(r[0], r[-1]) for r in rows] == [(IE2, "active"), (FUT, "future")]
    _h, rows = export_rows(reg, DAY, sor_ids=[IE, OE3])
    assert [r[0] for r in rows] == [OE3, IE]
    # listed ids follow the date like everything else: a future unit only with include_all
    _h, rows = export_rows(reg, DAY, sor_ids=[FUT, IE2])
    assert [(r[0], r[-1]) for r in rows] == [(IE2, "active")]
    _h, rows = export_rows(reg, DAY, sor_ids=[FUT, IE2], include_all=True)
    assert [(r[0], r[-1]) for r in rows] == [(FUT, "future"), (IE2, "active")]
    assert export.inactive_ids(reg, DAY, [FUT, IE2, FUT, "999"]) == [FUT]
    closed = dt.date(2023, 1, 1)
    assert [r[0] for r in export_rows(reg, closed, sor_ids=[OE2, OE1])[1]] == [OE1]
    assert len(select_units(reg, closed, sor_ids=[OE2], include_all=True)) == 1
    _h, rows = export_rows(reg, DAY, subtree=IE, sor_ids=[OE1, IE2])
    assert [r[0] for r in rows] == [OE1]


def test_bulk_views_equal_entity_view_everywhere() -> None:
    reg = tiny_register()
    ents = np.arange(len(reg.ids))
    for day in ("2009-06-01", "2012-06-01", "2016-01-01", "2021-01-01", "2023-01-01", "2031-01-01"):
        d = dt.date.fromisoformat(day)
        views = export_views(reg, d, ents)
        assert views == [reg.entity(str(sid), d) for sid in reg.ids]


def test_bulk_views_report_contradicting_copies_like_entity_view() -> None:
    rows = [
        unit(ID[0], "Ejer", PostalAddressPostCodeId="8000", ShakId="1111"),
        unit(
            ID[1],
            "Kopi",
            ID[0],
            PostalAddressInheritanceIndicator="true",
            PostalAddressStreetName="Anden vej",
            PostalAddressPostCodeId="8000",
            VisitingAddressInheritanceIndicator="true",
            VisitingAddressStreetName="Tredje vej",
        ),
    ]
    reg = build(rows)
    views = export_views(reg, DAY, np.arange(2))
    assert views == [reg.entity(ID[0], DAY), reg.entity(ID[1], DAY)]
    assert len(views[1]["problems"]) == 2


# --- files ----------------------------------------------------------------------------


def planted_for_files() -> Register:
    return build(
        [
            unit(
                "123456789012345678",
                '=HYPERLINK("x")',
                EanLocationCodeState="own",
                EanLocationCode="5790000173624",
            ),
            unit(
                ID[1],
                'Semi; kolon "citat"',
                "123456789012345678",
                VirtualAddressTelephoneNumber="+4512345678",
            ),
            unit(
                ID[2],
                "-12,5",
                "123456789012345678",
                LocalCode="@SUM(A1)",
                LocalAttribute1="a<b&c>\x01 d ",
            ),
        ]
    )


def test_csv_bytes(tmp_path: Path) -> None:
    reg = planted_for_files()
    out = tmp_path / "out.csv"
    assert write_export(reg, DAY, str(out), "csv") == 3
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfSorId;SorType;EntityName;")
    assert data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    header = rows[0]
    assert header[-1] == "Status"
    col = {c: i for i, c in enumerate(header)}
    names = [r[col["EntityName"]] for r in rows[1:]]
    assert names == ["-12,5", '\'=HYPERLINK("x")', 'Semi; kolon "citat"']
    assert rows[2][0] == "123456789012345678"
    assert rows[1][col["LocalCode"]] == "'@SUM(A1)"
    assert rows[3][col["VirtualAddressTelephoneNumber"]] == "+4512345678"
    assert rows[3][col["ParentSorId"]] == "123456789012345678"


def test_xlsx_cells_are_text(tmp_path: Path) -> None:
    reg = planted_for_files()
    out = tmp_path / "out.xlsx"
    assert write_export(reg, DAY, str(out), "xlsx") == 3
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "SorId" and ws["A1"].font.b
    values = [[c.value for c in row] for row in ws.iter_rows()]
    col = {c: i for i, c in enumerate(values[0])}
    dates = {col[c] for c in ("FirstFromDate", "FromDate", "ToDate", "UpdatedAt") if c in col}
    types = {
        c.data_type
        for row in ws.iter_rows()
        for j, c in enumerate(row)
        if c.value is not None and j not in dates
    }
    assert types == {"s"}  # never numbers, never formulas; dates are date cells
    assert values[1][col["FirstFromDate"]] == dt.datetime(2010, 1, 1)
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(col))}4"
    assert values[2][0] == "123456789012345678"
    assert values[2][col["EntityName"]] == '=HYPERLINK("x")'  # kept as text, not run
    formula_cell = ws.cell(row=3, column=col["EntityName"] + 1)
    assert formula_cell.quotePrefix and formula_cell.number_format == "@"
    assert not ws.cell(row=2, column=col["EntityName"] + 1).quotePrefix  # "-12,5"
    # escaped; a character XML cannot hold is written as Excel's own _xHHHH_ escape
    assert values[1][col["LocalAttribute1"]] == "a<b&c>_x0001_ d "
    assert values[2][col["EanLocationCode"]] == "5790000173624"
    assert values[1][col["EntityName"]] == "-12,5"
    assert values[3][col["ParentSorId"]] == "123456789012345678"
    assert 8 <= (ws.column_dimensions["C"].width or 0) <= 50


def test_xlsx_text_format_only_where_excel_would_reinterpret(tmp_path: Path) -> None:
    reg = planted_for_files()
    out = tmp_path / "out.xlsx"
    write_export(reg, DAY, str(out), "xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert all(c.font.b for c in ws[1])
    col = {c: i + 1 for i, c in enumerate(header)}
    id_cell = ws.cell(row=3, column=col["SorId"])
    assert id_cell.value == "123456789012345678" and id_cell.number_format == "@"
    assert ws.cell(row=2, column=col["EntityName"]).number_format == "@"  # "-12,5"
    assert ws.cell(row=3, column=col["FirstFromDate"]).number_format == "yyyy-mm-dd"
    assert ws.cell(row=4, column=col["VirtualAddressTelephoneNumber"]).number_format == "@"
    plain = ws.cell(row=4, column=col["EntityName"])  # 'Semi; kolon "citat"'
    assert plain.number_format == "General" and not plain.quotePrefix
    assert ws.cell(row=3, column=col["Status"]).number_format == "General"
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in col.values()]
    assert all(8 <= (w or 0) <= 50 for w in widths)
    sor_id_width = ws.column_dimensions["A"].width or 0
    assert sor_id_width >= len("123456789012345678")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_progress_reaches_the_total_once(tmp_path: Path, fmt: str) -> None:
    reg = tiny_register()
    calls: list[tuple[int, int]] = []
    n = write_export(
        reg, DAY, str(tmp_path / f"out.{fmt}"), fmt, progress=lambda d, t: calls.append((d, t))
    )
    assert n == 6 and calls == [(6, 6)]
    calls.clear()
    write_export(
        reg,
        DAY,
        str(tmp_path / f"none.{fmt}"),
        fmt,
        subtree=FUT,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(0, 0)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_progress_can_cancel(tmp_path: Path, fmt: str) -> None:
    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        write_export(tiny_register(), DAY, str(tmp_path / f"out.{fmt}"), fmt, progress=cancel)
    assert os.listdir(tmp_path) == []


def test_progress_is_throttled(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.05, 0.12, 0.15, 0.3, 0.31])
    monkeypatch.setattr(export.time, "monotonic", lambda: next(clock))
    calls: list[tuple[int, int]] = []
    tick = export._Ticker(lambda d, t: calls.append((d, t)), 100)
    for done in (10, 20, 30, 40, 50, 100, 100):
        tick(done)
    assert calls == [(10, 100), (30, 100), (50, 100), (100, 100)]


def test_json_is_the_show_documents(tmp_path: Path) -> None:
    reg = tiny_register()
    out = tmp_path / "out.json"
    assert write_export(reg, DAY, str(out), "json", subtree=SI) == 4
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc == [reg.entity(s, DAY) for s in (SI, OE3, OE1, OE2)]


def test_failed_export_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reg = tiny_register()
    out = tmp_path / "out.csv"
    out.write_bytes(b"old")

    def broken(fh: io.BufferedWriter, *args: object) -> None:
        fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(export, "_write_csv", broken)
    with pytest.raises(OSError):
        write_export(reg, DAY, str(out), "csv")
    assert out.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.csv"]
    with pytest.raises(ValueError):
        write_export(reg, DAY, str(out), "ods")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_export_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    out = tmp_path / "out.csv"
    write_export(tiny_register(), DAY, str(out), "csv")
    assert out.stat().st_mode == plain.stat().st_mode


def test_select_units_empty_when_the_root_is_not_there() -> None:
    reg = tiny_register()
    assert len(select_units(reg, DAY, subtree=FUT)) == 0
    assert list(select_units(reg, DAY, subtree=FUT, include_all=True)) == [reg.entity_index(FUT)]


# --- neutralise and TSV -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-A1", "'-A1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12,5", "-12,5"),
        ("+4512345678", "+4512345678"),
        ("-1.234,56", "-1.234,56"),
        ("Region Test", "Region Test"),
        ("", ""),
        ("a=b", "a=b"),
        ("-", "'-"),
        ("+45 12 34 56 78", "'+45 12 34 56 78"),
    ],
)
def test_neutralise_cases(text: str, expected: str) -> None:
    assert neutralise(text) == expected


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    out = neutralise(text)
    plain = export._PLAIN_NUMBER.fullmatch(text) is not None
    if plain:
        assert out == text
    else:
        assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out in (text, "'" + text)


@given(st.from_regex(r"[+-]?[0-9]{1,12}([.,][0-9]{1,6})?", fullmatch=True))
def test_plain_numbers_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_to_tsv_shape() -> None:
    text = to_tsv(("SorId", "Navn", "Note"), [(1, "A\tB", None), ("2", "=x", "l1\nl2\r")])
    assert text == "SorId\tNavn\tNote\n1\tA B\t\n2\t'=x\tl1 l2 \n"
    lines = text.split("\n")
    assert lines[-1] == "" and all(line.count("\t") == 2 for line in lines[:-1])
    assert to_tsv(["a"], []) == "a\n"


# --- the command line over a real file ----------------------------------------------------


def tiny_csv(path: Path) -> Path:
    from sorviewer import schema

    cols = schema.SOR_ENTITY_COLUMNS
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(cols)
    for r in tiny.ROWS:
        w.writerow([r.get(c, "") for c in cols])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.run([*args])
    return code, capsys.readouterr().out


def test_cli_changes_quality_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = str(tiny_csv(tmp_path / "SorEntity_daily.csv"))
    reg = tiny_register()
    code, out = run_cli(
        capsys, "changes", f, "--from", "2014-01-01", "--to", "2031-01-01", "--json", "--no-cache"
    )
    assert code == 0
    assert json.loads(out) == changes(reg, dt.date(2014, 1, 1), dt.date(2031, 1, 1))
    code, out = run_cli(
        capsys, "changes", f, "--from", "2014-01-01", "--to", "2031-01-01", "--no-cache"
    )
    assert code == 0 and "renamed: 1" in out and "(was Region Test)" in out
    assert cli.run(["changes", f, "--from", "2020-01-01", "--to", "2019-01-01", "--no-cache"]) == 2
    code, out = run_cli(capsys, "quality", f, "--as-of", "2021-01-01", "--json", "--no-cache")
    assert code == 0 and json.loads(out) == quality(reg, DAY)
    out_csv = tmp_path / "x.csv"
    code, out = run_cli(
        capsys,
        "export",
        f,
        "-o",
        str(out_csv),
        "--as-of",
        "2021-01-01",
        "--subtree",
        SI,
        "--no-cache",
    )
    assert code == 0 and "wrote 4 units" in out
    lines = out_csv.read_bytes().decode("utf-8-sig").split("\r\n")
    assert [line.split(";")[0] for line in lines[1:-1]] == [SI, OE3, OE1, OE2]
    out_json = tmp_path / "x.json"
    code, _ = run_cli(
        capsys,
        "export",
        f,
        "-o",
        str(out_json),
        "--as-of",
        "2021-01-01",
        "--ids",
        f"{IE},{OE3}",
        "--no-cache",
    )
    assert code == 0
    assert [v["sor_id"] for v in json.loads(out_json.read_text("utf-8"))] == [OE3, IE]
    assert cli.run(["export", f, "-o", str(out_json), "--ids", "12", "--no-cache"]) == 4


# --- bulk provenance against the per-unit resolver on generated registers -------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["sor2-zip", "sor-xml"])
def test_bulk_views_equal_entity_view_on_generated(tmp_path: Path, fmt: str) -> None:
    import sorviewer
    from sorviewer.synthetic import generate

    path = tmp_path / f"gen-{fmt}.zip"
    generate(str(path), entities=400, seed=11, fmt=fmt)
    reg = sorviewer.load(str(path), use_cache=False)
    ents = np.arange(len(reg.ids))
    snapshot = reg.source.snapshot_date or DAY
    for d in (dt.date(2008, 1, 1), dt.date(2016, 5, 1), snapshot, dt.date(2030, 1, 1)):
        views = export_views(reg, d, ents)
        assert views == [reg.entity(str(sid), d) for sid in reg.ids]
    header, rows = export_rows(reg, snapshot, include_all=True)
    assert len(rows) == len(reg.ids) and header[-1] == "Status"


# --- the as-of stamp (for the window; the CLI never sets it) -----------------------------


def _stamped_register(path: str = "/data/Sor_complete.zip") -> Register:
    reg = planted_for_files()
    reg.source.path = path
    return reg


@pytest.mark.parametrize("stamp", [False, True])
def test_csv_stamp(tmp_path: Path, stamp: bool) -> None:
    reg = _stamped_register()
    out = tmp_path / "out.csv"
    assert write_export(reg, DAY, str(out), "csv", stamp=stamp) == 3
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    if stamp:
        assert rows[0][-2:] == ["Status", "AsOfDate"]
        assert [r[-1] for r in rows[1:]] == ["2021-01-01"] * 3
    else:
        assert rows[0][-1] == "Status" and "AsOfDate" not in rows[0]
    # the neutralising of formula-like cells is the same either way
    assert any(r[2] == '\'=HYPERLINK("x")' for r in rows[1:])


@pytest.mark.parametrize("stamp", [False, True])
def test_xlsx_stamp(tmp_path: Path, stamp: bool) -> None:
    import re

    reg = _stamped_register("/data/=SUM(A1).zip")  # a file name that looks like a formula
    out = tmp_path / "out.xlsx"
    assert write_export(reg, DAY, str(out), "xlsx", stamp=stamp) == 3
    wb = openpyxl.load_workbook(out)
    data = wb["SOR"]
    header = [c.value for c in data[1]]
    formula_cell = data.cell(row=3, column=header.index("EntityName") + 1)
    assert formula_cell.value == '=HYPERLINK("x")' and formula_cell.quotePrefix
    if not stamp:
        assert wb.sheetnames == ["SOR"] and header[-1] == "Status"
        return
    assert wb.sheetnames == ["SOR", "Om udtrækket"]
    assert header[-2:] == ["Status", "AsOfDate"]
    as_of = [data.cell(row=r, column=len(header)) for r in (2, 3, 4)]
    assert [c.value for c in as_of] == [dt.datetime(2021, 1, 1)] * 3  # a real date cell
    assert {c.number_format for c in as_of} == {"yyyy-mm-dd"}
    about = wb["Om udtrækket"]
    cells = {r[0].value: r[1].value if len(r) > 1 else None for r in about.iter_rows()}
    assert "Værdier som de var gældende på 01-01-2021" in cells
    assert cells["Gældende dato"] == "2021-01-01"
    assert cells["Kildefil"] == "=SUM(A1).zip"
    assert cells["Antal enheder"] == 3
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", cells["Udtrukket"])
    source = next(r[1] for r in about.iter_rows() if r[0].value == "Kildefil")
    assert source.data_type == "s" and source.quotePrefix  # never run as a formula


@pytest.mark.parametrize("stamp", [False, True])
def test_json_stamp(tmp_path: Path, stamp: bool) -> None:
    reg = tiny_register()
    out = tmp_path / "out.json"
    write_export(reg, DAY, str(out), "json", subtree=SI, stamp=stamp)
    doc = json.loads(out.read_text(encoding="utf-8"))
    shows = [reg.entity(s, DAY) for s in (SI, OE3, OE1, OE2)]
    if stamp:
        assert doc == [{**v, "as_of": "2021-01-01"} for v in shows]
    else:
        assert doc == shows


def test_load_report_rows_sorted_and_renamed() -> None:
    rep = LoadReport()
    rep.add("info", "SOREntity", "c", line=9)
    rep.add("warning", "Sor.xml", "b", line=3)
    rep.add("warning", "SOREntity", "a", line=9)
    rep.add("error", "SOREntity", "d", line=9)
    rep.add("info", "SOREntity", "e")
    rep.add("warning", "SOREntity", "f", line=2)
    doc = rep.as_json()
    assert [(r["table"], r["line"], r["message"]) for r in doc] == [
        ("SOREntity", None, "e"),
        ("SOREntity", 2, "f"),
        ("SOREntity", 9, "d"),
        ("SOREntity", 9, "a"),
        ("SOREntity", 9, "c"),
        ("Sor.xml", 3, "b"),
    ]
    renamed = rep.as_json({"SOREntity": "Sor", "Sor.xml": "Sor"})
    assert [r["message"] for r in renamed] == ["e", "f", "b", "d", "a", "c"]
    assert {r["table"] for r in renamed} == {"Sor"}
    assert [r.message for r in rep.rows] == ["c", "b", "a", "d", "e", "f"]  # rows untouched
