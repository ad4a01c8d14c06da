"""Provenance of inheritable groups and effective attributes."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sorviewer import Register
from tests.unit.tiny import IE, OE1, OE2, OE3, SI, tiny_register

DAY = dt.date(2021, 1, 1)


def test_postal_inherited_from_parent_and_visiting_from_own_postal() -> None:
    reg = tiny_register()
    si = reg.entity(SI, DAY)
    assert si["provenance"]["postal_address"] == {
        "state": "inherited",
        "from_sor_id": IE,
        "from_group": None,
    }
    assert si["attributes"]["PostalAddressStreetName"] == "Vej 2"  # the owner's current value
    assert si["provenance"]["visiting_address"] == {
        "state": "inherited",
        "from_sor_id": IE,
        "from_group": "postal_address",
    }
    assert si["attributes"]["VisitingAddressStreetName"] == "Vej 2"


def test_inherited_value_follows_the_parent_version_at_the_date() -> None:
    reg = tiny_register()
    # No new SI version when the owner changed its address on 2015-01-01
    assert reg.entity(SI, dt.date(2014, 6, 1))["attributes"]["PostalAddressStreetName"] == "Vej 1"


def test_activity_chain_and_own_postal() -> None:
    reg = tiny_register()
    oe1 = reg.entity(OE1, DAY)
    assert oe1["provenance"]["postal_address"]["state"] == "own"
    assert oe1["provenance"]["postal_address"]["from_sor_id"] == OE1
    act = oe1["provenance"]["activity_address"]
    assert act == {"state": "inherited", "from_sor_id": OE1, "from_group": "postal_address"}
    assert oe1["attributes"]["ActivityAddressDistrictName"] == "Ærøskøbing"


def test_ean_own_inherited_none() -> None:
    reg = tiny_register()
    assert reg.entity(IE, DAY)["provenance"]["ean_location_code"]["state"] == "own"
    si = reg.entity(SI, DAY)
    assert si["provenance"]["ean_location_code"] == {
        "state": "inherited",
        "from_sor_id": IE,
        "from_group": None,
    }
    assert si["attributes"]["EanLocationCode"] == "5790000173624"
    assert reg.entity(OE1, DAY)["provenance"]["ean_location_code"]["state"] == "none"
    # OE2 inherits from OE1, which has none: nothing to inherit
    assert reg.entity(OE2, DAY)["provenance"]["ean_location_code"]["state"] == "none"
    assert reg.entity(OE3, DAY)["attributes"]["EanLocationCode"] == "5790000141227"


def test_shak_direct_and_inherited_derived() -> None:
    reg = tiny_register()
    assert reg.entity(SI, DAY)["provenance"]["shak"]["state"] == "own"
    oe3 = reg.entity(OE3, DAY)
    assert oe3["provenance"]["shak"] == {
        "state": "inherited",
        "from_sor_id": SI,
        "from_group": None,
    }
    assert oe3["attributes"]["ShakId"] == "1234"
    assert reg.entity(OE2, DAY)["attributes"]["ShakId"] == "123401"
    assert reg.entity(IE, DAY)["provenance"]["shak"]["state"] == "none"


def test_virtual_inherited_from_owner() -> None:
    reg = tiny_register()
    oe2 = reg.entity(OE2, DAY)
    assert oe2["provenance"]["virtual_address"]["from_sor_id"] == IE
    assert oe2["attributes"]["VirtualAddressTelephoneNumber"] == "11111111"


# --- SHAK provenance checked against the tree --------------------------------------------


def _mapped_register() -> tuple[Register, list[str]]:
    """An owner with two hospitals; SHAKSORMap rows that name the right direct unit, one
    that is not above the unit, and ones that name a unit that is not in the file."""
    from sorviewer.ids import make_sor_id
    from sorviewer.register import RawData, SourceInfo
    from sorviewer.report import LoadReport

    ie, h1, h2, a1, a2, a3, a4, a5, gone = (make_sor_id(n) for n in range(40, 49))
    a6 = make_sor_id(49)

    def unit(sid: str, parent: str | None, name: str) -> dict[str, str]:
        row = dict(SorId=sid, EntityName=name, FirstFromDate="2010-01-01", FromDate="2010-01-01")
        row["SorType"] = "IE" if parent is None else ("SI" if parent == ie else "OE")
        if parent:
            row["ParentSorId"] = parent
        return row

    ents = [
        unit(ie, None, "Region"),
        unit(h1, ie, "Hospital 1"),
        unit(h2, ie, "Hospital 2"),
        unit(a1, h1, "Afd 1"),  # inherits 1111 from h1: the map says so
        unit(a2, h1, "Afd 2"),  # the map says 1111 comes from h2: wrong, h1 has it
        unit(a3, h2, "Afd 3"),  # the map says 1111 comes from h1: wrong, and h2 lacks it
        unit(a4, h2, "Afd 4"),  # 2222 from a unit not in the file; h2 has 2222 itself
        unit(a5, h1, "Afd 5"),  # 3333 from a unit not in the file; nobody has 3333
        unit(a6, h1, "Afd 6"),  # 4444 from h1, which is above but does not have 4444
    ]

    def m(code: str, sor: str, direct_sor: str | None) -> dict[str, str | None]:
        return dict(
            ShakId=code,
            SorId=sor,
            IsDirectSorShakMapping="FALSE" if direct_sor else "TRUE",
            ShakIdsDirectSorId=direct_sor,
            FromDate="2010-01-01",
            ToDate=None,
        )

    rows = [
        m("1111", h1, None),
        m("2222", h2, None),
        m("1111", a1, h1),
        m("1111", a2, h2),
        m("1111", a3, h1),
        m("2222", a4, gone),
        m("3333", a5, gone),
        m("4444", a6, h1),
    ]
    raw = RawData(
        entities=pd.DataFrame(ents).astype("string[pyarrow]"),
        tables={"SHAKSORMap": pd.DataFrame(rows).astype("string[pyarrow]")},
        source=SourceInfo(path="mapped", format="sor2-zip", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw), [h1, h2, a1, a2, a3, a4, a5, gone, a6]


def test_shak_holder_named_by_the_file_is_checked_against_the_tree() -> None:
    reg, (h1, h2, a1, a2, a3, _a4, _a5, _gone, _a6) = _mapped_register()
    assert reg.entity(h1, DAY)["provenance"]["shak"]["state"] == "own"
    v1 = reg.entity(a1, DAY)
    assert v1["provenance"]["shak"] == {"state": "inherited", "from_sor_id": h1, "from_group": None}
    assert "problems" not in v1
    # the file names h2, which is not above a2; h1 above it has the code itself
    v2 = reg.entity(a2, DAY)
    assert v2["provenance"]["shak"]["from_sor_id"] == h1
    assert v2["problems"] == [
        f"The SHAK map attaches code 1111 to {h2}, which is not above this unit on this "
        f"date; the nearest unit above with the code, {h1}, is shown."
    ]
    # nothing above a3 has 1111: the file's unit is kept, and the problem is said
    v3 = reg.entity(a3, DAY)
    assert v3["provenance"]["shak"]["from_sor_id"] == h1
    assert v3["attributes"]["ShakId"] == "1111"
    assert v3["problems"] == [
        f"The SHAK map attaches code 1111 to {h1}, which is not above this unit on this "
        "date, and no unit above has the code itself."
    ]


def test_shak_holder_not_in_the_file_is_never_a_null_inheritance() -> None:
    reg, (h1, h2, _a1, _a2, _a3, a4, a5, gone, a6) = _mapped_register()
    v4 = reg.entity(a4, DAY)
    assert v4["provenance"]["shak"]["from_sor_id"] == h2  # h2 has 2222 itself
    assert v4["problems"] == [
        f"The SHAK map attaches code 2222 to {gone}, which is not in the file; the nearest "
        f"unit above with the code, {h2}, is shown."
    ]
    # the unit the map names is above, but does not have the code itself: said so
    v6 = reg.entity(a6, DAY)
    assert v6["provenance"]["shak"]["from_sor_id"] == h1
    assert v6["problems"] == [
        f"The SHAK map attaches code 4444 to {h1}, which does not have the code itself on "
        "this date, and no unit above has the code itself."
    ]
    v5 = reg.entity(a5, DAY)
    assert v5["provenance"]["shak"] == {
        "state": "inherited",
        "from_sor_id": gone,
        "from_group": None,
    }
    assert v5["problems"] == [
        f"The SHAK map attaches code 3333 to {gone}, which is not in the file, and no "
        "unit above has the code itself."
    ]


def test_shak_checks_agree_with_the_bulk_export() -> None:
    import numpy as np

    from sorviewer.export import export_views

    reg, _ids = _mapped_register()
    views = export_views(reg, DAY, np.arange(len(reg.ids)))
    assert views == [reg.entity(str(sid), DAY) for sid in reg.ids]
    assert sum("problems" in v for v in views) == 5
