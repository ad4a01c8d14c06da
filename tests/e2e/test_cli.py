"""Every CLI command of the docs/ARCHITECTURE.md contract, on a generated SOR2 zip and on the
real XML cuts: JSON shapes, exit codes, one-line errors, and answers cross-checked
against the Python API and against each other."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import sorviewer
from sorviewer.cli import run
from tests.conftest import ROOT, SAMPLES

DAY = "2026-06-01"
SHOW_KEYS = {
    "sor_id",
    "name",
    "sor_type",
    "entity_type",
    "parent_sor_id",
    "status",
    "valid_from",
    "valid_to",
    "first_from",
    "attributes",
    "provenance",
}
GROUPS = {
    "postal_address",
    "visiting_address",
    "activity_address",
    "virtual_address",
    "ean_location_code",
    "shak",
}


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cache")
    os.environ["SORVIEWER_CACHE_DIR"] = str(d)
    return d


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    from sorviewer.synthetic import generate

    out = tmp_path_factory.mktemp("gen") / "Sor_complete.zip"
    generate(str(out), entities=1500, seed=3)
    return out


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = run([*args])
    out, err = capsys.readouterr()
    doc = json.loads(out) if "--json" in args and code == 0 and out.strip() else out
    return code, doc, err


def walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        out.append(n)
        out.extend(walk(n["children"]))
    return out


# --- generated SOR2 zip ---------------------------------------------------------------


def test_info_on_generated(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    code, doc, _ = cli(capsys, "info", str(generated), "--json")
    assert code == 0
    assert doc["format"] == "sor2-zip"
    assert doc["has_history"] is True
    assert doc["entities"] == 1500
    assert doc["tables"]["SOREntity"] > 1500 * 3
    assert len(doc["tables"]) == 8
    lo, hi = doc["date_range"]
    assert lo <= "2007-01-01" and hi >= DAY


def test_tree_show_history_agree(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    code, roots, _ = cli(capsys, "tree", str(generated), "--as-of", DAY, "--depth", "1", "--json")
    assert code == 0 and roots and all(r["children"] == [] for r in roots)
    code, full, _ = cli(capsys, "tree", str(generated), "--as-of", DAY, "--json")
    nodes = walk(full)
    ids = [n["sor_id"] for n in nodes]
    assert len(ids) == len(set(ids))  # a forest: every unit once
    reg = sorviewer.load(str(generated))
    day = dt.date.fromisoformat(DAY)
    assert [r["sor_id"] for r in full] == reg.roots(day)
    deep = max(nodes, key=lambda n: len(walk([n])))
    kids = [c["sor_id"] for c in deep["children"]]
    assert kids == reg.children(deep["sor_id"], day)
    # show: every node of the tree is active at the day, with its parent
    for n in nodes[:: max(1, len(nodes) // 40)]:
        code, doc, _ = cli(capsys, "show", str(generated), n["sor_id"], "--as-of", DAY, "--json")
        assert code == 0
        assert set(doc) >= SHOW_KEYS
        assert set(doc["provenance"]) == GROUPS
        assert doc["status"] == "active"
        for key in ("replaced_by", "replaces"):  # extension keys, always present
            assert all(isinstance(x, str) for x in doc[key])
        for g, p in doc["provenance"].items():
            assert p["state"] in ("own", "inherited", "none"), g
            if p["state"] == "own":
                assert p["from_sor_id"] == n["sor_id"]
            if p["state"] == "none":
                assert p["from_sor_id"] is None
        code, hist, _ = cli(capsys, "history", str(generated), n["sor_id"], "--json")
        assert code == 0 and hist[0]["changed"] == []
        assert [h["valid_from"] for h in hist] == sorted(h["valid_from"] for h in hist)


def test_show_names_replacements_both_ways(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    reg = sorviewer.load(str(generated))
    table = reg.tables["SORReplacedEntities"]
    old, new = sorted(zip(table["ReplacedSorId"], table["ReplacedBySorId"], strict=True))[0]
    code, doc, _ = cli(capsys, "show", str(generated), old, "--as-of", DAY, "--json")
    assert code == 0 and new in doc["replaced_by"]
    code, doc, _ = cli(capsys, "show", str(generated), new, "--as-of", DAY, "--json")
    assert code == 0 and old in doc["replaces"]
    code, text, _ = cli(capsys, "show", str(generated), new, "--as-of", DAY)
    assert code == 0 and "Replaces: " in text and old in text


def test_inherited_values_come_from_an_ancestor(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    reg = sorviewer.load(str(generated))
    day = dt.date.fromisoformat(DAY)
    snap = reg.snapshot(day)
    checked = 0
    for e in snap.active_entities()[:600]:
        sid = str(reg.ids[int(e)])
        doc = reg.entity(sid, day)
        p = doc["provenance"]["postal_address"]
        if p["state"] != "inherited" or p["from_group"] is not None:
            continue
        src = reg.entity(p["from_sor_id"], day)
        assert src["provenance"]["postal_address"]["state"] == "own"
        path = [str(reg.ids[a]) for a in snap.path(int(e))]
        assert p["from_sor_id"] in path
        col = "PostalAddressStreetName"
        assert doc["attributes"].get(col) == src["attributes"].get(col)
        checked += 1
    assert checked > 20


def test_shak_both_ways(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    reg = sorviewer.load(str(generated))
    shak_rows = reg.entities["ShakId"].dropna()
    assert len(shak_rows) > 0
    day = dt.date.fromisoformat(DAY)
    tried = 0
    for code_text in shak_rows.unique()[:30]:
        code, units, _ = cli(
            capsys, "shak", str(generated), str(code_text), "--as-of", DAY, "--json"
        )
        assert code == 0
        for u in units:
            assert set(u) == {"sor_id", "name", "direct", "direct_sor_id"}
            c2, codes, _ = cli(
                capsys, "sor-shak", str(generated), u["sor_id"], "--as-of", DAY, "--json"
            )
            assert c2 == 0
            assert code_text in [c["shak_id"] for c in codes]
            if u["direct"]:
                assert u["direct_sor_id"] == u["sor_id"]
            else:
                assert u["direct_sor_id"] != u["sor_id"]
            tried += 1
    assert tried > 0
    assert reg.entity(str(reg.ids[0]), day) is not None


def test_search_and_edi(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    reg = sorviewer.load(str(generated))
    day = dt.date.fromisoformat(DAY)
    root = reg.roots(day)[0]
    name = reg.entity(root, day)["name"]
    code, hits, _ = cli(capsys, "search", str(generated), name[:5], "--as-of", DAY, "--json")
    assert code == 0 and hits
    assert all(set(h) == {"sor_id", "name", "sor_type", "matched"} for h in hits)
    code, hits, _ = cli(capsys, "search", str(generated), root, "--as-of", DAY, "--json")
    assert hits[0]["sor_id"] == root and hits[0]["matched"] == "SorId"
    edi_map = reg.tables["LocationsCodeEDITypeMap"]
    edi_id = str(edi_map["EdiId"].dropna().iloc[0])
    found = 0
    for r in reg.roots(day)[:40]:
        code, rec, _ = cli(
            capsys, "edi", str(generated), "--under", r, "--type", edi_id, "--as-of", DAY, "--json"
        )
        assert code == 0
        for x in rec:
            assert set(x) == {"sor_id", "ean", "ean_state"}
            assert x["ean_state"] in ("own", "inherited")
        found += len(rec)
    assert found > 0


def test_changes_quality_report_export(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    code, doc, _ = cli(
        capsys, "changes", str(generated), "--from", "2015-01-01", "--to", "2020-01-01", "--json"
    )
    assert code == 0
    assert set(doc) == {"created", "closed", "moved", "renamed", "changed"}
    assert doc["created"] and doc["renamed"] and doc["moved"]
    for m in doc["moved"]:
        assert m["from_parent"] != m["to_parent"]
    code, doc, _ = cli(capsys, "quality", str(generated), "--as-of", DAY, "--json")
    assert code == 0 and isinstance(doc, list)
    assert all(set(r) == {"severity", "kind", "sor_id", "message"} for r in doc)
    code, doc, _ = cli(capsys, "report", str(generated), "--json")
    assert code == 0 and isinstance(doc, list)
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"x.{fmt}"
        code, _, _ = cli(capsys, "export", str(generated), "-o", str(out), "--as-of", DAY)
        assert code == 0 and out.stat().st_size > 1000


def test_exit_codes_and_one_line_errors(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "show", str(generated), "999999999999999")
    assert code == 4 and err.count("\n") == 1
    code, _, err = cli(capsys, "show", str(generated), "12ab")
    assert code == 2
    code, _, err = cli(capsys, "tree", str(generated), "--as-of", "2020-13-45")
    assert code == 2
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = cli(capsys, "info", str(bad))
    assert code == 3 and err.count("\n") == 1 and "Traceback" not in err
    code, _, err = cli(capsys, "info", str(tmp_path / "missing.zip"))
    assert code == 3
    # a date outside the data: sensible, empty answers
    code, doc, _ = cli(capsys, "tree", str(generated), "--as-of", "1990-01-01", "--json")
    assert code == 0 and doc == []


def test_real_process_never_prints_a_traceback(generated: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for args in (
        ["info", str(generated), "--json"],
        ["info", str(tmp_path / "nope.zip")],
        ["show", str(generated), "1"],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "sorviewer", *args], capture_output=True, text=True, env=env
        )
        assert "Traceback" not in res.stderr
        assert res.returncode in (0, 3, 4)
    res = subprocess.run(
        [sys.executable, "-m", "sorviewer", "info", str(generated), "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert json.loads(res.stdout)["format"] == "sor2-zip"


# --- the real XML cuts ----------------------------------------------------------------

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples is absent")

XML_FILES = {
    "sor_xml_v1.0.0/ONE_SYGEHUS.xml": 4,
    "sor_xml_v1.0.0/ONE_APOTEK.xml": 3,
    "sor_xml_v1.0.0/ONE_PRAKSIS.xml": 3,
    "sor_xml_v2.0.0/Sor_small.xml": 4,
}


@needs_samples
@pytest.mark.parametrize("rel", sorted(XML_FILES))
def test_every_command_on_real_xml(
    capsys: pytest.CaptureFixture[str], rel: str, tmp_path: Path, cache_dir: Path
) -> None:
    f = str(SAMPLES / rel)
    code, info, _ = cli(capsys, "info", f, "--json")
    assert code == 0
    assert info["format"] == "sor-xml" and info["has_history"] is False
    assert info["entities"] == XML_FILES[rel]
    snap = info["snapshot_date"]
    code, tree, _ = cli(capsys, "tree", f, "--as-of", snap, "--json", "--all")
    nodes = walk(tree)
    assert code == 0 and nodes
    for n in nodes:
        code, doc, _ = cli(capsys, "show", f, n["sor_id"], "--as-of", snap, "--json")
        assert code == 0 and set(doc) >= SHOW_KEYS and set(doc["provenance"]) == GROUPS
        code, hist, _ = cli(capsys, "history", f, n["sor_id"], "--json")
        assert code == 0 and len(hist) == 1
        code, _, _ = cli(capsys, "sor-shak", f, n["sor_id"], "--as-of", snap, "--json")
        assert code == 0
    code, hits, _ = cli(capsys, "search", f, nodes[0]["name"][:4], "--as-of", snap, "--json")
    assert code == 0
    code, first, _ = cli(capsys, "show", f, nodes[0]["sor_id"], "--as-of", snap, "--json")
    if first["status"] == "active":
        assert nodes[0]["sor_id"] in [h["sor_id"] for h in hits]
    for cmd in (["quality"], ["report"]):
        code, _, _ = cli(capsys, *cmd, f, "--as-of", snap, "--json")
        assert code == 0
    code, _, _ = cli(capsys, "export", f, "-o", str(tmp_path / "o.json"), "--as-of", snap, "--all")
    assert code == 0
    assert len(json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))) == len(nodes)


@needs_samples
def test_real_v1_zip(capsys: pytest.CaptureFixture[str], cache_dir: Path) -> None:
    f = str(SAMPLES / "sor_xml_v1_real.zip")
    with zipfile.ZipFile(f) as zf:
        assert any(n.lower().endswith(".xml") for n in zf.namelist())
    code, info, _ = cli(capsys, "info", f, "--json")
    assert code == 0 and info["format"] == "sor-xml"
    code, tree, _ = cli(capsys, "tree", f, "--as-of", info["snapshot_date"], "--json", "--all")
    assert code == 0 and len(tree) == 3


# --- contract details: orphans, usage errors, export selection, XML tables, text output ----


def _csv_file(path: Path, rows: list[dict[str, str]]) -> Path:
    """A SorEntity_daily-style file from row dicts (the loader takes it like the real one)."""
    import csv
    import io

    from sorviewer import schema

    cols = schema.SOR_ENTITY_COLUMNS
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path


def _orphan_file(tmp_path: Path) -> tuple[Path, str, str, str, str]:
    from tests.unit import tiny

    rows, (lost, kid, c1, c2) = tiny.orphan_rows()
    return _csv_file(tmp_path / "SorEntity_daily.csv", rows), lost, kid, c1, c2


def test_tree_lists_orphans_after_the_roots(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cache_dir: Path
) -> None:
    from tests.unit.tiny import IE, IE2

    f, lost, kid, c1, c2 = _orphan_file(tmp_path)
    code, doc, err = cli(capsys, "tree", str(f), "--as-of", "2021-01-01", "--json")
    assert code == 0 and err == ""
    assert [n["sor_id"] for n in doc] == [IE, IE2, c1, c2, lost]
    assert [n.get("missing_parent") for n in doc] == [None, None, True, True, True]
    assert all(isinstance(n["sor_id"], str) for n in walk(doc))
    assert [c["sor_id"] for c in doc[-1]["children"]] == [kid]
    code, text, err = cli(capsys, "tree", str(f), "--as-of", "2021-01-01")
    assert code == 0
    lines = text.splitlines()
    head = lines.index("Missing parent (parent not in the file at this date)")
    assert lines[head + 1].startswith("  Cyklus A  [OE ") and lines[-1].startswith("    Under zulu")
    assert "None" not in text and "[ -]" not in text
    assert err == "sorviewer: 3 units have a missing parent at this date.\n"


@pytest.mark.parametrize(
    "args",
    [
        ["tree", "--as-of", "20200101"],
        ["tree", "--as-of", "2020-1-5"],
        ["tree", "--as-of", "2020-01-01T10:00"],
        ["tree", "--as-of", "01-02-2020"],
        ["tree", "--as-of", "2020-02-30"],
        ["tree", "--depth", "0"],
        ["tree", "--depth", "-1"],
        ["changes", "--from", "01-01-2020", "--to", "2021-01-01"],
        ["shak", ""],
        ["shak", "123"],
        ["shak", "12345678"],
        ["shak", "12-45"],
        ["shak", " ", "--prefix"],
        ["export", "-o", "x.csv", "--ids", "1,abc"],
        ["export", "-o", "x.csv", "--ids", ","],
    ],
)
def test_usage_errors_exit_2_before_the_file_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]
) -> None:
    # the file does not exist: reading it would exit 3, so 2 means it was never opened
    missing = str(tmp_path / "missing.zip")
    code, _, err = cli(capsys, args[0], missing, *args[1:])
    assert code == 2, args
    assert "Traceback" not in err and err.strip()


def test_shak_prefix_may_be_short(capsys: pytest.CaptureFixture[str], generated: Path) -> None:
    reg = sorviewer.load(str(generated))
    code_text = str(reg.entities["ShakId"].dropna().iloc[0])
    code, doc, _ = cli(
        capsys, "shak", str(generated), code_text[:2], "--prefix", "--as-of", DAY, "--json"
    )
    assert code == 0 and isinstance(doc, list)


def test_edi_unknown_type_exits_4_known_type_may_have_no_recipients(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    reg = sorviewer.load(str(generated))
    day = dt.date.fromisoformat(DAY)
    root = reg.roots(day)[0]
    code, _, err = cli(
        capsys, "edi", str(generated), "--under", root, "--type", "NOPE", "--as-of", DAY
    )
    assert code == 4 and err.count("\n") == 1 and "NOPE" in err
    # a type only EDITypes knows (or one nobody under a leaf accepts): [] and exit 0
    types = [str(t) for t in reg.tables["EDITypes"]["EdiId"].dropna()]
    leaf = next(str(reg.ids[e]) for e in reg.snapshot(day).active_entities()[::-1])
    empty = 0
    for t in types:
        code, doc, _ = cli(
            capsys, "edi", str(generated), "--under", leaf, "--type", t, "--as-of", DAY, "--json"
        )
        assert code == 0 and isinstance(doc, list)
        empty += doc == []
    assert empty > 0


def test_export_ids_follow_the_date_unless_all(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    reg = sorviewer.load(str(generated))
    day = dt.date.fromisoformat(DAY)
    snap = reg.snapshot(day)
    active = str(reg.ids[snap.active_entities()[0]])
    closed = [str(reg.ids[e]) for e in range(len(reg.ids)) if snap.status(e) != "active"][:2]
    assert len(closed) == 2
    out = tmp_path / "sel.json"
    ids = ",".join([active, *closed])
    code, _, err = cli(
        capsys, "export", str(generated), "-o", str(out), "--as-of", DAY, "--ids", ids
    )
    assert code == 0
    assert [v["sor_id"] for v in json.loads(out.read_text("utf-8"))] == [active]
    assert err == (f"sorviewer: 2 of the ids are not active on {DAY}; add --all to include them.\n")
    code, _, err = cli(
        capsys, "export", str(generated), "-o", str(out), "--as-of", DAY, "--ids", ids, "--all"
    )
    assert code == 0 and err == ""
    docs = json.loads(out.read_text("utf-8"))
    assert sorted(v["sor_id"] for v in docs) == sorted([active, *closed])
    assert all("as_of" not in v for v in docs)  # the CLI never stamps its exports
    csv_out = tmp_path / "sel.csv"
    code, _, _ = cli(capsys, "export", str(generated), "-o", str(csv_out), "--ids", active)
    header = csv_out.read_bytes().decode("utf-8-sig").split("\r\n")[0].split(";")
    assert code == 0 and header[-1] == "Status" and "AsOfDate" not in header


@pytest.fixture(scope="session")
def generated_xml(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    from sorviewer.synthetic import generate

    out = tmp_path_factory.mktemp("genxml") / "sor.zip"
    generate(str(out), entities=1500, seed=3, fmt="sor-xml", dialect="defects")
    return out


def test_info_and_report_name_the_xml_member(
    capsys: pytest.CaptureFixture[str], generated_xml: Path, tmp_path: Path
) -> None:
    code, info, _ = cli(capsys, "info", str(generated_xml), "--json")
    assert code == 0 and info["tables"] == {"Sor": 1500}
    code, rows, _ = cli(capsys, "report", str(generated_xml), "--json")
    assert code == 0 and rows
    assert {r["table"] for r in rows} == {"Sor"}
    # a bare XML file: its own stem
    import zipfile as zf

    with zf.ZipFile(generated_xml) as z:
        (tmp_path / "Sor_small.xml").write_bytes(z.read("Sor.xml"))
    code, info, _ = cli(capsys, "info", str(tmp_path / "Sor_small.xml"), "--json")
    assert code == 0 and info["tables"] == {"Sor_small": 1500}
    code, rows, _ = cli(capsys, "report", str(tmp_path / "Sor_small.xml"), "--json")
    assert {r["table"] for r in rows} == {"Sor_small"}


def test_report_rows_sorted_by_table_line_severity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cache_dir: Path
) -> None:
    from sorviewer.synthetic import generate

    f = tmp_path / "Sor_complete.zip"
    generate(str(f), entities=1500, seed=4, dialect="defects,no-replaced")
    code, rows, _ = cli(capsys, "report", str(f), "--json")
    assert code == 0 and len({r["table"] for r in rows}) > 1
    rank = {"error": 0, "warning": 1, "info": 2}

    def key(r: dict[str, Any]) -> tuple[str, int, int, int]:
        return (r["table"], r["line"] is not None, r["line"] or 0, rank[r["severity"]])

    assert rows == sorted(rows, key=key)
    code, text, _ = cli(capsys, "report", str(f))
    body = text.splitlines()[2:]
    assert [line.split()[:2] for line in body] == [[r["severity"], r["table"]] for r in rows]


def test_plain_text_headers_and_wrapping(
    capsys: pytest.CaptureFixture[str], generated: Path
) -> None:
    reg = sorviewer.load(str(generated))
    day = dt.date.fromisoformat(DAY)
    edi_id = str(reg.tables["LocationsCodeEDITypeMap"]["EdiId"].dropna().iloc[0])
    for r in reg.roots(day):
        code, text, _ = cli(
            capsys, "edi", str(generated), "--under", r, "--type", edi_id, "--as-of", DAY
        )
        if text.strip() != "(nothing)":
            assert text.splitlines()[0].split() == ["sor_id", "ean", "ean_state"]
            break
    else:
        pytest.fail("no EDI recipients under any root")
    code, text, _ = cli(capsys, "show", str(generated), reg.roots(day)[0], "--as-of", DAY)
    assert "Provenance:" in text and "Inherited groups:" not in text
    # the unit with the most versions: its changed-column lists wrap
    e = int(max(range(len(reg.ids)), key=lambda i: reg.id_start[i + 1] - reg.id_start[i]))
    code, text, _ = cli(capsys, "history", str(generated), str(reg.ids[e]))
    hist = reg.history(str(reg.ids[e]))
    assert code == 0 and max(len(line) for line in text.splitlines()) <= 100
    cols = [c for h in hist for c in h["changed"]]
    assert sum(c in text for c in set(cols)) == len(set(cols))  # nothing lost in wrapping
    code, text, _ = cli(
        capsys, "changes", str(generated), "--from", "2010-01-01", "--to", "2026-01-01"
    )
    assert code == 0 and max(len(line) for line in text.splitlines()) <= 100
