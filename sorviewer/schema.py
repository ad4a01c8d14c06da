"""Tables, columns and field groups of the SOR2 register, with labels.

Column names and their order follow the official NSP field tables (seed 003),
which is also the order our synthetic writer uses. Readers never depend on the
order: they match header names case-insensitively through `canonical_column`.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- SOREntity: 111 columns from seed 003, plus the two ID27 (2025) columns --------

_ADDRESS_PARTS_POSTAL = (
    "StreetName",
    "StreetCode",
    "StreetBuildingId",
    "FloorId",
    "SuiteId",
    "AdditionalAddressInfo",
    "PostCodeId",
    "DistrictName",
    "MunicipalityCode",
    "RegionCode",
    "CountryIdCode",
    "CoordETRS89z32NMeasure",
    "CoordETRS89z32EMeasure",
)
# The visiting block lists the street code before the street name (seed 003).
_ADDRESS_PARTS_VISITING = ("StreetCode", "StreetName", *_ADDRESS_PARTS_POSTAL[2:])

SOR_ENTITY_COLUMNS: tuple[str, ...] = (
    "SorId",
    "SorType",
    "EntityName",
    "EntityTypeId",
    "EntityTypeName",
    "FirstFromDate",
    "FromDate",
    "ToDate",
    "UpdatedAt",
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
    "HealthInstitutionProductionUnitId",
    "ProductionUnitId",
    "ShakId",
    "ProviderId",
    "PharmacyId",
    "LocalCode",
    "VirtualAddressInheritanceIndicator",
    "VirtualAddressTelephoneNumber",
    "VirtualAddressWebsite",
    "VirtualAddressEmailAddress",
    "VirtualAddressFaxNumber",
    "EanLocationCodeState",
    "EanLocationCode",
    "EanLocationCodeOnlyInternalIndicator",
    "EanLocationCodeNonActiveIndicator",
    "EanLocationCodeSorNote",
    "EanLocationCodeRegionId",
    "EanLocationCodeRegionName",
    "EanLocationCodeSystemTypeId",
    "EanLocationCodeSystemTypename",
    "EanLocationCodeSystemSupplierId",
    "EanLocationCodeSystemSupplierName",
    "EanLocationCodeCommunicationSupplierId",
    "EanLocationCodeCommunicationSupplierName",
    "PostalAddressInheritanceIndicator",
    *("PostalAddress" + p for p in _ADDRESS_PARTS_POSTAL),
    "GeographicalLocalisationId",
    "GeographicalLocalisationName",
    "VisitingAddressInheritanceIndicator",
    *("VisitingAddress" + p for p in _ADDRESS_PARTS_VISITING),
    "ActivityAddressAddressInheritanceIndicator",
    *("ActivityAddress" + p for p in _ADDRESS_PARTS_POSTAL),
    *(f"PrioritizedEntitySpeciality{n}{k}" for n in range(1, 9) for k in ("Id", "Name")),
    "PatientsAdmittedIndicator",
    "AmbulantActivityIndicator",
    "ReportingLevelIndicator",
    *(f"LocalAttribute{n}" for n in range(1, 6)),
)
assert len(SOR_ENTITY_COLUMNS) == 111, len(SOR_ENTITY_COLUMNS)

#: Added by ID27 in 2025 (NSP); their place in the public CSV is unknown, we append them.
ORG_LEVEL_COLUMNS: tuple[str, ...] = ("OrganisationalLevelCode", "OrganisationalLevelName")
SOR_ENTITY_COLUMNS_2025: tuple[str, ...] = SOR_ENTITY_COLUMNS + ORG_LEVEL_COLUMNS

# --- The other seven tables --------------------------------------------------------

SHAK_SOR_MAP_COLUMNS: tuple[str, ...] = (
    "SorShakMapId",
    "ShakId",
    "SorId",
    "IsDirectSorShakMapping",
    "ShakIdsDirectSorId",
    "FromDate",
    "ToDate",
    "UpdatedAt",
    "SorType",
    "SorEntityName",
    "SorEntityTypeId",
    "SorEntityTypeName",
    "SorFirstFromDate",
    "SorFromDate",
    "SorToDate",
    "SorUpdatedAt",
    "SorParentSorId",
    "SorInstitutionOwnerSorId",
    "SorInstitutionOwnerEntityName",
    "SorInstitutionOwnerEntityTypeId",
    "SorInstitutionOwnerEntityTypeName",
    "SorHealthInstitutionSorId",
    "SorHealthInstitutionEntityName",
    "SorHealthInstitutionEntityTypeId",
    "SorHealthInstitutionEntityTypeName",
    "SorEanLocationCodeState",
    "SorEanLocationCode",
    "SorGeographicalLocalisationId",
    "SorGeographicalLocalisationName",
    "SorVisitingAddressInheritanceIndicator",
    "SorVisitingAddressStreetName",
    "SorVisitingAddressStreetCode",
    "SorVisitingAddressStreetBuildingId",
    "SorVisitingAddressFloorId",
    "SorVisitingAddressSuiteId",
    "SorVisitingAddressAdditionalAddressInfo",
    "SorVisitingAddressPostCodeId",
    "SorVisitingAddressDistrictName",
    "SorVisitingAddressMunicipalityCode",
    "SorVisitingAddressRegionCode",
    "SorVisitingAddressCountryIdCode",
    "SorVisitingAddressCoordETRS89z32NMeasure",
    "SorVisitingAddressCoordETRS89z32EMeasure",
    *(f"SorPrioritizedEntitySpeciality{n}{k}" for n in range(1, 9) for k in ("Id", "Name")),
    "ShakDateFrom",
    "ShakDateTo",
    "ShakUpdatedAt",
    "ShakName",
    "ShakInstitutionTypeId",
    "ShakInstitutionTypeName",
    "ShakOwnerTypeId",
    "ShakOwnerTypeName",
    "ShakMainSpecialityId",
    "ShakMainSpecialityName",
    *(f"ShakSpeciality{n}{k}" for n in range(1, 4) for k in ("Id", "Name")),
)
assert len(SHAK_SOR_MAP_COLUMNS) == 75, len(SHAK_SOR_MAP_COLUMNS)
SHAK_SOR_MAP_COLUMNS_2025: tuple[str, ...] = SHAK_SOR_MAP_COLUMNS + ORG_LEVEL_COLUMNS

LOCATIONS_CODE_COLUMNS: tuple[str, ...] = (
    "EanLocationCode",
    "FromDate",
    "ToDate",
    "UpdatedAt",
    "EanLocationCodeRegionId",
    "EanLocationCodeRegionName",
    "EanLocationCodeCommunicationSupplierId",
    "EanLocationCodeCommunicationSupplierName",
    "EanLocationCodeSystemSupplierId",
    "EanLocationCodeSystemSupplierName",
    "EanLocationCodeSystemTypeId",
    "EanLocationCodeSystemTypeName",
    "EanLocationCodeSorNote",
    "EanLocationCodeNonActiveIndicator",
    "EanLocationCodeOnlyInternalIndicator",
)

EDI_MAP_COLUMNS: tuple[str, ...] = (
    "EanLocationCode",
    "FromDate",
    "ToDate",
    "UpdatedAt",
    "EdiId",
    "EdifactName",
    "EnvelopeType",
    "EdifactVersion",
    "Direction",
    "TypeName",
    "DirektoratVersion",
    "EdiMessageTypeId",
    "EdiMessageTypeName",
)

EDI_TYPES_COLUMNS: tuple[str, ...] = (
    "EdiId",
    "EdiFactNavn",
    "FromDate",
    "ToDate",
    "UpdatedAt",
    "MessageTypeId",
    "MessageTypeName",
    "EnvelopeType",
    "EdiFactVersion",
    "Direction",
    "TypeName",
    "DirektoratVersion",
)

GEOLOCATION_COLUMNS: tuple[str, ...] = (
    "GeoLocalisationId",
    "GeoLocalisationName",
    "GeoLocalisationOwnerId",
    "GeoLocalisationOwnerName",
    "FromDate",
    "ToDate",
    "UpdatedAt",
    "AddressStreetName",
    "AddressStreetCode",
    "AddressStreetbuildingId",
    "AddressFloorId",
    "AddressSuiteId",
    "AddressPostCodeId",
    "AddressDistrictName",
    "AddressMunicipalityCode",
    "AddressRegionCode",
    "AddressCountryCode",
    "AddressCoordETRS89z32NMeasure",
    "AddressCoordETRS89z32EMeasure",
    "GeoLocalisationStartDate",
    "GeoLocalisationEndDate",
)

CLASSIFICATION_COLUMNS: tuple[str, ...] = (
    "ClassificationType",
    "TypeName",
    "TypeId",
    "AlternativeTypeName",
    "FromDate",
    "ToDate",
    "UpdatedAt",
)

REPLACED_COLUMNS: tuple[str, ...] = (
    "ReplacedSorId",
    "ReplacedBySorId",
    "FromDate",
    "ToDate",
    "UpdatedAt",
)


@dataclass(frozen=True)
class TableSpec:
    """One table of `Sor_complete.zip`: its canonical name, columns and key."""

    name: str  # canonical member stem as we write it (e.g. "SOREntity")
    columns: tuple[str, ...]
    key: tuple[str, ...]  # columns a row cannot do without
    required: bool = False  # only SOREntity is required


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("SOREntity", SOR_ENTITY_COLUMNS_2025, ("SorId",), required=True),
        TableSpec("SHAKSORMap", SHAK_SOR_MAP_COLUMNS_2025, ("ShakId", "SorId")),
        TableSpec("LocationsCode", LOCATIONS_CODE_COLUMNS, ("EanLocationCode",)),
        TableSpec("LocationsCodeEDITypeMap", EDI_MAP_COLUMNS, ("EanLocationCode", "EdiId")),
        TableSpec("EDITypes", EDI_TYPES_COLUMNS, ("EdiId",)),
        TableSpec("SORClassifications", CLASSIFICATION_COLUMNS, ("ClassificationType", "TypeId")),
        TableSpec("Geolocations", GEOLOCATION_COLUMNS, ("GeoLocalisationId",)),
        TableSpec("SORReplacedEntities", REPLACED_COLUMNS, ("ReplacedSorId", "ReplacedBySorId")),
    )
}


def table_for_member(member_name: str) -> str | None:
    """Map a zip member name to a canonical table name, tolerating the known variants.

    Folder prefixes, case, a `.csv` suffix, plural `s` after "location"/"code" and the
    geolocation/geolocalisation spellings are all ignored (docs/FORMATS.md, "Member files").
    """
    stem = member_name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if stem.endswith(".csv"):
        stem = stem[:-4]
    stem = stem.replace("locations", "location").replace("codes", "code")
    stem = stem.replace("geolocalisation", "geolocation")
    if stem.endswith("_daily"):
        stem = stem[: -len("_daily")]
    known = {
        "sorentity": "SOREntity",
        "shaksormap": "SHAKSORMap",
        "sorshakmap": "SHAKSORMap",
        "locationcode": "LocationsCode",
        "eanlocationcode": "LocationsCode",
        "locationcodeeditypemap": "LocationsCodeEDITypeMap",
        "eanlocationcodeeditype": "LocationsCodeEDITypeMap",
        "editype": "EDITypes",
        "editypes": "EDITypes",
        "sorclassification": "SORClassifications",
        "sorclassifications": "SORClassifications",
        "geolocation": "Geolocations",
        "geolocations": "Geolocations",
        "sorreplacedentities": "SORReplacedEntities",
        "sorreplacedbyentities": "SORReplacedEntities",
    }
    return known.get(stem)


#: Known spelling variants -> the name used in TABLES (docs/FORMATS.md, "Member files").
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "SOREntity": {
        "EanLocationCodeSystemTypeName": "EanLocationCodeSystemTypename",
        "ActivityAddressInheritanceIndicator": "ActivityAddressAddressInheritanceIndicator",
    },
    "LocationsCode": {"EanLocationCodeSystemTypename": "EanLocationCodeSystemTypeName"},
    "LocationsCodeEDITypeMap": {
        "EdiFactName": "EdifactName",
        "EdiFactNavn": "EdifactName",
        "EdiFactVersion": "EdifactVersion",
        "MessageTypeId": "EdiMessageTypeId",
        "MessageTypeName": "EdiMessageTypeName",
    },
    "EDITypes": {
        "EdifactName": "EdiFactNavn",
        "EdifactVersion": "EdiFactVersion",
        "EdiMessageTypeId": "MessageTypeId",
        "EdiMessageTypeName": "MessageTypeName",
    },
    "Geolocations": {
        "AddressStreetBuildingId": "AddressStreetbuildingId",
        "AddressCountryIdCode": "AddressCountryCode",
    },
}


def canonical_column(table: str, name: str) -> str | None:
    """The canonical spelling of header `name` in `table`, or None if it is unknown.

    Matching is case-insensitive after stripping a BOM and whitespace.
    """
    clean = name.lstrip("\ufeff").strip()
    low = clean.lower()
    spec = TABLES.get(table)
    if spec is not None:
        for col in spec.columns:
            if col.lower() == low:
                return col
    for alias, target in COLUMN_ALIASES.get(table, {}).items():
        if alias.lower() == low:
            return target
    return None


# --- Columns the register treats specially ---------------------------------------

DATE_COLUMNS = ("FirstFromDate", "FromDate", "ToDate")
#: History diffs ignore these (docs/ARCHITECTURE.md, "The command line": `history`).
NON_DATA_COLUMNS = frozenset({"FromDate", "ToDate", "UpdatedAt"})

ID_COLUMNS_ENTITY = (
    "SorId",
    "ParentSorId",
    "InstitutionOwnerSorId",
    "HealthInstitutionSorId",
)

BOOLEAN_COLUMNS_ENTITY = tuple(c for c in SOR_ENTITY_COLUMNS if c.endswith("Indicator"))


@dataclass(frozen=True)
class FieldGroup:
    """An inheritable group of SOREntity columns (docs/FORMATS.md, "Inheritance")."""

    key: str  # provenance key in the CLI contract
    indicator: str | None  # the column telling own vs inherited
    columns: tuple[str, ...]  # value columns of the group
    #: where an inherited value comes from: "parent" (same group of the parent) or
    #: the key of another group of the same unit.
    inherits_from: str


def _block(prefix: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(prefix + p for p in parts)


FIELD_GROUPS: dict[str, FieldGroup] = {
    g.key: g
    for g in (
        FieldGroup(
            "postal_address",
            "PostalAddressInheritanceIndicator",
            _block("PostalAddress", _ADDRESS_PARTS_POSTAL),
            "parent",
        ),
        FieldGroup(
            "visiting_address",
            "VisitingAddressInheritanceIndicator",
            _block("VisitingAddress", _ADDRESS_PARTS_VISITING),
            "postal_address",
        ),
        FieldGroup(
            "activity_address",
            "ActivityAddressAddressInheritanceIndicator",
            _block("ActivityAddress", _ADDRESS_PARTS_POSTAL),
            "visiting_address",
        ),
        FieldGroup(
            "virtual_address",
            "VirtualAddressInheritanceIndicator",
            (
                "VirtualAddressTelephoneNumber",
                "VirtualAddressWebsite",
                "VirtualAddressEmailAddress",
                "VirtualAddressFaxNumber",
            ),
            "parent",
        ),
        FieldGroup(
            "ean_location_code",
            "EanLocationCodeState",
            (
                "EanLocationCode",
                "EanLocationCodeOnlyInternalIndicator",
                "EanLocationCodeNonActiveIndicator",
                "EanLocationCodeSorNote",
                "EanLocationCodeRegionId",
                "EanLocationCodeRegionName",
                "EanLocationCodeSystemTypeId",
                "EanLocationCodeSystemTypename",
                "EanLocationCodeSystemSupplierId",
                "EanLocationCodeSystemSupplierName",
                "EanLocationCodeCommunicationSupplierId",
                "EanLocationCodeCommunicationSupplierName",
            ),
            "parent",
        ),
        FieldGroup("shak", None, ("ShakId",), "parent"),
    )
}


def address_part(column: str) -> str:
    """The part name of an address column ("PostalAddressStreetName" -> "StreetName")."""
    for prefix in ("PostalAddress", "VisitingAddress", "ActivityAddress"):
        if column.startswith(prefix):
            return column[len(prefix) :]
    return column


SOR_TYPES = ("IE", "SI", "OE")

# --- Labels ----------------------------------------------------------------------

#: Danish and English labels for the columns a user sees most. Other columns show
#: their SOR2 name. Danish wording follows the official field descriptions (seed 003).
LABELS: dict[str, tuple[str, str]] = {
    "SorId": ("SOR-kode", "SOR id"),
    "SorType": ("SOR-niveau", "SOR level"),
    "EntityName": ("Enhedsnavn", "Name"),
    "EntityTypeId": ("Enhedstype (kode)", "Unit type (code)"),
    "EntityTypeName": ("Enhedstype", "Unit type"),
    "FirstFromDate": ("Første gyldig fra", "First valid from"),
    "FromDate": ("Gyldig fra", "Valid from"),
    "ToDate": ("Gyldig til og med", "Valid to (inclusive)"),
    "UpdatedAt": ("Opdateret", "Updated at"),
    "ParentSorId": ("Overordnet SOR-kode", "Parent SOR id"),
    "InstitutionOwnerSorId": ("Institutionsejer SOR-kode", "Owner SOR id"),
    "InstitutionOwnerEntityName": ("Institutionsejer", "Institution owner"),
    "InstitutionOwnerEntityTypeName": ("Ejertype", "Owner type"),
    "InstitutionOwnerCvrNumberId": ("CVR-nummer", "CVR number"),
    "HealthInstitutionSorId": ("Sundhedsinstitution SOR-kode", "Health institution SOR id"),
    "HealthInstitutionEntityName": ("Sundhedsinstitution", "Health institution"),
    "HealthInstitutionEntityTypeName": ("Institutionstype", "Institution type"),
    "HealthInstitutionProductionUnitId": ("P-nummer (institution)", "P-number (institution)"),
    "ProductionUnitId": ("P-nummer", "P-number"),
    "ShakId": ("SHAK-kode (SghAfd)", "SHAK code"),
    "ProviderId": ("Ydernummer", "Provider number"),
    "PharmacyId": ("Apoteksnummer", "Pharmacy number"),
    "LocalCode": ("Lokal kode", "Local code"),
    "EanLocationCode": ("Lokationsnummer (EAN)", "EAN location number"),
    "EanLocationCodeState": ("Lokationsnummer-status", "EAN state"),
    "EanLocationCodeSystemSupplierName": ("Systemleverandør", "System supplier"),
    "EanLocationCodeCommunicationSupplierName": ("Netoperatør (VANS)", "Network operator (VANS)"),
    "EanLocationCodeSystemTypename": ("EDB-system", "IT system"),
    "EanLocationCodeRegionName": ("Region (lokationsnummer)", "Region (EAN)"),
    "PrioritizedEntitySpeciality1Name": ("Hovedspeciale", "Main speciality"),
    "PatientsAdmittedIndicator": ("Sengeafsnit", "Bed ward"),
    "AmbulantActivityIndicator": ("Ambulatorie", "Outpatient clinic"),
    "ReportingLevelIndicator": ("Indberetningsniveau (LPR)", "LPR reporting level"),
    "OrganisationalLevelName": ("Klinisk-administrativt niveau", "Clinical-administrative level"),
    "VirtualAddressTelephoneNumber": ("Telefon", "Phone"),
    "VirtualAddressWebsite": ("Hjemmeside", "Website"),
    "VirtualAddressEmailAddress": ("E-mail", "E-mail"),
    "VirtualAddressFaxNumber": ("Fax", "Fax"),
}

_PART_LABELS: dict[str, tuple[str, str]] = {
    "StreetName": ("vejnavn", "street"),
    "StreetCode": ("vejkode", "street code"),
    "StreetBuildingId": ("husnummer", "house number"),
    "FloorId": ("etage", "floor"),
    "SuiteId": ("dør", "door"),
    "AdditionalAddressInfo": ("supplerende adresse", "extra address line"),
    "PostCodeId": ("postnummer", "postcode"),
    "DistrictName": ("by", "town"),
    "MunicipalityCode": ("kommunekode", "municipality code"),
    "RegionCode": ("regionskode", "region code"),
    "CountryIdCode": ("landekode", "country code"),
    "CoordETRS89z32NMeasure": ("nordlig koordinat (UTM32)", "northing (UTM32)"),
    "CoordETRS89z32EMeasure": ("østlig koordinat (UTM32)", "easting (UTM32)"),
    "InheritanceIndicator": ("nedarvet", "inherited"),
    "AddressInheritanceIndicator": ("nedarvet", "inherited"),
}

GROUP_LABELS: dict[str, tuple[str, str]] = {
    "postal_address": ("Postadresse", "Postal address"),
    "visiting_address": ("Besøgsadresse", "Visiting address"),
    "activity_address": ("Aktivitetsadresse", "Activity address"),
    "virtual_address": ("Virtuel adresse", "Virtual address"),
    "ean_location_code": ("Lokationsnummer (EAN)", "EAN location number"),
    "shak": ("SHAK-kode", "SHAK code"),
}


def label(column: str, lang: str = "da") -> str:
    """A human label for a SOREntity column in Danish ("da") or English ("en")."""
    i = 0 if lang == "da" else 1
    if column in LABELS:
        return LABELS[column][i]
    for prefix, group in (
        ("PostalAddress", "postal_address"),
        ("VisitingAddress", "visiting_address"),
        ("ActivityAddress", "activity_address"),
    ):
        if column.startswith(prefix):
            part = column[len(prefix) :]
            if part in _PART_LABELS:
                return f"{GROUP_LABELS[group][i]}: {_PART_LABELS[part][i]}"
    if column.startswith("PrioritizedEntitySpeciality"):
        n = column[len("PrioritizedEntitySpeciality")]
        kind = column[len("PrioritizedEntitySpeciality") + 1 :]
        word = (
            ("Bispeciale", "Secondary speciality")[i]
            if n != "1"
            else LABELS["PrioritizedEntitySpeciality1Name"][i]
        )
        return f"{word} {n}" + (
            " (kode)" if kind == "Id" and i == 0 else " (code)" if kind == "Id" else ""
        )
    return column
