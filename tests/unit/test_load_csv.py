"""The SOR2 CSV reader, detection, safety caps and the cache, on hand-written files.

The files are written here in each dialect the real downloads may use, from the rows
of tiny.py, so every expected answer is known; the generator's output is tested in
test_synthetic.py and test_e2e_cli.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sorviewer
from sorviewer import schema
from sorviewer.errors import LoadCancelled, LoadError

from . import tiny

COLUMNS = schema.SOR_ENTITY_COLUMNS


def entity_csv(
    *,
    delimiter: str = ";",
    newline: str = "\r\n",
    bom: bool = True,
    wrap: bool = True,
    rows: list[dict[str, str]] | None = None,
    columns: tuple[str, ...] = COLUMNS,
    encoding: str = "utf-8",
) -> bytes:
    out = io.StringIO()
    out.write(delimiter.join(columns) + newline)
    for r in rows if rows is not None else tiny.ROWS:
        cells = []
        for c in columns:
            v = r.get(c)
            if v is None:
                cells.append("")
                continue
            if wrap and c in ("SorId", "ParentSorId"):
                v = f'="{v}"'
            if any(ch in v for ch in (delimiter, '"', "\n", "\r")):
                v = '"' + v.replace('"', '""') + '"'
            cells.append(v)
        out.write(delimiter.join(cells) + newline)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(tmp_path / "cache"))


def same_answers(reg: sorviewer.Register) -> None:
    """What tiny.py's register answers, whatever dialect carried it."""
    ref = tiny.tiny_register()
    day = dt.date(2021, 6, 1)
    assert reg.roots(day) == ref.roots(day)
    assert reg.children(tiny.SI, day) == ref.children(tiny.SI, day)
    for sid in (tiny.IE, tiny.OE2, tiny.FUT):
        got, want = reg.entity(sid, day), ref.entity(sid, day)
        assert got is not None and want is not None
        assert got["attributes"] == want["attributes"]
        assert got["provenance"] == want["provenance"]
    assert reg.history(tiny.OE2) == ref.history(tiny.OE2)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"delimiter": ",", "wrap": False},
        {"delimiter": "\t", "newline": "\n", "bom": False},
        {"delimiter": "|"},
        {"encoding": "cp1252", "bom": False},
    ],
    ids=["real", "comma", "tab-lf", "pipe", "cp1252"],
)
def test_bare_csv_dialects_give_the_same_register(tmp_path: Path, kw: dict) -> None:
    f = tmp_path / "SorEntity_daily.csv"
    f.write_bytes(entity_csv(**kw))
    reg = sorviewer.load(str(f), use_cache=False)
    assert reg.source.format == "sor2-csv"
    assert not reg.source.has_history
    same_answers(reg)
    kinds = {r.kind for r in reg.report.rows}
    if kw.get("encoding") == "cp1252":
        assert "encoding" in kinds
        assert reg.entity(tiny.IE2, dt.date(2021, 1, 1))["name"] == "Øster Klinik"


def test_zip_with_variant_member_names_and_unknown_member(tmp_path: Path) -> None:
    f = write_zip(
        tmp_path / "Sor_Complete.zip",
        {
            "data/sorentity.CSV": entity_csv(),
            "data/LocationsCodes.csv": b"EanLocationCode;FromDate\r\n5790000173624;2010-01-01\r\n",
            "data/readme.txt": b"hello",
            "data/SorOrganisationalLevel.csv": b"Code;Name\r\n1;x\r\n",
        },
    )
    reg = sorviewer.load(str(f), use_cache=False)
    assert reg.source.format == "sor2-zip"
    assert reg.source.has_history
    assert reg.source.table_rows["sorentity"] == len(tiny.ROWS)
    assert "LocationsCode" in reg.tables
    same_answers(reg)
    kinds = [r.kind for r in reg.report.rows]
    assert kinds.count("missing_table") == 6  # eight tables, two present
    assert kinds.count("unknown_member") == 2


def test_quirks_wrapper_null_word_dot_zero_quoted_newline(tmp_path: Path) -> None:
    rows = [dict(r) for r in tiny.ROWS]
    rows[0]["EntityName"] = 'Region "Test"; med\nlinjeskift'
    si_row = next(i for i, r in enumerate(rows) if r["SorId"] == tiny.SI)
    rows[si_row]["ParentSorId"] = tiny.IE + ".0"
    rows[si_row]["PostalAddressDistrictName"] = "NULL"
    f = tmp_path / "x.csv"
    f.write_bytes(entity_csv(rows=rows))
    reg = sorviewer.load(str(f), use_cache=False)
    ie = reg.entity(tiny.IE, dt.date(2012, 1, 1))
    assert ie["name"] == 'Region "Test"; med\nlinjeskift'
    si = reg.entity(tiny.SI, dt.date(2012, 1, 1))
    assert si["parent_sor_id"] == tiny.IE
    kinds = {r.kind for r in reg.report.rows}
    assert {"excel_wrapper", "null_word", "dot_zero"} <= kinds
    # NULL became empty in its own cell only; the column's other values are intact
    assert si["attributes"].get("PostalAddressDistrictName") != "NULL"
    ie_later = reg.entity(tiny.IE, dt.date(2016, 1, 1))
    want = tiny.tiny_register().entity(tiny.IE, dt.date(2016, 1, 1))
    assert ie_later["attributes"] == want["attributes"]


def test_padded_values_are_trimmed_and_blank_ones_null(tmp_path: Path) -> None:
    rows = [dict(r) for r in tiny.ROWS]
    rows[0]["EntityName"] = "  Region Test\t"
    rows[0]["PostalAddressStreetName"] = "   "
    f = tmp_path / "x.csv"
    f.write_bytes(entity_csv(rows=rows))
    reg = sorviewer.load(str(f), use_cache=False)
    ie = reg.entity(tiny.IE, dt.date(2012, 1, 1))
    assert ie["name"] == "Region Test"
    assert "PostalAddressStreetName" not in ie["attributes"] or (
        ie["attributes"]["PostalAddressStreetName"] is None
    )


def test_extra_and_missing_columns(tmp_path: Path) -> None:
    cols = ("SorId", "EntityName", "FromDate", "ToDate", "ParentSorId", "Unreliable", "NewThing")
    rows = [dict(r, NewThing="n", Unreliable="") for r in tiny.ROWS]
    f = tmp_path / "x.csv"
    f.write_bytes(entity_csv(rows=rows, columns=cols))
    reg = sorviewer.load(str(f), use_cache=False)
    kinds = {r.kind for r in reg.report.rows}
    assert {"unknown_column", "missing_column"} <= kinds
    assert reg.entity(tiny.IE, dt.date(2016, 1, 1))["attributes"]["NewThing"] == "n"


def test_ids_stay_exact_even_at_18_digits(tmp_path: Path) -> None:
    long_id = "123456789012345678"
    rows = [{"SorId": long_id, "EntityName": "Lang", "FromDate": "2020-01-01"}]
    f = tmp_path / "x.csv"
    f.write_bytes(entity_csv(rows=rows))
    reg = sorviewer.load(str(f), use_cache=False)
    assert reg.entity(long_id, dt.date(2021, 1, 1))["sor_id"] == long_id


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty"),
        (b"hello world\n", "not a SOR download"),
        (b"<html><body>x</body></html>", "not a SOR register"),
        (b"PK\x03\x04garbage that is not a zip", "damaged"),
        (b"EanLocationCode;EdiId\r\n1;2\r\n", "cannot be opened alone"),
    ],
)
def test_wrong_files_give_one_sentence(tmp_path: Path, content: bytes, phrase: str) -> None:
    f = tmp_path / "file.bin"
    f.write_bytes(content)
    with pytest.raises(LoadError) as exc:
        sorviewer.load(str(f))
    assert phrase in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_path_and_folder(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="does not exist"):
        sorviewer.load(str(tmp_path / "nope.zip"))
    with pytest.raises(LoadError, match="folder"):
        sorviewer.load(str(tmp_path))


def test_zip_without_sor_tables(tmp_path: Path) -> None:
    f = write_zip(tmp_path / "a.zip", {"notes.txt": b"x", "pic.png": b"y"})
    with pytest.raises(LoadError, match="holds no SOR tables"):
        sorviewer.load(str(f))


def test_truncated_zip_is_a_load_error(tmp_path: Path) -> None:
    good = write_zip(tmp_path / "good.zip", {"SOREntity.csv": entity_csv() * 200})
    data = good.read_bytes()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError):
        sorviewer.load(str(bad))


def test_corrupt_member_data_is_a_load_error(tmp_path: Path) -> None:
    good = write_zip(tmp_path / "good.zip", {"SOREntity.csv": entity_csv() * 50})
    data = bytearray(good.read_bytes())
    # Flip bytes in the middle of the compressed data (after the local header).
    for i in range(200, 260):
        data[i] ^= 0x5A
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(LoadError):
        sorviewer.load(str(bad), use_cache=False)


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    f = tmp_path / "bomb.zip"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("SOREntity.csv", b"SorId;EntityName\r\n" + b";" * (30 << 20))
    with pytest.raises(LoadError, match="refused for safety"):
        sorviewer.load(str(f))


def test_the_opened_file_is_never_modified(tmp_path: Path) -> None:
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv()})
    before = (f.read_bytes(), os.stat(f).st_mtime_ns)
    sorviewer.load(str(f))
    sorviewer.load(str(f))
    assert (f.read_bytes(), os.stat(f).st_mtime_ns) == before


def test_progress_and_cancel(tmp_path: Path) -> None:
    rows = [dict(r) for r in tiny.ROWS] * 3000
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv(rows=rows)})
    seen: list[tuple[int, int]] = []
    sorviewer.load(str(f), progress=lambda d, t: seen.append((d, t)), use_cache=False)
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with pytest.raises(LoadCancelled):
        sorviewer.load(str(f), cancelled=lambda: True, use_cache=False)


def test_cache_gives_the_same_register_and_is_invalidated(tmp_path: Path) -> None:
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv()})
    first = sorviewer.load(str(f))
    assert os.listdir(tmp_path / "cache")
    second = sorviewer.load(str(f))
    same_answers(second)
    assert second.report.as_json() == first.report.as_json()
    assert second.source == first.source
    # A changed file is read again, not served from the old cache.
    rows = [dict(r) for r in tiny.ROWS]
    rows[0]["EntityName"] = "Omdøbt"
    write_zip(f, {"SOREntity.csv": entity_csv(rows=rows)})
    third = sorviewer.load(str(f))
    assert third.entity(tiny.IE, dt.date(2012, 1, 1))["name"] == "Omdøbt"


def test_unwritable_cache_never_fails_a_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("SORVIEWER_CACHE_DIR", str(blocker / "sub"))
    f = tmp_path / "x.csv"
    f.write_bytes(entity_csv())
    same_answers(sorviewer.load(str(f)))


def _patch_member_header(path: Path, offset_local: int, offset_central: int, value: int) -> None:
    """Overwrite one 4-byte field of the (only) member's local and central headers."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + offset_local : local + offset_local + 4] = value.to_bytes(4, "little")
    data[central + offset_central : central + offset_central + 4] = value.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_member_unpacking_to_more_than_it_declares_is_refused(tmp_path: Path) -> None:
    header, body = entity_csv().split(b"\r\n", 1)
    csv = header + b"\r\n" + body * 60000  # ~90 MB of rows, compresses ~100:1
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": csv})
    _patch_member_header(f, 22, 24, 1 << 20)  # says 1 MB unpacked: the ratio check passes
    # refused: as it passes the declared size, or (when pyarrow's read-ahead reached the
    # end of this small member first) by zlib's length check
    with pytest.raises(LoadError, match=r"refused for safety: it (unpacks to more|does not)"):
        sorviewer.load(str(f), use_cache=False)


def test_reading_stops_once_past_the_declared_size() -> None:
    """The early refusal itself, on a stream far longer than declared: a bomb is not read
    whole."""

    from sorviewer.formats import sor2_csv
    from sorviewer.formats.dialect import sniff

    header, body = entity_csv().split(b"\r\n", 1)
    chunk = body * 500

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.served = 0
            self.pending = header + b"\r\n"

        def readable(self) -> bool:
            return True

        def readinto(self, b: memoryview) -> int:  # type: ignore[override]
            if self.served > 100 * sor2_csv.PARSE_BLOCK:
                return 0  # (only so that a broken limit fails this test instead of hanging)
            if not self.pending:
                self.pending = chunk
            n = min(len(b), len(self.pending))
            b[:n] = self.pending[:n]
            self.pending = self.pending[n:]
            self.served += n
            return n

    source = Endless()
    dialect = sniff(header + b"\r\n" + body)
    assert dialect is not None
    declared = 1 << 20
    limited = sor2_csv._Limited(source, declared, "SOREntity.csv", None, None)
    with pytest.raises(LoadError, match="refused for safety: it unpacks to more than"):
        sor2_csv._read_arrow(
            limited,
            dialect=dialect,
            ragged=sor2_csv._Ragged(),
            member="SOREntity.csv",
            cancelled=None,
        )
    assert source.served < 40 * sor2_csv.PARSE_BLOCK  # stopped, not read to the end


def test_member_with_a_wrong_crc_is_damaged(tmp_path: Path) -> None:
    f = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": entity_csv() * 50})
    with zipfile.ZipFile(f) as zf:
        crc = zf.infolist()[0].CRC
    _patch_member_header(f, 14, 16, crc ^ 0x1)
    # pyarrow's inflating (zlib checks the CRC at the end), not the zipfile fallback
    with pytest.raises(LoadError, match=r"SOREntity.csv is damaged and cannot be unpacked"):
        sorviewer.load(str(f), use_cache=False)


def test_cp1252_text_growing_when_decoded_is_not_a_zip_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sorviewer.formats import sor2_csv

    monkeypatch.setattr(sor2_csv, "PARSE_BLOCK", 1 << 16)  # little slack over the size
    rows = [dict(r, EntityName="Ærø Øst Åbenrå æøå " * 8) for r in tiny.ROWS] * 1500
    data = entity_csv(rows=rows, encoding="cp1252", bom=False)
    assert len(data.decode("cp1252").encode("utf-8")) > len(data) + 2 * (1 << 16)
    plain = tmp_path / "SorEntity_daily.csv"
    plain.write_bytes(data)
    zipped = write_zip(tmp_path / "Sor_complete.zip", {"SOREntity.csv": data})
    for f in (plain, zipped):
        reg = sorviewer.load(str(f), use_cache=False)
        # every row holds cp1252 text: one row counts them, and each is listed (as far as
        # the report lists one kind)
        assert reg.report.count("encoding") == len(rows) + 1
        summary = [r for r in reg.report.rows if r.code == "report.not_utf8"]
        assert len(summary) == 1 and summary[0].params["count"] == len(rows)
        assert len(reg.entities) == len(rows)
        names = set(reg.entities["EntityName"].dropna())
        assert names and all(n.startswith("Ærø Øst Åbenrå æøå") for n in names)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_member_read_by_pyarrow_equals_the_zipfile_reading(tmp_path: Path, method: int) -> None:
    from sorviewer.formats.sor2_csv import read_table, zip_member_stream
    from sorviewer.report import LoadReport

    rows = [dict(r) for r in tiny.ROWS] * 700
    f = tmp_path / "Sor_complete.zip"
    with zipfile.ZipFile(f, "w", method) as zf:
        zf.writestr("SOREntity.csv", entity_csv(rows=rows))
    with zipfile.ZipFile(f) as zf:
        info = zf.getinfo("SOREntity.csv")
        native = zip_member_stream(str(f), info)
        assert native is not None
        frames = [
            read_table(
                functools.partial(zf.open, info),
                table="SOREntity",
                member="SOREntity.csv",
                report=LoadReport(),
                size=info.file_size,
                native=way,
            )
            for way in (None, native)
        ]
    assert len(frames[0]) == len(rows)
    pd.testing.assert_frame_equal(frames[0], frames[1])
