"""`diff OLD NEW` on the command line, per the contract, for every pair of formats `load`
reads (SOR2/SOR2, XML/XML, daily/SOR2, daily/daily, XML/SOR2), on the real XML cuts
against edited copies, and every exit code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import sorviewer
from sorviewer import schema
from sorviewer.changes import changes
from sorviewer.cli import run
from sorviewer.diff import KINDS, TABLE_HEADER
from tests.conftest import ROOT, SAMPLES
from tests.unit.diffpairs import MonthPair, month_pair

DOC_KEYS = {"old", "new", "created", "closed", "moved", "renamed", "changed", "shak", "ean_edi"}
SIDE_KEYS = {"format", "snapshot_date", "as_of"}
UNIT_LISTS = ("created", "closed", "moved", "renamed")
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples is absent")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = run(["diff", *args])
    out, err = capsys.readouterr()
    doc = json.loads(out) if "--json" in args and code == 0 and out.strip() else out
    return code, doc, err


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> MonthPair:
    return month_pair(tmp_path_factory.mktemp("diffcli"))


@pytest.fixture(scope="module")
def expected(pair: MonthPair) -> dict[str, Any]:
    """`changes` of the later SOR2 file between the two download days."""
    full = sorviewer.load(str(pair.new["sor2-zip"]), use_cache=False)
    return changes(full, pair.earlier, pair.later)


@pytest.fixture(scope="module")
def sor2_doc(pair: MonthPair) -> dict[str, Any]:
    from sorviewer.diff import compare

    old = sorviewer.load(str(pair.old["sor2-zip"]), use_cache=False)
    new = sorviewer.load(str(pair.new["sor2-zip"]), use_cache=False)
    return compare(old, new).as_json()


def check_shape(doc: dict[str, Any]) -> None:
    assert set(doc) >= DOC_KEYS
    assert set(doc["old"]) == SIDE_KEYS and set(doc["new"]) == SIDE_KEYS
    for kind in UNIT_LISTS:
        for item in doc[kind]:
            assert isinstance(item["sor_id"], str) and item["sor_id"].isdigit()
    for item in doc["moved"]:
        assert {"from_parent", "to_parent"} <= set(item)
    for item in doc["renamed"]:
        assert "old_name" in item
    for item in doc["changed"]:
        assert item["columns"] and all(isinstance(c, str) for c in item["columns"])
    assert set(doc["shak"]) == {"added", "removed"} and set(doc["ean_edi"]) == {"added", "removed"}
    for item in doc["shak"]["added"] + doc["shak"]["removed"]:
        assert set(item) == {"shak_id", "sor_id"}
    for item in doc["ean_edi"]["added"] + doc["ean_edi"]["removed"]:
        assert set(item) == {"ean", "edi_id"}


# --- every pair of formats -------------------------------------------------------------------

PAIRS = [
    ("sor2-zip", "sor2-zip"),
    ("sor-xml", "sor-xml"),
    ("sor2-csv", "sor2-zip"),
    ("sor2-csv", "sor2-csv"),
    ("sor-xml", "sor2-zip"),
]


@pytest.mark.parametrize(("old_fmt", "new_fmt"), PAIRS)
def test_every_pair_of_formats(
    capsys: pytest.CaptureFixture[str],
    pair: MonthPair,
    expected: dict[str, Any],
    sor2_doc: dict[str, Any],
    old_fmt: str,
    new_fmt: str,
) -> None:
    code, doc, err = cli(capsys, str(pair.old[old_fmt]), str(pair.new[new_fmt]), "--json")
    assert code == 0, err
    check_shape(doc)
    assert doc["old"] == {
        "format": old_fmt,
        "snapshot_date": pair.earlier.isoformat(),
        "as_of": pair.earlier.isoformat(),
    }
    assert doc["new"]["format"] == new_fmt and doc["new"]["as_of"] == pair.later.isoformat()
    # the unit lists do not depend on the format: they are the later file's changes
    for kind in UNIT_LISTS:
        assert doc[kind] == expected[kind], kind
        assert doc[kind], kind
    changed = {c["sor_id"]: set(c["columns"]) for c in doc["changed"]}
    sor2 = {c["sor_id"]: set(c["columns"]) for c in sor2_doc["changed"]}
    if "sor-xml" in (old_fmt, new_fmt):
        # fewer columns in common (and across formats one-sided values do not count);
        # the XML's own extra columns (e.g. its EDI administrator) only in XML/XML
        sor2_columns = set(schema.SOR_ENTITY_COLUMNS_2025)
        assert changed
        for sid, cols in changed.items():
            assert cols & sor2_columns <= sor2.get(sid, set()), sid
    else:
        assert changed == sor2
    assert doc["shak"] == sor2_doc["shak"]
    if old_fmt == new_fmt == "sor2-zip":
        assert doc["ean_edi"]["added"]
    else:  # the XML and the daily file have no EDI table
        assert doc["ean_edi"] == {"added": [], "removed": []}
    across = (old_fmt == "sor-xml") != (new_fmt == "sor-xml")
    assert ("different formats" in err) == across
    assert ("different formats" in " ".join(doc["warnings"])) == across


def test_text_output_and_the_file_with_itself(
    capsys: pytest.CaptureFixture[str], pair: MonthPair, expected: dict[str, Any]
) -> None:
    code, out, err = cli(capsys, str(pair.new["sor2-zip"]), str(pair.new["sor2-zip"]))
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == "No differences."
    code, doc, _ = cli(capsys, str(pair.new["sor-xml"]), str(pair.new["sor-xml"]), "--json")
    assert code == 0
    assert all(doc[k] == [] for k in (*UNIT_LISTS, "changed"))
    code, out, _ = cli(capsys, str(pair.old["sor2-zip"]), str(pair.new["sor2-zip"]))
    assert code == 0
    assert f"created: {len(expected['created'])}" in out
    assert f"renamed: {len(expected['renamed'])}" in out
    first = expected["renamed"][0]
    assert f"  {first['sor_id']}  {first['name']}  (was {first['old_name']})" in out


def test_as_of_reads_both_files_at_one_day(
    capsys: pytest.CaptureFixture[str], pair: MonthPair
) -> None:
    day = pair.earlier.isoformat()
    code, doc, _ = cli(
        capsys, str(pair.old["sor2-zip"]), str(pair.new["sor2-zip"]), "--as-of", day, "--json"
    )
    assert code == 0
    assert doc["old"]["as_of"] == doc["new"]["as_of"] == day
    # the same register on the same day: no unit appears, goes or moves
    assert all(doc[k] == [] for k in UNIT_LISTS)
    assert doc["shak"] == {"added": [], "removed": []}


def test_dates_running_backwards_are_noted(
    capsys: pytest.CaptureFixture[str], pair: MonthPair, expected: dict[str, Any]
) -> None:
    code, doc, err = cli(capsys, str(pair.new["sor2-zip"]), str(pair.old["sor2-zip"]), "--json")
    assert code == 0
    assert "dates run backwards" in err and err.count("\n") == 1
    assert [i["sor_id"] for i in doc["closed"]] == [i["sor_id"] for i in expected["created"]]


def test_under_keeps_the_unit_and_what_is_below(
    capsys: pytest.CaptureFixture[str], pair: MonthPair, expected: dict[str, Any]
) -> None:
    full = sorviewer.load(str(pair.new["sor2-zip"]), use_cache=False)
    snap = full.snapshot(pair.later)
    sid = expected["moved"][0]["sor_id"]
    path = snap.path(full.entity_index(sid))
    top = str(full.ids[path[0]])
    code, doc, _ = cli(
        capsys, str(pair.old["sor2-zip"]), str(pair.new["sor2-zip"]), "--under", top, "--json"
    )
    assert code == 0
    assert sid in [i["sor_id"] for i in doc["moved"]]
    below = set(full.ids[snap.subtree(path[0])].astype(str).tolist())
    old = sorviewer.load(str(pair.old["sor2-zip"]), use_cache=False)
    osnap = old.snapshot(pair.earlier)
    below |= set(old.ids[osnap.subtree(old.entity_index(top))].astype(str).tolist())
    for kind in (*UNIT_LISTS, "changed"):
        assert {i["sor_id"] for i in doc[kind]} <= below
    assert len(doc["changed"]) < len(expected["changed"]) + 1000  # narrowed, not empty
    assert doc["changed"]


# --- files ------------------------------------------------------------------------------------


def test_output_files(capsys: pytest.CaptureFixture[str], pair: MonthPair, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    old, new = str(pair.old["sor2-zip"]), str(pair.new["sor2-zip"])
    code, doc, _ = cli(capsys, old, new, "--json")
    rows_json = tmp_path / "d.json"
    code, out, err = cli(capsys, old, new, "--format", "json", "-o", str(rows_json))
    assert code == 0, err
    rows = json.loads(rows_json.read_text(encoding="utf-8"))
    assert out.startswith(f"wrote {len(rows):,} rows of differences to")
    assert set(rows[0]) == set(TABLE_HEADER)
    n_changed = sum(len(c["columns"]) for c in doc["changed"])
    assert sum(r["kind"] == "changed" for r in rows) == n_changed
    assert sum(r["kind"] == "created" for r in rows) == len(doc["created"])
    renamed = next(r for r in rows if r["kind"] == "renamed")
    item = doc["renamed"][0]
    assert (renamed["sor_id"], renamed["old"], renamed["new"]) == (
        item["sor_id"],
        item["old_name"],
        item["name"],
    )

    out_csv = tmp_path / "d.csv"
    assert cli(capsys, old, new, "-o", str(out_csv))[0] == 0  # format from the suffix
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(TABLE_HEADER) and len(table) == len(rows) + 1

    out_xlsx = tmp_path / "d.xlsx"
    code, meta, _ = cli(capsys, old, new, "--format", "xlsx", "-o", str(out_xlsx), "--json")
    assert code == 0 and meta["rows"] == len(rows) and meta["format"] == "xlsx"
    wb = load_workbook(out_xlsx, read_only=True)
    assert wb.sheetnames == list(KINDS)
    ws = wb["created"]
    got = list(ws.iter_rows(values_only=True))
    assert list(got[0]) == list(TABLE_HEADER)
    assert len(got) - 1 == len(doc["created"])
    assert all(
        isinstance(r[1], str) and r[1] == i["sor_id"]
        for r, i in zip(got[1:], doc["created"], strict=True)
    )
    wb.close()
    # a folder that does not exist: usage error, one line, nothing written
    code, _out, err = cli(capsys, old, new, "-o", str(tmp_path / "no" / "d.csv"))
    assert code == 2 and err.count("\n") == 1 and "Cannot write" in err


# --- exit codes -------------------------------------------------------------------------------


def test_exit_codes(capsys: pytest.CaptureFixture[str], pair: MonthPair, tmp_path: Path) -> None:
    good = str(pair.new["sor2-zip"])
    code, _, err = cli(capsys, str(tmp_path / "missing.zip"), good)
    assert code == 3 and err.count("\n") == 1 and "old file" in err and "missing.zip" in err
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n", encoding="utf-8")
    code, _, err = cli(capsys, good, str(junk))
    assert code == 3 and err.count("\n") == 1 and "new file" in err and "notes.txt" in err
    code, _, err = cli(capsys, good, good, "--under", "1234567890")
    assert code == 4 and "does not occur in either file" in err
    assert cli(capsys, good, good, "--under", "12ab")[0] == 2
    assert cli(capsys, good, good, "--as-of", "01-11-2026")[0] == 2
    code, _, err = cli(capsys, good, good, "--format", "csv")
    assert code == 2 and "-o" in err
    assert cli(capsys, good)[0] == 2
    # no traceback from the real entry point either
    res = subprocess.run(
        [sys.executable, "-m", "sorviewer", "diff", str(tmp_path / "gone.zip"), good],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 3 and "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1


def test_an_under_id_known_in_only_one_file(
    capsys: pytest.CaptureFixture[str], pair: MonthPair, expected: dict[str, Any]
) -> None:
    created = expected["created"][0]["sor_id"]  # only in the later file
    code, doc, _ = cli(
        capsys, str(pair.old["sor2-zip"]), str(pair.new["sor2-zip"]), "--under", created, "--json"
    )
    assert code == 0
    assert created in [i["sor_id"] for i in doc["created"]]


def test_generate_writes_an_earlier_download(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    later, earlier = tmp_path / "later.zip", tmp_path / "earlier.xml.zip"
    base = ["generate", "--entities", "300", "--seed", "3"]
    assert run([*base, "-o", str(later)]) == 0
    assert run([*base, "-o", str(earlier), "--format", "sor-xml", "--known-on", "2026-10-01"]) == 0
    capsys.readouterr()
    assert run(["info", str(earlier), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["snapshot_date"] == "2026-10-01"
    code, doc, err = cli(capsys, str(earlier), str(later), "--json")
    assert code == 0 and doc["old"]["as_of"] == "2026-10-01", err
    # a day after the snapshot is a usage error
    assert run([*base, "-o", str(tmp_path / "x.zip"), "--known-on", "2027-01-01"]) == 2


# --- the real XML cuts against edited copies ------------------------------------------------------


def _rezip(text: str, path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Sor.xml", text.encode("utf-8-sig"))


def _cut_block(text: str, start_marker: str, tag: str) -> tuple[str, str]:
    """(text without the `<tag>` element that contains `start_marker`, that element)."""
    at = text.index(start_marker)
    begin = text.rindex(f"<{tag}>", 0, at)
    end = text.index(f"</{tag}>", at) + len(f"</{tag}>")
    # the element's own line: from the line start to the line end
    line_start = text.rindex("\n", 0, begin) + 1
    line_end = text.index("\n", end) + 1
    return text[:line_start] + text[line_end:], text[line_start:line_end]


@needs_samples
def test_real_xml_v1_against_an_edited_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with zipfile.ZipFile(SAMPLES / "sor_xml_v1_real.zip") as zf:
        text = zf.read("Sor.xml").decode("utf-8-sig")
    old = tmp_path / "sor_old.zip"
    old.write_bytes((SAMPLES / "sor_xml_v1_real.zip").read_bytes())
    # rename a unit, move the owner's street, close the treatment section, add a branch
    edited = text.replace(
        "<EntityName>Roskilde Øjenklinik, afdeling</EntityName>",
        "<EntityName>Roskilde Øjenklinik, øjenafdeling</EntityName>",
    )
    edited = edited.replace(
        "<dkcc2005:StreetName>Hestetorvet</dkcc2005:StreetName>",
        "<dkcc2005:StreetName>Hestetorvet Nord</dkcc2005:StreetName>",
    )
    edited, _gone = _cut_block(
        edited, "<SorIdentifier>347831000016005<", "OrganizationalUnitEntity"
    )
    _, branch = _cut_block(edited, "<SorIdentifier>306031000016009<", "OrganizationalUnitEntity")
    branch = branch.replace("306031000016009", "306041000016001").replace(
        "<EntityName>Værløse Apotek</EntityName>", "<EntityName>Værløse Apotek, filial</EntityName>"
    )
    anchor = edited.index("<SorIdentifier>306031000016009<")
    after = edited.index("</OrganizationalUnitEntity>", anchor)
    after = edited.index("\n", after) + 1
    edited = edited[:after] + branch + edited[after:]
    new = tmp_path / "sor_new.zip"
    _rezip(edited, new)

    code, doc, err = cli(capsys, str(old), str(new), "--json")
    assert code == 0, err
    check_shape(doc)
    assert doc["old"] == {"format": "sor-xml", "snapshot_date": "2010-01-26", "as_of": "2010-01-26"}
    assert doc["renamed"] == [
        {
            "sor_id": "347821000016008",
            "name": "Roskilde Øjenklinik, øjenafdeling",
            "old_name": "Roskilde Øjenklinik, afdeling",
        }
    ]
    assert doc["closed"] == [
        {"sor_id": "347831000016005", "name": "Roskilde Øjenklinik, beh. afsnit"}
    ]
    assert doc["created"] == [{"sor_id": "306041000016001", "name": "Værløse Apotek, filial"}]
    assert doc["moved"] == []
    # the owner's street, and with it the effective addresses of the units that take
    # theirs from it: the postal address inherited, the visiting address that is the
    # unit's own postal one, the activity address that is its visiting one
    assert doc["changed"] == [
        {"sor_id": "347801000016001", "name": "Roskilde Øjenklinik", "columns": [POSTAL]},
        {"sor_id": "347811000016004", "name": "Roskilde Øjenklinik", "columns": [POSTAL, VISIT]},
        {
            "sor_id": "347821000016008",
            "name": "Roskilde Øjenklinik, øjenafdeling",
            "columns": [POSTAL, VISIT, ACTIVITY],
        },
    ]
    assert doc["shak"] == {
        "added": [],
        "removed": [{"shak_id": "2529010", "sor_id": "347831000016005"}],
    }
    assert doc["ean_edi"] == {"added": [], "removed": []}
    same_as_show(old, new, dt.date.fromisoformat(doc["old"]["as_of"]), doc)


POSTAL = "PostalAddressStreetName"
VISIT = "VisitingAddressStreetName"
ACTIVITY = "ActivityAddressStreetName"


def same_as_show(old: Path, new: Path, day: dt.date, doc: dict[str, Any]) -> None:
    """`changed` names exactly the columns whose `show` attributes differ, for every
    unit in both files (the real files: every column a unit has, inherited or not)."""
    from sorviewer.diff import NOT_COMPARED

    a = sorviewer.load(str(old), use_cache=False)
    b = sorviewer.load(str(new), use_cache=False)
    got = {c["sor_id"]: c["columns"] for c in doc["changed"]}
    gone = {c["sor_id"] for c in doc["closed"]} | {c["sor_id"] for c in doc["created"]}
    for sid in sorted(set(a.ids.astype(str)) & set(b.ids.astype(str)) - gone):
        va, vb = a.entity(sid, day), b.entity(sid, day)
        assert va is not None and vb is not None
        cols = [c for c in vb["attributes"] if c not in NOT_COMPARED]
        want = [c for c in cols if va["attributes"].get(c) != vb["attributes"].get(c)]
        assert got.get(sid, []) == want, sid


@needs_samples
def test_real_xml_v2_against_an_edited_copy(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (SAMPLES / "sor_xml_v2.0.0" / "Sor_small.xml").read_bytes().decode("utf-8-sig")
    edited = text.replace(
        "<sor1:EntityName>Trine Baadsgaard</sor1:EntityName>",
        "<sor1:EntityName>Trine Baadsgaard Nielsen</sor1:EntityName>",
    )
    edited, _gone = _cut_block(edited, "6984910000160091", "OrganizationalUnitEntity")
    new = tmp_path / "Sor_small_new.xml"
    new.write_bytes(
        b"\xef\xbb\xbf" + edited.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode()
    )
    code, doc, err = cli(
        capsys, str(SAMPLES / "sor_xml_v2.0.0" / "Sor_small.xml"), str(new), "--json"
    )
    assert code == 0, err
    assert doc["renamed"] == [
        {
            "sor_id": "698491000016009",
            "name": "Trine Baadsgaard Nielsen",
            "old_name": "Trine Baadsgaard",
        }
    ]
    assert [c["sor_id"] for c in doc["closed"]] == ["6984910000160091"]
    assert doc["created"] == [] and doc["moved"] == []
    day = dt.date.fromisoformat(doc["old"]["as_of"])
    same_as_show(SAMPLES / "sor_xml_v2.0.0" / "Sor_small.xml", new, day, doc)


@needs_samples
def test_real_cuts_of_different_registers_warn(capsys: pytest.CaptureFixture[str]) -> None:
    a = SAMPLES / "sor_xml_v1.0.0" / "ONE_APOTEK.xml"
    b = SAMPLES / "sor_xml_v1.0.0" / "ONE_PRAKSIS.xml"
    code, doc, err = cli(capsys, str(a), str(b), "--json")
    assert code == 0
    assert "seem to be different registers" in err
    assert len(doc["closed"]) == 3 and len(doc["created"]) == 3
    assert doc["warnings"] and "different registers" in doc["warnings"][0]
