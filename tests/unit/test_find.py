"""find on hand-made registers whose answers are known: values, order, errors, notes,
facets, sorting, count-by, column schemes, and a chain 5,000 units deep."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sorviewer import Register, find
from sorviewer.columns import day_columns, expand_columns
from sorviewer.find import Filters, FindError, Where, parse_where, query, split_values
from sorviewer.ids import make_sor_id
from sorviewer.messages import Message
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport
from tests.unit.tiny import FUT, IE, IE2, OE1, OE2, OE3, SI, tiny_register

DAY = dt.date(2021, 1, 1)


def ids(reg: Register, ents: np.ndarray) -> list[str]:
    return [str(reg.ids[e]) for e in ents]


def run(reg: Register, day: dt.date = DAY, **kw: object) -> list[str]:
    return ids(reg, query(reg, day, Filters(**kw)).ents)  # type: ignore[arg-type]


def test_default_is_the_active_units_by_danish_name() -> None:
    reg = tiny_register()
    # Akut afsnit, anæstesi, Region Testland, Testhospital, Ærø afdeling, Øster Klinik
    assert run(reg) == [OE2, OE3, IE, SI, OE1, IE2]
    assert run(reg, status=("future",)) == [FUT]
    assert run(reg, status=("all",))[-1] == IE2 and FUT in run(reg, status=("all",))
    assert run(reg, dt.date(2023, 1, 1), status=("closed",)) == [OE2]
    assert query(reg, DAY, Filters()).total == 6


def test_values_fold_case_and_accents_and_commas_mean_or() -> None:
    reg = tiny_register()
    assert run(reg, level=("oe",)) == [OE2, OE3, OE1]
    assert run(reg, level=("IE", "si")) == [IE, SI, IE2]
    # OE1's own postal town is "Ærøskøbing"; its visiting address is that postal address
    # OE1's visiting address is its own postal address; OE2 (under OE1) inherits it
    assert run(reg, town=("AEROESKOEBING",)) == [OE2, OE1]
    # SI and OE3: their owner's town; the owner itself has no visiting address
    assert run(reg, town=("ærøskøbing", "Aarhus C")) == [OE2, OE3, SI, OE1]
    assert run(reg, postcode=("5000-6000",)) == [OE2, OE1]
    assert run(reg, postcode=("8000",)) == [OE3, SI]


def test_effective_values_at_the_date() -> None:
    reg = tiny_register()
    # SI inherits the owner's street, which changed on 2015-01-01 without a new SI version
    where = (Where("PostalAddressStreetName", "=", ("vej 1",)),)
    assert SI in run(reg, dt.date(2014, 6, 1), where=where)
    assert SI not in run(reg, dt.date(2016, 6, 1), where=where)
    # OE2 moved under OE1 in 2020: it is under SI before and after, under OE1 only after
    assert OE2 in run(reg, dt.date(2019, 6, 1), under=(SI,))
    assert OE2 not in run(reg, dt.date(2019, 6, 1), under=(OE1,))
    assert run(reg, under=(OE1,)) == [OE2, OE1]


def test_ean_reads_the_resolved_state() -> None:
    reg = tiny_register()
    # OE2 says "inherited" but OE1 above it has none: nothing to inherit, so none
    assert OE2 in run(reg, ean=("none",)) and OE2 not in run(reg, ean=("inherited",))
    assert run(reg, ean=("own",)) == [OE3, IE]
    assert run(reg, ean=("inherited",)) == [SI]


def test_shak_prefix_and_direct() -> None:
    reg = tiny_register()
    assert run(reg, shak=("1234",)) == [OE2, OE3, SI, OE1]  # OE3 inherits SI's code
    assert run(reg, shak=("1234",), shak_direct=True) == [SI, OE1]
    assert run(reg, shak=("12340",)) == [OE2, OE1]


def test_text_is_literal_never_a_pattern() -> None:
    rows = [
        dict(SorId=make_sor_id(1), SorType="IE", EntityName="a.*b (x) 100% _'; DROP--"),
        dict(SorId=make_sor_id(2), SorType="IE", EntityName="aXXb"),
    ]
    reg = build(rows)
    for text in ("a.*b", "(x)", "100%", "_'; DROP--", "%", "'"):
        assert run(reg, text=text) == [make_sor_id(1)], text
    assert run(reg, text=".*") == [make_sor_id(1)]
    assert run(reg, where=(Where("EntityName", "~", ("[x]",)),)) == []
    assert run(reg, where=(Where("EntityName", "=", ("A.*B (X) 100% _'; drop--",)),)) == [
        make_sor_id(1)
    ]


def test_text_reads_ids_codes_and_towns() -> None:
    reg = tiny_register()
    assert run(reg, text=OE3[:6]) == [OE3]
    assert run(reg, text="579000017") == [IE, SI]  # SI: the EAN it inherits from its owner
    assert run(reg, text="aerø") == [OE2, OE1]
    assert run(reg, text="aarhus") == [OE3, IE, SI]


def test_split_values_and_where_parsing() -> None:
    assert split_values(" a, b ,,c ") == ("a", "b", "c")
    assert split_values(r"Hansen\, Jensen og Co,x") == ("Hansen, Jensen og Co", "x")
    assert parse_where("ShakId=") == Where("ShakId", "=", ())
    assert parse_where("EntityName~a=b") == Where("EntityName", "~", ("a=b",))
    assert parse_where("EntityName=x~y") == Where("EntityName", "=", ("x~y",))
    for bad in ("ShakId", "=x", "~x"):
        with pytest.raises(FindError) as err:
            parse_where(bad)
        assert err.value.kind == "usage"


def test_where_empty_means_without_a_value_and_contains_with_one() -> None:
    reg = tiny_register()
    assert run(reg, where=(Where("EanLocationCode", "=", ()),)) == [OE2, OE1, IE2]
    assert run(reg, where=(Where("EanLocationCode", "~", ()),)) == [OE3, IE, SI]


def test_errors_say_what_is_wrong() -> None:
    reg = tiny_register()
    cases = [
        (Filters(where=(Where("NoSuchColumn", "=", ("x",)),)), "usage", "Known columns"),
        (Filters(level=("XX",)), "usage", "level"),
        (Filters(status=("open",)), "usage", "status"),
        (Filters(ean=("maybe",)), "usage", "ean"),
        (Filters(postcode=("9000-1000",)), "usage", "backwards"),
        (Filters(under=(make_sor_id(99),)), "unknown", make_sor_id(99)),
        (Filters(edi_type=("1",)), "unknown", "EDI type"),
    ]
    for flt, kind, words in cases:
        with pytest.raises(FindError) as err:
            query(reg, DAY, flt)
        assert err.value.kind == kind and words in str(err.value.message)
        assert err.value.message.render("da") != err.value.message.render("en")


def test_a_column_the_file_lacks_matches_nothing_and_says_so() -> None:
    reg = tiny_register()  # no region, speciality or entity type values at all
    result = query(reg, DAY, Filters(region=("1084",), speciality=("x",)))
    assert len(result.ents) == 0
    notes = [str(n) for n in result.notes]
    assert len(notes) == 2 and all("no values" in n for n in notes)
    assert any("VisitingAddressRegionCode" in n for n in notes)
    assert any("PrioritizedEntitySpeciality8Name" in n for n in notes)
    again = query(reg, DAY, Filters(where=(Where("LocalCode", "=", ("x",)),)))
    assert len(again.notes) == 1 and "LocalCode" in str(again.notes[0])


def test_facets_count_over_the_other_filters() -> None:
    reg = tiny_register()
    result = query(reg, DAY, Filters(level=("OE",)), facets=["level", "status", "ean"])
    level = {v.code: v.count for v in result.facet_counts["level"]}
    assert level == {"IE": 2, "SI": 1, "OE": 3}  # level's own filter left out
    labels = {v.code: v.label for v in result.facet_counts["level"]}
    assert isinstance(labels["OE"], Message) and labels["OE"].render("da") == "Organisationsenhed"
    status = {v.code: v.count for v in result.facet_counts["status"]}
    assert status == {"active": 3}  # OE units of every status (none closed or future in 2021)
    ean = {v.code: v.count for v in result.facet_counts["ean"]}
    assert ean == {"own": 1, "none": 2}
    with pytest.raises(ValueError):
        query(reg, DAY, Filters(), facets=["nope"])


def test_a_chosen_value_stays_in_its_facet_at_zero() -> None:
    reg = tiny_register()
    result = query(reg, DAY, Filters(ean=("own",), level=("SI",)), facets=["ean"])
    counts = {v.code: v.count for v in result.facet_counts["ean"]}
    assert counts == {"inherited": 1, "own": 0}


def test_sort_by_any_column_nulls_last_ties_by_name() -> None:
    reg = tiny_register()
    ents = query(reg, DAY, Filters()).ents
    by_post = ids(reg, find.sort_units(reg, DAY, ents, "PostalAddressPostCodeId"))
    assert by_post == [OE2, OE1, OE3, IE, SI, IE2]  # 5970, 8000 (each by name), no value
    desc = ids(reg, find.sort_units(reg, DAY, ents, "PostalAddressPostCodeId", descending=True))
    assert desc == [OE3, IE, SI, OE2, OE1, IE2]
    assert ids(reg, find.sort_units(reg, DAY, ents, "sorid")) == sorted(ids(reg, ents), key=int)
    parent = ids(reg, find.sort_units(reg, DAY, ents, "ParentName"))
    # Region Testland, Testhospital (twice), Ærø afdeling, then the owners without a parent
    assert parent == [SI, OE3, OE1, OE2, IE, IE2]


def test_count_by_counts_null_as_null() -> None:
    reg = tiny_register()
    ents = query(reg, DAY, Filters()).ents
    assert find.count_by(reg, DAY, ents, "EanLocationCode") == [
        {"value": None, "count": 3},
        {"value": "5790000173624", "count": 2},
        {"value": "5790000141227", "count": 1},
    ]
    assert find.count_by(reg, DAY, ents, "SorType") == [
        {"value": "OE", "count": 3},
        {"value": "IE", "count": 2},
        {"value": "SI", "count": 1},
    ]


def test_rows_and_the_two_column_schemes() -> None:
    reg = tiny_register()
    ents = np.array([reg.entity_index(OE3)])
    (row,) = find.rows(reg, DAY, ents, ["shakid", "EanLocationCode"])
    assert row == {
        "sor_id": OE3,
        "name": "anæstesi",
        "sor_type": "OE",
        "parent_sor_id": SI,
        "status": "active",
        "ShakId": "1234",
        "ShakIdSource": f"inherited:{SI}",
        "EanLocationCode": "5790000141227",
        "EanLocationCodeSource": "own",
    }
    header, rows = find.column_values(
        reg, DAY, ents, ["ShakId", "VisitingAddressStreetName"], "strict"
    )
    assert header == [
        "ShakId",
        "EffectiveShakId",
        "ShakIdSource",
        "VisitingAddressStreetName",
        "EffectiveVisitingAddressStreetName",
        "VisitingAddressSource",
    ]
    # OE3 has no ShakId of its own: the file's column stays empty in the strict scheme
    assert rows == [
        [None, "1234", f"inherited:{SI}", None, "Vej 2", f"inherited:{IE}:postal_address"]
    ]


def test_expand_columns() -> None:
    assert expand_columns(["SorId", "ShakId", "EntityName"]) == [
        "SorId",
        "ShakId",
        "ShakIdSource",
        "EntityName",
    ]
    assert expand_columns(["PostalAddressStreetName", "SorId", "PostalAddressPostCodeId"]) == [
        "PostalAddressStreetName",
        "SorId",
        "PostalAddressPostCodeId",
        "PostalAddressSource",
    ]
    assert expand_columns(["ShakId", "ShakIdSource"], "strict") == [
        "ShakId",
        "EffectiveShakId",
        "ShakIdSource",
    ]
    assert expand_columns(["SorId", "SorId"]) == ["SorId"]


def test_derived_names() -> None:
    reg = tiny_register()
    ents = np.array([reg.entity_index(x) for x in (OE2, IE)])
    dc = day_columns(reg, DAY)
    assert dc.values("ParentName", ents).to_pylist() == ["Ærø afdeling", None]
    assert dc.values("Status", ents).to_pylist() == ["active", "active"]


def build(rows: list[dict[str, str]]) -> Register:
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables={},
        source=SourceInfo(path="built", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


def test_a_chain_5000_deep() -> None:
    """Depth is data: `under` and the provenance columns on a 5,000-deep chain."""
    n = 5000
    chain = [make_sor_id(i + 1) for i in range(n)]
    rows = [
        dict(
            SorId=sid,
            SorType="IE" if i == 0 else "OE",
            EntityName=f"Enhed {i:05d}",
            FromDate="2010-01-01",
            ParentSorId=chain[i - 1] if i else "",
            PostalAddressInheritanceIndicator="true" if i else "false",
            PostalAddressPostCodeId="" if i else "0800",
        )
        for i, sid in enumerate(chain)
    ]
    reg = build(rows)
    assert run(reg, under=(chain[0],)) == chain
    assert run(reg, under=(chain[4000],)) == chain[4000:]
    assert run(reg, where=(Where("PostalAddressPostCodeId", "=", ("0800",)),)) == chain
    assert run(reg, postcode=("0800",)) == chain[1:]  # the owner has no visiting address
    ents = np.array([reg.entity_index(chain[-1])])
    (row,) = find.rows(reg, DAY, ents, ["PostalAddressPostCodeId"])
    assert row["PostalAddressPostCodeId"] == "0800"
    assert row["PostalAddressSource"] == f"inherited:{chain[0]}"
