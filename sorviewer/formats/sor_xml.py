"""Reader for the older XML download `sor.zip` / `Sor.xml` (versions 1.0.0 and 2.0.0).

The XML is a snapshot: one version per unit, and the hierarchy is the nesting
(institution owner > health institution > organisational units at any depth,
docs/FORMATS.md, "The XML"). The file is streamed with lxml `iterparse` and every
unit's element is cleared once read, so memory holds the output columns only. A unit
record made only of known fields is read in one pass (`_Reader._fast_values`); any
other goes field by field through the general path, which reports what it finds, and
both give the same values (tests/unit/test_xml_reference.py).

Elements are matched by namespace URI and local name, never by prefix: the real
files swap prefixes between versions (§7.4). The 1.0.0 and 2.0.0 SOR namespaces
(and any other `urn:oio:` namespace, leniently) count as SOR; address parts come
from the rep.oio.dk schemas. Unknown elements are kept as extra columns.

Inheritance (§6): an absent postal or virtual address on an SI/OE means "from the
parent", an absent visiting address "the unit's own postal address", an absent
activity address on an OE "its own visiting address"; the reader writes the SOR2
indicator columns and `EanLocationCodeState` so the register resolves them.

Tables: `LocationsCode` from the own EAN blocks, `SORReplacedEntities` from the
replacement collections. No `SHAKSORMap` is made: the XML has direct SHAK codes
only, and mapping.py derives direct and inherited mappings from `ShakId` at any
date when the table is absent. The XML carries no EDI types.

Safety: the parser never resolves entities, loads no DTD and uses no network; a
file that declares entities or an external DTD is refused before any unit is read.
"""

from __future__ import annotations

import io
import itertools
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from lxml import etree

from .. import codes, schema
from ..arrays import first_up
from ..dates import parse_date_text
from ..errors import FILE_ERRORS, LoadCancelled, LoadError
from ..messages import Message, clean_text, msg
from ..register import LINE, STRING, RawData, SourceInfo
from ..report import LoadReport, Severity

NS_SOR1 = "urn:oio:sundhedsstyrelsen:organisation:1.0.0"
NS_SOR2 = "urn:oio:nsi:2.0.0"
_SOR_NS_PREFIXES = ("urn:oio:sundhedsstyrelsen:organisation:", "urn:oio:nsi:")
#: Schemas the SOR files borrow address, CVR, region and coordinate elements from.
_OIO_PREFIX = "http://rep.oio.dk/"

HEAD_BYTES = 1 << 16
CANCEL_EVERY = 256  # unit and block end events between cancel checks
PROGRESS_STEP = 1 << 18  # report progress at most every 256 KiB
#: input read between prunings of the finished elements nobody reads (strays)
PRUNE_STEP = 1 << 20
#: children a unit record may hold before the rest are dropped unread (real ones hold
#: a few dozen)
RECORD_CAP = 10_000
#: finished children looked at for stray kinds each time a stretch is pruned
STRAY_SAMPLE = 256

_TABLE = "Sor.xml"

_ENTITY_LEVELS = {
    "InstitutionOwnerEntity": "IE",
    "HealthInstitutionEntity": "SI",
    "OrganizationalUnitEntity": "OE",
}
_RECORD_LEVELS = {
    "InstitutionOwner": "IE",
    "HealthInstitution": "SI",
    "OrganizationalUnit": "OE",
}
_EVENT_TAGS = [
    "{*}SorTree",
    "{*}SnapshotDate",
    "{*}CreatedAtTime",
    *(f"{{*}}{t}" for t in _ENTITY_LEVELS),
    *(f"{{*}}{t}" for t in _RECORD_LEVELS),
]
_LEVEL_NAMES = {"IE": "report.level.ie", "SI": "report.level.si", "OE": "report.level.oe"}


def _level(level: str) -> Message:
    """A unit level in words, in the reader's language."""
    return msg(_LEVEL_NAMES[level])


# --- field tables: XML local name -> SOR2 column -----------------------------------------

_SIMPLE: dict[str, str] = {
    "SorIdentifier": "SorId",
    "EntityName": "EntityName",
    "OwnerType": "EntityTypeId",
    "InstitutionType": "EntityTypeId",
    "UnitType": "EntityTypeId",
    "EntityTypeIdentifier": "EntityTypeId",
    "PharmacyIdentifier": "PharmacyId",
    "ShakIdentifier": "ShakId",
    "ProviderIdentifier": "ProviderId",
    "LocalCode": "LocalCode",
    "CVRnumberIdentifier": "InstitutionOwnerCvrNumberId",
}

_STATUS: dict[str, str] = {
    "FromDate": "FromDate",
    "ToDate": "ToDate",
    "UpdatedAt": "UpdatedAt",
    "FirstFromDate": "FirstFromDate",
}

_EAN: dict[str, str] = {
    "EanLocationCode": "EanLocationCode",
    "OnlyInternalIndicator": "EanLocationCodeOnlyInternalIndicator",
    "NonActiveIndicator": "EanLocationCodeNonActiveIndicator",
    "SorNote": "EanLocationCodeSorNote",
    "RegionCode": "EanLocationCodeRegionId",
    "SystemSupplier": "EanLocationCodeSystemSupplierId",
    "SystemSupplierIdentifier": "EanLocationCodeSystemSupplierId",
    "SystemType": "EanLocationCodeSystemTypeId",
    "SystemTypeIdentifier": "EanLocationCodeSystemTypeId",
    "CommunicationSupplier": "EanLocationCodeCommunicationSupplierId",
    "CommunicationSupplierIdentifier": "EanLocationCodeCommunicationSupplierId",
    # No SOR2 column; kept as an extra attribute.
    "EdiAdministrator": "EanLocationCodeEdiAdministratorId",
    "EdiAdministratorIdentifier": "EanLocationCodeEdiAdministratorId",
}

_ADDRESS_PARTS: dict[str, str] = {
    "StreetName": "StreetName",
    "StreetBuildingIdentifier": "StreetBuildingId",
    "FloorIdentifier": "FloorId",
    "SuiteIdentifier": "SuiteId",
    "MailDeliverySublocationIdentifier": "AdditionalAddressInfo",
    "PostCodeIdentifier": "PostCodeId",
    "DistrictName": "DistrictName",
    "CountryIdentificationCode": "CountryIdCode",
    "MunicipalityCode": "MunicipalityCode",
    "StreetCode": "StreetCode",
    "RegionCode": "RegionCode",
    "CoordETRS89z32NMeasure": "CoordETRS89z32NMeasure",
    "CoordETRS89z32EMeasure": "CoordETRS89z32EMeasure",
    # Known XML parts without a SOR2 column: extra attributes under the block's prefix.
    "StreetNameForAddressingName": "StreetNameForAddressingName",
    "DistrictSubdivisionIdentifier": "DistrictSubdivisionIdentifier",
    "PostOfficeBoxIdentifier": "PostOfficeBoxIdentifier",
    "Stairway": "Stairway",
}

_ADDRESS_BLOCKS: dict[str, tuple[str, str]] = {
    # element -> (column prefix, indicator column)
    "PostalAddressInformation": ("PostalAddress", "PostalAddressInheritanceIndicator"),
    "VisitingAddressInformation": ("VisitingAddress", "VisitingAddressInheritanceIndicator"),
    "ActivityAddressInformation": (
        "ActivityAddress",
        "ActivityAddressAddressInheritanceIndicator",
    ),
}

_VIRTUAL: dict[str, str] = {
    "EmailAddressIdentifier": "VirtualAddressEmailAddress",
    "Website": "VirtualAddressWebsite",
    "TelephoneNumberIdentifier": "VirtualAddressTelephoneNumber",
    "FaxNumberIdentifier": "VirtualAddressFaxNumber",
}

_OU_FLAGS = {
    f: f
    for f in ("AmbulantActivityIndicator", "PatientsAdmittedIndicator", "ReportingLevelIndicator")
}

_LOCAL_ATTRIBUTES = {f"LocalAttribute{n}": f"LocalAttribute{n}" for n in range(1, 6)}

_GEO: dict[str, str] = {
    "GeographicalParentRelation": "GeographicalParentRelation",
    "GeographicalParentSorIdentifier": "GeographicalParentSorId",
}

_HIERARCHY_COLUMNS = (
    "ParentSorId",
    "InstitutionOwnerSorId",
    "InstitutionOwnerEntityName",
    "InstitutionOwnerEntityTypeId",
    "InstitutionOwnerEntityTypeName",
    "InstitutionOwnerCvrNumberId",
    "HealthInstitutionSorId",
    "HealthInstitutionEntityName",
    "HealthInstitutionEntityTypeId",
    "HealthInstitutionEntityTypeName",
)

_SAFETY_ENTITIES = msg("load.xml_entities")
_SAFETY_DTD = msg("load.xml_dtd")


# --- detection -----------------------------------------------------------------------------


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


_ROOT_RE = re.compile(r"<(?:[\w.-]+:)?SorTree[\s/>]")


def looks_like_sor_xml(head: bytes) -> bool:
    """True when `head` (the first bytes of a file or member) starts a SOR XML document.

    Looks for an XML start, a `SorTree` element under any prefix and one of the SOR
    namespace URIs; a BOM, CRLF line ends and leading whitespace are fine.
    """
    text = _decode_head(head).lstrip()
    if not text.startswith("<"):
        return False
    if not any(p in text for p in _SOR_NS_PREFIXES):
        return False
    return _ROOT_RE.search(text) is not None


def _unsafe_head(head: bytes) -> Message | None:
    """The refusal message when the prolog declares entities or an external DTD."""
    up = head.upper()
    start = up.find(b"<!DOCTYPE")
    if start < 0:
        return None
    if b"<!ENTITY" in up[start:]:
        return _SAFETY_ENTITIES
    # An external DTD: <!DOCTYPE name SYSTEM "..."> or PUBLIC, before any internal subset.
    end = min((i for i in (up.find(b"[", start), up.find(b">", start)) if i >= 0), default=-1)
    decl = up[start : end if end >= 0 else len(up)]
    if b"SYSTEM" in decl or b"PUBLIC" in decl:
        return _SAFETY_DTD
    return None


# --- streaming helpers ------------------------------------------------------------------------


class _Source:
    """A read-only file-like wrapper: serves the pre-read head, counts bytes, reports progress."""

    def __init__(
        self,
        stream: IO[bytes] | io.RawIOBase,
        head: bytes,
        size: int | None,
        progress: Callable[[int, int], None] | None,
        prune: Callable[[int], None] | None = None,
    ) -> None:
        self._stream = stream
        self._head = head
        self._prune = prune
        self._pruned = 0
        self.done = 0
        self.lines = 0  # newlines read so far
        self.eof = False
        self._size = size or 0
        self._progress = progress
        self._reported = -PROGRESS_STEP

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0 or n >= len(self._head):
                data, self._head = self._head, b""
            else:
                data, self._head = self._head[:n], self._head[n:]
        else:
            data = self._stream.read(n)
        if not data:
            self.eof = True
        self.done += len(data)
        self.lines += data.count(b"\n")
        if self._progress is not None and self.done - self._reported >= PROGRESS_STEP:
            self._reported = self.done
            self._progress(self.done, self._size)
        if self._prune is not None and self.done - self._pruned >= PRUNE_STEP:
            # lxml asks for more input only once every event so far was handled
            self._pruned = self.done
            self._prune(self.done)
        return data

    def finish(self) -> None:
        if self._progress is not None and self._reported != self.done:
            self._reported = self.done
            self._progress(self.done, self._size)


_SPLIT_CACHE: dict[str, tuple[str, str]] = {}


def _split(tag: Any) -> tuple[str, str]:
    """(namespace URI, local name) of an element tag; ("", "") for comments and the like."""
    if not isinstance(tag, str):
        return ("", "")
    hit = _SPLIT_CACHE.get(tag)
    if hit is not None:
        return hit
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        hit = (uri, local)
    else:
        hit = ("", tag)
    if len(_SPLIT_CACHE) < 4096:
        _SPLIT_CACHE[tag] = hit
    return hit


def _is_sor(uri: str) -> bool:
    return uri.startswith(_SOR_NS_PREFIXES) or uri.startswith("urn:oio:")


def _is_known(uri: str) -> bool:
    """SOR elements and the rep.oio.dk schemas the SOR files use."""
    return _is_sor(uri) or uri.startswith(_OIO_PREFIX)


def _text(elem: Any) -> str | None:
    t = elem.text
    if t is None:
        return None
    t = t.strip()
    return t or None


def _children(elem: Any) -> list[Any]:
    out = []
    for child in elem:
        if isinstance(child, etree._Entity):
            raise LoadError(_SAFETY_ENTITIES)
        if isinstance(child.tag, str):
            out.append(child)
    return out


# --- the fast path's look-ups: full tag -> meaning, decided once per tag ---------------------

_TAG_CACHE_MAX = 4096  # a hostile file cannot grow the caches without bound


class _Lookup:
    """A block's fields by full tag: `mapping` by local name in a known namespace, and
    `special` names (SOR namespaces only when `special_sor`) to markers."""

    def __init__(
        self,
        mapping: dict[str, str],
        special: dict[str, str] | None = None,
        *,
        special_sor: bool = True,
    ) -> None:
        self.mapping = mapping
        self.special = special or {}
        self.special_sor = special_sor
        self.cache: dict[str, str] = {}

    def find(self, tag: Any) -> str | None:
        hit = self.cache.get(tag)
        if hit is not None:
            return hit
        if not isinstance(tag, str):
            return None
        uri, local = _split(tag)
        if local in self.special and (_is_sor(uri) if self.special_sor else _is_known(uri)):
            hit = self.special[local]
        elif _is_known(uri):
            hit = self.mapping.get(local)
        if hit is not None and len(self.cache) < _TAG_CACHE_MAX:
            self.cache[tag] = hit
        return hit


def _strip(t: str | None) -> str | None:
    if t is None:
        return None
    return t.strip() or None


_STATUS_MARK = "/SorStatus"
_POSTAL_MARK = "/AddressPostal"
_EAN_ENTITY = "/EanLocationCodeEntity"
_INDICATOR = "/Indicator"
_SPECIALITY_MARK = "/ClinicalSpeciality"

_STATUS_FIELDS = _Lookup(_STATUS)
_VIRTUAL_FIELDS = _Lookup(_VIRTUAL)
_OU_FIELDS = _Lookup(_OU_FLAGS)
_LOCAL_FIELDS = _Lookup(_LOCAL_ATTRIBUTES)
_GEO_FIELDS = _Lookup(_GEO)
_SPECIALITY = _Lookup({"SpecialityCode": "Id", "SpecialityType": "TypeId"})
_EAN_FIELDS = _Lookup(_EAN, {"SorStatus": _STATUS_MARK})
_ADDRESS_FIELDS = _Lookup(_ADDRESS_PARTS, {"AddressPostal": _POSTAL_MARK}, special_sor=False)
_OPTION = _Lookup(
    {},
    {
        "EanLocationCodeEntity": _EAN_ENTITY,
        "EntityInheritedIndicator": _INDICATOR,
        "EntityInheritanceIndicator": _INDICATOR,
    },
)
_SPECIALITY_ITEM = _Lookup({}, {"ClinicalSpeciality": _SPECIALITY_MARK})
_REPLACEMENT_ITEM = _Lookup({}, {"SorIdentifier": "SorId"})

# what a record's child is: a kind and its argument
_LEAF, _LEAVES, _ADDRESS, _EAN_BLOCK, _EAN_OPTION, _SPECIALITIES, _REPLACEMENTS = range(7)
_Action = tuple[int, Any]
_RECORD_ACTIONS: dict[str, _Action] = {}


def _record_action(tag: Any) -> _Action | None:
    """What a child of a unit record is, as `_Reader._general_values` decides it."""
    if not isinstance(tag, str):
        return None
    uri, local = _split(tag)
    if not _is_known(uri):
        return None
    act: _Action | None = None
    if local in _SIMPLE:
        act = (_LEAF, _SIMPLE[local])
    elif local == "SorStatus":
        act = (_LEAVES, (_STATUS_FIELDS, local, None))
    elif local == "EanLocationCodeEntity":
        act = (_EAN_BLOCK, None)
    elif local in ("OptionalEanLocationCode", "EanLocationCodeOption"):
        act = (_EAN_OPTION, None)
    elif local in _ADDRESS_BLOCKS:
        prefix, indicator = _ADDRESS_BLOCKS[local]
        act = (_ADDRESS, (prefix, indicator, local))
    elif local == "VirtualAddressInformation":
        act = (_LEAVES, (_VIRTUAL_FIELDS, local, "VirtualAddressInheritanceIndicator"))
    elif local == "ClinicalSpecialityCollection":
        act = (_SPECIALITIES, None)
    elif local == "OrganizationalUnitInformation":
        act = (_LEAVES, (_OU_FIELDS, None, None))
    elif local == "LocalAttributeCollection":
        act = (_LEAVES, (_LOCAL_FIELDS, None, None))
    elif local == "GeographicalParent":
        act = (_LEAVES, (_GEO_FIELDS, None, None))
    elif local == "ReplacesEntityCollection":
        act = (_REPLACEMENTS, "ReplacesSorIds")
    elif local == "ReplacedByEntityCollection":
        act = (_REPLACEMENTS, "ReplacedBySorIds")
    if act is not None and len(_RECORD_ACTIONS) < _TAG_CACHE_MAX:
        _RECORD_ACTIONS[tag] = act
    return act


def _fast_leaves(values: dict[str, str], elem: Any, fields: _Lookup) -> bool:
    """Leaf fields of `elem` into `values`; False at anything `_Reader._leaves` reports."""
    cache = fields.cache
    for kid in elem.iterchildren():
        tag = kid.tag
        col = cache.get(tag) or fields.find(tag)
        if col is None or len(kid):
            return False
        t = kid.text
        if t is not None:
            t = t.strip()
            if t:
                values[col] = t
    return True


def _fast_address(values: dict[str, str], elem: Any, prefix: str, outer: bool) -> bool:
    """`_Reader._address` for an address block of known parts (one AddressPostal level)."""
    cache = _ADDRESS_FIELDS.cache
    for kid in elem.iterchildren():
        tag = kid.tag
        part = cache.get(tag) or _ADDRESS_FIELDS.find(tag)
        if part is None:
            return False
        if part == _POSTAL_MARK:
            if not outer or not _fast_address(values, kid, prefix, False):
                return False
            continue
        if len(kid):
            return False
        t = kid.text
        if t is not None:
            t = t.strip()
            if t:
                values[prefix + part] = t
        if part == "CountryIdCode":
            scheme = kid.get("scheme")
            if scheme and scheme != "iso3166-alpha2":
                values[prefix + "CountryIdCodeScheme"] = scheme
    return True


def _fast_ean(
    values: dict[str, str],
    elem: Any,
    locs: list[tuple[tuple[str, str | None], dict[str, str]]],
) -> bool:
    """`_Reader._ean` for an EAN block of known fields; its LocationsCode row into `locs`."""
    values["EanLocationCodeState"] = "own"
    status: dict[str, str] = {}
    cache = _EAN_FIELDS.cache
    for kid in elem.iterchildren():
        tag = kid.tag
        col = cache.get(tag) or _EAN_FIELDS.find(tag)
        if col is None:
            return False
        if col == _STATUS_MARK:
            if not _fast_leaves(status, kid, _STATUS_FIELDS):
                return False
            continue
        if len(kid):
            return False
        t = kid.text
        if t is not None:
            t = t.strip()
            if t:
                values[col] = t
    region = values.get("EanLocationCodeRegionId")
    if region and region in codes.REGIONS:
        values["EanLocationCodeRegionName"] = codes.REGIONS[region]
    ean = values.get("EanLocationCode")
    if ean:
        loc = {c: values[c] for c in schema.LOCATIONS_CODE_COLUMNS if c in values}
        for col in ("FromDate", "ToDate", "UpdatedAt"):
            if col in status:
                loc[col] = status[col]
        locs.append(((ean, status.get("FromDate")), loc))
    return True


@dataclass
class _Fast:
    """What the fast path read of one record."""

    values: dict[str, str]
    seen: set[str]
    sor_id: str | None
    locations: list[tuple[tuple[str, str | None], dict[str, str]]]


@dataclass
class _Ctx:
    """One open `*Entity` element: its level, enclosing unit, and the row once read."""

    level: str
    parent: _Ctx | None
    elem: Any
    line: int
    row: int = -1


@dataclass
class _Rows:
    """Columnar, sparse store of the unit rows (column -> row numbers and values)."""

    n: int = 0
    cols: dict[str, tuple[array[int], list[str]]] = field(default_factory=dict)
    lines: array[int] = field(default_factory=lambda: array("q"))
    levels: list[str] = field(default_factory=list)
    parents: list[_Ctx | None] = field(default_factory=list)
    #: one shared object per short repeated value (dates, flags, codes, postcodes)
    pool: dict[str, str] = field(default_factory=dict)

    def add(self, values: dict[str, str], line: int, level: str, parent: _Ctx | None) -> int:
        i = self.n
        pool = self.pool
        for col, val in values.items():
            slot = self.cols.get(col)
            if slot is None:
                slot = (array("q"), [])
                self.cols[col] = slot
            slot[0].append(i)
            if len(val) <= 16 and col != "SorId":
                val = pool.setdefault(val, val)
            slot[1].append(val)
        self.lines.append(line)
        self.levels.append(level)
        self.parents.append(parent)
        self.n += 1
        return i

    def column(self, col: str) -> np.ndarray:
        arr = np.full(self.n, None, dtype=object)
        slot = self.cols.get(col)
        if slot is not None and slot[0]:
            arr[np.frombuffer(slot[0], dtype=np.int64)] = slot[1]
        return arr


# --- the reader ------------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: str, report: LoadReport) -> None:
        self.path = path
        self.report = report
        self.rows = _Rows()
        self.unknown_seen: set[str] = set()
        self.locations: dict[tuple[str, str | None], dict[str, str]] = {}
        self.replaced: dict[tuple[str, str], None] = {}
        self.root_uri = ""
        self.snapshot_text: str | None = None
        self.created_text: str | None = None
        self.events: Any = None
        self.root: Any = None
        self.stack: list[_Ctx] = []

    # -- problems --

    def _warn(
        self,
        message: Message,
        line: int | None,
        sor_id: str | None = None,
        kind: str = "other",
        severity: Severity = "warning",
        column: str | None = None,
    ) -> None:
        self.report.add(
            severity,
            _TABLE,
            message,
            line=line,
            column=column,
            sor_id=sor_id,
            kind=kind,
        )

    def _unknown(self, values: dict[str, str], path: str, elem: Any) -> None:
        """Keep an element the reader does not know as an extra column (one report each)."""
        kids = _children(elem)
        if kids:
            for kid in kids:
                self._unknown(values, f"{path}/{_split(kid.tag)[1]}", kid)
            return
        col = path.replace("/", ".")
        val = _text(elem)
        if val is not None:
            values[col] = val if col not in values else f"{values[col]}, {val}"
        if col not in self.unknown_seen:
            self.unknown_seen.add(col)
            self._warn(
                msg("report.xml_unknown_field", path=clean_text(path), column=clean_text(col)),
                elem.sourceline,
                kind="unknown_column",
                severity="info",
                column=col,
            )

    # -- blocks of a unit record --

    def _leaves(
        self,
        values: dict[str, str],
        elem: Any,
        table: dict[str, str],
        path: str,
        unit: dict[str, str] | None = None,
    ) -> None:
        """Known leaves of `elem` into `values`; unknown ones become columns of `unit`."""
        for kid in _children(elem):
            uri, local = _split(kid.tag)
            col = table.get(local) if _is_known(uri) else None
            if col is None or len(kid):
                self._unknown(values if unit is None else unit, f"{path}/{local}", kid)
                continue
            val = _text(kid)
            if val is not None:
                values[col] = val

    def _ean(self, values: dict[str, str], elem: Any, path: str) -> None:
        values["EanLocationCodeState"] = "own"
        status: dict[str, str] = {}
        for kid in _children(elem):
            uri, local = _split(kid.tag)
            if local == "SorStatus" and _is_sor(uri):
                self._leaves(status, kid, _STATUS, f"{path}/SorStatus", values)
                continue
            col = _EAN.get(local) if _is_known(uri) else None
            if col is None or len(kid):
                self._unknown(values, f"{path}/{local}", kid)
                continue
            val = _text(kid)
            if val is not None:
                values[col] = val
        region = values.get("EanLocationCodeRegionId")
        if region and region in codes.REGIONS:
            values["EanLocationCodeRegionName"] = codes.REGIONS[region]
        ean = values.get("EanLocationCode")
        if ean:
            loc = {c: values[c] for c in schema.LOCATIONS_CODE_COLUMNS if c in values}
            for col in ("FromDate", "ToDate", "UpdatedAt"):
                if col in status:
                    loc[col] = status[col]
            self.locations.setdefault((ean, status.get("FromDate")), loc)

    def _ean_option(self, values: dict[str, str], elem: Any, path: str, sor_id: str | None) -> None:
        for kid in _children(elem):
            uri, local = _split(kid.tag)
            if local == "EanLocationCodeEntity" and _is_sor(uri):
                self._ean(values, kid, f"{path}/EanLocationCodeEntity")
            elif local in ("EntityInheritedIndicator", "EntityInheritanceIndicator") and _is_sor(
                uri
            ):
                flag = (_text(kid) or "").lower()
                if flag in ("true", "1"):
                    values["EanLocationCodeState"] = "inherited"
                elif flag in ("false", "0"):
                    values["EanLocationCodeState"] = "none"
                else:
                    self._warn(
                        msg("report.xml_bad_flag", element=local, value=clean_text(flag, 60)),
                        kid.sourceline,
                        sor_id,
                        kind="bad_value",
                        column="EanLocationCodeState",
                    )
                    values["EanLocationCodeState"] = "inherited"
            else:
                self._unknown(values, f"{path}/{local}", kid)

    def _address(self, values: dict[str, str], elem: Any, prefix: str, path: str) -> None:
        for kid in _children(elem):
            uri, local = _split(kid.tag)
            if local == "AddressPostal" and _is_known(uri):
                self._address(values, kid, prefix, f"{path}/AddressPostal")
                continue
            part = _ADDRESS_PARTS.get(local) if _is_known(uri) else None
            if part is None or len(kid):
                self._unknown(values, f"{path}/{local}", kid)
                continue
            val = _text(kid)
            if val is not None:
                values[prefix + part] = val
            scheme = kid.get("scheme")
            if part == "CountryIdCode" and scheme and scheme != "iso3166-alpha2":
                values[prefix + "CountryIdCodeScheme"] = scheme

    def _specialities(
        self, values: dict[str, str], elem: Any, path: str, sor_id: str | None
    ) -> None:
        n = 0
        for kid in _children(elem):
            uri, local = _split(kid.tag)
            if local != "ClinicalSpeciality" or not _is_sor(uri):
                self._unknown(values, f"{path}/{local}", kid)
                continue
            spec: dict[str, str] = {}
            self._leaves(
                spec,
                kid,
                {"SpecialityCode": "Id", "SpecialityType": "TypeId"},
                f"{path}/ClinicalSpeciality",
                values,
            )
            n += 1
            if n > 8:
                self._warn(
                    msg("report.xml_too_many_specialities"),
                    kid.sourceline,
                    sor_id,
                    kind="too_many_specialities",
                )
                break
            base = f"PrioritizedEntitySpeciality{n}"
            for part, val in spec.items():
                values[base + part] = val
            name = codes.SPECIALITIES.get(spec.get("Id", ""))
            if name:
                values[base + "Name"] = name

    def _replacements(self, values: dict[str, str], elem: Any, local: str, path: str) -> None:
        ids = []
        for kid in _children(elem):
            kuri, klocal = _split(kid.tag)
            if klocal == "SorIdentifier" and _is_sor(kuri) and _text(kid):
                ids.append(str(_text(kid)))
            else:
                self._unknown(values, f"{path}/{klocal}", kid)
        if not ids:
            return
        col = "ReplacesSorIds" if local == "ReplacesEntityCollection" else "ReplacedBySorIds"
        values[col] = ", ".join(ids)

    # -- the fast path --

    @staticmethod
    def _fast_values(elem: Any, level: str) -> _Fast | None:
        """`record`'s values for a record made only of known fields, or None.

        One pass over the record with a dictionary per block from the full tag to what
        it means (`_tag_action`), so a field costs a dictionary look-up and its text:
        the per-field helpers of the general path cost ~1 µs a field, and a register
        has millions. Anything the general path would report (an unknown or nested
        field, a bad flag, a ninth speciality, an entity reference) returns None, and
        the general path reads the record again, so the output never depends on which
        path read it."""
        values: dict[str, str] = {"SorType": level}
        seen: set[str] = set()
        locs: list[tuple[tuple[str, str | None], dict[str, str]]] = []
        sor_id: str | None = None
        got_id = False
        record_actions = _RECORD_ACTIONS
        for kid in elem.iterchildren():
            tag = kid.tag
            act = record_actions.get(tag)
            if act is None:
                act = _record_action(tag)
                if act is None:
                    return None
            kind, arg = act
            if kind == _LEAF:
                if len(kid):
                    return None
                t = kid.text
                if arg == "SorId" and not got_id:
                    got_id = True
                    sor_id = _strip(t)
                if t is not None:
                    t = t.strip()
                    if t:
                        values[arg] = t
            elif kind == _LEAVES:
                table, seen_key, indicator = arg
                if seen_key:
                    seen.add(seen_key)
                if indicator:
                    values[indicator] = "false"
                if not _fast_leaves(values, kid, table):
                    return None
            elif kind == _ADDRESS:
                prefix, indicator, seen_key = arg
                seen.add(seen_key)
                values[indicator] = "false"
                if not _fast_address(values, kid, prefix, True):
                    return None
            elif kind == _EAN_BLOCK:
                seen.add("ean")
                if not _fast_ean(values, kid, locs):
                    return None
            elif kind == _EAN_OPTION:
                seen.add("ean")
                for sub in kid.iterchildren():
                    sub_act = _OPTION.find(sub.tag)
                    if sub_act == _EAN_ENTITY:
                        if not _fast_ean(values, sub, locs):
                            return None
                    elif sub_act == _INDICATOR:
                        flag = (_strip(sub.text) or "").lower()
                        if flag in ("true", "1"):
                            values["EanLocationCodeState"] = "inherited"
                        elif flag in ("false", "0"):
                            values["EanLocationCodeState"] = "none"
                        else:
                            return None
                    else:
                        return None
            elif kind == _SPECIALITIES:
                for n, sub in enumerate(kid.iterchildren(), 1):
                    if _SPECIALITY_ITEM.find(sub.tag) != _SPECIALITY_MARK:
                        return None
                    spec: dict[str, str] = {}
                    if not _fast_leaves(spec, sub, _SPECIALITY):
                        return None
                    if n > 8:
                        return None
                    base = f"PrioritizedEntitySpeciality{n}"
                    for part, val in spec.items():
                        values[base + part] = val
                    name = codes.SPECIALITIES.get(spec.get("Id", ""))
                    if name:
                        values[base + "Name"] = name
            else:  # _REPLACEMENTS
                ids = []
                for sub in kid.iterchildren():
                    if _REPLACEMENT_ITEM.find(sub.tag) != "SorId" or len(sub):
                        return None
                    t = _strip(sub.text)
                    if t is None:
                        return None
                    ids.append(t)
                if ids:
                    values[arg] = ", ".join(ids)
        return _Fast(values, seen, sor_id, locs)

    def record(self, elem: Any, ctx: _Ctx) -> None:
        """Read one unit element (InstitutionOwner / HealthInstitution / OrganizationalUnit)."""
        fast = self._fast_values(elem, ctx.level)
        if fast is not None:
            values = fast.values
            seen_blocks = fast.seen
            sor_id = fast.sor_id
            for key, loc in fast.locations:
                self.locations.setdefault(key, loc)
        else:
            values, seen_blocks, sor_id = self._general_values(elem, ctx)
        self._finish_record(elem, ctx, values, seen_blocks, sor_id)

    def _general_values(self, elem: Any, ctx: _Ctx) -> tuple[dict[str, str], set[str], str | None]:
        """`record`'s values read field by field, reporting whatever is not as expected."""
        values: dict[str, str] = {"SorType": ctx.level}
        seen_blocks: set[str] = set()
        kids = _children(elem)
        sor_id = next(
            (_text(k) for k in kids if _split(k.tag)[1] == "SorIdentifier"),
            None,
        )
        for kid in kids:
            uri, local = _split(kid.tag)
            path = local  # same column names for a field at every level
            if not _is_known(uri):
                self._unknown(values, local, kid)
                continue
            if local in _SIMPLE and not len(kid):
                val = _text(kid)
                if val is not None:
                    values[_SIMPLE[local]] = val
            elif local == "SorStatus":
                seen_blocks.add(local)
                self._leaves(values, kid, _STATUS, path)
            elif local == "EanLocationCodeEntity":
                seen_blocks.add("ean")
                self._ean(values, kid, path)
            elif local in ("OptionalEanLocationCode", "EanLocationCodeOption"):
                seen_blocks.add("ean")
                self._ean_option(values, kid, path, sor_id)
            elif local in _ADDRESS_BLOCKS:
                prefix, indicator = _ADDRESS_BLOCKS[local]
                seen_blocks.add(local)
                values[indicator] = "false"
                self._address(values, kid, prefix, path)
            elif local == "VirtualAddressInformation":
                seen_blocks.add(local)
                values["VirtualAddressInheritanceIndicator"] = "false"
                self._leaves(values, kid, _VIRTUAL, path)
            elif local == "ClinicalSpecialityCollection":
                self._specialities(values, kid, path, sor_id)
            elif local == "OrganizationalUnitInformation":
                self._leaves(values, kid, _OU_FLAGS, path)
            elif local == "LocalAttributeCollection":
                self._leaves(values, kid, _LOCAL_ATTRIBUTES, path)
            elif local == "GeographicalParent":
                self._leaves(values, kid, _GEO, path)
            elif local in ("ReplacesEntityCollection", "ReplacedByEntityCollection"):
                self._replacements(values, kid, local, path)
            else:
                self._unknown(values, local, kid)
        return values, seen_blocks, sor_id

    def _finish_record(
        self,
        elem: Any,
        ctx: _Ctx,
        values: dict[str, str],
        seen_blocks: set[str],
        sor_id: str | None,
    ) -> None:
        """The checks after a record's fields are read, and the row."""
        name = _RECORD_LEVELS[_split(elem.tag)[1]]
        line = int(elem.sourceline or ctx.line or 0)
        if name != ctx.level:
            self._warn(
                msg("report.xml_level_mismatch", found=_level(name), block=_level(ctx.level)),
                line,
                sor_id,
                kind="unexpected_nesting",
            )
        self._inherit_absent(values, seen_blocks, ctx.level)
        if "SorStatus" not in seen_blocks:
            self._warn(
                msg("report.xml_missing_status"),
                line,
                sor_id,
                kind="missing_status",
            )
        if sor_id:
            for other in values.get("ReplacesSorIds", "").split(", "):
                if other:
                    self.replaced[(other, sor_id)] = None
            for other in values.get("ReplacedBySorIds", "").split(", "):
                if other:
                    self.replaced[(sor_id, other)] = None
        else:
            self._warn(
                msg("report.xml_missing_id", level=_level(ctx.level)),
                line,
                kind="missing_id",
                severity="error",
                column="SorId",
            )
            return
        if ctx.row >= 0:
            self._warn(
                msg("report.xml_two_units"),
                line,
                sor_id,
                kind="unexpected_nesting",
            )
        if ctx.row < 0:
            ctx.row = self.rows.n
        self.rows.add(values, line, ctx.level, ctx.parent)

    @staticmethod
    def _inherit_absent(values: dict[str, str], seen: set[str], level: str) -> None:
        """Absent blocks follow the official inheritance rules (docs/FORMATS.md, "Inheritance")."""
        below = level in ("SI", "OE")
        if "PostalAddressInformation" not in seen:
            values["PostalAddressInheritanceIndicator"] = "true" if below else "false"
        if "VirtualAddressInformation" not in seen:
            values["VirtualAddressInheritanceIndicator"] = "true" if below else "false"
        if "VisitingAddressInformation" not in seen and below:
            values["VisitingAddressInheritanceIndicator"] = "true"
        if "ActivityAddressInformation" not in seen and level == "OE":
            values["ActivityAddressAddressInheritanceIndicator"] = "true"
        if "ean" not in seen:
            values["EanLocationCodeState"] = "inherited" if below else "none"

    # -- the stream --

    def parse(
        self,
        source: _Source,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        # Events only for the elements that shape the tree: a unit record is read as a
        # whole at its end, so the millions of leaf elements cost no Python call each.
        events = etree.iterparse(
            source,
            events=("start", "end"),
            tag=_EVENT_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            # the indentation between elements is never read: not building its text
            # nodes saves a sixth of the parse
            remove_blank_text=True,
        )
        self.events = events  # its error_log (a copy on each access) explains failures
        stack = self.stack
        root: Any = None
        ends = 0
        for event, elem in events:
            if root is None:
                root = elem.getroottree().getroot()
                self._check_root(root, *_split(root.tag))
                self.root = root
            uri, local = _split(elem.tag)
            if not _is_sor(uri):
                continue
            if event == "start":
                level = _ENTITY_LEVELS.get(local)
                if level is not None:
                    parent = stack[-1] if stack else None
                    self._check_nesting(level, parent, elem)
                    stack.append(_Ctx(level, parent, elem, int(elem.sourceline or 0)))
                continue
            ends += 1
            if cancelled is not None and ends % CANCEL_EVERY == 0 and cancelled():
                raise LoadCancelled()
            if elem is root:
                self._report_strays(list(root), "SorTree")
                continue
            if stack and elem is stack[-1].elem:
                ctx = stack.pop()
                ctx.elem = None  # let lxml free the element
                if ctx.row < 0:
                    self._warn(
                        msg("report.xml_missing_unit", level=_level(ctx.level)),
                        ctx.line,
                        kind="missing_unit",
                    )
                self._report_strays(list(elem), local)
                self._drop(elem)
                continue
            up = elem.getparent()
            if local in _RECORD_LEVELS and stack and up is stack[-1].elem:
                self.record(elem, stack[-1])
                elem.clear(keep_tail=False)
            elif up is root and local == "SnapshotDate":
                self.snapshot_text = _text(elem)
            elif up is root and local == "CreatedAtTime":
                self.created_text = _text(elem)
        if root is None:
            raise LoadError(msg("load.xml_not_sor"))
        if cancelled is not None and cancelled():
            raise LoadCancelled()

    def prune(self, done: int) -> None:
        """Let go of finished elements no one will read, so memory follows the units read
        and not the elements around them (a file of millions of stray elements).

        Called between lxml's reads, when every event so far has been handled: along the
        path of open elements (each the last child of the one above), every child but the
        last is finished. Under the root and unit blocks those children are records and
        blocks already read, or strays (reported once per kind); under any other element
        outside a record they are strays' insides. A record keeps its children for
        `record` to read, up to RECORD_CAP; the rest are reported and dropped."""
        root = self.root
        if root is None:
            if done > 2 * HEAD_BYTES:  # the SorTree start comes first in every SOR file
                raise LoadError(msg("load.xml_not_sor"))
            return
        blocks = {id(ctx.elem) for ctx in self.stack if ctx.elem is not None}
        elem, in_record = root, False
        while elem is not None:
            n = len(elem)
            if n == 0:
                return
            last = elem[-1]
            local = _split(elem.tag)[1]
            if elem is root or id(elem) in blocks:
                # strays are reported once per kind: a sample of each stretch finds them
                # without a Python call for each of millions
                sample = list(itertools.islice(elem.iterchildren(), min(n - 1, STRAY_SAMPLE)))
                self._report_strays(sample, "SorTree" if elem is root else local)
                del elem[: n - 1]
            elif in_record or (local in _RECORD_LEVELS and id(elem.getparent()) in blocks):
                in_record = True
                if n - 1 > RECORD_CAP:
                    start = RECORD_CAP
                    beyond = itertools.islice(elem.iterchildren(), start, start + STRAY_SAMPLE)
                    self._report_strays(list(beyond), local)
                    del elem[start : n - 1]
            else:
                del elem[: n - 1]
            elem = last

    def _report_strays(self, elems: list[Any], where: str) -> None:
        """One report row per kind of element the tree levels do not know (not kept)."""
        for child in elems:
            uri, local = _split(child.tag)
            if not local:
                continue
            if _is_sor(uri) and (
                local in _ENTITY_LEVELS
                or local in _RECORD_LEVELS
                or (where == "SorTree" and local in ("SnapshotDate", "CreatedAtTime"))
            ):
                continue
            key = f"{where}/{local}"
            if key in self.unknown_seen:
                continue
            self.unknown_seen.add(key)
            self._warn(
                msg("report.xml_stray", element=clean_text(local), where=clean_text(where)),
                child.sourceline,
                kind="unknown_element",
                severity="info",
            )

    def _drop(self, elem: Any) -> None:
        """Free a finished block and the finished siblings before it (checked for strays)."""
        elem.clear(keep_tail=False)
        parent = elem.getparent()
        if parent is None:
            return
        where = "SorTree" if parent.getparent() is None else _split(parent.tag)[1]
        while elem.getprevious() is not None:
            self._report_strays([parent[0]], where)
            del parent[0]

    def _check_root(self, elem: Any, uri: str, local: str) -> None:
        docinfo = elem.getroottree().docinfo
        dtd = docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise LoadError(_SAFETY_ENTITIES)
        if docinfo.system_url or docinfo.public_id:
            raise LoadError(_SAFETY_DTD)
        if local != "SorTree" or not _is_sor(uri):
            raise LoadError(msg("load.xml_not_sor"))
        self.root_uri = uri
        if uri not in (NS_SOR1, NS_SOR2):
            self._warn(
                msg("report.xml_unknown_namespace", uri=clean_text(uri)),
                elem.sourceline,
                kind="unknown_version",
            )

    def _check_nesting(self, level: str, parent: _Ctx | None, elem: Any) -> None:
        expected = {"IE": (None,), "SI": ("IE",), "OE": ("SI", "OE")}[level]
        got = parent.level if parent is not None else None
        if got in expected:
            return
        self._warn(
            msg("report.xml_bad_nesting", level=_level(level), parent=_level(got))
            if got
            else msg("report.xml_bad_nesting_top", level=_level(level)),
            elem.sourceline,
            kind="unexpected_nesting",
        )

    # -- output --

    def version(self) -> str | None:
        if self.root_uri == NS_SOR1:
            return "1.0.0"
        if self.root_uri == NS_SOR2:
            return "2.0.0"
        m = re.search(r"(\d+(?:\.\d+)+)\s*$", self.root_uri)
        return m.group(1) if m else None

    def entities(self) -> pd.DataFrame:
        rows = self.rows
        n = rows.n
        sor = rows.column("SorId")
        name = rows.column("EntityName")
        type_id = rows.column("EntityTypeId")
        cvr = rows.column("InstitutionOwnerCvrNumberId")
        type_name = _type_names(type_id)
        # owner and institution row of each unit: the nearest enclosing block of that
        # level that has a row (a block without a record ends the walk, as it always did)
        parent_row = np.fromiter(
            (p.row if p is not None else -1 for p in rows.parents), dtype=np.int64, count=n
        )
        level = np.asarray(rows.levels, dtype=object)
        owner = first_up(parent_row, level == "IE")
        inst = first_up(parent_row, level == "SI")
        derived: dict[str, np.ndarray] = {
            "ParentSorId": _take(sor, parent_row),
            "InstitutionOwnerSorId": _take(sor, owner),
            "InstitutionOwnerEntityName": _take(name, owner),
            "InstitutionOwnerEntityTypeId": _take(type_id, owner),
            "InstitutionOwnerEntityTypeName": _take(type_name, owner),
            "InstitutionOwnerCvrNumberId": _take(cvr, owner),
            "HealthInstitutionSorId": _take(sor, inst),
            "HealthInstitutionEntityName": _take(name, inst),
            "HealthInstitutionEntityTypeId": _take(type_id, inst),
            "HealthInstitutionEntityTypeName": _take(type_name, inst),
            "EntityTypeName": type_name,
        }
        extra = [c for c in rows.cols if c not in schema.SOR_ENTITY_COLUMNS]
        data: dict[str, Any] = {}
        for col in (*schema.SOR_ENTITY_COLUMNS, *extra):
            values = rows.column(col)
            if col in derived:
                values = np.where(pd.notna(values), values, derived[col])
            data[col] = _strings(values)
        data[LINE] = np.asarray(rows.lines, dtype=np.int64)
        return pd.DataFrame(data)

    def tables(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        if self.locations:
            cols = [
                c
                for c in schema.LOCATIONS_CODE_COLUMNS
                if any(c in rec for rec in self.locations.values())
            ]
            frame = pd.DataFrame(
                {
                    c: pd.array([rec.get(c) for rec in self.locations.values()], dtype=STRING)
                    for c in cols
                }
            )
            out["LocationsCode"] = frame
        if self.replaced:
            pairs = list(self.replaced)
            out["SORReplacedEntities"] = pd.DataFrame(
                {
                    "ReplacedSorId": pd.array([a for a, _ in pairs], dtype=STRING),
                    "ReplacedBySorId": pd.array([b for _, b in pairs], dtype=STRING),
                }
            )
        return out


def _type_names(type_id: np.ndarray) -> np.ndarray:
    """`codes.type_name` of each code, looked up once per distinct code."""
    present = pd.notna(type_id)
    out = np.full(len(type_id), None, dtype=object)
    if present.any():
        uniq, inverse = np.unique(type_id[present].astype(str), return_inverse=True)
        names = np.array([codes.type_name(u) for u in uniq.tolist()], dtype=object)
        out[present] = names[inverse]
    return out


def _strings(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array of str/None as the register's text dtype, converted by pyarrow
    in one call (pandas' own conversion checks each value in Python first)."""
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    return pd.array(pd.arrays.ArrowStringArray(pa.chunked_array([arr])), dtype=STRING)


def _take(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out = np.full(len(idx), None, dtype=object)
    ok = idx >= 0
    if ok.any():
        out[ok] = values[idx[ok]]
    return out


def _syntax_message(exc: etree.XMLSyntaxError, source: _Source, log: Any) -> Message:
    """One sentence for a parse error; the parser's first logged error is the real cause."""
    text = (getattr(exc, "msg", None) or str(exc)).strip()
    line = getattr(exc, "lineno", None) or 0
    entries: list[Any] = list(log) if log is not None else []
    first = next((e for e in entries if e.level >= etree.ErrorLevels.ERROR), None)
    if first is not None and first.message:
        text, line = first.message.strip(), first.line or line
    low = text.lower()
    if "entity" in low and ("amplification" in low or "loop" in low or "declared" in low):
        return _SAFETY_ENTITIES
    if "excessive depth" in low:
        return msg("load.xml_too_deep", line=str(line))
    # Cut off: the error comes at the very end of what could be read.
    if source.eof and (line == 0 or line >= source.lines) and "not defined" not in low:
        return msg("load.xml_truncated", line=str(source.lines + 1))
    if line:
        return msg("load.xml_damaged_at", line=str(line))
    return msg("load.xml_damaged")


def read_xml(
    stream: IO[bytes] | io.RawIOBase,
    *,
    path: str,
    size: int | None,
    report: LoadReport,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RawData:
    """Read a SOR XML document from `stream` (a file or zip member, read once, never seeked).

    Raises LoadError (one sentence) for XML that is not SOR, damaged or truncated, or
    that declares entities; LoadCancelled when `cancelled()` turns true.
    """
    reader = _Reader(path, report)
    try:
        head = stream.read(HEAD_BYTES)
    except FILE_ERRORS as exc:
        raise LoadError(msg("load.xml_unreadable")) from exc
    if not head.strip():
        raise LoadError(msg("load.xml_empty"))
    unsafe = _unsafe_head(head)
    if unsafe:
        raise LoadError(unsafe)
    source = _Source(stream, head, size, progress, reader.prune)
    try:
        reader.parse(source, cancelled)
    except (LoadError, LoadCancelled):
        raise
    except etree.XMLSyntaxError as exc:
        log = reader.events.error_log if reader.events is not None else None
        raise LoadError(_syntax_message(exc, source, log)) from exc
    except MemoryError as exc:
        raise LoadError(msg("load.no_memory")) from exc
    except FILE_ERRORS as exc:  # the file failing under the parser (a zip member's
        # failures are LoadError already, see loading._ZipMember)
        raise LoadError(msg("load.xml_unreadable")) from exc
    source.finish()
    if reader.rows.n == 0:
        raise LoadError(msg("load.xml_no_units"))

    snapshot = None
    for text in (reader.snapshot_text, reader.created_text):
        try:
            snapshot = parse_date_text(text)
        except ValueError:
            report.add(
                "warning",
                _TABLE,
                msg("report.bad_file_date", value=clean_text(text, 60)),
                kind="bad_date",
            )
            continue
        if snapshot is not None:
            break
    entities = reader.entities()
    tables = reader.tables()
    stem = re.sub(r"\.xml$", "", path.replace("\\", "/").rsplit("/", 1)[-1], flags=re.I)
    table_rows = {stem if path.lower().endswith(".xml") else "Sor": len(entities)}
    table_rows.update({name: len(frame) for name, frame in tables.items()})
    source_info = SourceInfo(
        path=path,
        format="sor-xml",
        format_version=reader.version(),
        snapshot_date=snapshot,
        has_history=False,
        table_rows=table_rows,
    )
    return RawData(entities, tables, source_info, report, inheritance="xml")
