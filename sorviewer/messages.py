"""Every sentence the core says to a person, by code, in Danish and English.

The core never builds a user-facing sentence by gluing text together in one
language. It raises or records a `Message`: a code from `CATALOGUE` plus the
values that fill it. Whoever shows it picks the language: the CLI renders
English (its output is a contract other tools read), the window renders the
language the user chose. Adding a sentence means adding one catalogue entry
with both renderings to `CATALOGUE` below (in the section of its area); a unit
test fails when an entry lacks either, or when a code is used that the
catalogue does not hold.

Template syntax is `str.format` with named fields. Values are formatted per
language by `format_value`: whole numbers get the language's thousands
separator, dates read dd-mm-yyyy in Danish and yyyy-mm-dd in English. A field
written `{n:plural:enhed:enheder}` picks the singular or the plural by the
number `n` (the number itself is not printed by that field).

Values that come from a file (names, member names, header cells) are passed
through `clean_text` before they reach a template, so a file cannot put line
breaks or terminal control sequences into a sentence.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")

# --- the catalogue: code -> (Danish, English), one section per area ----------------
# Each area keeps its own dict so that work on one area does not touch another's lines.

#: opening a file: reasons a file cannot be read at all (LoadError)
_LOAD: dict[str, tuple[str, str]] = {
    "load.cancelled": ("Indlæsningen blev afbrudt.", "Loading was cancelled."),
    "load.no_memory": (
        "Der er ikke hukommelse nok til at åbne denne fil.",
        "There is not enough memory to open this file.",
    ),
    # -- the file itself
    "load.not_found": ("Filen {name} findes ikke.", "The file {name} does not exist."),
    "load.is_folder": (
        "{name} er en mappe, ikke en SOR-fil.",
        "{name} is a folder, not a SOR file.",
    ),
    "load.no_permission": (
        "Du har ikke adgang til at læse {name}.",
        "You do not have permission to read {name}.",
    ),
    "load.os_error": (
        "{name} kan ikke læses: styresystemet meldte en fejl under læsningen.",
        "{name} cannot be read: the operating system reported an error while reading it.",
    ),
    "load.not_regular": (
        "{name} er ikke en almindelig fil (men fx et rør eller en enhed); åbn selve den hentede "
        "fil.",
        "{name} is not a regular file (but e.g. a pipe or a device); open the downloaded file "
        "itself.",
    ),
    "load.empty": ("{name} er tom.", "{name} is empty."),
    "load.damaged": (
        "{name} kunne ikke læses; den ser ud til at være beskadiget.",
        "{name} could not be read; it seems damaged.",
    ),
    # -- what it is
    "load.lone_table": (
        "{name} er SOR-tabellen {table}, som ikke kan åbnes alene; åbn Sor_complete.zip eller "
        "SorEntity_daily.csv i stedet.",
        "{name} is the SOR table {table}, which cannot be opened alone; open Sor_complete.zip "
        "or SorEntity_daily.csv instead.",
    ),
    "load.xml_not_sor_file": (
        "{name} er en XML-fil, men ikke et SOR-register (Sor.xml).",
        "{name} is an XML file, but not a SOR register (Sor.xml).",
    ),
    "load.not_sor": (
        "{name} er ikke en SOR-fil: forventet Sor_complete.zip, SorEntity_daily.csv eller "
        "sor.zip / Sor.xml.",
        "{name} is not a SOR download: expected Sor_complete.zip, SorEntity_daily.csv or "
        "sor.zip / Sor.xml.",
    ),
    "load.no_units": (
        "{name} indeholder ingen enheder: ingen række i SOREntity har et gyldigt SorId.",
        "{name} holds no units: no row of SOREntity has a valid SorId.",
    ),
    # -- zip files
    "load.bad_zip": (
        "{name} er beskadiget eller ikke en hel zip-fil.",
        "{name} is damaged or not a complete zip file.",
    ),
    "load.password": (
        "{name} er beskyttet med adgangskode; det er SOR-filer aldrig.",
        "{name} is password-protected; SOR downloads never are.",
    ),
    "load.no_entity_table": (
        "{name} har SOR-tabeller, men ingen SOREntity.csv, som skal til for at vise enhederne.",
        "{name} holds SOR tables but no SOREntity.csv, which is needed to show the units.",
    ),
    "load.no_tables": (
        "{name} indeholder ingen SOR-tabeller: forventet SOREntity.csv eller Sor.xml.",
        "{name} holds no SOR tables: expected SOREntity.csv or Sor.xml.",
    ),
    "load.bomb_size": (
        "{name} blev afvist af sikkerhedshensyn: filen {member} i den ville fylde {gb} GB "
        "udpakket, mere end nogen SOR-fil.",
        "{name} was refused for safety: its member {member} would unpack to {gb} GB, more "
        "than any SOR file.",
    ),
    "load.bomb_ratio": (
        "{name} blev afvist af sikkerhedshensyn: filen {member} i den er pakket {ratio} til 1, "
        "hvad kun zip-bomber er.",
        "{name} was refused for safety: its member {member} is compressed {ratio} to 1, which "
        "only zip bombs are.",
    ),
    "load.bomb_longer": (
        "{member} blev afvist af sikkerhedshensyn: den fylder mere udpakket, end zip-filen "
        "angiver.",
        "{member} was refused for safety: it unpacks to more than its zip header declares.",
    ),
    "load.bomb_length": (
        "{member} blev afvist af sikkerhedshensyn: den fylder ikke det udpakket, som zip-filen "
        "angiver.",
        "{member} was refused for safety: it does not unpack to the size its zip header declares.",
    ),
    "load.member_damaged": (
        "{name} er beskadiget: {member} kan ikke pakkes ud.",
        "{name} is damaged: {member} cannot be unpacked.",
    ),
    "load.member_unpack": (
        "{member} er beskadiget og kan ikke pakkes ud.",
        "{member} is damaged and cannot be unpacked.",
    ),
    "load.member_method": (
        "{name} er beskadiget eller pakket på en måde, programmet ikke kender: {member} kan "
        "ikke pakkes ud.",
        "{name} is damaged or packed in a way the viewer does not know: {member} cannot be "
        "unpacked.",
    ),
    # -- CSV tables
    "load.csv_unreadable": (
        "{member} er ikke en læsbar CSV-tabel.",
        "{member} is not a readable CSV table.",
    ),
    "load.csv_damaged": (
        "{member} kunne ikke læses som CSV; den ser ud til at være beskadiget.",
        "{member} could not be read as CSV; it seems damaged.",
    ),
    "load.missing_key": (
        "{member} har ingen kolonne {columns}, så den kan ikke læses som {table}.",
        "{member} has no {columns} column, so it cannot be read as {table}.",
    ),
    # -- XML
    "load.xml_entities": (
        "XML-filen erklærer entiteter, hvad SOR-filer aldrig gør; den blev ikke åbnet af "
        "sikkerhedshensyn.",
        "This XML file declares entities, which SOR files never do; it was not opened for safety.",
    ),
    "load.xml_dtd": (
        "XML-filen henviser til en ekstern dokumenttypedefinition, hvad SOR-filer aldrig gør; "
        "den blev ikke åbnet af sikkerhedshensyn.",
        "This XML file refers to an external document type definition, which SOR files never "
        "do; it was not opened for safety.",
    ),
    "load.xml_not_sor": (
        "Det er en XML-fil, men ikke et SOR-register (Sor.xml).",
        "This is an XML file, but not a SOR register (Sor.xml).",
    ),
    "load.xml_truncated": (
        "XML-filen slutter midt i data (linje {line}); den er nok afkortet eller beskadiget.",
        "The XML file ends in the middle of the data (line {line}); it is probably truncated "
        "or damaged.",
    ),
    "load.xml_damaged_at": (
        "XML-filen er beskadiget i linje {line}: den er ikke gyldig XML.",
        "The XML file is damaged at line {line}: it is not well-formed XML.",
    ),
    "load.xml_damaged": (
        "XML-filen er beskadiget: den er ikke gyldig XML.",
        "The XML file is damaged: it is not well-formed XML.",
    ),
    "load.xml_too_deep": (
        "XML-filen er indlejret dybere, end nogen SOR-fil er (linje {line}); den blev ikke "
        "åbnet af sikkerhedshensyn.",
        "The XML file is nested deeper than any SOR file (line {line}); it was not opened for "
        "safety.",
    ),
    "load.xml_unreadable": (
        "XML-filen kan ikke læses; den ser ud til at være beskadiget.",
        "The XML file cannot be read; it seems damaged.",
    ),
    "load.xml_empty": ("XML-filen er tom.", "The XML file is empty."),
    "load.xml_no_units": (
        "SOR-XML-filen indeholder ingen enheder.",
        "This SOR XML file holds no units.",
    ),
}

#: the load report: problems found in rows of a file that still opened
_REPORT: dict[str, tuple[str, str]] = {
    # -- zip members and tables
    "report.unused_member": (
        "{member} bruges ikke af programmet (typenavne kommer fra den indbyggede kodeliste).",
        "{member} is not used by the viewer (type names come from the built-in code list).",
    ),
    "report.unknown_member": (
        "{member} er ikke en kendt SOR-tabel; den blev ikke læst.",
        "{member} is not a known SOR table; it was not read.",
    ),
    "report.duplicate_member": (
        "{member} er en ekstra fil med en tabel, der allerede er læst; den blev ikke læst.",
        "{member} duplicates another member of the same table and was not read.",
    ),
    "report.missing_table.shaksormap": (
        "{name} har ingen tabel SHAKSORMap; SHAK-koder tages fra enhedernes egne ShakId.",
        "{name} has no SHAKSORMap table; SHAK codes are taken from the units' own ShakId values.",
    ),
    "report.missing_table.locationscode": (
        "{name} har ingen tabel LocationsCode; oplysninger om lokationsnumre tages fra "
        "enhedernes egne kolonner.",
        "{name} has no LocationsCode table; EAN details are taken from the units' own columns.",
    ),
    "report.missing_table.locationscodeeditypemap": (
        "{name} har ingen tabel LocationsCodeEDITypeMap; der kan ikke vises EDI-typer.",
        "{name} has no LocationsCodeEDITypeMap table; no EDI message types can be shown.",
    ),
    "report.missing_table.editypes": (
        "{name} har ingen tabel EDITypes; EDI-typer vises kun med id.",
        "{name} has no EDITypes table; EDI message types are shown by id only.",
    ),
    "report.missing_table.sorclassifications": (
        "{name} har ingen tabel SORClassifications; typenavne tages fra enhedernes egne kolonner.",
        "{name} has no SORClassifications table; type names are taken from the units' own columns.",
    ),
    "report.missing_table.geolocations": (
        "{name} har ingen tabel Geolocations; geografiske lokaliteter vises ikke.",
        "{name} has no Geolocations table; geographical locations are not shown.",
    ),
    "report.missing_table.sorreplacedentities": (
        "{name} har ingen tabel SORReplacedEntities; erstatninger vises ikke.",
        "{name} has no SORReplacedEntities table; replaced-by links are not shown.",
    ),
    "report.daily_file": (
        "Det er dagsfilen: den viser én dag og udelader enheder, hvis lukning er trådt i kraft, "
        "så datoer langt fra filens dato er ufuldstændige.",
        "This is the daily file: it shows one day and leaves out units whose closure has "
        "taken effect, so dates far from the file date are incomplete.",
    ),
    # -- CSV text and rows
    "report.not_utf8_row": (
        "Rækken har tekst, der ikke er UTF-8; den tekst er læst som Windows-1252 (cp1252).",
        "This row holds text that is not UTF-8; that text was read as Windows-1252 (cp1252).",
    ),
    "report.not_utf8": (
        "{count:plural:Én række:{count} rækker} i {member} har tekst, der ikke er UTF-8; den "
        "tekst er læst som Windows-1252 (cp1252), resten som UTF-8.",
        "{count:plural:One row:{count} rows} of {member} {count:plural:holds:hold} text that "
        "is not UTF-8; that text was read as Windows-1252 (cp1252), the rest as UTF-8.",
    ),
    "report.excel_wrapper": (
        '{count} værdier havde Excel-indpakningen ="…"; den er fjernet.',
        '{count} values carried the Excel wrapper ="…"; it was removed.',
    ),
    "report.null_word": (
        "{count} værdier var ordet NULL; de behandles som tomme.",
        "{count} values were the word NULL; they are treated as empty.",
    ),
    "report.dot_zero": (
        "{count} id'er endte på '.0' (en eksport fra et regneark); det er fjernet.",
        "{count} ids ended in '.0' (a spreadsheet export); it was removed.",
    ),
    "report.ragged_row": (
        "Rækken er sprunget over: den har {got} felter, hvor overskriften har {expected}.",
        "Row skipped: it has {got} fields where the header has {expected}.",
    ),
    "report.ragged_total": (
        "{count} rækker i alt havde et forkert antal felter og blev sprunget over.",
        "{count} rows in all had the wrong number of fields and were skipped.",
    ),
    "report.unknown_columns": (
        "{count:plural:Én kolonne:{count} kolonner}, der ikke står i de officielle "
        "felttabeller, beholdes som ekstra egenskaber: {names}",
        "{count:plural:One column:{count} columns} not in the official field tables "
        "{count:plural:is:are} kept as extra attributes: {names}",
    ),
    "report.duplicate_column": (
        "Kolonnen {column} står mere end én gang i overskriften; den første bruges, de andre "
        "beholdes som ekstra egenskaber.",
        "The column {column} appears more than once in the header; the first is used, the "
        "others are kept as extra attributes.",
    ),
    "report.missing_columns": (
        "{count:plural:Én valgfri kolonne:{count} valgfrie kolonner} mangler og behandles som "
        "tomme: {names}",
        "{count:plural:One optional column is:{count} optional columns are} missing and "
        "treated as empty: {names}",
    ),
    # -- values
    "report.bad_id": (
        "Rækken er sprunget over: SorId '{value}' er ikke et tal med højst 18 cifre.",
        "Row skipped: SorId '{value}' is not a number of at most 18 digits.",
    ),
    "report.bad_parent_id": (
        "ParentSorId '{value}' er ikke et id; behandles som tom.",
        "ParentSorId '{value}' is not an id; treated as empty.",
    ),
    "report.bad_date": (
        "{column} '{value}' er ikke en dato; behandles som tom.",
        "{column} '{value}' is not a date; treated as empty.",
    ),
    "report.bad_file_date": (
        "Filens dato '{value}' er ikke en dato.",
        "The file date '{value}' is not a date.",
    ),
    # -- versions and the tree
    "report.open_superseded": (
        "En afløst version har ingen til-dato; den antages at slutte dagen før den næste "
        "version begynder.",
        "A superseded version has no ToDate; it is taken to end the day before the next "
        "version starts.",
    ),
    "report.duplicate_version": (
        "To versioner af enheden begynder samme fra-dato; den senere række gælder.",
        "Two versions of this unit start on the same FromDate; the later row wins.",
    ),
    "report.overlapping_versions": (
        "Versionen overlapper den næste; den senere version gælder, hvor de overlapper.",
        "This version overlaps the next one; the later version wins where they overlap.",
    ),
    "report.bad_interval": (
        "Til-datoen ligger før fra-datoen; versionen gælder aldrig.",
        "ToDate is before FromDate; the version is never valid.",
    ),
    "report.unknown_parent": (
        "Den overordnede enhed {parent} findes ikke i filen; enheden vises under 'Mangler "
        "overordnet enhed'.",
        "Parent {parent} is not in the file; the unit is shown under 'Missing parent'.",
    ),
    "report.cycle": (
        "Enheden indgår i en ring af overordnede; den vises under 'Mangler overordnet enhed'.",
        "This unit is part of a parent cycle; it is shown under 'Missing parent'.",
    ),
    "report.sor_id_digits": (
        "SOR-id {sor_id} har {n} cifre (SOR-id'er har 11-18).",
        "SOR id {sor_id} has {n} digits (SOR ids have 11-18).",
    ),
    "report.sor_id_namespace": (
        "SOR-id {sor_id} mangler SOR-navnerummet 1000016 og partitionen 00.",
        "SOR id {sor_id} lacks the SOR namespace 1000016 and partition 00.",
    ),
    "report.sor_id_check": (
        "SOR-id {sor_id} har forkert kontrolciffer (Verhoeff).",
        "SOR id {sor_id} fails the Verhoeff check digit.",
    ),
    "report.bad_ean": (
        "Lokationsnummer {ean} har forkert GS1-kontrolciffer.",
        "EAN location number {ean} fails the GS1 check digit.",
    ),
    # -- the XML reader
    "report.level.ie": ("institutionsejer", "institution owner"),
    "report.level.si": ("sundhedsinstitution", "health institution"),
    "report.level.oe": ("organisatorisk enhed", "organisational unit"),
    "report.xml_unknown_field": (
        "Elementet {path} er ikke et kendt SOR-felt; det beholdes som den ekstra kolonne {column}.",
        "The element {path} is not a known SOR field; it is kept as the extra column {column}.",
    ),
    "report.xml_bad_flag": (
        "{element} '{value}' er hverken true eller false; lokationsnummeret antages nedarvet.",
        "{element} '{value}' is not true or false; the location number is taken as inherited.",
    ),
    "report.xml_too_many_specialities": (
        "Enheden har mere end 8 kliniske specialer; dem efter det 8. vises ikke.",
        "The unit has more than 8 clinical specialities; the ones after the 8th are not shown.",
    ),
    "report.xml_level_mismatch": (
        "Et element for en {found} står i en blok for en {block}; det læses som en {block}.",
        "A {found} element sits in a {block} block; it is read as a {block}.",
    ),
    "report.xml_missing_status": (
        "Enheden har ingen SorStatus, så dens datoer er ukendte; den vises på alle datoer.",
        "The unit has no SorStatus, so its dates are unknown; it is shown on every date.",
    ),
    "report.xml_missing_id": (
        "En {level} har ingen SorIdentifier; den er udeladt.",
        "A {level} has no SorIdentifier; it is left out.",
    ),
    "report.xml_two_units": (
        "En blok har to enhedselementer; det andet læses som en enhed for sig.",
        "One block holds two unit elements; the second is read as a unit of its own.",
    ),
    "report.xml_missing_unit": (
        "En blok for en {level} har intet enhedselement; enhederne i den vises uden "
        "overordnet enhed.",
        "A {level} block has no unit element; the units inside it are shown without a parent.",
    ),
    "report.xml_stray": (
        "Elementet {element} i {where} er ikke en del af SOR; det er sprunget over.",
        "The element {element} in {where} is not part of SOR; it was skipped.",
    ),
    "report.xml_unknown_namespace": (
        "Filen bruger SOR-navnerummet {uri}, som programmet ikke kender; den er læst "
        "tolerant efter elementnavne.",
        "The file uses the SOR namespace {uri}, which this viewer does not know; it was read "
        "leniently by element names.",
    ),
    "report.xml_bad_nesting": (
        "En {level} ligger direkte under en {parent}, hvad SOR ikke tillader; den beholdes, "
        "hvor den er.",
        "A {level} is nested directly under a {parent}, which SOR does not allow; it is kept "
        "where it is.",
    ),
    "report.xml_bad_nesting_top": (
        "En {level} ligger øverst i filen, hvad SOR ikke tillader; den beholdes, hvor den er.",
        "A {level} is nested directly under the top of the file, which SOR does not allow; it "
        "is kept where it is.",
    ),
    # -- the report itself
    "report.truncated": (
        "{count} flere problemer af slagsen '{kind}' er ikke vist",
        "{count} more problems of kind '{kind}' not listed",
    ),
}

#: provenance, effective values and quality findings
_QUERY: dict[str, tuple[str, str]] = {
    # the tree
    "query.missing_parent": ("Mangler overordnet enhed", "Missing parent"),
    # groups inside a sentence ("the {group} is inherited from ...")
    "query.group.postal_address": ("postadressen", "postal address"),
    "query.group.visiting_address": ("besøgsadressen", "visiting address"),
    "query.group.activity_address": ("aktivitetsadressen", "activity address"),
    "query.group.virtual_address": ("den virtuelle adresse", "virtual address"),
    "query.group.ean_location_code": ("lokationsnummeret (EAN)", "EAN location number"),
    "query.group.shak": ("SHAK-koden", "SHAK code"),
    # the problems of `show`
    "query.copy_differs": (
        "{column} siger '{mine}', men {group} er nedarvet fra {holder}, som har '{theirs}'.",
        "{column} says '{mine}' but the {group} is inherited from {holder}, which has '{theirs}'.",
    ),
    "query.copy_without_source": (
        "{column} siger '{value}', men {group} er nedarvet, og ingen enhed ovenfor har en på "
        "denne dato; værdien udelades.",
        "{column} says '{value}', but the {group} is inherited and no unit above has one on "
        "this date; the value is left out.",
    ),
    "query.value_but_none": (
        "{column} siger '{value}', men ifølge rækken har enheden ingen {group}; værdien udelades.",
        "{column} says '{value}', but the row says the unit has no {group}; the value is left out.",
    ),
    "query.own_without_value": (
        "Rækken siger, at {group} er enhedens egen, men angiver ingen.",
        "The row says the {group} is the unit's own, but gives none.",
    ),
    "query.shak_not_in_file": (
        "SHAK-tabellen knytter kode {code} til {named}, som ikke er i filen",
        "The SHAK map attaches code {code} to {named}, which is not in the file",
    ),
    "query.shak_not_above": (
        "SHAK-tabellen knytter kode {code} til {named}, som ikke ligger over denne enhed på "
        "denne dato",
        "The SHAK map attaches code {code} to {named}, which is not above this unit on this date",
    ),
    "query.shak_not_held": (
        "SHAK-tabellen knytter kode {code} til {named}, som ikke selv har koden på denne dato",
        "The SHAK map attaches code {code} to {named}, which does not have the code itself "
        "on this date",
    ),
    "query.shak_nearest_shown": (
        "{said}; den nærmeste enhed ovenfor med koden, {holder}, vises.",
        "{said}; the nearest unit above with the code, {holder}, is shown.",
    ),
    "query.shak_nobody_above": (
        "{said}, og ingen enhed ovenfor har selv koden.",
        "{said}, and no unit above has the code itself.",
    ),
    "query.no_version_on_date": (
        "Enheden har ingen version, der gælder på denne dato; den nærmeste tidligere vises.",
        "The unit has no version valid on this date; the previous one is shown.",
    ),
    # SOR ids
    "query.id_not_digits": ("er ikke kun cifre", "is not all digits"),
    "query.id_length": (
        "har {digits} cifre (SOR-koder har 11-18)",
        "has {digits} digits (SOR ids have 11-18)",
    ),
    "query.id_namespace": (
        "mangler SOR-navnerummet 1000016 og partitionen 00",
        "lacks the SOR namespace 1000016 and partition 00",
    ),
    "query.id_check_digit": ("fejler Verhoeff-kontrolcifferet", "fails the Verhoeff check digit"),
    # quality findings: pieces
    "query.unit_label": ("{name} ({sor_id})", "{name} ({sor_id})"),
    "query.unit_label_unnamed": ("enhed {sor_id}", "unit {sor_id}"),
    "query.listing_more": ("{shown} og {more} flere", "{shown} and {more} more"),
    "query.loop_more": (
        "{shown} -> … -> {back}; {count} enheder i løkken",
        "{shown} -> … -> {back}; {count} units in the loop",
    ),
    "query.opens_on": ("åbner først {day}", "only opens on {day}"),
    "query.closed_after": ("lukkede efter {day}", "closed after {day}"),
    "query.not_in_force": (
        "er uden for sin gyldighed på denne dato",
        "is not in force on this date",
    ),
    "query.from_closed": ("fra {holder}, som {when}", "from {holder}, which {when}"),
    "query.from_closed_through": (
        "fra {holder} gennem {via}, som {when}",
        "from {holder} through {via}, which {when}",
    ),
    "query.spaces_edges": ("mellemrum først eller sidst", "leading or trailing spaces"),
    "query.spaces_doubled": ("dobbelte mellemrum", "doubled spaces"),
    "query.spaces_both": (
        "mellemrum først eller sidst og dobbelte mellemrum",
        "leading or trailing spaces and doubled spaces",
    ),
    # quality findings
    "query.cycle": (
        "{unit} indgår i en løkke af overordnede enheder ({path}), så den har ingen plads i "
        "træet og vises under 'Mangler overordnet enhed'.",
        "{unit} is in a loop of parent units ({path}), so it has no place in the tree and is "
        "shown under 'Missing parent'.",
    ),
    "query.parent_missing": (
        "{unit} er aktiv, men dens overordnede enhed {parent} er ikke i filen, så den vises "
        "under 'Mangler overordnet enhed'.",
        "{unit} is active, but its parent {parent} is not in the file, so it is shown under "
        "'Missing parent'.",
    ),
    "query.parent_not_active": (
        "{unit} er aktiv, men dens overordnede enhed {parent} {when}.",
        "{unit} is active, but its parent {parent} {when}.",
    ),
    "query.bad_sor_id": ("SOR-koden for {unit} {problem}.", "The SOR id of {unit} {problem}."),
    "query.ean_from_closed": (
        "{unit} arver sit lokationsnummer {code} {where}.",
        "{unit} inherits its EAN location number {code} {where}.",
    ),
    "query.no_postal_inherited": (
        "{unit} arver sin postadresse, men ingen enhed ovenfor har en.",
        "{unit} inherits its postal address, but no unit above it has one.",
    ),
    "query.no_postal": (
        "{unit} har ingen postadresse, hverken sin egen eller en nedarvet.",
        "{unit} has no postal address, neither its own nor inherited.",
    ),
    "query.virtual_without_source": (
        "{unit} arver sin virtuelle adresse (telefon, e-mail, web), men ingen enhed ovenfor "
        "har en.",
        "{unit} inherits its virtual address (phone, e-mail, web), but no unit above it has one.",
    ),
    "query.ean_without_source": (
        "{unit} er markeret som arvende et lokationsnummer, men ingen enhed ovenfor har et.",
        "{unit} is marked as inheriting an EAN location number, but no unit above it has one.",
    ),
    "query.bad_ean": (
        "Lokationsnummeret {code} for {unit} er ikke 13 cifre med et gyldigt GS1-kontrolciffer.",
        "The EAN location number {code} of {unit} is not 13 digits with a valid GS1 check digit.",
    ),
    "query.ean_without_edi": (
        "{unit} har sit eget lokationsnummer {code}, men ingen EDI-meddelelsestype er "
        "registreret for det.",
        "{unit} has its own EAN location number {code}, but no EDI message type is registered "
        "for it.",
    ),
    "query.shared_ean": (
        "Lokationsnummer {code} er eget nummer for {count} aktive enheder: {units}.",
        "EAN location number {code} is the own number of {count} active units: {units}.",
    ),
    "query.duplicate_provider": (
        "Ydernummer {code} står på {count} aktive enheder: {units}.",
        "Provider number {code} is on {count} active units: {units}.",
    ),
    "query.shak_multiple": (
        "SHAK-kode {code} er knyttet direkte til {count} aktive enheder på én gang: {units}.",
        "SHAK code {code} is attached directly to {count} active units at once: {units}.",
    ),
    "query.no_name": ("Enhed {sor_id} har intet navn.", "Unit {sor_id} has no name."),
    "query.name_spaces": (
        "Navnet '{name}' på enhed {sor_id} har {what}.",
        "The name '{name}' of unit {sor_id} has {what}.",
    ),
    "query.empty_subtree_one": (
        "{unit} er aktiv, men den ene enhed, der nogensinde har ligget under den, er lukket.",
        "{unit} is active, but the one unit that was ever under it is closed.",
    ),
    "query.empty_subtree_all": (
        "{unit} er aktiv, men alle {count} enheder, der nogensinde har ligget under den, er "
        "lukket.",
        "{unit} is active, but all {count} units that were ever under it are closed.",
    ),
}

#: `find` and the Units view
_FIND: dict[str, tuple[str, str]] = {
    "find.level.IE": ("Institutionsejer", "Institution owner"),
    "find.level.SI": ("Sundhedsinstitution", "Health institution"),
    "find.level.OE": ("Organisationsenhed", "Organisational unit"),
    "find.status.active": ("Aktiv", "Active"),
    "find.status.closed": ("Lukket", "Closed"),
    "find.status.future": ("Fremtidig", "Future"),
    "find.ean.own": ("Eget lokationsnummer", "Own EAN location number"),
    "find.ean.inherited": ("Nedarvet lokationsnummer", "Inherited EAN location number"),
    "find.ean.none": ("Intet lokationsnummer", "No EAN location number"),
    "find.no_values": (
        "Filen har ingen værdier i {columns}, så det filter matcher ingen enheder.",
        "This file has no values in {columns}, so that filter matches no units.",
    ),
    "find.unknown_column": (
        "Ukendt kolonne {column}. Kendte kolonner: {known}, og Effective<kolonne> for hver "
        "kolonne der kan nedarves (adresser, virtuel adresse, lokationsnummer, ShakId).",
        "Unknown column {column}. Known columns: {known}, and Effective<column> for each "
        "column that can be inherited (addresses, virtual address, EAN, ShakId).",
    ),
    "find.unknown_unit": (
        "SOR-koden {sor_id} findes ikke nogen steder i filen.",
        "SOR id {sor_id} does not occur anywhere in this file.",
    ),
    "find.unknown_edi": (
        "EDI-typen {edi_id} findes ikke nogen steder i filen.",
        "EDI type {edi_id} does not occur anywhere in this file.",
    ),
    "find.bad_value": (
        "{value} er ikke en gyldig værdi for {option} (brug {allowed}).",
        "{value} is not a valid value for {option} (use {allowed}).",
    ),
    "find.bad_range": (
        "Postnummerintervallet {value} går baglæns; skriv det laveste postnummer først.",
        "The postcode range {value} runs backwards; write the lower postcode first.",
    ),
    "find.bad_where": (
        "Skriv --where som KOLONNE=VÆRDI eller KOLONNE~VÆRDI, ikke {value}.",
        "Write --where as COLUMN=VALUE or COLUMN~VALUE, not {value}.",
    ),
    "find.no_match": (
        "Ingen enheder matcher filtrene.",
        "No units match these filters.",
    ),
    "find.wrote": (
        "Skrev {n} {n:plural:enhed:enheder} til {path} ({fmt}, gældende {day}).",
        "Wrote {n} {n:plural:unit:units} to {path} ({fmt}, as of {day}).",
    ),
    "find.too_many_columns": (
        "Et regneark kan højst have 16.384 kolonner; dette udtræk har {n}.",
        "A spreadsheet holds at most 16,384 columns; this export has {n}.",
    ),
}

#: `diff` and the Differences panel
_DIFF: dict[str, tuple[str, str]] = {
    "diff.no_differences": ("Ingen forskelle.", "No differences."),
    "diff.no_common_ids": (
        "De to filer har ingen SOR-koder til fælles; de ser ud til at være forskellige registre.",
        "The two files have no SOR ids in common; they seem to be different registers.",
    ),
    "diff.different_registers": (
        "{share} % af de {n} SOR-koder, filerne har til fælles, har forskellig første "
        "gyldighedsdato; filerne ser ud til at være forskellige registre.",
        "{share} % of the {n} SOR ids the files share have a different first valid date; "
        "the files seem to be different registers.",
    ),
    "diff.dates_backwards": (
        "Den nye fil læses pr. {new}, før den gamle ({old}); der sammenlignes som ønsket, "
        "så datoerne går baglæns.",
        "The new file is read as of {new}, before the old one ({old}); it is compared as "
        "asked, so the dates run backwards.",
    ),
    "diff.no_snapshot_date_old": (
        "Den gamle fil har ingen udtræksdato; den er læst, som den stod {day}.",
        "The old file has no snapshot date; it is read as it stood on {day}.",
    ),
    "diff.no_snapshot_date_new": (
        "Den nye fil har ingen udtræksdato; den er læst, som den stod {day}.",
        "The new file has no snapshot date; it is read as it stood on {day}.",
    ),
    "diff.across_formats": (
        "Filerne har forskellige formater ({old} og {new}); en værdi, som kun den ene fil "
        "har, tælles ikke som en forskel.",
        "The files are of different formats ({old} and {new}); a value only one of them "
        "holds is not counted as a difference.",
    ),
    "diff.old_unreadable": (
        "Den gamle fil {path} kan ikke læses: {reason}",
        "The old file {path} cannot be read: {reason}",
    ),
    "diff.new_unreadable": (
        "Den nye fil {path} kan ikke læses: {reason}",
        "The new file {path} cannot be read: {reason}",
    ),
    "diff.under_unknown": (
        "SOR-kode {sor_id} findes ikke i nogen af de to filer.",
        "SOR id {sor_id} does not occur in either file.",
    ),
    "diff.format_needs_output": (
        "--format skal bruges sammen med -o FIL.",
        "--format needs -o OUT (the file to write).",
    ),
    "diff.cannot_write": (
        "{path} kan ikke skrives: {reason}.",
        "Cannot write {path}: {reason}.",
    ),
    "diff.wrote": (
        "{rows} {rows:plural:række:rækker} med forskelle skrevet til {path} ({fmt}).",
        "wrote {rows} {rows:plural:row:rows} of differences to {path} ({fmt}).",
    ),
}

#: the command line's own sentences
_CLI: dict[str, tuple[str, str]] = {}

CATALOGUE: dict[str, tuple[str, str]] = {
    **_LOAD,
    **_REPORT,
    **_QUERY,
    **_FIND,
    **_DIFF,
    **_CLI,
}

# Control characters (C0 except tab, DEL, C1) and the Unicode line/paragraph separators.
_CONTROL = {c: " " for c in [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL.update({0x2028: " ", 0x2029: " "})


def clean_text(value: object, limit: int = 200) -> str:
    """A value from a file made safe to print inside one line: control characters
    (including escape sequences' ESC and line breaks) become spaces, and a very long
    value is cut with an ellipsis."""
    text = str(value).translate(_CONTROL)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Joined:
    """A template value made of several values, each rendered in the sentence's
    language, joined by `sep` (a list of unit labels, a path "A -> B -> A")."""

    items: tuple[object, ...]
    sep: str = ", "


def format_value(value: object, lang: Language) -> str:
    """One template value in the conventions of `lang`."""
    if isinstance(value, Joined):
        return value.sep.join(format_value(v, lang) for v in value.items)
    if isinstance(value, bool):
        return ("ja" if value else "nej") if lang == "da" else ("yes" if value else "no")
    if isinstance(value, int):
        text = f"{value:,}"
        return text.replace(",", ".") if lang == "da" else text
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y") if lang == "da" else value.isoformat()
    if isinstance(value, Message):
        return value.render(lang)
    return str(value)


class _Formatter(string.Formatter):
    def __init__(self, lang: Language) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            _, one, many = format_spec.split(":", 2)
            return one if int(value) == 1 else many
        if format_spec:
            return format(value, format_spec)
        return format_value(value, self.lang)


def render(code: str, params: Mapping[str, object] | None = None, lang: Language = "en") -> str:
    """The sentence `code` in `lang`, filled with `params`.

    An unknown code renders as the code itself plus its parameters, so a missing entry
    shows up as an odd sentence (and fails the catalogue test) rather than a crash."""
    entry = CATALOGUE.get(code)
    if entry is None:
        extra = ", ".join(f"{k}={v}" for k, v in (params or {}).items())
        return f"{code} ({extra})" if extra else code
    template = entry[0] if lang == "da" else entry[1]
    values = dict(params or {})
    if _plain(template):  # no format specs: each value formatted once, then str.format
        return template.format_map({k: format_value(v, lang) for k, v in values.items()})
    return _Formatter(lang).vformat(template, (), values)


def _is_plain(template: str) -> bool:
    """Whether `template` has only plain `{name}` fields (no format specs)."""
    fields = string.Formatter().parse(template)
    return all(not spec and not conv for _t, _name, spec, conv in fields)


#: every catalogue template that `str.format` can fill (worked out once, at import)
_PLAIN_TEMPLATES = frozenset(t for pair in CATALOGUE.values() for t in pair if _is_plain(t))


def _plain(template: str) -> bool:
    return template in _PLAIN_TEMPLATES


@dataclass(frozen=True)
class Message:
    """A sentence by code and values; `str()` gives the English rendering."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: Language = "en") -> str:
        return render(self.code, self.params, lang)

    def __str__(self) -> str:
        return self.render("en")


def msg(code: str, /, **params: object) -> Message:
    """Shorthand: `msg(code, name=...)` for `Message(code, {"name": ...})`."""
    return Message(code, params)
