"""A hand-written register small enough that every answer is known by construction."""

from __future__ import annotations

import pandas as pd

from sorviewer import Register
from sorviewer.register import RawData, SourceInfo
from sorviewer.report import LoadReport

# Ids with valid check digits (ids.make_sor_id(1..7)).
IE = "11000016002"
SI = "21000016006"
OE1 = "31000016008"
OE2 = "41000016001"
OE3 = "51000016003"
IE2 = "61000016000"
FUT = "71000016005"

ROWS = [
    # IE: own postal, own EAN, two versions (rename on 2015-01-01)
    dict(
        SorId=IE,
        SorType="IE",
        EntityName="Region Test",
        FirstFromDate="2010-01-01",
        FromDate="2010-01-01",
        ToDate="2014-12-31",
        PostalAddressStreetName="Vej 1",
        PostalAddressPostCodeId="8000",
        PostalAddressDistrictName="Aarhus C",
        EanLocationCodeState="own",
        EanLocationCode="5790000173624",
        VirtualAddressTelephoneNumber="11111111",
    ),
    dict(
        SorId=IE,
        SorType="IE",
        EntityName="Region Testland",
        FirstFromDate="2010-01-01",
        FromDate="2015-01-01",
        PostalAddressStreetName="Vej 2",
        PostalAddressPostCodeId="8000",
        PostalAddressDistrictName="Aarhus C",
        EanLocationCodeState="own",
        EanLocationCode="5790000173624",
        VirtualAddressTelephoneNumber="11111111",
    ),
    # SI under IE: inherits postal and EAN, own SHAK
    dict(
        SorId=SI,
        SorType="SI",
        EntityName="Testhospital",
        FirstFromDate="2010-01-01",
        FromDate="2010-01-01",
        ParentSorId=IE,
        PostalAddressInheritanceIndicator="true",
        VisitingAddressInheritanceIndicator="true",
        VirtualAddressInheritanceIndicator="true",
        EanLocationCodeState="inherited",
        ShakId="1234",
    ),
    # OE1 under SI: own postal, visiting = own postal, activity = own visiting
    dict(
        SorId=OE1,
        SorType="OE",
        EntityName="Ærø afdeling",
        FirstFromDate="2010-01-01",
        FromDate="2010-01-01",
        ParentSorId=SI,
        PostalAddressInheritanceIndicator="false",
        PostalAddressStreetName="Gade 5",
        PostalAddressPostCodeId="5970",
        PostalAddressDistrictName="Ærøskøbing",
        VisitingAddressInheritanceIndicator="true",
        ActivityAddressAddressInheritanceIndicator="true",
        EanLocationCodeState="none",
        ShakId="123401",
    ),
    # OE2 under SI until 2019-12-31, moved to OE1 from 2020-01-01, closed 2022-06-30
    dict(
        SorId=OE2,
        SorType="OE",
        EntityName="Akut afsnit",
        FirstFromDate="2012-03-01",
        FromDate="2012-03-01",
        ToDate="2019-12-31",
        ParentSorId=SI,
        PostalAddressInheritanceIndicator="true",
        VisitingAddressInheritanceIndicator="true",
        ActivityAddressAddressInheritanceIndicator="true",
        EanLocationCodeState="inherited",
    ),
    dict(
        SorId=OE2,
        SorType="OE",
        EntityName="Akut afsnit",
        FirstFromDate="2012-03-01",
        FromDate="2020-01-01",
        ToDate="2022-06-30",
        ParentSorId=OE1,
        PostalAddressInheritanceIndicator="true",
        VisitingAddressInheritanceIndicator="true",
        ActivityAddressAddressInheritanceIndicator="true",
        EanLocationCodeState="inherited",
    ),
    # OE3 under SI, a-named (sorts first), own EAN
    dict(
        SorId=OE3,
        SorType="OE",
        EntityName="anæstesi",
        FirstFromDate="2010-01-01",
        FromDate="2010-01-01",
        ParentSorId=SI,
        PostalAddressInheritanceIndicator="true",
        EanLocationCodeState="own",
        EanLocationCode="5790000141227",
    ),
    # a second owner, name sorts after "Region"
    dict(
        SorId=IE2,
        SorType="IE",
        EntityName="Øster Klinik",
        FirstFromDate="2011-01-01",
        FromDate="2011-01-01",
        PostalAddressStreetName="Torv 1",
    ),
    # a future unit under IE2
    dict(
        SorId=FUT,
        SorType="SI",
        EntityName="Ny klinik",
        FirstFromDate="2030-01-01",
        FromDate="2030-01-01",
        ParentSorId=IE2,
        PostalAddressInheritanceIndicator="true",
    ),
]


def tiny_register(rows: list[dict[str, str]] | None = None) -> Register:
    """The tiny register, or one built the same way from changed copies of its rows."""
    df = pd.DataFrame(ROWS if rows is None else rows).astype("string[pyarrow]")
    raw = RawData(
        entities=df,
        tables={},
        source=SourceInfo(path="tiny", format="sor2-csv", has_history=True),
        report=LoadReport(),
        inheritance="sor2",
    )
    return Register.build(raw)


def orphan_rows() -> tuple[list[dict[str, str]], list[str]]:
    """The tiny rows plus a unit whose parent is not in the file (with a child of its
    own) and a two-unit parent cycle; also their ids: [lost, kid, cycle A, cycle B]."""
    from sorviewer.ids import make_sor_id

    lost, kid, c1, c2, nowhere = (make_sor_id(n) for n in (8, 9, 10, 11, 20))

    def unit(sid: str, name: str, parent: str) -> dict[str, str]:
        return dict(
            SorId=sid,
            SorType="OE",
            EntityName=name,
            FirstFromDate="2010-01-01",
            FromDate="2010-01-01",
            ParentSorId=parent,
        )

    rows = [
        *ROWS,
        unit(lost, "Zulu afsnit", nowhere),
        unit(kid, "Under zulu", lost),
        unit(c1, "Cyklus A", c2),
        unit(c2, "Cyklus B", c1),
    ]
    return rows, [lost, kid, c1, c2]
