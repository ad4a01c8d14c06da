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

#: Danish and English labels of the SOREntity columns (and of the same columns where
#: other tables repeat them). Danish wording follows the official field descriptions
#: (seed 003); address columns are labelled by group and part below. A test checks that
#: every column of every table has a label in both languages.
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
    "InstitutionOwnerEntityTypeId": ("Ejertype (kode)", "Owner type (code)"),
    "InstitutionOwnerEntityTypeName": ("Ejertype", "Owner type"),
    "InstitutionOwnerCvrNumberId": ("CVR-nummer", "CVR number"),
    "HealthInstitutionSorId": ("Sundhedsinstitution SOR-kode", "Health institution SOR id"),
    "HealthInstitutionEntityName": ("Sundhedsinstitution", "Health institution"),
    "HealthInstitutionEntityTypeId": ("Institutionstype (kode)", "Institution type (code)"),
    "HealthInstitutionEntityTypeName": ("Institutionstype", "Institution type"),
    "HealthInstitutionProductionUnitId": ("P-nummer (institution)", "P-number (institution)"),
    "ProductionUnitId": ("P-nummer", "P-number"),
    "ShakId": ("SHAK-kode (SghAfd)", "SHAK code"),
    "ProviderId": ("Ydernummer", "Provider number"),
    "PharmacyId": ("Apoteksnummer", "Pharmacy number"),
    "LocalCode": ("Lokal kode", "Local code"),
    "VirtualAddressInheritanceIndicator": ("Kontakt: nedarvet", "Contact: inherited"),
    "VirtualAddressTelephoneNumber": ("Telefon", "Phone"),
    "VirtualAddressWebsite": ("Hjemmeside", "Website"),
    "VirtualAddressEmailAddress": ("E-mail", "E-mail"),
    "VirtualAddressFaxNumber": ("Fax", "Fax"),
    "EanLocationCodeState": ("Lokationsnummer-status", "EAN state"),
    "EanLocationCode": ("Lokationsnummer (EAN)", "EAN location number"),
    "EanLocationCodeOnlyInternalIndicator": ("Kun intern brug", "Internal use only"),
    "EanLocationCodeNonActiveIndicator": ("Ikke aktivt", "Not active"),
    "EanLocationCodeSorNote": ("Note (lokationsnummer)", "Note (EAN)"),
    "EanLocationCodeRegionId": ("Region (lokationsnummer, kode)", "Region of the EAN (code)"),
    "EanLocationCodeRegionName": ("Region (lokationsnummer)", "Region (EAN)"),
    "EanLocationCodeSystemTypeId": ("EDB-system (kode)", "IT system (code)"),
    "EanLocationCodeSystemTypename": ("EDB-system", "IT system"),
    "EanLocationCodeSystemTypeName": ("EDB-system", "IT system"),
    "EanLocationCodeSystemSupplierId": ("Systemleverandør (kode)", "System supplier (code)"),
    "EanLocationCodeSystemSupplierName": ("Systemleverandør", "System supplier"),
    "EanLocationCodeCommunicationSupplierId": ("VANS (kode)", "VANS (code)"),
    "EanLocationCodeCommunicationSupplierName": ("Netoperatør (VANS)", "Network operator (VANS)"),
    "GeographicalLocalisationId": ("Geografisk lokalitet (id)", "Geographical locality (id)"),
    "GeographicalLocalisationName": ("Geografisk lokalitet", "Geographical locality"),
    "PrioritizedEntitySpeciality1Name": ("Hovedspeciale", "Main speciality"),
    "PatientsAdmittedIndicator": ("Sengeafsnit", "Bed ward"),
    "AmbulantActivityIndicator": ("Ambulatorie", "Outpatient clinic"),
    "ReportingLevelIndicator": ("Indberetningsniveau (LPR)", "LPR reporting level"),
    "OrganisationalLevelCode": (
        "Klinisk-administrativt niveau (kode)",
        "Clinical-administrative level (code)",
    ),
    "OrganisationalLevelName": ("Klinisk-administrativt niveau", "Clinical-administrative level"),
    **{f"LocalAttribute{n}": (f"Lokal attribut {n}", f"Local attribute {n}") for n in range(1, 6)},
}

#: Labels of the other tables' own columns, by table (a name some tables share, such as
#: `TypeName`, means different things in them).
TABLE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "SHAKSORMap": {
        "SorShakMapId": ("Mappingens id", "Mapping id"),
        "IsDirectSorShakMapping": ("Direkte tilknytning", "Direct mapping"),
        "ShakIdsDirectSorId": ("Koden sidder på (SOR-kode)", "Code held by (SOR id)"),
        "ShakDateFrom": ("SHAK gyldig fra", "SHAK valid from"),
        "ShakDateTo": ("SHAK gyldig til og med", "SHAK valid to (inclusive)"),
        "ShakUpdatedAt": ("SHAK opdateret", "SHAK updated at"),
        "ShakName": ("SHAK-navn", "SHAK name"),
        "ShakInstitutionTypeId": ("SHAK-institutionstype (kode)", "SHAK institution type (code)"),
        "ShakInstitutionTypeName": ("SHAK-institutionstype", "SHAK institution type"),
        "ShakOwnerTypeId": ("SHAK-ejertype (kode)", "SHAK owner type (code)"),
        "ShakOwnerTypeName": ("SHAK-ejertype", "SHAK owner type"),
        "ShakMainSpecialityId": ("SHAK-hovedspeciale (kode)", "SHAK main speciality (code)"),
        "ShakMainSpecialityName": ("SHAK-hovedspeciale", "SHAK main speciality"),
        **{
            f"ShakSpeciality{n}{k}": (
                f"SHAK-bispeciale {n}" + (" (kode)" if k == "Id" else ""),
                f"SHAK secondary speciality {n}" + (" (code)" if k == "Id" else ""),
            )
            for n in range(1, 4)
            for k in ("Id", "Name")
        },
    },
    "LocationsCodeEDITypeMap": {
        "EdiId": ("EDI-type (id)", "EDI type (id)"),
        "EdifactName": ("EDIFACT-navn", "EDIFACT name"),
        "EnvelopeType": ("Brevtype", "Envelope type"),
        "EdifactVersion": ("EDIFACT-version", "EDIFACT version"),
        "Direction": ("Retning (I/U)", "Direction (in/out)"),
        "TypeName": ("Anvendelsesnavn", "Usage name"),
        "DirektoratVersion": ("Direktoratversion", "Directorate version"),
        "EdiMessageTypeId": ("Meddelelsestype (id)", "Message type (id)"),
        "EdiMessageTypeName": ("Meddelelsestype", "Message type"),
    },
    "EDITypes": {
        "EdiId": ("EDI-type (id)", "EDI type (id)"),
        "EdiFactNavn": ("EDIFACT-navn", "EDIFACT name"),
        "MessageTypeId": ("Meddelelsestype (id)", "Message type (id)"),
        "MessageTypeName": ("Meddelelsestype", "Message type"),
        "EnvelopeType": ("Brevtype", "Envelope type"),
        "EdiFactVersion": ("EDIFACT-version", "EDIFACT version"),
        "Direction": ("Retning (I/U)", "Direction (in/out)"),
        "TypeName": ("Anvendelsesnavn", "Usage name"),
        "DirektoratVersion": ("Direktoratversion", "Directorate version"),
    },
    "SORClassifications": {
        "ClassificationType": ("Klassifikationstype", "Classification type"),
        "TypeName": ("Typenavn", "Type name"),
        "TypeId": ("Type-id", "Type id"),
        "AlternativeTypeName": ("Alternativt typenavn", "Alternative type name"),
    },
    "Geolocations": {
        "GeoLocalisationId": ("Geografisk lokalitet (id)", "Geographical locality (id)"),
        "GeoLocalisationName": ("Geografisk lokalitet", "Geographical locality"),
        "GeoLocalisationOwnerId": ("Ejer (SOR-kode)", "Owner (SOR id)"),
        "GeoLocalisationOwnerName": ("Ejer", "Owner"),
        "GeoLocalisationStartDate": ("Lokalitetens startdato", "Locality start date"),
        "GeoLocalisationEndDate": ("Lokalitetens slutdato", "Locality end date"),
    },
    "SORReplacedEntities": {
        "ReplacedSorId": ("Erstattet SOR-kode", "Replaced SOR id"),
        "ReplacedBySorId": ("Erstattes af SOR-kode", "Replaced by SOR id"),
    },
}

#: Labels of the columns `find` and the exports add (sorviewer/columns.py, `DERIVED`);
#: `Effective<column>` is labelled from its column.
DERIVED_LABELS: dict[str, tuple[str, str]] = {
    "Status": ("Status", "Status"),
    "ParentName": ("Overordnet enhed", "Parent unit"),
    "HealthInstitutionName": ("Sundhedsinstitution (navn)", "Health institution (name)"),
    "OwnerName": ("Institutionsejer (navn)", "Institution owner (name)"),
    "EanState": ("Lokationsnummer: egen eller nedarvet", "EAN: own or inherited"),
    "PostalAddressSource": ("Postadressens kilde", "Source of the postal address"),
    "VisitingAddressSource": ("Besøgsadressens kilde", "Source of the visiting address"),
    "ActivityAddressSource": ("Aktivitetsadressens kilde", "Source of the activity address"),
    "VirtualAddressSource": ("Den virtuelle adresses kilde", "Source of the virtual address"),
    "EanLocationCodeSource": ("Lokationsnummerets kilde", "Source of the EAN location number"),
    "ShakIdSource": ("SHAK-kodens kilde", "Source of the SHAK code"),
}
#: the prefix of an effective column (`columns.EFFECTIVE_PREFIX`)
EFFECTIVE_PREFIX = "Effective"

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


def label(column: str, lang: str = "da", table: str = "SOREntity") -> str:
    """A human label for a column of `table` in Danish ("da") or English ("en"); a
    column no table knows keeps its name."""
    i = 0 if lang == "da" else 1
    own = TABLE_LABELS.get(table, {})
    if column in own:
        return own[column][i]
    if column in LABELS:
        return LABELS[column][i]
    if column in DERIVED_LABELS:
        return DERIVED_LABELS[column][i]
    if column.startswith(EFFECTIVE_PREFIX) and len(column) > len(EFFECTIVE_PREFIX):
        base = column[len(EFFECTIVE_PREFIX) :]
        if base in LABELS or _address_label(base, i) or base.startswith("Prioritized"):
            return label(base, lang) + (" (gældende)" if i == 0 else " (effective)")
    for tab in TABLE_LABELS.values():  # a column of another table asked without its table
        if column in tab:
            return tab[column][i]
    address = _address_label(column, i)
    if address:
        return address
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
    if column.startswith("Sor") and column[3:] and label(column[3:], lang) != column[3:]:
        return label(column[3:], lang)  # the SHAK map's copy of a unit's column
    return column


def _address_label(column: str, i: int) -> str:
    """ "Postadresse: vejnavn" for an address column ("" when it is none); the
    Geolocations table's `Address...` columns are the locality's visiting address."""
    for prefix, group in (
        ("PostalAddress", "postal_address"),
        ("VisitingAddress", "visiting_address"),
        ("ActivityAddress", "activity_address"),
        ("Address", "visiting_address"),
    ):
        if column.startswith(prefix):
            part = column[len(prefix) :]
            part = {"StreetbuildingId": "StreetBuildingId", "CountryCode": "CountryIdCode"}.get(
                part, part
            )
            if part in _PART_LABELS:
                return f"{GROUP_LABELS[group][i]}: {_PART_LABELS[part][i]}"
    return ""
