"""Every find filter, facet count and column checked against a brute-force reading of
the register: `reg.entity(id, day)` for every unit, one at a time, with the filter
rules written out plainly here. Registers are generated small in every format `load`
reads (SOR2 zip, daily CSV, XML 1.0.0 and 2.0.0), at dates before, inside and after
their history, so closed and future units take part."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sorviewer
from sorviewer import Register, find
from sorviewer.codes import REGIONS
from sorviewer.columns import day_columns, known_columns
from sorviewer.edi import ean_edi_types
from sorviewer.synthetic import generate
from sorviewer.text import fold_text, name_sort_key
from tests.unit import search_oracle

FORMATS = [("sor2-zip", "1.0.0"), ("sor2-csv", "1.0.0"), ("sor-xml", "1.0.0"), ("sor-xml", "2.0.0")]
_DIR = Path(tempfile.mkdtemp(prefix="sorviewer-find-"))


@functools.lru_cache(maxsize=64)
def register(seed: int, size: int, form: int) -> Register:
    fmt, version = FORMATS[form]
    path = _DIR / f"r{seed}_{size}_{form}.{'csv' if fmt == 'sor2-csv' else 'zip'}"
    generate(str(path), entities=size, seed=seed, fmt=fmt, xml_version=version)
    return sorviewer.load(str(path), use_cache=False)


def f(text: str | None) -> str:
    return fold_text((text or "").strip())


def no_zeros(text: str) -> str:
    return text.lstrip("0") or ("0" if text else "") if text.isdigit() else text


@functools.lru_cache(maxsize=64)
def views(reg_key: tuple[int, int, int], day: dt.date) -> list[dict[str, Any]]:
    reg = register(*reg_key)
    return [reg.entity(str(i), day) for i in reg.ids]  # type: ignore[misc]


def ancestors(by_id: dict[str, dict[str, Any]], sid: str) -> list[str]:
    out: list[str] = []
    seen = {sid}
    p = by_id[sid]["parent_sor_id"]
    while p and p in by_id and p not in seen:
        out.append(p)
        seen.add(p)
        p = by_id[p]["parent_sor_id"]
    return out


def accepting(reg: Register, day: dt.date, types: tuple[str, ...]) -> Any:
    cache: dict[str, bool] = {}

    def ok(ean: str | None) -> bool:
        if not ean or not ean.strip():
            return False
        key = ean.strip()
        if key not in cache:
            got = {t["edi_id"] for t in ean_edi_types(reg, key, day)}
            cache[key] = bool(got & {t.strip() for t in types})
        return cache[key]

    return ok


def brute(reg: Register, day: dt.date, vs: list[dict[str, Any]], flt: find.Filters) -> list[str]:
    """The matching SorIds, by reading each unit's `show` view."""
    by_id = {v["sor_id"]: v for v in vs}
    edi_ok = accepting(reg, day, flt.edi_type) if flt.edi_type else None
    out = []
    for v in vs:
        a = v["attributes"]

        def eq(col: str, values: tuple[str, ...], zeros: bool = False, a: Any = a) -> bool:
            have = f(a.get(col))
            want = {f(x) for x in values}
            if zeros:
                have, want = no_zeros(have), {no_zeros(w) for w in want}
            return bool(have) and have in want

        checks = []
        if flt.level:
            checks.append(eq("SorType", flt.level))
        if flt.status and "all" not in flt.status:
            checks.append(v["status"] in flt.status)
        if flt.entity_type:
            checks.append(
                eq("EntityTypeId", flt.entity_type) or eq("EntityTypeName", flt.entity_type)
            )
        if flt.owner_type:
            checks.append(
                eq("InstitutionOwnerEntityTypeId", flt.owner_type)
                or eq("InstitutionOwnerEntityTypeName", flt.owner_type)
            )
        if flt.speciality:
            checks.append(
                any(
                    eq(f"PrioritizedEntitySpeciality{n}{k}", flt.speciality)
                    for n in range(1, 9)
                    for k in ("Id", "Name")
                )
            )
        if flt.main_speciality:
            checks.append(
                any(
                    eq(f"PrioritizedEntitySpeciality1{k}", flt.main_speciality)
                    for k in ("Id", "Name")
                )
            )
        if flt.region:
            names = {f(name): code for code, name in REGIONS.items()}  # a name stands for its code
            codes = tuple(names.get(f(r), r) for r in flt.region)
            checks.append(eq("VisitingAddressRegionCode", codes, zeros=True))
        if flt.municipality:
            checks.append(eq("VisitingAddressMunicipalityCode", flt.municipality, zeros=True))
        if flt.postcode:
            pc = f(a.get("VisitingAddressPostCodeId"))
            hit = False
            for p in flt.postcode:
                lo, _, hi = p.partition("-")
                if hi and lo.strip().isdigit() and hi.strip().isdigit():
                    hit |= pc.isdigit() and int(lo) <= int(pc) <= int(hi)
                else:
                    hit |= bool(pc) and pc == f(p)
            checks.append(hit)
        if flt.town:
            checks.append(eq("VisitingAddressDistrictName", flt.town))
        if flt.ean:
            checks.append(v["provenance"]["ean_location_code"]["state"] in flt.ean)
        if edi_ok is not None:
            checks.append(edi_ok(a.get("EanLocationCode")))
        if flt.shak:
            checks.append(
                any(f(a.get("ShakId")).startswith(f(p)) for p in flt.shak)
                and bool(f(a.get("ShakId")))
            )
        if flt.shak_direct:
            checks.append(v["provenance"]["shak"]["state"] == "own")
        if flt.under:
            chain = {v["sor_id"], *ancestors(by_id, v["sor_id"])}
            checks.append(bool(chain & set(flt.under)))
        if flt.text.strip():
            codes = [a.get(c) if c != "SorId" else v["sor_id"] for c in find.TEXT_PREFIX_COLUMNS]
            texts = [a.get(c) for c in find.TEXT_CONTAINS_COLUMNS]
            starts = lambda value, term: f(value).startswith(f(term))  # noqa: E731
            checks.append(search_oracle.matches(flt.text, codes, texts, starts))
        for w in flt.where:
            have = f(a.get(w.column))
            if not w.values:
                checks.append(not have if w.op == "=" else bool(have))
            elif w.op == "=":
                checks.append(bool(have) and have in {f(x) for x in w.values})
            else:
                checks.append(bool(have) and any(f(x) in have for x in w.values))
        if all(checks):
            out.append(v["sor_id"])
    return out


def in_name_order(reg: Register, day: dt.date, sids: list[str]) -> bool:
    """By Danish name order (as `tree`), the same name by SorId."""
    names = [reg.entity(s, day)["name"] or "" for s in sids]  # type: ignore[index]
    keys = [name_sort_key(n) for n in names]
    pairs = list(itertools.pairwise(zip(keys, names, map(int, sids), strict=True)))
    return all(a[0] <= b[0] for a, b in pairs) and all(
        a[2] < b[2] for a, b in pairs if a[1] == b[1]
    )


# --- strategies --------------------------------------------------------------------------

# a few registers per format, built once each and reused across examples
registers = st.tuples(st.integers(0, 5), st.sampled_from([60, 150]), st.integers(0, 3))

KINDS = [
    "level",
    "status",
    "entity_type",
    "owner_type",
    "speciality",
    "main_speciality",
    "region",
    "municipality",
    "postcode",
    "town",
    "ean",
    "edi_type",
    "shak",
    "shak_direct",
    "under",
    "text",
    "where",
]


def pick(data: st.DataObject, pool: list[str], junk: str) -> tuple[str, ...]:
    pool = sorted({p for p in pool if p and p.strip()}) or [junk]
    chosen = data.draw(st.lists(st.sampled_from([*pool, junk]), min_size=1, max_size=3))
    return tuple(dict.fromkeys(chosen))


def draw_filters(
    data: st.DataObject, reg: Register, vs: list[dict[str, Any]], kind: str | None = None
) -> find.Filters:
    def col(c: str) -> list[str]:
        return [v["attributes"].get(c) or "" for v in vs]

    kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True))
    if kind is not None:
        kinds = [kind, *kinds[:1]]
    kw: dict[str, Any] = {
        "status": data.draw(
            st.sampled_from([("active",), ("all",), ("closed", "future"), ("future",)])
        )
    }
    for k in kinds:
        if k == "level":
            kw[k] = pick(data, ["IE", "SI", "OE", "oe"], "XX"[:0] or "OE")
        elif k == "status":
            continue
        elif k == "entity_type":
            kw[k] = pick(
                data, col("EntityTypeId") + [n.upper() for n in col("EntityTypeName")], "0"
            )
        elif k == "owner_type":
            kw[k] = pick(
                data,
                col("InstitutionOwnerEntityTypeName") + col("InstitutionOwnerEntityTypeId"),
                "x",
            )
        elif k == "speciality":
            kw[k] = pick(
                data,
                col("PrioritizedEntitySpeciality2Id") + col("PrioritizedEntitySpeciality1Name"),
                "x",
            )
        elif k == "main_speciality":
            kw[k] = pick(
                data,
                col("PrioritizedEntitySpeciality1Id") + col("PrioritizedEntitySpeciality3Name"),
                "x",
            )
        elif k == "region":
            kw[k] = pick(data, [*col("VisitingAddressRegionCode"), "Region Hovedstaden"], "9")
        elif k == "municipality":
            kw[k] = pick(
                data,
                col("VisitingAddressMunicipalityCode")
                + [c.lstrip("0") for c in col("VisitingAddressMunicipalityCode")],
                "0",
            )
        elif k == "postcode":
            codes = [c for c in col("VisitingAddressPostCodeId") if c.isdigit()]
            lo = data.draw(st.sampled_from(codes)) if codes else "1000"
            kw[k] = pick(data, [*codes, f"{lo}-{int(lo) + 900}", "1000-2999"], "99999")
        elif k == "town":
            kw[k] = pick(data, [t.lower() for t in col("VisitingAddressDistrictName")], "Ingenby")
        elif k == "ean":
            kw[k] = pick(data, ["own", "inherited", "none"], "own")
        elif k == "edi_type":
            from sorviewer.edi import known_edi_ids

            known = sorted(known_edi_ids(reg))
            if known:
                kw[k] = pick(data, known, known[0])
        elif k == "shak":
            kw[k] = pick(data, [s[:2] for s in col("ShakId")] + col("ShakId"), "zz")
        elif k == "shak_direct":
            kw[k] = True
        elif k == "under":
            # owners often: their subtrees are the deep ones
            roots = [v["sor_id"] for v in vs if not v["parent_sor_id"]]
            pool = roots if roots and data.draw(st.booleans()) else [v["sor_id"] for v in vs]
            kw[k] = pick(data, pool, vs[0]["sor_id"])
        elif k == "text":
            names = [n for n in col("EntityName") if n]
            word = data.draw(st.sampled_from(names)).split()[0][:4] if names else "x"
            words = data.draw(st.sampled_from(names)).split() if names else ["x"]
            # words of a name in another order, and spelled without Danish letters
            again = " ".join(w[:5] for w in reversed(words[:3]))
            plain = again.replace("ø", "oe").replace("å", "aa").replace("æ", "ae")
            kw[k] = data.draw(
                st.sampled_from(
                    [word, word.upper(), again, plain, "8000", vs[0]["sor_id"][:5], "æ", "a.*", "%"]
                )
            )
        elif k == "where":
            c = data.draw(
                st.sampled_from(
                    [
                        "EntityName",
                        "ShakId",
                        "PostalAddressPostCodeId",
                        "EanLocationCode",
                        "SorType",
                    ]
                )
            )
            op = data.draw(st.sampled_from(["=", "~"]))
            vals = pick(data, col(c) + [x[:3] for x in col(c)], "%_(")
            if data.draw(st.booleans()):
                vals = ()
            kw[k] = (find.Where(c, op, vals),)
    return find.Filters(**kw)


def day_in(data: st.DataObject, reg: Register) -> dt.date:
    lo, hi = reg.date_range()
    assert lo is not None and hi is not None
    offset = data.draw(st.integers(-400, (hi - lo).days + 400))
    return lo + dt.timedelta(days=offset)


# --- the properties -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers, st.data())
def test_filters_match_the_brute_force_reading(
    kind: str, key: tuple[int, int, int], data: st.DataObject
) -> None:
    reg = register(*key)
    day = day_in(data, reg)
    vs = views(key, day)
    flt = draw_filters(data, reg, vs, kind)
    got = [str(reg.ids[e]) for e in find.query(reg, day, flt).ents]
    want = brute(reg, day, vs, flt)
    assert sorted(got) == sorted(want), flt
    assert in_name_order(reg, day, got)


FACET_OF = {
    "level": lambda v: [v["attributes"].get("SorType")],
    "status": lambda v: [v["status"]],
    "ean": lambda v: [v["provenance"]["ean_location_code"]["state"]],
    "region": lambda v: [v["attributes"].get("VisitingAddressRegionCode")],
    "town": lambda v: [v["attributes"].get("VisitingAddressDistrictName")],
    "entity_type": lambda v: [
        v["attributes"].get("EntityTypeId") or v["attributes"].get("EntityTypeName")
    ],
    "speciality": lambda v: list(
        {
            v["attributes"].get(f"PrioritizedEntitySpeciality{n}Id")
            or v["attributes"].get(f"PrioritizedEntitySpeciality{n}Name")
            for n in range(1, 9)
        }
    ),
    "shak": lambda v: [(v["attributes"].get("ShakId") or "").strip()[:4].upper() or None],
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers, st.data())
def test_facet_counts_are_the_other_filters_counts(
    key: tuple[int, int, int], data: st.DataObject
) -> None:
    reg = register(*key)
    day = day_in(data, reg)
    vs = views(key, day)
    flt = draw_filters(data, reg, vs)
    result = find.query(reg, day, flt, facets=[*FACET_OF, "edi_type"])
    from dataclasses import replace

    for facet, values_of in FACET_OF.items():
        default = find.Filters().status if facet == "status" else ()
        others = replace(flt, **{facet: () if facet != "status" else ("all",)})
        del default
        pool = brute(reg, day, vs, others)
        want: dict[str, int] = {}
        by_id = {v["sor_id"]: v for v in vs}
        for sid in pool:
            for val in values_of(by_id[sid]):
                if val is not None and f(val):
                    want[f(val)] = want.get(f(val), 0) + 1
        got = {f(fv.code): fv.count for fv in result.facet_counts[facet] if fv.count}
        assert got == want, (facet, flt)
    # EDI types: units of the pool whose effective EAN accepts the type
    pool = brute(reg, day, vs, replace(flt, edi_type=()))
    by_id = {v["sor_id"]: v for v in vs}
    want_edi: dict[str, int] = {}
    for sid in pool:
        ean = (by_id[sid]["attributes"].get("EanLocationCode") or "").strip()
        if ean:
            for t in {t["edi_id"] for t in ean_edi_types(reg, ean, day)}:
                want_edi[t] = want_edi.get(t, 0) + 1
    got_edi = {fv.code: fv.count for fv in result.facet_counts["edi_type"] if fv.count}
    assert got_edi == want_edi


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers, st.data())
def test_every_column_is_the_show_attribute(key: tuple[int, int, int], data: st.DataObject) -> None:
    """The per-column accessor gives `show`'s effective attributes, the EAN state its
    provenance, and the source columns its holders, for every unit (closed and future
    ones through their nearest version)."""
    reg = register(*key)
    day = day_in(data, reg)
    vs = views(key, day)
    dc = day_columns(reg, day)
    ents = np.arange(len(reg.ids))
    for c in known_columns(reg):
        if c in ("Status", "ParentName", "HealthInstitutionName", "OwnerName"):
            continue
        got = dc.values(c, ents).to_pylist()
        if c.startswith("Effective"):
            c = c[len("Effective") :]
        if c == "EanState":
            assert got == [v["provenance"]["ean_location_code"]["state"] for v in vs]
        elif c.endswith("Source"):
            continue
        elif c in ("SorId", "ParentSorId", "InstitutionOwnerSorId", "HealthInstitutionSorId"):
            assert got == [
                (v["attributes"].get(c) or "").strip().removesuffix(".0") or None for v in vs
            ], c
        else:
            assert got == [v["attributes"].get(c) for v in vs], c
    status = dc.values("Status", ents).to_pylist()
    assert status == [v["status"] for v in vs]
    groups = {
        "ShakIdSource": "shak",
        "EanLocationCodeSource": "ean_location_code",
        "PostalAddressSource": "postal_address",
        "VisitingAddressSource": "visiting_address",
        "ActivityAddressSource": "activity_address",
        "VirtualAddressSource": "virtual_address",
    }
    for column, group in groups.items():
        got = dc.values(column, ents).to_pylist()
        for text, v in zip(got, vs, strict=True):
            p = v["provenance"][group]
            if p["state"] != "inherited":
                assert text == p["state"]
            else:
                want = "inherited" + (f":{p['from_sor_id']}" if p["from_sor_id"] else "")
                want += f":{p['from_group']}" if p["from_group"] else ""
                assert text == want
    parents = dc.values("ParentName", ents).to_pylist()
    by_id = {v["sor_id"]: v for v in vs}
    for got_name, v in zip(parents, vs, strict=True):
        parent = by_id.get(v["parent_sor_id"] or "")
        assert got_name == (parent["name"] if parent else None)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers, st.data())
def test_sorting_by_any_column_is_stable_with_name_then_id(
    key: tuple[int, int, int], data: st.DataObject
) -> None:
    reg = register(*key)
    day = day_in(data, reg)
    column = data.draw(
        st.sampled_from(
            [
                "EntityName",
                "VisitingAddressPostCodeId",
                "SorId",
                "Status",
                "ShakId",
                "ParentName",
                "FromDate",
            ]
        )
    )
    descending = data.draw(st.booleans())
    base = find.query(reg, day, find.Filters(status=("all",))).ents
    got = find.sort_units(reg, day, base, column, descending=descending)
    assert sorted(got.tolist()) == sorted(base.tolist())
    values = day_columns(reg, day).values(column, got).to_pylist()
    place = {e: i for i, e in enumerate(base.tolist())}
    nulls = [v is None or not v.strip() for v in values]
    assert nulls == sorted(nulls)  # values first, empty ones last either way
    for (a, va), (b, vb) in zip(
        zip(got.tolist(), values, strict=True),
        zip(got.tolist()[1:], values[1:], strict=True),
        strict=False,
    ):
        if va is not None and vb is not None and f(va) == f(vb):
            assert place[a] < place[b]  # ties keep name then SorId order
        if (
            va
            and vb
            and va.strip()
            and vb.strip()
            and va.strip().isdigit()
            and vb.strip().isdigit()
        ):
            x, y = int(va), int(vb)
            assert (x >= y) if descending else (x <= y)


def test_under_follows_the_parent_a_future_unit_names() -> None:
    """Found by the facet property (CI, 2026-12-06): on an XML snapshot's first day every
    unit is future; a unit whose named parent starts later than it had no parent on its
    own day, so `under` lost it and everything below it, while `show` names the parent."""
    key = (3, 150, 2)
    reg = register(*key)
    lo, _hi = reg.date_range()
    assert lo is not None
    vs = views(key, lo)
    flt = find.Filters(level=("OE",), status=("all",), under=("13251000016002",))
    got = sorted(str(reg.ids[e]) for e in find.query(reg, lo, flt).ents)
    want = sorted(brute(reg, lo, vs, flt))
    assert len(want) == 35
    assert got == want
