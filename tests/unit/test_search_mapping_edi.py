"""Search, SHAK/SOR mapping and EDI recipients on the tiny register."""

from __future__ import annotations

import datetime as dt

from sorviewer.mapping import shak_to_sor, sor_to_shak
from sorviewer.search import match_with_ancestors
from tests.unit.tiny import IE, IE2, OE1, OE2, OE3, SI, tiny_register

DAY = dt.date(2021, 1, 1)


def test_search_is_accent_and_case_insensitive() -> None:
    reg = tiny_register()
    for text in ("aeroe", "ÆRØ", "Ærø", "aerø"):
        assert [r["sor_id"] for r in reg.search(text, DAY)] == [OE1], text


def test_search_tiers_exact_id_first_then_prefix() -> None:
    reg = tiny_register()
    res = reg.search("1234", DAY)
    assert res[0] == {"sor_id": SI, "name": "Testhospital", "sor_type": "SI", "matched": "ShakId"}
    assert res[1]["sor_id"] == OE1  # SHAK prefix 123401
    assert reg.search(OE1, DAY)[0]["matched"] == "SorId"
    assert reg.search("8000", DAY)[0]["matched"] == "PostalAddressPostCodeId"
    assert reg.search("aarhus", DAY)[0]["matched"] == "PostalAddressDistrictName"
    assert reg.search("", DAY) == []
    assert reg.search("akut", dt.date(2023, 1, 1)) == []  # closed units are not found


def test_filter_keeps_ancestors() -> None:
    reg = tiny_register()
    ents, keep = match_with_ancestors(reg, reg.snapshot(DAY), "akut")
    kept = {str(reg.ids[i]) for i in keep.nonzero()[0]}
    assert kept == {OE2, OE1, SI, IE}
    assert [str(reg.ids[i]) for i in ents] == [OE2]


def test_shak_both_directions() -> None:
    reg = tiny_register()
    assert shak_to_sor(reg, "1234", DAY) == [
        {"sor_id": SI, "name": "Testhospital", "direct": True, "direct_sor_id": SI},
        {"sor_id": OE3, "name": "anæstesi", "direct": False, "direct_sor_id": SI},
    ]
    assert shak_to_sor(reg, "9999", DAY) is None
    assert {r["sor_id"] for r in shak_to_sor(reg, "1234", DAY, prefix=True) or []} == {
        SI,
        OE1,
        OE2,
        OE3,
    }
    assert sor_to_shak(reg, OE2, DAY) == [
        {"shak_id": "123401", "name": None, "direct": False, "direct_sor_id": OE1}
    ]
    assert sor_to_shak(reg, IE, DAY) == []
    assert sor_to_shak(reg, "123", DAY) is None


# --- folding and tiers -----------------------------------------------------------------

FOLD_CASES = [
    "François",
    "Zoë",
    "Crème brûlée",
    "ÆRØ Ålborg",
    "Øster Åby",
    "Müller-Lüdenscheidt",
    "Straße",
    "ﬁnn",
    "Ångström",
    "ΣΟΦΊΑ ς",
    "İstanbul",
    "½ pris",
    "\u212aelvin",  # the Kelvin sign lowers to a plain k
    "Ærø\u2019s – ﬃ",  # curly apostrophe, en dash, a ligature beside Danish letters
    "Cafe\u0301",  # e + combining acute, already decomposed
    "x\u034fy",  # a combining grapheme joiner: not a combining class mark
    "",
    "plain ascii 123",
]


def test_data_folding_equals_query_folding() -> None:
    import pyarrow as pa

    from sorviewer.text import fold_array, fold_text

    got = fold_array(pa.array(FOLD_CASES, type=pa.string())).to_pylist()
    assert got == [fold_text(t) for t in FOLD_CASES]
    chunked = pa.chunked_array([FOLD_CASES[:5], FOLD_CASES[5:]], type=pa.string())
    assert fold_array(chunked).to_pylist() == [fold_text(t) for t in FOLD_CASES]


def _renamed(names: dict[str, str]) -> list[dict[str, str]]:
    from tests.unit import tiny

    rows = [dict(r) for r in tiny.ROWS]
    for r in rows:
        if r["SorId"] in names:
            r["EntityName"] = names[r["SorId"]]
    return rows


def test_search_finds_accented_names_typed_exactly_or_plain() -> None:
    reg = tiny_register(_renamed({OE1: "François Klinik", OE3: "Zoë Praksis", SI: "Crème Afsnit"}))
    for text, want in (
        ("François", OE1),
        ("francois", OE1),
        ("FRANÇOIS KLINIK", OE1),
        ("Zoë", OE3),
        ("zoe", OE3),
        ("Crème", SI),
        ("creme afsnit", SI),
    ):
        assert [r["sor_id"] for r in reg.search(text, DAY)] == [want], text


def test_search_has_three_tiers_each_by_danish_name() -> None:
    reg = tiny_register(
        _renamed(
            {
                IE: "Sygehus Klinik",  # a word of the name starts with the query
                SI: "Klinikken",  # name prefix
                OE1: "Poliklinik",  # the name contains the query
                OE3: "Ældre klinik",  # word start; æ sorts after z
            }
        )
    )
    res = reg.search("klinik", DAY)
    assert [(r["sor_id"], r["matched"]) for r in res] == [
        (SI, "EntityName"),
        (OE1, "EntityName"),
        (IE, "EntityName"),
        (OE3, "EntityName"),
        (IE2, "EntityName"),  # "Øster Klinik" of the tiny register
    ]
    # exact ids first, then name prefixes, then the rest (a SHAK prefix, a name that
    # merely contains the code), each tier by name
    reg = tiny_register(_renamed({OE3: "Afsnit 1234", IE: "1234 Region"}))
    res = reg.search("1234", DAY)
    assert [(r["sor_id"], r["matched"]) for r in res] == [
        (SI, "ShakId"),
        (IE, "EntityName"),
        (OE3, "EntityName"),
        (OE1, "ShakId"),
    ]
    # the answer is memoised per snapshot, and a copy is handed out each time
    snap = reg.snapshot(DAY)
    from sorviewer.search import find

    first, _ = find(reg, snap, "1234")
    first[:] = -1
    again, cols = find(reg, snap, "1234")
    assert [str(reg.ids[e]) for e in again] == [SI, IE, OE3, OE1]
    assert cols[0] == "ShakId"

    def not_again() -> None:
        raise AssertionError("the answer was computed again")

    cached_ents, _cols = snap.answer(("find", "1234"), not_again)
    assert [str(reg.ids[e]) for e in cached_ents] == [SI, IE, OE3, OE1]


def test_nsp_style_open_shak_rows_end_when_the_next_row_of_the_key_starts() -> None:
    """NSP copies leave ToDate empty on superseded SHAKSORMap rows (docs/FORMATS.md, "How
    versions are closed"): the old row ends the day before the next row of the same
    (ShakId, SorId) starts."""
    import pandas as pd

    from sorviewer import Register
    from sorviewer.register import RawData, SourceInfo
    from sorviewer.report import LoadReport
    from tests.unit import tiny

    rows = [dict(r) for r in tiny.ROWS]
    for r in rows:  # OE3 moves from SI to OE1 on 2020-01-01
        if r["SorId"] == OE3:
            r["ToDate"] = "2019-12-31"
    rows.append({**next(r for r in rows if r["SorId"] == OE3), "FromDate": "2020-01-01"})
    rows[-1].pop("ToDate")
    rows[-1]["ParentSorId"] = OE1
    shak = pd.DataFrame(
        [
            dict(ShakId="1234", SorId=SI, IsDirectSorShakMapping="TRUE", FromDate="2010-01-01"),
            dict(ShakId="9999", SorId=OE1, IsDirectSorShakMapping="TRUE", FromDate="2010-01-01"),
            # the units the inherited rows name have the code themselves (else `show`
            # says the map is wrong: the source of a value must hold it)
            dict(ShakId="7777", SorId=SI, IsDirectSorShakMapping="TRUE", FromDate="2010-01-01"),
            dict(ShakId="7777", SorId=OE1, IsDirectSorShakMapping="TRUE", FromDate="2010-01-01"),
            dict(
                ShakId="7777",
                SorId=OE3,
                IsDirectSorShakMapping="FALSE",
                ShakIdsDirectSorId=SI,
                FromDate="2010-01-01",
            ),
            dict(
                ShakId="7777",
                SorId=OE3,
                IsDirectSorShakMapping="FALSE",
                ShakIdsDirectSorId=OE1,
                FromDate="2020-01-01",
            ),
        ]
    ).astype("string[pyarrow]")
    raw = RawData(
        entities=pd.DataFrame(rows).astype("string[pyarrow]"),
        tables={"SHAKSORMap": shak},
        source=SourceInfo(path="nsp", format="sor2-zip", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    reg = Register.build(raw)
    assert [r["direct_sor_id"] for r in sor_to_shak(reg, OE3, dt.date(2019, 6, 1)) or []] == [SI]
    assert [r["direct_sor_id"] for r in sor_to_shak(reg, OE3, DAY) or []] == [OE1]
    assert reg.entity(OE3, DAY)["provenance"]["shak"]["from_sor_id"] == OE1
    assert "problems" not in reg.entity(OE3, DAY)
