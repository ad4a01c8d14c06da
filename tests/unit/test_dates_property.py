"""Property tests for the date logic: parsing in every accepted form, and as-of answers
checked against a brute-force reading of the version rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sorviewer.asof import Snapshot, entity_status
from sorviewer.dates import MAX_DAY, MIN_DAY, parse_date_text, parse_day_column, to_day
from sorviewer.ids import make_ean, make_sor_id
from tests.unit.tiny import tiny_register

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))

FORMS = (
    lambda d: d.isoformat(),
    lambda d: f"{d.isoformat()}T13:45:00",
    lambda d: f"{d.isoformat()} 08:00:00.1234567+02:00",
    lambda d: f"{d.isoformat()}T00:00:00Z",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: d.strftime("%Y%m%d"),
)


@given(dates, st.sampled_from(range(len(FORMS))))
def test_every_accepted_form_gives_the_date_back(d: dt.date, form: int) -> None:
    assert parse_date_text(FORMS[form](d)) == d
    assert parse_date_text("  " + FORMS[form](d) + " ") == d


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.builds(lambda d, f: FORMS[f](d), dates, st.sampled_from(range(len(FORMS)))),
            st.sampled_from(["", "2021-02-30", "31-13-2020", "i går", "2020/01/01x"]),
            # the ISO forms are parsed as arrays (dates._iso_days): their edges
            st.sampled_from(
                [
                    "0000-01-01",
                    "2020-13-01",
                    "2020-1-1",
                    "2020-02-29",
                    "2019-02-29",
                    "9999-12-31",
                    "2020-01-01T25:61:00",
                    "2020-01-01 x",
                    "2020-01-01\n",
                    "\u00a02020-01-01",
                    "١٢٣٤-٠١-٠١",
                    "2020-001-01",
                    "12020-01-01",
                ]
            ),
        ),
        max_size=40,
    )
)
def test_column_parse_matches_one_by_one(values: list[str | None]) -> None:
    days, bad = parse_day_column(pd.Series(values, dtype="string[pyarrow]"), MIN_DAY)
    for v, day, b in zip(values, days, bad, strict=True):
        try:
            want = parse_date_text(v)
        except ValueError:
            assert b
            assert day == MIN_DAY
            continue
        assert not b
        assert day == (to_day(want) if want is not None else MIN_DAY)


# --- as-of against brute force -----------------------------------------------------

START = dt.date(2006, 1, 1)


@st.composite
def registers(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[list[tuple[int, int]]]]:
    """A few units, each with consecutive, possibly gapped versions; last one open or closed."""
    rows: list[dict[str, str]] = []
    spans: list[list[tuple[int, int]]] = []
    n_units = draw(st.integers(1, 5))
    for u in range(n_units):
        sid = make_sor_id(u + 1)
        start = draw(st.integers(0, 3000))
        n_versions = draw(st.integers(1, 4))
        mine: list[tuple[int, int]] = []
        for v in range(n_versions):
            length = draw(st.integers(1, 1500))
            end = start + length - 1
            last = v == n_versions - 1
            open_end = last and draw(st.booleans())
            mine.append((start, MAX_DAY if open_end else end))
            rows.append(
                {
                    "SorId": sid,
                    "SorType": "IE",
                    "EntityName": f"Enhed {u} v{v}",
                    "FromDate": (START + dt.timedelta(days=start)).isoformat(),
                    "ToDate": None if open_end else (START + dt.timedelta(days=end)).isoformat(),
                }
            )
            start = end + 1 + draw(st.sampled_from([0, 0, 0, 30]))  # sometimes a gap
        spans.append(mine)
    return rows, spans


@settings(max_examples=60, deadline=None)
@given(registers(), st.integers(-200, 9000))
def test_snapshot_agrees_with_brute_force(data: tuple, offset: int) -> None:
    rows, spans = data
    reg = tiny_register(rows)  # type: ignore[arg-type]
    day = to_day(START) + offset
    snap = Snapshot(reg, day)
    for u, mine in enumerate(spans):
        e = reg.entity_index(make_sor_id(u + 1))
        containing = [
            i
            for i, (a, b) in enumerate(mine)
            if a + to_day(START) <= day <= b + (to_day(START) if b != MAX_DAY else 0)
        ]
        first = mine[0][0] + to_day(START)
        last_end = mine[-1][1]
        last = MAX_DAY if last_end == MAX_DAY else last_end + to_day(START)
        if day < first:
            want_status = "future"
        elif day > last:
            want_status = "closed"
        else:
            want_status = "active"
        assert entity_status(reg, e, day) == want_status
        if containing:
            row = snap.row_of[e]
            assert row == reg.id_start[e] + containing[0]
        elif want_status == "active":
            # inside a gap: the nearest earlier version is shown, flagged
            assert snap.gap[e]
            started = [i for i, (a, _b) in enumerate(mine) if a + to_day(START) <= day]
            assert snap.row_of[e] == reg.id_start[e] + started[-1]
        else:
            assert snap.row_of[e] < 0


@given(
    st.lists(st.integers(1, 10**18 - 1), max_size=50), st.lists(st.integers(1, 10**7), max_size=20)
)
def test_vectorised_sor_id_check_equals_the_scalar_one(raw: list[int], running: list[int]) -> None:
    import numpy as np

    from sorviewer.ids import sor_id_problem, sor_ids_look_ok

    ids = raw + [int(make_sor_id(r)) for r in running]
    got = sor_ids_look_ok(np.asarray(ids, dtype=np.int64))
    assert got.tolist() == [sor_id_problem(str(i)) is None for i in ids]


# --- the tree at a date: a forest, children as a brute-force reading gives them -------

NAMES = ["Aa", "ab", "Æble", "øst", "Zeta", "ålborg", "Bæk", "bak"]


@st.composite
def trees(draw: st.DrawFn) -> list[dict[str, str | None]]:
    """Units with consecutive versions whose parent is none, another unit (cycles
    allowed), or an id that is not in the file; parents may change between versions."""
    n_units = draw(st.integers(1, 8))
    rows: list[dict[str, str | None]] = []
    for u in range(n_units):
        start = draw(st.integers(0, 600))
        for _ in range(draw(st.integers(1, 3))):
            length = draw(st.integers(1, 400))
            parent = draw(st.one_of(st.none(), st.integers(0, n_units - 1), st.just(-1)))
            rows.append(
                {
                    "SorId": make_sor_id(u + 1),
                    "SorType": "OE",
                    "EntityName": draw(st.sampled_from(NAMES)),
                    "FromDate": (START + dt.timedelta(days=start)).isoformat(),
                    "ToDate": (START + dt.timedelta(days=start + length - 1)).isoformat(),
                    "ParentSorId": None
                    if parent is None
                    else make_sor_id(999)
                    if parent < 0
                    else make_sor_id(parent + 1),
                }
            )
            start += length
    return rows


def brute_force_tree(rows: list[dict[str, str | None]], day: dt.date) -> tuple[dict, set, set]:
    """(parent of each unit at `day`, roots, orphans) read straight off the rows."""
    iso = day.isoformat()
    valid = {r["SorId"]: r for r in rows if str(r["FromDate"]) <= iso <= str(r["ToDate"])}
    parent = {u: r["ParentSorId"] for u, r in valid.items()}
    roots = {u for u, p in parent.items() if p is None}
    orphans = {u for u, p in parent.items() if p is not None and p not in valid}

    def on_cycle(u: str) -> bool:
        seen, p = set(), parent[u]
        while p is not None and p in valid and p not in seen:
            if p == u:
                return True
            seen.add(p)
            p = parent[p]
        return False

    orphans |= {u for u in parent if u not in orphans and u not in roots and on_cycle(u)}
    kept = {u: p for u, p in parent.items() if u not in roots and u not in orphans}
    return kept, roots, orphans


@settings(max_examples=150, deadline=None)
@given(trees(), st.integers(-10, 1900))
def test_tree_at_a_date_is_a_forest_matching_brute_force(
    rows: list[dict[str, str | None]], offset: int
) -> None:
    from sorviewer.text import name_sort_key

    reg = tiny_register(rows)  # type: ignore[arg-type]
    day = START + dt.timedelta(days=offset)
    snap = reg.snapshot(day)
    kept, roots, orphans = brute_force_tree(rows, day)
    sid = lambda e: str(reg.ids[int(e)])  # noqa: E731
    assert {sid(e) for e in snap.roots()} == roots
    assert {sid(e) for e in snap.orphans()} == orphans
    valid_name = {
        str(r["SorId"]): str(r["EntityName"])
        for r in rows
        if str(r["FromDate"]) <= day.isoformat() <= str(r["ToDate"])
    }
    # every unit existing at the day is reached exactly once from the roots and orphans
    reached: list[str] = []
    stack = [int(e) for e in snap.roots()] + [int(e) for e in snap.orphans()]
    while stack:
        e = stack.pop()
        reached.append(sid(e))
        kids = snap.children(e)
        assert [sid(c) for c in kids] == sorted(
            (u for u, p in kept.items() if p == sid(e)),
            key=lambda u: (name_sort_key(valid_name[u]), int(u)),
        )
        stack.extend(int(c) for c in kids)
    assert sorted(reached) == sorted(valid_name)


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789", min_size=12, max_size=14),
            st.text(max_size=14),
            st.integers(10**11, 10**12 - 1).map(lambda b: make_ean(str(b).zfill(12))),
        ),
        max_size=30,
    )
)
def test_vectorised_ean_check_equals_the_scalar_one(values: list[str]) -> None:
    from sorviewer.ids import ean_ok, eans_look_ok

    assert eans_look_ok(values).tolist() == [ean_ok(v) for v in values]


#: every form a person may type a date in (the window's date fields)
USER_FORMS = (
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}{d.month:02d}{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}-{d.month}-{d.day}",
)


@given(
    st.dates(min_value=dt.date(1300, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(range(len(USER_FORMS))),
)
def test_a_typed_date_is_read_whole_in_every_form(d: dt.date, form: int) -> None:
    from sorviewer.dates import parse_user_date

    text = USER_FORMS[form](d)
    assert parse_user_date(text) == d
    assert parse_user_date(f" {text}  ") == d


@given(st.dates(min_value=dt.date(1300, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_eight_digits_read_as_day_month_year_else_as_iso(d: dt.date) -> None:
    from sorviewer.dates import parse_user_date

    assert parse_user_date(d.strftime("%d%m%Y")) == d
    # yyyymmdd is also a real ddmmyyyy only when that reads a year before 1300
    assert parse_user_date(f"{d.year:04d}{d.month:02d}{d.day:02d}") == d


def test_what_is_not_a_typed_date() -> None:
    import pytest

    from sorviewer.dates import parse_user_date

    for text in ("", "  ", "31-02-2020", "1-13-2020", "01-01-20", "2020", "x", "01-01-2020x"):
        with pytest.raises(ValueError):
            parse_user_date(text)
