"""A chain of 5,000 units, each the parent of the next: depth is data.

Every query that walks the hierarchy (the tree, provenance for one unit and for all,
the export, changes, quality, search with ancestors, EDI recipients) must answer it
correctly, without recursion and without a cap on the number of levels.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from sorviewer import Register
from sorviewer.asof import tree
from sorviewer.changes import changes
from sorviewer.edi import recipients
from sorviewer.export import export_rows, select_units
from sorviewer.ids import make_ean, make_sor_id
from sorviewer.quality import quality
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport
from sorviewer.search import match_with_ancestors

from .tiny import tiny_register

DEPTH = 5000
DAY = dt.date(2021, 1, 1)
EAN = make_ean("579000000001")
IDS = [make_sor_id(n) for n in range(1, DEPTH + 1)]


def chain_rows(closed_from: int | None = None) -> list[dict[str, str]]:
    """The chain: the top owns a postal address, an EAN, a phone number and a SHAK code;
    every unit below inherits them. Units from index `closed_from` down close at the end
    of 2019 (so on DAY they are closed, and the top of the closed part is an orphan)."""
    rows = []
    for i, sid in enumerate(IDS):
        row = {
            "SorId": sid,
            "SorType": "IE" if i == 0 else ("SI" if i == 1 else "OE"),
            "EntityName": f"Enhed {i:05d}",
            "FirstFromDate": "2010-01-01",
            "FromDate": "2010-01-01",
        }
        if i == 0:
            row.update(
                PostalAddressStreetName="Toppen 1",
                PostalAddressPostCodeId="8000",
                EanLocationCodeState="own",
                EanLocationCode=EAN,
                VirtualAddressTelephoneNumber="12345678",
                ShakId="1301",
            )
        else:
            row.update(
                ParentSorId=IDS[i - 1],
                PostalAddressInheritanceIndicator="true",
                VisitingAddressInheritanceIndicator="true",
                VirtualAddressInheritanceIndicator="true",
                EanLocationCodeState="inherited",
            )
        if closed_from is not None and i >= closed_from:
            row["ToDate"] = "2019-12-31"
        rows.append(row)
    if closed_from is None:  # the bottom unit is renamed in 2020, for `changes`
        bottom = dict(rows[-1], FromDate="2020-06-01", EntityName="Bunden")
        rows[-1] = dict(rows[-1], ToDate="2020-05-31")
        rows.append(bottom)
    return rows


def chain(closed_from: int | None = None) -> Register:
    edi = pd.DataFrame({"EanLocationCode": [EAN], "EdiId": ["7"]}).astype("string[pyarrow]")
    return tiny_register_with(chain_rows(closed_from), {"LocationsCodeEDITypeMap": edi})


def tiny_register_with(rows: list[dict[str, str]], tables: dict[str, pd.DataFrame]) -> Register:
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables=tables,
        source=SourceInfo(path="deep", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


@pytest.fixture(scope="module")
def deep() -> Register:
    return chain()


def test_tree_is_as_deep_as_the_data(deep: Register) -> None:
    doc = tree(deep, DAY)
    assert len(doc) == 1
    node, depth = doc[0], 1
    while node["children"]:
        assert len(node["children"]) == 1
        node, depth = node["children"][0], depth + 1
    assert depth == DEPTH and node["sor_id"] == IDS[-1] and node["name"] == "Bunden"
    limited = tree(deep, DAY, depth=3)
    assert limited[0]["children"][0]["children"][0]["children"] == []


def test_show_of_the_bottom_inherits_from_the_top(deep: Register) -> None:
    view = deep.entity(IDS[-1], DAY)
    assert view is not None
    prov = view["provenance"]
    assert prov["postal_address"] == {
        "state": "inherited",
        "from_sor_id": IDS[0],
        "from_group": None,
    }
    assert prov["visiting_address"]["from_group"] == "postal_address"
    assert prov["ean_location_code"]["from_sor_id"] == IDS[0]
    assert prov["virtual_address"]["from_sor_id"] == IDS[0]
    assert prov["shak"] == {"state": "inherited", "from_sor_id": IDS[0], "from_group": None}
    attrs = view["attributes"]
    assert attrs["PostalAddressStreetName"] == "Toppen 1"
    assert attrs["VisitingAddressStreetName"] == "Toppen 1"
    assert attrs["EanLocationCode"] == EAN and attrs["ShakId"] == "1301"
    assert "problems" not in view
    assert deep.snapshot(DAY).path(deep.entity_index(IDS[-1]))[0] == deep.entity_index(IDS[0])


def test_export_fills_every_level(deep: Register) -> None:
    header, rows = export_rows(deep, DAY)
    col = {c: i for i, c in enumerate(header)}
    assert len(rows) == DEPTH
    assert {r[col["PostalAddressStreetName"]] for r in rows} == {"Toppen 1"}
    assert {r[col["EanLocationCode"]] for r in rows} == {EAN}
    order = select_units(deep, DAY, subtree=IDS[0])
    assert [str(deep.ids[e]) for e in order] == IDS  # depth first = the chain in order


def test_changes_and_quality(deep: Register) -> None:
    doc = changes(deep, dt.date(2019, 1, 1), DAY)
    assert [r["sor_id"] for r in doc["renamed"]] == [IDS[-1]]
    assert doc["created"] == doc["closed"] == doc["moved"] == []
    assert quality(deep, DAY) == []


def test_search_keeps_every_ancestor(deep: Register) -> None:
    snap = deep.snapshot(DAY)
    found, keep = match_with_ancestors(deep, snap, "Bunden")
    assert [str(deep.ids[e]) for e in found] == [IDS[-1]]
    assert keep.sum() == DEPTH


def test_edi_recipients_through_the_whole_chain(deep: Register) -> None:
    got = recipients(deep, IDS[0], "7", DAY)
    assert got is not None and len(got) == DEPTH
    assert got[0] == {"sor_id": IDS[0], "ean": EAN, "ean_state": "own"}
    assert {r["ean_state"] for r in got[1:]} == {"inherited"}


def test_closed_chain_is_shown_as_it_last_stood() -> None:
    """Units closed on DAY are looked at on their last day, with their ancestors on that
    day: the walk up for one unit then runs level by level over 4,990 closed units."""
    reg = chain(closed_from=10)
    bottom = IDS[-1]
    view = reg.entity(bottom, DAY)
    assert view is not None and view["status"] == "closed"
    assert view["provenance"]["postal_address"]["from_sor_id"] == IDS[0]
    assert view["attributes"]["PostalAddressStreetName"] == "Toppen 1"
    assert view["provenance"]["shak"]["from_sor_id"] == IDS[0]
    # the same answers from the whole-register engine (export of all units)
    header, rows = export_rows(reg, DAY, include_all=True)
    col = {c: i for i, c in enumerate(header)}
    by_id = {r[col["SorId"]]: r for r in rows}
    assert by_id[bottom][col["PostalAddressStreetName"]] == "Toppen 1"
    assert by_id[bottom][col["Status"]] == "closed"
    # on DAY the closed part is not in the tree; the open top is
    assert [n["sor_id"] for n in tree(reg, DAY)] == [IDS[0]]
    all_doc = tree(reg, DAY, include_all=True)
    assert json.dumps(all_doc[0]["sor_id"]) == json.dumps(IDS[0])


def test_a_cycle_of_5000_units_ends() -> None:
    rows = chain_rows(closed_from=DEPTH)
    rows[0] = dict(rows[0], ParentSorId=IDS[-1], SorType="OE")  # close the loop
    reg = tiny_register_with(rows, {})
    cycles = [r for r in reg.report.rows if r.kind == "cycle"]
    assert len(cycles) == reg.report.per_kind_limit  # listed; the rest counted
    assert any(f"{DEPTH - len(cycles):,} more" in r.message for r in reg.report.rows)
    snap = reg.snapshot(DAY)
    assert len(snap.orphans()) == DEPTH and len(snap.roots()) == 0
    view = reg.entity(IDS[2], DAY)
    assert view is not None
    assert view["provenance"]["postal_address"]["state"] == "none"
    found = [f for f in quality(reg, DAY) if f["kind"] == "cycle"]
    assert len(found) == DEPTH
    assert "5,000 units" in str(found[0]["message"])  # a long loop is not spelled out
    assert all(n["children"] == [] for n in tree(reg, DAY, depth=1))


def test_tiny_still_answers() -> None:
    assert tiny_register().roots(DAY)


def test_the_command_line_on_a_deep_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tree` (JSON and text), `show` and `export` of the chain through the CLI."""
    from sorviewer.cli import run

    path = tmp_path / "SOREntity.csv"
    pd.DataFrame(chain_rows()).to_csv(path, sep=";", index=False)
    assert run(["tree", str(path), "--as-of", "2021-01-01", "--json", "--no-cache"]) == 0
    text = capsys.readouterr().out
    assert text.count('"sor_id"') == DEPTH
    assert run(["tree", str(path), "--as-of", "2021-01-01", "--no-cache"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # indented up to MAX_INDENT levels, then numbered: no square of spaces
    from sorviewer.cli import MAX_INDENT

    deepest = "  " * MAX_INDENT + f"({DEPTH - 1}) Bunden"
    assert len(lines) == DEPTH and lines[-1].startswith(deepest)
    assert run(["show", str(path), IDS[-1], "--as-of", "2021-01-01", "--json", "--no-cache"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["provenance"]["postal_address"]["from_sor_id"] == IDS[0]
    out = tmp_path / "all.csv"
    assert run(["export", str(path), "-o", str(out), "--as-of", "2021-01-01", "--no-cache"]) == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == DEPTH + 1
