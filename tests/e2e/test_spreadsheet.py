"""What leaves the program, opened by a real spreadsheet: LibreOffice Calc (headless)
converts our XLSX export, the Excel CSV and the clipboard's HTML to CSV, and every id
(16-18 digits), leading zero (postcodes, phone numbers, codes) and date must come
back exactly as the register has it.

`bash build_scripts/bootstrap.sh test` installs LibreOffice Calc (Debian
`libreoffice-calc-nogui`) when it is missing; without it this test fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from sorviewer import Register, export, find
from sorviewer.ids import make_ean, make_sor_id
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport

DAY = dt.date(2024, 6, 1)
OWNER = make_sor_id(10_045_678)  # 18 digits: beyond 2**53, Excel keeps only 15
SHORT = make_sor_id(904_420)  # 16 digits

COLUMNS = [
    "SorId",
    "EntityName",
    "ParentSorId",
    "InstitutionOwnerSorId",
    "EanLocationCode",
    "ShakId",
    "ProviderId",
    "PharmacyId",
    "InstitutionOwnerCvrNumberId",
    "ProductionUnitId",
    "VisitingAddressPostCodeId",
    "VisitingAddressMunicipalityCode",
    "VirtualAddressTelephoneNumber",
    "FromDate",
    "FirstFromDate",
    "Status",
]


def _unit(sor_id: str, name: str, parent: str | None, **kw: str) -> dict[str, str]:
    row = {
        "SorId": sor_id,
        "SorType": "OE" if parent else "IE",
        "EntityName": name,
        "FirstFromDate": "2010-01-31",
        "FromDate": "2012-02-29",
        "PostalAddressInheritanceIndicator": "false",
        "PostalAddressStreetName": "Vej 1",
        "VirtualAddressInheritanceIndicator": "false",
        "EanLocationCodeState": "none",
    }
    if parent:
        row["ParentSorId"] = parent
        row["InstitutionOwnerSorId"] = OWNER
    row.update(kw)
    return row


def register() -> Register:
    rows = [
        _unit(
            OWNER,
            "Ejer A/S",
            None,
            InstitutionOwnerCvrNumberId="01234567",
            EanLocationCodeState="own",
            EanLocationCode=make_ean("579000017362"),
            VirtualAddressTelephoneNumber="03456789",
            PostalAddressPostCodeId="0800",
            PostalAddressMunicipalityCode="0101",
            VisitingAddressInheritanceIndicator="true",  # the visiting address is the postal
        ),
        _unit(
            SHORT,
            "Klinik =1+1",
            OWNER,
            ShakId="013301",
            ProviderId="012345",
            PharmacyId="0362",
            ProductionUnitId="0012345678",
            EanLocationCodeState="inherited",
            VisitingAddressInheritanceIndicator="false",
            VisitingAddressStreetName="Gade 2",
            VisitingAddressPostCodeId="0555",
            VisitingAddressMunicipalityCode="0147",
            VirtualAddressTelephoneNumber="00453333",
        ),
        _unit(
            make_sor_id(7),
            "-12,5 Afdeling",
            SHORT,
            PostalAddressInheritanceIndicator="true",
            VisitingAddressInheritanceIndicator="true",
            EanLocationCodeState="inherited",
            FromDate="2023-12-31",
        ),
    ]
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables={},
        source=SourceInfo(path="planted", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice Calc is needed (bash build_scripts/bootstrap.sh test installs it)"
    return exe


def convert(src: Path, work: Path, infilter: str | None = None) -> list[list[str]]:
    """`src` opened by LibreOffice Calc and saved as CSV (UTF-8, comma, quoted text)."""
    out = work / "out"
    cmd = [
        soffice(),
        f"-env:UserInstallation={(work / 'profile').as_uri()}",  # never the user's profile
        "--headless",
        "--norestore",
        *(["--infilter=" + infilter] if infilter else []),
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        "--outdir",
        str(out),
        str(src),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    text = (out / (src.stem + ".csv")).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def table(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Register, Path, list[str], list[list[str | None]]]:
    reg = register()
    work = tmp_path_factory.mktemp("lo")
    result = find.query(reg, DAY, find.Filters(status=("all",)))
    header, rows = find.column_values(reg, DAY, result.ents, COLUMNS)
    return reg, work, header, rows


def expected_cells(header: list[str], rows: list[list[str | None]]) -> list[tuple[int, int, str]]:
    """(row, column, text) of every id-like cell and date with a value."""
    out = []
    for i, row in enumerate(rows, start=1):
        for j, (name, value) in enumerate(zip(header, row, strict=True)):
            if value is not None and (export.is_id_column(name) or name in export.DATE_COLUMNS):
                out.append((i, j, value))
    return out


def test_the_planted_values_are_the_hard_ones(table: tuple) -> None:
    _reg, _work, header, rows = table
    cells = {v for _i, _j, v in expected_cells(header, rows)}
    assert OWNER in cells and len(OWNER) == 18 and SHORT in cells and len(SHORT) == 16
    assert {"0800", "0555", "03456789", "00453333", "013301", "0101", "2012-02-29"} <= cells


def test_xlsx_export_survives_libreoffice(table: tuple) -> None:
    reg, work, header, rows = table
    path = work / "units.xlsx"
    ents = find.query(reg, DAY, find.Filters(status=("all",))).ents
    export.write_export(reg, DAY, str(path), "xlsx", ents=ents, columns=COLUMNS, naming="cli")
    back = convert(path, work)
    assert back[0] == header
    # every cell: ids and codes as text, dates through their date format, formula-like
    # names as written
    assert back[1:] == [[v or "" for v in row] for row in rows]


def test_excel_csv_survives_libreoffice(table: tuple) -> None:
    reg, work, header, rows = table
    path = work / "units.csv"
    ents = find.query(reg, DAY, find.Filters(status=("all",))).ents
    export.write_export(reg, DAY, str(path), "csv-excel", ents=ents, columns=COLUMNS, naming="cli")
    back = convert(path, work, "Text - txt - csv (StarCalc):59,34,76,1")
    cols = {name: back[0].index(name) for name in header}
    for i, j, value in expected_cells(header, rows):
        assert back[i][cols[header[j]]] == value, (header[j], value)


def test_plain_csv_is_what_the_excel_csv_fixes(table: tuple) -> None:
    """The control: without `="…"` LibreOffice turns the 18-digit id into a float and
    drops leading zeros (so the Excel CSV above is what keeps them)."""
    reg, work, _header, _rows = table
    path = work / "plain.csv"
    ents = find.query(reg, DAY, find.Filters(status=("all",))).ents
    export.write_export(reg, DAY, str(path), "csv", ents=ents, columns=COLUMNS, naming="cli")
    back = convert(path, work, "Text - txt - csv (StarCalc):59,34,76,1")
    flat = {c for row in back[1:] for c in row}
    assert OWNER not in flat and "0800" not in flat


def test_clipboard_html_survives_libreoffice(table: tuple) -> None:
    _reg, work, header, rows = table
    _tsv, html = export.clipboard(header, rows, header)
    path = work / "clipboard.html"
    path.write_text(html, encoding="utf-8")
    back = convert(path, work, "HTML (StarCalc)")
    assert back[0] == header
    for i, j, value in expected_cells(header, rows):
        assert back[i][j] == value, (header[j], value)
    names = [r[header.index("EntityName")] for r in back[1:]]
    assert "Klinik =1+1" in names  # text, never run
