"""Loading hostile and damaged files in process: one bad value costs one value, never the
file; every table's bad dates are reported; a bug is not a damaged file; the cache is
checked when read back; and every sentence is a catalogue code that reads whole in
Danish. (The same findings as the command line meets them: tests/fuzz.)"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import sorviewer
from sorviewer import schema
from sorviewer.errors import LoadError
from sorviewer.messages import CATALOGUE

from . import tiny

COLUMNS = schema.SOR_ENTITY_COLUMNS


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(tmp_path / "cache"))


def entity_csv(
    rows: list[dict[str, str]] | None = None, columns: tuple[str, ...] = COLUMNS
) -> bytes:
    out = io.StringIO()
    out.write(";".join(columns) + "\r\n")
    for r in rows if rows is not None else tiny.ROWS:
        out.write(";".join(r.get(c) or "" for c in columns) + "\r\n")
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def write_zip(path: Path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return str(path)


def names_of(reg: sorviewer.Register) -> set[str]:
    return set(reg.entities["EntityName"].dropna())


# --- one bad value costs one value ----------------------------------------------------------


@pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
def test_one_byte_cp1252_leaves_undefined_costs_one_value(tmp_path: Path, byte: int) -> None:
    """A byte Windows-1252 does not define refused the whole file ('charmap' codec can't
    decode)."""
    rows = [dict(r) for r in tiny.ROWS]
    rows[0]["EntityName"] = "Region Test"
    data = entity_csv(rows).replace(b"Region Test", b"Region " + bytes([byte]) + b"Test", 1)
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)
    assert len(reg.ids) == len({r["SorId"] for r in tiny.ROWS})
    assert "Region \ufffdTest" in names_of(reg)


def test_one_latin1_byte_keeps_the_rest_utf8(tmp_path: Path) -> None:
    """One byte like 0xE6 switched the whole table to cp1252: every æ/ø/å in every name
    became mojibake, with one warning. Now only that value is read as cp1252, and the
    report names its row."""
    rows = [dict(r) for r in tiny.ROWS]
    for r in rows:
        r["EntityName"] = (r.get("EntityName") or "") + " æøå"
    rows[2]["EntityName"] = "Sygehus Sønderjylland"
    data = entity_csv(rows)
    bad = "Sygehus Sønderjylland".encode()
    data = data.replace(bad, "Sygehus Sønderjylland".encode("cp1252"), 1)
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)
    names = names_of(reg)
    assert "Sygehus Sønderjylland" in names
    assert all(n.endswith(" æøå") for n in names if n != "Sygehus Sønderjylland")
    flagged = [r for r in reg.report.rows if r.code == "report.not_utf8_row"]
    assert [r.line for r in flagged] == [4]  # header = line 1, the third row
    assert [r.params for r in reg.report.rows if r.code == "report.not_utf8"] == [
        {"count": 1, "member": "SorEntity_daily.csv"}
    ]


def test_non_ascii_digits_in_an_id_are_one_bad_id(tmp_path: Path) -> None:
    """Arabic-Indic digits passed the `\\d` check and then failed the int64 conversion:
    the file was refused as 'damaged'."""
    rows = [dict(r) for r in tiny.ROWS]
    rows.append(dict(rows[-1], SorId="٣١٠٠٠٠١٦٠٠٨", EntityName="Odd digits"))
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", entity_csv(rows)), use_cache=False)
    assert "Odd digits" not in names_of(reg)
    bad = [r for r in reg.report.rows if r.kind == "bad_id" and r.column == "SorId"]
    assert len(bad) == 1 and bad[0].code == "report.bad_id"


def test_same_column_twice_in_different_case(tmp_path: Path) -> None:
    """ENTITYNAME and EntityName in one header: a KeyError ('exists 2 times in schema'),
    reported as a damaged file."""
    columns = ("SorId", "ENTITYNAME", "EntityName", "FromDate")
    rows = [{"SorId": tiny.IE, "ENTITYNAME": "First", "EntityName": "Second"}]
    reg = sorviewer.load(
        write(tmp_path / "SorEntity_daily.csv", entity_csv(rows, columns)), use_cache=False
    )
    assert names_of(reg) == {"First"}
    assert "EntityName.2" in reg.entities.columns
    assert [r.params for r in reg.report.rows if r.code == "report.duplicate_column"] == [
        {"column": "EntityName"}
    ]


def test_nul_byte_early_in_the_file_is_one_odd_value(tmp_path: Path) -> None:
    """A NUL in the first 4 KiB made the file 'not a readable CSV table'."""
    data = entity_csv().replace(b"Region Test", b"Region\x00Test", 1)
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)
    assert len(reg.ids) == len({r["SorId"] for r in tiny.ROWS})


def test_utf16_is_still_not_a_csv_table(tmp_path: Path) -> None:
    data = entity_csv().decode("utf-8-sig").encode("utf-16")
    with pytest.raises(LoadError, match="not a SOR download"):
        sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)


def test_header_wider_than_the_sample_is_read_whole(tmp_path: Path) -> None:
    extra = tuple(f"Extra{i}" for i in range(12_000))  # ~100 KiB of header
    rows = [dict(r, Extra11999="last") for r in tiny.ROWS]
    data = entity_csv(rows, (*COLUMNS, *extra))
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)
    assert len(reg.ids) == len({r["SorId"] for r in tiny.ROWS})
    assert set(reg.entities["Extra11999"].dropna()) == {"last"}


# --- every table's bad dates are in the report ----------------------------------------------


def test_bad_dates_in_every_table_are_reported(tmp_path: Path) -> None:
    """Bad dates in SHAKSORMap, the EDI map and the other tables were dropped silently:
    a bad FromDate read as 'always', a bad ToDate as 'open'."""
    shak = (
        "ShakId;SorId;IsDirectSorShakMapping;FromDate;ToDate\r\n"
        f"1234;{tiny.SI};true;2010-13-45;2030-02-30\r\n"
    ).encode()
    edi = (
        b"EanLocationCode;EdiId;FromDate;ToDate\r\n5790000173624;17;someday;\r\n;18;2020-01-01;\r\n"
    )
    loc = b"EanLocationCode;FromDate;ToDate\r\n5790000173624;31-02-2020;\r\n"
    f = write_zip(
        tmp_path / "Sor_complete.zip",
        {
            "SOREntity.csv": entity_csv(),
            "SHAKSORMap.csv": shak,
            "LocationsCodeEDITypeMap.csv": edi,
            "LocationsCode.csv": loc,
        },
    )
    reg = sorviewer.load(f, use_cache=False)
    bad = {(r.table, r.column, r.line) for r in reg.report.rows if r.kind == "bad_date"}
    assert ("SHAKSORMap", "FromDate", 2) in bad
    assert ("SHAKSORMap", "ToDate", 2) in bad
    assert ("LocationsCodeEDITypeMap", "FromDate", 2) in bad
    assert ("LocationsCode", "FromDate", 2) in bad
    shak_rows = [r for r in reg.report.rows if r.table == "SHAKSORMap" and r.kind == "bad_date"]
    assert all(r.sor_id == tiny.SI for r in shak_rows)
    # and the EDI map row without an EAN breaks no query
    from sorviewer.edi import ean_edi_types, recipients

    day = dt.date(2021, 6, 1)
    assert ean_edi_types(reg, "5790000173624", day) is not None
    assert recipients(reg, tiny.IE, "18", day) == []


def test_a_million_bad_dates_cost_no_sentence_each(tmp_path: Path) -> None:
    rows = [dict(tiny.ROWS[0], SorId=str(10**10 + i), FromDate="never") for i in range(3000)]
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", entity_csv(rows)), use_cache=False)
    assert reg.report.count("bad_date") == 3000
    listed = [r for r in reg.report.rows if r.kind == "bad_date"]
    assert len(listed) == reg.report.per_kind_limit
    assert any(
        r.kind == "truncated" and r.params == {"count": 2000, "kind": "bad_date"}
        for r in reg.report.rows
    )


# --- a bug is not a damaged file ---------------------------------------------------------------


def test_a_bug_while_building_is_not_a_damaged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every exception while reading and building became 'it seems damaged'."""
    from sorviewer.api import Register

    def broken(*args: object, **kwargs: object) -> Register:
        raise KeyError("a bug")

    monkeypatch.setattr(Register, "build", broken)
    with pytest.raises(KeyError, match="a bug"):
        sorviewer.load(write(tmp_path / "SorEntity_daily.csv", entity_csv()), use_cache=False)


def test_a_bug_in_the_csv_reader_is_not_a_damaged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sorviewer.formats import dialect

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("a bug")

    monkeypatch.setattr("sorviewer.formats.sor2_csv.clean_column", broken)
    assert dialect.clean_column is not broken
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv()})
    with pytest.raises(ValueError, match="a bug"):
        sorviewer.load(f, use_cache=False)


def test_a_damaged_member_is_a_load_error_naming_it(tmp_path: Path) -> None:
    data = entity_csv() * 40
    f = tmp_path / "Sor_complete.zip"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("SOREntity.csv", data)
    raw = bytearray(f.read_bytes())
    start = raw.index(b"BZh") + 40
    raw[start : start + 40] = bytes(40)  # damage the bzip2 stream
    f.write_bytes(bytes(raw))
    with pytest.raises(LoadError, match=r"Sor_complete.zip is damaged: SOREntity.csv") as info:
        sorviewer.load(str(f), use_cache=False)
    assert "Error" not in str(info.value)


# --- what a bare CSV looks like ------------------------------------------------------------------


def test_bare_csv_is_named_after_the_table_it_looks_like(tmp_path: Path) -> None:
    """A SOREntity-like CSV without SorId was reported as 'LocationsCode' (the first
    signature its header happened to match)."""
    without_id = tuple(c for c in COLUMNS if c != "SorId")
    f = write(tmp_path / "units.csv", entity_csv(columns=without_id))
    with pytest.raises(LoadError, match=r"has no SorId column, so it cannot be read as SOREntity"):
        sorviewer.load(f, use_cache=False)
    loc = ";".join(schema.LOCATIONS_CODE_COLUMNS).encode() + b"\r\n5790000173624;;;;\r\n"
    with pytest.raises(LoadError, match="is the SOR table LocationsCode"):
        sorviewer.load(write(tmp_path / "loc.csv", loc), use_cache=False)
    shak = b"ShakId;SorId;IsDirectSorShakMapping;FromDate\r\n1234;1;true;2020-01-01\r\n"
    with pytest.raises(LoadError, match="is the SOR table SHAKSORMap"):
        sorviewer.load(write(tmp_path / "map.csv", shak), use_cache=False)


# --- sentences are codes that read whole in both languages --------------------------------------


def test_truncated_zip_reads_whole_in_danish(tmp_path: Path) -> None:
    """The truncated-zip error ended in English (the zipfile exception's own text)."""
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv() * 30})
    data = Path(f).read_bytes()
    Path(f).write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError) as info:
        sorviewer.load(f, use_cache=False)
    da = info.value.render("da")
    assert da == "Sor_complete.zip er beskadiget eller ikke en hel zip-fil."
    assert info.value.render("en") == str(info.value)


def test_every_load_sentence_is_a_catalogue_code(tmp_path: Path) -> None:
    rows = [dict(r) for r in tiny.ROWS]
    rows.append(dict(rows[0], SorId="x1", FromDate="bad"))
    rows.append(dict(rows[1], ParentSorId="99999999999", FromDate="2099-99-99"))
    data = entity_csv(rows) + b"1;2\r\n"  # and a ragged row
    reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)
    assert reg.report.rows
    for row in reg.report.rows:
        assert row.code in CATALOGUE, row
        assert row.text("en") == row.message
        assert row.text("da") != row.message, row


def test_xml_report_sentences_are_catalogue_codes() -> None:
    from sorviewer.formats.sor_xml import read_xml
    from sorviewer.report import LoadReport

    ns = "urn:oio:nsi:2.0.0"
    xml = (
        f'<SorTree xmlns="{ns}"><SnapshotDate>not a date</SnapshotDate><Stray/>'
        "<InstitutionOwnerEntity><HealthInstitutionEntity>"
        "<HealthInstitution><EntityName>x</EntityName></HealthInstitution>"
        "</HealthInstitutionEntity><InstitutionOwner><SorIdentifier>11000016002</SorIdentifier>"
        "<Odd>1</Odd></InstitutionOwner></InstitutionOwnerEntity></SorTree>"
    ).encode()
    report = LoadReport()
    read_xml(io.BytesIO(xml), path="Sor.xml", size=len(xml), report=report)
    assert report.rows
    for row in report.rows:
        assert row.code in CATALOGUE, row
        assert "health institution" not in row.text("da"), row


# --- the cache is input too ----------------------------------------------------------------------


def _cached(tmp_path: Path) -> tuple[str, Path]:
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv()})
    sorviewer.load(f)
    root = Path(os.environ["SORVIEWER_CACHE_DIR"])
    (folder,) = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return f, folder


def _tamper_length(folder: Path) -> None:
    arr = np.load(folder / "row_entity.npy")
    np.save(folder / "row_entity.npy", arr[:-1])  # a right header, the wrong length


def _tamper_values(folder: Path) -> None:
    arr = np.load(folder / "row_entity.npy")
    arr[0] = 10**6  # the right length, an index far out of range
    np.save(folder / "row_entity.npy", arr)


def _tamper_arrow(folder: Path) -> None:
    path = folder / "entities.arrow"
    data = bytearray(path.read_bytes())
    path.write_bytes(bytes(data[: len(data) - 100]))


def _tamper_meta(folder: Path) -> None:
    (folder / "meta.json").write_text('{"format": 2, "files": {}, "tables": 7}')


@pytest.mark.parametrize("tamper", [_tamper_length, _tamper_values, _tamper_arrow, _tamper_meta])
def test_tampered_cache_is_not_trusted(tmp_path: Path, tamper: object) -> None:
    """An index array with the right header and the wrong length was trusted; `tree` and
    `export` then failed."""
    from sorviewer.cache import read_cache

    f, folder = _cached(tmp_path)
    assert callable(tamper)
    tamper(folder)
    from sorviewer.cache import cache_key
    from sorviewer.loading import LOADER_VERSION

    key = cache_key(f, LOADER_VERSION)
    assert key is not None
    assert read_cache(key) is None
    assert not folder.exists()  # removed, so the next load writes it anew
    reg = sorviewer.load(f)
    assert reg.roots(dt.date(2021, 6, 1)) == tiny.tiny_register().roots(dt.date(2021, 6, 1))
    assert folder.exists()


def test_cache_keeps_report_sentences_whole(tmp_path: Path) -> None:
    rows = [dict(r) for r in tiny.ROWS] + [dict(tiny.ROWS[0], SorId="x", FromDate="y")]
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv(rows)})
    first = sorviewer.load(f)
    again = sorviewer.load(f)
    assert [r.text("da") for r in again.report.rows] == [r.text("da") for r in first.report.rows]


# --- a register without units --------------------------------------------------------------------


def test_mapping_of_a_register_without_units_is_empty() -> None:
    """mapping_frame indexed ids[-1] of an empty id array (IndexError) when no unit had
    a valid SorId; such a file is refused now, and the query holds anyway."""
    import pandas as pd

    from sorviewer.api import Register
    from sorviewer.mapping import mapping_frame
    from sorviewer.register import RawData, SourceInfo
    from sorviewer.report import LoadReport

    ent = pd.DataFrame({"SorId": pd.array(["x"], dtype="string[pyarrow]")})
    shak = pd.DataFrame(
        {c: pd.array([v], dtype="string[pyarrow]") for c, v in (("ShakId", "1234"), ("SorId", "5"))}
    )
    raw = RawData(ent, {"SHAKSORMap": shak}, SourceInfo("x", "sor2-zip"), LoadReport())
    reg = Register.build(raw)
    assert len(reg.ids) == 0
    frame = mapping_frame(reg, dt.date(2020, 1, 1))
    assert list(frame["name"]) == [None]


def test_header_with_a_quote_inside_a_name(tmp_path: Path) -> None:
    """A quote in the middle of a header name followed by a line break made the csv
    module raise its own Error while the header was sniffed: an internal error."""
    for header in (b'SorId;Entity"Name\r;x"', b'SorId;EntityName;Odd"\rName"'):
        data = header + b"\r\n11000016002;A;B\r\n"
        reg = sorviewer.load(write(tmp_path / "SorEntity_daily.csv", data), use_cache=False)
        assert list(reg.ids) == [11000016002]
