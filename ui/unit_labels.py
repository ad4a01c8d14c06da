"""How the window names a column and a unit (one place for each).

`field_label` is a column's label in the window's language (the official field
tables' Danish labels, English beside them, and labels for the code columns the
tables lack); `unit_name` is a unit's name at a date; `unit_link` is `Name (id)` as a
`sor:` link that selects the unit when followed.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

from sorviewer import schema
from ui.i18n import pick

if TYPE_CHECKING:  # the register module pulls pandas; the window starts without it
    from sorviewer.api import Register

#: labels the official field tables lack (code columns beside their names)
EXTRA_LABELS = {
    "InstitutionOwnerEntityTypeId": ("Ejertype (kode)", "Owner type (code)"),
    "HealthInstitutionEntityTypeId": ("Institutionstype (kode)", "Institution type (code)"),
    "VirtualAddressInheritanceIndicator": ("Kontakt: nedarvet", "Contact: inherited"),
    "EanLocationCodeOnlyInternalIndicator": ("Kun intern brug", "Internal use only"),
    "EanLocationCodeNonActiveIndicator": ("Ikke aktivt", "Not active"),
    "EanLocationCodeSorNote": ("Note (lokationsnummer)", "Note (EAN)"),
    "EanLocationCodeRegionId": ("Region (lokationsnummer, kode)", "Region of the EAN (code)"),
    "EanLocationCodeSystemTypeId": ("EDB-system (kode)", "IT system (code)"),
    "EanLocationCodeSystemSupplierId": ("Systemleverandør (kode)", "System supplier (code)"),
    "EanLocationCodeCommunicationSupplierId": ("VANS (kode)", "VANS (code)"),
}


def field_label(column: str, lang: str) -> str:
    """The official (Danish) or English label of a column."""
    if column in EXTRA_LABELS:
        return pick(EXTRA_LABELS[column], lang)
    return schema.label(column, lang)


def unit_name(reg: Register, sor_id: str | None, day: dt.date) -> str | None:
    """A unit's name at the day (its nearest version's name when not active then)."""
    if not sor_id:
        return None
    e = reg.entity_index(sor_id)
    if e < 0:
        return None
    return reg.value(reg.snapshot(day).row(e), "EntityName")


def unit_link(reg: Register, sor_id: str, day: dt.date) -> str:
    """`Name (id)` as a `sor:` link, or the bare id when it is not in the file."""
    name = unit_name(reg, sor_id, day)
    if name is None and reg.entity_index(sor_id) < 0:
        return escape(sor_id)
    return f'<a href="sor:{escape(sor_id)}">{escape(name or "?")} ({escape(sor_id)})</a>'
