"""Search, SHAK/SOR mapping and EDI recipients on the tiny register."""

from __future__ import annotations

import datetime as dt

from sorviewer.mapping import shak_to_sor, sor_to_shak
from sorviewer.search import match_with_ancestors
from tests.unit.tiny import IE, OE1, OE2, OE3, SI, tiny_register

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
