"""The register as it stood on one day: versions, status, parents, children, roots.

This is the as-of layer. It holds the rules every date query shares, once each:

- which version row stands for a unit on a day (`version_rows`): the version valid
  on the day (FromDate <= D <= ToDate, `dates.valid_on`), the later one where two
  overlap; in a gap between versions the nearest earlier one; before the first
  version the first one;
- a unit's status on a day (`statuses`): future before its first valid day, closed
  after its last, else active ("in life");
- the day a unit is looked at when it is not in life (`reference_days`): a closed
  unit as it stood on its last day, a future one as it will stand on its first;
- a unit's parent on a day: the unit its version row names, when that unit is in
  life on the day (`parents_at`).

A `Snapshot` applies them to every unit at once with array work over the loaded
columns (no file access, no per-row Python loop): each unit's version row and
parent, and the children of every node as one CSR index sorted by Danish name
order. Units whose parent does not exist at the day (or that sit in a parent
cycle) are gathered as "orphans" instead of vanishing: the window shows them under
a "Missing parent" group, the `tree` document lists them after the roots, flagged
`missing_parent`. Snapshots of recent days are cached per register (`snapshot`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import numpy as np

from . import schema
from .arrays import INACTIVE, ORPHAN, ROOT, cycle_members, path_up
from .dates import MAX_DAY, MIN_DAY, day_number, iso, valid_on
from .memo import Memo
from .messages import msg
from .records import HistoryEntry, TreeNode
from .register import Store

T = TypeVar("T")

Status = Literal["active", "closed", "future"]

#: the name of the group the window shows orphans under (and its English text)
MISSING_PARENT = msg("query.missing_parent")
MISSING_PARENT_LABEL = MISSING_PARENT.render("en")

#: how many days' snapshots a register keeps (the window, its panels and a date scrub)
SNAPSHOTS_KEPT = 16


# --- the rules ------------------------------------------------------------------------


def in_life(reg: Store, ents: np.ndarray, days: np.ndarray | int) -> np.ndarray:
    """Whether each unit exists on its day: first valid day <= day <= last valid day."""
    return (reg.first_day[ents] <= days) & (reg.last_day[ents] >= days)


def statuses(reg: Store, ents: np.ndarray, day: int) -> np.ndarray:
    """`active` / `closed` / `future` per unit on `day` (object array of str)."""
    first = reg.first_day[ents]
    last = reg.last_day[ents]
    closed = (last != MAX_DAY) & (day > last)
    return np.where(day < first, "future", np.where(closed, "closed", "active")).astype(object)


def entity_status(reg: Store, e: int, day: int) -> Status:
    """`statuses` of one unit."""
    status: Status = statuses(reg, np.array([e]), day)[0]
    return status


def reference_days(reg: Store, ents: np.ndarray, day: int) -> np.ndarray:
    """The day each unit is looked at when asked about on `day`: `day` itself while the
    unit is in life, else its last valid day (closed) or its first (future)."""
    lo = reg.first_day[ents].astype(np.int64)
    hi = reg.last_day[ents].astype(np.int64)
    return np.minimum(np.maximum(np.int64(day), lo), hi).astype(np.int32)


def _row_keys(reg: Store) -> np.ndarray:
    """Per version row: (entity index, FromDate) packed in one sortable int64."""

    def make() -> np.ndarray:
        return (reg.row_entity.astype(np.int64) << 32) | (reg.from_day.astype(np.int64) - MIN_DAY)

    keys: np.ndarray = reg.cache("row_keys", make)
    return keys


def _ends_so_far(reg: Store) -> np.ndarray:
    """Per version row: the latest ToDate among its unit's rows up to and including it."""

    def make() -> np.ndarray:
        # within a unit the packed key only grows with ToDate; across units with the unit
        packed = (reg.row_entity.astype(np.int64) << 33) | (reg.to_day.astype(np.int64) - MIN_DAY)
        running = np.maximum.accumulate(packed) if len(packed) else packed
        return ((running & ((1 << 33) - 1)) + MIN_DAY).astype(np.int64)

    ends: np.ndarray = reg.cache("ends_so_far", make)
    return ends


def version_rows(
    reg: Store, ents: np.ndarray, days: np.ndarray | int
) -> tuple[np.ndarray, np.ndarray]:
    """The version row standing for each unit on its day, and whether that row is valid
    on the day (False in a gap, before the first version, or outside the unit's life).

    The rule: the valid version that started last (overlapping versions: the later one
    wins); with none valid, the last one started; with none started, the first.
    """
    ents = np.asarray(ents, dtype=np.int64)
    if not (np.isscalar(days) and len(ents) * 8 >= len(reg.ids) and len(reg.sor_id)):
        return _version_rows_each(reg, ents, np.asarray(days, dtype=np.int64))
    # many units on one day (a snapshot): one pass over the rows valid on the day, the
    # last of each unit winning (rows are sorted by FromDate within a unit); the units
    # without one go the other way
    day = int(days)  # type: ignore[arg-type]
    valid = np.nonzero(valid_on(reg.from_day, reg.to_day, day))[0]
    owner = reg.row_entity[valid]
    last = np.ones(len(valid), dtype=bool)
    last[:-1] = owner[1:] != owner[:-1]
    row_of = np.full(len(reg.ids), -1, dtype=np.int64)
    row_of[owner[last]] = valid[last]
    rows = row_of[ents]
    exact = rows >= 0
    rest = np.nonzero(~exact)[0]
    if len(rest):
        rows[rest] = _version_rows_each(reg, ents[rest], np.int64(day))[0]
    return rows, exact


def _version_rows_each(
    reg: Store, ents: np.ndarray, days: np.ndarray | np.int64
) -> tuple[np.ndarray, np.ndarray]:
    """`version_rows` unit by unit, with binary searches (any days)."""
    days_arr = np.broadcast_to(np.asarray(days, dtype=np.int64), ents.shape)
    start = reg.id_start[ents]
    qk = (ents << 32) | (days_arr - MIN_DAY)
    if len(qk) > 64:  # sorted needles search much faster (the keys' pages stay warm)
        order = np.argsort(qk)
        last = np.empty(len(qk), dtype=np.int64)
        last[order] = np.searchsorted(_row_keys(reg), qk[order], side="right") - 1
    else:
        last = np.searchsorted(_row_keys(reg), qk, side="right") - 1
    any_started = last >= start
    safe = np.where(any_started, last, start)
    exact = any_started & valid_on(reg.from_day[safe], reg.to_day[safe], days_arr)
    rows = safe
    # The last started version ended, but an earlier one may still be valid (versions
    # that overlap): look through those units' started rows for the latest valid one,
    # where the latest end among them says one may be.
    maybe = any_started & ~exact & (last > start)
    maybe[maybe] = _ends_so_far(reg)[last[maybe]] >= days_arr[maybe]
    odd = np.nonzero(maybe)[0]
    if len(odd):
        rows = rows.copy()
        lengths = last[odd] - start[odd] + 1
        owner = np.repeat(odd, lengths)
        offsets = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        cand = start[owner] + offsets
        ok = valid_on(reg.from_day[cand], reg.to_day[cand], days_arr[owner])
        best = np.full(len(ents), -1, dtype=np.int64)
        np.maximum.at(best, owner[ok], cand[ok])
        found = best >= 0
        rows[found] = best[found]
        exact = exact | found
    return rows, exact


def version_row(reg: Store, e: int, day: int) -> int:
    """`version_rows` of one unit on its reference day (the row `show` displays)."""
    ref = reference_days(reg, np.array([e]), day)
    return int(version_rows(reg, np.array([e]), ref)[0][0])


#: parent_entity_per_row values besides an entity index
NO_PARENT = -1
UNKNOWN_PARENT = -2


def parent_entity_per_row(reg: Store) -> np.ndarray:
    """Each version row's parent as an entity index: NO_PARENT when the row names none,
    UNKNOWN_PARENT when the id it names is not in the file. Looked up once per register,
    so a date move does not search 100,000 parent ids again."""

    def make() -> np.ndarray:
        out = reg.index_of(reg.parent_id)
        return np.where(reg.parent_id == 0, NO_PARENT, np.where(out < 0, UNKNOWN_PARENT, out))

    result: np.ndarray = reg.cache("parent_entity_per_row", make)
    return result


def parents_at(
    reg: Store, rows: np.ndarray, days: np.ndarray | int, present: np.ndarray | None = None
) -> np.ndarray:
    """The parent each version row gives its unit on its day: the entity index the row
    names when that unit is in life on the day (or, given `present`, a mask over all
    entities, when the mask says it is there); else ROOT when the row names no parent,
    ORPHAN when it names one that is not in the file or not there on the day."""
    named = parent_entity_per_row(reg)[rows]
    out = np.where(named == NO_PARENT, ROOT, ORPHAN).astype(np.int64)
    has = named >= 0
    ok = has.copy()
    if present is not None:
        ok[has] = present[named[has]]
    else:
        d = np.broadcast_to(np.asarray(days), named.shape)
        ok[has] = in_life(reg, named[has], d[has])
    out[ok] = named[ok]
    return out


# --- one day ------------------------------------------------------------------------


def snapshots(reg: Store) -> Memo:
    """The register's cache of recent days' snapshots (at most SNAPSHOTS_KEPT)."""
    memo: Memo = reg.cache("snapshots", lambda: Memo(maxsize=SNAPSHOTS_KEPT))
    return memo


def snapshot(reg: Store, day: dt.date | int) -> Snapshot:
    """The register as it stood on `day`, cached with the register's recent days."""
    n = day_number(day)
    snap: Snapshot = snapshots(reg).get(n, lambda: Snapshot(reg, n))
    return snap


class Snapshot:
    """Everything date-dependent about the tree, for one day.

    With `include_all`, closed and future units take part too, through the version
    they stand on at their reference day (the last one for closed units, the first
    for future ones), under the parent that version names.

    Read-only once built; derived per-day structures go through `cached`.
    """

    def __init__(self, reg: Store, day: int, include_all: bool = False) -> None:
        self.reg = reg
        self.day = day
        self.include_all = include_all
        self._memo = Memo()
        self._answers = Memo(maxsize=4)
        n_ent = len(reg.ids)
        every = np.arange(n_ent, dtype=np.int64)

        living = in_life(reg, every, day)
        alive = np.nonzero(living)[0]
        rows, exact = version_rows(reg, alive, day)
        #: in life but without a version valid on the day: the nearest one is shown
        self.gap = np.zeros(n_ent, dtype=bool)
        self.gap[alive[~exact]] = True
        self.active_mask = living
        row_of = np.full(n_ent, -1, dtype=np.int64)
        row_of[alive] = rows
        if include_all and not living.all():
            away = np.nonzero(~living)[0]
            row_of[away] = version_rows(reg, away, reference_days(reg, away, day))[0]
        self.row_of = row_of
        present = row_of >= 0
        self.present = present

        parent_of = np.full(n_ent, INACTIVE, dtype=np.int64)
        ents = np.nonzero(present)[0]
        parent_of[ents] = parents_at(reg, row_of[ents], day, present)
        # units on a cycle of parents have no place in a tree: they become orphans
        on_cycle = cycle_members(np.where(parent_of >= 0, parent_of, -1))
        parent_of[on_cycle] = ORPHAN
        self.parent_of = parent_of
        self._parents = np.where(parent_of >= 0, parent_of, -1)

        # children CSR, sorted by (parent, name, id)
        rank = np.zeros(n_ent, dtype=np.int64)
        rank[present] = reg.name_rank[row_of[present]]
        kids = np.nonzero(parent_of >= 0)[0]
        self._kids = _sorted_by(parent_of[kids], rank[kids], kids, n_ent, len(reg.name_rank))
        self._kid_parent = parent_of[self._kids]
        self.rank = rank
        roots = np.nonzero(parent_of == ROOT)[0]
        self._roots = _sorted_by(None, rank[roots], roots, n_ent, len(reg.name_rank))
        orphans = np.nonzero(parent_of == ORPHAN)[0]
        self._orphans = orphans[np.lexsort((orphans, rank[orphans]))]

    # --- per-day structures -------------------------------------------------------------

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """A structure derived from this day (search index, provenance), computed once."""
        return self._memo.get(key, make)

    def peek(self, key: str) -> Any | None:
        """A structure `cached` has computed already, else None (computes nothing)."""
        return self._memo.peek(key)

    def answer(self, key: Any, make: Callable[[], T]) -> T:
        """A query's answer, kept for the last few distinct questions (search as you type
        asks the same one from the tree filter and the result list)."""
        return self._answers.get(key, make)

    # --- navigation -------------------------------------------------------------------

    def roots(self) -> np.ndarray:
        """Entity indices of the roots at the day, by name."""
        return self._roots

    def orphans(self) -> np.ndarray:
        """Units whose parent does not exist at the day (or that sit in a cycle), by name."""
        return self._orphans

    def children(self, e: int) -> np.ndarray:
        """Entity indices of the children of entity `e` at the day, by name."""
        lo = int(np.searchsorted(self._kid_parent, e, side="left"))
        hi = int(np.searchsorted(self._kid_parent, e, side="right"))
        return self._kids[lo:hi]

    def all_children(self) -> np.ndarray:
        """Every unit that has a parent at the day, grouped by parent (ascending entity
        index), each group by name: the children CSR without its offsets."""
        return self._kids

    def children_of_many(self, nodes: np.ndarray) -> np.ndarray:
        """Children of all `nodes` at once (grouped by parent, each group by name)."""
        if len(nodes) == 0 or len(self._kids) == 0:
            return np.zeros(0, dtype=np.int64)
        return self._kids[np.isin(self._kid_parent, nodes)]

    def child_count(self, e: int) -> int:
        lo = np.searchsorted(self._kid_parent, e, side="left")
        hi = np.searchsorted(self._kid_parent, e, side="right")
        return int(hi - lo)

    def child_counts(self) -> np.ndarray:
        """Number of children per entity index at the day."""
        return np.bincount(self._kid_parent, minlength=len(self.reg.ids))

    def child_starts(self) -> tuple[np.ndarray, np.ndarray]:
        """(offset into `all_children()` of each entity's children, their count)."""
        counts = self.child_counts()
        starts = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        return starts, counts

    def parents(self) -> np.ndarray:
        """Each unit's parent at the day as an entity index, -1 for none (roots, orphans,
        units not there): the parent array the walks up in `arrays` take."""
        return self._parents

    def parent(self, e: int) -> int:
        """Parent entity index at the day, or ROOT / ORPHAN / INACTIVE."""
        return int(self.parent_of[e])

    def path(self, e: int) -> list[int]:
        """Entity indices from the root down to `e` (inclusive)."""
        return path_up(self.parent_of, e)[::-1]

    def subtree(self, e: int) -> np.ndarray:
        """Entity indices of `e` and everything below it at the day (breadth first)."""
        out = [np.array([e], dtype=np.int64)]
        frontier = out[0]
        starts, counts = self.child_starts()
        # _kids is grouped by parent in ascending parent order: slice per parent
        while len(frontier):
            frontier = frontier[counts[frontier] > 0]
            if not len(frontier):
                break
            frontier = np.concatenate(
                [self._kids[starts[p] : starts[p] + counts[p]] for p in frontier.tolist()]
            )
            out.append(frontier)
        return np.concatenate(out)

    def depth_first(self, e: int) -> np.ndarray:
        """Entity indices of `e` and everything below it in tree order (depth first,
        children by name)."""
        starts, counts = self.child_starts()
        out: list[int] = []
        stack = [e]
        while stack:
            node = stack.pop()
            out.append(node)
            c = int(counts[node])
            if c:
                stack.extend(self._kids[starts[node] : starts[node] + c][::-1].tolist())
        return np.asarray(out, dtype=np.int64)

    def active_entities(self) -> np.ndarray:
        """Entity indices active (existing) at the day."""
        return np.nonzero(self.active_mask)[0]

    def status(self, e: int) -> Status:
        """`active`, `closed` or `future` at the day."""
        return entity_status(self.reg, e, self.day)

    def row(self, e: int) -> int:
        """The version row of `e` at the day, or the one it stands on at its reference day
        when it is not in life."""
        r = int(self.row_of[e])
        return r if r >= 0 else version_row(self.reg, e, self.day)


def _sorted_by(
    group: np.ndarray | None, rank: np.ndarray, ents: np.ndarray, n_ent: int, n_rank: int
) -> np.ndarray:
    """`ents` sorted by (group, name rank, entity index); entity index order is SorId
    order. Where the three fit in 63 bits (registers of up to about a million units)
    they are packed into one int64 key, sorted, and the entity index read back from the
    low bits: one sort instead of a three-key lexsort."""
    e_bits = max(n_ent, 1).bit_length()
    r_bits = max(n_rank, 1).bit_length()
    g_bits = e_bits if group is not None else 0
    if e_bits + r_bits + g_bits > 63:
        keys = (ents, rank) if group is None else (ents, rank, group)
        return ents[np.lexsort(keys)]
    key = (rank.astype(np.int64) << e_bits) | ents
    if group is not None:
        key |= group.astype(np.int64) << (e_bits + r_bits)
    key.sort()
    key &= (1 << e_bits) - 1
    return key


# --- documents ----------------------------------------------------------------------


def history(reg: Store, sor_id: int | str) -> list[HistoryEntry]:
    """The version list of one unit, oldest first, with the columns that changed."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return []
    out: list[HistoryEntry] = []
    prev: dict[str, str | None] | None = None
    for r in reg.rows_of(e):
        cur = reg.row_dict(r)
        changed = [] if prev is None else changed_columns(prev, cur)
        out.append(
            {
                "valid_from": iso(int(reg.from_day[r])),
                "valid_to": iso(int(reg.to_day[r])),
                "changed": changed,
            }
        )
        prev = cur
    return out


def changed_columns(a: dict[str, str | None], b: dict[str, str | None]) -> list[str]:
    """Data columns whose value differs (FromDate, ToDate, UpdatedAt excluded)."""
    cols = list(a) + [c for c in b if c not in a]
    return [
        c
        for c in cols
        if c not in schema.NON_DATA_COLUMNS and not c.startswith("__") and a.get(c) != b.get(c)
    ]


def tree(
    reg: Store,
    day: dt.date,
    root: int | str | None = None,
    depth: int | None = None,
    include_all: bool = False,
) -> list[TreeNode]:
    """The `tree` CLI document: nested dicts, children sorted by name.

    `depth=1` gives the roots only. Orphans (units whose parent does not exist at the
    day, or that sit in a parent cycle) follow the roots as top-level entries of their
    own, by name, each with the extra key `"missing_parent": True`, so that every
    entry is a real unit with a string `sor_id`. Built with an explicit stack: the
    depth of the hierarchy is data.
    """
    snap = Snapshot(reg, day_number(day), include_all) if include_all else snapshot(reg, day)
    if root is not None:
        e = reg.entity_index(root)
        if e < 0 or not snap.present[e]:
            return []
        tops = np.array([e], dtype=np.int64)
    else:
        tops = np.concatenate([snap.roots(), snap.orphans()])
    names = reg.column_values("EntityName", snap.row_of)
    types = reg.column_values("SorType", snap.row_of)

    def node(e: int) -> TreeNode:
        return {"sor_id": str(reg.ids[e]), "name": names[e], "sor_type": types[e], "children": []}

    out: list[TreeNode] = []
    stack: list[tuple[int, TreeNode, int]] = []
    for e in tops.tolist():
        top = node(e)
        if snap.parent_of[e] == ORPHAN:
            top["missing_parent"] = True
        out.append(top)
        stack.append((e, top, 1))
    while stack:
        e, doc, level = stack.pop()
        if depth is not None and level >= depth:
            continue
        for c in snap.children(e).tolist():
            kid = node(c)
            doc["children"].append(kid)
            stack.append((c, kid, level + 1))
    return out
