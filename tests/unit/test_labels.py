"""Every column a person can see has a label in Danish and in English: the SOREntity
columns (OrganisationalLevelCode, GeographicalLocalisationName, ...), the other tables'
columns, and the columns `find` and the exports add."""

from __future__ import annotations

import pytest

from sorviewer import schema
from sorviewer.columns import DERIVED, EFFECTIVE_COLUMNS

#: labels spelled alike in both languages
SAME_IN_BOTH = {"E-mail", "Fax", "Status"}

COLUMNS = [(t, c) for t, spec in schema.TABLES.items() for c in spec.columns]
COLUMNS += [("SOREntity", c) for c in (*DERIVED, *EFFECTIVE_COLUMNS)]


@pytest.mark.parametrize(("table", "column"), COLUMNS)
def test_every_column_has_a_danish_and_an_english_label(table: str, column: str) -> None:
    da, en = schema.label(column, "da", table), schema.label(column, "en", table)
    assert da != column or da in SAME_IN_BOTH, (table, column)
    assert en != column or en in SAME_IN_BOTH, (table, column)
    assert da != en or da in SAME_IN_BOTH, (table, column, da)


def test_labels_of_the_columns_the_issue_names() -> None:
    assert schema.label("OrganisationalLevelCode", "da") == "Klinisk-administrativt niveau (kode)"
    assert schema.label("GeographicalLocalisationName", "en") == "Geographical locality"
    assert schema.label("EffectiveVisitingAddressPostCodeId", "da") == (
        "Besøgsadresse: postnummer (gældende)"
    )
    assert schema.label("TypeName", "en", "EDITypes") == "Usage name"
    assert schema.label("TypeName", "en", "SORClassifications") == "Type name"
    assert schema.label("SorEntityName", "da", "SHAKSORMap") == "Enhedsnavn"
    assert schema.label("NotAColumn", "da") == "NotAColumn"
