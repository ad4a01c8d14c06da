"""Golden digests of what the XML reader returns, to keep its output fixed while it changes.

`digest` reduces a `RawData` to SHA-256 digests: one per column of every table (name,
dtype and every value, nulls included), one for the report rows (severity, table, line,
column, sor_id, kind, catalogue code and parameters) and one for the source info. The
inputs are the real cuts in the shared samples, registers from the generator in both XML
versions, and `quirky_document`, which walks the reader's slow paths (unknown elements,
bad flags, strays, nesting faults). `tests/unit/data/xml_reference.json` holds the
digests the reader gave before it was made fast (issue 16); regenerate it only for an
intended change of output: `python -m tests.unit.xml_reference`.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sorviewer.formats.sor_xml import NS_SOR1, read_xml
from sorviewer.register import RawData
from sorviewer.report import LoadReport

HERE = Path(__file__).parent
FIXTURE = HERE / "data" / "xml_reference.json"
#: generated registers: (name, xml version, entities, seed)
GENERATED = (("gen_v1", "1.0.0", 1500, 7), ("gen_v2", "2.0.0", 1500, 8))


def _sha(parts: Iterator[str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _values(series: pd.Series) -> Iterator[str]:
    for v in series.tolist():
        yield "\x01NA" if v is None or v is pd.NA else repr(v)


def _frame(frame: pd.DataFrame) -> dict[str, str]:
    out = {"__columns__": _sha(iter([*map(str, frame.columns), str(len(frame))]))}
    for col in frame.columns:
        out[str(col)] = _sha(iter([str(frame[col].dtype), *_values(frame[col])]))
    return out


def digest(raw: RawData) -> dict[str, Any]:
    """Digests of everything `read_xml` returned."""
    report = raw.report.rows
    info = raw.source
    return {
        "entities": _frame(raw.entities),
        "tables": {name: _frame(frame) for name, frame in sorted(raw.tables.items())},
        "report": _sha(
            json.dumps(
                [
                    r.severity,
                    r.table,
                    r.line,
                    r.column,
                    r.sor_id,
                    r.kind,
                    r.code,
                    json.dumps(r.params, sort_keys=True, default=str),
                ]
            )
            for r in report
        ),
        "report_rows": len(report),
        "source": repr(
            (
                info.format,
                info.format_version,
                info.snapshot_date,
                info.has_history,
                sorted(info.table_rows.items()),
            )
        ),
    }


def read_bytes(data: bytes, path: str = "Sor.xml") -> RawData:
    return read_xml(io.BytesIO(data), path=path, size=len(data), report=LoadReport())


def quirky_document() -> bytes:
    """A small SOR 1.0.0 document with the faults the reader reports, one of each."""
    ns = NS_SOR1
    dk = "http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/"
    dk5 = "http://rep.oio.dk/ebxml/xml/schemas/dkcc/2005/03/15/"
    xk = "http://rep.oio.dk/xkom.dk/xml/schemas/2006/01/06/"
    status = (
        "<SorStatus><FromDate>2010-01-01</FromDate><UpdatedAt>2010-01-02</UpdatedAt></SorStatus>"
    )
    specs = "".join(
        f"<ClinicalSpeciality><SpecialityCode>{c}</SpecialityCode><SpecialityType>1</SpecialityType>"
        "</ClinicalSpeciality>"
        for c in ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<s:SorTree xmlns:s="{ns}" xmlns:dkcc="{dk}" xmlns:dk5="{dk5}" xmlns:xk="{xk}"
  xmlns:other="urn:example:other">
 <s:CreatedAtTime>2020-02-02T00:00:00</s:CreatedAtTime>
 <s:SnapshotDate>not a date</s:SnapshotDate>
 <s:Stray>text</s:Stray>
 <s:InstitutionOwnerEntity>
  <s:InstitutionOwner>
   <s:SorIdentifier> 100001 </s:SorIdentifier>
   <s:EntityName>Ejer &amp; co</s:EntityName>
   <s:OwnerType>550881000005103</s:OwnerType>
   <s:CVRnumberIdentifier>12345678</s:CVRnumberIdentifier>
   <s:PostalAddressInformation><xk:AddressPostal>
     <dk5:StreetName>Vej</dk5:StreetName><dkcc:StreetBuildingIdentifier>1</dkcc:StreetBuildingIdentifier>
     <dkcc:CountryIdentificationCode scheme="iso3166-alpha3">DNK</dkcc:CountryIdentificationCode>
     <dkcc:Unknown>u</dkcc:Unknown>
   </xk:AddressPostal></s:PostalAddressInformation>
   <other:Thing><other:Inner>a</other:Inner><other:Inner>b</other:Inner></other:Thing>
   <s:Mystery>m</s:Mystery>
   <s:EntityName><s:Nested>x</s:Nested></s:EntityName>
   {status}
  </s:InstitutionOwner>
  <s:Stray2/>
  <s:HealthInstitutionEntity>
   <s:HealthInstitution>
    <s:SorIdentifier>100002</s:SorIdentifier><s:EntityName>Inst</s:EntityName>
    <s:InstitutionType>22232009</s:InstitutionType><s:ShakIdentifier>1300</s:ShakIdentifier>
    <s:OptionalEanLocationCode><s:EntityInheritedIndicator>maybe</s:EntityInheritedIndicator>
    </s:OptionalEanLocationCode>
    <s:ClinicalSpecialityCollection>{specs}<s:Odd>o</s:Odd></s:ClinicalSpecialityCollection>
    <s:ReplacesEntityCollection><s:SorIdentifier>99</s:SorIdentifier><s:X>y</s:X>
    </s:ReplacesEntityCollection>
    <s:LocalAttributeCollection><s:LocalAttribute1>l1</s:LocalAttribute1><s:LocalAttribute9>l9</s:LocalAttribute9>
    </s:LocalAttributeCollection>
   </s:HealthInstitution>
   <s:OrganizationalUnitEntity>
    <s:OrganizationalUnitEntity>
     <s:OrganizationalUnit><s:SorIdentifier>100004</s:SorIdentifier>{status}</s:OrganizationalUnit>
    </s:OrganizationalUnitEntity>
    <s:HealthInstitution><s:SorIdentifier>100003</s:SorIdentifier>
     <s:EanLocationCodeEntity><s:EanLocationCode>5790000000001</s:EanLocationCode>
      <s:RegionCode>1084</s:RegionCode><s:SorStatus><s:FromDate>2001-01-01</s:FromDate>
      <s:Extra>e</s:Extra></s:SorStatus><s:Weird>w</s:Weird></s:EanLocationCodeEntity>
     <s:VirtualAddressInformation><s:Website>w</s:Website></s:VirtualAddressInformation>
     <s:OrganizationalUnitInformation><s:AmbulantActivityIndicator>true</s:AmbulantActivityIndicator>
     </s:OrganizationalUnitInformation>
     <s:GeographicalParent><s:GeographicalParentSorIdentifier>1</s:GeographicalParentSorIdentifier>
     </s:GeographicalParent>
     {status}
    </s:HealthInstitution>
    <s:OrganizationalUnit><s:SorIdentifier>100005</s:SorIdentifier>{status}</s:OrganizationalUnit>
   </s:OrganizationalUnitEntity>
   <s:OrganizationalUnitEntity>
    <s:OrganizationalUnit><s:EntityName>no id</s:EntityName>{status}</s:OrganizationalUnit>
   </s:OrganizationalUnitEntity>
   <s:OrganizationalUnitEntity/>
  </s:HealthInstitutionEntity>
 </s:InstitutionOwnerEntity>
 <s:OrganizationalUnitEntity>
  <s:OrganizationalUnit><s:SorIdentifier>100006</s:SorIdentifier>
   <s:ReplacedByEntityCollection><s:SorIdentifier>100001</s:SorIdentifier></s:ReplacedByEntityCollection>
   <s:OptionalEanLocationCode><s:EntityInheritedIndicator>false</s:EntityInheritedIndicator>
   </s:OptionalEanLocationCode>
  </s:OrganizationalUnit>
 </s:OrganizationalUnitEntity>
</s:SorTree>
""".encode()


def inputs(samples: Path, workdir: Path) -> Iterator[tuple[str, RawData]]:
    """(name, what the reader returns) for every reference input."""
    from sorviewer.synthetic import generate

    for path in sorted(samples.glob("sor_xml_v*/*.xml")):
        yield f"{path.parent.name}/{path.name}", read_bytes(path.read_bytes(), path.name)
    for path in sorted(samples.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for member in zf.namelist():
                yield f"{path.name}/{member}", read_bytes(zf.read(member), member)
    for name, version, n, seed in GENERATED:
        out = workdir / f"{name}.zip"
        generate(out, entities=n, seed=seed, fmt="sor-xml", xml_version=version)
        with zipfile.ZipFile(out) as zf:
            yield name, read_bytes(zf.read(zf.namelist()[0]))
    yield "quirky", read_bytes(quirky_document())


def main() -> None:
    import tempfile

    from tests.conftest import SAMPLES

    with tempfile.TemporaryDirectory() as tmp:
        ref = {name: digest(raw) for name, raw in inputs(SAMPLES, Path(tmp))}
    FIXTURE.write_text(json.dumps(ref, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}: {len(ref)} inputs")


if __name__ == "__main__":
    main()
