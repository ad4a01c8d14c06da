"""Export of units at a date: CSV, XLSX, JSON, and TSV for the clipboard.

One row per unit, the SOREntity columns in the file's order with their
*effective* values at the date (inherited groups filled in from the unit that
holds them), plus `Status`. The per-unit `inheritance.Resolver` costs about a
millisecond a unit, far too slow for 100,000 units, so this module resolves
provenance for every unit at once with array work (`bulk_view`), following the
same rules; a unit test checks that both give the same answers.

Every text cell a spreadsheet could run as a formula is neutralised (CSV, TSV:
a leading apostrophe; XLSX: a string cell with quotePrefix). XLSX goes through
openpyxl's write-only mode with as few styled cells as it can (see `_write_xlsx`).
`write_export` reports progress for a progress bar. Files are written beside the
target and moved into place, so a failed export never leaves half a file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .asof import INACTIVE, Snapshot, day_number
from .dates import MAX_DAY
from .register import LINE

if TYPE_CHECKING:
    from .register import Register

# --- neutralising cells and clipboard text ---------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*", re.ASCII)


def needs_neutralising(text: str) -> bool:
    """True when a spreadsheet would treat `text` as a formula (plain numbers are safe)."""
    return bool(text) and text.startswith(_FORMULA_START) and _PLAIN_NUMBER.fullmatch(text) is None


def neutralise(text: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula.

    A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is one,
    unless it is a plain number such as `-12,5` or `+4512345678`.
    """
    return "'" + text if needs_neutralising(text) else text


_CELL_BREAKS = re.compile(r"[\t\r\n]")


def _tsv_cell(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    return neutralise(_CELL_BREAKS.sub(" ", str(value)))


def to_tsv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Clipboard text: a header line, tab-separated cells, one `\\n`-ended line per row.

    None becomes an empty cell; tabs and line breaks inside a cell become spaces.
    """
    lines = ["\t".join(_tsv_cell(v) for v in header)]
    lines += ["\t".join(_tsv_cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


# --- provenance for every unit at once ---------------------------------------------

NONE, OWN, INHERITED = 0, 1, 2
_TRUE = ("true", "1", "ja", "j", "yes", "y")
_FALSE = ("false", "0", "nej", "n", "no")
#: groups resolved through the parent chain, then those resolved from another own group
_PARENT_GROUPS = tuple(k for k, g in schema.FIELD_GROUPS.items() if g.inherits_from == "parent")
_ADDRESS_GROUPS = ("postal_address", "visiting_address", "activity_address", "virtual_address")


def _text(reg: Register, column: str, rows: np.ndarray) -> pd.Series:
    if column not in reg.entities.columns:
        return pd.Series(pd.NA, index=range(len(rows)), dtype="string[pyarrow]")
    return reg.entities[column].take(rows).reset_index(drop=True)


def _notna(reg: Register, column: str, rows: np.ndarray) -> np.ndarray:
    return _text(reg, column, rows).notna().to_numpy(dtype=bool)


def row_states(reg: Register, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Each address/virtual/EAN group's state as the version rows themselves say.

    int8 arrays of NONE, OWN or INHERITED, by the rules of `inheritance.own_state`.
    """
    out: dict[str, np.ndarray] = {}
    sor_type = _text(reg, "SorType", rows)
    si_oe = sor_type.isin(["SI", "OE"]).to_numpy(dtype=bool)
    is_oe = (sor_type == "OE").fillna(False).to_numpy(dtype=bool)
    for key in (*_ADDRESS_GROUPS, "ean_location_code"):
        group = schema.FIELD_GROUPS[key]
        assert group.indicator is not None
        flag = _text(reg, group.indicator, rows).str.strip().str.lower()
        if key == "ean_location_code":
            own = flag.isin(["own", "egen"]).to_numpy(dtype=bool)
            inh = flag.isin(["inherited", "nedarvet"]).to_numpy(dtype=bool)
            none = (flag == "none").fillna(False).to_numpy(dtype=bool)
            has = _notna(reg, "EanLocationCode", rows)
            state = np.where(own, OWN, np.where(inh, INHERITED, NONE))
            state = np.where(~own & ~inh & ~none & has, OWN, state)
        else:
            true = flag.isin(_TRUE).to_numpy(dtype=bool)
            unknown = ~true & ~flag.isin(_FALSE).to_numpy(dtype=bool)
            has = np.zeros(len(rows), dtype=bool)
            for c in group.columns:
                has |= _notna(reg, c, rows)
            fallback = unknown & si_oe
            if key == "activity_address":
                fallback &= is_oe
            state = np.where(true, INHERITED, np.where(has, OWN, NONE))
            state = np.where(~true & ~has & fallback, INHERITED, state)
        out[key] = state.astype(np.int8)
    return out


def nearest_rows(reg: Register, snap: Snapshot) -> np.ndarray:
    """Per entity: its version row at the day, else its nearest (`asof.nearest_row`)."""
    rows = snap.row_of.copy()
    missing = rows < 0
    if missing.any():
        started = np.nonzero(reg.from_day <= snap.day)[0]
        last_started = np.full(len(reg.ids), -1, dtype=np.int64)
        last_started[reg.row_entity[started]] = started  # later rows overwrite: the last one
        rows[missing] = np.where(
            last_started[missing] >= 0, last_started[missing], reg.id_start[:-1][missing]
        )
    return rows


@dataclass
class BulkView:
    """Provenance of every group for every unit at one day (entity-indexed arrays).

    `state[g]` is NONE/OWN/INHERITED as resolved (an inherited group with no
    holder is NONE); `claim[g]` is what the unit's own row says; `holder[g]` is
    the entity index holding the value (-1 when none, or for SHAK a code
    attached to a unit that is not in the file); `from_group[g]` the holder's
    group. `shak_code` is the SHAK code of each unit at the day (None if none).
    The SHAK holder is checked against the tree as `inheritance.checked_shak_holder`
    does; units where the file's answer was not taken as it stands have a sentence in
    `shak_problems`, and `shak_holder_ids` the SorId text of a holder not in the file.
    """

    snap: Snapshot
    rows: np.ndarray
    parent: np.ndarray
    claim: dict[str, np.ndarray]
    state: dict[str, np.ndarray]
    holder: dict[str, np.ndarray]
    from_group: dict[str, np.ndarray]
    shak_code: np.ndarray
    shak_problems: dict[int, str] = field(default_factory=dict)
    shak_holder_ids: dict[int, str] = field(default_factory=dict)

    def holder_rows(self, key: str) -> np.ndarray:
        h = self.holder[key]
        return np.where(h >= 0, self.rows[np.maximum(h, 0)], -1)


def _parents(reg: Register, snap: Snapshot, rows: np.ndarray) -> np.ndarray:
    """`Resolver._parent` for every unit: the parent at the day, or for a unit that does
    not exist at the day the parent named by its nearest version (if in the file)."""
    n = len(reg.ids)
    par = np.where(snap.parent_of >= 0, snap.parent_of, -1)
    absent = snap.parent_of == INACTIVE
    if absent.any() and n:
        pid = reg.parent_id[rows[absent]]
        idx = np.minimum(np.searchsorted(reg.ids, pid), n - 1)
        par[absent] = np.where((pid != 0) & (reg.ids[idx] == pid), idx, -1)
    return par


def resolve_chain(state: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Holder per unit for a group inherited from the parent: pointer jumping up the tree.

    Own units hold their value; inherited ones take the nearest ancestor that owns
    it, unless an ancestor on the way says none (or there is no parent). A cycle
    never resolves and gives none, as the per-unit resolver's cycle guard does.
    """
    n = len(state)
    holder = np.where(state == OWN, np.arange(n), -1)
    pending = state == INHERITED
    target = parent.copy()
    for _ in range(64):
        idx = np.nonzero(pending)[0]
        if not len(idx):
            break
        t = target[idx]
        tc = np.maximum(t, 0)
        dead = (t < 0) | (state[tc] == NONE)
        found_own = ~dead & (state[tc] == OWN)
        found_res = ~dead & ~found_own & ~pending[tc]
        holder[idx[found_own]] = t[found_own]
        holder[idx[found_res]] = holder[tc[found_res]]
        done = dead | found_own | found_res
        pending[idx[done]] = False
        more = idx[~done]
        target[more] = target[np.maximum(target[more], 0)]
    return holder


def _shak_sources(reg: Register, snap: Snapshot) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit: (SHAK code or None, entity index it is attached to, -1 when not in file,
    -2 when the unit has no code; the SorId the file attaches it to, 0 when none), as
    `mapping.shak_source` answers."""
    from .mapping import _derived_sources, map_table

    n = len(reg.ids)
    code = np.full(n, None, dtype=object)
    attached = np.full(n, -2, dtype=np.int64)
    named = np.zeros(n, dtype=np.int64)
    table = map_table(reg)
    if table is not None:
        hit = np.nonzero((table.from_day <= snap.day) & (table.to_day >= snap.day))[0]
        if len(hit) and n:
            frame = pd.DataFrame(
                {
                    "sor": table.sor[hit],
                    "indirect": ~table.direct[hit],
                    "code": table.shak[hit].astype(str),
                    "dsor": table.direct_sor[hit],
                }
            )
            frame = frame.sort_values(["sor", "indirect", "code"], kind="stable")
            frame = frame.drop_duplicates("sor", keep="first")
            sor = frame["sor"].to_numpy()
            e = np.minimum(np.searchsorted(reg.ids, sor), n - 1)
            known = reg.ids[e] == sor
            e = e[known]
            dsor = frame["dsor"].to_numpy()[known]
            code[e] = frame["code"].to_numpy(dtype=object)[known]
            d = np.minimum(np.searchsorted(reg.ids, dsor), n - 1)
            att = np.where(reg.ids[d] == dsor, d, -1)
            attached[e] = np.where(dsor == 0, e, att)
            named[e] = np.where(dsor == 0, reg.ids[e], dsor)
        return code, attached, named
    codes, src = _derived_sources(reg, snap)
    ok = snap.present & (src >= 0)
    idx = np.nonzero(ok)[0]
    code[idx] = [str(c).strip() for c in codes[src[idx]]]
    attached[idx] = src[idx]
    named[idx] = reg.ids[src[idx]]
    return code, attached, named


def _is_above(parent: np.ndarray, ents: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per unit of `ents`: whether `targets` (same length) is one of its ancestors along
    `parent` (-1 = none); pointer walking, at most 64 levels (cycles end there)."""
    found = np.zeros(len(ents), dtype=bool)
    cur = parent[ents] if len(ents) else np.zeros(0, dtype=np.int64)
    for _ in range(64):
        live = cur >= 0
        if not live.any():
            break
        found |= live & (cur == targets)
        cur = np.where(live, parent[np.maximum(cur, 0)], -1)
    return found


def _checked_shak(
    reg: Register,
    snap: Snapshot,
    parent: np.ndarray,
    code: np.ndarray,
    attached: np.ndarray,
    named: np.ndarray,
) -> tuple[np.ndarray, dict[int, str], dict[int, str]]:
    """SHAK holders with the file's answer checked against the tree: (holder per unit,
    -1 when none or not in the file; problem sentences; SorId texts of holders not in
    the file). Only the few units the file gets wrong go through the per-unit rule."""
    from .inheritance import checked_shak_holder

    n = len(reg.ids)
    holder = np.where(attached >= 0, attached, -1)
    problems: dict[int, str] = {}
    ids: dict[int, str] = {}
    inh = np.nonzero((attached != -2) & (attached != np.arange(n)))[0]
    wrong = inh[~_is_above(parent, inh, attached[inh])]
    for e in wrong.tolist():
        h, hid, prob = checked_shak_holder(
            reg,
            snap,
            e,
            str(code[e]),
            int(named[e]),
            int(attached[e]),
            lambda x: int(parent[x]),
        )
        holder[e] = -1 if h is None else h
        if hid is not None:
            ids[e] = hid
        if prob is not None:
            problems[e] = prob
    return holder, problems, ids


def bulk_view(reg: Register, day: dt.date) -> BulkView:
    """Provenance of every group for every unit at `day` (cached with the day's snapshot)."""
    snap = reg.snapshot(day)
    cached = snap.memo.get("bulk_view")
    if cached is not None:
        result: BulkView = cached
        return result
    n = len(reg.ids)
    rows = nearest_rows(reg, snap)
    parent = _parents(reg, snap, rows)
    claim = row_states(reg, rows)
    state: dict[str, np.ndarray] = {}
    holder: dict[str, np.ndarray] = {}
    from_group: dict[str, np.ndarray] = {}
    for key in _PARENT_GROUPS:
        if key == "shak":
            continue
        holder[key] = resolve_chain(claim[key], parent)
        from_group[key] = np.full(n, key, dtype=object)
    for key in ("visiting_address", "activity_address"):
        src = schema.FIELD_GROUPS[key].inherits_from
        inh = claim[key] == INHERITED
        holder[key] = np.where(
            claim[key] == OWN, np.arange(n), np.where(inh, holder[src], -1)
        ).astype(np.int64)
        from_group[key] = np.where(inh, from_group[src], key)
    for key in holder:
        own = holder[key] == np.arange(n)
        state[key] = np.where(
            holder[key] < 0, NONE, np.where(own & (claim[key] == OWN), OWN, INHERITED)
        ).astype(np.int8)
    code, attached, named = _shak_sources(reg, snap)
    state["shak"] = np.where(
        attached == -2, NONE, np.where(attached == np.arange(n), OWN, INHERITED)
    ).astype(np.int8)
    holder["shak"], shak_problems, shak_ids = _checked_shak(
        reg, snap, parent, code, attached, named
    )
    from_group["shak"] = np.full(n, "shak", dtype=object)
    claim["shak"] = state["shak"]
    view = BulkView(
        snap, rows, parent, claim, state, holder, from_group, code, shak_problems, shak_ids
    )
    snap.memo["bulk_view"] = view
    return view


# --- effective values ---------------------------------------------------------------


def export_columns(reg: Register) -> list[str]:
    """The SOREntity columns in the file's order, without internal ones."""
    return [c for c in reg.entities.columns if c != LINE and not str(c).startswith("__")]


_ID_TRAIL = re.compile(r"^\s*(\d+)(?:\.0)?\s*$")


def _plain_ids(values: np.ndarray) -> np.ndarray:
    """Ids as plain digits (a trailing `.0` from a spreadsheet round trip dropped)."""
    out = values.copy()
    for i, v in enumerate(values):
        if v is not None:
            m = _ID_TRAIL.match(v)
            if m:
                out[i] = m.group(1)
    return out


@dataclass
class Effective:
    """Effective values of some units at a day, column by column (object arrays)."""

    ents: np.ndarray
    columns: list[str]
    values: dict[str, np.ndarray]
    problems: list[list[str]]  # per unit: contradictions between the row and the holder


def effective(reg: Register, day: dt.date, ents: np.ndarray) -> Effective:
    """The `attributes` of `show` for many units at once (`inheritance.effective_attributes`)."""
    bv = bulk_view(reg, day)
    ents = np.asarray(ents, dtype=np.int64)
    rows = bv.rows[ents]
    columns = export_columns(reg)
    values = {c: reg.entities[c].take(rows).to_numpy(dtype=object, na_value=None) for c in columns}
    notes: list[tuple[int, int, str]] = []
    for gi, key in enumerate(schema.FIELD_GROUPS):
        if key == "shak":
            code = bv.shak_code[ents]
            hit = code != None  # noqa: E711 - element-wise on an object array
            if "ShakId" in values:
                values["ShakId"] = np.where(hit, code, values["ShakId"])
            if bv.shak_problems:
                flagged = np.asarray(list(bv.shak_problems), dtype=np.int64)
                for pos in np.nonzero(np.isin(ents, flagged))[0].tolist():
                    notes.append((pos, gi * 1000, bv.shak_problems[int(ents[pos])]))
            continue
        group = schema.FIELD_GROUPS[key]
        st = bv.state[key][ents]
        inh = np.nonzero(st == INHERITED)[0]
        if not len(inh):
            continue
        h_rows = bv.holder_rows(key)[ents[inh]]
        fg = bv.from_group[key][ents[inh]]
        for src_key in pd.unique(fg):
            part = inh[fg == src_key]
            src_rows = h_rows[fg == src_key]
            src_group = schema.FIELD_GROUPS[str(src_key)]
            src_by_part = {schema.address_part(c): c for c in src_group.columns}
            for ci, col in enumerate(group.columns):
                src_col = src_by_part.get(schema.address_part(col))
                if src_col is None or col not in values:
                    continue
                val = reg.entities[src_col].take(src_rows).to_numpy(dtype=object, na_value=None)
                mine = values[col][part]
                differ = pc.fill_null(
                    pc.not_equal(pa.array(mine, type=pa.string()), pa.array(val, type=pa.string())),
                    False,
                )
                for k in np.nonzero(np.asarray(differ.to_numpy(zero_copy_only=False)))[0]:
                    holder = reg.ids[bv.holder[key][ents[part[k]]]]
                    notes.append(
                        (
                            int(part[k]),
                            gi * 1000 + ci,
                            f"{col} says {mine[k]!r} but the "
                            f"{schema.GROUP_LABELS[key][1].lower()} is inherited from "
                            f"{holder}, which has {val[k]!r}.",
                        )
                    )
                values[col][part] = val
    problems: list[list[str]] = [[] for _ in range(len(ents))]
    for i, _order, msg in sorted(notes, key=lambda t: (t[0], t[1])):
        problems[i].append(msg)
    return Effective(ents, columns, values, problems)


def statuses(reg: Register, day: int, ents: np.ndarray) -> np.ndarray:
    """`active` / `closed` / `future` per unit (`asof.entity_status`, vectorised)."""
    first = reg.first_day[ents]
    last = reg.last_day[ents]
    closed = (last != MAX_DAY) & (day > last)
    return np.where(day < first, "future", np.where(closed, "closed", "active")).astype(object)


# --- which units, in which order -----------------------------------------------------


def _depth_first(snap: Snapshot, root: int) -> np.ndarray:
    counts = snap.child_counts()
    starts = np.r_[0, np.cumsum(counts)]
    kids = snap.all_children()
    out: list[int] = []
    stack = [root]
    while stack:
        e = stack.pop()
        out.append(e)
        c = int(counts[e])
        if c:
            stack.extend(kids[starts[e] : starts[e] + c][::-1].tolist())
    return np.asarray(out, dtype=np.int64)


def select_units(
    reg: Register,
    day: dt.date,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
) -> np.ndarray:
    """Entity indices to export, in export order.

    Only units active at the day take part unless `include_all` (then closed and
    future units too), whichever way they are chosen (ARCHITECTURE.md, "export"). A
    subtree gives its units at the day in tree order (depth first, children by name);
    otherwise units come by name. Listed `sor_ids` narrow the choice to those units
    (ids not in the file are skipped; `inactive_ids` tells which listed ones the day
    leaves out); with a subtree too, only listed units in it. The window passes
    `include_all` as its "show closed" switch stands, so what it lists is what it
    exports.
    """
    n = day_number(day)
    bv = bulk_view(reg, day)
    wanted: np.ndarray | None = None
    if sor_ids is not None:
        idx = [reg.entity_index(s) for s in sor_ids]
        wanted = np.unique(np.asarray([i for i in idx if i >= 0], dtype=np.int64))
        if not include_all:
            wanted = wanted[bv.snap.active_mask[wanted]]
    if subtree is not None:
        root = reg.entity_index(subtree)
        tsnap = Snapshot(reg, n, include_all=True) if include_all else reg.snapshot(day)
        if root < 0 or not tsnap.present[root]:
            return np.zeros(0, dtype=np.int64)
        order = _depth_first(tsnap, root)
        if wanted is not None:
            order = order[np.isin(order, wanted)]
        return order
    if wanted is not None:
        ents = wanted
    elif include_all:
        ents = np.arange(len(reg.ids), dtype=np.int64)
    else:
        ents = np.nonzero(bv.snap.active_mask)[0]
    rank = reg.name_rank[bv.rows[ents]] if len(ents) else np.zeros(0, dtype=np.int32)
    return ents[np.lexsort((reg.ids[ents], rank))]


def inactive_ids(reg: Register, day: dt.date, sor_ids: Iterable[int | str]) -> list[str]:
    """The listed ids that are in the file but not active at the day (so `select_units`
    leaves them out unless `include_all`), in the order given, without repeats."""
    active = reg.snapshot(day).active_mask
    out: dict[str, None] = {}
    for s in sor_ids:
        e = reg.entity_index(s)
        if e >= 0 and not active[e]:
            out.setdefault(str(reg.ids[e]), None)
    return list(out)


def export_columns_at(
    reg: Register,
    day: dt.date,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
) -> tuple[list[str], list[np.ndarray]]:
    """Header and the export's values column by column (object arrays of str or None)."""
    ents = select_units(reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all)
    eff = effective(reg, day, ents)
    cols = [eff.values[c] for c in eff.columns]
    for i, c in enumerate(eff.columns):
        if c in schema.ID_COLUMNS_ENTITY:
            cols[i] = _plain_ids(cols[i])
    cols.append(statuses(reg, day_number(day), ents))
    return [*eff.columns, "Status"], cols


def export_rows(
    reg: Register,
    day: dt.date,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows of an export: effective values at `day`, plus `Status`."""
    header, cols = export_columns_at(
        reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all
    )
    rows = [list(r) for r in zip(*cols, strict=True)] if len(cols[0]) else []
    return header, rows


def export_views(reg: Register, day: dt.date, ents: np.ndarray) -> list[dict[str, Any]]:
    """`reg.entity(id, day)` for many units at once (the JSON export)."""
    from .dates import iso

    n = day_number(day)
    bv = bulk_view(reg, day)
    eff = effective(reg, day, ents)
    status = statuses(reg, n, ents)
    keys = tuple(schema.FIELD_GROUPS)
    state_names = {NONE: "none", OWN: "own", INHERITED: "inherited"}
    out: list[dict[str, Any]] = []
    col_values = [eff.values[c] for c in eff.columns]
    for i, (e, record) in enumerate(zip(ents.tolist(), zip(*col_values, strict=True), strict=True)):
        attrs = dict(zip(eff.columns, record, strict=True))
        row = int(bv.rows[e])
        parent = int(bv.parent[e])
        prov = {}
        for k in keys:
            st = int(bv.state[k][e])
            h = int(bv.holder[k][e])
            fg = bv.from_group[k][e]
            from_id = str(reg.ids[h]) if st != NONE and h >= 0 else None
            if k == "shak" and st == INHERITED and h < 0:
                from_id = bv.shak_holder_ids.get(e)
            prov[k] = {
                "state": state_names[st],
                "from_sor_id": from_id,
                "from_group": fg if st != NONE and fg != k else None,
            }
        view: dict[str, Any] = {
            "sor_id": str(reg.ids[e]),
            "name": attrs.get("EntityName"),
            "sor_type": attrs.get("SorType"),
            "entity_type": attrs.get("EntityTypeName") or attrs.get("EntityTypeId"),
            "parent_sor_id": str(reg.ids[parent]) if parent >= 0 else attrs.get("ParentSorId"),
            "status": status[i],
            "valid_from": iso(int(reg.from_day[row])),
            "valid_to": iso(int(reg.to_day[row])),
            "first_from": iso(int(reg.first_day[e])),
            "attributes": attrs,
            "provenance": prov,
        }
        problems = list(eff.problems[i])
        if bool(bv.snap.gap[e]):
            problems.append(
                "The unit has no version valid on this date; the previous one is shown."
            )
        if problems:
            view["problems"] = problems
        out.append(view)
    return out


# --- files ---------------------------------------------------------------------------

FORMATS = ("csv", "xlsx", "json")


def _atomic_write(path: str, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temp file beside `path`, then move it into place."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(4)}.part")
    # os.open with 0o666 lets the umask decide, as for any new file (mkstemp would give
    # 0600, and the export would end up readable by its owner only).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mask(arr: pa.Array) -> np.ndarray:
    """A pyarrow boolean array (nulls false) as a numpy bool array."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _flagged(col: np.ndarray, pattern: str) -> np.ndarray:
    """Indices of the cells of `col` (str or None) that match `pattern`."""
    return np.nonzero(_mask(pc.match_substring_regex(pa.array(col, type=pa.string()), pattern)))[0]


_RISKY_RE = "^[=+\\-@\t\r]"
_PLAIN_NUMBER_RE = "^[+-]?\\d+(?:[.,]\\d+)*$"  # _PLAIN_NUMBER for pyarrow


#: `progress(rows_written, total_rows)`
Progress = Callable[[int, int], None]


class _Ticker:
    """Calls `progress(done, total)` at most ten times a second, and once at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.last = -1.0
        self.ended = False

    def __call__(self, done: int) -> None:
        if self.progress is None or self.ended:
            return
        now = time.monotonic()
        if done >= self.total:
            self.ended = True
        elif now - self.last < 0.1:
            return
        self.last = now
        self.progress(min(done, self.total), self.total)


def _csv_columns(cols: list[np.ndarray]) -> list[np.ndarray]:
    """Cells as CSV text: None -> "", formula-like cells neutralised (column-wise)."""
    out = []
    for col in cols:
        c = col.copy()
        for i in _flagged(c, _RISKY_RE):
            c[i] = neutralise(c[i])
        c[c == None] = ""  # noqa: E711 - element-wise on an object array
        out.append(c)
    return out


_CHUNK = 2000  # rows written between progress reports


def _write_csv(fh: IO[bytes], header: list[str], cols: list[np.ndarray], tick: _Ticker) -> None:
    import io

    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    w = csv.writer(text, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([neutralise(h) for h in header])
    cells = _csv_columns(cols)
    n = len(cols[0]) if cols else 0
    for lo in range(0, n, _CHUNK):
        w.writerows(zip(*(c[lo : lo + _CHUNK] for c in cells), strict=True))
        tick(min(lo + _CHUNK, n))
    text.flush()
    text.detach()
    tick(n)


# XLSX through openpyxl's write-only mode. Its cost is per cell in Python (about 5 us for a
# plain string, about twice that for a cell with a style), so body cells are plain `str`
# unless a style is needed: the Text number format ("@") on cells Excel would turn into a
# number, date or truth value when the user edits them (ids, codes, postcodes, phone
# numbers, dates: a 16-18 digit id would lose its last digits), and on formula-like text
# also quotePrefix with the cell forced to a string (openpyxl would store "=..." as a
# formula). Every cell is an inline string, so values are text whatever their format.

_XLSX_ILLEGAL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"  # not allowed in XML 1.0
_XLSX_MAX_CELL = 32767
#: text Excel would reinterpret when a cell is edited (RE2 syntax, for pyarrow)
_NUMBER_LIKE = "^\\s*[+-]?\\d[\\d\\s.,:/+-]*(?:[eE][+-]?\\d+)?%?\\s*$|^(?i:true|false)$"


def _xlsx_column(col: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell text or None, indices needing the Text format, indices to quote) of a column."""
    raw = pa.array(col, type=pa.string())
    text = pc.replace_substring_regex(raw, _XLSX_ILLEGAL, " ")
    text = pc.utf8_slice_codeunits(text, 0, _XLSX_MAX_CELL)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    risky = _mask(pc.match_substring_regex(raw, _RISKY_RE))
    risky &= ~_mask(pc.match_substring_regex(raw, _PLAIN_NUMBER_RE))
    styled = risky | _mask(pc.match_substring_regex(text, _NUMBER_LIKE))
    values = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    return values, np.nonzero(styled & ~risky)[0], np.nonzero(risky)[0]


def _column_width(title: str, col: np.ndarray) -> int:
    """Width from the header and the first 500 values, kept within 8-50 characters."""
    longest = max([len(title), *(len(v) for v in col[:500].tolist() if v is not None)])
    return min(max(longest + 2, 8), 50)


#: name of the XLSX sheet that says what the export is (with `stamp`)
ABOUT_SHEET = "Om udtrækket"


def _write_xlsx(
    fh: IO[bytes],
    header: list[str],
    cols: list[np.ndarray],
    tick: _Ticker,
    about: list[tuple[str, object]] | None = None,
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("SOR")
    ws.freeze_panes = "A2"
    prepared = [_xlsx_column(c) for c in cols]
    heads = [_xlsx_column(np.array([h], dtype=object))[0][0] or "" for h in header]
    for i, (title, (values, _s, _q)) in enumerate(zip(heads, prepared, strict=True)):
        ws.column_dimensions[get_column_letter(i + 1)].width = _column_width(title, values)
    bold = Font(bold=True)
    head_cells = []
    for title in heads:
        cell = WriteOnlyCell(ws, title)
        cell.data_type = "s"  # a header is never a formula
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)

    as_text = StyleArray()
    as_text.numFmtId = 49  # the built-in "@" (Text) format
    quoted = StyleArray(as_text)
    quoted.quotePrefix = 1
    n = len(cols[0]) if cols else 0
    try:
        _xlsx_rows(ws, prepared, n, as_text, quoted, tick)
    except BaseException:
        # Stopped (cancel from `tick`, or an error): finish openpyxl's sheet stream now,
        # since a stream left open raises when it is collected, and drop its temp file.
        with contextlib.suppress(Exception):
            ws.close()
            ws._writer.cleanup()
        raise
    if about is not None:
        _xlsx_about(wb, about, bold)
    wb.save(fh)
    tick(n)


def _xlsx_about(wb: Any, about: list[tuple[str, object]], bold: Any) -> None:
    """The second sheet: label/value rows. Text cells are forced to strings (a source
    file name may start with "="); numbers stay numbers."""
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(ABOUT_SHEET)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 40
    for label, value in about:
        cells = []
        for i, v in enumerate((label, value)):
            if v is None:
                continue
            text = v if isinstance(v, int) else _xlsx_column(np.array([str(v)], dtype=object))[0][0]
            cell = WriteOnlyCell(ws, text)
            if not isinstance(v, int):
                cell.data_type = "s"  # never a formula
                if needs_neutralising(str(v)):
                    cell.quotePrefix = True
            if i == 0 and value is not None:
                cell.font = bold
            cells.append(cell)
        ws.append(cells)


def _xlsx_rows(
    ws: Any, prepared: list[Any], n: int, as_text: Any, quoted: Any, tick: _Ticker
) -> None:
    from openpyxl.cell import Cell

    step = _CHUNK // 4  # about 0.3 s a step: a smooth progress bar
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        parts: list[list[Any]] = []
        for values, styled, quote in prepared:
            part: list[Any] = values[lo:hi].tolist()
            a, b = np.searchsorted(styled, (lo, hi))
            for k in (styled[a:b] - lo).tolist():
                part[k] = Cell(ws, 1, 1, value=part[k], style_array=as_text)
            a, b = np.searchsorted(quote, (lo, hi))
            for k in (quote[a:b] - lo).tolist():
                cell = Cell(ws, 1, 1, value=part[k], style_array=quoted)
                cell.data_type = "s"
                part[k] = cell
            parts.append(part)
        for row in zip(*parts, strict=True):
            ws.append(row)
        tick(hi)


def _write_json(
    fh: IO[bytes], chunks: Iterable[list[dict[str, Any]]], total: int, tick: _Ticker
) -> None:
    # One unit per line: readable, and the C encoder (indent= would use the slow one).
    fh.write(b"[")
    done = 0
    for views in chunks:
        for v in views:
            fh.write(b",\n" if done else b"\n")
            fh.write(json.dumps(v, ensure_ascii=False).encode("utf-8"))
            done += 1
            if not done % 500:
                tick(done)
    fh.write(b"\n]\n")
    tick(total)


def write_export(
    reg: Register,
    day: dt.date,
    path: str,
    fmt: str,
    *,
    sor_ids: Iterable[int | str] | None = None,
    subtree: int | str | None = None,
    include_all: bool = False,
    progress: Progress | None = None,
    stamp: bool = False,
) -> int:
    """Write the export to `path` as csv, xlsx or json; returns the number of units.

    `progress(rows_written, total)` is called at most about ten times a second while
    the rows are written, and once with `(total, total)` when the file is complete.
    An exception raised in `progress` stops the export and leaves no file behind (a
    way to cancel).

    With `stamp` (the window sets it; the CLI keeps the contract's columns) the as-of
    date travels inside the file, so it survives renaming the file: a last column
    `AsOfDate` (CSV, XLSX), an `as_of` key on every object (JSON), and in XLSX a second
    sheet "Om udtrækket" with the date, the source file, the export time and the
    number of units.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use csv, xlsx or json.")
    as_of = day.isoformat()
    if fmt == "json":
        ents = select_units(reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all)
        total = len(ents)
        # views in large chunks: each costs ~0.1 s of column work whatever its size
        step = 10_000
        chunks: Iterable[list[dict[str, Any]]] = (
            export_views(reg, day, ents[lo : lo + step]) for lo in range(0, total, step)
        )
        if stamp:
            chunks = ([{**v, "as_of": as_of} for v in views] for views in chunks)
        _atomic_write(path, lambda fh: _write_json(fh, chunks, total, _Ticker(progress, total)))
        return total
    header, cols = export_columns_at(
        reg, day, sor_ids=sor_ids, subtree=subtree, include_all=include_all
    )
    total = len(cols[0])
    about: list[tuple[str, object]] | None = None
    if stamp:
        header = [*header, "AsOfDate"]
        cols = [*cols, np.full(total, as_of, dtype=object)]
        about = [
            (f"Værdier som de var gældende på {day:%d-%m-%Y}", None),
            ("", None),
            ("Gældende dato", as_of),
            ("Kildefil", os.path.basename(reg.source.path)),
            ("Udtrukket", dt.datetime.now().astimezone().isoformat(timespec="seconds")),
            ("Antal enheder", total),
        ]
    if fmt == "csv":
        _atomic_write(path, lambda fh: _write_csv(fh, header, cols, _Ticker(progress, total)))
    else:
        _atomic_write(
            path, lambda fh: _write_xlsx(fh, header, cols, _Ticker(progress, total), about)
        )
    return total
