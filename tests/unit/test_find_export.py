"""Files and clipboard of a find result: CSV (plain and for Excel), XLSX read back with
openpyxl, JSON rows, the clipboard's TSV and HTML, cancelling, empty results, and text
no spreadsheet format can hold."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sorviewer import export, find
from sorviewer.export import _Ticker, _write_csv, clipboard, neutralise, write_export
from sorviewer.find import Filters
from sorviewer.provenance import data_columns
from tests.unit.tiny import IE, OE3, SI, tiny_register

DAY = dt.date(2021, 1, 1)
COLUMNS = [*find.BASE_COLUMNS, "ShakId", "EanLocationCode", "FromDate", "UpdatedAt"]


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# --- CSV ------------------------------------------------------------------------------------


cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.from_regex(r"[=+\-@][0-9A-Za-z(),;\"]{0,6}", fullmatch=True),
    st.from_regex(r"[0-9]{1,18}", fullmatch=True),
    st.sampled_from(["a;b", 'say "hi"', "two\nlines", "cr\rhere", "-12,5", "+4512345678", " x "]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), max_size=6))
def test_csv_is_what_the_csv_module_writes(rows: list[list[str | None]]) -> None:
    """The column-wise writer gives byte for byte what csv.writer gives for the same
    neutralised cells."""
    header = ["SorId", "EntityName", "x"]
    cols = [pa.array([r[j] for r in rows], type=pa.string()) for j in range(3)]
    fh = io.BytesIO()
    _write_csv(fh, header, cols, _Ticker(None, len(rows)))
    want = io.StringIO(newline="")
    w = csv.writer(want, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows([["" if v is None else neutralise(v) for v in r] for r in rows])
    assert fh.getvalue() == b"\xef\xbb\xbf" + want.getvalue().encode("utf-8")


def test_csv_excel_wraps_only_all_digit_ids(tmp_path: Path) -> None:
    header = ["SorId", "VisitingAddressPostCodeId", "ShakId", "EntityName", "LocalCode"]
    cols = [
        pa.array(["100456781000016007", None, "x"], type=pa.string()),
        pa.array(["0800", "DK-1", "=1+1"], type=pa.string()),
        pa.array(["13301A", "013301", ""], type=pa.string()),
        pa.array(["0800", "Lund", "@x"], type=pa.string()),
        pa.array(["-3", "+45", "0042"], type=pa.string()),
    ]
    fh = io.BytesIO()
    _write_csv(fh, header, cols, _Ticker(None, 3), excel=True)
    lines = fh.getvalue().decode("utf-8-sig").split("\r\n")
    assert lines[0] == "SorId;VisitingAddressPostCodeId;ShakId;EntityName;LocalCode"
    # the official files' form: ="…" after RFC 4180 quoting; names are never wrapped
    assert lines[1] == '"=""100456781000016007""";"=""0800""";13301A;0800;-3'
    assert lines[2] == ';DK-1;"=""013301""";Lund;+45'
    assert lines[3] == 'x;\'=1+1;;\'@x;"=""0042"""'
    assert lines[4] == ""


@pytest.mark.parametrize("fmt", ["csv", "csv-excel"])
def test_find_export_csv_columns_and_provenance(tmp_path: Path, fmt: str) -> None:
    reg = tiny_register()
    ents = find.query(reg, DAY, Filters(level=("OE", "SI"))).ents
    out = tmp_path / "units.csv"
    assert write_export(reg, DAY, str(out), fmt, ents=ents, columns=COLUMNS, naming="cli") == 4
    rows = read_csv(out)
    assert rows[0] == [
        *find.BASE_COLUMNS,
        "ShakId",
        "ShakIdSource",
        "EanLocationCode",
        "EanLocationCodeSource",
        "FromDate",
        "UpdatedAt",
    ]
    body = {r[0].strip('="'): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    wrap = (lambda v: f'="{v}"') if fmt == "csv-excel" else (lambda v: v)
    oe3 = body[OE3]
    assert oe3["ShakId"] == wrap("1234") and oe3["ShakIdSource"] == f"inherited:{SI}"
    assert oe3["EanLocationCodeSource"] == "own" and oe3["Status"] == "active"
    assert body[SI]["EanLocationCodeSource"] == f"inherited:{IE}"
    assert oe3["FromDate"] == "2010-01-01"


def test_strict_naming_never_passes_inherited_values_off(tmp_path: Path) -> None:
    reg = tiny_register()
    ents = np.array([reg.entity_index(OE3)])
    out = tmp_path / "units.csv"
    write_export(reg, DAY, str(out), "csv", ents=ents, columns=["SorId", "ShakId"], naming="strict")
    header, row = read_csv(out)
    assert dict(zip(header, row, strict=True)) == {
        "SorId": OE3,
        "ShakId": "",  # OE3 holds no code of its own
        "EffectiveShakId": "1234",
        "ShakIdSource": f"inherited:{SI}",
    }
    with pytest.raises(ValueError):
        write_export(reg, DAY, str(out), "csv", ents=ents, naming="loose")


def test_export_keeps_the_contract_columns_unless_provenance_is_asked(tmp_path: Path) -> None:
    reg = tiny_register()
    out = tmp_path / "plain.csv"
    write_export(reg, DAY, str(out), "csv")
    header = read_csv(out)[0]
    assert header == [*data_columns(reg), "Status"]
    assert not any(h.endswith("Source") for h in header)


def test_export_with_provenance_adds_the_source_columns_after_each_group(tmp_path: Path) -> None:
    reg = tiny_register()
    out = tmp_path / "all.csv"
    write_export(reg, DAY, str(out), "csv", naming="cli")
    header = read_csv(out)[0]
    assert header[-1] == "Status"
    assert header[header.index("ShakId") + 1] == "ShakIdSource"
    assert header.index("VirtualAddressSource") == header.index("VirtualAddressFaxNumber") + 1
    assert header.index("EanLocationCodeSource") > header.index("EanLocationCode")
    for c in ("PostalAddressSource", "VisitingAddressSource", "ActivityAddressSource"):
        assert c in header


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx", "json"])
def test_an_empty_result_writes_a_header_only_file(tmp_path: Path, fmt: str) -> None:
    reg = tiny_register()
    ents = find.query(reg, DAY, Filters(text="no such unit")).ents
    assert len(ents) == 0
    out = tmp_path / f"empty.{fmt}"
    assert write_export(reg, DAY, str(out), fmt, ents=ents, columns=COLUMNS, naming="cli") == 0
    if fmt == "json":
        assert json.loads(out.read_text(encoding="utf-8")) == []
    elif fmt == "xlsx":
        ws = openpyxl.load_workbook(out)["SOR"]
        assert [c.value for c in ws[1]][:5] == list(find.BASE_COLUMNS) and ws.max_row == 1
    else:
        assert read_csv(out) == [
            [
                *find.BASE_COLUMNS,
                "ShakId",
                "ShakIdSource",
                "EanLocationCode",
                "EanLocationCodeSource",
                "FromDate",
                "UpdatedAt",
            ]
        ]


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx", "json"])
def test_cancel_in_the_middle_leaves_no_file(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "_CHUNK", 2)  # several progress calls on a tiny register
    monkeypatch.setattr(export.time, "monotonic", iter(range(0, 10_000, 1)).__next__)
    reg = tiny_register()
    seen: list[tuple[int, int]] = []

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 2:
            raise Cancelled

    ents = find.query(reg, DAY, Filters(status=("all",))).ents
    out = tmp_path / f"units.{fmt}"
    with pytest.raises(Cancelled):
        write_export(
            reg, DAY, str(out), fmt, ents=ents, columns=COLUMNS, naming="cli", progress=progress
        )
    assert os.listdir(tmp_path) == [] and seen and seen[-1][1] == 7
    if fmt != "json":
        assert seen[-1][0] < 7  # stopped before the end


def test_json_of_a_find_is_the_find_rows(tmp_path: Path) -> None:
    reg = tiny_register()
    ents = find.query(reg, DAY, Filters(level=("OE",))).ents
    out = tmp_path / "units.json"
    write_export(reg, DAY, str(out), "json", ents=ents, columns=["ShakId"])
    assert json.loads(out.read_text(encoding="utf-8")) == find.rows(reg, DAY, ents, ["ShakId"])


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_find_export_reads_back(tmp_path: Path) -> None:
    reg = tiny_register()
    ents = find.query(reg, DAY, Filters(status=("all",))).ents
    out = tmp_path / "units.xlsx"
    write_export(reg, DAY, str(out), "xlsx", ents=ents, columns=COLUMNS, stamp=True)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["SOR", export.ABOUT_SHEET]
    ws = wb["SOR"]
    header = [c.value for c in ws[1]]
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}8"
    col = {h: i + 1 for i, h in enumerate(header)}
    for r in range(2, 9):
        sid = ws.cell(row=r, column=col["SorId"])
        assert sid.data_type == "s" and sid.number_format == "@" and len(sid.value) == 11
        frm = ws.cell(row=r, column=col["FromDate"])
        assert isinstance(frm.value, dt.datetime) and frm.number_format == "yyyy-mm-dd"
        asof = ws.cell(row=r, column=col["AsOfDate"]).value
        assert asof == dt.datetime(2021, 1, 1)
    names = [ws.cell(row=r, column=col["EntityName"]).value for r in range(2, 9)]
    assert names[:2] == ["Akut afsnit", "anæstesi"]
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in col.values()]
    assert all(8 <= (w or 0) <= 50 for w in widths)


def test_xlsx_datetimes_and_dates_are_real_cells(tmp_path: Path) -> None:
    header = ["FromDate", "UpdatedAt", "ToDate", "EntityName"]
    cols = [
        pa.array(["2010-01-31", "31-12-2012", "not a date"], type=pa.string()),
        pa.array(["2012-03-01 02:13:46", "2012-03-01T23:59", "2012-03-01"], type=pa.string()),
        pa.array([None, "", "2030-01-01"], type=pa.string()),
        pa.array(["x", "y", "z"], type=pa.string()),
    ]
    out = tmp_path / "d.xlsx"
    with out.open("wb") as fh:
        export._write_xlsx(fh, header, cols, _Ticker(None, 3))
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0][:2] == [dt.datetime(2010, 1, 31), dt.datetime(2012, 3, 1, 2, 13, 46)]
    assert values[1][:2] == [dt.datetime(2012, 12, 31), dt.datetime(2012, 3, 1, 23, 59)]
    assert values[2][:3] == ["not a date", dt.datetime(2012, 3, 1), dt.datetime(2030, 1, 1)]
    assert values[0][2] is None and values[1][2] is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_xlsx_holds_any_text(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    """Any text a file may hold (controls, U+FFFE/U+FFFF, markup, escape look-alikes)
    is written without an error and reads back as Excel would show it."""
    texts = [*texts, "\ufffe\uffff", "\x00\x01\x1f", "<r><t>x</t></r>", "_x0041_", "a & b"]
    out = tmp_path_factory.mktemp("x") / "t.xlsx"
    with out.open("wb") as fh:
        export._write_xlsx(
            fh, ["EntityName"], [pa.array(texts, type=pa.string())], _Ticker(None, 1)
        )
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    back = [c.value for c in ws["A"][1:]]
    shown = [excel_text(t) for t in texts]
    # openpyxl keeps Excel's _xHHHH_ escapes as written; decode them as Excel does
    assert [unescape(v) if v is not None else "" for v in back] == [unescape(s) for s in shown]


def excel_text(text: str) -> str:
    text = text[: export._XLSX_MAX_CELL]
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return re.sub("[\x00-\x08\x0b-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)


def unescape(text: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def test_xlsx_refuses_more_columns_than_a_sheet_has() -> None:
    header = [f"c{j}" for j in range(16_385)]
    cols = [pa.array(["x"], type=pa.string())] * len(header)
    fh = io.BytesIO()
    with pytest.raises(ValueError, match="at most 16,384 columns; this export has 16,385"):
        export._write_xlsx(fh, header, cols, _Ticker(None, 1))
    assert fh.getvalue() == b""  # refused before anything was written


# --- clipboard -------------------------------------------------------------------------------


def test_clipboard_gives_tsv_and_html_with_ids_marked_as_text() -> None:
    header = ["SorId", "EntityName", "VisitingAddressPostCodeId", "Note"]
    rows = [
        ["100456781000016007", "Ærø & <Co>", "0800", "034567"],
        ["21000016006", '=HYPERLINK("x")', None, "two\nlines"],
    ]
    tsv, html = clipboard(header, rows)
    assert tsv.splitlines()[0] == "SorId\tEntityName\tVisitingAddressPostCodeId\tNote"
    assert tsv.splitlines()[2] == '21000016006\t\'=HYPERLINK("x")\t\ttwo lines'
    mark = '<td style=\'mso-number-format:"\\@"\' sdnum="1030;0;@">'
    assert f"{mark}100456781000016007</td>" in html
    assert f"{mark}0800</td>" in html
    assert f"{mark}034567</td>" in html  # all digits in any column: kept as text
    assert "<td>Ærø &amp; &lt;Co&gt;</td>" in html
    assert f'{mark}=HYPERLINK("x")</td>' in html  # formula-like: text, never run
    assert "<td>two<br>lines</td>" in html and "<th>SorId</th>" in html
    # header labels may be any text: the columns say which cells are ids
    _tsv, labelled = clipboard(["SOR-kode", "Navn"], [["123", "x"]], ["SorId", "EntityName"])
    assert f"{mark}123</td>" in labelled


def test_the_compressing_thread_hands_its_error_back() -> None:
    class Full:
        def __init__(self) -> None:
            self.calls = 0

        def write(self, data: memoryview) -> int:
            self.calls += 1
            raise OSError("disk full")

    sink = Full()
    with pytest.raises(OSError, match="disk full"), export._Deflater(sink) as out:  # type: ignore[arg-type]
        for _ in range(5):
            out.write(memoryview(b"x" * 10))
    assert sink.calls == 1  # nothing more is written after the first failure

    written: list[bytes] = []

    class Sink:
        def write(self, data: memoryview) -> int:
            written.append(bytes(data))
            return len(data)

    with export._Deflater(Sink()) as out:  # type: ignore[arg-type]
        for i in range(20):
            out.write(memoryview(str(i).encode()))
    assert written == [str(i).encode() for i in range(20)]  # all of it, in order
