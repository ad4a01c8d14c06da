"""The tree model: Qt's model tester, dates, the show-closed switch and the filter."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from tests.unit import tiny
from ui.models.tree_model import CHILD_COUNT_ROLE, GROUP_ID, MATCH_ROLE, SOR_ID_ROLE, TreeModel


@pytest.fixture
def model(qapp: Any) -> TreeModel:
    m = TreeModel()
    m.set_register(tiny.tiny_register(), dt.date(2018, 6, 1))
    return m


def names(m: TreeModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    return [m.index(r, 0, parent).data() for r in range(m.rowCount(parent))]


def find(m: TreeModel, sor_id: str) -> QModelIndex:
    idx = m.index_of_sor_id(sor_id)
    assert idx.isValid(), sor_id
    return idx


def test_model_tester_passes_through_changes(qtmodeltester, model: TreeModel) -> None:
    qtmodeltester.check(model)
    model.set_day(dt.date(2021, 1, 1))
    model.set_show_closed(True)
    model.set_filter("akut")
    model.set_filter("")
    model.set_day(dt.date(2009, 1, 1))
    qtmodeltester.check(model)


def test_tree_shape_at_a_date(model: TreeModel) -> None:
    assert names(model) == ["Region Testland", "Øster Klinik"]
    ie = find(model, tiny.IE)
    assert names(model, ie) == ["Testhospital"]
    si = find(model, tiny.SI)
    # case-insensitive Danish order: "Akut" < "anæstesi" < "Ærø" (æ after z)
    assert names(model, si) == ["Akut afsnit", "anæstesi", "Ærø afdeling"]
    assert model.parent(si) == ie
    assert model.index(0, 1, si).data() == tiny.OE2
    assert model.index(0, 0, si).data(SOR_ID_ROLE) == tiny.OE2
    # the future unit is not shown unless closed/future units are on
    assert model.rowCount(find(model, tiny.IE2)) == 0
    assert not model.index_of_sor_id(tiny.FUT).isValid()


def test_date_switch_moves_unit_and_keeps_selection(model: TreeModel) -> None:
    oe2 = QPersistentModelIndex(find(model, tiny.OE2))
    si = QPersistentModelIndex(find(model, tiny.SI))
    assert oe2.parent() == si
    model.set_day(dt.date(2021, 1, 1))  # OE2 moved under OE1 on 2020-01-01
    assert oe2.isValid()
    assert oe2.data(SOR_ID_ROLE) == tiny.OE2
    assert oe2.parent().data(SOR_ID_ROLE) == tiny.OE1
    assert oe2.parent().parent() == si
    model.set_day(dt.date(2023, 1, 1))  # closed
    assert not oe2.isValid()
    assert si.isValid()
    model.set_day(dt.date(2012, 1, 1))
    assert find(model, tiny.IE).data() == "Region Test"  # renamed 2015


def test_show_closed_greys_inactive_units(model: TreeModel) -> None:
    model.set_day(dt.date(2023, 1, 1))
    model.set_show_closed(True)
    oe2 = find(model, tiny.OE2)
    fut = find(model, tiny.FUT)
    assert oe2.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "Closed" in oe2.data(Qt.ItemDataRole.ToolTipRole) or "Lukket" in oe2.data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert fut.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert find(model, tiny.SI).data(Qt.ItemDataRole.ForegroundRole) is None


def test_filter_shows_matches_with_their_ancestors(model: TreeModel) -> None:
    model.set_filter("aero")  # folded search: finds "Ærø afdeling"
    assert names(model) == ["Region Testland"]
    si = find(model, tiny.SI)
    assert names(model, si) == ["Ærø afdeling"]
    assert list(map(str, model.matches)) == [str(model.reg.entity_index(tiny.OE1))]
    model.set_filter("")
    assert names(model) == ["Region Testland", "Øster Klinik"]


def test_orphans_sit_under_missing_parent(model: TreeModel) -> None:
    # tiny has no dangling parent: point OE3 at an id that is not in the file
    rows = [dict(r, ParentSorId="99999") if r["SorId"] == tiny.OE3 else r for r in tiny.ROWS]
    reg = tiny.tiny_register(rows)
    e = reg.entity_index(tiny.OE3)
    m = TreeModel()
    m.set_register(reg, dt.date(2018, 6, 1))
    top = m.index(m.rowCount() - 1, 0)
    assert top.internalId() == GROUP_ID
    assert names(m, top) == ["anæstesi"]
    oe3 = find(m, tiny.OE3)
    assert m.parent(oe3) == top
    assert m.ancestors(e) == [top]


def test_tooltips_show_dates_in_danish_order(model: TreeModel) -> None:
    model.set_show_closed(True)
    model.set_language("da")
    tip = find(model, tiny.FUT).data(Qt.ItemDataRole.ToolTipRole)
    assert "(01-01-2030 -)" in tip and "2030-01-01" not in tip
    model.set_day(dt.date(2023, 1, 1))
    tip = find(model, tiny.OE2).data(Qt.ItemDataRole.ToolTipRole)
    assert "(- 30-06-2022)" in tip and "2022-06-30" not in tip


def test_shak_column_says_it_holds_the_own_code(model: TreeModel) -> None:
    col = 4
    model.set_language("da")
    assert model.headerData(col, Qt.Orientation.Horizontal) == "Egen SHAK"
    tip = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "nedarvet" in tip.lower() and "Overblik" in tip
    model.set_language("en")
    assert model.headerData(col, Qt.Orientation.Horizontal) == "Own SHAK"
    tip = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "inherited" in tip and "Overview" in tip
    # the header's tooltip only: the other columns have none
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None


def test_missing_parent_group_reads_on_a_dark_palette(qapp: Any) -> None:
    from PySide6.QtGui import QColor, QPalette

    from ui.colours import contrast

    rows = [dict(r, ParentSorId="99999") if r["SorId"] == tiny.OE3 else r for r in tiny.ROWS]
    m = TreeModel()
    m.set_register(tiny.tiny_register(rows), dt.date(2018, 6, 1))
    group = m.index(m.rowCount() - 1, 0)
    light = qapp.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1f22"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    try:
        for pal in (light, dark):
            qapp.setPalette(pal)
            colour = group.data(Qt.ItemDataRole.ForegroundRole).color()
            assert contrast(colour, pal.color(QPalette.ColorRole.Base)) >= 4.5
    finally:
        qapp.setPalette(light)


def test_language_changes_headers(model: TreeModel) -> None:
    model.set_language("en")
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    model.set_language("da")
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Enhedsnavn"


@pytest.fixture(scope="module")
def generated() -> Any:
    import sorviewer
    from sorviewer import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gen.zip")
        synthetic.generate(path, entities=1500, seed=5)
        return sorviewer.load(path, use_cache=False)


@pytest.mark.parametrize("show_closed", [False, True])
@pytest.mark.parametrize("text", ["", "klinik", "8000"])
def test_model_tester_on_a_generated_register(
    qtmodeltester: Any, qapp: Any, generated: Any, show_closed: bool, text: str
) -> None:
    m = TreeModel()
    m.set_register(generated, dt.date(2024, 1, 1))
    m.set_show_closed(show_closed)
    m.set_filter(text)
    for day in (dt.date(2012, 3, 1), dt.date(2019, 12, 31), dt.date.today()):
        m.set_day(day)
        qtmodeltester.check(m)
        # every shown row's parent is consistent with the snapshot's parent
        for r in range(min(m.rowCount(), 20)):
            top = m.index(r, 0)
            for c in range(min(m.rowCount(top), 20)):
                kid = m.index(c, 0, top)
                assert m.parent(kid) == top
                assert kid.data(CHILD_COUNT_ROLE) == m.rowCount(kid)


def test_filter_matches_are_marked_and_ancestors_are_not(qapp: Any, generated: Any) -> None:
    m = TreeModel()
    m.set_register(generated, dt.date.today())
    m.set_filter("klinik")
    assert len(m.matches)
    for e in m.matches[:50].tolist():
        idx = m.index_of_entity(int(e))
        assert idx.isValid()
        assert idx.data(MATCH_ROLE) is True
        assert idx.data(Qt.ItemDataRole.FontRole).bold()
        parent = m.parent(idx)
        if parent.isValid() and not parent.data(MATCH_ROLE):
            font = parent.data(Qt.ItemDataRole.FontRole)
            assert font is None or not font.bold()


def test_entity_values_match_the_row(model: TreeModel) -> None:
    idx = find(model, tiny.OE1)
    assert model.entity_values(model.entity_of(idx)) == model.row_values(idx)
    # a unit that is not shown at the date still has values (search results, copy)
    fut = model.reg.entity_index(tiny.FUT)
    assert not model.index_of_entity(fut).isValid()
    assert model.entity_values(fut)[1] == tiny.FUT


def top_ids(m: TreeModel) -> list[int]:
    return [m.entity_of(m.index(r, 0)) for r in range(m.rowCount())]


def test_top_level_is_handed_over_in_chunks(
    qtmodeltester: Any, qapp: Any, generated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.models import tree_model

    monkeypatch.setattr(tree_model, "TOP_CHUNK", 7)
    m = TreeModel()
    m.set_register(generated, dt.date(2024, 1, 1))
    roots = m.snapshot().roots().tolist()
    assert len(roots) > 30
    assert top_ids(m) == roots[:7] and not m.fetched_all()
    qtmodeltester.check(m)
    m.fetch_more()
    assert top_ids(m) == roots[:14]
    qtmodeltester.check(m)
    m.set_day(dt.date(2019, 1, 1))
    m.set_filter("a")
    m.set_filter("")
    # everything, in name order, when asked for all
    m.ensure_fetched(-1)
    assert m.fetched_all()
    assert top_ids(m) == m.snapshot().roots().tolist()
    qtmodeltester.check(m)
    # (the tester holds persistent indexes on the first rows; a bare model from here)
    bare = TreeModel()
    bare.set_register(generated, dt.date(2024, 1, 1))
    bare.fetch_more()
    # a date move keeps what the view was scrolled to; a new filter starts at one chunk
    bare.set_day(dt.date(2019, 1, 1))
    assert bare.rowCount() == 14
    bare.set_filter("a")
    group = int(bare.top_level_count() > len(bare._roots))  # the "Missing parent" row
    assert bare.rowCount() == min(7, len(bare._roots)) + group
    bare.set_filter("")
    assert bare.rowCount() == 7 + int(bare.top_level_count() > len(bare._roots))
    # what a bulk fetch (type-ahead, select-all) brought in is let go at the next date move
    bare.ensure_fetched(-1)
    assert bare.fetched_all()
    bare.set_day(dt.date(2019, 6, 1))
    assert bare.rowCount() == 7 + int(bare.top_level_count() > len(bare._roots))


def test_a_unit_beyond_the_fetched_rows_is_fetched_on_demand(
    qapp: Any, generated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.models import tree_model

    monkeypatch.setattr(tree_model, "TOP_CHUNK", 4)
    m = TreeModel()
    day = dt.date(2024, 1, 1)
    m.set_register(generated, day)
    snap = m.snapshot()
    far_root = int(snap.roots()[-1])
    kid = next(int(c) for r in snap.roots()[::-1] for c in snap.children(int(r)))
    top_of_kid = snap.path(kid)[0]
    assert not m.index_of_entity(far_root).isValid()  # not handed to the view yet
    m.ensure_fetched(kid)
    idx = m.index_of_entity(kid)
    assert idx.isValid() and m.entity_of(m.parent(idx)) == snap.parent(kid)
    assert top_of_kid in top_ids(m)
    # a persistent index there (a selection) keeps its root fetched through filter
    # changes, which start again at one chunk, and date moves
    keep = QPersistentModelIndex(idx)
    m.set_filter(str(generated.ids[kid]))
    assert keep.isValid() and m.entity_of(keep) == kid
    m.set_filter("")
    assert keep.isValid() and m.entity_of(keep) == kid
    assert top_of_kid in top_ids(m)
    m.set_day(day + dt.timedelta(days=1))
    assert keep.isValid() and m.entity_of(keep) == kid


# --- the top level grouped by owner type -------------------------------------------------------


def leaves(m: TreeModel) -> list[int]:
    """Entity indices of the top-level units under the group rows, in view order."""
    out: list[int] = []
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop(0)
        for r in range(m.rowCount(parent)):
            idx = m.index(r, 0, parent)
            if m.is_group(idx) and idx.internalId() != GROUP_ID:
                stack.append(idx)
            elif m.entity_of(idx) >= 0 and m.is_group(parent):
                out.append(m.entity_of(idx))
    return out


def test_grouped_top_level_holds_every_owner_once(qtmodeltester: Any, generated: Any) -> None:
    from sorviewer import codes
    from ui.models.tree_model import OWNER_TYPE_GROUPS, PRIVATE_OWNER_TYPE

    m = TreeModel()
    m.set_group_mode("on")
    m.set_register(generated, dt.date(2024, 1, 1))
    assert m.grouped
    qtmodeltester.check(m)
    roots = m.snapshot().roots().tolist()
    assert sorted(leaves(m)) == sorted(roots)
    m.set_language("da")
    top = [m.index(r, 0) for r in range(m.rowCount())]
    assert all(m.is_group(i) and m.entity_of(i) == -1 and m.sor_id_of(i) == "" for i in top)
    labels = [i.data() for i in top]
    known = [da for da, _en in OWNER_TYPE_GROUPS.values()]
    assert [x for x in labels if x in known] == [x for x in known if x in labels]  # in order
    private = top[labels.index("Private")]
    regions = [m.index(r, 0, private) for r in range(m.rowCount(private))]
    assert all(m.is_group(i) for i in regions)
    assert {i.data() for i in regions} <= {*codes.REGIONS.values(), "Uden region"}
    # the count is the number of owners below; the code is in the tooltip
    owners = sum(m.rowCount(i) for i in regions)
    assert private.data(CHILD_COUNT_ROLE) == owners
    assert PRIVATE_OWNER_TYPE in private.data(Qt.ItemDataRole.ToolTipRole)
    # a unit's parent chain runs through its region and owner-type groups
    owner = m.index(0, 0, regions[0])
    kid = m.index(0, 0, owner) if m.rowCount(owner) else owner
    assert [m.entity_of(a) for a in m.ancestors(m.entity_of(kid))][:2] == [-1, -1]
    m.set_language("en")
    assert private.data() == "Private" and top[0].data() in {
        en for _da, en in OWNER_TYPE_GROUPS.values()
    }


def test_grouped_tree_keeps_selection_and_expansion_through_changes(
    qtmodeltester: Any, generated: Any
) -> None:
    m = TreeModel()
    m.set_group_mode("on")
    day = dt.date(2024, 1, 1)
    m.set_register(generated, day)
    snap = m.snapshot()
    e = next(int(c) for r in snap.roots().tolist() for c in snap.children(r))
    owner = int(snap.parent(e))
    unit = QPersistentModelIndex(m.index_of_entity(e))
    groups = [QPersistentModelIndex(a) for a in m.ancestors(e) if m.is_group(a)]
    assert unit.isValid() and groups
    gids = [g.internalId() for g in groups]
    m.set_day(dt.date(2024, 2, 1))
    m.set_filter(str(generated.ids[e]))
    assert unit.isValid() and m.entity_of(unit) == e
    assert all(g.isValid() for g in groups)
    assert leaves(m) == [owner]  # only the owner with the match is left
    assert m.rowCount() == 1
    m.set_filter("")
    # turning the grouping off and on keeps the unit, and the same group comes back
    m.set_group_mode("off")
    assert not m.grouped and unit.isValid() and m.entity_of(unit) == e
    assert all(not g.isValid() for g in groups)
    m.set_group_mode("on")
    again = [a.internalId() for a in m.ancestors(e) if m.is_group(a)]
    assert again == gids  # a group's id comes from its key
    qtmodeltester.check(m)


def test_grouping_is_on_by_default_above_a_few_hundred_owners(
    qapp: Any, generated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.models import tree_model

    m = TreeModel()
    assert m.group_mode == "auto"
    roots = len(generated.snapshot(dt.date(2024, 1, 1)).roots())
    monkeypatch.setattr(tree_model, "GROUP_AUTO_ROOTS", roots - 1)
    m.set_register(generated, dt.date(2024, 1, 1))
    assert m.grouped
    monkeypatch.setattr(tree_model, "GROUP_AUTO_ROOTS", roots + 1)
    m.set_register(generated, dt.date(2024, 1, 1))
    assert not m.grouped
    assert tree_model.GROUP_AUTO_ROOTS > 300 or roots  # "a few hundred"


def test_a_groups_owners_are_handed_over_in_chunks(
    qtmodeltester: Any, qapp: Any, generated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.models import tree_model

    monkeypatch.setattr(tree_model, "TOP_CHUNK", 6)
    m = TreeModel()
    m.set_group_mode("on")
    day = dt.date(2024, 1, 1)
    m.set_register(generated, day)
    qtmodeltester.check(m)
    top = [m.index(r, 0) for r in range(m.rowCount())]
    private = next(i for i in top if i.data() == "Private")
    region = max(
        (m.index(r, 0, private) for r in range(m.rowCount(private))),
        key=lambda i: i.data(CHILD_COUNT_ROLE),
    )
    owners = region.data(CHILD_COUNT_ROLE)
    assert owners > 12 and m.rowCount(region) == 6 and not m.fetched_all()
    # the last owner handed over is shown: the next chunk comes
    assert not m.fetch_more_at(m.index(2, 0, region))
    assert m.fetch_more_at(m.index(5, 0, region))
    assert m.rowCount(region) == 12
    # revealing an owner further down fetches down to it; a persistent index there keeps
    # it fetched through a date move and a filter
    last = region.internalId()
    far = m.snapshot().roots()
    node_roots = [e for e in far.tolist() if m.parent(m.index_of_entity(e)).internalId() == last]
    assert len(node_roots) == 12  # only those handed over have indexes
    m.ensure_fetched(-1)  # what End, select-all and type-ahead do
    assert m.rowCount(region) == owners and m.fetched_all()
    group = QPersistentModelIndex(region)
    keep = QPersistentModelIndex(m.index(20, 0, region))
    kept_owner = m.entity_of(keep)
    m.set_day(dt.date(2024, 2, 1))
    m.set_filter("a")
    m.set_filter("")
    assert keep.isValid() and m.entity_of(keep) == kept_owner
    # what was fetched in bulk is let go again: down to the kept one and half a chunk
    assert m.rowCount(QModelIndex(group)) == keep.row() + 1 + 3 < owners
    qtmodeltester.check(m)
