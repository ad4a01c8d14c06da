"""The `find` command of the CLI contract (ARCHITECTURE.md, "find") on a generated SOR2
zip and on the real XML cuts: JSON shapes, order, count-by, limit, exit codes, files,
and answers cross-checked against `show`, `tree` and `edi`."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sorviewer.cli import run
from sorviewer.register import name_sort_key
from tests.conftest import SAMPLES

DAY = "2026-06-01"
ROW_KEYS = ["sor_id", "name", "sor_type", "parent_sor_id", "status"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sorviewer.synthetic import generate

    os.environ["SORVIEWER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    out = tmp_path_factory.mktemp("gen") / "Sor_complete.zip"
    generate(str(out), entities=1500, seed=3)
    return out


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = run([*args])
    out, err = capsys.readouterr()
    doc = json.loads(out) if "--json" in args and code == 0 and out.strip() else out
    return code, doc, err


def find(capsys: pytest.CaptureFixture[str], f: Path | str, *args: str) -> list[dict[str, Any]]:
    code, doc, err = cli(capsys, "find", str(f), "--as-of", DAY, "--json", *args)
    assert code == 0, err
    assert isinstance(doc, list)
    return doc


def in_name_order(rows: list[dict[str, Any]]) -> bool:
    """Danish name order (as `tree`), the same name by SorId."""
    keys = [(name_sort_key(r["name"] or ""), r["name"], int(r["sor_id"])) for r in rows]
    pairs = list(itertools.pairwise(keys))
    return all(a[0] <= b[0] for a, b in pairs) and all(
        a[2] < b[2] for a, b in pairs if a[1] == b[1]
    )


def test_find_rows_shape_and_order(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    rows = find(capsys, generated)
    assert rows and all(list(r) == ROW_KEYS for r in rows)
    assert all(isinstance(r["sor_id"], str) and r["sor_id"].isdigit() for r in rows)
    assert {r["status"] for r in rows} == {"active"}
    assert in_name_order(rows)
    # the active units are exactly the tree's (all levels, orphans included)
    _code, tree, _ = cli(capsys, "tree", str(generated), "--as-of", DAY, "--json")

    def walk(nodes: list[dict[str, Any]]) -> list[str]:
        out: list[str] = []
        stack = list(nodes)
        while stack:
            n = stack.pop()
            out.append(n["sor_id"])
            stack.extend(n["children"])
        return out

    assert sorted(r["sor_id"] for r in rows) == sorted(walk(tree))
    every = find(capsys, generated, "--status", "all")
    assert {r["status"] for r in every} == {"active", "closed", "future"}
    assert len(find(capsys, generated, "--status", "closed,future")) == len(every) - len(rows)


def test_columns_are_show_attributes_with_their_source(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    cols = "ShakId,VisitingAddressPostCodeId,EanLocationCode,EntityTypeName"
    rows = find(
        capsys, generated, "--level", "OE", "--status", "all", "--columns", cols, "--limit", "40"
    )
    assert len(rows) == 40
    assert list(rows[0]) == [
        *ROW_KEYS,
        "ShakId",
        "ShakIdSource",
        "VisitingAddressPostCodeId",
        "VisitingAddressSource",
        "EanLocationCode",
        "EanLocationCodeSource",
        "EntityTypeName",
    ]
    for r in rows:
        code, show, _ = cli(capsys, "show", str(generated), r["sor_id"], "--as-of", DAY, "--json")
        assert code == 0
        for c in ("ShakId", "VisitingAddressPostCodeId", "EanLocationCode", "EntityTypeName"):
            assert r[c] == show["attributes"][c]
        assert r["status"] == show["status"] and r["parent_sor_id"] == show["parent_sor_id"]
        prov = show["provenance"]["shak"]
        want = prov["state"] if prov["state"] != "inherited" else f"inherited:{prov['from_sor_id']}"
        assert r["ShakIdSource"] == want


def test_filters_and_and_comma_or(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    oe = find(capsys, generated, "--level", "OE")
    si = find(capsys, generated, "--level", "si")
    both = find(capsys, generated, "--level", "OE,SI")
    assert sorted(r["sor_id"] for r in both) == sorted(r["sor_id"] for r in oe + si)
    region = find(capsys, generated, "--region", "1084", "--columns", "VisitingAddressRegionCode")
    assert region and {r["VisitingAddressRegionCode"] for r in region} == {"1084"}
    narrowed = find(capsys, generated, "--region", "1084", "--level", "OE")
    assert {r["sor_id"] for r in narrowed} == {r["sor_id"] for r in region} & {
        r["sor_id"] for r in oe
    }


def test_edi_type_under_a_unit_gives_the_edi_answer(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    owners = [r for r in find(capsys, generated, "--level", "IE", "--ean", "own")]
    checked = 0
    for owner in owners[:40]:
        for edi_type in ("9", "6", "18"):
            code, edi, _ = cli(
                capsys,
                "edi",
                str(generated),
                "--under",
                owner["sor_id"],
                "--type",
                edi_type,
                "--as-of",
                DAY,
                "--json",
            )
            assert code == 0
            rows = find(
                capsys,
                generated,
                "--under",
                owner["sor_id"],
                "--edi-type",
                edi_type,
                "--columns",
                "EanLocationCode,EanState",
            )
            assert sorted(r["sor_id"] for r in rows) == sorted(e["sor_id"] for e in edi)
            state = {e["sor_id"]: (e["ean"], e["ean_state"]) for e in edi}
            for r in rows:
                assert (r["EanLocationCode"], r["EanState"]) == state[r["sor_id"]]
            checked += len(rows)
    assert checked > 0


def test_count_by(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    code, counts, _ = cli(
        capsys, "find", str(generated), "--as-of", DAY, "--json", "--count-by", "ShakId"
    )
    assert code == 0 and all(set(c) == {"value", "count"} for c in counts)
    assert sum(c["count"] for c in counts) == len(find(capsys, generated))
    assert [c["count"] for c in counts] == sorted((c["count"] for c in counts), reverse=True)
    assert any(c["value"] is None for c in counts)  # units without a code: null
    top = cli(
        capsys,
        "find",
        str(generated),
        "--as-of",
        DAY,
        "--json",
        "--count-by",
        "sortype",
        "--limit",
        "2",
    )[1]
    assert len(top) == 2 and top[0]["count"] >= top[1]["count"]


def test_exit_codes(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    f = str(generated)
    code, _, err = cli(capsys, "find", f, "--columns", "ShakId,NoSuchColumn")
    assert (
        code == 2 and "NoSuchColumn" in err and "EntityName" in err and len(err.splitlines()) == 1
    )
    assert cli(capsys, "find", f, "--count-by", "Nope")[0] == 2
    assert cli(capsys, "find", f, "--where", "Nope=1")[0] == 2
    assert cli(capsys, "find", f, "--where", "EntityName")[0] == 2
    assert cli(capsys, "find", f, "--status", "open")[0] == 2
    assert cli(capsys, "find", f, "--ean", "some")[0] == 2
    assert cli(capsys, "find", f, "--postcode", "9000-1000")[0] == 2
    assert cli(capsys, "find", f, "--under", "12ab")[0] == 2
    code, _, err = cli(capsys, "find", f, "--under", "123451000016004")
    assert code == 4 and "123451000016004" in err
    code, _, err = cli(capsys, "find", f, "--edi-type", "99999")
    assert code == 4 and "99999" in err
    assert cli(capsys, "find", f, "--limit", "-1")[0] == 2
    assert cli(capsys, "find", str(generated.parent / "missing.zip"))[0] == 3


def test_text_with_pattern_characters_is_literal(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    for text in (".*", "%", "_", "'; DROP TABLE x; --"):
        assert find(capsys, generated, "--text", text) == []
    # punctuation separates words (the `search` rule): these are the words "a z" and "d",
    # not patterns
    for text, words in (("[a-z]+", "a z"), ("\\d", "d")):
        assert find(capsys, generated, "--text", text) == find(capsys, generated, "--text", words)
    every = find(capsys, generated, "--status", "active")
    assert len(find(capsys, generated, "--text", "\\d")) < len(every)
    assert find(capsys, generated, "--where", "EntityName~.*") == []
    code, out, _err = cli(capsys, "find", str(generated), "--as-of", DAY, "--text", "(zz)")
    assert code == 0 and "No units match" in out


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx", "json"])
def test_output_files(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path, fmt: str
) -> None:
    args = ["--level", "SI", "--columns", "ShakId,VisitingAddressPostCodeId"]
    rows = find(capsys, generated, *args)
    out = tmp_path / f"si.{'csv' if fmt.startswith('csv') else fmt}"
    code, doc, _ = cli(
        capsys,
        "find",
        str(generated),
        "--as-of",
        DAY,
        "--json",
        *args,
        "-o",
        str(out),
        "--format",
        fmt,
    )
    assert code == 0 and doc == {"output": str(out), "format": fmt, "rows": len(rows), "as_of": DAY}
    header = [
        "SorId",
        "EntityName",
        "SorType",
        "ParentSorId",
        "Status",
        "ShakId",
        "ShakIdSource",
        "VisitingAddressPostCodeId",
        "VisitingAddressSource",
    ]
    if fmt == "json":
        assert json.loads(out.read_text(encoding="utf-8")) == rows
        return
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(out)["SOR"]
        table = [[c.value for c in r] for r in ws.iter_rows()]
    else:
        text = out.read_bytes().decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        if fmt == "csv-excel":
            table = [[c[2:-1] if c.startswith('="') else c for c in r] for r in table]
        table = [[c or None for c in r] for r in table]
    assert table[0] == header
    assert [r[0] for r in table[1:]] == [r["sor_id"] for r in rows]
    assert [r[5] for r in table[1:]] == [r["ShakId"] for r in rows]
    assert [r[8] for r in table[1:]] == [r["VisitingAddressSource"] for r in rows]


def test_empty_result_exports_a_header_only_file(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    out = tmp_path / "none.csv"
    code, text, err = cli(capsys, "find", str(generated), "--text", "no such unit", "-o", str(out))
    assert code == 0 and "Wrote 0 units" in text and "No units match" in err
    assert out.read_bytes().decode("utf-8-sig") == "SorId;EntityName;SorType;ParentSorId;Status\r\n"


def test_plain_text_output(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    code, out, _ = cli(
        capsys, "find", str(generated), "--as-of", DAY, "--level", "IE", "--limit", "3"
    )
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["sor_id", "name", "sor_type", "status"]
    assert len(lines) == 5


# --- the real XML cuts ------------------------------------------------------------------------

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples is absent")
XML_FILES = [
    "sor_xml_v1.0.0/ONE_SYGEHUS.xml",
    "sor_xml_v1.0.0/ONE_APOTEK.xml",
    "sor_xml_v1.0.0/ONE_PRAKSIS.xml",
    "sor_xml_v2.0.0/Sor_small.xml",
    "sor_xml_v1_real.zip",
]


@needs_samples
@pytest.mark.parametrize("rel", XML_FILES)
def test_find_on_real_xml(capsys: pytest.CaptureFixture[str], rel: str, tmp_path: Path) -> None:
    f = str(SAMPLES / rel)
    code, info, _ = cli(capsys, "info", f, "--json")
    assert code == 0
    snap = info["snapshot_date"]
    code, rows, _ = cli(
        capsys,
        "find",
        f,
        "--as-of",
        snap,
        "--json",
        "--status",
        "all",
        "--columns",
        "EanLocationCode,VisitingAddressPostCodeId,ShakId",
    )
    assert code == 0 and len(rows) == info["entities"]
    for r in rows:
        code, show, _ = cli(capsys, "show", f, r["sor_id"], "--as-of", snap, "--json")
        for c in ("EanLocationCode", "VisitingAddressPostCodeId", "ShakId"):
            assert r[c] == show["attributes"][c]
    code, counts, _ = cli(
        capsys, "find", f, "--as-of", snap, "--json", "--status", "all", "--count-by", "SorType"
    )
    assert sum(c["count"] for c in counts) == len(rows)
    code, _, _err = cli(capsys, "find", f, "--as-of", snap, "--json", "--edi-type", "1")
    assert code == 4  # an XML file has no EDI table: every type is unknown in it
    for fmt in ("xlsx", "csv-excel"):
        out = tmp_path / f"x.{fmt}"
        assert (
            cli(
                capsys,
                "find",
                f,
                "--as-of",
                snap,
                "--status",
                "all",
                "-o",
                str(out),
                "--format",
                fmt,
            )[0]
            == 0
        )
        assert out.stat().st_size > 0


@needs_samples
def test_a_filter_on_a_column_the_format_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    f = str(SAMPLES / "sor_xml_v1.0.0/ONE_SYGEHUS.xml")
    code, rows, err = cli(
        capsys, "find", f, "--json", "--status", "all", "--where", "LocalAttribute1=x"
    )
    assert code == 0 and rows == []
    assert err.count("no values in LocalAttribute1") == 1
