"""Effective values column by column, for many units at a date, without a loop per unit.

`provenance.effective` builds Python objects for every column of the units asked (and
the file's contradictions); a filter, a table that shows ten columns of 100,000 units
or a comparison of two registers cannot pay for that. This module reads one column at
a time, for any units, from the day's provenance arrays (`provenance.unit_arrays`),
by the same rule (`provenance.group_fill`, `provenance.source_column`): each unit's
value is read from the row and column that hold it (its own row, or the holder's row
in the group it inherits from), a group with no value at the date is empty; as
pyarrow string arrays. `find`, the export tables and `diff` read effective values
here. What a column looks like for filtering (folded keys per distinct value) is
cached per date.

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
from .encoding import plain

# The day's provenance of every unit and its state codes: the one place this module and
# `find` take them from.
from .memo import Memo, SharedDict
from .provenance import (
    INHERITED,
    NONE,
    OWN,
    ROW_GROUP_OF,
    Fill,
    UnitArrays,
    data_columns,
    group_fill,
    unit_arrays,
)
from .register import RowsReader
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


#: up to this many rows are read from a whole copy of the column kept with the register
#: (`rows_column`: a take over the store's record batches costs ~0.2 ms however few the
#: rows, one from a single array ~10 us); more are read batch by batch, copying nothing
FEW_ROWS = 4096


def rows_column(reg: Store, column: str) -> pa.Array:
    """One SOREntity column over every version row as one pyarrow array of string, or
    of a dictionary of string for a column the store keeps as one (`encoding`: take the
    rows, then `plain` them); nulls for a column the file does not have. Built once per
    register."""

    def make() -> pa.Array:
        if column not in reg.column_names():
            return pa.nulls(len(reg.entities), pa.string())
        arr = reg.encoded_column(column).combine_chunks()
        if pa.types.is_dictionary(arr.type):  # only the values: the indices stay shared
            return arr.cast(pa.dictionary(arr.type.index_type, pa.string()))
        return arr.cast(pa.string())

    result: pa.Array = reg.cache(f"columns.rows:{column}", make)
    return result


def cells(reg: Store, column: str, rows: np.ndarray) -> pa.Array:
    """One SOREntity column's cells of version rows `rows` as a pyarrow string array
    (nulls for a column the file lacks): a few rows from `rows_column`, many through the
    store's record batches (`Store.take`, in the order of the rows: ascending rows cost
    no sorting) without copying the column."""
    rows = np.asarray(rows, dtype=np.int64)
    if column not in reg.column_names():
        return pa.nulls(len(rows), pa.string())
    if len(rows) <= FEW_ROWS:
        return plain(_take(rows_column(reg, column), rows))
    arr = reg.take(column, rows)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def has_values(reg: Store, column: str) -> bool:
    """Whether any version row has a value in `column` (False for a column the file
    lacks: loaders add the SOREntity columns a format does not have as empty)."""

    def make() -> bool:
        if column not in reg.column_names():
            return False
        return reg.encoded_column(column).null_count < len(reg.entities)  # no pass over data

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


class UnitColumns:
    """Effective values of any column for units `ents` (in that order) at one day.

    Each inheritable group's `provenance.Fill` (which units read a holder's row, which
    have no value) is worked out once, on first use, and serves every column of the
    group: a column of a group is one read of the units' rows with the holders' rows of
    the same group put in (and nulls where the group has none), plus one read per other
    group some units take it from (a visiting address that is the postal address). Safe
    to share between threads (what is worked out once is memoised)."""

    def __init__(self, dc: DayColumns, ents: np.ndarray) -> None:
        self.dc = dc
        self.ents = np.asarray(ents, dtype=np.int64)
        self.rows = dc.bv.rows[self.ents]
        self._memo = Memo()

    def __len__(self) -> int:
        return len(self.ents)

    def fill(self, group: str) -> Fill:
        """The group's `Fill` over these units."""
        bv, ents = self.dc.bv, self.ents

        def make() -> Fill:
            return group_fill(
                group, bv.state[group][ents], bv.holder_row[group][ents], bv.from_group[group][ents]
            )

        result: Fill = self._memo.get(("fill", group), make)
        return result

    def prepare(self) -> None:
        """Work out every group's fill now (e.g. before reading columns on several threads)."""
        for group in dict.fromkeys(ROW_GROUP_OF.values()):
            self._base_rows(group)

    def _read(
        self, key: tuple[str, ...], rows: np.ndarray, nulls: np.ndarray | None, column: str
    ) -> pa.Array:
        """`column`'s cells of `rows` (null where `nulls`), as a string array: a few rows
        from `rows_column`, many through a reader of the store kept under `key` (the same
        rows are read for many columns)."""
        reg = self.dc.reg
        if column not in reg.column_names():
            return pa.nulls(len(rows), pa.string())
        if len(rows) <= FEW_ROWS:
            return plain(rows_column(reg, column).take(pa.array(rows, type=pa.int64(), mask=nulls)))
        reader: RowsReader = self._memo.get(("reader", *key), lambda: reg.reader(rows, nulls))
        return reader.take(column).cast(pa.string())

    def _base_rows(self, group: str) -> tuple[np.ndarray, np.ndarray | None]:
        """The row each unit reads a column of `group` from when the group it inherits
        from is the group itself (its holder's row, else its own), and where the group has
        no value (None when nowhere)."""

        def make() -> tuple[np.ndarray, np.ndarray | None]:
            fill = self.fill(group)
            rows = self.rows.copy()
            for holder_group, pos, h_rows in fill.parts:
                if holder_group == group:
                    rows[pos] = h_rows
            nulls = None
            if len(fill.none):
                nulls = np.zeros(len(rows), dtype=bool)
                nulls[fill.none] = True
            return rows, nulls

        result: tuple[np.ndarray, np.ndarray | None] = self._memo.get(("base", group), make)
        return result

    # -- SOREntity columns -------------------------------------------------------------

    def own(self, column: str) -> pa.Array:
        """The column as the unit's own row has it (no inheritance)."""
        out = self._read(("own",), self.rows, None, column)
        return plain_ids(out) if column in schema.ID_COLUMNS_ENTITY else out

    def effective(self, column: str) -> pa.Array:
        """The column's effective value (inherited groups filled in, a group with no
        value emptied), as `show`'s attributes have it (`provenance`'s rule: the fill's
        sources, `provenance.Fill.sources`)."""
        group = GROUP_OF.get(column)
        if group is None:
            return self.own(column)
        if group == "shak":
            return _take(self.dc.shak_codes(), self.ents)
        rows, nulls = self._base_rows(group)
        values = self._read(("base", group), rows, nulls, column)
        others = [s for s in self.fill(group).sources(column) if s[0] != group]
        if not others:
            return values
        # units that take the value from another group of their holder (the postal
        # address for a visiting address): that group's column with the same part
        taken = [
            self._read(("part", group, g), h_rows, None, src) for g, src, _pos, h_rows in others
        ]
        mask, order = self._layout(group, tuple(g for g, _src, _pos, _rows in others))
        return pc.replace_with_mask(values, mask, pa.concat_arrays(taken).take(order))

    def _layout(self, group: str, holders: tuple[str, ...]) -> tuple[pa.Array, pa.Array]:
        """For a column of `group` that some units read from the other groups `holders`:
        the mask of those units' positions, and the order that puts the values read
        (each holder group's in turn) in position order. The same for every column of
        the group read from the same groups, so worked out once."""

        def make() -> tuple[pa.Array, pa.Array]:
            fill = self.fill(group)
            pos = np.concatenate([p for g, p, _rows in fill.parts if g in holders])
            mask = np.zeros(len(self.ents), dtype=bool)
            mask[pos] = True
            order = np.argsort(pos, kind="stable")
            return pa.array(mask), pa.array(order, type=pa.int64())

        result: tuple[pa.Array, pa.Array] = self._memo.get(("layout", group, holders), make)
        return result

    # -- derived columns ----------------------------------------------------------------

    def _named_unit(self, id_column: str, name_column: str) -> pa.Array:
        """The name at the day of the unit `id_column` names, else the file's own text."""
        ids = self.effective(id_column)
        digits = _bool(pc.match_substring_regex(ids, r"^\d{1,18}$"))
        num = np.zeros(len(self.ents), dtype=np.int64)
        if digits.any():
            num[digits] = np.asarray(
                pc.cast(pc.filter(ids, pa.array(digits)), pa.int64()), dtype=np.int64
            )
        target = np.where(digits, self.dc.reg.index_of(num), -1)
        return pc.coalesce(self.dc.names_of(target), self.effective(name_column))

    def source_text(self, group: str) -> pa.Array:
        """`own` / `inherited:<SorId>[:<group>]` / `none` per unit (module docstring)."""
        bv, ents = self.dc.bv, self.ents
        st = bv.state[group][ents]
        holder = bv.holder[group][ents]
        out = np.full(len(ents), "none", dtype=object)
        out[st == OWN] = "own"
        inh = np.nonzero(st == INHERITED)[0]
        if len(inh):
            h = holder[inh]
            ids = self.dc.reg.ids[np.maximum(h, 0)].astype(str).astype(object)
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

    def values(self, column: str, *, own: bool = False) -> pa.Array:
        """Display values of any known column.

        SOREntity columns give the effective value, or with `own` the unit's own row
        value for inheritable columns (the `strict` scheme)."""
        dc, ents = self.dc, self.ents
        if column == "Status":
            names = np.array(["active", "closed", "future"], dtype=object)
            return pa.array(names[dc.status_codes()[ents]], type=pa.string())
        if column == "ParentName":
            return dc.names_of(dc.bv.named_parent[ents])  # as `show` names it
        if column == "HealthInstitutionName":
            return self._named_unit("HealthInstitutionSorId", "HealthInstitutionEntityName")
        if column == "OwnerName":
            return self._named_unit("InstitutionOwnerSorId", "InstitutionOwnerEntityName")
        if column == "EanState":
            st = dc.bv.state["ean_location_code"][ents]
            names = np.array([_STATE_TEXT[i] for i in range(3)], dtype=object)
            return pa.array(names[st], type=pa.string())
        if column in _GROUP_OF_SOURCE:
            return self.source_text(_GROUP_OF_SOURCE[column])
        if column.startswith(EFFECTIVE_PREFIX) and column[len(EFFECTIVE_PREFIX) :] in GROUP_OF:
            return self.effective(column[len(EFFECTIVE_PREFIX) :])
        if own and column in GROUP_OF:
            return self.own(column)
        return self.effective(column)


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

    def units(self, ents: np.ndarray) -> UnitColumns:
        """A reader of any column for units `ents`, in that order (several columns of the
        same units: make one and ask it for each). ValueError for a unit the day's
        provenance does not cover (`day_columns(..., in_life_only=True)`)."""
        ents = np.asarray(ents, dtype=np.int64)
        covered = self.bv.covered
        if covered is not None and not covered[ents].all():
            raise ValueError("unit not covered by these columns (not in life at the day)")
        return UnitColumns(self, ents)

    def every_unit(self) -> UnitColumns:
        """`units` of every entity index (cached)."""
        if "every" not in self.memo:
            self.memo["every"] = self.units(np.arange(self.n, dtype=np.int64))
        result: UnitColumns = self.memo["every"]
        return result

    def values(self, column: str, ents: np.ndarray, *, own: bool = False) -> pa.Array:
        """Display values of any known column for units `ents` (`UnitColumns.values`)."""
        return self.units(ents).values(column, own=own)

    def effective(self, column: str, ents: np.ndarray) -> pa.Array:
        """The column's effective value for units `ents` (`UnitColumns.effective`)."""
        return self.units(ents).effective(column)

    def source_text(self, group: str, ents: np.ndarray) -> pa.Array:
        """Where each unit's value of `group` comes from (`UnitColumns.source_text`)."""
        return self.units(ents).source_text(group)

    def shak_codes(self) -> pa.Array:
        """The effective ShakId of every entity (its SHAK code at the day, or null)."""
        if "shak" not in self.memo:
            self.memo["shak"] = pa.array(self.bv.shak_code, type=pa.string(), from_pandas=True)
        result: pa.Array = self.memo["shak"]
        return result

    def status_codes(self) -> np.ndarray:
        """0 active, 1 closed, 2 future, per entity (`asof.statuses`)."""
        if "status" not in self.memo:
            st = statuses(self.reg, np.arange(self.n, dtype=np.int64), self.day)
            self.memo["status"] = np.where(
                st == "closed", 1, np.where(st == "future", 2, 0)
            ).astype(np.int8)
        result: np.ndarray = self.memo["status"]
        return result

    def names_of(self, targets: np.ndarray) -> pa.Array:
        """EntityName at the day of entity indices (-1 gives null)."""
        ok = targets >= 0
        rows = self.bv.rows[np.maximum(targets, 0)] if len(targets) else targets
        names = cells(self.reg, "EntityName", rows)
        return pc.if_else(pa.array(ok), names, pa.scalar(None, pa.string()))

    def full(self, column: str) -> pa.Array:
        """`values` of every entity (cached)."""
        arr = self.full_cache.get(column)
        if arr is None:
            arr = self.every_unit().values(column)
            self.full_cache[column] = arr
        return arr

    def encoded(self, column: str) -> Encoded:
        """`Encoded` of the column over every entity (cached)."""
        enc = self.enc_cache.get(column)
        if enc is None:
            enc = encode(self.full(column))
            self.enc_cache[column] = enc
        return enc


def day_columns(reg: Store, day: dt.date | int, *, in_life_only: bool = False) -> DayColumns:
    """The `DayColumns` of a day, cached with the day's snapshot. With `in_life_only` it
    covers the units in life at the day only (`provenance.unit_arrays`: about half the
    provenance work; the whole day's serves when it is already there), for a reader that
    asks about nothing else."""
    from .dates import from_day

    n = day_number(day)
    date = day if isinstance(day, dt.date) else from_day(n)
    assert date is not None
    snap = snapshot(reg, date)
    if in_life_only:
        done = snap.peek("day_columns")
        if isinstance(done, DayColumns):
            return done
        part: DayColumns = snap.cached(
            "day_columns-in-life",
            lambda: DayColumns(reg, n, unit_arrays(reg, date, in_life_only=True), len(reg.ids)),
        )
        return part
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
    units = day_columns(reg, day).units(ents)
    header = expand_columns(columns, naming)
    return header, [units.values(c, own=naming == "strict") for c in header]


def all_columns(reg: Store) -> list[str]:
    """What `export` writes: the SOREntity columns in the file's order, plus `Status`."""
    return [*data_columns(reg), "Status"]
