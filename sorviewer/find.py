"""Find units across the whole register: filters, facet counts, sorting, table rows.

The register as one table, one row per unit, the way the official SOR Browser
filters it, without its row cap (ARCHITECTURE.md, "find"). Every filter reads the
unit's effective values at the date (`columns.DayColumns`: inherited groups filled
in) and is array work over the day's columns: each column is encoded once per date
into codes over its distinct folded values, so a filter compares a handful of
distinct values and maps the answer back to the units with one fancy index.

Rules where the contract leaves room (README.md, "Find"):

- Within a filter a comma means OR (`\\,` is a literal comma); filters AND. `--text`
  is one free text, never split at commas (its blanks separate terms, as in `search`).
- Values compare trimmed, case- and accent-insensitively as search folds them;
  region and municipality codes also ignore leading zeros (`101` = `0101`); a
  postcode `P1-P2` is a numeric range (inclusive) over all-digit postcodes.
- A filter on a column the file has no values in matches nothing, with a note.
- `entity_type`, `owner_type`, `speciality` match the code or the name.
- `ean` reads the resolved EAN state (`show`'s provenance); `edi_type` the unit's
  effective EAN against the EDI map rows valid at the date (the `edi` rule);
  `shak` the effective SHAK code's start, `shak_direct` units holding a code
  themselves; `under` the unit and everything below it at the date (parents at
  the date, or for closed and future units their nearest version's parent).
- `text`: the `search` rule over effective values (`search.match_terms`): every
  blank-separated term is an id, SHAK code, EAN, provider or pharmacy number or
  postcode start, or each of its folded words starts (three letters or more: is
  inside) a word of the name or a town; terms in any order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import codes as code_names
from .arrays import first_up
from .columns import (
    EFFECTIVE_COLUMNS,
    OWN,
    STATE_NAMES,
    DayColumns,
    Encoded,
    Naming,
    canonical_name,
    day_columns,
    expand_columns,
    fold,
    group_columns_with_part,
    has_values,
    known_columns,
)
from .messages import Message, clean_text, msg
from .search import (
    CODE_PREFIX_COLUMNS,
    ID_COLUMNS,
    TEXT_COLUMNS,
    match_terms,
    parse_terms,
    word_column,
)
from .search import COLUMNS as SEARCH_COLUMNS

if TYPE_CHECKING:
    from .register import Store

LEVELS = ("IE", "SI", "OE")
STATUSES = ("active", "closed", "future")
EAN_STATES = STATE_NAMES  # by provenance state code

SPECIALITY_IDS = tuple(f"PrioritizedEntitySpeciality{n}Id" for n in range(1, 9))
SPECIALITY_NAMES = tuple(f"PrioritizedEntitySpeciality{n}Name" for n in range(1, 9))
REGION = "VisitingAddressRegionCode"
MUNICIPALITY = "VisitingAddressMunicipalityCode"
POSTCODE = "VisitingAddressPostCodeId"
TOWN = "VisitingAddressDistrictName"

#: what `--text` reads: the `search` columns (ids and codes by prefix, texts by words)
TEXT_PREFIX_COLUMNS = ID_COLUMNS + CODE_PREFIX_COLUMNS
TEXT_CONTAINS_COLUMNS = TEXT_COLUMNS

#: the columns of every `find` row before the asked ones (CSV/XLSX names; JSON keys)
BASE_COLUMNS = ("SorId", "EntityName", "SorType", "ParentSorId", "Status")
ROW_KEYS = ("sor_id", "name", "sor_type", "parent_sor_id", "status")


class FindError(Exception):
    """A filter that cannot be run: `kind` is "usage" (CLI exit 2) or "unknown" (an id
    or code that does not occur in the file; exit 4)."""

    def __init__(self, kind: str, message: Message) -> None:
        super().__init__(str(message))
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Where:
    """`COLUMN=VALUE` (equal) or `COLUMN~VALUE` (contains) on any column."""

    column: str
    op: str  # "=" or "~"
    values: tuple[str, ...]


@dataclass(frozen=True)
class Filters:
    """What to find. Each tuple is OR within the filter; filters AND. Empty = no filter.

    `status` () or ("all",) admits every unit; the default is active units only."""

    level: tuple[str, ...] = ()
    status: tuple[str, ...] = ("active",)
    entity_type: tuple[str, ...] = ()
    owner_type: tuple[str, ...] = ()
    speciality: tuple[str, ...] = ()
    main_speciality: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    postcode: tuple[str, ...] = ()
    town: tuple[str, ...] = ()
    ean: tuple[str, ...] = ()
    edi_type: tuple[str, ...] = ()
    shak: tuple[str, ...] = ()
    shak_direct: bool = False
    under: tuple[str, ...] = ()
    text: str = ""
    where: tuple[Where, ...] = ()

    def active(self) -> list[str]:
        """Names of the filters that narrow anything."""
        out = []
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "status":
                if v and "all" not in v:
                    out.append(f.name)
            elif f.name == "text":
                if v.strip():
                    out.append(f.name)
            elif v:
                out.append(f.name)
        return out


#: facets, by the filter each one stands for
FACETS = (
    "level",
    "status",
    "entity_type",
    "owner_type",
    "main_speciality",
    "speciality",
    "region",
    "municipality",
    "postcode",
    "town",
    "ean",
    "edi_type",
    "shak",
)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: `code` is what the filter takes to select it, `label` what
    to show (a `Message` for the fixed words, text from the file otherwise), `count` the
    units matching all other filters that hold it."""

    code: str
    label: str | Message
    count: int


@dataclass
class FindResult:
    """Matching units (entity indices, by name then SorId), facet counts, and the number
    of units the status filter alone admits (the "of N units")."""

    ents: np.ndarray
    facet_counts: dict[str, list[FacetValue]] = field(default_factory=dict)
    total: int = 0
    notes: list[Message] = field(default_factory=list)


def split_values(text: str) -> tuple[str, ...]:
    """A filter argument's values: comma-separated (`\\,` for a literal comma), trimmed,
    empty ones dropped."""
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] == ",":
            cur.append(",")
            i += 2
            continue
        if ch == ",":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return tuple(p.strip() for p in parts if p.strip())


def parse_where(text: str) -> Where:
    """`COLUMN=VALUE` or `COLUMN~VALUE` (the first `=` or `~` splits), values split as
    `split_values`; an empty value after `=` means "has no value", after `~` "has one"."""
    at = [i for i in (text.find("="), text.find("~")) if i > 0]
    if not at:
        raise FindError("usage", msg("find.bad_where", value=clean_text(text)))
    i = min(at)
    column, op, value = text[:i].strip(), text[i], text[i + 1 :]
    if not column:
        raise FindError("usage", msg("find.bad_where", value=clean_text(text)))
    return Where(column, op, split_values(value))


# --- checks before anything is computed -------------------------------------------------


def resolve_column(reg: Store, name: str) -> str:
    """The known column `name` stands for (case-insensitive), or a usage error listing
    the known columns."""
    found = canonical_name(reg, name)
    if found is None:
        raise FindError(
            "usage",
            msg(
                "find.unknown_column",
                column=clean_text(name),
                known=", ".join(c for c in known_columns(reg) if c not in EFFECTIVE_COLUMNS),
            ),
        )
    return found


def _check_choice(values: Iterable[str], allowed: Sequence[str], option: str) -> None:
    low = {a.lower() for a in allowed}
    for v in values:
        if v.lower() not in low:
            raise FindError(
                "usage",
                msg(
                    "find.bad_value", value=clean_text(v), option=option, allowed=", ".join(allowed)
                ),
            )


def check(reg: Store, filters: Filters) -> Filters:
    """Refuse what cannot run (unknown columns, values, ids, EDI types) before any work;
    returns the filters with column names spelled as the file does."""
    from .edi import known_edi_ids

    _check_choice(filters.level, LEVELS, "level")
    _check_choice(filters.status, (*STATUSES, "all"), "status")
    _check_choice(filters.ean, EAN_STATES, "ean")
    for p in filters.postcode:
        lo, hi = _range(p)
        if lo is not None and hi is not None and lo > hi:
            raise FindError("usage", msg("find.bad_range", value=clean_text(p)))
    for sid in filters.under:
        if reg.entity_index(sid) < 0:
            raise FindError("unknown", msg("find.unknown_unit", sor_id=clean_text(sid)))
    if filters.edi_type:
        known = known_edi_ids(reg)
        for t in filters.edi_type:
            if t.strip() not in known:
                raise FindError("unknown", msg("find.unknown_edi", edi_id=clean_text(t)))
    where = tuple(Where(resolve_column(reg, w.column), w.op, w.values) for w in filters.where)
    if where == filters.where:
        return filters
    from dataclasses import replace

    return replace(filters, where=where)


def _range(text: str) -> tuple[int | None, int | None]:
    """A postcode range `P1-P2` (digits both sides) as numbers, else (None, None)."""
    lo, sep, hi = text.partition("-")
    lo, hi = lo.strip(), hi.strip()
    if sep and lo.isascii() and lo.isdigit() and hi.isascii() and hi.isdigit():
        return int(lo), int(hi)
    return None, None


# --- masks --------------------------------------------------------------------------------


def _folded(values: Iterable[str]) -> pa.Array:
    return pa.array([fold(v) for v in values], type=pa.string())


def _bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _no_zeros(arr: pa.Array) -> pa.Array:
    """All-digit codes without leading zeros (`0101` -> `101`; `0` stays)."""
    return pc.replace_substring_regex(arr, r"^0+(\d)", r"\1")


def _eq(dc: DayColumns, column: str, values: Sequence[str], *, zeros: bool = False) -> np.ndarray:
    enc = dc.encoded(column)
    keys, want = enc.keys, _folded(values)
    if zeros:
        keys, want = _no_zeros(keys), _no_zeros(want)
    return enc.mask(_bool(pc.is_in(keys, value_set=want)))


def _starts(dc: DayColumns, column: str, prefix: str) -> np.ndarray:
    enc = dc.encoded(column)
    return enc.mask(_bool(pc.starts_with(enc.keys, prefix)))


def _contains(dc: DayColumns, column: str, text: str) -> np.ndarray:
    enc = dc.encoded(column)
    return enc.mask(_bool(pc.match_substring(enc.keys, text)))


def _any(masks: Iterable[np.ndarray], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for m in masks:
        out |= m
    return out


def _lacking(reg: Store, cols: Sequence[str]) -> bool:
    """True when none of the columns an effective value is read from has a value."""
    return not any(has_values(reg, s) for c in cols for s in group_columns_with_part(c))


def _postcode_mask(dc: DayColumns, values: Sequence[str]) -> np.ndarray:
    enc = dc.encoded(POSTCODE)
    keys = enc.keys
    digits = _bool(pc.match_substring_regex(keys, r"^\d{1,9}$"))
    num = np.full(len(keys), -1, dtype=np.int64)
    if digits.any():
        num[digits] = np.asarray(
            pc.cast(pc.filter(keys, pa.array(digits)), pa.int64()), dtype=np.int64
        )
    hit = np.zeros(len(keys), dtype=bool)
    exact = []
    for v in values:
        lo, hi = _range(v)
        if lo is None or hi is None:
            exact.append(v)
        else:
            hit |= digits & (num >= lo) & (num <= hi)
    if exact:
        hit |= _bool(pc.is_in(keys, value_set=_folded(exact)))
    return enc.mask(hit)


def _region_values(values: Sequence[str]) -> list[str]:
    """Region codes, and region names turned into their codes."""
    by_name = {fold(name): code for code, name in code_names.REGIONS.items()}
    return [by_name.get(fold(v), v) for v in values]


def _edi_pairs(reg: Store, dc: DayColumns) -> tuple[pa.Array, pa.Array]:
    """(EAN, EdiId) of the EDI map rows valid at the day (trimmed text)."""
    cached = dc.memo.get("edi_pairs")
    if cached is None:
        from .edi import edi_rows_at

        sub = edi_rows_at(reg, dc.day)
        if sub is None:
            cached = (pa.array([], pa.string()), pa.array([], pa.string()))
        else:
            sub = sub.loc[sub["EanLocationCode"].notna() & sub["EdiId"].notna()]
            cached = (
                pa.array(sub["EanLocationCode"], type=pa.string(), from_pandas=True),
                pa.array(sub["EdiId"], type=pa.string(), from_pandas=True),
            )
        dc.memo["edi_pairs"] = cached
    result: tuple[pa.Array, pa.Array] = cached
    return result


def _edi_mask(reg: Store, dc: DayColumns, types: Sequence[str]) -> np.ndarray:
    eans, edis = _edi_pairs(reg, dc)
    want = pa.array([t.strip() for t in types], type=pa.string())
    accepting = pc.unique(pc.filter(eans, pc.is_in(edis, value_set=want)))
    enc = dc.encoded("EanLocationCode")
    return enc.mask(_bool(pc.is_in(enc.keys, value_set=fold_all(accepting))))


def fold_all(arr: pa.Array) -> pa.Array:
    from .columns import fold_array

    return fold_array(pc.utf8_trim_whitespace(arr))


def _under_mask(reg: Store, dc: DayColumns, ids: Sequence[str]) -> np.ndarray:
    """The listed units and everything below them at the day (pointer doubling up the
    parents, so the cost grows with log(depth), never with recursion)."""
    n = dc.n
    hit = np.zeros(n, dtype=bool)
    for sid in ids:
        e = reg.entity_index(sid)
        if e >= 0:
            hit[e] = True
    # a unit is in when it or one of its ancestors is listed (`arrays` holds the walk).
    # The parents are those `show` names: at the day, else the one the unit's own
    # version names (a future unit whose parent starts later still sits under it)
    return first_up(dc.bv.named_parent, hit) >= 0


def _text_mask(dc: DayColumns, text: str) -> np.ndarray:
    """`--text`: the `search` rule (`search.match_terms`: every term an id or code
    start, or its words in the name or a town) over the day's effective values."""
    terms = parse_terms(text)
    if not terms:
        return np.ones(dc.n, dtype=bool)

    def prefix_of(raw: str) -> Iterable[tuple[int, np.ndarray]]:
        start = fold(raw)
        for c in TEXT_PREFIX_COLUMNS:
            yield SEARCH_COLUMNS.index(c), _starts(dc, c, start)

    words = []
    for c in TEXT_CONTAINS_COLUMNS:
        enc = dc.encoded(c)
        key = ("words", c)
        col = dc.memo.get(key)
        if col is None:
            col = word_column(SEARCH_COLUMNS.index(c), enc.codes, enc.keys)
            dc.memo[key] = col
        words.append((col, enc.codes))
    hit, _levels = match_terms(terms, dc.n, prefix_of, words)
    return hit


def _where_mask(dc: DayColumns, w: Where) -> np.ndarray:
    enc = dc.encoded(w.column)
    if not w.values:
        has = enc.codes >= 0
        return ~has if w.op == "=" else has
    if w.op == "=":
        return _eq(dc, w.column, w.values)
    return _any((_contains(dc, w.column, fold(v)) for v in w.values), dc.n)


def _columns_read(name: str, filters: Filters) -> tuple[str, ...] | None:
    """The columns a filter reads (for the "no values in this file" note), or None for
    filters that read no file column directly."""
    return {
        "entity_type": ("EntityTypeId", "EntityTypeName"),
        "owner_type": ("InstitutionOwnerEntityTypeId", "InstitutionOwnerEntityTypeName"),
        "speciality": SPECIALITY_IDS + SPECIALITY_NAMES,
        "main_speciality": (SPECIALITY_IDS[0], SPECIALITY_NAMES[0]),
        "region": (REGION,),
        "municipality": (MUNICIPALITY,),
        "postcode": (POSTCODE,),
        "town": (TOWN,),
        "edi_type": ("EanLocationCode",),
    }.get(name)


def _in_codes(codes: np.ndarray, want: Sequence[int], k: int) -> np.ndarray:
    """Per unit: whether its small code (0..k-1) is one of `want` (a table look-up)."""
    table = np.zeros(k, dtype=bool)
    table[list(want)] = True
    return table[codes]


def _filter_mask(reg: Store, dc: DayColumns, name: str, f: Filters) -> np.ndarray:
    n = dc.n
    if name == "level":
        return _eq(dc, "SorType", f.level)
    if name == "status":
        return _in_codes(
            dc.status_codes(),
            [STATUSES.index(s.lower()) for s in f.status if s.lower() in STATUSES],
            len(STATUSES),
        )
    if name in ("entity_type", "owner_type"):
        id_col, name_col = _columns_read(name, f) or ("", "")
        values = getattr(f, name)
        return _eq(dc, id_col, values) | _eq(dc, name_col, values)
    if name in ("speciality", "main_speciality"):
        slots = 8 if name == "speciality" else 1
        values = getattr(f, name)
        return _any(
            (
                _eq(dc, c, values)
                for c in SPECIALITY_IDS[:slots] + SPECIALITY_NAMES[:slots]
                if has_values(reg, c)
            ),
            n,
        )
    if name == "region":
        return _eq(dc, REGION, _region_values(f.region), zeros=True)
    if name == "municipality":
        return _eq(dc, MUNICIPALITY, f.municipality, zeros=True)
    if name == "postcode":
        return _postcode_mask(dc, f.postcode)
    if name == "town":
        return _eq(dc, TOWN, f.town)
    if name == "ean":
        want = [EAN_STATES.index(s.lower()) for s in f.ean]
        return _in_codes(dc.bv.state["ean_location_code"], want, len(EAN_STATES))
    if name == "edi_type":
        return _edi_mask(reg, dc, f.edi_type)
    if name == "shak":
        return _any((_starts(dc, "ShakId", fold(p)) for p in f.shak), n)
    if name == "shak_direct":
        return dc.bv.state["shak"] == OWN
    if name == "under":
        return _under_mask(reg, dc, f.under)
    if name == "text":
        return _text_mask(dc, f.text)
    raise AssertionError(name)  # pragma: no cover - every field is handled above


def _masks(reg: Store, dc: DayColumns, f: Filters, notes: list[Message]) -> dict[str, np.ndarray]:
    """One mask per active filter (each `where` separately, keyed `where:<i>`)."""
    masks: dict[str, np.ndarray] = {}
    nothing = np.zeros(dc.n, dtype=bool)
    for name in f.active():
        if name == "where":
            for i, w in enumerate(f.where):
                if _lacking(reg, (w.column,)) and w.column in known_file_columns(reg):
                    notes.append(msg("find.no_values", columns=w.column))
                    masks[f"where:{i}"] = nothing
                else:
                    masks[f"where:{i}"] = _where_mask(dc, w)
            continue
        cols = _columns_read(name, f)
        if name == "shak" and not _has_shak(reg):
            cols, lacking = ("ShakId",), True
        else:
            lacking = cols is not None and _lacking(reg, cols)
        if lacking and cols is not None:
            notes.append(msg("find.no_values", columns=", ".join(dict.fromkeys(cols))))
            masks[name] = nothing
            continue
        masks[name] = _filter_mask(reg, dc, name, f)
    return masks


def known_file_columns(reg: Store) -> set[str]:
    """SOREntity column names (those a file can lack); derived columns always exist."""
    from .schema import SOR_ENTITY_COLUMNS_2025

    return {*SOR_ENTITY_COLUMNS_2025, *(str(c) for c in reg.entities.columns)}


def _has_shak(reg: Store) -> bool:
    from .mapping import map_table

    return has_values(reg, "ShakId") or map_table(reg) is not None


# --- order ------------------------------------------------------------------------------


def _base_position(reg: Store, dc: DayColumns) -> tuple[np.ndarray, np.ndarray]:
    """(entities by name then SorId, each entity's place in that order), per day."""
    cached = dc.memo.get("order")
    if cached is None:
        n = dc.n
        rank = reg.name_rank[dc.bv.rows] if n else np.zeros(0, dtype=np.int32)
        order = np.lexsort((np.arange(n), rank)).astype(np.int64)
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        cached = (order, pos)
        dc.memo["order"] = cached
    result: tuple[np.ndarray, np.ndarray] = cached
    return result


def _key_rank(dc: DayColumns, column: str) -> np.ndarray:
    """Rank of each key of the column's `Encoded`: numeric for all-digit values, else
    Danish name order (as `tree`) of the file's spelling."""
    cache_key = f"rank:{column}"
    cached = dc.memo.get(cache_key)
    if cached is None:
        from .text import name_sort_keys

        enc = dc.encoded(column)
        labels = pc.utf8_trim_whitespace(enc.labels)
        k = len(labels)
        if k and pc.all(pc.match_substring_regex(labels, r"^\d+$")).as_py():
            # numbers by value ("007" next to "7", by its spelling after it)
            stripped = pc.replace_substring_regex(labels, r"^0+", "")
            t = pa.table(
                {
                    "a": pc.utf8_length(stripped),
                    "b": stripped,
                    "c": pc.utf8_length(labels),
                    "d": labels,
                }
            )
            keys = [("a", "ascending"), ("b", "ascending"), ("c", "ascending"), ("d", "ascending")]
        else:
            t = pa.table({"a": name_sort_keys(labels) if k else labels, "b": labels})
            keys = [("a", "ascending"), ("b", "ascending")]
        order = np.asarray(pc.sort_indices(t, keys), dtype=np.int64)
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        cached = rank
        dc.memo[cache_key] = cached
    result: np.ndarray = cached
    return result


def sort_units(
    reg: Store, day: dt.date, ents: np.ndarray, column: str, *, descending: bool = False
) -> np.ndarray:
    """`ents` sorted by the column's effective value (nulls last either way), stable, by
    name then SorId where values are equal. Any known column, derived ones included."""
    column = resolve_column(reg, column)
    dc = day_columns(reg, day)
    ents = np.asarray(ents, dtype=np.int64)
    _, pos = _base_position(reg, dc)
    enc = dc.encoded(column)
    rank = _key_rank(dc, column)
    k = len(rank)
    codes = enc.codes[ents]
    r = np.where(codes >= 0, rank[np.maximum(codes, 0)] if k else 0, k)
    if descending:
        r = np.where(codes >= 0, k - 1 - r, k)
    return ents[np.lexsort((pos[ents], r))]


# --- facets -------------------------------------------------------------------------------


@dataclass
class _Facet:
    """Buckets of one facet at a day: filter value and label of each, and a counter."""

    codes: list[str]
    labels: list[str | Message]
    count: Callable[[np.ndarray], np.ndarray]


def _single(enc: Encoded, labels: list[str | Message] | None = None) -> _Facet:
    values = [str(v) for v in enc.labels.to_pylist()]
    return _Facet(values, labels if labels is not None else list(values), enc.counts)


def _first_per_code(codes: np.ndarray, values: pa.Array, k: int) -> list[str | None]:
    """For each code 0..k-1 the first non-null value among units holding it."""
    ok = (codes >= 0) & _bool(pc.is_valid(values))
    idx = np.nonzero(ok)[0]
    out: list[str | None] = [None] * k
    if len(idx):
        uniq, first = np.unique(codes[idx], return_index=True)
        texts = values.take(pa.array(idx[first], type=pa.int64())).to_pylist()
        for c, t in zip(uniq.tolist(), texts, strict=True):
            out[c] = t
    return out


def _id_name_facet(
    reg: Store, dc: DayColumns, id_col: str, name_col: str, fallback: Callable[[str], str | None]
) -> _Facet:
    """A facet over a code column labelled by its name column (else `fallback(code)`); a
    file with names but no codes gets the names."""
    if not has_values(reg, id_col):
        return _single(dc.encoded(name_col))
    enc = dc.encoded(id_col)
    names = _first_per_code(enc.codes, dc.full(name_col), len(enc.keys))
    values = [str(v) for v in enc.labels.to_pylist()]
    labels: list[str | Message] = [
        nm or fallback(v) or v for v, nm in zip(values, names, strict=True)
    ]
    return _Facet(values, labels, enc.counts)


def _speciality_facet(reg: Store, dc: DayColumns) -> _Facet:
    """Units per speciality held in any of the eight slots (a unit counts once)."""
    id_cols = [c for c in SPECIALITY_IDS if has_values(reg, c)]
    by_id = bool(id_cols)
    cols = id_cols if by_id else [c for c in SPECIALITY_NAMES if has_values(reg, c)]
    encs = [dc.encoded(c) for c in cols]
    joint = (
        pc.unique(pa.concat_arrays([e.keys for e in encs])) if encs else pa.array([], pa.string())
    )
    k = len(joint)
    matrix = np.full((dc.n, max(len(encs), 1)), -1, dtype=np.int64)
    for s, e in enumerate(encs):
        to_joint = np.asarray(pc.index_in(e.keys, joint), dtype=np.int64)
        matrix[:, s] = np.where(
            e.codes >= 0, to_joint[np.maximum(e.codes, 0)] if len(to_joint) else -1, -1
        )
    first = matrix >= 0
    for s in range(1, matrix.shape[1]):
        for t in range(s):
            first[:, s] &= matrix[:, s] != matrix[:, t]
    ent_of, slot_of = np.nonzero(first)
    code_of = matrix[ent_of, slot_of]
    values: list[str] = [""] * k
    names: list[str | None] = [None] * k
    for s, (col, e) in enumerate(zip(cols, encs, strict=True)):
        to_joint = np.asarray(pc.index_in(e.keys, joint), dtype=np.int64)
        for j, lab in zip(to_joint.tolist(), e.labels.to_pylist(), strict=True):
            if not values[j]:
                values[j] = str(lab)
        if by_id:
            name_col = SPECIALITY_NAMES[SPECIALITY_IDS.index(col)]
            for j, nm in enumerate(_first_per_code(matrix[:, s], dc.full(name_col), k)):
                if names[j] is None and nm is not None:
                    names[j] = nm
    labels: list[str | Message] = [
        nm or code_names.SPECIALITIES.get(v) or v for v, nm in zip(values, names, strict=True)
    ]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(code_of[mask[ent_of]], minlength=k)

    return _Facet(values, labels, count)


def _edi_facet(reg: Store, dc: DayColumns) -> _Facet:
    """Units per EDI type they can receive (through their effective EAN)."""
    from .edi import edi_types

    eans, edis = _edi_pairs(reg, dc)
    enc = dc.encoded("EanLocationCode")
    names = {t["edi_id"]: t["name"] for t in edi_types(reg)}
    type_list = sorted(set(edis.to_pylist()) | set(names))
    t_index = {t: i for i, t in enumerate(type_list)}
    key_of_pair = np.asarray(
        pc.fill_null(pc.index_in(fold_all(eans), enc.keys), -1), dtype=np.int64
    )
    type_of_pair = np.asarray([t_index[t] for t in edis.to_pylist()], dtype=np.int64)
    keep = key_of_pair >= 0
    # one pair per (EAN, type): the map may list a type twice for one EAN
    pair = np.unique(key_of_pair[keep] * max(len(type_list), 1) + type_of_pair[keep])
    key_of_pair = pair // max(len(type_list), 1)
    type_of_pair = pair % max(len(type_list), 1)

    def count(mask: np.ndarray) -> np.ndarray:
        per_key = enc.counts(mask)
        return np.bincount(
            type_of_pair, weights=per_key[key_of_pair], minlength=len(type_list)
        ).astype(np.int64)

    labels: list[str | Message] = [names.get(t) or t for t in type_list]
    return _Facet(type_list, labels, count)


def _shak_facet(dc: DayColumns) -> _Facet:
    """Units per SHAK hospital code: the first four characters of the effective code."""
    enc = dc.encoded("ShakId")
    prefix = pc.utf8_upper(pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(enc.labels), 0, 4))
    groups = pc.unique(prefix)
    to_group = np.asarray(pc.index_in(prefix, groups), dtype=np.int64)
    k = len(groups)

    def count(mask: np.ndarray) -> np.ndarray:
        per_key = enc.counts(mask)
        return np.bincount(to_group, weights=per_key, minlength=k).astype(np.int64)

    values = [str(v) for v in groups.to_pylist()]
    return _Facet(values, list(values), count)


def _fixed_facet(codes: np.ndarray, names: Sequence[str], prefix: str) -> _Facet:
    k = len(names)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=k)

    labels: list[str | Message] = [msg(f"{prefix}.{v}") for v in names]
    return _Facet(list(names), labels, count)


def _facet(reg: Store, dc: DayColumns, name: str) -> _Facet:
    cache_key = f"facet:{name}"
    cached = dc.memo.get(cache_key)
    if cached is not None:
        result: _Facet = cached
        return result
    if name == "level":
        enc = dc.encoded("SorType")
        values = [str(v) for v in enc.labels.to_pylist()]
        labels: list[str | Message] = [
            msg(f"find.level.{v.upper()}") if v.upper() in LEVELS else v for v in values
        ]
        made = _Facet(values, labels, enc.counts)
    elif name == "status":
        made = _fixed_facet(dc.status_codes(), STATUSES, "find.status")
    elif name == "ean":
        made = _fixed_facet(dc.bv.state["ean_location_code"], EAN_STATES, "find.ean")
    elif name == "entity_type":
        made = _id_name_facet(reg, dc, "EntityTypeId", "EntityTypeName", code_names.type_name)
    elif name == "owner_type":
        made = _id_name_facet(
            reg,
            dc,
            "InstitutionOwnerEntityTypeId",
            "InstitutionOwnerEntityTypeName",
            code_names.OWNER_TYPES.get,
        )
    elif name == "main_speciality":
        made = _id_name_facet(
            reg, dc, SPECIALITY_IDS[0], SPECIALITY_NAMES[0], code_names.SPECIALITIES.get
        )
    elif name == "speciality":
        made = _speciality_facet(reg, dc)
    elif name == "region":
        enc = dc.encoded(REGION)
        values = [str(v) for v in enc.labels.to_pylist()]
        by_code = {c.lstrip("0"): nm for c, nm in code_names.REGIONS.items()}
        made = _Facet(values, [by_code.get(v.strip().lstrip("0"), v) for v in values], enc.counts)
    elif name in ("municipality", "postcode", "town"):
        made = _single(
            dc.encoded({"municipality": MUNICIPALITY, "postcode": POSTCODE}.get(name, TOWN))
        )
    elif name == "edi_type":
        made = _edi_facet(reg, dc)
    elif name == "shak":
        made = _shak_facet(dc)
    else:
        raise ValueError(f"unknown facet {name!r}; use one of {', '.join(FACETS)}")
    dc.memo[cache_key] = made
    return made


def _selected(f: Filters, facet: str) -> set[str]:
    values = getattr(f, facet, ())
    return {fold(v) for v in values} if isinstance(values, tuple) else set()


def _facet_values(
    reg: Store, dc: DayColumns, name: str, mask: np.ndarray, selected: set[str]
) -> list[FacetValue]:
    fac = _facet(reg, dc, name)
    counts = fac.count(mask)
    keep = np.nonzero(counts > 0)[0].tolist()
    if selected:
        chosen = [i for i, c in enumerate(fac.codes) if fold(c) in selected and counts[i] == 0]
        keep = sorted({*keep, *chosen})
    out = [FacetValue(fac.codes[i], fac.labels[i], int(counts[i])) for i in keep]
    out.sort(key=lambda v: (-v.count, str(v.label).lower(), v.code))
    return out


# --- the query ------------------------------------------------------------------------------


def query(
    reg: Store,
    day: dt.date,
    filters: Filters | None = None,
    facets: Iterable[str] = (),
) -> FindResult:
    """The units matching `filters` at `day`, by name then SorId, with the counts of every
    facet asked (each facet's values counted over the units matching all OTHER filters).

    Raises FindError for what cannot run (see `check`)."""
    f = check(reg, filters or Filters())
    dc = day_columns(reg, day)
    notes: list[Message] = []
    masks = _masks(reg, dc, f, notes)
    everything = np.ones(dc.n, dtype=bool)

    def conj(skip: str | None) -> np.ndarray:
        out = everything.copy()
        for k, m in masks.items():
            if k != skip:
                out &= m
        return out

    mask = conj(None)
    order, _ = _base_position(reg, dc)
    ents = order[mask[order]]
    total = int(masks["status"].sum()) if "status" in masks else dc.n
    counts = {name: _facet_values(reg, dc, name, conj(name), _selected(f, name)) for name in facets}
    unique = list({str(m): m for m in notes}.values())
    return FindResult(ents, counts, total, unique)


# --- rows for the command line and exports ------------------------------------------------------


def column_values(
    reg: Store,
    day: dt.date,
    ents: np.ndarray,
    columns: Sequence[str],
    naming: Naming = "cli",
) -> tuple[list[str], list[list[str | None]]]:
    """Header and display rows of `columns` (expanded as `naming` says) for a slice of
    units, e.g. the rows a table shows."""
    from .columns import table

    header, arrays = table(reg, day, np.asarray(ents, dtype=np.int64), columns, naming)
    cols = [a.to_pylist() for a in arrays]
    return header, [list(r) for r in zip(*cols, strict=True)] if cols else []


def rows(
    reg: Store, day: dt.date, ents: np.ndarray, columns: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The `find` JSON rows: `sor_id`, `name`, `sor_type`, `parent_sor_id`, `status`, then
    the asked columns' effective values keyed by column name, each inheritable group's
    `...Source` column beside them."""
    dc = day_columns(reg, day)
    ents = np.asarray(ents, dtype=np.int64)
    units = dc.units(ents)
    extra = expand_columns([resolve_column(reg, c) for c in columns], "cli")
    parent = dc.bv.parent[ents]
    parent_ids = pc.cast(pa.array(reg.ids[np.maximum(parent, 0)]), pa.string())
    parent_ids = pc.if_else(pa.array(parent >= 0), parent_ids, units.values("ParentSorId"))
    base = [
        pc.cast(pa.array(reg.ids[ents]), pa.string()),
        units.values("EntityName"),
        units.values("SorType"),
        parent_ids,
        units.values("Status"),
    ]
    keys = [*ROW_KEYS, *extra]
    cols = [a.to_pylist() for a in [*base, *(units.values(c) for c in extra)]]
    return [dict(zip(keys, r, strict=True)) for r in zip(*cols, strict=True)]


def count_by(reg: Store, day: dt.date, ents: np.ndarray, column: str) -> list[dict[str, Any]]:
    """How many of `ents` hold each effective value of `column` (null counted as null),
    by count descending, then value."""
    column = resolve_column(reg, column)
    dc = day_columns(reg, day)
    values = dc.values(column, np.asarray(ents, dtype=np.int64))
    counts = pc.value_counts(values)
    pairs = [(v["values"], int(v["counts"])) for v in counts.to_pylist()]
    pairs.sort(key=lambda p: (-p[1], p[0] is None, p[0] or ""))
    return [{"value": v, "count": c} for v, c in pairs]
