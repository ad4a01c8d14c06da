"""Provenance agrees with the values, for every group, every unit, at every date.

For each unit at a date (active, closed or future; closed and future units are
looked at on their reference day, see `asof.reference_days`):
- `none` means the group's columns are empty in the effective attributes;
- `own` and `inherited` mean the group has a value, and name a source;
- the source unit holds that value itself on the day the unit is looked at: its own
  group (or, with `from_group`, its other group) is `own`, with the same cells; for
  SHAK the source has the code directly (a direct SHAKSORMap row, or its own ShakId).
And the single-unit `show` (its own small engine) equals the whole-register engine.

Checked on random registers with history, on generated registers in every format
(SOR2 zip with history and SHAK map, the daily CSV, XML), and on the real XML cuts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sorviewer
from sorviewer import Register, schema, unit_view
from sorviewer.asof import day_number, reference_days, version_rows
from sorviewer.dates import from_day, valid_on
from sorviewer.ids import make_ean, make_sor_id
from sorviewer.provenance import value_columns
from sorviewer.records import UnitView
from sorviewer.shakmap import map_table
from tests.conftest import SAMPLES

from .tiny import tiny_register

START = dt.date(2008, 1, 1)


def _source_holds_shak(reg: Register, src: str, code: str, day: int) -> bool:
    """Whether unit `src` has SHAK code `code` itself on `day` (read straight off the
    SHAKSORMap arrays and the unit's version row)."""
    e = reg.entity_index(src)
    table = map_table(reg)
    if table is not None:
        rows = table.rows_of_sor(int(reg.ids[e]))
        ok = table.on_itself[rows] & valid_on(table.from_day[rows], table.to_day[rows], day)
        if any(str(c) == code for c in table.shak[rows[ok]]):
            return True
    row = int(version_rows(reg, np.array([e]), day)[0][0])
    own = reg.value(row, "ShakId")
    return own is not None and own.strip() == code


def check_agreement(reg: Register, day: dt.date) -> None:
    ents = np.arange(len(reg.ids))
    n = day_number(day)
    ref = reference_days(reg, ents, n)
    bulk = unit_view.views(reg, day, ents)
    sources: dict[tuple[str, int], UnitView | None] = {}
    for e, (view, _problems) in zip(ents.tolist(), bulk, strict=True):
        assert reg.entity(str(reg.ids[e]), day) == view  # the per-unit engine agrees
        check_view(reg, view, int(ref[e]), sources)


def check_view(
    reg: Register, view: UnitView, ref: int, sources: dict[tuple[str, int], UnitView | None]
) -> None:
    attrs = view["attributes"]
    shak_problem = any("SHAK map" in p for p in view.get("problems", []))
    for key, p in view["provenance"].items():
        cols = [c for c in schema.FIELD_GROUPS[key].columns if c in attrs]
        if p["state"] == "none":
            assert p["from_sor_id"] is None and p["from_group"] is None, (view, key)
            assert all(attrs[c] is None for c in cols), (view["sor_id"], key, attrs)
            continue
        assert any(attrs[c] is not None for c in value_columns(key) if c in attrs), (view, key)
        src = p["from_sor_id"]
        assert src is not None
        if p["state"] == "own":
            assert src == view["sor_id"] and p["from_group"] is None
        if key == "shak":
            if reg.entity_index(src) >= 0 and not shak_problem:
                assert _source_holds_shak(reg, src, str(attrs["ShakId"]), ref), (view, src)
            continue
        if (src, ref) not in sources:  # in life on `ref`: looked at on it
            sources[(src, ref)] = reg.entity(src, from_day(ref))
        source = sources[(src, ref)]
        assert source is not None
        fg = p["from_group"] or key
        assert source["provenance"][fg]["state"] == "own", (view["sor_id"], key, source)
        theirs = {schema.address_part(c): c for c in schema.FIELD_GROUPS[fg].columns}
        for c in cols:
            sc = theirs.get(schema.address_part(c))
            if sc is not None and sc in source["attributes"]:
                assert attrs[c] == source["attributes"][sc], (view["sor_id"], key, c)


# --- random registers with history --------------------------------------------------------

flags = st.sampled_from(["true", "false", None, "ja", "0"])
values = st.sampled_from(["Vej 1", "Gade 2", None])


@st.composite
def registers(draw: st.DrawFn) -> tuple[Register, list[dt.date]]:
    """Units with one to three versions each, some closed, some not yet open; parents
    among the other units (sometimes one not in the file, sometimes a loop); every
    inheritance indicator and value present or not; SHAK codes on the rows and, half
    the time, a SHAKSORMap with direct and inherited rows, some naming the wrong unit."""
    n_units = draw(st.integers(2, 9))
    ids = [make_sor_id(i + 1) for i in range(n_units)]
    unknown = make_sor_id(500)
    rows: list[dict[str, str | None]] = []
    for u, sid in enumerate(ids):
        start = draw(st.integers(0, 4000))
        for v in range(draw(st.integers(1, 3))):
            length = draw(st.integers(30, 2500))
            last = v == 0 or draw(st.booleans())
            parent = draw(st.sampled_from([None, unknown, *ids[:u], *ids[u + 1 : u + 2]]))
            ean_state = draw(st.sampled_from(["own", "inherited", "none", None, "egen"]))
            row: dict[str, str | None] = {
                "SorId": sid,
                "SorType": draw(st.sampled_from(["IE", "SI", "OE"])),
                "EntityName": f"Enhed {u} v{v}",
                "FirstFromDate": (START + dt.timedelta(days=start)).isoformat(),
                "FromDate": (START + dt.timedelta(days=start)).isoformat(),
                "ToDate": (START + dt.timedelta(days=start + length - 1)).isoformat(),
                "ParentSorId": parent,
                "PostalAddressInheritanceIndicator": draw(flags),
                "PostalAddressStreetName": draw(values),
                "VisitingAddressInheritanceIndicator": draw(flags),
                "VisitingAddressStreetName": draw(values),
                "ActivityAddressAddressInheritanceIndicator": draw(flags),
                "ActivityAddressStreetName": draw(values),
                "VirtualAddressInheritanceIndicator": draw(flags),
                "VirtualAddressTelephoneNumber": draw(st.sampled_from(["11223344", None])),
                "EanLocationCodeState": ean_state,
                "EanLocationCode": draw(st.sampled_from([make_ean("579000000001"), None])),
                "ShakId": draw(st.sampled_from(["1301", "130101", None, None])),
            }
            rows.append(row)
            start += length + draw(st.sampled_from([0, 0, 40]))  # sometimes a gap
            if last and draw(st.booleans()):
                rows[-1]["ToDate"] = None  # still open
            if last:
                break
    tables: dict[str, pd.DataFrame] = {}
    if draw(st.booleans()):
        maps = []
        for _ in range(draw(st.integers(1, 8))):
            sor = draw(st.sampled_from(ids))
            direct = draw(st.booleans())
            fr = START + dt.timedelta(days=draw(st.integers(0, 5000)))
            maps.append(
                {
                    "ShakId": draw(st.sampled_from(["1301", "130101", "2202"])),
                    "SorId": sor,
                    "IsDirectSorShakMapping": "true" if direct else "false",
                    "ShakIdsDirectSorId": None
                    if direct
                    else draw(st.sampled_from([*ids, unknown])),
                    "FromDate": fr.isoformat(),
                    "ToDate": draw(
                        st.sampled_from([None, (fr + dt.timedelta(days=900)).isoformat()])
                    ),
                }
            )
        tables["SHAKSORMap"] = pd.DataFrame(maps).astype("string[pyarrow]")
    reg = tiny_register(rows)  # type: ignore[arg-type]
    if tables:
        reg = _with_tables(reg, rows, tables)
    days = draw(
        st.lists(
            st.dates(min_value=START - dt.timedelta(days=400), max_value=dt.date(2035, 1, 1)),
            min_size=1,
            max_size=4,
        )
    )
    return reg, days


def _with_tables(
    reg: Register, rows: list[dict[str, str | None]], tables: dict[str, pd.DataFrame]
) -> Register:
    from sorviewer.register import RawData, SourceInfo
    from sorviewer.report import LoadReport

    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables=tables,
        source=SourceInfo(path="random", format="sor2-zip", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers())
def test_random_registers(data: tuple[Register, list[dt.date]]) -> None:
    reg, days = data
    for day in days:
        check_agreement(reg, day)


def test_tiny_register_at_many_dates() -> None:
    reg = tiny_register()
    for year in range(2008, 2034):
        check_agreement(reg, dt.date(year, 7, 1))


# --- generated registers in every format ------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 10_000),
    st.sampled_from(["sor2-zip", "sor2-csv", "sor-xml"]),
    st.lists(st.dates(dt.date(2004, 1, 1), dt.date(2032, 1, 1)), min_size=2, max_size=3),
)
def test_generated_registers(
    tmp_path_factory: pytest.TempPathFactory, seed: int, fmt: str, days: list[dt.date]
) -> None:
    from sorviewer.synthetic import generate

    path = tmp_path_factory.mktemp("gen") / f"gen-{fmt}-{seed}.zip"
    generate(str(path), entities=150, seed=seed, fmt=fmt)
    reg = sorviewer.load(str(path), use_cache=False)
    for day in [*days, reg.source.snapshot_date or days[0]]:
        check_agreement(reg, day)


# --- the real XML cuts --------------------------------------------------------------------------


def _samples() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(p for p in SAMPLES.rglob("*") if p.suffix.lower() in (".xml", ".zip"))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples folder absent")
@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_real_xml_cuts(path: Path) -> None:
    reg = sorviewer.load(str(path), use_cache=False)
    snap = reg.source.snapshot_date or dt.date(2010, 1, 1)
    lo, hi = reg.date_range()
    for day in {snap, lo or snap, hi or snap, dt.date(1999, 1, 1), dt.date(2030, 1, 1)}:
        check_agreement(reg, day)
