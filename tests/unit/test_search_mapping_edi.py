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


# --- folding both ways, words in any order (issue 13, "Search") --------------------------


def _words_register() -> object:
    return tiny_register(
        _renamed(
            {
                OE1: "Øjenafdelingen",
                OE2: "Kirurgisk Sengeafsnit B3",
                OE3: "Ærø Tandklinik",
                SI: "Århus Sygehus",
            }
        )
    )


def test_every_spelling_of_the_danish_letters_finds_the_unit() -> None:
    reg = _words_register()
    for text, want in (
        ("ojen", OE1),
        ("oejen", OE1),
        ("øjen", OE1),
        ("ØJENAFDELINGEN", OE1),
        ("aero tand", OE3),
        ("ærø tand", OE3),
        ("århus syg", SI),
        ("aarhus syg", SI),
        ("arhus sygehus", SI),
    ):
        assert [r["sor_id"] for r in reg.search(text, DAY)] == [want], text  # type: ignore[attr-defined]
    # a name first, then a town (the register's owner sits in Aarhus C)
    for text in ("århus", "aarhus", "arhus", "AARHUS"):
        res = reg.search(text, DAY)  # type: ignore[attr-defined]
        assert [(r["sor_id"], r["matched"]) for r in res] == [
            (SI, "EntityName"),
            (IE, "PostalAddressDistrictName"),
        ], text
    # the unit named Ærø first, then the one in the town Ærøskøbing
    res = reg.search("aeroe", DAY)  # type: ignore[attr-defined]
    assert [(r["sor_id"], r["matched"]) for r in res] == [
        (OE3, "EntityName"),
        (OE1, "PostalAddressDistrictName"),
    ]


def test_words_in_any_order_each_starting_a_word() -> None:
    reg = _words_register()
    for text in ("sengeafsnit B3 kirurgisk", "b3 kir seng", "Kirurgisk-Sengeafsnit"):
        res = reg.search(text, DAY)  # type: ignore[attr-defined]
        assert [r["sor_id"] for r in res] == [OE2], text
        assert res[0]["matched"] == "EntityName"
    # every word must match: one that matches nothing finds nothing
    assert reg.search("sengeafsnit b4", DAY) == []  # type: ignore[attr-defined]
    # a word of three letters or more may sit inside a word (Danish compounds) ...
    assert [r["sor_id"] for r in reg.search("afsnit", DAY)] == [OE2]  # type: ignore[attr-defined]
    # ... a shorter one only starts words ("nit" is inside "sengeafsnit", "it" is not)
    assert reg.search("it", DAY) == []  # type: ignore[attr-defined]
    assert [r["sor_id"] for r in reg.search("nit", DAY)] == [OE2]  # type: ignore[attr-defined]


def test_a_name_in_the_typed_order_comes_before_the_same_words_in_another() -> None:
    reg = tiny_register(_renamed({OE1: "Sengeafsnit Kirurgisk", OE2: "Kirurgisk Sengeafsnit"}))
    res = reg.search("kirurgisk seng", DAY)
    assert [r["sor_id"] for r in res] == [OE2, OE1]


def test_ids_and_codes_are_not_folded_and_mix_with_words() -> None:
    reg = _words_register()
    # a SHAK code, a postcode and a name word in one query
    assert [r["sor_id"] for r in reg.search("8000 region", DAY)] == [IE]
    res = reg.search("123401", DAY)
    assert res[0] == {
        "sor_id": OE1,
        "name": "Øjenafdelingen",
        "sor_type": "OE",
        "matched": "ShakId",
    }
    assert [r["sor_id"] for r in reg.search(IE, DAY)] == [IE]


def test_find_text_follows_the_search_rule() -> None:
    from sorviewer.find import Filters, query

    reg = _words_register()

    def found(text: str) -> list[str]:
        return sorted(str(reg.ids[e]) for e in query(reg, DAY, Filters(text=text)).ents)  # type: ignore[attr-defined]

    assert found("oejen") == found("øjen") == [OE1]
    assert found("sengeafsnit B3 kirurgisk") == [OE2]
    assert found("aarhus syg") == [SI]
    # the tree filter asks search's own question
    ents, _keep = match_with_ancestors(reg, reg.snapshot(DAY), "b3 kirurgisk")  # type: ignore[attr-defined]
    assert [str(reg.ids[e]) for e in ents] == [OE2]  # type: ignore[attr-defined]


def test_an_ean_finds_its_owner_first_then_the_units_inheriting_it() -> None:
    from sorviewer.search import ean_sources, find

    reg = tiny_register()
    snap = reg.snapshot(DAY)
    ean = "5790000173624"  # the owner's number; the hospital inherits it
    for text in (ean, ean[:6]):
        ents, cols = find(reg, snap, text)
        got = [str(reg.ids[e]) for e in ents]
        assert IE in got and SI in got, text
        assert set(cols) == {"EanLocationCode"}
        assert got[0] == IE or text != ean
        sources = dict(zip(got, ean_sources(reg, snap, ents), strict=True))
        assert sources[IE] == ("own", IE)
        assert sources[SI] == ("inherited", IE)
    # the exact tier holds the owner only
    assert reg.search(ean, DAY)[0]["sor_id"] == IE
