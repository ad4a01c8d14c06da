"""What changed between two downloads: units created, closed, moved, renamed and changed,
SHAK mappings and EAN/EDI type pairs added and removed (ARCHITECTURE.md, `diff`).

Each file is read at one day: its own snapshot date (`info`'s snapshot_date: the XML
SnapshotDate, or the newest UpdatedAt of a SOR2 file; today when a file has none) or
a day the caller gives for both (`--as-of`, which shows corrections made to the
past). The two views are compared unit by unit, aligned by SorId:

- **created**: active in NEW's view, not in OLD's; **closed**: the reverse. "Active"
  is what `tree` shows at the day (a version valid on the day, or a gap inside the
  unit's life, `asof.Snapshot`).
- For units active in both views: **moved** when the parent named by the unit's
  version row differs (the ParentSorId column of SOR2, the nesting of the XML; a
  parent that is not in the file still counts, so a unit whose parent is missing in
  one view is compared like any other); **renamed** when EntityName differs.
- **changed**: every other data column both files have, compared on *effective*
  values (`show`'s `attributes`: an inherited address, virtual address, EAN or SHAK
  code is the holder's value, a group with no value at the day is empty; read through
  `columns.day_columns`, the reader `find` uses, by `provenance`'s one rule), so a
  change at a holder shows at every unit that inherits from it, and a unit that starts
  or stops inheriting shows the values that really changed. FromDate, ToDate and
  UpdatedAt are left out (and the NSP bookkeeping columns ValidFrom, ValidTo,
  UniqueCurrentKey, which change with them); EntityName and ParentSorId have their own
  lists. Left out as well, as
  `changes` leaves them out: the owner's and the institution's names and types that
  every row carries (InstitutionOwnerEntityName, ...EntityTypeId, ...EntityTypeName and
  the same for HealthInstitution). Each repeats a value of another unit, where its
  change is listed, and the SOR2 copies do not even follow it (a unit gets no new
  version when its owner is renamed; the XML copies the names at the snapshot). The
  CVR and P-number columns, whose only home is on those rows, are compared.
- Across formats (an XML file with a SOR2 file, or XML 1.0.0 with 2.0.0), a value one
  file leaves empty while the other holds it is not counted: the XML leaves out what
  its schema cannot carry (a practice unit's type in 1.0.0, an institution's local
  code), so an empty XML value says nothing. Within one format an emptied value is a
  change like any other.
- "The columns both files have": a file has a column when at least one of its rows
  holds a value in it, or (visiting and activity addresses) when the column an
  effective value of it comes from does. Loaders add every column a file lacks as
  empty, and the XML cannot carry many SOR2 columns (supplier and type names, ID27
  levels, ...), so this is what tells a missing column from one that is merely
  unused. A column only one file has is listed in `Diff.only_old` / `Diff.only_new`,
  never compared.
- Values compare after their notation is normalised, never their meaning: blank
  edges; empty text = no value; truth values (TRUE, true, 1, ja ... -> true);
  FirstFromDate as a date; a decimal comma and trailing zeros in coordinates;
  EanLocationCodeState in lower case. The values shown are the files' own.
- **shak**: `{shak_id, sor_id}` mappings valid in one view and not the other, for
  the units active in that view (SHAKSORMap rows valid at the day; without that
  table, each unit's effective ShakId, own or inherited, as `provenance` derives
  it). **ean_edi**: `{ean, edi_id}` rows of LocationsCodeEDITypeMap valid in one view
  and not the other; empty when either file has no EDI table (the XML and daily files
  have none).

Against `changes` (one file, two dates): when OLD is an earlier download of the
register NEW holds, created, closed, moved and renamed are exactly `changes` between
the two days. `changed` differs on purpose: `changes` compares the version rows'
own text and leaves out groups inherited on both days, while `diff` compares
effective values (a sync target stores what a unit effectively has); both leave out
the copied owner and institution names and types. On a column that is in no
inherited group on either day (ShakId aside, which `diff` takes from the SHAK map)
the two agree exactly; on every column `diff` agrees with `show` (tests check both).

`--under X` keeps units that are X or below X in either view (at that view's day);
SHAK pairs of those units; EAN/EDI pairs of their effective location numbers.

Lists are sorted by name (Danish order, as `tree`), then SorId; SHAK pairs by code
then SorId, EAN/EDI pairs by EAN then EDI id.

Everything is array work over the two loaded registers: one id lookup aligns the
units (`arrays.index_of`), effective values are read column by column (pyarrow, for
the units in life at each day), and only the few values that differ as text are
normalised and compared again. The work comes in two steps for the window:
`compare(..., whole=False)` the created, closed, moved and renamed units (a tenth of the
time), `finish` the changed values and the SHAK and EAN/EDI pairs; `compare()` is both,
and nothing leaves the program from the first step alone (`Diff.require_complete`).
Writing the differences to a file is `export.write_diff` (the export module's writers).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .arrays import index_of
from .asof import Snapshot, snapshot
from .columns import DayColumns, UnitColumns, cells, day_columns, has_values
from .dates import MIN_DAY, parse_day_column
from .edi import edi_rows_at, has_edi_map
from .errors import LoadCancelled
from .messages import Message, clean_text, msg
from .provenance import EAN_INHERITED, EAN_OWN, data_columns
from .register import Store
from .shakmap import map_table
from .text import fold_array, fold_text, truth_masks

#: the unit lists, in document order
UNIT_KINDS = ("created", "closed", "moved", "renamed", "changed")
#: the kinds `compare(..., whole=False)` leaves to `finish`
LATER_KINDS = ("changed", "shak", "ean_edi")
#: every kind, in document (and table) order
KINDS = (*UNIT_KINDS, "shak", "ean_edi")
#: the table form's columns (`Diff.table`, `export.write_diff`)
TABLE_HEADER = ("kind", "sor_id", "name", "column", "old", "new", "ean")

#: the owner's and the institution's names and types, copied onto every row
COPIED_COLUMNS = frozenset(
    {
        "InstitutionOwnerEntityName",
        "InstitutionOwnerEntityTypeId",
        "InstitutionOwnerEntityTypeName",
        "HealthInstitutionEntityName",
        "HealthInstitutionEntityTypeId",
        "HealthInstitutionEntityTypeName",
    }
)
#: never compared: the version's own bookkeeping, the columns with their own list, and
#: the copies of another unit's name and type (see the module docstring)
NOT_COMPARED = frozenset(
    {*schema.NON_DATA_COLUMNS, "ValidFrom", "ValidTo", "UniqueCurrentKey"}
    | {"EntityName", "ParentSorId"}
    | COPIED_COLUMNS
)

_TEXT = pa.string()
#: threads for the column work (the machines this runs on have two cores or more)
_WORKERS = 2


# --- the two sides ---------------------------------------------------------------------


def own_day(reg: Store) -> dt.date | None:
    """The day a file is read at by default: its snapshot date (`info`), or None."""
    return reg.source.snapshot_date


@dataclass(frozen=True)
class Side:
    """One file of the comparison and the day it is read at."""

    register: Store
    day: dt.date

    @property
    def path(self) -> str:
        return self.register.source.path

    @property
    def format(self) -> str:
        return self.register.source.format

    @property
    def snapshot_date(self) -> dt.date | None:
        return self.register.source.snapshot_date

    def snapshot(self) -> Snapshot:
        """The register on the side's day."""
        return snapshot(self.register, self.day)

    def columns(self) -> DayColumns:
        """The reader of effective values at the side's day (`columns.day_columns`) for
        the units in life then: the only ones a comparison looks at."""
        return day_columns(self.register, self.day, in_life_only=True)

    def units(self, ents: np.ndarray) -> UnitColumns:
        """Effective values of units `ents` (in life at the side's day), column by column."""
        return self.columns().units(ents)

    def as_json(self) -> dict[str, Any]:
        snap = self.snapshot_date
        return {
            "format": self.format,
            "snapshot_date": snap.isoformat() if snap else None,
            "as_of": self.day.isoformat(),
        }


@dataclass(frozen=True)
class Change:
    """One changed value of one unit (effective values, as the files write them)."""

    column: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class _Pairs:
    """Key pairs (SHAK code and SorId, or EAN and EDI id) as text, sorted."""

    first: np.ndarray  # object arrays of str
    second: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    def take(self, keep: np.ndarray) -> _Pairs:
        return _Pairs(self.first[keep], self.second[keep])


_NO_PAIRS = _Pairs(np.zeros(0, dtype=object), np.zeros(0, dtype=object))


# --- the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class Diff:
    """The differences between two views; see the module docstring for each kind.

    Unit lists are arrays of entity indices (`created` into NEW's register, `closed`
    into OLD's) or of positions into the aligned pairs of units active in both views
    (`pair_old`, `pair_new`: entity indices; `moved`, `renamed`, `changed`), each in
    list order. Changed values are kept as cells: `cell_pos` (pair position),
    `cell_col` (index into `columns`) and the old and new effective values, ordered as
    the `changed` list, then by column. Python objects (names, JSON items, table rows)
    are made only when asked for. `filter` gives a narrower `Diff` of the same shape.
    """

    old: Side
    new: Side
    columns: tuple[str, ...]
    only_old: tuple[str, ...]
    only_new: tuple[str, ...]
    created: np.ndarray
    closed: np.ndarray
    pair_old: np.ndarray
    pair_new: np.ndarray
    moved: np.ndarray
    renamed: np.ndarray
    changed: np.ndarray
    cell_pos: np.ndarray
    cell_col: np.ndarray
    cell_old: pa.Array
    cell_new: pa.Array
    shak_added: _Pairs
    shak_removed: _Pairs
    ean_edi_added: _Pairs
    ean_edi_removed: _Pairs
    has_edi: bool
    warnings: tuple[Message, ...] = ()
    #: whether every kind is worked out: `compare(..., whole=False)` leaves `changed`
    #: (and its cells), the SHAK and the EAN/EDI pairs empty for `finish`
    complete: bool = True
    #: whether `filter` narrowed it (`finish` works out every unit: never on these)
    narrowed: bool = False
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # --- counts and ids -------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """How many of each kind (SHAK and EAN/EDI split into added and removed)."""
        return {
            "created": len(self.created),
            "closed": len(self.closed),
            "moved": len(self.moved),
            "renamed": len(self.renamed),
            "changed": len(self.changed),
            "shak_added": len(self.shak_added),
            "shak_removed": len(self.shak_removed),
            "ean_edi_added": len(self.ean_edi_added),
            "ean_edi_removed": len(self.ean_edi_removed),
        }

    @property
    def is_empty(self) -> bool:
        """True when the two views show no difference at all (never while the changed
        values are still to be worked out)."""
        return self.complete and not any(self.counts().values())

    def _ents(self, kind: str) -> tuple[Store, np.ndarray]:
        """The register and entity indices of a unit list (pairs: NEW's side)."""
        if kind == "created":
            return self.new.register, self.created
        if kind == "closed":
            return self.old.register, self.closed
        return self.new.register, self.pair_new[getattr(self, kind)]

    def ids(self, kind: str) -> np.ndarray:
        """SorIds (int64) of a unit list, in list order."""
        reg, ents = self._ents(kind)
        return reg.ids[ents]

    def sor_ids(self, kind: str) -> list[str]:
        """SorIds of a unit list as text, in list order."""
        return [str(i) for i in self.ids(kind).tolist()]

    def differing_ids(self) -> np.ndarray:
        """Every SorId (int64, sorted, unique) that is in a unit list or has a SHAK
        mapping added or removed: what a tree badge marks."""
        got = self._memo.get("differing")
        if got is None:
            parts = [self.ids(k) for k in UNIT_KINDS]
            for pairs in (self.shak_added, self.shak_removed):
                if len(pairs):
                    parts.append(np.asarray(pairs.second.astype(np.int64)))
            got = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
            self._memo["differing"] = got
        result: np.ndarray = got
        return result

    def differs(self, sor_ids: Iterable[int | str] | np.ndarray) -> np.ndarray:
        """Per SorId given: whether it differs (`differing_ids`); one binary search."""
        keys = np.asarray(
            [int(str(s)) for s in sor_ids] if not isinstance(sor_ids, np.ndarray) else sor_ids,
            dtype=np.int64,
        )
        return index_of(self.differing_ids(), keys) >= 0

    def kinds_of(self, sor_id: int | str) -> list[str]:
        """The kinds a unit appears in ("created", ..., "shak"), in document order."""
        key = int(str(sor_id))
        out = [k for k in UNIT_KINDS if (self.ids(k) == key).any()]
        s = str(key)
        if (self.shak_added.second == s).any() or (self.shak_removed.second == s).any():
            out.append("shak")
        return out

    # --- names and values -----------------------------------------------------------

    def names(self, kind: str) -> list[str | None]:
        """Names of a unit list in list order (NEW's names; OLD's for closed)."""
        if kind == "closed":
            return _names(self.old, self.closed)
        if kind == "created":
            return _names(self.new, self.created)
        return _names(self.new, self.pair_new[getattr(self, kind)])

    def _cells_of(self, positions: np.ndarray) -> np.ndarray:
        """Indices of the cells of the given pair positions, in cell order."""
        return np.nonzero(np.isin(self.cell_pos, positions))[0]

    def changes_of(self, sor_id: int | str) -> list[Change]:
        """Everything that changed for one unit active in both views, old -> new:
        EntityName when renamed, ParentSorId when moved, then the changed columns in
        the file's order. Empty for a created or closed unit, or one unchanged."""
        key = int(str(sor_id))
        pair_ids = self.new.register.ids[self.pair_new]
        p = int(np.searchsorted(pair_ids, key))
        if p >= len(pair_ids) or pair_ids[p] != key:
            return []
        out: list[Change] = []
        if (self.renamed == p).any():
            old_name, new_name = _pair_values(self, "EntityName", np.array([p]))
            out.append(Change("EntityName", old_name[0], new_name[0]))
        if (self.moved == p).any():
            old_par, new_par = _pair_values(self, "ParentSorId", np.array([p]))
            out.append(Change("ParentSorId", old_par[0], new_par[0]))
        cells = np.nonzero(self.cell_pos == p)[0]
        olds = self.cell_old.take(pa.array(cells)).to_pylist()
        news = self.cell_new.take(pa.array(cells)).to_pylist()
        for k, o, n in zip(self.cell_col[cells].tolist(), olds, news, strict=True):
            out.append(Change(self.columns[k], o, n))
        return out

    def changed_columns(self) -> list[list[str]]:
        """The `columns` of each unit of the `changed` list, in list order."""
        if not len(self.changed):
            return []
        # cells are in list order: one run of cells per changed unit
        starts = np.r_[0, np.nonzero(np.diff(self.cell_pos))[0] + 1, len(self.cell_pos)]
        cols = [self.columns[k] for k in self.cell_col.tolist()]
        return [cols[a:b] for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)]

    # --- documents --------------------------------------------------------------------

    def items(self, kind: str) -> Any:
        """The CLI document's part for one kind (`as_json()[kind]`)."""
        if kind == "shak":
            return {
                "added": _pair_items(self.shak_added, "shak_id", "sor_id"),
                "removed": _pair_items(self.shak_removed, "shak_id", "sor_id"),
            }
        if kind == "ean_edi":
            return {
                "added": _pair_items(self.ean_edi_added, "ean", "edi_id"),
                "removed": _pair_items(self.ean_edi_removed, "ean", "edi_id"),
            }
        base: list[dict[str, Any]] = [
            {"sor_id": s, "name": n}
            for s, n in zip(self.sor_ids(kind), self.names(kind), strict=True)
        ]
        if kind == "moved":
            old_par, new_par = _pair_values(self, "ParentSorId", self.moved)
            for item, o, n in zip(base, old_par, new_par, strict=True):
                item["from_parent"] = o
                item["to_parent"] = n
        elif kind == "renamed":
            old_name, _new = _pair_values(self, "EntityName", self.renamed)
            for item, o in zip(base, old_name, strict=True):
                item["old_name"] = o
        elif kind == "changed":
            for item, cols in zip(base, self.changed_columns(), strict=True):
                item["columns"] = cols
        return base

    def as_json(self) -> dict[str, Any]:
        """The `diff` CLI document (plus `warnings`: English sentences, maybe empty)."""
        self.require_complete()
        doc: dict[str, Any] = {"old": self.old.as_json(), "new": self.new.as_json()}
        for kind in KINDS:
            doc[kind] = self.items(kind)
        doc["warnings"] = [w.render("en") for w in self.warnings]
        return doc

    def table(self, kinds: Sequence[str] = KINDS) -> list[np.ndarray]:
        """The differences as a table, column by column (`TABLE_HEADER`; object arrays
        of str or None): one row per created or closed unit, per move (ParentSorId),
        rename (EntityName) and changed column of a unit, per SHAK mapping (ShakId:
        old = removed code, new = added code) and per EAN/EDI pair (EdiId, with the
        EAN in the last column). Rows in document order."""
        parts = [self._table_part(k) for k in kinds]
        if not parts:
            return [np.zeros(0, dtype=object) for _ in TABLE_HEADER]
        return [np.concatenate([p[i] for p in parts]) for i in range(len(TABLE_HEADER))]

    def _table_part(self, kind: str) -> list[np.ndarray]:
        def const(value: object, n: int) -> np.ndarray:
            return np.full(n, value, dtype=object)

        def objects(values: Sequence[object]) -> np.ndarray:
            out = np.empty(len(values), dtype=object)
            out[:] = list(values)
            return out

        if kind in ("created", "closed"):
            n = len(getattr(self, kind))
            return [
                const(kind, n),
                objects(self.sor_ids(kind)),
                objects(self.names(kind)),
                const(None, n),
                const(None, n),
                const(None, n),
                const(None, n),
            ]
        if kind in ("moved", "renamed"):
            pos = getattr(self, kind)
            column = "ParentSorId" if kind == "moved" else "EntityName"
            old, new = _pair_values(self, column, pos)
            n = len(pos)
            return [
                const(kind, n),
                objects(self.sor_ids(kind)),
                objects(self.names(kind)),
                const(column, n),
                objects(old),
                objects(new),
                const(None, n),
            ]
        if kind == "changed":
            n = len(self.cell_pos)
            ents = self.pair_new[self.cell_pos]
            reg = self.new.register
            return [
                const(kind, n),
                objects([str(i) for i in reg.ids[ents].tolist()]),
                objects(_names(self.new, ents)),
                objects([self.columns[k] for k in self.cell_col.tolist()]),
                objects(self.cell_old.to_pylist()),
                objects(self.cell_new.to_pylist()),
                const(None, n),
            ]
        if kind == "shak":
            codes = np.concatenate([self.shak_removed.first, self.shak_added.first])
            sors = np.concatenate([self.shak_removed.second, self.shak_added.second])
            added = np.r_[
                np.zeros(len(self.shak_removed), bool), np.ones(len(self.shak_added), bool)
            ]
            order = _pair_order(codes, sors)
            codes, sors, added = codes[order], sors[order], added[order]
            n = len(codes)
            return [
                const(kind, n),
                objects(sors.tolist()),
                objects(_names_of_ids(self, sors)),
                const("ShakId", n),
                _either(added, None, codes),
                _either(added, codes, None),
                const(None, n),
            ]
        eans = np.concatenate([self.ean_edi_removed.first, self.ean_edi_added.first])
        edis = np.concatenate([self.ean_edi_removed.second, self.ean_edi_added.second])
        added = np.r_[
            np.zeros(len(self.ean_edi_removed), bool), np.ones(len(self.ean_edi_added), bool)
        ]
        order = _pair_order(eans, edis)
        eans, edis, added = eans[order], edis[order], added[order]
        n = len(eans)
        return [
            const(kind, n),
            const(None, n),
            const(None, n),
            const("EdiId", n),
            _either(added, None, edis),
            _either(added, edis, None),
            objects(eans.tolist()),
        ]

    # --- narrowing ----------------------------------------------------------------------

    def filter(
        self,
        kinds: Iterable[str] | None = None,
        under: int | str | None = None,
        text: str | None = None,
    ) -> Diff:
        """A narrower `Diff`: only the given kinds (others emptied), only units that
        are `under` or below it in either view (an id in neither file leaves nothing),
        only rows where `text` occurs (case- and accent-insensitive, as `search`
        folds) in a name (old or new), a SorId, a parent id, a column name, an old or
        new value, a SHAK code, an EAN or an EDI id."""
        out = self
        if kinds is not None:
            out = out._only_kinds(set(kinds))
        if under is not None:
            out = out._under(under)
        if text is not None and text.strip():
            out = out._matching(text)
        return out if out is self else replace(out, narrowed=True)

    def require_complete(self) -> None:
        """Raise ValueError unless every kind is worked out: what leaves the program (the
        document, a file) never holds a comparison's first step as if it were whole."""
        if not self.complete:
            raise ValueError("The comparison is not finished: call diff.finish first.")

    def _only_kinds(self, keep: set[str]) -> Diff:
        unknown = keep - set(KINDS)
        if unknown:
            raise ValueError(f"Unknown kinds: {', '.join(sorted(unknown))}")
        empty = np.zeros(0, dtype=np.int64)
        changes: dict[str, Any] = {}
        for kind in UNIT_KINDS:
            if kind not in keep:
                changes[kind] = empty
        if "changed" not in keep:
            changes.update(_cells(self, np.zeros(0, dtype=np.int64)))
        if "shak" not in keep:
            changes.update(shak_added=_NO_PAIRS, shak_removed=_NO_PAIRS)
        if "ean_edi" not in keep:
            changes.update(ean_edi_added=_NO_PAIRS, ean_edi_removed=_NO_PAIRS)
        return replace(self, **changes, _memo={})

    def _under(self, sor_id: int | str) -> Diff:
        in_old = subtree_mask(self.old.register, self.old.snapshot(), sor_id)
        in_new = subtree_mask(self.new.register, self.new.snapshot(), sor_id)
        pair_in = in_old[self.pair_old] | in_new[self.pair_new]
        changed = self.changed[pair_in[self.changed]]
        kept_ids = {
            str(i)
            for i in np.r_[self.old.register.ids[in_old], self.new.register.ids[in_new]].tolist()
        }
        eans: set[str] = set()
        for side, mask in ((self.old, in_old), (self.new, in_new)):
            ents = np.nonzero(mask)[0]
            if len(ents) and self.has_edi:
                col = side.units(ents).effective("EanLocationCode")
                eans.update(v.strip() for v in col.to_pylist() if v)

        def pairs_in(pairs: _Pairs, which: int, keys: set[str]) -> _Pairs:
            values = pairs.first if which == 0 else pairs.second
            return pairs.take(np.asarray([v in keys for v in values.tolist()], dtype=bool))

        return replace(
            self,
            created=self.created[in_new[self.created]],
            closed=self.closed[in_old[self.closed]],
            moved=self.moved[pair_in[self.moved]],
            renamed=self.renamed[pair_in[self.renamed]],
            changed=changed,
            **_cells(self, changed),
            shak_added=pairs_in(self.shak_added, 1, kept_ids),
            shak_removed=pairs_in(self.shak_removed, 1, kept_ids),
            ean_edi_added=pairs_in(self.ean_edi_added, 0, eans),
            ean_edi_removed=pairs_in(self.ean_edi_removed, 0, eans),
            _memo={},
        )

    def _matching(self, text: str) -> Diff:
        query = fold_text(text.strip())

        def hits(values: Sequence[object] | pa.Array) -> np.ndarray:
            arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
            if not len(arr):
                return np.zeros(0, dtype=bool)
            folded = fold_array(arr.cast(pa.string()))
            return _mask(pc.match_substring(folded, query))

        def unit_hits(kind: str) -> np.ndarray:
            found = hits(self.names(kind)) | hits(self.sor_ids(kind))
            if kind in ("moved", "renamed", "changed"):
                old_name, _new = _pair_values(self, "EntityName", getattr(self, kind))
                found |= hits(old_name)
            if kind == "moved":
                old_par, new_par = _pair_values(self, "ParentSorId", self.moved)
                found |= hits(old_par) | hits(new_par)
            return found

        kept: dict[str, Any] = {}
        for kind in ("created", "closed", "moved", "renamed"):
            kept[kind] = getattr(self, kind)[unit_hits(kind)]
        # changed: a cell is kept when its unit matches or the cell itself does
        unit_match = unit_hits("changed")
        matched_pos = self.changed[unit_match]
        cols = np.asarray(self.columns, dtype=object)[self.cell_col]
        cell_hit = np.isin(self.cell_pos, matched_pos)
        cell_hit |= hits(cols.tolist()) | hits(self.cell_old) | hits(self.cell_new)
        cells = np.nonzero(cell_hit)[0]
        kept["changed"] = self.changed[np.isin(self.changed, self.cell_pos[cells])]
        kept.update(
            cell_pos=self.cell_pos[cells],
            cell_col=self.cell_col[cells],
            cell_old=self.cell_old.take(pa.array(cells, type=pa.int64())),
            cell_new=self.cell_new.take(pa.array(cells, type=pa.int64())),
        )

        def pairs_hit(pairs: _Pairs, names: bool) -> _Pairs:
            if not len(pairs):
                return pairs
            found = hits(pairs.first.tolist()) | hits(pairs.second.tolist())
            if names:
                found |= hits(_names_of_ids(self, pairs.second))
            return pairs.take(found)

        kept.update(
            shak_added=pairs_hit(self.shak_added, True),
            shak_removed=pairs_hit(self.shak_removed, True),
            ean_edi_added=pairs_hit(self.ean_edi_added, False),
            ean_edi_removed=pairs_hit(self.ean_edi_removed, False),
        )
        return replace(self, **kept, _memo={})


# --- helpers over both sides ------------------------------------------------------------


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean array (nulls false) as a numpy bool array."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _names(side: Side, ents: np.ndarray) -> list[str | None]:
    """EntityName of units in the side's view (their rows at its day)."""
    if not len(ents):
        return []
    rows = side.snapshot().row_of[ents]
    out: list[str | None] = cells(side.register, "EntityName", rows).to_pylist()
    return out


def _pair_values(
    d: Diff, column: str, positions: np.ndarray
) -> tuple[list[str | None], list[str | None]]:
    """Old and new row values of one column for pairs (names and parents: the rows' own
    text, not inherited)."""
    out = []
    for side, ents in ((d.old, d.pair_old[positions]), (d.new, d.pair_new[positions])):
        reg = side.register
        rows = side.snapshot().row_of[ents]
        if column == "ParentSorId":
            par = reg.parent_id[rows]
            out.append([str(p) if p else None for p in par.tolist()])
        else:
            out.append(cells(reg, column, rows).to_pylist())
    return out[0], out[1]


def _names_of_ids(d: Diff, sor_ids: np.ndarray) -> list[str | None]:
    """Names of units given by SorId text: NEW's view where active there, else OLD's."""
    keys = np.asarray([int(s) for s in sor_ids.tolist()], dtype=np.int64)
    out: list[str | None] = [None] * len(keys)
    for side in (d.old, d.new):  # NEW last: its names win
        reg = side.register
        e = index_of(reg.ids, keys)
        ok = e >= 0
        ok[ok] = side.snapshot().active_mask[e[ok]]
        idx = np.nonzero(ok)[0]
        for i, name in zip(idx.tolist(), _names(side, e[idx]), strict=True):
            out[i] = name
    return out


def _either(cond: np.ndarray, yes: np.ndarray | None, no: np.ndarray | None) -> np.ndarray:
    """Per row `yes` where `cond`, else `no` (arrays of the same length, or None)."""
    out = np.full(len(cond), None, dtype=object)
    if yes is not None:
        out[cond] = yes[cond]
    if no is not None:
        out[~cond] = no[~cond]
    return out


def _pair_items(pairs: _Pairs, a: str, b: str) -> list[dict[str, str]]:
    return [{a: x, b: y} for x, y in zip(pairs.first.tolist(), pairs.second.tolist(), strict=True)]


def _pair_order(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Sort order by `first`, then `second` (digit strings by number)."""
    keys = [
        (str(a), (0, int(b), "") if str(b).isdigit() else (1, 0, str(b)))
        for a, b in zip(first.tolist(), second.tolist(), strict=True)
    ]
    return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def _cells(d: Diff, changed: np.ndarray) -> dict[str, Any]:
    """The cell fields of `d` kept for the pair positions `changed`."""
    cells = d._cells_of(changed)
    idx = pa.array(cells, type=pa.int64())
    return {
        "cell_pos": d.cell_pos[cells],
        "cell_col": d.cell_col[cells],
        "cell_old": d.cell_old.take(idx),
        "cell_new": d.cell_new.take(idx),
    }


def subtree_mask(reg: Store, snap: Snapshot, sor_id: int | str) -> np.ndarray:
    """Per entity: whether it is `sor_id` or below it at the snapshot's day (only units
    active then). Breadth first over the children index: depth is data."""
    mask = np.zeros(len(reg.ids), dtype=bool)
    e = reg.entity_index(sor_id)
    if e < 0 or not snap.active_mask[e]:
        return mask
    mask[snap.subtree(e)] = True
    return mask & snap.active_mask


# --- columns and effective values ---------------------------------------------------------


def filled_columns(reg: Store) -> list[str]:
    """The data columns a file has, in the file's order: those with a value in at least
    one row, and the address columns whose effective value can come from such a column
    (a visiting address nobody has of their own is still everyone's postal address).
    See the module docstring."""

    def make() -> list[str]:
        cols = data_columns(reg)
        filled = {c for c in cols if has_values(reg, c)}
        # activity <- visiting <- postal: in that order, so a chain of two is followed
        for key in ("visiting_address", "activity_address"):
            src = schema.FIELD_GROUPS[schema.FIELD_GROUPS[key].inherits_from]
            by_part = {schema.address_part(c): c for c in src.columns}
            for c in schema.FIELD_GROUPS[key].columns:
                if by_part.get(schema.address_part(c)) in filled:
                    filled.add(c)
        return [c for c in cols if c in filled]

    result: list[str] = reg.cache("diff.filled_columns", make)
    return result


def compared_columns(old: Store, new: Store) -> tuple[list[str], list[str], list[str]]:
    """(columns compared in NEW's order, columns only OLD has, columns only NEW has)."""
    have_old = [c for c in filled_columns(old) if c not in NOT_COMPARED]
    have_new = [c for c in filled_columns(new) if c not in NOT_COMPARED]
    in_old, in_new = set(have_old), set(have_new)
    return (
        [c for c in have_new if c in in_old],
        [c for c in have_old if c not in in_new],
        [c for c in have_new if c not in in_old],
    )


def _blank_to_null(arr: pa.Array) -> pa.Array:
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def normalised(column: str, arr: pa.Array) -> pa.Array:
    """Values of `column` in one notation (module docstring), for comparing only."""
    arr = _blank_to_null(arr)
    if column.endswith("Indicator"):  # the spellings of yes and no: `text.truth_masks`
        true, false = truth_masks(arr)
        arr = pc.if_else(
            pa.array(true),
            pa.scalar("true", arr.type),
            pc.if_else(pa.array(false), pa.scalar("false", arr.type), arr),
        )
    elif column == "EanLocationCodeState":  # the state's spellings: `provenance`
        arr = pc.utf8_lower(arr)
        for words, word in ((EAN_OWN, "own"), (EAN_INHERITED, "inherited")):
            hit = pc.is_in(arr, value_set=pa.array(words, type=arr.type))
            arr = pc.if_else(hit, pa.scalar(word, arr.type), arr)
    elif column in schema.DATE_COLUMNS:
        days, bad = parse_day_column(pd.Series(arr.to_pylist(), dtype="string[pyarrow]"), MIN_DAY)
        text = [None if d == MIN_DAY else str(int(d)) for d in days.tolist()]
        keep = np.asarray(bad, dtype=bool)  # an unreadable date compares as written
        arr = pc.if_else(pa.array(keep), arr, pa.array(text, type=arr.type))
    elif "Coord" in column:
        arr = pc.replace_substring(arr, ",", ".")
        arr = pc.replace_substring_regex(arr, r"(\.\d*?)0+$", r"\1")
        arr = pc.replace_substring_regex(arr, r"\.$", "")
    return arr


def differing(column: str, old: pa.Array, new: pa.Array, one_sided: bool = True) -> np.ndarray:
    """Per unit: whether the values differ once their notation is normalised. The
    plain text comparison decides most; only values that differ as text are
    normalised and compared again. Without `one_sided`, a value empty on either side
    is no difference (comparing across formats)."""
    same = pc.or_(
        pc.fill_null(pc.equal(old, new), False), pc.and_(pc.is_null(old), pc.is_null(new))
    )
    diff = ~_mask(same)
    idx = np.nonzero(diff)[0]
    if len(idx):
        take = pa.array(idx, type=pa.int64())
        a = normalised(column, old.take(take))
        b = normalised(column, new.take(take))
        if one_sided:
            still = pc.or_(
                pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b))
            )
        else:
            still = pc.or_(
                pc.fill_null(pc.equal(a, b), False), pc.or_(pc.is_null(a), pc.is_null(b))
            )
        diff[idx] = ~_mask(still)
    return diff


def format_family(reg: Store) -> str:
    """Files of one family carry the same columns: SOR2 (complete or daily), or the XML
    of one version."""
    src = reg.source
    return "sor2" if src.format.startswith("sor2") else f"{src.format} {src.format_version}"


# --- SHAK and EAN/EDI pairs ------------------------------------------------------------


def _dedupe(first: np.ndarray, second: np.ndarray) -> _Pairs:
    if not len(first):
        return _NO_PAIRS
    frame = pd.DataFrame({"a": first, "b": second}).drop_duplicates()
    return _Pairs(frame["a"].to_numpy(dtype=object), frame["b"].to_numpy(dtype=object))


def shak_pairs(reg: Store, day: dt.date) -> _Pairs:
    """(SHAK code, SorId) mappings valid at the day for the units active then: the
    SHAKSORMap rows valid at the day, or without that table every unit's effective
    ShakId (`columns`: its own code, or the one it inherits)."""
    snap = snapshot(reg, day)
    table = map_table(reg)
    if table is not None:
        hit = table.valid_rows(snap.day)
        sor = table.sor[hit]
        e = index_of(reg.ids, sor)
        ok = e >= 0
        ok[ok] = snap.active_mask[e[ok]]
        codes = table.shak[hit][ok]  # trimmed text
        sors = sor[ok]
    else:
        shak = day_columns(reg, day, in_life_only=True).shak_codes()
        has = np.asarray(shak.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        ents = np.nonzero(snap.active_mask & has)[0]
        picked = pc.utf8_trim_whitespace(shak.take(pa.array(ents, type=pa.int64())))
        codes = np.asarray(picked.to_numpy(zero_copy_only=False), dtype=object)
        sors = reg.ids[ents]
    return _dedupe(codes, sors.astype(str).astype(object))


def edi_pairs(reg: Store, day: dt.date) -> _Pairs | None:
    """(EAN, EdiId) rows of the EDI map valid at the day; None without an EDI table."""
    rows = edi_rows_at(reg, day)
    if rows is None:
        return None
    sub = rows[["EanLocationCode", "EdiId"]].dropna()
    return _dedupe(
        sub["EanLocationCode"].to_numpy(dtype=object), sub["EdiId"].to_numpy(dtype=object)
    )


def _set_difference(a: _Pairs, b: _Pairs) -> _Pairs:
    """Pairs of `a` that are not in `b`, sorted."""
    if not len(a):
        return _NO_PAIRS
    keys_a = pc.binary_join_element_wise(
        pa.array(a.first.tolist(), pa.string()), pa.array(a.second.tolist(), pa.string()), "\x1f"
    )
    keys_b = pc.binary_join_element_wise(
        pa.array(b.first.tolist(), pa.string()), pa.array(b.second.tolist(), pa.string()), "\x1f"
    )
    keep = ~_mask(pc.is_in(keys_a, value_set=keys_b))
    out = a.take(keep)
    return out.take(_pair_order(out.first, out.second))


# --- the comparison ------------------------------------------------------------------------


def _check_registers(old: Store, new: Store, warnings: list[Message]) -> None:
    """Warn when the two files do not look like downloads of one register: no SorId in
    common, or most shared SorIds with another first valid day (SOR never reuses an
    id, and a unit's first day does not change)."""
    if not len(old.ids) or not len(new.ids):
        return
    at_new = index_of(new.ids, old.ids)
    shared = np.nonzero(at_new >= 0)[0]
    if not len(shared):
        warnings.append(msg("diff.no_common_ids"))
        return
    if len(shared) >= 20:
        other = old.first_day[shared] != new.first_day[at_new[shared]]
        share = round(100 * float(other.mean()))
        if share > 50:
            warnings.append(msg("diff.different_registers", share=share, n=len(shared)))


def _side(reg: Store, day: dt.date | None, which: str, warnings: list[Message]) -> Side:
    if day is None:
        day = own_day(reg)
        if day is None:
            day = dt.date.today()
            warnings.append(msg(f"diff.no_snapshot_date_{which}", day=day))
    return Side(reg, day)


def compare(
    old: Store,
    new: Store,
    old_day: dt.date | None = None,
    new_day: dt.date | None = None,
    under: int | str | None = None,
    whole: bool = True,
) -> Diff:
    """Compare OLD as of `old_day` with NEW as of `new_day` (each file's own snapshot
    date when not given; pass one day for both to see corrections to the past).
    `under` narrows the result as `Diff.filter(under=...)` does. Without `whole`, only
    the units created, closed, moved and renamed are worked out (`Diff.complete` is
    False) and `finish` does the rest: the window shows those first, as they cost a
    tenth of the time."""
    if under is not None and not whole:
        raise ValueError("compare: `under` needs the whole comparison (filter after finish).")
    warnings: list[Message] = []
    so_side = _side(old, old_day, "old", warnings)
    sn_side = _side(new, new_day, "new", warnings)
    if so_side.day > sn_side.day:
        warnings.append(msg("diff.dates_backwards", old=so_side.day, new=sn_side.day))
    _check_registers(old, new, warnings)
    so = so_side.snapshot()
    sn = sn_side.snapshot()

    # align the units active in each view by SorId (one lookup each way)
    o_act = np.nonzero(so.active_mask)[0]
    n_act = np.nonzero(sn.active_mask)[0]
    at_new = index_of(new.ids, old.ids[o_act])
    both = at_new >= 0
    both[both] = sn.active_mask[at_new[both]]
    pair_old = o_act[both]
    pair_new = at_new[both]
    closed = o_act[~both]
    at_old = index_of(old.ids, new.ids[n_act])
    n_both = at_old >= 0
    n_both[n_both] = so.active_mask[at_old[n_both]]
    created = n_act[~n_both]
    row_o = so.row_of[pair_old]
    row_n = sn.row_of[pair_new]

    created = created[_by_name(new, created, sn.row_of[created])]
    closed = closed[_by_name(old, closed, so.row_of[closed])]
    pair_order = _by_name(new, pair_new, row_n)  # list order of the pairs

    def in_order(hit: np.ndarray) -> np.ndarray:
        return pair_order[hit[pair_order]]

    moved = in_order(old.parent_id[row_o] != new.parent_id[row_n])
    old_names = cells(old, "EntityName", row_o)
    new_names = cells(new, "EntityName", row_n)
    renamed = in_order(differing("EntityName", old_names, new_names))

    columns, only_old, only_new = compared_columns(old, new)
    same_family = format_family(old) == format_family(new)
    if not same_family:
        warnings.append(msg("diff.across_formats", old=format_family(old), new=format_family(new)))

    result = Diff(
        old=so_side,
        new=sn_side,
        columns=tuple(columns),
        only_old=tuple(only_old),
        only_new=tuple(only_new),
        created=created,
        closed=closed,
        pair_old=pair_old,
        pair_new=pair_new,
        moved=moved,
        renamed=renamed,
        **_cells_none(),
        shak_added=_NO_PAIRS,
        shak_removed=_NO_PAIRS,
        ean_edi_added=_NO_PAIRS,
        ean_edi_removed=_NO_PAIRS,
        has_edi=has_edi_map(old) and has_edi_map(new),
        warnings=tuple(warnings),
        complete=False,
    )
    if whole:
        result = finish(result)
    return result if under is None else result.filter(under=under)


def _by_name(reg: Store, ents: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The list order of units `ents` (their version rows `rows`): Danish name order,
    then SorId (the module docstring)."""
    return np.lexsort((reg.ids[ents], reg.name_rank[rows]))


def _cells_none() -> dict[str, Any]:
    """The `changed` list and its cells, empty."""
    return {
        "changed": np.zeros(0, dtype=np.int64),
        "cell_pos": np.zeros(0, dtype=np.int64),
        "cell_col": np.zeros(0, dtype=np.int32),
        "cell_old": pa.array([], type=_TEXT),
        "cell_new": pa.array([], type=_TEXT),
    }


def finish(diff: Diff, cancelled: Callable[[], bool] | None = None) -> Diff:
    """`diff` with every kind worked out: the second step of `compare(..., whole=False)`
    (the changed values, the SHAK and the EAN/EDI pairs; the window shows the unit
    lists meanwhile). Only for `compare`'s own result, before any `filter`; a complete
    Diff comes back as it is. `cancelled()` true stops it (`errors.LoadCancelled`)
    between columns."""
    if diff.complete:
        return diff
    if diff.narrowed:
        raise ValueError("finish works out every unit: call it before filter, not after.")
    old, new = diff.old.register, diff.new.register
    shak_o = shak_pairs(old, diff.old.day)
    shak_n = shak_pairs(new, diff.new.day)
    edi_o = edi_pairs(old, diff.old.day)
    edi_n = edi_pairs(new, diff.new.day)
    if edi_o is not None and edi_n is not None:
        edi_added, edi_removed = _set_difference(edi_n, edi_o), _set_difference(edi_o, edi_n)
    else:
        edi_added = edi_removed = _NO_PAIRS
    pairs: dict[str, Any] = {
        "shak_added": _set_difference(shak_n, shak_o),
        "shak_removed": _set_difference(shak_o, shak_n),
        "ean_edi_added": edi_added,
        "ean_edi_removed": edi_removed,
    }
    pair_old, pair_new = diff.pair_old, diff.pair_new
    columns = diff.columns
    same_family = format_family(old) == format_family(new)
    row_n = diff.new.snapshot().row_of[pair_new]
    pair_order = _by_name(new, pair_new, row_n)  # the list order, as `compare` made it

    def column_hits(k: int) -> tuple[int, np.ndarray, pa.Array, pa.Array]:
        if cancelled is not None and cancelled():
            raise LoadCancelled()
        col = columns[k]
        a = eff_old.effective(col)
        b = eff_new.effective(col)
        idx = np.nonzero(differing(col, a, b, one_sided=same_family))[0]
        take = pa.array(idx, type=pa.int64())
        return k, idx, a.take(take), b.take(take)

    # Who holds what on each side (the day's provenance, each group's fill) is numpy and
    # pandas work that mostly holds the GIL: one side after the other (this also fills
    # each register's caches from one thread). The columns are pyarrow kernels, which
    # release it: two threads.
    eff_old = diff.old.units(pair_old)
    eff_new = diff.new.units(pair_new)
    eff_old.prepare()
    if cancelled is not None and cancelled():
        raise LoadCancelled()
    eff_new.prepare()
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        found = list(pool.map(column_hits, range(len(columns))))
    hit_pos = [idx for _k, idx, _a, _b in found if len(idx)]
    if not hit_pos:
        return replace(diff, **_cells_none(), **pairs, complete=True, _memo={})
    cell_pos = np.concatenate(hit_pos)
    cell_col = np.concatenate(
        [np.full(len(idx), k, dtype=np.int32) for k, idx, _a, _b in found if len(idx)]
    )
    rank = np.empty(len(pair_order), dtype=np.int64)
    rank[pair_order] = np.arange(len(pair_order))
    order = np.lexsort((cell_col, rank[cell_pos]))
    take = pa.array(order, type=pa.int64())
    cell_old = pa.concat_arrays([a.cast(_TEXT) for _k, idx, a, _b in found if len(idx)])
    cell_new = pa.concat_arrays([b.cast(_TEXT) for _k, idx, _a, b in found if len(idx)])
    cell_pos, cell_col = cell_pos[order], cell_col[order]
    changed_mask = np.zeros(len(pair_old), dtype=bool)
    changed_mask[cell_pos] = True
    return replace(
        diff,
        changed=pair_order[changed_mask[pair_order]],
        cell_pos=cell_pos,
        cell_col=cell_col,
        cell_old=cell_old.take(take),
        cell_new=cell_new.take(take),
        **pairs,
        complete=True,
        _memo={},
    )


def known_in_either(old: Store, new: Store, sor_id: int | str) -> bool:
    """Whether `sor_id` occurs anywhere in either file (`--under` exits 4 when not)."""
    return old.entity_index(sor_id) >= 0 or new.entity_index(sor_id) >= 0


# --- plain text ------------------------------------------------------------------------------


def as_text(diff: Diff, limit: int = 50) -> str:
    """The CLI's plain-text rendering (English): the two files, then each kind with at
    most `limit` entries (all with --json), or that there are no differences."""
    lines = []
    for label, side in (("OLD", diff.old), ("NEW", diff.new)):
        snap = side.snapshot_date.isoformat() if side.snapshot_date else "-"
        lines.append(
            f"{label}: {clean_text(side.path)} ({side.format}, snapshot {snap}), "
            f"read as of {side.day.isoformat()}"
        )
    if diff.is_empty:
        lines.append(str(msg("diff.no_differences")))
        return "\n".join(lines)

    def name(n: str | None) -> str:
        return clean_text(n) if n is not None else "-"

    for kind in UNIT_KINDS:
        items = diff.items(kind)
        lines.append(f"{kind}: {len(items)}")
        for item in items[:limit]:
            line = f"  {item['sor_id']}  {name(item['name'])}"
            if kind == "moved":
                line += f"  {item['from_parent'] or '-'} -> {item['to_parent'] or '-'}"
            elif kind == "renamed":
                line += f"  (was {name(item['old_name'])})"
            lines.append(line)
            if kind == "changed":  # a long column list wraps, never inside a name
                lines += textwrap.wrap(
                    ", ".join(item["columns"]),
                    width=100,
                    initial_indent="      ",
                    subsequent_indent="      ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
        if len(items) > limit:
            lines.append(f"  ... {len(items) - limit} more (use --json or -o)")
    for kind, (added, removed), a, b in (
        ("shak", (diff.shak_added, diff.shak_removed), "shak_id", "sor_id"),
        ("ean_edi", (diff.ean_edi_added, diff.ean_edi_removed), "ean", "edi_id"),
    ):
        lines.append(f"{kind}: {len(added)} added, {len(removed)} removed")
        shown = 0
        for sign, pairs in (("+", added), ("-", removed)):
            for x, y in zip(pairs.first.tolist(), pairs.second.tolist(), strict=True):
                if shown < limit:
                    lines.append(f"  {sign} {a} {clean_text(x)}  {b} {clean_text(y)}")
                shown += 1
        if shown > limit:
            lines.append(f"  ... {shown - limit} more (use --json or -o)")
    return "\n".join(lines)


__all__ = [
    "KINDS",
    "LATER_KINDS",
    "TABLE_HEADER",
    "UNIT_KINDS",
    "Change",
    "Diff",
    "Side",
    "as_text",
    "compare",
    "compared_columns",
    "differing",
    "filled_columns",
    "finish",
    "own_day",
    "subtree_mask",
]
