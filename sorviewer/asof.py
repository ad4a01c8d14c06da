"""The register as it stood on one day: versions, parents, children, roots.

A `Snapshot` is pure array work over the loaded columns (no file access, no
per-row Python loop): which version row each entity has at the day, each
entity's parent at the day, and the children of every node as one CSR index
sorted by Danish name order. Units whose parent does not exist at the day (or
that sit in a parent cycle) are gathered as "orphans" instead of vanishing: the
window shows them under a "Missing parent" group, the `tree` document lists them
after the roots, flagged `missing_parent`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

from . import schema
from .dates import MAX_DAY, iso, to_day

if TYPE_CHECKING:
    from .register import Register

#: parent_of values besides an entity index
ROOT = -1
INACTIVE = -2
ORPHAN = -3

MISSING_PARENT_LABEL = "Missing parent"


def day_number(day: dt.date | int) -> int:
    """Day number of a date (ints pass through)."""
    if isinstance(day, int):
        return day
    return to_day(day)


class Snapshot:
    """Everything date-dependent about the tree, for one day.

    With `include_all`, closed and future units take part too, through their
    nearest version (the last one for closed units, the first for future ones).
    """

    def __init__(self, reg: Register, day: int, include_all: bool = False) -> None:
        self.reg = reg
        self.day = day
        self.include_all = include_all
        self.memo: dict[str, Any] = {}  # derived per-day structures (SHAK sources, search)
        n_ent = len(reg.ids)
        n_rows = len(reg.sor_id)

        valid = (reg.from_day <= day) & (reg.to_day >= day)
        rows = np.nonzero(valid)[0]
        ent = reg.row_entity[rows]
        if len(rows) > 1:
            last = np.ones(len(rows), dtype=bool)
            last[:-1] = ent[1:] != ent[:-1]  # overlapping versions: the later one wins
            rows, ent = rows[last], ent[last]
        row_of = np.full(n_ent, -1, dtype=np.int64)
        row_of[ent] = rows
        # Gaps between versions: the unit still exists (first <= day <= last); show the
        # nearest earlier version, flagged.
        in_life = (reg.first_day <= day) & (reg.last_day >= day)
        gap = in_life & (row_of < 0)
        self.gap = np.zeros(n_ent, dtype=bool)
        if gap.any():
            started = np.nonzero(reg.from_day <= day)[0]
            s_ent = reg.row_entity[started]
            last_started = np.full(n_ent, -1, dtype=np.int64)
            last_started[s_ent] = started  # later rows overwrite earlier: the last started
            fill = gap & (last_started >= 0)
            row_of[fill] = last_started[fill]
            # Between FirstFromDate and the first version's FromDate (an XML unit's one
            # version starts at its last change; SOR2 history may not reach back): the
            # earliest known version stands in, flagged like a gap.
            early = gap & (last_started < 0)
            row_of[early] = reg.id_start[:-1][early]
            self.gap = gap
        self.active_mask = row_of >= 0
        if include_all:
            self.active_mask = self.active_mask.copy()
            missing = row_of < 0
            # future: first version; closed: last version
            future = missing & (reg.first_day > day)
            row_of[future] = reg.id_start[:-1][future]
            closed = missing & ~future
            row_of[closed] = reg.id_start[1:][closed] - 1
        self.row_of = row_of
        present = row_of >= 0
        self.present = present
        self._n_rows = n_rows

        # parent entity index at the day (each row's parent was looked up once per register)
        row_parent = parent_entity_per_row(reg)
        pe = np.full(n_ent, NO_PARENT, dtype=np.int64)
        pe[present] = row_parent[row_of[present]]
        has_p = pe >= 0
        parent_ok = has_p.copy()
        parent_ok[has_p] = present[pe[has_p]]
        parent_of = np.full(n_ent, INACTIVE, dtype=np.int64)
        parent_of[present & (pe == NO_PARENT)] = ROOT
        parent_of[present & (pe != NO_PARENT) & ~parent_ok] = ORPHAN
        parent_of[parent_ok] = pe[parent_ok]
        self.parent_of = parent_of
        self._break_cycles()
        parent_of = self.parent_of

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

    def _break_cycles(self) -> None:
        """Units whose walk up never reaches a root sit on or under a cycle.

        The cycle members become orphans, so the tree at the day is a forest.
        """
        par = self.parent_of
        n = len(par)
        # pointer doubling with a sentinel (index n) for "no parent": after k rounds each
        # entry points 2**k levels up; real trees are at most ~7 deep, so 4 rounds reach
        # the sentinel everywhere in the common case
        up = np.append(np.where(par >= 0, par, n), n)
        cur = up
        for _ in range(4):
            cur = cur[cur]
        if (cur == n).all():
            return
        for _ in range(max(n, 1).bit_length() + 1):
            cur = cur[cur]
        members = np.unique(cur[cur != n])
        self.parent_of = par.copy()
        self.parent_of[members] = ORPHAN

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

    def parent(self, e: int) -> int:
        """Parent entity index at the day, or ROOT / ORPHAN / INACTIVE."""
        return int(self.parent_of[e])

    def path(self, e: int) -> list[int]:
        """Entity indices from the root down to `e` (inclusive)."""
        out = [e]
        seen = {e}
        p = int(self.parent_of[e])
        while p >= 0 and p not in seen:
            out.append(p)
            seen.add(p)
            p = int(self.parent_of[p])
        return out[::-1]

    def subtree(self, e: int) -> np.ndarray:
        """Entity indices of `e` and everything below it at the day (breadth first)."""
        out = [np.array([e], dtype=np.int64)]
        frontier = out[0]
        counts = self.child_counts()
        starts = np.r_[0, np.cumsum(counts)]
        # _kids is grouped by parent in ascending parent order: slice per parent
        while len(frontier):
            parts = [self._kids[starts[p] : starts[p] + counts[p]] for p in frontier if counts[p]]
            if not parts:
                break
            frontier = np.concatenate(parts)
            out.append(frontier)
        return np.concatenate(out)

    def active_entities(self) -> np.ndarray:
        """Entity indices active (existing) at the day."""
        return np.nonzero(self.active_mask)[0]

    def status(self, e: int) -> str:
        """`active`, `closed` or `future` at the day (ARCHITECTURE.md)."""
        return entity_status(self.reg, e, self.day)

    def row(self, e: int) -> int:
        """The version row of `e` at the day, or its nearest version when it has none."""
        r = int(self.row_of[e])
        return r if r >= 0 else nearest_row(self.reg, e, self.day)


#: parent_entity_per_row values besides an entity index
NO_PARENT = -1
UNKNOWN_PARENT = -2


def parent_entity_per_row(reg: Register) -> np.ndarray:
    """Each version row's parent as an entity index: NO_PARENT when the row names none,
    UNKNOWN_PARENT when the id it names is not in the file. Looked up once per register,
    so a date move does not search 100,000 parent ids again."""

    def make() -> np.ndarray:
        pid = reg.parent_id
        n_ent = len(reg.ids)
        out = np.full(len(pid), NO_PARENT, dtype=np.int64)
        named = pid != 0
        if n_ent == 0:
            out[named] = UNKNOWN_PARENT
            return out
        pidx = np.minimum(np.searchsorted(reg.ids, pid[named]), n_ent - 1)
        out[named] = np.where(reg.ids[pidx] == pid[named], pidx, UNKNOWN_PARENT)
        return out

    result: np.ndarray = reg.cache("parent_entity_per_row", make)
    return result


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


def entity_status(reg: Register, e: int, day: int) -> str:
    if day < reg.first_day[e]:
        return "future"
    last = int(reg.last_day[e])
    if last != MAX_DAY and day > last:
        return "closed"
    return "active"


def nearest_row(reg: Register, e: int, day: int) -> int:
    """The version valid at `day`, else the nearest: the last one started, or the first."""
    rows = reg.rows_of(e)
    best = -1
    for r in rows:
        if reg.from_day[r] <= day:
            best = r
    if best >= 0:
        # a later overlapping version wins; an earlier still-valid one beats an ended one
        for r in reversed(rows):
            if reg.from_day[r] <= day <= reg.to_day[r]:
                return r
        return best
    return rows.start


def history(reg: Register, sor_id: int | str) -> list[dict[str, Any]]:
    """The version list of one unit, oldest first, with the columns that changed."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return []
    out: list[dict[str, Any]] = []
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
    reg: Register,
    day: dt.date,
    root: int | str | None = None,
    depth: int | None = None,
    include_all: bool = False,
) -> list[dict[str, Any]]:
    """The `tree` CLI document: nested dicts, children sorted by name.

    `depth=1` gives the roots only. Orphans (units whose parent does not exist at the
    day, or that sit in a parent cycle) follow the roots as top-level entries of their
    own, by name, each with the extra key `"missing_parent": True`, so that every
    entry is a real unit with a string `sor_id` (ARCHITECTURE.md: ids are strings).
    """
    snap = Snapshot(reg, day_number(day), include_all) if include_all else reg.snapshot(day)

    def node(e: int, level: int) -> dict[str, Any]:
        r = snap.row(e)
        kids: list[dict[str, Any]] = []
        if depth is None or level < depth:
            kids = [node(int(c), level + 1) for c in snap.children(e)]
        return {
            "sor_id": str(reg.ids[e]),
            "name": reg.value(r, "EntityName"),
            "sor_type": reg.value(r, "SorType"),
            "children": kids,
        }

    if root is not None:
        e = reg.entity_index(root)
        if e < 0:
            return []
        if not snap.present[e]:
            return []
        top = node(e, 1)
        return [{**top, "missing_parent": True} if snap.parent_of[e] == ORPHAN else top]
    out = [node(int(e), 1) for e in snap.roots()]
    for e in snap.orphans():
        out.append({**node(int(e), 1), "missing_parent": True})
    return out
