"""The window's wording of what the core reports: load errors and report kinds.

A `LoadError` carries its sentence as a `sorviewer.messages` code with Danish and
English text; `load_error_message` renders it in the window's language. Nothing here
translates an English sentence back: a sentence without a code cannot be raised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorviewer.errors import LoadError


def load_error_message(exc: LoadError, language: str) -> str:
    """The sentence of a failed load in `language` ("da" or "en")."""
    return exc.render(language)


#: report kinds (LoadReport rows) in words: (Danish, English)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "bad_check_digit": ("Forkert kontrolciffer", "Bad check digit"),
    "bad_date": ("Ugyldig dato", "Bad date"),
    "bad_ean": ("Forkert EAN-kontrolciffer", "Bad EAN check digit"),
    "bad_id": ("Ugyldigt id", "Bad id"),
    "bad_interval": ("Til-dato før fra-dato", "ToDate before FromDate"),
    "bad_value": ("Ugyldig værdi", "Bad value"),
    "cycle": ("Ring af overordnede", "Parent cycle"),
    "daily_file": ("Dagsfil", "Daily file"),
    "dot_zero": ("Id med '.0'", "Id with '.0'"),
    "duplicate_member": ("Dobbelt fil i zip", "Duplicate zip member"),
    "duplicate_version": ("Dobbelt version", "Duplicate version"),
    "encoding": ("Tegnsæt", "Encoding"),
    "excel_wrapper": ('Excel-indpakning ="…"', 'Excel wrapper ="…"'),
    "missing_column": ("Manglende kolonne", "Missing column"),
    "missing_id": ("Manglende id", "Missing id"),
    "missing_status": ("Manglende status", "Missing status"),
    "missing_table": ("Manglende tabel", "Missing table"),
    "missing_unit": ("Manglende enhed", "Missing unit"),
    "null_word": ("Ordet NULL", "The word NULL"),
    "open_superseded": ("Afløst version uden til-dato", "Superseded version without ToDate"),
    "overlapping_versions": ("Overlappende versioner", "Overlapping versions"),
    "ragged_row": ("Række med forkert antal felter", "Row with wrong field count"),
    "too_many_specialities": ("For mange specialer", "Too many specialities"),
    "truncated": ("Flere af samme slags", "More of the same kind"),
    "unexpected_nesting": ("Uventet placering i XML", "Unexpected nesting in XML"),
    "unknown_column": ("Ukendt kolonne", "Unknown column"),
    "unknown_element": ("Ukendt XML-element", "Unknown XML element"),
    "unknown_member": ("Ukendt fil i zip", "Unknown zip member"),
    "unknown_parent": ("Ukendt overordnet enhed", "Unknown parent"),
    "unknown_version": ("Ukendt formatversion", "Unknown format version"),
    "unused_member": ("Ubrugt fil i zip", "Unused zip member"),
}


def kind_label(kind: str | None, language: str) -> str:
    """A report row's kind in words; an unknown kind shows as the core named it."""
    if not kind:
        return ""
    label = KIND_LABELS.get(kind)
    if label is None:
        return kind
    return label[0] if language == "da" else label[1]
