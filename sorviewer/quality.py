"""Data-quality findings at a date, the things a SOR coordinator would want to fix.

Each finding is `{"severity", "kind", "sor_id", "message"}` with one clear
sentence (`findings` gives the sentence as a `messages.Message`, for the window's
language; `quality` renders it in English for the CLI). Everything is array work
over the day's snapshot and the provenance engine (`provenance.at`); Python loops
only write the messages. Only units active at the date are checked. Some of these
problems are also in the load report (cycles, unknown parents, bad check digits);
quality recomputes them at the date, so each problem is one finding here whatever
the report holds.

Kinds, errors first:
`cycle` (the unit is in a loop of parents at the date), `parent_missing` (its
parent is not in the file), `parent_not_active` (its parent is closed or not yet
open), `bad_check_digit` (SOR id), `bad_ean` (GS1 check digit of an own EAN),
`ean_from_closed` (the inherited EAN location number comes from a closed or
future unit), `no_postal_address`, `inherited_without_source`, `ean_without_edi`,
`shared_ean`, `duplicate_provider` (one provider number on several active units),
`shak_multiple`, `no_name`, `name_spaces`, `empty_subtree`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import provenance
from .arrays import cycle_members, first_up, path_up
from .asof import Snapshot, parent_entity_per_row, snapshot
from .dates import MAX_DAY, from_day
from .edi import _valid as _valid_rows
from .edi import edi_map
from .ids import ean_ok, sor_id_issue, sor_ids_look_ok
from .messages import Joined, Message, clean_text, msg
from .provenance import INHERITED, NONE, OWN
from .register import Store
from .shakmap import map_table

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
#: how many units a finding about a shared code names before "and N more"
LIST_LIMIT = 5
#: how many units of a loop of parents a finding names before it only counts them
LOOP_LIMIT = 8


@dataclass(frozen=True)
class Finding:
    """One data-quality finding; `message` renders in either language."""

    severity: str  # error | warning | info
    kind: str
    sor_id: str | None
    message: Message

    def as_json(self) -> dict[str, Any]:
        """The `quality` CLI entry (the sentence in English)."""
        return {
            "severity": self.severity,
            "kind": self.kind,
            "sor_id": self.sor_id,
            "message": self.message.render("en"),
        }


class _Findings:
    """Collects findings with a sort key (severity, kind, name order, id)."""

    def __init__(self, reg: Store, snap: Snapshot) -> None:
        self.reg = reg
        self.snap = snap
        self.items: list[tuple[tuple[int, str, int, int], Finding]] = []
        self.names = np.full(len(reg.ids), None, dtype=object)
        present = np.nonzero(snap.row_of >= 0)[0]
        self.names[present] = reg.series("EntityName", snap.row_of[present]).to_numpy(
            dtype=object, na_value=None
        )

    def label(self, e: int) -> Message:
        return _label(self.names[e], int(self.reg.ids[e]))

    def add(self, severity: str, kind: str, e: int | None, message: Message) -> None:
        rank = int(self.snap.rank[e]) if e is not None else -1
        sid = int(self.reg.ids[e]) if e is not None else 0
        key = (SEVERITY_ORDER[severity], kind, rank, sid)
        found = Finding(severity, kind, None if e is None else str(self.reg.ids[e]), message)
        self.items.append((key, found))

    def result(self) -> list[Finding]:
        return [d for _k, d in sorted(self.items, key=lambda t: t[0])]

    def listing(self, ents: np.ndarray) -> Joined | Message:
        shown = Joined(tuple(self.label(int(e)) for e in ents[:LIST_LIMIT]))
        more = len(ents) - LIST_LIMIT
        return msg("query.listing_more", shown=shown, more=more) if more > 0 else shown

    def by_name(self, ents: np.ndarray) -> np.ndarray:
        return ents[np.lexsort((self.reg.ids[ents], self.snap.rank[ents]))]


def _label(name: str | None, sor_id: int) -> Message:
    """A unit in a sentence: "Name (id)", or "unit id" when it has no name."""
    if name and name.strip():
        return msg("query.unit_label", name=clean_text(name.strip()), sor_id=str(sor_id))
    return msg("query.unit_label_unnamed", sor_id=str(sor_id))


def quality(reg: Store, day: dt.date) -> list[dict[str, Any]]:
    """The `quality` CLI document at `day`: errors first, then by kind and unit name."""
    return [f.as_json() for f in findings(reg, day)]


def findings(reg: Store, day: dt.date) -> list[Finding]:
    """Data-quality findings at `day`, errors first, then by kind and unit name."""
    snap = snapshot(reg, day)
    out = _Findings(reg, snap)
    if not len(reg.ids):
        return []
    active = snap.active_mask
    _cycles(reg, snap, out, active)
    _parents(reg, snap, out, active)
    _check_digits(reg, out, active)
    prov = provenance.at(reg, snap.day)
    closed_source = _ean_from_closed(reg, prov, out, active)
    _addresses(reg, prov, out, active, closed_source)
    _eans(reg, prov, out, active)
    _providers(reg, snap, out, active)
    _shak(reg, snap, out, active)
    _names(reg, snap, out, active)
    _empty_subtrees(reg, snap, out, active)
    return out.result()


def _parent_index(reg: Store, rows: np.ndarray) -> np.ndarray:
    """Entity index of the parent each version row names, -1 for none or not in the file."""
    return np.maximum(parent_entity_per_row(reg)[rows], -1)


def _not_active_when(reg: Store, p: int, day: int) -> Message:
    """Why unit `p` is not active on `day`, as the end of a sentence."""
    if day < reg.first_day[p]:
        return msg("query.opens_on", day=from_day(int(reg.first_day[p])))
    if reg.last_day[p] != MAX_DAY and day > reg.last_day[p]:
        return msg("query.closed_after", day=from_day(int(reg.last_day[p])))
    return msg("query.not_in_force")


def _last_name(reg: Store, p: int) -> Message:
    return _label(reg.value(int(reg.id_start[p + 1]) - 1, "EntityName"), int(reg.ids[p]))


def _cycles(reg: Store, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Active units in a loop of parents at the day (the tree shows them as orphans)."""
    ents = np.nonzero(active)[0]
    up = np.full(len(reg.ids), -1, dtype=np.int64)
    pidx = _parent_index(reg, snap.row_of[ents])
    up[ents] = np.where((pidx >= 0) & active[np.maximum(pidx, 0)], pidx, -1)
    loops: dict[int, tuple[list[int], int]] = {}  # unit -> (its loop, its place in it)
    for e in np.nonzero(cycle_members(up))[0].tolist():
        if e not in loops:
            loop = path_up(up, e)  # around the loop once
            loops.update({k: (loop, i) for i, k in enumerate(loop)})
        loop, at = loops[e]
        size = len(loop)
        mine = [loop[(at + i) % size] for i in range(min(size, LOOP_LIMIT))]  # from e on
        if size <= LOOP_LIMIT:
            path: Joined | Message = Joined(tuple(out.label(k) for k in [*mine, e]), " -> ")
        else:
            shown = Joined(tuple(out.label(k) for k in mine[: LOOP_LIMIT - 1]), " -> ")
            path = msg("query.loop_more", shown=shown, count=size, back=out.label(e))
        out.add("error", "cycle", e, msg("query.cycle", unit=out.label(e), path=path))


def _parents(reg: Store, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Orphans: active units whose parent is not in the file, or closed or not yet open."""
    ents = np.nonzero(active)[0]
    pid = reg.parent_id[snap.row_of[ents]]
    pidx = _parent_index(reg, snap.row_of[ents])
    missing = (pid != 0) & (pidx < 0)
    for e, p in zip(ents[missing].tolist(), pid[missing].tolist(), strict=True):
        out.add(
            "error",
            "parent_missing",
            e,
            msg("query.parent_missing", unit=out.label(e), parent=str(p)),
        )
    bad = (pidx >= 0) & ~active[np.maximum(pidx, 0)]
    for e, p in zip(ents[bad].tolist(), pidx[bad].tolist(), strict=True):
        when = _not_active_when(reg, p, snap.day)
        out.add(
            "error",
            "parent_not_active",
            e,
            msg("query.parent_not_active", unit=out.label(e), parent=_last_name(reg, p), when=when),
        )


def _check_digits(reg: Store, out: _Findings, active: np.ndarray) -> None:
    """SOR ids of active units that fail the Verhoeff check (or namespace, length)."""
    ents = np.nonzero(active)[0]
    for e in ents[~sor_ids_look_ok(reg.ids[ents])].tolist():
        problem = sor_id_issue(str(reg.ids[e]))
        if problem:
            out.add(
                "warning",
                "bad_check_digit",
                e,
                msg("query.bad_sor_id", unit=out.label(e), problem=problem),
            )


def _ean_from_closed(
    reg: Store, prov: provenance.Provenance, out: _Findings, active: np.ndarray
) -> np.ndarray:
    """Active units inheriting an EAN that, up the parents their rows name, belongs to a
    unit that is closed at the day or that they only reach through one.

    At the day the tree has no path through a closed unit, so the provenance finds no
    source; the rows still name the chain, which is followed here through each unit's
    row (its nearest version when it is not in life). Returns the mask of units
    reported (no second finding for them).
    """
    snap = out.snap
    key = "ean_location_code"
    every = np.arange(len(reg.ids))
    claim = prov.claims()[key][prov.node_of(every)]
    cand = active & (claim == INHERITED) & (prov.state_of(key, every) == NONE)
    hit = np.zeros(len(reg.ids), dtype=bool)
    if not cand.any():
        return hit
    rows = prov.rows_of(every)
    named = _parent_index(reg, rows)
    holder = provenance.resolve_up(provenance.row_states(reg, rows)[key], named)
    hit = cand & (holder >= 0)
    # the first unit up each chain that is not active, or the holder if none is before it
    stop = ~active | (claim != INHERITED)
    first_stop = first_up(named, stop)
    for e in np.nonzero(hit)[0].tolist():
        h = int(holder[e])
        code = clean_text((reg.value(int(rows[h]), "EanLocationCode") or "?").strip())
        via = int(first_stop[named[e]])
        if via < 0 or active[via]:
            continue  # an active holder out of reach only in a loop: `cycle` tells
        when = _not_active_when(reg, via, snap.day)
        if via == h:
            where = msg("query.from_closed", holder=_last_name(reg, h), when=when)
        else:
            where = msg(
                "query.from_closed_through",
                holder=_last_name(reg, h),
                via=_last_name(reg, via),
                when=when,
            )
        out.add(
            "warning",
            "ean_from_closed",
            e,
            msg("query.ean_from_closed", unit=out.label(e), code=code, where=where),
        )
    return hit


def _addresses(
    reg: Store,
    prov: provenance.Provenance,
    out: _Findings,
    active: np.ndarray,
    reported: np.ndarray,
) -> None:
    every = np.arange(len(reg.ids))
    nodes = prov.node_of(every)
    claims = {k: v[nodes] for k, v in prov.claims().items()}

    def state(key: str) -> np.ndarray:
        return prov.state_of(key, every)

    postal_none = active & (state("postal_address") == NONE)
    claimed = claims["postal_address"] == INHERITED
    for e in np.nonzero(postal_none)[0].tolist():
        code = "query.no_postal_inherited" if claimed[e] else "query.no_postal"
        out.add("warning", "no_postal_address", e, msg(code, unit=out.label(e)))
    virt = active & (claims["virtual_address"] == INHERITED)
    virt &= state("virtual_address") == NONE
    for e in np.nonzero(virt)[0].tolist():
        out.add(
            "info",
            "inherited_without_source",
            e,
            msg("query.virtual_without_source", unit=out.label(e)),
        )
    ean = active & (claims["ean_location_code"] == INHERITED)
    ean &= (state("ean_location_code") == NONE) & ~reported
    for e in np.nonzero(ean)[0].tolist():
        out.add(
            "warning",
            "inherited_without_source",
            e,
            msg("query.ean_without_source", unit=out.label(e)),
        )


def _eans(reg: Store, prov: provenance.Provenance, out: _Findings, active: np.ndarray) -> None:
    """Own EANs without EDI message types, and own EANs shared by several active units."""
    snap = out.snap
    every = np.arange(len(reg.ids))
    claim = prov.claims()["ean_location_code"][prov.node_of(every)]
    owners = np.nonzero(active & (claim == OWN))[0]
    codes = (
        reg.series("EanLocationCode", snap.row_of[owners])
        .str.strip()
        .to_numpy(dtype=object, na_value=None)
    )
    has = np.array([c is not None and c != "" for c in codes], dtype=bool)
    owners, codes = owners[has], codes[has]
    good = {c: ean_ok(c) for c in set(codes.tolist())}
    for e, c in zip(owners.tolist(), codes.tolist(), strict=True):
        if not good[c]:
            out.add(
                "warning", "bad_ean", e, msg("query.bad_ean", code=clean_text(c), unit=out.label(e))
            )
    m = edi_map(reg)
    if m is not None:
        accepted = set(m.loc[_valid_rows(m, snap.day), "EanLocationCode"].dropna().tolist())
        for e, c in zip(owners.tolist(), codes.tolist(), strict=True):
            if c not in accepted:
                out.add(
                    "warning",
                    "ean_without_edi",
                    e,
                    msg("query.ean_without_edi", unit=out.label(e), code=clean_text(c)),
                )
    if not len(owners):
        return
    frame = pd.DataFrame({"code": codes, "e": owners})
    counts = frame.groupby("code", sort=True)["e"].transform("size").to_numpy()
    shared = frame.loc[counts > 1]
    for code, group in shared.groupby("code", sort=True):
        ents = out.by_name(group["e"].to_numpy())
        out.add(
            "warning",
            "shared_ean",
            int(ents[0]),
            msg(
                "query.shared_ean",
                code=clean_text(code),
                count=len(ents),
                units=out.listing(ents),
            ),
        )


def _providers(reg: Store, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Provider numbers (ydernummer) carried by several active units at once."""
    if "ProviderId" not in reg.column_names():
        return
    ents = np.nonzero(active)[0]
    codes = (
        reg.series("ProviderId", snap.row_of[ents])
        .str.strip()
        .to_numpy(dtype=object, na_value=None)
    )
    has = np.array([c is not None and c != "" for c in codes], dtype=bool)
    frame = pd.DataFrame({"code": codes[has], "e": ents[has]})
    if not len(frame):
        return
    counts = frame.groupby("code", sort=True)["e"].transform("size").to_numpy()
    for code, group in frame.loc[counts > 1].groupby("code", sort=True):
        found = out.by_name(group["e"].to_numpy())
        out.add(
            "warning",
            "duplicate_provider",
            int(found[0]),
            msg(
                "query.duplicate_provider",
                code=clean_text(code),
                count=len(found),
                units=out.listing(found),
            ),
        )


def _shak(reg: Store, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """SHAK codes attached directly to several active units at once."""
    table = map_table(reg)
    if table is not None:
        hit = table.valid_rows(snap.day)
        hit = hit[table.direct[hit]]
        e = reg.index_of(table.sor[hit])
        ok = e >= 0
        ok[ok] = active[e[ok]]
        frame = pd.DataFrame({"code": table.shak[hit][ok].astype(str), "e": e[ok]})
    else:
        ents = np.nonzero(active)[0]
        codes = (
            reg.series("ShakId", snap.row_of[ents])
            .str.strip()
            .to_numpy(dtype=object, na_value=None)
        )
        has = np.array([c is not None and c != "" for c in codes], dtype=bool)
        frame = pd.DataFrame({"code": codes[has], "e": ents[has]})
    frame = frame.drop_duplicates()
    if not len(frame):
        return
    counts = frame.groupby("code", sort=True)["e"].transform("size").to_numpy()
    for code, group in frame.loc[counts > 1].groupby("code", sort=True):
        ents = out.by_name(group["e"].to_numpy())
        out.add(
            "warning",
            "shak_multiple",
            int(ents[0]),
            msg(
                "query.shak_multiple",
                code=clean_text(code),
                count=len(ents),
                units=out.listing(ents),
            ),
        )


def _names(reg: Store, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    ents = np.nonzero(active)[0]
    names = reg.series("EntityName", snap.row_of[ents])
    missing = names.isna() | (names.str.strip() == "")
    for e in ents[missing.to_numpy(dtype=bool)].tolist():
        out.add("warning", "no_name", e, msg("query.no_name", sor_id=str(reg.ids[e])))
    stripped = names.str.strip()
    edges = (~missing & (stripped != names)).to_numpy(dtype=bool)
    doubled = (~missing & names.str.contains("  ", regex=False)).to_numpy(dtype=bool)
    for i in np.nonzero(edges | doubled)[0].tolist():
        what = (
            "query.spaces_both"
            if edges[i] and doubled[i]
            else ("query.spaces_edges" if edges[i] else "query.spaces_doubled")
        )
        e = int(ents[i])
        out.add(
            "info",
            "name_spaces",
            e,
            msg(
                "query.name_spaces",
                name=clean_text(names.iat[i]),
                sor_id=str(reg.ids[e]),
                what=msg(what),
            ),
        )


def _empty_subtrees(reg: Store, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Active units that once had units under them, all of which are now closed."""
    n = len(reg.ids)
    pidx = parent_entity_per_row(reg)
    known = pidx >= 0
    pairs = np.unique(
        np.stack([pidx[known], reg.row_entity[known].astype(np.int64)], axis=1), axis=0
    )
    if not len(pairs):
        return
    parent, child = pairs[:, 0], pairs[:, 1]
    closed = (reg.last_day[child] != MAX_DAY) & (snap.day > reg.last_day[child])
    former = np.bincount(parent, minlength=n)
    closed_count = np.bincount(parent, weights=closed, minlength=n).astype(np.int64)
    cand = active & (former > 0) & (closed_count == former) & (snap.child_counts() == 0)
    for e in np.nonzero(cand)[0].tolist():
        k = int(former[e])
        if k == 1:
            found = msg("query.empty_subtree_one", unit=out.label(e))
        else:
            found = msg("query.empty_subtree_all", unit=out.label(e), count=k)
        out.add("info", "empty_subtree", e, found)
