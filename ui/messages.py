"""The window's wording of what the core reports: load errors and report kinds.

A `LoadError` carries its sentence as a `sorviewer.messages` code with Danish and
English text; `load_error_message` renders it in the window's language.

TO BE REMOVED: `_LOAD_ERRORS` and `load_error_text` translate the core's English
sentences back into Danish with regular expressions. They are only the fallback for
load errors the core still raises as plain English strings (the core's sentences are
being converted to catalogue codes); once every `LoadError` carries a code, delete
them and the fallback branch in `load_error_message`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorviewer.errors import LoadError

#: (pattern over the core's English sentence, Danish template with the same groups)
_LOAD_ERRORS: tuple[tuple[str, str], ...] = (
    (r"The file (.+) does not exist\.", r"Filen \1 findes ikke."),
    (r"(.+) is a folder, not a SOR file\.", r"\1 er en mappe, ikke en SOR-fil."),
    (r"You do not have permission to read (.+)\.", r"Du har ikke adgang til at læse \1."),
    (r"(.+) is empty\.", r"\1 er tom."),
    (
        r"(.+) is the SOR table (.+), which cannot be opened alone; open Sor_complete\.zip "
        r"or SorEntity_daily\.csv instead\.",
        r"\1 er SOR-tabellen \2, som ikke kan åbnes alene; åbn Sor_complete.zip eller "
        r"SorEntity_daily.csv i stedet.",
    ),
    (
        r"(.+) is an XML file, but not a SOR register \(Sor\.xml\)\.",
        r"\1 er en XML-fil, men ikke et SOR-register (Sor.xml).",
    ),
    (
        r"This is an XML file, but not a SOR register \(Sor\.xml\)\.",
        r"Det er en XML-fil, men ikke et SOR-register (Sor.xml).",
    ),
    (
        r"(.+) is not a SOR download: expected Sor_complete\.zip, SorEntity_daily\.csv or "
        r"sor\.zip / Sor\.xml\.",
        r"\1 er ikke en SOR-fil: forventet Sor_complete.zip, SorEntity_daily.csv eller "
        r"sor.zip / Sor.xml.",
    ),
    (
        r"(.+) is damaged or not a complete zip file \((.*)\)\.",
        r"\1 er beskadiget eller ikke en hel zip-fil (\2).",
    ),
    (
        r"(.+) is password-protected; SOR downloads never are\.",
        r"\1 er beskyttet med adgangskode; det er SOR-filer aldrig.",
    ),
    (
        r"(.+) holds SOR tables but no SOREntity\.csv, which is needed to show the units\.",
        r"\1 har SOR-tabeller, men ingen SOREntity.csv, som skal til for at vise enhederne.",
    ),
    (
        r"(.+) holds no SOR tables: expected SOREntity\.csv or Sor\.xml\.",
        r"\1 indeholder ingen SOR-tabeller: forventet SOREntity.csv eller Sor.xml.",
    ),
    (
        r"(.+) was refused for safety: its member (.+) would unpack to (.+) GB, more than "
        r"any SOR file\.",
        r"\1 blev afvist af sikkerhedshensyn: filen \2 i den ville fylde \3 GB udpakket, "
        r"mere end nogen SOR-fil.",
    ),
    (
        r"(.+) was refused for safety: its member (.+) is compressed (\d+) to 1, which only "
        r"zip bombs are\.",
        r"\1 blev afvist af sikkerhedshensyn: filen \2 i den er pakket \3 til 1, hvad kun "
        r"zip-bomber er.",
    ),
    (
        r"(.+) was refused for safety: it unpacks to more than its zip header declares\.",
        r"\1 blev afvist af sikkerhedshensyn: den fylder mere udpakket, end zip-filen angiver.",
    ),
    (
        r"(.+) was refused for safety: it does not unpack to the size its zip header "
        r"declares\.",
        r"\1 blev afvist af sikkerhedshensyn: den fylder ikke det udpakket, som zip-filen "
        r"angiver.",
    ),
    (
        r"(.+) is damaged and cannot be unpacked \((.*)\)\.",
        r"\1 er beskadiget og kan ikke pakkes ud (\2).",
    ),
    (
        r"(.+) is damaged: (.+) cannot be unpacked \((.*)\)\.",
        r"\1 er beskadiget: \2 kan ikke pakkes ud (\3).",
    ),
    (
        r"(.+) could not be read; it seems damaged \((.*)\)\.",
        r"\1 kunne ikke læses; den ser ud til at være beskadiget (\2).",
    ),
    (r"(.+) cannot be read \((.*)\)\.", r"\1 kan ikke læses (\2)."),
    (
        r"There is not enough memory to open this file\.",
        "Der er ikke hukommelse nok til at åbne filen.",
    ),
    (
        r"This XML file declares entities, which SOR files never do; it was not opened for "
        r"safety\.",
        "XML-filen erklærer entiteter, hvad SOR-filer aldrig gør; den blev ikke åbnet af "
        "sikkerhedshensyn.",
    ),
    (
        r"This XML file refers to an external document type definition, which SOR files "
        r"never do; it was not opened for safety\.",
        "XML-filen henviser til en ekstern dokumenttypedefinition, hvad SOR-filer aldrig "
        "gør; den blev ikke åbnet af sikkerhedshensyn.",
    ),
    (
        r"The XML file ends in the middle of the data \(line (\d+)\); it is probably "
        r"truncated or damaged\.",
        r"XML-filen slutter midt i data (linje \1); den er nok afkortet eller beskadiget.",
    ),
    (
        r"The XML file is damaged at line (\d+): (.*)\.",
        r"XML-filen er beskadiget i linje \1: \2.",
    ),
    (r"The XML file is damaged: (.*)\.", r"XML-filen er beskadiget: \1."),
    (
        r"The XML file cannot be read; it seems damaged \((.*)\)\.",
        r"XML-filen kan ikke læses; den ser ud til at være beskadiget (\1).",
    ),
    (r"The XML file is empty\.", "XML-filen er tom."),
    (r"This SOR XML file holds no units\.", "SOR-XML-filen indeholder ingen enheder."),
    (r"(.+) is not a readable CSV table\.", r"\1 er ikke en læsbar CSV-tabel."),
    (r"The CSV data could not be read \((.*)\)\.", r"CSV-data kunne ikke læses (\1)."),
    (
        r"(.+) has no (.+) column, so it cannot be read as (.+)\.",
        r"\1 har ingen kolonne \2, så den kan ikke læses som \3.",
    ),
)

_COMPILED = tuple((re.compile(p, re.DOTALL), t) for p, t in _LOAD_ERRORS)


def load_error_message(exc: LoadError, language: str) -> str:
    """The sentence of a failed load in `language` ("da" or "en")."""
    from sorviewer.messages import Message

    if isinstance(exc.message, Message):
        return exc.render(language)
    return load_error_text(str(exc), language)  # TO BE REMOVED with _LOAD_ERRORS


def load_error_text(message: str, language: str) -> str:
    """TO BE REMOVED (see the module docstring): a plain English sentence from the core
    in `language`, by the patterns above; a sentence no pattern knows stays English."""
    if language != "da":
        return message
    for pattern, template in _COMPILED:
        m = pattern.fullmatch(message.strip())
        if m:
            return m.expand(template)
    return message


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
