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
}

#: the load report: problems found in rows of a file that still opened
_REPORT: dict[str, tuple[str, str]] = {}

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
