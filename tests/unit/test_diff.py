"""`diff`: two downloads compared, with answers known by construction.

- A download cut out of a later one at an earlier day, against the later one, gives
  exactly the `changes` of the later file between the two days for created, closed,
  moved and renamed; `changed` agrees with `changes` on every column outside the
  inherited groups, and with the per-unit `show` attributes on every column.
- Corrections to past versions show only when both files are read at a past day.
- Edge cases: a file with itself, files with no id in common, dates run backwards, a
  unit whose parent is missing in one view, `--under` in either view, Danish order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import sorviewer
from sorviewer import Register, provenance, schema
from sorviewer import changes as changes_mod
from sorviewer.columns import day_columns
from sorviewer.diff import (
    NOT_COMPARED,
    TABLE_HEADER,
    Diff,
    Side,
    as_text,
    compare,
    differing,
    finish,
    format_family,
)
from sorviewer.ids import make_sor_id
from sorviewer.provenance import INHERITED, row_states
from sorviewer.raw import RawData, SourceInfo
from sorviewer.report import LoadReport
from sorviewer.synthetic import generate
from sorviewer.text import name_sort_key

from . import tiny
from .diffpairs import MonthPair, month_pair

SNAP = dt.date(2026, 11, 1)


def build(rows: list[dict[str, str]], snapshot: dt.date | None = SNAP) -> Register:
    """A register from rows like `tiny.ROWS`, with a snapshot date."""
    df = pd.DataFrame(rows).astype("string[pyarrow]")
    raw = RawData(
        entities=df,
        tables={},
        source=SourceInfo(path="tiny", format="sor2-zip", snapshot_date=snapshot, has_history=True),
        report=LoadReport(),
    )
    return Register.build(raw)


def edited(**changes: dict[str, str | None]) -> list[dict[str, str]]:
    """tiny.ROWS with changes per row index given as `r<index>={column: value}`; a
    value None removes the column from that row."""
    rows = [dict(r) for r in tiny.ROWS]
    for key, change in changes.items():
        row = rows[int(key[1:])]
        for col, value in change.items():
            if value is None:
                row.pop(col, None)
            else:
                row[col] = value
    return rows


def codes(d: Diff) -> list[str]:
    return [w.code for w in d.warnings]


# --- a month-apart pair of downloads ------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> MonthPair:
    return month_pair(tmp_path_factory.mktemp("diffpair"), formats=("sor2-zip",))


@pytest.fixture(scope="module")
def regs(pair: MonthPair) -> tuple[Register, Register]:
    old = sorviewer.load(str(pair.old["sor2-zip"]), use_cache=False)
    new = sorviewer.load(str(pair.new["sor2-zip"]), use_cache=False)
    return old, new


@pytest.fixture(scope="module")
def month(regs: tuple[Register, Register]) -> Diff:
    return compare(*regs)


def test_the_cut_is_the_earlier_download(pair: MonthPair, regs: tuple[Register, Register]) -> None:
    old, new = regs
    assert old.source.snapshot_date == pair.earlier
    assert new.source.snapshot_date == pair.later
    # nothing registered after the day is in it, and the register as it stood on the
    # day is the same in both files
    upd = old.entities["UpdatedAt"].str.slice(0, 10).dropna()
    assert max(upd) == pair.earlier.isoformat()
    so, sn = old.snapshot(pair.earlier), new.snapshot(pair.earlier)
    assert set(old.ids[so.active_mask].tolist()) == set(new.ids[sn.active_mask].tolist())
    assert len(new.ids) > len(old.ids)


def test_generator_refuses_an_earlier_day_outside_the_history(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="earlier download day"):
        generate(str(tmp_path / "x.zip"), entities=50, known_on=SNAP + dt.timedelta(days=1))
    with pytest.raises(ValueError, match="earlier download day"):
        generate(str(tmp_path / "x.zip"), entities=50, known_on=dt.date(2000, 1, 1))


def test_unit_lists_equal_changes_between_the_two_days(
    pair: MonthPair, regs: tuple[Register, Register], month: Diff
) -> None:
    _old, new = regs
    expected = changes_mod.changes(new, pair.earlier, pair.later)
    doc = month.as_json()
    for kind in ("created", "closed", "moved", "renamed"):
        assert doc[kind] == expected[kind], kind
    assert all(len(doc[k]) for k in ("created", "closed", "moved", "renamed", "changed"))
    assert month.old.day == pair.earlier and month.new.day == pair.later
    assert doc["old"] == {
        "format": "sor2-zip",
        "snapshot_date": pair.earlier.isoformat(),
        "as_of": pair.earlier.isoformat(),
    }
    assert doc["warnings"] == []


def test_changed_agrees_with_changes_outside_inherited_groups(
    pair: MonthPair, regs: tuple[Register, Register], month: Diff
) -> None:
    """Where no inherited group is involved on either day, `changes` (row text) and
    `diff` (effective values) must name the same columns for every unit."""
    _old, new = regs
    expected = {
        c["sor_id"]: set(c["columns"])
        for c in changes_mod.changes(new, pair.earlier, pair.later)["changed"]
    }
    got = dict(zip(month.sor_ids("changed"), map(set, month.changed_columns()), strict=True))
    group_of = {c: k for k, g in schema.FIELD_GROUPS.items() if k != "shak" for c in g.columns}
    base = [c for c in changes_mod.compared_columns(new) if c not in NOT_COMPARED]
    so, sn = new.snapshot(pair.earlier), new.snapshot(pair.later)
    both = np.nonzero(so.active_mask & sn.active_mask)[0]
    st1 = row_states(new, so.row_of[both])
    st2 = row_states(new, sn.row_of[both])
    checked = 0
    for i, e in enumerate(both.tolist()):
        sid = str(new.ids[e])
        plain = {
            c
            for c in base
            if c in month.columns
            and c != "ShakId"
            and (
                group_of.get(c) is None
                or (st1[group_of[c]][i] != INHERITED and st2[group_of[c]][i] != INHERITED)
            )
        }
        assert expected.get(sid, set()) & plain == got.get(sid, set()) & plain, sid
        checked += bool(expected.get(sid, set()) & plain)
    assert checked > 20


def _attrs(reg: Register, sid: str, day: dt.date) -> dict[str, Any]:
    view = reg.entity(sid, day)
    assert view is not None
    attrs: dict[str, Any] = view["attributes"]
    return attrs


def test_changed_values_are_the_show_attributes(
    pair: MonthPair, regs: tuple[Register, Register], month: Diff
) -> None:
    """Every unit active in both views, against the per-unit resolver of `show`: the
    changed columns are exactly those whose `attributes` differ, with those values."""
    old, new = regs
    got = dict(zip(month.sor_ids("changed"), month.changed_columns(), strict=True))
    pair_ids = new.ids[month.pair_new]
    rng = np.random.default_rng(5)
    sample = set(rng.choice(pair_ids, size=min(300, len(pair_ids)), replace=False).tolist())
    sample |= {int(s) for s in got}
    for key in sorted(sample):
        sid = str(key)
        a, b = _attrs(old, sid, pair.earlier), _attrs(new, sid, pair.later)
        want = [c for c in b if c not in NOT_COMPARED and a.get(c) != b.get(c)]
        assert got.get(sid, []) == want, sid
        values = {c.column: (c.old, c.new) for c in month.changes_of(sid)}
        for c in want:
            assert values[c] == (a.get(c), b.get(c)), (sid, c)


def test_the_columns_diff_reads_are_the_engine_s_effective_values(
    pair: MonthPair, regs: tuple[Register, Register]
) -> None:
    """Diff reads effective values column by column (`columns.day_columns`, over the
    units in life at the day), `show` through `provenance.effective`: one rule, so equal
    for every unit and column on each side; the same reader over the whole register
    (find's) agrees for closed and future units too, at a day before the earlier file."""
    for reg, day in zip(regs, (pair.earlier, pair.later), strict=True):
        for when in (day, dt.date(2009, 1, 1)):
            ents = np.arange(len(reg.ids))
            expected = provenance.effective(provenance.at(reg, when), ents)
            living = np.nonzero(reg.snapshot(when).active_mask)[0]
            readers = []
            if when == day:  # first, so that it is the in-life reader diff makes itself
                readers.append((living, Side(reg, when).units(living)))
                assert Side(reg, when).columns().bv.covered is not None
            readers.append((ents, day_columns(reg, when).units(ents)))
            for which, got in readers:
                for col in expected.columns:
                    want = expected.values[col][which].tolist()
                    if col in schema.ID_COLUMNS_ENTITY:  # the reader: ids as plain digits
                        want = [w.strip().removesuffix(".0") if w else w for w in want]
                    assert got.effective(col).to_pylist() == want, (when, col)
    # at a day nobody asked about the whole register: only the units in life are covered
    other = pair.later - dt.timedelta(days=3)
    away = np.nonzero(~regs[1].snapshot(other).active_mask)[0]
    with pytest.raises(ValueError):
        Side(regs[1], other).units(away)


def test_a_file_with_itself_has_no_differences(regs: tuple[Register, Register]) -> None:
    _old, new = regs
    d = compare(new, new)
    assert d.is_empty
    doc = d.as_json()
    assert all(doc[k] == [] for k in ("created", "closed", "moved", "renamed", "changed"))
    assert doc["shak"] == {"added": [], "removed": []}
    assert doc["ean_edi"] == {"added": [], "removed": []}
    assert as_text(d).splitlines()[-1] == "No differences."
    assert len(d.differing_ids()) == 0
    assert all(len(c) == 0 for c in d.table())


def test_dates_that_run_backwards_are_compared_as_asked(
    regs: tuple[Register, Register], month: Diff
) -> None:
    old, new = regs
    back = compare(new, old)
    assert "diff.dates_backwards" in codes(back)
    assert back.sor_ids("created") == month.sor_ids("closed")
    assert back.sor_ids("closed") == month.sor_ids("created")
    assert back.sor_ids("renamed") == month.sor_ids("renamed")


def test_shak_and_edi_pairs_follow_the_maps(
    pair: MonthPair, regs: tuple[Register, Register], month: Diff
) -> None:
    from sorviewer.mapping import mapping_frame

    old, new = regs

    def shak(reg: Register, day: dt.date) -> set[tuple[str, str]]:
        frame = mapping_frame(reg, day)
        active = set(reg.ids[reg.snapshot(day).active_mask].astype(str).tolist())
        return {
            (a, b) for a, b in zip(frame["shak_id"], frame["sor_id"], strict=True) if b in active
        }

    s_old, s_new = shak(old, pair.earlier), shak(new, pair.later)
    doc = month.as_json()
    assert {(x["shak_id"], x["sor_id"]) for x in doc["shak"]["added"]} == s_new - s_old
    assert {(x["shak_id"], x["sor_id"]) for x in doc["shak"]["removed"]} == s_old - s_new
    assert doc["ean_edi"]["added"] and month.has_edi
    # a SHAK mapping added to a unit marks it in the badge set
    sid = doc["shak"]["added"][0]["sor_id"]
    assert month.differs([sid])[0]
    assert "shak" in month.kinds_of(sid)


def test_table_has_a_row_per_unit_and_changed_column(month: Diff) -> None:
    cols = month.table()
    assert len(cols) == len(TABLE_HEADER)
    rows = list(zip(*cols, strict=True))
    counts = month.counts()
    kinds = [r[0] for r in rows]
    for kind in ("created", "closed", "moved", "renamed"):
        assert kinds.count(kind) == counts[kind]
    assert kinds.count("changed") == sum(len(c) for c in month.changed_columns())
    assert kinds.count("shak") == counts["shak_added"] + counts["shak_removed"]
    assert kinds.count("ean_edi") == counts["ean_edi_added"] + counts["ean_edi_removed"]
    assert kinds == sorted(
        kinds, key=["created", "closed", "moved", "renamed", "changed", "shak", "ean_edi"].index
    )
    moved = next(r for r in rows if r[0] == "moved")
    item = month.items("moved")[0]
    assert moved[1:6] == (
        item["sor_id"],
        item["name"],
        "ParentSorId",
        item["from_parent"],
        item["to_parent"],
    )
    for r in rows:
        if r[0] == "ean_edi":
            assert r[1] is None and r[3] == "EdiId" and r[6] and (r[4] is None) != (r[5] is None)
        elif r[0] == "shak":
            assert r[3] == "ShakId" and (r[4] is None) != (r[5] is None)


def test_filters_by_kind_text_and_under(regs: tuple[Register, Register], month: Diff) -> None:
    _old, new = regs
    only = month.filter(kinds=["renamed", "shak"])
    assert only.counts()["renamed"] == month.counts()["renamed"]
    assert only.counts()["created"] == 0 and only.counts()["changed"] == 0
    assert only.counts()["shak_added"] == month.counts()["shak_added"]
    with pytest.raises(ValueError):
        month.filter(kinds=["nonsense"])
    # text: a name of a renamed unit, folded (upper case, ae for æ)
    item = month.items("renamed")[0]
    query = item["name"].upper().replace("Æ", "AE").replace("Ø", "OE").replace("Å", "AA")
    found = month.filter(text=query)
    assert item["sor_id"] in found.sor_ids("renamed")
    assert found.counts()["renamed"] <= month.counts()["renamed"]
    by_old = month.filter(text=item["old_name"])
    assert item["sor_id"] in by_old.sor_ids("renamed")
    # a changed value: the cell rows kept are those where the text occurs
    change = month.changes_of(month.sor_ids("changed")[0])[-1]
    if change.new:
        hit = month.filter(kinds=["changed"], text=change.new)
        assert month.sor_ids("changed")[0] in hit.sor_ids("changed")
    # under an institution: every unit kept is it or below it in one of the views
    snap = new.snapshot(SNAP)
    top = month.pair_new[month.changed[0]]
    path = snap.path(int(top))
    root = str(new.ids[path[min(1, len(path) - 1)]])
    part = month.filter(under=root)
    below = set(new.ids[snap.subtree(new.entity_index(root))].tolist())
    old_reg = month.old.register
    old_snap = old_reg.snapshot(month.old.day)
    oe = old_reg.entity_index(root)
    below_old = set(old_reg.ids[old_snap.subtree(oe)].tolist()) if oe >= 0 else set()
    for kind in ("created", "closed", "moved", "renamed", "changed"):
        for sid in part.ids(kind).tolist():
            assert sid in below or sid in below_old
    assert part.counts()["changed"] >= 1
    assert month.filter(under=make_sor_id(999_999_999)).is_empty


def test_one_register_in_every_format_has_no_differences(tmp_path: Path) -> None:
    """The same plan written as SOR2 zip, daily CSV, XML 1.0.0 and 2.0.0: every pair
    compares equal (across formats with the note that one-sided values do not count)."""
    files = {
        "zip": {"fmt": "sor2-zip"},
        "daily": {"fmt": "sor2-csv"},
        "xml1": {"fmt": "sor-xml"},
        "xml2": {"fmt": "sor-xml", "xml_version": "2.0.0"},
    }
    regs = {}
    for name, kw in files.items():
        generate(str(tmp_path / name), entities=600, seed=4, **kw)
        regs[name] = sorviewer.load(str(tmp_path / name), use_cache=False)
    for a in regs:
        for b in regs:
            d = compare(regs[a], regs[b])
            assert d.is_empty, (a, b, d.counts())
            across = (a.startswith("xml") or b.startswith("xml")) and a != b
            assert codes(d) == (["diff.across_formats"] if across else []), (a, b)


# --- corrections, parents, orders: a hand-made register -------------------------------------


def test_corrections_to_past_versions_show_only_with_as_of() -> None:
    old = build(tiny.ROWS)
    # corrected afterwards: the owner's name in 2010-2014, and the parent OE2 had then
    new = build(edited(r0={"EntityName": "Region Tæst"}, r4={"ParentSorId": tiny.IE}))
    assert compare(old, new).is_empty
    past = dt.date(2013, 6, 1)
    d = compare(old, new, past, past)
    assert d.items("renamed") == [
        {"sor_id": tiny.IE, "name": "Region Tæst", "old_name": "Region Test"}
    ]
    assert d.items("moved") == [
        {"sor_id": tiny.OE2, "name": "Akut afsnit", "from_parent": tiny.SI, "to_parent": tiny.IE}
    ]
    assert d.as_json()["old"]["as_of"] == "2013-06-01"
    # OE2 inherits its postal address: from the IE now, so its effective postal changed
    oe2 = {c.column: (c.old, c.new) for c in d.changes_of(tiny.OE2)}
    assert oe2["ParentSorId"] == (tiny.SI, tiny.IE)


def test_a_unit_whose_parent_is_missing_in_one_view_is_still_compared() -> None:
    old = build(tiny.ROWS)
    rows = [r for r in edited(r3={"EntityName": "Ærø afsnit"}) if r["SorId"] != tiny.SI]
    new = build(rows)
    d = compare(old, new)
    assert d.sor_ids("closed") == [tiny.SI]
    assert d.items("renamed") == [
        {"sor_id": tiny.OE1, "name": "Ærø afsnit", "old_name": "Ærø afdeling"}
    ]
    assert tiny.OE1 not in d.sor_ids("moved")  # the row still names its parent
    # OE3 inherited its postal address through the SI: in the new view it has none
    oe3 = {c.column: (c.old, c.new) for c in d.changes_of(tiny.OE3)}
    assert oe3["PostalAddressStreetName"] == ("Vej 2", None)
    # --under the missing parent: its units are below it in the old view
    part = d.filter(under=tiny.SI)
    assert set(part.sor_ids("changed")) | set(part.sor_ids("renamed")) >= {tiny.OE1, tiny.OE3}


def test_under_keeps_units_below_the_unit_in_either_view() -> None:
    reg = build(tiny.ROWS)
    d = compare(reg, reg, dt.date(2019, 6, 1), dt.date(2021, 1, 1))
    assert d.items("moved") == [
        {"sor_id": tiny.OE2, "name": "Akut afsnit", "from_parent": tiny.SI, "to_parent": tiny.OE1}
    ]
    assert d.filter(under=tiny.OE1).sor_ids("moved") == [tiny.OE2]  # below it in NEW's view
    assert d.filter(under=tiny.SI).sor_ids("moved") == [tiny.OE2]  # in both views
    assert d.filter(under=tiny.OE3).is_empty
    assert compare(reg, reg, dt.date(2019, 6, 1), dt.date(2021, 1, 1), under=tiny.OE1).sor_ids(
        "moved"
    ) == [tiny.OE2]


def test_lists_are_in_danish_name_order_then_sor_id() -> None:
    reg = build(tiny.ROWS)
    d = compare(reg, reg, dt.date(2009, 1, 1), SNAP)
    names = d.names("created")
    assert names == sorted(names, key=lambda n: name_sort_key(n or ""))
    assert names[0] == "anæstesi" and names[-2:] == ["Ærø afdeling", "Øster Klinik"]
    # equal names: by SorId
    twin = [
        {**r, "EntityName": "Samme navn"} if r["SorId"] in (tiny.OE1, tiny.OE3) else r
        for r in tiny.ROWS
    ]
    d2 = compare(build(tiny.ROWS), build(twin))
    assert d2.sor_ids("renamed") == sorted([tiny.OE1, tiny.OE3], key=int)


def test_files_without_common_ids_still_get_an_answer_with_a_warning() -> None:
    remap = {
        sid: make_sor_id(500 + k)
        for k, sid in enumerate(
            [tiny.IE, tiny.SI, tiny.OE1, tiny.OE2, tiny.OE3, tiny.IE2, tiny.FUT]
        )
    }
    rows = [
        {k: (remap.get(v, v) if k in ("SorId", "ParentSorId") else v) for k, v in r.items()}
        for r in tiny.ROWS
    ]
    a, b = build(tiny.ROWS), build(rows)
    d = compare(a, b)
    assert codes(d) == ["diff.no_common_ids"]
    assert len(d.created) == len(d.closed) == int(a.snapshot(SNAP).active_mask.sum())
    assert "different registers" in d.as_json()["warnings"][0]


def test_two_different_registers_are_flagged(tmp_path: Path) -> None:
    for seed in (1, 2):
        generate(str(tmp_path / f"s{seed}.zip"), entities=300, seed=seed)
    a = sorviewer.load(str(tmp_path / "s1.zip"), use_cache=False)
    b = sorviewer.load(str(tmp_path / "s2.zip"), use_cache=False)
    assert "diff.different_registers" in codes(compare(a, b))


def test_a_file_without_snapshot_date_is_read_at_today() -> None:
    reg = build(tiny.ROWS, snapshot=None)
    d = compare(reg, build(tiny.ROWS))
    assert d.old.day == dt.date.today()
    assert codes(d)[0] == "diff.no_snapshot_date_old"
    assert d.as_json()["old"]["snapshot_date"] is None


# --- normalising values ------------------------------------------------------------------------


def test_notation_is_not_a_difference() -> None:
    def check(
        col: str, a: list[str | None], b: list[str | None], one_sided: bool = True
    ) -> list[bool]:
        return differing(
            col, pa.array(a, pa.large_string()), pa.array(b, pa.large_string()), one_sided
        ).tolist()

    assert check(
        "PatientsAdmittedIndicator", ["TRUE", "1", "ja", "false"], ["true", "true", "True", "TRUE"]
    ) == [
        False,
        False,
        False,
        True,
    ]
    assert check(
        "FirstFromDate",
        ["2020-02-01", "01-02-2020", "2020-02-01"],
        ["01-02-2020", "2020-02-01T00:00:00", "2020-02-02"],
    ) == [False, False, True]
    assert check(
        "PostalAddressCoordETRS89z32NMeasure",
        ["6170123,450", "6170123,4", "1,5"],
        ["6170123.45", "6170123.40", "1.6"],
    ) == [False, False, True]
    assert check("EntityName", [" A ", "", None, "a"], ["A", None, "", "A"]) == [
        False,
        False,
        False,
        True,
    ]
    assert check("EanLocationCodeState", ["Own", "egen"], ["own", "own"]) == [False, False]
    # across formats a value only one file holds says nothing
    assert check("LocalCode", ["X1", None, "X1"], [None, "X2", "X2"], one_sided=False) == [
        False,
        False,
        True,
    ]
    assert check("LocalCode", ["X1", None], [None, "X2"]) == [True, True]


def test_format_families() -> None:
    reg = build(tiny.ROWS)
    assert format_family(reg) == "sor2"
    assert format_family(tiny.tiny_register()) == "sor2"


def test_in_two_steps_the_answer_is_the_same(regs: tuple[Register, Register], month: Diff) -> None:
    """`compare(..., whole=False)` then `finish` (the window's two steps) gives exactly
    the one-step answer; the first step has the unit lists but `changed` and nothing
    of the later kinds, and never calls itself empty."""
    old, new = regs
    first = compare(old, new, whole=False)
    assert not first.complete and not first.is_empty
    for kind in ("created", "closed", "moved", "renamed"):
        assert np.array_equal(first.ids(kind), month.ids(kind)), kind
    later = {"changed", "shak_added", "shak_removed", "ean_edi_added", "ean_edi_removed"}
    assert all(n == 0 for k, n in first.counts().items() if k in later)
    assert first.has_edi == month.has_edi
    whole = finish(first)
    assert whole.complete and finish(whole) is whole
    assert whole.as_json() == month.as_json()
    assert [c.tolist() for c in whole.table()] == [c.tolist() for c in month.table()]
    # a file with itself: empty only once complete
    same = compare(new, new, whole=False)
    assert not same.is_empty and finish(same).is_empty


def test_a_first_step_is_finished_whole_or_not_at_all(
    regs: tuple[Register, Register], tmp_path: Path
) -> None:
    """`finish` works out every unit, so it refuses a narrowed first step (its answer
    would not be the narrowed one); `under` needs the whole comparison; what leaves
    the program (the document, a file) is never a first step; a cancel stops it."""
    from sorviewer.errors import LoadCancelled
    from sorviewer.export import write_diff

    old, new = regs
    first = compare(old, new, whole=False)
    sid = str(new.ids[0])
    with pytest.raises(ValueError):
        compare(old, new, whole=False, under=sid)
    for narrowed in (first.filter(under=sid), first.filter(text="vej"), first.filter(kinds=[])):
        assert narrowed.narrowed and not narrowed.complete
        with pytest.raises(ValueError):
            finish(narrowed)
    assert not first.narrowed and first.filter() is first
    with pytest.raises(ValueError):
        first.as_json()
    with pytest.raises(ValueError):
        write_diff(first, str(tmp_path / "never.csv"), "csv")
    assert not (tmp_path / "never.csv").exists()
    with pytest.raises(LoadCancelled):
        finish(first, cancelled=lambda: True)
    # the whole answer narrowed equals the one-step narrowed answer
    assert finish(first).filter(under=sid).as_json() == compare(old, new, under=sid).as_json()
