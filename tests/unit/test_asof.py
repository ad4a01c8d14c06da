"""As-of queries on the tiny register, whose answers are known by construction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sorviewer import Register
from sorviewer.asof import MISSING_PARENT_LABEL, tree
from tests.unit.tiny import FUT, IE, IE2, OE1, OE2, OE3, SI, tiny_register

D = dt.date


def test_roots_and_children_sorted_danish() -> None:
    reg = tiny_register()
    day = D(2021, 1, 1)
    # "Region…" before "Øster…": ø sorts after z
    assert reg.roots(day) == [IE, IE2]
    # "anæstesi" (lower case a) before "Ærø afdeling" (æ after z), case-insensitive
    assert reg.children(SI, day) == [OE3, OE1]
    assert reg.children(IE2, day) == []  # FUT is not active yet


def test_move_between_parents_follows_the_date() -> None:
    reg = tiny_register()
    assert OE2 in reg.children(SI, D(2019, 12, 31))
    assert reg.children(OE1, D(2019, 12, 31)) == []
    assert reg.children(OE1, D(2020, 1, 1)) == [OE2]
    assert OE2 not in reg.children(SI, D(2020, 1, 1))


def test_todate_is_inclusive_and_status() -> None:
    reg = tiny_register()
    assert reg.children(OE1, D(2022, 6, 30)) == [OE2]
    assert reg.children(OE1, D(2022, 7, 1)) == []
    assert reg.entity(OE2, D(2022, 6, 30))["status"] == "active"
    closed = reg.entity(OE2, D(2022, 7, 1))
    assert closed["status"] == "closed"
    assert closed["valid_to"] == "2022-06-30"  # nearest (last) version is shown
    fut = reg.entity(FUT, D(2021, 1, 1))
    assert fut["status"] == "future"
    assert fut["first_from"] == "2030-01-01"
    assert reg.entity("999", D(2021, 1, 1)) is None


def test_versions_and_changed_columns() -> None:
    reg = tiny_register()
    hist = reg.history(IE)
    assert [h["valid_from"] for h in hist] == ["2010-01-01", "2015-01-01"]
    assert hist[0]["changed"] == []
    assert set(hist[1]["changed"]) == {"EntityName", "PostalAddressStreetName"}
    assert reg.entity(IE, D(2014, 12, 31))["name"] == "Region Test"
    assert reg.entity(IE, D(2015, 1, 1))["name"] == "Region Testland"


def test_tree_depth_and_all() -> None:
    reg = tiny_register()
    day = D(2021, 1, 1)
    roots_only = tree(reg, day, depth=1)
    assert [n["sor_id"] for n in roots_only] == [IE, IE2]
    assert all(n["children"] == [] for n in roots_only)
    two = tree(reg, day, depth=2)
    assert [c["sor_id"] for c in two[0]["children"]] == [SI]
    assert two[0]["children"][0]["children"] == []
    with_all = tree(reg, day, include_all=True)
    assert [c["sor_id"] for c in with_all[1]["children"]] == [FUT]
    sub = tree(reg, day, root=OE1)
    assert sub[0]["children"][0]["sor_id"] == OE2


def _with_orphans() -> tuple[Register, list[str]]:
    """The tiny register plus a unit whose parent is not in the file, with a child, and a
    two-unit parent cycle."""
    from tests.unit import tiny

    rows, ids = tiny.orphan_rows()
    return tiny_register(rows), ids


def test_orphans_follow_the_roots_as_flagged_top_level_entries() -> None:
    reg, (lost, kid, c1, c2) = _with_orphans()
    day = D(2021, 1, 1)
    doc = tree(reg, day)
    assert [n["sor_id"] for n in doc] == [IE, IE2, c1, c2, lost]  # roots, then orphans by name
    assert all("missing_parent" not in n for n in doc[:2])
    assert all(n["missing_parent"] is True for n in doc[2:])
    assert all(n["name"] != MISSING_PARENT_LABEL for n in doc)
    assert [c["sor_id"] for c in doc[-1]["children"]] == [kid]
    assert "missing_parent" not in doc[-1]["children"][0]

    def ids(nodes: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for n in nodes:
            out.append(n["sor_id"])
            out += ids(n["children"])
        return out

    assert all(isinstance(i, str) for i in ids(doc))
    # depth counts orphans as top level, like roots
    flat = tree(reg, day, depth=1)
    assert [n["sor_id"] for n in flat][-3:] == [c1, c2, lost]
    assert all(n["children"] == [] for n in flat)
    # an orphan asked for as the root keeps its flag; a normal unit gets none
    assert tree(reg, day, root=lost)[0]["missing_parent"] is True
    assert "missing_parent" not in tree(reg, day, root=SI)[0]
    # the tiny register itself has none
    assert all("missing_parent" not in n for n in tree(tiny_register(), day))


def test_date_before_and_after_all_data() -> None:
    reg = tiny_register()
    assert reg.roots(D(1990, 1, 1)) == []
    assert reg.roots(D(2100, 1, 1)) == [IE, IE2]


def test_children_of_many_equals_one_by_one() -> None:
    reg = tiny_register()
    for day in (D(2019, 6, 1), D(2021, 1, 1), D(2031, 1, 1)):
        snap = reg.snapshot(day)
        nodes = snap.active_entities()
        want = [int(k) for n in nodes for k in snap.children(int(n))]
        got = [int(k) for k in snap.children_of_many(nodes)]
        assert sorted(got) == sorted(want)
        assert list(snap.children_of_many(snap.roots()[:1])) == list(
            snap.children(int(snap.roots()[0]))
        )


def test_unit_exists_from_first_from_date_before_its_first_version() -> None:
    """XML snapshots hold one version starting at the last change; the unit exists from
    FirstFromDate, shown with that version (flagged as a gap), under its parent."""
    import pandas as pd

    from sorviewer import Register
    from sorviewer.register import RawData, SourceInfo
    from sorviewer.report import LoadReport

    rows = [
        dict(
            SorId=IE,
            SorType="IE",
            EntityName="Ejer",
            FirstFromDate="2000-01-01",
            FromDate="2018-12-21",
        ),
        dict(
            SorId=SI,
            SorType="SI",
            EntityName="Klinik",
            FirstFromDate="2001-01-01",
            FromDate="2010-01-01",
            ParentSorId=IE,
        ),
    ]
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables={},
        source=SourceInfo(path="x", format="sor-xml"),
        report=LoadReport(),
        inheritance="xml",
    )
    reg = Register.build(raw)
    assert reg.roots(D(2005, 1, 1)) == [IE]
    assert reg.children(IE, D(2005, 1, 1)) == [SI]
    assert reg.snapshot(D(2005, 1, 1)).orphans().size == 0
    assert reg.entity(SI, D(2005, 1, 1))["status"] == "active"
    assert reg.roots(D(1999, 1, 1)) == []
