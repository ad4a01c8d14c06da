"""The SOR XML reader against the real sample cuts, and against damaged or hostile XML."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sorviewer import Register
from sorviewer.errors import LoadCancelled, LoadError
from sorviewer.formats.sor_xml import looks_like_sor_xml, read_xml
from sorviewer.mapping import sor_to_shak
from sorviewer.register import RawData
from sorviewer.report import LoadReport
from sorviewer.schema import SOR_ENTITY_COLUMNS
from tests.conftest import SAMPLES

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples folder absent")

V1 = SAMPLES / "sor_xml_v1.0.0"
V2 = SAMPLES / "sor_xml_v2.0.0"
SYGEHUS = V1 / "ONE_SYGEHUS.xml"
APOTEK = V1 / "ONE_APOTEK.xml"
PRAKSIS = V1 / "ONE_PRAKSIS.xml"
SMALL = V2 / "Sor_small.xml"
REAL_ZIP = SAMPLES / "sor_xml_v1_real.zip"

NS1 = "urn:oio:sundhedsstyrelsen:organisation:1.0.0"
SNAP_2010 = dt.date(2010, 1, 26)
SNAP_2019 = dt.date(2019, 4, 12)


def read_bytes(data: bytes, **kw: object) -> RawData:
    return read_xml(io.BytesIO(data), path="Sor.xml", size=len(data), report=LoadReport(), **kw)  # type: ignore[arg-type]


def read_path(path: Path) -> RawData:
    with open(path, "rb") as f:
        return read_xml(f, path=str(path), size=path.stat().st_size, report=LoadReport())


def read_zip(path: Path) -> RawData:
    with zipfile.ZipFile(path) as zf, zf.open("Sor.xml") as member:
        return read_xml(
            member,
            path=str(path),
            size=zf.getinfo("Sor.xml").file_size,
            report=LoadReport(),
        )


def ids(raw: RawData) -> list[str]:
    return raw.entities["SorId"].tolist()


def row(raw: RawData, sor_id: str) -> dict[str, object]:
    e = raw.entities
    rec = e.loc[e["SorId"] == sor_id].iloc[0]
    return {k: (None if v is pd.NA else v) for k, v in rec.items()}


# --- counts and shapes of the real samples ------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (SYGEHUS, ["347801000016001", "347811000016004", "347821000016008", "347831000016005"]),
        (APOTEK, ["306011000016003", "306021000016007", "306031000016009"]),
        (PRAKSIS, ["8321000016007", "8331000016009", "8341000016002"]),
        (SMALL, ["698471000016005", "698481000016007", "698491000016009", "6984910000160091"]),
    ],
)
def test_each_sample_gives_its_units_in_document_order(path: Path, expected: list[str]) -> None:
    raw = read_path(path)
    assert ids(raw) == expected
    assert raw.entities["SorType"].tolist() == ["IE", "SI"] + ["OE"] * (len(expected) - 2)
    # the hierarchy is the nesting; in these cuts each unit sits inside the one before it
    parents = raw.entities["ParentSorId"].tolist()
    assert parents[0] is pd.NA
    assert parents[1:] == expected[:-1]


def test_real_zip_has_ten_units_under_three_owners() -> None:
    raw = read_zip(REAL_ZIP)
    e = raw.entities
    assert len(e) == 10
    assert e["SorId"].nunique() == 10
    owners = e.loc[e["SorType"] == "IE", "SorId"].tolist()
    assert owners == ["347801000016001", "306011000016003", "8321000016007"]
    assert e.loc[e["SorType"] == "IE", "ParentSorId"].isna().all()
    assert (e["SorType"] == "SI").sum() == 3 and (e["SorType"] == "OE").sum() == 4
    reg = Register.build(raw)
    assert sorted(reg.roots(SNAP_2010)) == sorted(owners)
    assert reg.children("306011000016003", SNAP_2010) == ["306021000016007"]
    assert raw.source.table_rows["Sor"] == 10


def test_source_info_and_frame_conventions() -> None:
    raw = read_path(SYGEHUS)
    src = raw.source
    assert (src.format, src.format_version, src.snapshot_date, src.has_history) == (
        "sor-xml",
        "1.0.0",
        SNAP_2010,
        False,
    )
    assert raw.inheritance == "xml"
    cols = list(raw.entities.columns)
    assert cols[: len(SOR_ENTITY_COLUMNS)] == list(SOR_ENTITY_COLUMNS)
    for c in cols:
        if c == "__line__":
            assert raw.entities[c].dtype.kind == "i"
        else:
            assert str(raw.entities[c].dtype) == "string", c
            assert raw.entities[c].dtype.storage == "pyarrow"
    # __line__ is the line of the unit element in the file
    text = SYGEHUS.read_text(encoding="utf-8-sig").splitlines()
    for sid, line in zip(ids(raw), raw.entities["__line__"], strict=True):
        assert sid in text[line] or sid in text[line - 1] or sid in text[line + 1]


def test_both_versions_are_recognised() -> None:
    assert read_path(APOTEK).source.format_version == "1.0.0"
    small = read_path(SMALL)
    assert small.source.format_version == "2.0.0"
    assert small.source.snapshot_date == SNAP_2019


def test_v1_fields_map_to_sor2_columns() -> None:
    raw = read_path(SYGEHUS)
    ie = row(raw, "347801000016001")
    assert ie["EntityName"] == "Roskilde Øjenklinik"
    assert ie["EntityTypeId"] == "550891000005100"
    assert ie["EntityTypeName"] == "Privat"
    assert ie["PostalAddressStreetName"] == "Hestetorvet"
    assert ie["PostalAddressStreetBuildingId"] == "8"
    assert ie["PostalAddressPostCodeId"] == "4000"
    assert ie["PostalAddressDistrictName"] == "Roskilde"
    assert ie["PostalAddressCountryIdCode"] == "DK"
    assert ie["VirtualAddressEmailAddress"] == "J.Thulesen@dadlnet.dk"
    assert ie["VirtualAddressWebsite"] == "www.roskildeojenklinik.dk"
    assert ie["VirtualAddressTelephoneNumber"] == "46361266"
    assert (ie["FromDate"], ie["UpdatedAt"], ie["FirstFromDate"], ie["ToDate"]) == (
        "2009-10-08",
        "2009-10-01",
        "2009-10-08",
        None,
    )
    assert ie["EanLocationCodeState"] == "none"
    si = row(raw, "347811000016004")
    assert si["ShakId"] == "2529"
    assert si["EntityTypeName"] == "Hospital"
    assert si["InstitutionOwnerSorId"] == "347801000016001"
    assert si["InstitutionOwnerEntityName"] == "Roskilde Øjenklinik"
    assert si["PostalAddressInheritanceIndicator"] == "true"
    assert si["GeographicalParentRelation"] == "1"
    oe = row(raw, "347831000016005")
    assert oe["ShakId"] == "2529010"
    assert oe["EntityTypeId"] == "550851000005109"
    assert oe["HealthInstitutionSorId"] == "347811000016004"
    assert oe["HealthInstitutionEntityTypeName"] == "Hospital"
    assert oe["PrioritizedEntitySpeciality1Id"] == "394594003"
    assert oe["PrioritizedEntitySpeciality1TypeId"] == "51000095001"
    assert (oe["AmbulantActivityIndicator"], oe["PatientsAdmittedIndicator"]) == ("true", "true")
    assert oe["ReportingLevelIndicator"] == "true"
    assert row(raw, "347821000016008")["AmbulantActivityIndicator"] == "false"

    apotek = read_path(APOTEK)
    ie = row(apotek, "306011000016003")
    assert ie["EanLocationCode"] == "5790000173624"
    assert ie["EanLocationCodeState"] == "own"
    assert ie["EanLocationCodeRegionId"] == "1084"
    assert ie["EanLocationCodeRegionName"] == "Region Hovedstaden"
    assert ie["EanLocationCodeSystemSupplierId"] == "1001000055001"
    assert ie["EanLocationCodeSystemTypeId"] == "221000045007"
    assert ie["EanLocationCodeCommunicationSupplierId"] == "41000035001"
    assert ie["EanLocationCodeEdiAdministratorId"] == "106"
    assert ie["VirtualAddressFaxNumber"] == "42484748"
    assert row(apotek, "306031000016009")["PharmacyId"] == "362,1"
    loc = apotek.tables["LocationsCode"]
    assert loc["EanLocationCode"].tolist() == ["5790000173624"]
    assert loc["FromDate"].tolist() == ["1995-02-20"]

    praksis = read_path(PRAKSIS)
    assert row(praksis, "8331000016009")["EntityName"] == "Michael Filtenborg & co"
    gp = row(praksis, "8341000016002")
    assert gp["ProviderId"] == "019062"  # leading zero kept
    assert gp["PrioritizedEntitySpeciality1Name"] == "almen medicin"


def test_v2_fields_and_swapped_prefixes() -> None:
    # Sor_small declares xkom = 2006/01/06 (AddressPostal) and xkom1 = 2005/03/15 (e-mail),
    # the other way round from 1.0.0; both must land in the same columns.
    raw = read_path(SMALL)
    ie = row(raw, "698471000016005")
    assert ie["EntityTypeId"] == "550891000005100"
    assert ie["InstitutionOwnerCvrNumberId"] == "35095748"
    assert ie["EanLocationCode"] == "5790002401473"
    assert ie["EanLocationCodeSystemSupplierId"] == "162"
    assert ie["EanLocationCodeRegionId"] == "1081"
    assert ie["PostalAddressStreetName"] == "Østergade"
    assert ie["PostalAddressMunicipalityCode"] == "0810"
    assert ie["PostalAddressStreetCode"] == "2277"
    assert ie["PostalAddressRegionCode"] == "1081"
    assert ie["PostalAddressCoordETRS89z32NMeasure"] == "6347032.450"
    assert ie["PostalAddressCoordETRS89z32EMeasure"] == "557481.680"
    si = row(raw, "698481000016007")
    assert si["VirtualAddressEmailAddress"] == "baadsgaardfodterapi@gmail.com"
    assert si["VisitingAddressStreetName"] == "Østergade"
    assert si["VisitingAddressInheritanceIndicator"] == "false"
    assert si["EanLocationCodeState"] == "inherited"
    assert si["InstitutionOwnerCvrNumberId"] == "35095748"
    assert si["EntityTypeName"] == "Fodterapeutklinik"
    # the hand-made nested OU is loaded, under its parent, without dates
    odd = row(raw, "6984910000160091")
    assert odd["ParentSorId"] == "698491000016009"
    assert odd["FromDate"] is None


def test_prefixes_are_never_used_for_matching() -> None:
    """Rename every prefix (and turn the default namespace into a prefix): same result."""
    data = SYGEHUS.read_bytes()
    swapped = (
        data.replace(b"xkom-1:", b"zz9:")
        .replace(b"xmlns:xkom-1=", b"xmlns:zz9=")
        .replace(b"xkom:", b"xkom-1:")
        .replace(b"xmlns:xkom=", b"xmlns:xkom-1=")
        .replace(b"dkcc2005:", b"q:")
        .replace(b"xmlns:dkcc2005=", b"xmlns:q=")
    )
    # default namespace -> prefix "s"
    swapped = re.sub(rb"<(/?)([A-Z]\w*)", rb"<\1s:\2", swapped)
    swapped = swapped.replace(b'xmlns="urn:oio', b'xmlns:s="urn:oio')
    assert b"<s:SorTree" in swapped and b"xkom-1:EmailAddressIdentifier" in swapped
    a = read_bytes(data).entities
    b = read_bytes(swapped).entities
    pd.testing.assert_frame_equal(a.drop(columns="__line__"), b.drop(columns="__line__"))


def test_bom_and_crlf_are_tolerated() -> None:
    data = APOTEK.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    plain = data[3:]
    crlf = data.replace(b"\n", b"\r\n")
    base = read_bytes(data).entities
    for variant in (plain, crlf, plain.replace(b"\n", b"\r\n")):
        assert looks_like_sor_xml(variant[:65536])
        got = read_bytes(variant).entities
        pd.testing.assert_frame_equal(base, got)
    small = SMALL.read_bytes()
    assert small.startswith(b"\xef\xbb\xbf") and b"\r\n" in small  # the real CRLF sample
    assert len(read_bytes(small).entities) == 4


def test_looks_like_sor_xml() -> None:
    for p in (SYGEHUS, APOTEK, PRAKSIS, SMALL):
        assert looks_like_sor_xml(p.read_bytes()[:65536])
    with zipfile.ZipFile(REAL_ZIP) as zf, zf.open("Sor.xml") as m:
        assert looks_like_sor_xml(m.read(65536))
    assert looks_like_sor_xml(SMALL.read_bytes().decode("utf-8-sig").encode("utf-16"))
    assert not looks_like_sor_xml(b"SorId;SorType;EntityName\r\n1;IE;x\r\n")
    assert not looks_like_sor_xml(b'<?xml version="1.0"?><html><body>SorTree</body></html>')
    assert not looks_like_sor_xml(b'<SorTree xmlns="urn:example:other"/>')
    assert not looks_like_sor_xml(b"")


# --- inheritance through the register -----------------------------------------------------


def test_inherited_postal_address_and_ean_resolve_from_the_owner() -> None:
    reg = Register.build(read_path(APOTEK))
    view = reg.entity("306031000016009", SNAP_2010)
    assert view is not None
    prov = view["provenance"]
    assert prov["postal_address"] == {
        "state": "inherited",
        "from_sor_id": "306011000016003",
        "from_group": None,
    }
    assert prov["ean_location_code"]["state"] == "inherited"
    assert prov["ean_location_code"]["from_sor_id"] == "306011000016003"
    assert prov["virtual_address"]["from_sor_id"] == "306011000016003"
    assert prov["visiting_address"] == {
        "state": "inherited",
        "from_sor_id": "306011000016003",
        "from_group": "postal_address",
    }
    attrs = view["attributes"]
    assert attrs["PostalAddressStreetName"] == "Bymidten"
    assert attrs["PostalAddressDistrictName"] == "Værløse"
    assert attrs["EanLocationCode"] == "5790000173624"
    assert attrs["VirtualAddressTelephoneNumber"] == "42482209"
    owner = reg.entity("306011000016003", SNAP_2010)
    assert owner is not None
    assert owner["provenance"]["postal_address"]["state"] == "own"
    assert owner["provenance"]["ean_location_code"]["state"] == "own"


def test_ean_false_indicator_means_no_location_number() -> None:
    reg = Register.build(read_path(SYGEHUS))
    for sid in ("347811000016004", "347821000016008", "347831000016005"):
        view = reg.entity(sid, SNAP_2010)
        assert view is not None
        assert view["provenance"]["ean_location_code"]["state"] == "none"
        assert view["attributes"]["EanLocationCode"] is None


def test_v2_own_and_inherited_addresses() -> None:
    reg = Register.build(read_path(SMALL))
    si = reg.entity("698481000016007", SNAP_2019)
    assert si is not None
    assert si["provenance"]["postal_address"]["state"] == "own"
    assert si["provenance"]["visiting_address"]["state"] == "own"
    assert si["provenance"]["ean_location_code"]["from_sor_id"] == "698471000016005"
    oe = reg.entity("698491000016009", SNAP_2019)
    assert oe is not None
    assert oe["provenance"]["postal_address"]["from_sor_id"] == "698481000016007"
    assert oe["provenance"]["virtual_address"]["from_sor_id"] == "698481000016007"
    assert oe["attributes"]["VirtualAddressEmailAddress"] == "baadsgaardfodterapi@gmail.com"
    assert oe["attributes"]["EanLocationCode"] == "5790002401473"


def test_shak_is_direct_or_derived_from_the_nearest_unit_above() -> None:
    reg = Register.build(read_path(SYGEHUS))
    assert sor_to_shak(reg, "347831000016005", SNAP_2010) == [
        {"shak_id": "2529010", "name": None, "direct": True, "direct_sor_id": "347831000016005"}
    ]
    # without its own code the section inherits its department's code
    data = SYGEHUS.read_bytes().replace(b"<ShakIdentifier>2529010</ShakIdentifier>", b"")
    reg2 = Register.build(read_bytes(data))
    assert sor_to_shak(reg2, "347831000016005", SNAP_2010) == [
        {"shak_id": "252901", "name": None, "direct": False, "direct_sor_id": "347821000016008"}
    ]
    view = reg2.entity("347831000016005", SNAP_2010)
    assert view is not None
    assert view["provenance"]["shak"]["state"] == "inherited"


def test_registers_from_every_sample_have_only_known_findings() -> None:
    found: dict[str, list[tuple[str, str, str | None]]] = {}
    for name, raw in (
        ("SYGEHUS", read_path(SYGEHUS)),
        ("APOTEK", read_path(APOTEK)),
        ("PRAKSIS", read_path(PRAKSIS)),
        ("SMALL", read_path(SMALL)),
        ("ZIP", read_zip(REAL_ZIP)),
    ):
        reg = Register.build(raw)
        assert not [r for r in reg.report.rows if r.severity == "error"], name
        found[name] = [(r.severity, r.kind, r.sor_id) for r in reg.report.rows]
    for name in ("SYGEHUS", "APOTEK", "PRAKSIS", "ZIP"):
        assert found[name] == [], name
    # Sor_small: the real ids pass the Verhoeff check (as the samples README says); the
    # hand-made node has a malformed id and no SorStatus.
    assert sorted(found["SMALL"]) == sorted(
        [
            ("warning", "bad_check_digit", "6984910000160091"),
            ("warning", "missing_status", "6984910000160091"),
        ]
    )


# --- lenient reading: unknown elements, deep nesting --------------------------------------


def test_unknown_elements_become_extra_columns_with_a_report_row() -> None:
    data = APOTEK.read_bytes().replace(
        b"<PharmacyIdentifier>362,1</PharmacyIdentifier>",
        b"<PharmacyIdentifier>362,1</PharmacyIdentifier><NewThing>abc</NewThing>"
        b"<NewBlock><Part>p1</Part></NewBlock>",
    )
    data = data.replace(
        b"<FirstFromDate>1995-02-20</FirstFromDate>",
        b"<FirstFromDate>1995-02-20</FirstFromDate><Checked>yes</Checked>",
    )
    report = LoadReport()
    raw = read_xml(io.BytesIO(data), path="x.xml", size=None, report=report)
    # a new field inside a known block gets one column at every level
    assert raw.entities["SorStatus.Checked"].tolist() == ["yes"] * 3
    assert row(raw, "306011000016003")["EanLocationCodeEntity.SorStatus.Checked"] == "yes"
    assert raw.entities["EanLocationCodeEntity.SorStatus.Checked"].isna().sum() == 2
    assert row(raw, "306031000016009")["NewThing"] == "abc"
    assert row(raw, "306031000016009")["NewBlock.Part"] == "p1"
    assert row(raw, "306011000016003")["NewThing"] is None
    cols = list(raw.entities.columns)
    assert cols.index("NewThing") >= len(SOR_ENTITY_COLUMNS)
    unknown = [r for r in report.rows if r.kind == "unknown_column"]
    assert {r.column for r in unknown} == {
        "NewThing",
        "NewBlock.Part",
        "SorStatus.Checked",
        "EanLocationCodeEntity.SorStatus.Checked",
    }
    assert all(r.line for r in unknown)


def test_organisational_units_nest_to_any_depth() -> None:
    def ou(sid: str, inner: str = "") -> str:
        return (
            f"<OrganizationalUnitEntity><OrganizationalUnit><SorIdentifier>{sid}</SorIdentifier>"
            f"<EntityName>U{sid}</EntityName><OptionalEanLocationCode><EntityInheritedIndicator>"
            "true</EntityInheritedIndicator></OptionalEanLocationCode><SorStatus><FromDate>"
            "2001-01-01</FromDate><FirstFromDate>2001-01-01</FirstFromDate></SorStatus>"
            f"</OrganizationalUnit>{inner}</OrganizationalUnitEntity>"
        )

    inner = ""
    chain = [str(100 + i) for i in range(8)]
    for sid in reversed(chain):
        inner = ou(sid, inner)
    data = APOTEK.read_bytes().replace(
        b"</HealthInstitutionEntity>", inner.encode() + b"</HealthInstitutionEntity>"
    )
    raw = read_bytes(data)
    e = raw.entities.set_index("SorId")
    assert e.loc["100", "ParentSorId"] == "306021000016007"
    for a, b in itertools.pairwise(chain):
        assert e.loc[b, "ParentSorId"] == a
        assert e.loc[b, "SorType"] == "OE"
        assert e.loc[b, "HealthInstitutionSorId"] == "306021000016007"
        assert e.loc[b, "InstitutionOwnerSorId"] == "306011000016003"
    reg = Register.build(raw)
    view = reg.entity("107", SNAP_2010)
    assert view is not None
    assert view["attributes"]["EanLocationCode"] == "5790000173624"
    assert view["provenance"]["postal_address"]["from_sor_id"] == "306011000016003"


# --- safety and damaged files --------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE SorTree [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0">
<InstitutionOwnerEntity><InstitutionOwner><SorIdentifier>347801000016001</SorIdentifier>
<EntityName>&d;</EntityName></InstitutionOwner></InstitutionOwnerEntity></SorTree>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE SorTree [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<SorTree xmlns="urn:oio:sundhedsstyrelsen:organisation:1.0.0">
<InstitutionOwnerEntity><InstitutionOwner><SorIdentifier>347801000016001</SorIdentifier>
<EntityName>&secret;</EntityName></InstitutionOwner></InstitutionOwnerEntity></SorTree>"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["bomb", "external"])
def test_entities_are_refused(data: bytes) -> None:
    assert looks_like_sor_xml(data)
    with pytest.raises(LoadError, match="declares entities") as info:
        read_bytes(data)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["bomb", "external"])
def test_entities_after_a_long_prolog_are_refused_too(data: bytes) -> None:
    # The DOCTYPE comes after 100 KB of comments, past the byte check of the head:
    # the parser's own view of the document type catches it.
    pad = b"<!--" + b"x" * 100_000 + b"-->\n"
    decl, rest = data.split(b"\n", 1)
    with pytest.raises(LoadError, match="declares entities"):
        read_bytes(decl + b"\n" + pad + rest)


def test_external_dtd_is_refused() -> None:
    data = SYGEHUS.read_bytes().replace(
        b"<SorTree", b'<!DOCTYPE SorTree SYSTEM "http://example.invalid/sor.dtd">\n<SorTree', 1
    )
    with pytest.raises(LoadError, match="external document type"):
        read_bytes(data)


def test_truncated_file_is_a_clear_load_error() -> None:
    data = SYGEHUS.read_bytes()
    for cut in (len(data) // 3, len(data) - 15):
        with pytest.raises(LoadError, match="truncated") as info:
            read_bytes(data[:cut])
        assert "\n" not in str(info.value)
        assert "Traceback" not in str(info.value)


def test_truncated_zip_member_is_a_load_error(tmp_path: Path) -> None:
    data = SYGEHUS.read_bytes()
    z = tmp_path / "sor.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Sor.xml", data[: len(data) // 2])
    with pytest.raises(LoadError, match="truncated"):
        read_zip(z)


def test_malformed_xml_is_a_clear_load_error() -> None:
    data = SYGEHUS.read_bytes().replace(b"</EntityName>", b"</EntityNam>", 1)
    with pytest.raises(LoadError, match=r"damaged at line 8") as info:
        read_bytes(data)
    assert str(info.value).count(".") >= 1 and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b'<?xml version="1.0"?><html><body>hello</body></html>', "not a SOR register"),
        (b'<SorTree xmlns="urn:example:other"><a/></SorTree>', "not a SOR register"),
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"SorId;SorType\r\n1;IE\r\n", "damaged"),
        (
            b'<SorTree xmlns="urn:oio:nsi:2.0.0"><SnapshotDate>2020-01-01</SnapshotDate></SorTree>',
            "no units",
        ),
    ],
)
def test_xml_that_is_not_sor_is_refused(data: bytes, pattern: str) -> None:
    with pytest.raises(LoadError, match=pattern):
        read_bytes(data)


# --- progress and cancellation ---------------------------------------------------------------


def big_file(copies: int) -> bytes:
    """The APOTEK owner block repeated: a file of about copies * 3.3 KB."""
    data = APOTEK.read_bytes()
    start = data.index(b"<InstitutionOwnerEntity>")
    end = data.index(b"</InstitutionOwnerEntity>") + len(b"</InstitutionOwnerEntity>")
    block = data[start:end]
    return data[:start] + block * copies + data[end:]


def test_progress_is_reported_with_increasing_byte_counts() -> None:
    data = big_file(400)
    calls: list[tuple[int, int]] = []
    raw = read_bytes(data, progress=lambda done, total: calls.append((done, total)))
    assert len(raw.entities) == 1200
    assert len(calls) >= 4
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and len(set(dones)) == len(dones)
    assert all(t == len(data) for _, t in calls)
    assert dones[-1] == len(data)


def test_progress_total_is_zero_when_size_is_unknown() -> None:
    calls: list[tuple[int, int]] = []
    data = APOTEK.read_bytes()
    read_xml(
        io.BytesIO(data),
        path="x",
        size=None,
        report=LoadReport(),
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls and calls[-1] == (len(data), 0)


def test_cancel_stops_the_read() -> None:
    data = big_file(400)
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked >= 2

    with pytest.raises(LoadCancelled):
        read_bytes(data, cancelled=cancelled)
    assert asked == 2  # it stopped at the second check, long before the end

    with pytest.raises(LoadCancelled):
        read_bytes(APOTEK.read_bytes(), cancelled=lambda: True)
    raw = read_bytes(APOTEK.read_bytes(), cancelled=lambda: False)
    assert len(raw.entities) == 3


def test_stream_is_never_seeked() -> None:
    class NoSeek(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._b = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def seek(self, *args: object) -> int:
            raise AssertionError("seek called")

        def tell(self) -> int:
            raise AssertionError("tell called")

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            chunk = self._b.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    raw = read_xml(NoSeek(SMALL.read_bytes()), path="x", size=None, report=LoadReport())  # type: ignore[arg-type]
    assert len(raw.entities) == 4


def test_undeclared_entity_is_damage_not_truncation() -> None:
    data = SYGEHUS.read_bytes().replace(b"Hestetorvet", b"Heste&foo;torvet")
    with pytest.raises(LoadError, match=r"damaged at line 12: it is not well-formed XML") as info:
        read_bytes(data)
    # the parser's own (English) wording stays out of the sentence, so it reads whole in
    # Danish too
    assert "foo" not in info.value.render("da")


# --- odd but readable files ------------------------------------------------------------------


def test_unit_element_after_its_children_still_parents_them() -> None:
    data = APOTEK.read_bytes()
    a = data.index(b"<HealthInstitution>")
    b = data.index(b"</HealthInstitution>") + len(b"</HealthInstitution>")
    record = data[a:b]
    moved = data[:a] + data[b:]
    moved = moved.replace(b"</HealthInstitutionEntity>", record + b"</HealthInstitutionEntity>")
    raw = read_bytes(moved)
    assert row(raw, "306031000016009")["ParentSorId"] == "306021000016007"
    assert row(raw, "306031000016009")["HealthInstitutionSorId"] == "306021000016007"


def test_unit_without_sor_identifier_is_reported_and_left_out() -> None:
    data = PRAKSIS.read_bytes().replace(b"<SorIdentifier>8341000016002</SorIdentifier>", b"")
    report = LoadReport()
    raw = read_xml(io.BytesIO(data), path="x", size=None, report=report)
    assert ids(raw) == ["8321000016007", "8331000016009"]
    assert [r.kind for r in report.rows if r.severity == "error"] == ["missing_id"]


def test_stray_elements_outside_units_are_reported() -> None:
    data = APOTEK.read_bytes().replace(
        b"<SnapshotDate>2010-01-26</SnapshotDate>",
        b"<SnapshotDate>2010-01-26</SnapshotDate><Extra>1</Extra>",
    )
    data = data.replace(b"</HealthInstitution>", b"</HealthInstitution><Remark>hi</Remark>", 1)
    report = LoadReport()
    raw = read_xml(io.BytesIO(data), path="x", size=None, report=report)
    assert len(raw.entities) == 3
    stray = sorted(r.message for r in report.rows if r.kind == "unknown_element")
    assert len(stray) == 2
    assert "Extra in SorTree" in stray[0] and "Remark in HealthInstitutionEntity" in stray[1]


def test_unknown_sor_namespace_is_read_leniently_with_a_warning() -> None:
    data = APOTEK.read_bytes().replace(NS1.encode(), b"urn:oio:sds:sor:3.0.0")
    report = LoadReport()
    raw = read_xml(io.BytesIO(data), path="x", size=None, report=report)
    assert raw.source.format_version == "3.0.0"
    assert len(raw.entities) == 3
    assert [r.kind for r in report.rows] == ["unknown_version"]


def test_utf16_file_is_read() -> None:
    text = APOTEK.read_bytes().decode("utf-8-sig").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    raw = read_bytes(text.encode("utf-16"))
    assert row(raw, "306011000016003")["PostalAddressDistrictName"] == "Værløse"


def test_plain_doctype_without_entities_is_read() -> None:
    data = APOTEK.read_bytes().replace(b"<SorTree", b"<!DOCTYPE SorTree>\n<SorTree", 1)
    assert len(read_bytes(data).entities) == 3


def test_replacement_collections_are_kept() -> None:
    data = PRAKSIS.read_bytes().replace(
        b"</OrganizationalUnit>",
        b"<ReplacesEntityCollection><SorIdentifier>11000016002</SorIdentifier>"
        b"<SorIdentifier>21000016006</SorIdentifier></ReplacesEntityCollection>"
        b"</OrganizationalUnit>",
    )
    raw = read_bytes(data)
    assert row(raw, "8341000016002")["ReplacesSorIds"] == "11000016002, 21000016006"
    rep = raw.tables["SORReplacedEntities"]
    assert rep["ReplacedSorId"].tolist() == ["11000016002", "21000016006"]
    assert rep["ReplacedBySorId"].tolist() == ["8341000016002"] * 2
