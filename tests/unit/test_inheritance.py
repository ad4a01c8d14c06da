"""Provenance of inheritable groups and effective attributes."""

from __future__ import annotations

import datetime as dt

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
