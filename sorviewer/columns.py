"""Effective values column by column, for many units at a date, without a loop per unit.

`export.effective` builds Python objects for every column of the units asked; a
filter or a table that shows ten columns of 100,000 units cannot pay for that.
This module reads one column at a time from the day's provenance arrays
(`provenance.unit_arrays`): each unit's value is read from the row and column that
hold it (its own row, or the holder's row in the group it inherits from), as
pyarrow string arrays. What a column looks like for filtering (folded keys per
distinct value) is cached per date.

Besides the SOREntity columns there are derived columns (`DERIVED`): the unit's
status, its parent's, health institution's and owner's names at the date, the
EAN state, `Effective<Column>` for every inheritable column and a `<Group>Source`
column per inheritable group saying where the value comes from:

- `own`: the unit's own row holds it;
- `inherited:<SorId>`: taken from that unit (the nearest ancestor holding it);
- `inherited:<SorId>:<group>`: taken from another group of that unit (a visiting
  address that is the postal address, e.g. `inherited:123:postal_address`);
- `none`: no value.

`table(...)` gives the columns of an export in one of two schemes: `cli` keeps the
contract (each column holds the effective value under the file's column name, with
the group's `...Source` column beside it); `strict` never passes an inherited value
off under the file's column name (`ShakId` is the unit's own code as the file has
it, `EffectiveShakId` and `ShakIdSource` stand beside it; the same for every
inheritable address, virtual address and EAN column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .asof import day_number, snapshot, statuses

# The day's provenance of every unit and its state codes: the one place this module and
# `find` take them from.
from .memo import SharedDict
from .provenance import INHERITED, NONE, OWN, UnitArrays, data_columns, unit_arrays
from .text import fold_array as _fold_array
from .text import fold_text

if TYPE_CHECKING:
    from .register import Store

Naming = Literal["plain", "cli", "strict"]

#: inheritable group of each value column (ShakId included)
GROUP_OF: dict[str, str] = {
    c: key for key, g in schema.FIELD_GROUPS.items() for c in g.columns if key != "shak"
}
GROUP_OF["ShakId"] = "shak"

#: the provenance column of each group
SOURCE_COLUMN: dict[str, str] = {
    "postal_address": "PostalAddressSource",
    "visiting_address": "VisitingAddressSource",
    "activity_address": "ActivityAddressSource",
    "virtual_address": "VirtualAddressSource",
    "ean_location_code": "EanLocationCodeSource",
    "shak": "ShakIdSource",
}
_GROUP_OF_SOURCE = {v: k for k, v in SOURCE_COLUMN.items()}

EFFECTIVE_PREFIX = "Effective"

#: derived columns besides `Effective<Column>` (README.md, "Find")
DERIVED: tuple[str, ...] = (
    "Status",
    "ParentName",
    "HealthInstitutionName",
    "OwnerName",
    "EanState",
    *SOURCE_COLUMN.values(),
)
EFFECTIVE_COLUMNS: tuple[str, ...] = tuple(EFFECTIVE_PREFIX + c for c in GROUP_OF)

#: id columns written as plain digits (a trailing `.0` from a spreadsheet round trip dropped)
_PLAIN_ID = r"^\s*(\d+)(?:\.0)?\s*$"

_STATE_TEXT = {NONE: "none", OWN: "own", INHERITED: "inherited"}
#: the provenance states' names, indexed by state code
STATE_NAMES: tuple[str, ...] = tuple(_STATE_TEXT[k] for k in sorted(_STATE_TEXT))


def plain_ids(arr: pa.Array) -> pa.Array:
    """Id text as plain digits: surrounding blanks and a trailing `.0` dropped."""
    return pc.replace_substring_regex(arr, _PLAIN_ID, r"\1")


def rows_column(reg: Store, column: str) -> pa.Array:
    """One SOREntity column over every version row as a pyarrow string array (nulls for a
    column the file does not have). Built once per register."""

    def make() -> pa.Array:
        if column not in reg.entities.columns:
            return pa.nulls(len(reg.entities), pa.string())
        arr = pa.array(reg.entities[column], from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(pa.string())

    result: pa.Array = reg.cache(f"columns.rows:{column}", make)
    return result


def has_values(reg: Store, column: str) -> bool:
    """Whether any version row has a value in `column` (False for a column the file
    lacks: loaders add the SOREntity columns a format does not have as empty)."""

    def make() -> bool:
        if column not in reg.entities.columns:
            return False
        return bool(reg.entities[column].notna().any())

    result: bool = reg.cache(f"columns.has:{column}", make)
    return result


def group_columns_with_part(column: str) -> tuple[str, ...]:
    """The columns an effective value of `column` can be read from: an address column
    of any of the three address groups with the same part, else the column itself."""
    group = GROUP_OF.get(column)
    if group not in ("postal_address", "visiting_address", "activity_address"):
        return (column,)
    part = schema.address_part(column)
    out = []
    for key in ("postal_address", "visiting_address", "activity_address"):
        for c in schema.FIELD_GROUPS[key].columns:
            if schema.address_part(c) == part:
                out.append(c)
    return tuple(out)


def known_columns(reg: Store) -> list[str]:
    """Every column name `table` and the find filters accept: the SOREntity columns (the
    file's, then the canonical ones it lacks), the derived ones, `Effective<Column>`."""
    cols = data_columns(reg)
    cols += [c for c in schema.SOR_ENTITY_COLUMNS_2025 if c not in cols]
    return [*cols, *DERIVED, *EFFECTIVE_COLUMNS]


def canonical_name(reg: Store, name: str) -> str | None:
    """`name` as `known_columns` spells it (matched case-insensitively), or None."""
    key = name.strip().lower()
    for c in known_columns(reg):
        if c.lower() == key:
            return c
    return None


# --- folded keys per distinct value ---------------------------------------------------


@dataclass
class Encoded:
    """One column of every unit at a date as codes over its distinct folded values.

    `codes[e]` indexes `keys` (-1 when the unit has no value); `keys` are the distinct
    values trimmed and folded as search folds them; `labels[k]` is the first spelling
    of key k found in the file (entity order).
    """

    codes: np.ndarray
    keys: pa.Array
    labels: pa.Array

    def mask(self, hit: np.ndarray) -> np.ndarray:
        """Per unit: whether its key is one of `hit` (a bool array over `keys`)."""
        hit = np.asarray(hit, dtype=bool)
        if not hit.any():
            return np.zeros(len(self.codes), dtype=bool)
        return np.append(hit, False)[self.codes]

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Units of `mask` per key."""
        c = self.codes[mask]
        return np.bincount(c[c >= 0], minlength=len(self.keys))


def fold_array(arr: pa.Array) -> pa.Array:
    """Search folding over a string array (`text` holds the rule)."""
    if not len(arr):
        return arr
    return _fold_array(arr).cast(pa.string())


def fold(text: str) -> str:
    """Search folding of one value, trimmed (`text.fold_text` holds the rule)."""
    return fold_text(text.strip())


def _bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def encode(values: pa.Array) -> Encoded:
    """`Encoded` of a string array (one value per unit)."""
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    enc = pc.dictionary_encode(text)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    dictionary = enc.dictionary.cast(pa.string())
    idx = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    folded = fold_array(dictionary)
    keys = pc.unique(folded)
    to_key = np.asarray(pc.index_in(folded, keys).to_numpy(zero_copy_only=False), dtype=np.int64)
    codes = np.where(idx >= 0, to_key[np.maximum(idx, 0)] if len(to_key) else -1, -1)
    _, first = np.unique(to_key, return_index=True)
    labels = dictionary.take(pa.array(first, type=pa.int64()))
    return Encoded(codes.astype(np.int32), keys, labels)


# --- the day's columns ----------------------------------------------------------------


def _take(arr: pa.Array, idx: np.ndarray) -> pa.Array:
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64), type=pa.int64()))


def _without_none(values: pa.Array, state: np.ndarray) -> pa.Array:
    """`values` emptied where the group has no value at the date (state NONE), as
    `provenance.effective` empties them: a row's copy without a source is no value."""
    none = state == NONE
    if not none.any():
        return values
    return pc.if_else(pa.array(~none), values, pa.scalar(None, values.type))


def _scatter(pieces: list[tuple[np.ndarray, pa.Array]], n: int) -> pa.Array:
    """One array of length n from (positions, values) pieces covering 0..n-1 once."""
    if len(pieces) == 1:
        return pieces[0][1]
    pos = np.concatenate([p for p, _ in pieces])
    inverse = np.empty(n, dtype=np.int64)
    inverse[pos] = np.arange(len(pos))
    return _take(pa.concat_arrays([v for _, v in pieces]), inverse)


@dataclass
class DayColumns:
    """Effective values of any column for any units at one day (cached with the day)."""

    reg: Store
    day: int
    bv: UnitArrays
    n: int
    # shared by the threads that ask about the day: guarded, see `memo.SharedDict`
    full_cache: SharedDict = field(default_factory=SharedDict)
    enc_cache: SharedDict = field(default_factory=SharedDict)
    memo: SharedDict = field(default_factory=SharedDict)

    # -- SOREntity columns -------------------------------------------------------------

    def own(self, column: str, ents: np.ndarray) -> pa.Array:
        """The column as the unit's own row has it (no inheritance)."""
        out = _take(rows_column(self.reg, column), self.bv.rows[ents])
        return plain_ids(out) if column in schema.ID_COLUMNS_ENTITY else out

    def _holder_rows(self, group: str) -> np.ndarray:
        key = f"holder_rows:{group}"
        if key not in self.memo:
            self.memo[key] = self.bv.holder_rows(group)
        result: np.ndarray = self.memo[key]
        return result

    def effective(self, column: str, ents: np.ndarray) -> pa.Array:
        """The column's effective value (inherited groups filled in), as `show`'s
        attributes have it."""
        ents = np.asarray(ents, dtype=np.int64)
        group = GROUP_OF.get(column)
        if group is None:
            return self.own(column, ents)
        if group == "shak":
            return _take(self._shak_codes(), ents)
        state = self.bv.state[group][ents]
        inh = np.nonzero(state == INHERITED)[0]
        if not len(inh):
            return _without_none(self.own(column, ents), state)
        h_rows = self._holder_rows(group)[ents[inh]]
        from_group = self.bv.from_group[group][ents[inh]]
        rows = self.bv.rows[ents].copy()
        which = np.zeros(len(ents), dtype=np.int64)  # 0: the column itself
        sources = [column]
        part = schema.address_part(column)
        for key in schema.FIELD_GROUPS:
            sel = from_group == key
            if not sel.any():
                continue
            src = next(
                (c for c in schema.FIELD_GROUPS[key].columns if schema.address_part(c) == part),
                None,
            )
            if src is None:  # the source group has no such part: the row's own value stays
                continue
            if src not in sources:
                sources.append(src)
            which[inh[sel]] = sources.index(src)
            rows[inh[sel]] = h_rows[sel]
        pieces = []
        for k, src in enumerate(sources):
            pos = np.nonzero(which == k)[0]
            if len(pos):
                pieces.append((pos, _take(rows_column(self.reg, src), rows[pos])))
        return _without_none(_scatter(pieces, len(ents)), state)

    def _shak_codes(self) -> pa.Array:
        if "shak" not in self.memo:
            self.memo["shak"] = pa.array(self.bv.shak_code, type=pa.string(), from_pandas=True)
        result: pa.Array = self.memo["shak"]
        return result

    # -- derived columns ----------------------------------------------------------------

    def status_codes(self) -> np.ndarray:
        """0 active, 1 closed, 2 future, per entity (`asof.statuses`)."""
        if "status" not in self.memo:
            st = statuses(self.reg, np.arange(self.n, dtype=np.int64), self.day)
            self.memo["status"] = np.where(
                st == "closed", 1, np.where(st == "future", 2, 0)
            ).astype(np.int8)
        result: np.ndarray = self.memo["status"]
        return result

    def _names_of(self, targets: np.ndarray) -> pa.Array:
        """EntityName at the day of entity indices (-1 gives null)."""
        ok = targets >= 0
        rows = self.bv.rows[np.maximum(targets, 0)] if len(targets) else targets
        names = _take(rows_column(self.reg, "EntityName"), rows)
        return pc.if_else(pa.array(ok), names, pa.scalar(None, pa.string()))

    def _named_unit(self, id_column: str, name_column: str, ents: np.ndarray) -> pa.Array:
        """The name at the day of the unit `id_column` names, else the file's own text."""
        ids = self.effective(id_column, ents)
        digits = _bool(pc.match_substring_regex(ids, r"^\d{1,18}$"))
        num = np.zeros(len(ents), dtype=np.int64)
        if digits.any():
            num[digits] = np.asarray(
                pc.cast(pc.filter(ids, pa.array(digits)), pa.int64()), dtype=np.int64
            )
        target = np.where(digits, self.reg.index_of(num), -1)
        return pc.coalesce(self._names_of(target), self.effective(name_column, ents))

    def source_text(self, group: str, ents: np.ndarray) -> pa.Array:
        """`own` / `inherited:<SorId>[:<group>]` / `none` per unit (module docstring)."""
        bv = self.bv
        st = bv.state[group][ents]
        holder = bv.holder[group][ents]
        out = np.full(len(ents), "none", dtype=object)
        out[st == OWN] = "own"
        inh = np.nonzero(st == INHERITED)[0]
        if len(inh):
            h = holder[inh]
            ids = self.reg.ids[np.maximum(h, 0)].astype(str).astype(object)
            if group == "shak":
                for k in np.nonzero(h < 0)[0].tolist():
                    ids[k] = bv.shak_holder_ids.get(int(ents[inh[k]]), "")
            fg = bv.from_group[group][ents[inh]]
            text = np.char.add("inherited:", ids.astype(str)).astype(object)
            other = fg != group
            if other.any():
                text[other] = [f"{t}:{g}" for t, g in zip(text[other], fg[other], strict=True)]
            text[ids == ""] = "inherited"
            out[inh] = text
        return pa.array(out, type=pa.string())

    def values(self, column: str, ents: np.ndarray, *, own: bool = False) -> pa.Array:
        """Display values of any known column for units `ents` (in that order).

        SOREntity columns give the effective value, or with `own` the unit's own row
        value for inheritable columns (the `strict` scheme)."""
        ents = np.asarray(ents, dtype=np.int64)
        if column == "Status":
            names = np.array(["active", "closed", "future"], dtype=object)
            return pa.array(names[self.status_codes()[ents]], type=pa.string())
        if column == "ParentName":
            return self._names_of(self.bv.named_parent[ents])  # as `show` names it
        if column == "HealthInstitutionName":
            return self._named_unit("HealthInstitutionSorId", "HealthInstitutionEntityName", ents)
        if column == "OwnerName":
            return self._named_unit("InstitutionOwnerSorId", "InstitutionOwnerEntityName", ents)
        if column == "EanState":
            st = self.bv.state["ean_location_code"][ents]
            names = np.array([_STATE_TEXT[i] for i in range(3)], dtype=object)
            return pa.array(names[st], type=pa.string())
        if column in _GROUP_OF_SOURCE:
            return self.source_text(_GROUP_OF_SOURCE[column], ents)
        if column.startswith(EFFECTIVE_PREFIX) and column[len(EFFECTIVE_PREFIX) :] in GROUP_OF:
            return self.effective(column[len(EFFECTIVE_PREFIX) :], ents)
        if own and column in GROUP_OF:
            return self.own(column, ents)
        return self.effective(column, ents)

    def full(self, column: str) -> pa.Array:
        """`values` of every entity (cached)."""
        arr = self.full_cache.get(column)
        if arr is None:
            arr = self.values(column, np.arange(self.n, dtype=np.int64))
            self.full_cache[column] = arr
        return arr

    def encoded(self, column: str) -> Encoded:
        """`Encoded` of the column over every entity (cached)."""
        enc = self.enc_cache.get(column)
        if enc is None:
            enc = encode(self.full(column))
            self.enc_cache[column] = enc
        return enc


def day_columns(reg: Store, day: dt.date | int) -> DayColumns:
    """The `DayColumns` of a day, cached with the day's snapshot."""
    from .dates import from_day

    n = day_number(day)
    date = day if isinstance(day, dt.date) else from_day(n)
    assert date is not None
    snap = snapshot(reg, date)
    result: DayColumns = snap.cached(
        "day_columns", lambda: DayColumns(reg, n, unit_arrays(reg, date), len(reg.ids))
    )
    return result


# --- export tables ----------------------------------------------------------------------


def expand_columns(columns: Sequence[str], naming: Naming = "cli") -> list[str]:
    """The columns an export writes for `columns` (README.md, "Find").

    `plain`: the columns as asked, nothing added (the `export` command's contract:
    effective values under the file's column names). `cli`: each column as asked, and
    after the last asked column of an inheritable group that group's `...Source` column.
    `strict`: an inheritable column C becomes C (the unit's own value) and `EffectiveC`,
    with the `...Source` column after the group's last. Repeated names are written once."""
    asked = list(dict.fromkeys(columns))
    if naming == "plain":
        return asked
    last_of_group: dict[str, int] = {}
    for i, c in enumerate(asked):
        g = GROUP_OF.get(c)
        if g is None and c.startswith(EFFECTIVE_PREFIX):
            g = GROUP_OF.get(c[len(EFFECTIVE_PREFIX) :])
        if g is not None:
            last_of_group[g] = i
    out: list[str] = []
    for i, c in enumerate(asked):
        out.append(c)
        if naming == "strict" and c in GROUP_OF:
            out.append(EFFECTIVE_PREFIX + c)
        for g, last in last_of_group.items():
            if last == i and SOURCE_COLUMN[g] not in asked:
                out.append(SOURCE_COLUMN[g])
    return list(dict.fromkeys(out))


def table(
    reg: Store,
    day: dt.date,
    ents: np.ndarray,
    columns: Sequence[str],
    naming: Naming = "cli",
) -> tuple[list[str], list[pa.Array]]:
    """Header and column arrays of an export of units `ents` (in that order)."""
    dc = day_columns(reg, day)
    header = expand_columns(columns, naming)
    ents = np.asarray(ents, dtype=np.int64)
    return header, [dc.values(c, ents, own=naming == "strict") for c in header]


def all_columns(reg: Store) -> list[str]:
    """What `export` writes: the SOREntity columns in the file's order, plus `Status`."""
    return [*data_columns(reg), "Status"]
