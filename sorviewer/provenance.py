"""The provenance engine: where each inheritable group's values come from, and the
effective values that follow, for any set of units at a date, with array work.

The rules (docs/ARCHITECTURE.md, "Provenance"; the file side in docs/FORMATS.md,
"Inheritance") live here and nowhere else:

- What a version row says about a group (`row_states`): postal and virtual
  addresses are inherited from the parent when the row's indicator says so, the
  unit's own when the row has values; a missing visiting address is the unit's
  own postal address, a missing activity address its own visiting address
  (`schema.FieldGroup.inherits_from`); with no indicator and no values, SI and OE
  units fall back on the official rule. The EAN location number is own,
  inherited or none as `EanLocationCodeState` says (else own when there is a
  number). A group the row calls its own but gives no value for counts as none.
- Inherited values are resolved by walking up the parents *at the date* (a child
  gets no new version when its parent changes): the holder is the nearest
  ancestor whose group is its own, unless a unit on the way has none, or the walk
  runs out of parents.
- SHAK: with a SHAKSORMap the map says which code a unit has and the unit it is
  attached to; a unit the map has no row for has the row's own `ShakId`, if any.
  The unit the map names is checked against the parents at the date; when it is
  not above the unit (or not in the file) the nearest unit above that has the
  code itself is shown as the holder, with a problem saying so. Without a map
  (XML, the daily CSV) a unit's own `ShakId` is direct and units below without
  their own inherit it.
- A unit in life at D is looked at on D; a closed or future unit on its reference
  day (`asof.reference_days`: its last or first valid day), together with its
  ancestors on that day. So what `show` says about a closed unit is how it stood
  when it last existed, and the provenance always agrees with the values.

The engine works on *nodes*: (unit, day) pairs closed under "parent on that day".
`at(reg, day)` covers every unit of the register (cached with the day's snapshot,
each group computed on first use); `for_units(reg, ents, day)` covers a few units
and their ancestors, for the window's selection, without computing the register.
Both give the same answers for the same unit.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .arrays import cycle_members, first_up, index_of, is_above, path_up, with_ancestors
from .asof import (
    ORPHAN,
    Snapshot,
    parent_entity_per_row,
    parents_at,
    reference_days,
    snapshot,
    version_rows,
)
from .dates import MIN_DAY, valid_on
from .encoding import plain
from .memo import Memo
from .messages import Message, clean_text, msg
from .raw import LINE
from .records import State
from .register import Store
from .shakmap import MapTable, map_table
from .text import truth_masks

#: provenance states, as int8 codes in the arrays
NONE, OWN, INHERITED = 0, 1, 2
STATE_NAMES = ("none", "own", "inherited")
#: every inheritable group, in the order of the `show` document
GROUPS = tuple(schema.FIELD_GROUPS)
#: groups whose state the version row itself tells
ROW_GROUPS = tuple(k for k in GROUPS if k != "shak")
ADDRESS_GROUPS = ("postal_address", "visiting_address", "activity_address", "virtual_address")

#: EanLocationCodeState spellings (trimmed, lower case)
EAN_OWN = ("own", "egen")
EAN_INHERITED = ("inherited", "nedarvet")
EAN_NONE = ("none",)


def value_columns(key: str) -> tuple[str, ...]:
    """The columns that make a group's value: a group none of them is filled in for
    has no value (the EAN group's other columns describe the number)."""
    if key == "ean_location_code":
        return ("EanLocationCode",)
    return schema.FIELD_GROUPS[key].columns


# --- what the rows say ----------------------------------------------------------------


def resolve_up(state: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """The walk up the parents for a group inherited from the parent: per node, the
    node holding its value (itself when own; the nearest ancestor whose group is own
    when inherited), or -1 when a unit on the way has none, the walk runs out of
    parents, or it only circles a cycle."""
    top = first_up(parent, state != INHERITED)
    ok = top >= 0
    ok[ok] = state[top[ok]] == OWN
    return np.where(ok, top, -1)


def _cells(reg: Store, column: str, rows: np.ndarray) -> pa.Array:
    """One column's cells of `rows` as a pyarrow string array (nulls for a missing
    column)."""
    if column not in reg.column_names():
        return pa.nulls(len(rows), pa.string())
    return reg.take(column, rows).cast(pa.string())


def _mask(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _row_facts(reg: Store, rows: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per address/virtual/EAN group: (state as the rows say it, whether the rows hold
    a value for it); see the module docstring for the rules."""
    needed = {"SorType"}
    for key in ROW_GROUPS:
        group = schema.FIELD_GROUPS[key]
        assert group.indicator is not None
        needed.add(group.indicator)
        needed.update(value_columns(key))
    # as the store holds them: most are only asked whether they hold a value, which a
    # dictionary column answers from its indices without decoding
    cells = reg.takes(sorted(needed & set(reg.column_names())), rows, encoded=True)

    def col(name: str) -> pa.Array:
        arr = cells.get(name)
        return pa.nulls(len(rows), pa.string()) if arr is None else plain(arr).cast(pa.string())

    sor_type = col("SorType")
    si_oe = _mask(pc.is_in(sor_type, value_set=pa.array(["SI", "OE"])))
    is_oe = _mask(pc.equal(sor_type, "OE"))
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for key in ROW_GROUPS:
        group = schema.FIELD_GROUPS[key]
        assert group.indicator is not None
        flag = col(group.indicator)
        has = np.zeros(len(rows), dtype=bool)
        for c in value_columns(key):
            if c in cells:
                has |= _mask(pc.is_valid(cells[c]))
        if key == "ean_location_code":
            low = pc.utf8_lower(pc.utf8_trim_whitespace(flag))
            own, inh, none = (
                _mask(pc.is_in(low, value_set=pa.array(words)))
                for words in (EAN_OWN, EAN_INHERITED, EAN_NONE)
            )
            state = np.where(own, OWN, np.where(inh, INHERITED, NONE))
            state = np.where(~own & ~inh & ~none & has, OWN, state)
        else:
            true, false = truth_masks(flag)
            fallback = ~true & ~false & si_oe
            if key == "activity_address":
                fallback &= is_oe
            state = np.where(true, INHERITED, np.where(has, OWN, NONE))
            state = np.where(~true & ~has & fallback, INHERITED, state)
        out[key] = (state.astype(np.int8), has)
    return out


def _facts(reg: Store, rows: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """`_row_facts` of `rows`, looked up in the facts of every row of the register,
    worked out once (~0.2 s on the full register; a date move then costs no column
    work for them, and one unit's view a few array lookups)."""
    rows = np.asarray(rows, dtype=np.int64)
    every = reg.cache("row_facts", lambda: _row_facts(reg, np.arange(len(reg.sor_id))))
    return {k: (state[rows], has[rows]) for k, (state, has) in every.items()}


def warm(reg: Store) -> None:
    """Work out what every date's provenance needs from the register once (the facts of
    every version row, the SHAK map arrays): a worker calls this after a load, so the
    first unit the window shows costs no column work."""
    _facts(reg, np.arange(len(reg.sor_id)))
    map_table(reg)


def row_states(reg: Store, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Each address/virtual/EAN group's state as the version rows themselves say it
    (int8 arrays of NONE, OWN or INHERITED; see the module docstring)."""
    return {k: state for k, (state, _has) in _facts(reg, rows).items()}


# --- nodes: (unit, day) pairs closed under "parent on that day" ---------------------------


@dataclass(frozen=True)
class Nodes:
    """Units looked at on a day each, with every ancestor on that day.

    `parent` is the node of each node's parent on its day (-1 for none: a root, a
    parent not in the file or not there on the day, or a unit on a parent cycle).
    """

    entity: np.ndarray  # int64 entity index
    day: np.ndarray  # int64 day number
    row: np.ndarray  # int64 version row standing for the unit on the day
    exact: np.ndarray  # bool: that row is valid on the day (False in a gap)
    parent: np.ndarray  # int64 node index

    def __len__(self) -> int:
        return len(self.entity)


def _pair_keys(n_ent: int, ents: np.ndarray, days: np.ndarray) -> np.ndarray:
    return (days.astype(np.int64) - MIN_DAY) * max(n_ent, 1) + ents.astype(np.int64)


def _from_snapshot(snap: Snapshot, ents: np.ndarray | None) -> Nodes:
    """Nodes of the units in life on the snapshot's day (all of them, or `ents` and
    their ancestors), read off the snapshot's parents."""
    parent_of = snap.parents()
    if ents is None:
        take = np.nonzero(snap.active_mask)[0]
    elif len(ents) <= 8:  # the window's selection: walk up each unit
        take = np.unique(np.asarray([a for e in ents.tolist() for a in path_up(parent_of, e)]))
    else:
        take = np.nonzero(with_ancestors(parent_of, ents))[0]
    take = take.astype(np.int64)
    par = parent_of[take]
    pos = np.searchsorted(take, par)  # `take` is sorted, and holds every parent
    return Nodes(
        entity=take,
        day=np.full(len(take), snap.day, dtype=np.int64),
        row=snap.row_of[take].astype(np.int64),
        exact=~snap.gap[take],
        parent=np.where(par >= 0, pos, -1),
    )


#: after this many levels of one-at-a-time walking, the rest of a deep chain is read off
#: a snapshot of its day (one array pass for the whole day, however deep the chain)
_LEVELS_BEFORE_SNAPSHOT = 32


def _closure(reg: Store, ents: np.ndarray, days: np.ndarray) -> Nodes:
    """Nodes of the (unit, day) pairs given and of their ancestors on those days.

    Found one level per round over the pairs newly reached (real hierarchies are a
    few levels deep); pairs still climbing after `_LEVELS_BEFORE_SNAPSHOT` rounds get
    the rest of their ancestors from a snapshot of their day, which applies the same
    rules to every unit at once."""
    n_ent = len(reg.ids)
    known, first = np.unique(_pair_keys(n_ent, ents, days), return_index=True)  # sorted
    fe, fd = ents[first].astype(np.int64), days[first].astype(np.int64)
    parts: list[tuple[np.ndarray, ...]] = []
    level = 0
    while len(fe):
        if level >= _LEVELS_BEFORE_SNAPSHOT:
            pending = _pair_keys(n_ent, fe, fd)  # reached, not yet looked at
            parts.extend(_rest_from_snapshots(reg, fe, fd, known[~_isin(known, pending)]))
            break
        rows, exact = version_rows(reg, fe, fd)
        par = parents_at(reg, rows, fd)
        parts.append((fe, fd, rows, exact, par))
        has = par >= 0
        up_keys, at = np.unique(_pair_keys(n_ent, par[has], fd[has]), return_index=True)
        new = ~_isin(up_keys, known)
        fe, fd = par[has][at][new], fd[has][at][new]
        if len(fe):
            known = np.sort(np.concatenate([known, up_keys[new]]))
        level += 1
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Nodes(empty, empty, empty, np.zeros(0, dtype=bool), empty)
    entity, day, row, exact, par = (np.concatenate(col) for col in zip(*parts, strict=True))
    node_keys = _pair_keys(n_ent, entity, day)
    order = np.argsort(node_keys)
    has = par >= 0
    parent = np.full(len(entity), -1, dtype=np.int64)
    pk = _pair_keys(n_ent, par[has], day[has])
    parent[has] = order[np.searchsorted(node_keys[order], pk)]
    parent[cycle_members(parent)] = -1  # a unit on a parent cycle has no place above it
    return Nodes(entity, day, row, exact.astype(bool), parent)


def _isin(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in the sorted array `sorted_keys`."""
    return index_of(sorted_keys, values) >= 0


def _rest_from_snapshots(
    reg: Store, fe: np.ndarray, fd: np.ndarray, known: np.ndarray
) -> list[tuple[np.ndarray, ...]]:
    """Nodes for units `fe` (each in life on its day `fd`) and all their ancestors on
    those days that are not among the `known` keys (sorted), from one snapshot per
    distinct day."""
    n_ent = len(reg.ids)
    out: list[tuple[np.ndarray, ...]] = []
    for d in np.unique(fd).tolist():
        snap = Snapshot(reg, int(d))
        nodes = _from_snapshot(snap, fe[fd == d])
        keys = _pair_keys(n_ent, nodes.entity, nodes.day)
        new = ~_isin(keys, known)
        known = np.sort(np.concatenate([known, keys[new]]))
        par = snap.parent_of[nodes.entity[new]]
        par = np.where(par >= 0, par, ORPHAN)
        out.append((nodes.entity[new], nodes.day[new], nodes.row[new], nodes.exact[new], par))
    return out


def _joined(a: Nodes, b: Nodes) -> Nodes:
    off = len(a)
    return Nodes(
        entity=np.concatenate([a.entity, b.entity]),
        day=np.concatenate([a.day, b.day]),
        row=np.concatenate([a.row, b.row]),
        exact=np.concatenate([a.exact, b.exact]),
        parent=np.concatenate([a.parent, np.where(b.parent >= 0, b.parent + off, -1)]),
    )


# --- the engine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One group resolved for every node (arrays indexed by node)."""

    key: str
    state: np.ndarray  # int8 NONE / OWN / INHERITED
    holder: np.ndarray  # int64 entity index of the unit holding the value, -1 when none
    holder_row: np.ndarray  # int64 that unit's version row on the day, -1 when unknown
    #: the holder's node, -1 when none or not one of the nodes (SHAK: always -1)
    holder_node: np.ndarray
    from_group: np.ndarray  # object: the holder's group (the key itself unless another)
    #: SHAK only: the code per node (object, None when none)
    code: np.ndarray | None = None
    #: SHAK only: node -> SorId text of a holder the map names that is not in the file
    holder_ids: dict[int, str] = field(default_factory=dict)
    #: SHAK only: node -> why the map's answer was not taken as it stands
    problems: dict[int, Message] = field(default_factory=dict)


class Provenance:
    """Provenance of every group for a set of nodes; each group is computed on first
    use and kept (thread-safe). Read it per unit through the `*_of` methods."""

    def __init__(self, reg: Store, day: int, nodes: Nodes, entity_node: np.ndarray) -> None:
        self.reg = reg
        self.day = day
        self.nodes = nodes
        #: per entity index: the node that stands for the unit, -1 when not covered
        self.entity_node = entity_node
        self._memo = Memo()

    # --- per unit ---------------------------------------------------------------------

    def node_of(self, ents: np.ndarray) -> np.ndarray:
        """The nodes standing for entity indices `ents` (ValueError when not covered)."""
        nodes = self.entity_node[np.asarray(ents, dtype=np.int64)]
        if (nodes < 0).any():
            raise ValueError("unit not covered by this provenance")
        return nodes

    def rows_of(self, ents: np.ndarray) -> np.ndarray:
        """The version row each unit is shown with."""
        return self.nodes.row[self.node_of(ents)]

    def parents_of(self, ents: np.ndarray) -> np.ndarray:
        """Each unit's parent (entity index) on the day it is looked at, -1 for none."""
        p = self.nodes.parent[self.node_of(ents)]
        return np.where(p >= 0, self.nodes.entity[np.maximum(p, 0)], -1)

    def exact_of(self, ents: np.ndarray) -> np.ndarray:
        """Whether the unit's row is valid on the day it is looked at (False in a gap)."""
        return self.nodes.exact[self.node_of(ents)]

    def state_of(self, key: str, ents: np.ndarray) -> np.ndarray:
        return self.group(key).state[self.node_of(ents)]

    def holder_of(self, key: str, ents: np.ndarray) -> np.ndarray:
        """Entity index of the unit holding each unit's value, -1 when none."""
        return self.group(key).holder[self.node_of(ents)]

    def entries_of(
        self, ents: np.ndarray
    ) -> dict[str, tuple[list[State], list[str | None], list[str | None]]]:
        """Per group, for each of `ents`: (state, from_sor_id, from_group) as the `show`
        document writes them, as three lists."""
        nodes = self.node_of(ents)
        out = {}
        for key in GROUPS:
            g = self.group(key)
            st = g.state[nodes]
            h = g.holder[nodes]
            has = (st != NONE) & (h >= 0)
            src = np.full(len(nodes), None, dtype=object)
            src[has] = self.reg.ids[h[has]].astype(str)
            for i in np.nonzero((st != NONE) & (h < 0))[0].tolist():
                src[i] = g.holder_ids.get(int(nodes[i]))
            fg = g.from_group[nodes].copy()
            fg[(st == NONE) | (fg == key)] = None
            names = np.asarray(STATE_NAMES, dtype=object)[st]
            out[key] = (names.tolist(), src.tolist(), fg.tolist())
        return out

    def entries(self, e: int) -> dict[str, tuple[State, str | None, str | None]]:
        """`entries_of` one unit."""
        return {k: (s[0], f[0], g[0]) for k, (s, f, g) in self.entries_of(np.array([e])).items()}

    # --- per node -----------------------------------------------------------------------

    def claims(self) -> dict[str, np.ndarray]:
        """`row_states` of every node's row."""
        return {k: state for k, (state, _has) in self._facts().items()}

    def _facts(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return self._memo.get("facts", lambda: _facts(self.reg, self.nodes.row))

    def group(self, key: str) -> Group:
        """Group `key` resolved for every node (computed once)."""
        if key not in schema.FIELD_GROUPS:
            raise KeyError(key)
        return self._memo.get(key, lambda: self._resolve(key))

    def _resolve(self, key: str) -> Group:
        if key == "shak":
            return self._shak()
        nodes = self.nodes
        m = len(nodes)
        me = np.arange(m, dtype=np.int64)
        claim, has = self._facts()[key]
        src = schema.FIELD_GROUPS[key].inherits_from
        if src == "parent":
            # a group the row calls its own without a value is none
            state = np.where((claim == OWN) & ~has, NONE, claim)
            holder_node = resolve_up(state, nodes.parent)
            from_group = np.full(m, key, dtype=object)
        else:
            base = self.group(src)
            inh = claim == INHERITED
            state = claim
            holder_node = np.where(claim == OWN, me, np.where(inh, base.holder_node, -1))
            from_group = np.where(inh, base.from_group, key).astype(object)
        resolved = np.where(
            holder_node < 0, NONE, np.where((holder_node == me) & (state == OWN), OWN, INHERITED)
        ).astype(np.int8)
        safe = np.maximum(holder_node, 0)
        return Group(
            key=key,
            state=resolved,
            holder=np.where(holder_node >= 0, nodes.entity[safe], -1),
            holder_row=np.where(holder_node >= 0, nodes.row[safe], -1),
            from_group=from_group,
            holder_node=holder_node,
        )

    def _shak(self) -> Group:
        reg, nodes = self.reg, self.nodes
        m = len(nodes)
        me = np.arange(m, dtype=np.int64)
        own_code = _stripped(_cells(reg, "ShakId", nodes.row))
        table = map_table(reg)
        problems: dict[int, Message] = {}
        holder_ids: dict[int, str] = {}
        code: np.ndarray
        if table is None:
            # derived: a unit's own ShakId is direct; units below without one inherit it
            has = own_code != None  # noqa: E711 - element-wise on an object array
            top = first_up(nodes.parent, has)
            code = np.full(m, None, dtype=object)
            code[top >= 0] = own_code[top[top >= 0]]
            state = np.where(top < 0, NONE, np.where(top == me, OWN, INHERITED)).astype(np.int8)
            holder = np.where(top >= 0, nodes.entity[np.maximum(top, 0)], -1)
            holder_row = np.where(top >= 0, nodes.row[np.maximum(top, 0)], -1)
        else:
            code, named = _mapped_codes(reg, table, nodes)
            # no map row for the unit on the day: the row's own ShakId, if any
            fallback = (code == None) & (own_code != None)  # noqa: E711
            code = np.where(fallback, own_code, code)
            named = np.where(fallback, reg.ids[nodes.entity], named)
            state = np.where(
                code == None,  # noqa: E711
                NONE,
                np.where(named == reg.ids[nodes.entity], OWN, INHERITED),
            ).astype(np.int8)
            named_e = reg.index_of(named)
            holder, holder_row, holder_ids, problems = _checked_shak(
                reg, table, nodes, state, code, named, named_e, own_code
            )
        return Group(
            key="shak",
            state=state,
            holder=holder,
            holder_row=holder_row,
            from_group=np.full(m, "shak", dtype=object),
            holder_node=np.full(m, -1, dtype=np.int64),
            code=code,
            holder_ids=holder_ids,
            problems=problems,
        )


def _stripped(arr: pa.Array) -> np.ndarray:
    """Trimmed text as an object array, None for null or empty."""
    trimmed = pc.utf8_trim_whitespace(arr)
    trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return np.asarray(trimmed.to_numpy(zero_copy_only=False), dtype=object)


def _mapped_codes(reg: Store, table: MapTable, nodes: Nodes) -> tuple[np.ndarray, np.ndarray]:
    """Per node: the SHAK code the map gives the unit on its day (direct rows first,
    then by code), and the SorId of the unit the code sits on (0 when none)."""
    m = len(nodes)
    code = np.full(m, None, dtype=object)
    named = np.zeros(m, dtype=np.int64)
    owner, rows = table.rows_of_sors(reg.ids[nodes.entity])
    ok = valid_on(table.from_day[rows], table.to_day[rows], nodes.day[owner])
    owner, rows = owner[ok], rows[ok]
    if not len(rows):
        return code, named
    order = np.lexsort((table.code_rank[rows], ~table.on_itself[rows], owner))
    owner, rows = owner[order], rows[order]
    first = np.ones(len(owner), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    owner, rows = owner[first], rows[first]
    code[owner] = table.shak[rows]
    # a row that does not say where the code sits is taken as the unit's own
    named[owner] = np.where(
        table.on_itself[rows], reg.ids[nodes.entity[owner]], table.direct_sor[rows]
    )
    return code, named


def _holds(
    reg: Store,
    table: MapTable,
    nodes: Nodes,
    at: np.ndarray,
    codes: np.ndarray,
    own_code: np.ndarray,
) -> np.ndarray:
    """Whether each node of `at` has code `codes[i]` itself on its day: a map row valid on
    the day that puts the code on the unit itself, or its own ShakId."""
    out = own_code[at] == codes
    owner, rows = table.rows_of_sors(reg.ids[nodes.entity[at]])
    ok = (
        table.on_itself[rows]
        & valid_on(table.from_day[rows], table.to_day[rows], nodes.day[at][owner])
        & (table.shak[rows] == codes[owner])
    )
    out[owner[ok]] = True
    return np.asarray(out, dtype=bool)


def _checked_shak(
    reg: Store,
    table: MapTable,
    nodes: Nodes,
    state: np.ndarray,
    code: np.ndarray,
    named: np.ndarray,
    named_e: np.ndarray,
    own_code: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, dict[int, str], dict[int, Message]]:
    """SHAK holders with the map's answer checked against the parents on the day (the
    unit the map names must be above the unit and have the code itself):
    (holder entity per node, -1 when none or not in the file; its row; SorId texts of
    holders not in the file; problems)."""
    m = len(nodes)
    holder = np.where(state != NONE, named_e, -1)
    holder_row = np.where(state == OWN, nodes.row, -1)
    holder_ids: dict[int, str] = {}
    problems: dict[int, Message] = {}
    inh = np.nonzero(state == INHERITED)[0]
    if not len(inh):
        return holder, holder_row, holder_ids, problems
    # the node of the named unit on the same day, if it is one of the nodes
    n_ent = len(reg.ids)
    node_keys = _pair_keys(n_ent, nodes.entity, nodes.day)
    order = np.argsort(node_keys)
    want = _pair_keys(n_ent, np.maximum(named_e[inh], 0), nodes.day[inh])
    pos = np.minimum(np.searchsorted(node_keys[order], want), max(m - 1, 0))
    target = np.where((named_e[inh] >= 0) & (node_keys[order][pos] == want), order[pos], -1)
    above = (target >= 0) & is_above(nodes.parent, inh, target)
    held = above.copy()
    held[above] = _holds(reg, table, nodes, target[above], code[inh[above]], own_code)
    holder_row[inh[held]] = nodes.row[target[held]]
    wrong = inh[~held]
    reason = np.where(
        named_e[inh] < 0,
        "query.shak_not_in_file",
        np.where(above, "query.shak_not_held", "query.shak_not_above"),
    )[~held]
    if not len(wrong):
        return holder, holder_row, holder_ids, problems
    # the nearest unit above that has the code itself, walking up level by level
    found = np.full(len(wrong), -1, dtype=np.int64)
    live = np.arange(len(wrong))
    cur = nodes.parent[wrong]
    wanted = code[wrong]
    while len(live):
        go = cur >= 0
        live, cur = live[go], cur[go]
        if not len(live):
            break
        hit = _holds(reg, table, nodes, cur, wanted[live], own_code)
        found[live[hit]] = cur[hit]
        live, cur = live[~hit], nodes.parent[cur[~hit]]
    for i, w in enumerate(wrong.tolist()):
        said = msg(str(reason[i]), code=clean_text(code[w]), named=str(named[w]))
        f = int(found[i])
        if f >= 0:
            holder[w] = nodes.entity[f]
            holder_row[w] = nodes.row[f]
            problems[w] = msg(
                "query.shak_nearest_shown", said=said, holder=str(reg.ids[nodes.entity[f]])
            )
        else:
            problems[w] = msg("query.shak_nobody_above", said=said)
            if named_e[w] < 0:
                holder_ids[w] = str(named[w])
    return holder, holder_row, holder_ids, problems


# --- building -------------------------------------------------------------------------------


def _build(reg: Store, snap: Snapshot, ents: np.ndarray | None) -> Provenance:
    """Provenance of every unit (`ents` None) or of `ents` and their ancestors."""
    n_ent = len(reg.ids)
    living_mask = snap.active_mask
    if ents is None:
        wanted_living = None
        away = np.nonzero(~living_mask)[0]
    else:
        ents = np.unique(np.asarray(ents, dtype=np.int64))
        wanted_living = ents[living_mask[ents]]
        away = ents[~living_mask[ents]]
    living = _from_snapshot(snap, wanted_living)
    away_days = reference_days(reg, away, snap.day).astype(np.int64)
    far = _closure(reg, away, away_days)
    nodes = _joined(living, far)
    entity_node = np.full(n_ent, -1, dtype=np.int64)
    if wanted_living is None:
        entity_node[living.entity] = np.arange(len(living))
    else:
        at = np.searchsorted(living.entity, wanted_living)  # living.entity is sorted
        entity_node[wanted_living] = at
    if len(away):
        far_keys = _pair_keys(n_ent, far.entity, far.day)
        order = np.argsort(far_keys)
        pos = np.searchsorted(far_keys[order], _pair_keys(n_ent, away, away_days))
        entity_node[away] = len(living) + order[pos]
    return Provenance(reg, snap.day, nodes, entity_node)


def at(reg: Store, day: dt.date | int) -> Provenance:
    """Provenance of every unit of the register at `day` (cached with the snapshot)."""
    snap = snapshot(reg, day)
    prov: Provenance = snap.cached("provenance", lambda: _build(reg, snap, None))
    return prov


@dataclass(frozen=True)
class UnitArrays:
    """Every group's provenance for every unit at one day, indexed by entity index (the
    column-by-column readers, `columns`, take values from here).

    `rows`: the row each unit is shown with; `parent`: its parent in the tree on the day
    it is looked at (entity index, -1 for none: a root or an orphan); `named_parent`:
    the unit `show` names as its parent (that one, else the one its row names when it
    is in the file);
    per group `claim` (what the row says), `state` (NONE / OWN / INHERITED), `holder`
    (entity index, -1) and `from_group`; `shak_code`: the unit's SHAK code at the day
    (None when it has none); `shak_holder_ids`: entity index -> the SorId text of a
    SHAK holder the map names that is not in the file. `covered`: None when every unit
    is covered, else a mask of the units that are (the units in life at the day, for
    `in_life_only`); the others read as having nothing and must not be asked about.
    """

    snap: Snapshot
    rows: np.ndarray
    parent: np.ndarray
    named_parent: np.ndarray
    claim: dict[str, np.ndarray]
    state: dict[str, np.ndarray]
    holder: dict[str, np.ndarray]
    from_group: dict[str, np.ndarray]
    holder_row: dict[str, np.ndarray]
    shak_code: np.ndarray
    shak_holder_ids: dict[int, str]
    covered: np.ndarray | None = None

    def holder_rows(self, key: str) -> np.ndarray:
        """The row of each unit's holder of group `key` (-1 when none)."""
        return self.holder_row[key]


def unit_arrays(reg: Store, day: dt.date | int, *, in_life_only: bool = False) -> UnitArrays:
    """`at(reg, day)` read out per entity index, every group (cached with the snapshot).

    With `in_life_only`, only the units in life at the day are covered, read off the
    snapshot (`living`: about half the work, for a reader that asks about nothing else,
    such as `diff`); the whole register's arrays serve when they are already there."""
    snap = snapshot(reg, day)
    n = len(reg.ids)
    if in_life_only:
        done = snap.peek("provenance-units")
        if isinstance(done, UnitArrays):
            return done
        arrays: UnitArrays = snap.cached(
            "provenance-units-in-life",
            lambda: _read_out(reg, snap, living(reg, snap.day), snap.active_entities()),
        )
    else:
        arrays = snap.cached(
            "provenance-units",
            lambda: _read_out(reg, snap, at(reg, snap.day), np.arange(n, dtype=np.int64)),
        )
    return arrays


def _read_out(reg: Store, snap: Snapshot, prov: Provenance, ents: np.ndarray) -> UnitArrays:
    """`prov` per entity index for units `ents`; every other unit gets no rows' values:
    its first row, no parent, every group none."""
    n = len(reg.ids)
    ents = np.asarray(ents, dtype=np.int64)
    nodes = prov.node_of(ents)
    groups = {k: prov.group(k) for k in GROUPS}
    claims = prov.claims()
    shak = groups["shak"]
    assert shak.code is not None

    def spread(values: np.ndarray, fill: object) -> np.ndarray:
        out = np.full(n, fill, dtype=values.dtype)
        out[ents] = values
        return out

    code = spread(shak_values(shak.state[nodes], shak.code[nodes]), None)
    entity_of_node = np.full(len(prov.nodes), -1, dtype=np.int64)
    entity_of_node[nodes] = ents
    rows = spread(prov.rows_of(ents), 0)
    if len(ents) < n:  # units not covered: a row of their own, never read for values
        missing = np.ones(n, dtype=bool)
        missing[ents] = False
        rows[missing] = reg.id_start[:-1][missing]
    parent = spread(prov.parents_of(ents), -1)
    named = np.maximum(parent_entity_per_row(reg)[rows], -1)
    covered = None
    if len(ents) < n:
        covered = np.zeros(n, dtype=bool)
        covered[ents] = True
        named = np.where(covered, named, -1)
    return UnitArrays(
        snap=snap,
        rows=rows,
        parent=parent,
        named_parent=np.where(parent >= 0, parent, named),
        claim={
            k: spread(claims[k][nodes] if k in claims else groups[k].state[nodes], NONE)
            for k in GROUPS
        },
        state={k: spread(g.state[nodes], NONE) for k, g in groups.items()},
        holder={k: spread(g.holder[nodes], -1) for k, g in groups.items()},
        from_group={k: spread(g.from_group[nodes].astype(object), k) for k, g in groups.items()},
        holder_row={k: spread(g.holder_row[nodes], -1) for k, g in groups.items()},
        shak_code=code,
        shak_holder_ids={int(entity_of_node[n]): t for n, t in shak.holder_ids.items()},
        covered=covered,
    )


def living(reg: Store, day: dt.date | int) -> Provenance:
    """Provenance of the units in life at `day` only (cached with the snapshot): read off
    the snapshot, without looking closed and future units up on their own days. For
    the queries that only answer about units that exist at the day (EDI, SHAK)."""
    snap = snapshot(reg, day)

    def make() -> Provenance:
        nodes = _from_snapshot(snap, None)
        entity_node = np.full(len(reg.ids), -1, dtype=np.int64)
        entity_node[nodes.entity] = np.arange(len(nodes))
        return Provenance(reg, snap.day, nodes, entity_node)

    prov: Provenance = snap.cached("provenance-living", make)
    return prov


def for_units(reg: Store, ents: np.ndarray, day: dt.date | int) -> Provenance:
    """Provenance of `ents` (and their ancestors) at `day`: one computed for the day
    already when it covers them, else just these units."""
    snap = snapshot(reg, day)
    ents = np.asarray(ents, dtype=np.int64)
    for key in ("provenance", "provenance-living"):
        done = snap.peek(key)
        if isinstance(done, Provenance) and (done.entity_node[ents] >= 0).all():
            return done
    return _build(reg, snap, ents)


# --- effective values ----------------------------------------------------------------------
#
# The rule, once, for every reader of effective values (`effective` below: all columns of
# some units with the file's contradictions; `columns`: one column at a time for many
# units, behind find, the export tables and diff): a column outside the inheritable
# groups is the unit's own row's; a group with no value at the date is empty; an
# inherited group is read from the holder's row, in the column of the holder's group with
# the same address part (`source_column`); ShakId is the unit's SHAK code at the date.


def data_columns(reg: Store) -> list[str]:
    """The SOREntity columns in the file's order, without internal ones."""
    return [c for c in reg.column_names() if c != LINE and not c.startswith("__")]


#: the inheritable address/virtual/EAN group of each of their columns (ShakId is the SHAK
#: group's: its value is a code from the map, `shak_values`, not a cell)
ROW_GROUP_OF: dict[str, str] = {
    c: key for key in ROW_GROUPS for c in schema.FIELD_GROUPS[key].columns
}


@functools.lru_cache(maxsize=4096)
def source_column(column: str, holder_group: str) -> str | None:
    """The column an inherited value of `column` is read from in the holder's row: the
    column of `holder_group` with the same address part (the group itself: `column`).
    None when that group has no such part: the unit's own cell stays."""
    if holder_group == ROW_GROUP_OF.get(column):
        return column
    part = schema.address_part(column)
    return next(
        (c for c in schema.FIELD_GROUPS[holder_group].columns if schema.address_part(c) == part),
        None,
    )


@dataclass(frozen=True)
class Fill:
    """Where one address/virtual/EAN group's effective values come from, for some units
    (positions into the arrays it was made from).

    `none`: positions whose group has no value at the date (every column of the group
    is empty there); `parts`: per group the value is inherited from (the holder's
    group: the key itself, or e.g. the postal address for a visiting address), the
    positions inheriting from it (ascending) and their holders' rows. Every other
    position reads its own row."""

    key: str
    none: np.ndarray
    parts: tuple[tuple[str, np.ndarray, np.ndarray], ...]

    def sources(self, column: str) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
        """(holder's group, column to read, positions, rows) where a value of `column` is
        read from a holder's row; positions not listed (and not `none`) keep their own
        row's cell."""
        out = []
        for holder_group, pos, rows in self.parts:
            src = source_column(column, holder_group)
            if src is not None:
                out.append((holder_group, src, pos, rows))
        return out


def group_fill(key: str, state: np.ndarray, holder_row: np.ndarray, from_group: np.ndarray) -> Fill:
    """The `Fill` of group `key` from its per-unit provenance (state, holder's row and
    the holder's group, as `Group` and `UnitArrays` hold them)."""
    none = np.nonzero(state == NONE)[0]
    inh = np.nonzero(state == INHERITED)[0]
    parts = []
    if len(inh):
        fg = from_group[inh]
        present = set(fg.tolist())
        for holder_group in (k for k in GROUPS if k in present):
            pos = inh if len(present) == 1 else inh[fg == holder_group]
            parts.append((holder_group, pos, holder_row[pos]))
    return Fill(key, none, tuple(parts))


def shak_values(state: np.ndarray, code: np.ndarray) -> np.ndarray:
    """The effective ShakId per unit: its SHAK code at the date, None where the group has
    none (object array)."""
    out = np.full(len(state), None, dtype=object)
    has = state != NONE
    out[has] = code[has]
    return out


@dataclass
class Effective:
    """Effective values of some units, column by column (object arrays of str or
    None), and per unit the contradictions found in the file, in group order."""

    ents: np.ndarray
    columns: list[str]
    values: dict[str, np.ndarray]
    problems: list[list[Message]]


def effective(prov: Provenance, ents: np.ndarray) -> Effective:
    """The `attributes` of `show` for many units at once: each unit's row with every
    inherited group filled in from its holder, and every group with no value at the
    date emptied (`group_fill`, `source_column`, `shak_values`: the rule every reader of
    effective values applies), so that the values always agree with the provenance.
    Where the file says otherwise (a copy of an inherited value that differs from the
    holder's, a value for a group that has none) the unit gets a problem."""
    reg = prov.reg
    ents = np.asarray(ents, dtype=np.int64)
    rows = prov.rows_of(ents)
    columns = data_columns(reg)
    values = reg.cells(rows, columns)
    nodes = prov.node_of(ents)
    notes: list[tuple[int, int, Message]] = []
    for gi, key in enumerate(GROUPS):
        group = prov.group(key)
        st = group.state[nodes]
        if key == "shak":
            if "ShakId" in values:
                assert group.code is not None
                values["ShakId"] = shak_values(st, group.code[nodes])
            for pos in np.nonzero(np.isin(nodes, list(group.problems)))[0].tolist():
                notes.append((pos, gi * 1000, group.problems[int(nodes[pos])]))
            continue
        cols = schema.FIELD_GROUPS[key].columns
        fill = group_fill(key, st, group.holder_row[nodes], group.from_group[nodes])
        empty = fill.none
        if len(empty):
            claim = prov.claims()[key][nodes]
            _note_empty(notes, key, gi, claim, empty, values)
            for col in cols:
                if col in values:
                    values[col][empty] = None
        for holder_group, part, src_rows in fill.parts:
            src_cols = {c: source_column(c, holder_group) for c in cols if c in values}
            source = reg.cells(src_rows, sorted({c for c in src_cols.values() if c}))
            h_ids = reg.ids[group.holder[nodes[part]]]
            for ci, col in enumerate(cols):
                src_col = src_cols.get(col)
                if src_col is None:
                    continue
                theirs = source[src_col]
                mine = values[col][part]
                differ = np.nonzero(
                    (mine != None) & (theirs != None) & (mine != theirs)  # noqa: E711
                )[0]
                for k in differ.tolist():
                    notes.append(
                        (
                            int(part[k]),
                            gi * 1000 + ci,
                            msg(
                                "query.copy_differs",
                                column=col,
                                mine=clean_text(mine[k]),
                                group=msg(f"query.group.{key}"),
                                holder=str(h_ids[k]),
                                theirs=clean_text(theirs[k]),
                            ),
                        )
                    )
                values[col][part] = theirs
    problems: list[list[Message]] = [[] for _ in range(len(ents))]
    for i, _order, note in sorted(notes, key=lambda t: (t[0], t[1])):
        problems[i].append(note)
    return Effective(ents, columns, values, problems)


def _note_empty(
    notes: list[tuple[int, int, Message]],
    key: str,
    gi: int,
    claim: np.ndarray,
    empty: np.ndarray,
    values: dict[str, np.ndarray],
) -> None:
    """The problems of units whose group `key` has no value at the date: the row calls
    the group its own but gives no value, or it holds a value nobody can stand behind
    (for a group that is none, or an inherited one nobody above holds)."""
    group_name = msg(f"query.group.{key}")
    for pos in empty[claim[empty] == OWN].tolist():  # own, says the row, but no value
        notes.append((pos, gi * 1000, msg("query.own_without_value", group=group_name)))
    key_cols = value_columns(key)
    for ci, col in enumerate(schema.FIELD_GROUPS[key].columns):
        if col not in values or col not in key_cols:
            continue
        cells = values[col][empty]
        for k in np.nonzero(cells != None)[0].tolist():  # noqa: E711
            pos = int(empty[k])
            code = "query.value_but_none" if claim[pos] == NONE else "query.copy_without_source"
            notes.append(
                (
                    pos,
                    gi * 1000 + ci,
                    msg(code, column=col, value=clean_text(cells[k]), group=group_name),
                )
            )
