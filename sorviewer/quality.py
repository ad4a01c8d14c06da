"""Data-quality findings at a date, the things a SOR coordinator would want to fix.

Each finding is `{"severity", "kind", "sor_id", "message"}` with one clear
sentence. Everything is array work over the day's snapshot and the bulk
provenance of `export.bulk_view`; Python loops only write the messages. Only
units active at the date are checked. Some of these problems are also in the
load report (cycles, unknown parents, bad check digits); quality recomputes them
at the date, so each problem is one finding here whatever the report holds.

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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .dates import MAX_DAY, MIN_DAY, iso, parse_day_column
from .export import INHERITED, NONE, OWN, bulk_view, resolve_chain, row_states
from .ids import ean_ok, sor_id_problem, sor_ids_look_ok

if TYPE_CHECKING:
    from .asof import Snapshot
    from .register import Register

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
#: how many units a finding about a shared code names before "and N more"
LIST_LIMIT = 5


class _Findings:
    """Collects findings with a sort key (severity, kind, name order, id)."""

    def __init__(self, reg: Register, snap: Snapshot) -> None:
        self.reg = reg
        self.snap = snap
        self.items: list[tuple[tuple[int, str, int, int], dict[str, Any]]] = []
        self.names = np.full(len(reg.ids), None, dtype=object)
        present = np.nonzero(snap.row_of >= 0)[0]
        self.names[present] = (
            reg.entities["EntityName"]
            .take(snap.row_of[present])
            .to_numpy(dtype=object, na_value=None)
        )

    def label(self, e: int) -> str:
        name = self.names[e]
        sid = self.reg.ids[e]
        return f"{name.strip()} ({sid})" if name and name.strip() else f"unit {sid}"

    def add(self, severity: str, kind: str, e: int | None, message: str) -> None:
        rank = int(self.snap.rank[e]) if e is not None else -1
        sid = int(self.reg.ids[e]) if e is not None else 0
        key = (SEVERITY_ORDER[severity], kind, rank, sid)
        self.items.append(
            (
                key,
                {
                    "severity": severity,
                    "kind": kind,
                    "sor_id": None if e is None else str(self.reg.ids[e]),
                    "message": message,
                },
            )
        )

    def result(self) -> list[dict[str, Any]]:
        return [d for _k, d in sorted(self.items, key=lambda t: t[0])]

    def listing(self, ents: np.ndarray) -> str:
        shown = ", ".join(self.label(int(e)) for e in ents[:LIST_LIMIT])
        more = len(ents) - LIST_LIMIT
        return shown + (f" and {more} more" if more > 0 else "")

    def by_name(self, ents: np.ndarray) -> np.ndarray:
        return ents[np.lexsort((self.reg.ids[ents], self.snap.rank[ents]))]


def quality(reg: Register, day: dt.date) -> list[dict[str, Any]]:
    """Data-quality findings at `day`, errors first, then by kind and unit name."""
    snap = reg.snapshot(day)
    out = _Findings(reg, snap)
    if not len(reg.ids):
        return []
    active = snap.active_mask
    _cycles(reg, snap, out, active)
    _parents(reg, snap, out, active)
    _check_digits(reg, out, active)
    closed_source = _ean_from_closed(reg, day, out, active)
    _addresses(reg, day, out, active, closed_source)
    _eans(reg, day, out, active)
    _providers(reg, snap, out, active)
    _shak(reg, snap, out, active)
    _names(reg, snap, out, active)
    _empty_subtrees(reg, snap, out, active)
    return out.result()


def _parent_index(reg: Register, rows: np.ndarray) -> np.ndarray:
    """Entity index of the parent each version row names, -1 for none or not in the file."""
    n = len(reg.ids)
    pid = reg.parent_id[rows]
    pidx = np.minimum(np.searchsorted(reg.ids, pid), n - 1)
    return np.where((pid != 0) & (reg.ids[pidx] == pid), pidx, -1)


def _not_active_when(reg: Register, p: int, day: int) -> str:
    """Why unit `p` is not active on `day`, as the end of a sentence."""
    if day < reg.first_day[p]:
        return f"only opens on {iso(int(reg.first_day[p]))}"
    if reg.last_day[p] != MAX_DAY and day > reg.last_day[p]:
        return f"closed after {iso(int(reg.last_day[p]))}"
    return "is not in force on this date"


def _last_name(reg: Register, p: int) -> str:
    name = reg.value(int(reg.id_start[p + 1]) - 1, "EntityName")
    return f"{name.strip()} ({reg.ids[p]})" if name and name.strip() else f"unit {reg.ids[p]}"


def _cycles(reg: Register, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Active units in a loop of parents at the day (the tree shows them as orphans)."""
    ents = np.nonzero(active)[0]
    up = np.full(len(reg.ids), -1, dtype=np.int64)
    pidx = _parent_index(reg, snap.row_of[ents])
    up[ents] = np.where((pidx >= 0) & active[np.maximum(pidx, 0)], pidx, -1)
    anc = up.copy()
    for _ in range(12):  # real trees are at most ~7 deep: most days end here
        if not (anc >= 0).any():
            return
        anc = np.where(anc >= 0, up[np.maximum(anc, 0)], -1)
    for _ in range(max(len(up), 1).bit_length() + 1):
        anc = np.where(anc >= 0, anc[np.maximum(anc, 0)], -1)
    for e in np.unique(anc[anc >= 0]).tolist():  # after > n steps up, only loops remain
        loop = [e]
        while up[loop[-1]] != e:
            loop.append(int(up[loop[-1]]))
        path = " -> ".join(out.label(k) for k in [*loop, e])
        out.add(
            "error",
            "cycle",
            e,
            f"{out.label(e)} is in a loop of parent units ({path}), so it has no place in "
            "the tree and is shown under 'Missing parent'.",
        )


def _parents(reg: Register, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
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
            f"{out.label(e)} is active, but its parent {p} is not in the file, so it is shown "
            "under 'Missing parent'.",
        )
    bad = (pidx >= 0) & ~active[np.maximum(pidx, 0)]
    for e, p in zip(ents[bad].tolist(), pidx[bad].tolist(), strict=True):
        out.add(
            "error",
            "parent_not_active",
            e,
            f"{out.label(e)} is active, but its parent {_last_name(reg, p)} "
            f"{_not_active_when(reg, p, snap.day)}.",
        )


def _check_digits(reg: Register, out: _Findings, active: np.ndarray) -> None:
    """SOR ids of active units that fail the Verhoeff check (or namespace, length)."""
    ents = np.nonzero(active)[0]
    for e in ents[~sor_ids_look_ok(reg.ids[ents])].tolist():
        problem = sor_id_problem(str(reg.ids[e]))
        if problem:
            out.add("warning", "bad_check_digit", e, f"The SOR id of {out.label(e)} {problem}.")


def _ean_from_closed(reg: Register, day: dt.date, out: _Findings, active: np.ndarray) -> np.ndarray:
    """Active units inheriting an EAN that, up the parents their rows name, belongs to a
    unit that is closed at the day or that they only reach through one.

    At the day the tree has no path through a closed unit, so the bulk view finds no
    source; the rows still name the chain, which is followed here through each unit's
    nearest version. Returns the mask of units reported (no second finding for them).
    """
    bv = bulk_view(reg, day)
    snap = out.snap
    key = "ean_location_code"
    cand = active & (bv.claim[key] == INHERITED) & (bv.state[key] == NONE)
    hit = np.zeros(len(reg.ids), dtype=bool)
    if not cand.any():
        return hit
    named = _parent_index(reg, bv.rows)
    holder = resolve_chain(row_states(reg, bv.rows)[key], named)
    hit = cand & (holder >= 0)
    for e in np.nonzero(hit)[0].tolist():
        h = int(holder[e])
        code = reg.value(int(bv.rows[h]), "EanLocationCode") or "?"
        via = int(named[e])  # the first unit up the chain that is not active
        while active[via] and via != h:
            via = int(named[via])
        if active[via]:
            continue  # an active holder out of reach only in a loop: `cycle` tells
        if via == h:
            where = f"from {_last_name(reg, h)}, which {_not_active_when(reg, h, snap.day)}"
        else:
            where = (
                f"from {_last_name(reg, h)} through {_last_name(reg, via)}, which "
                f"{_not_active_when(reg, via, snap.day)}"
            )
        out.add(
            "warning",
            "ean_from_closed",
            e,
            f"{out.label(e)} inherits its EAN location number {code.strip()} {where}.",
        )
    return hit


def _addresses(
    reg: Register, day: dt.date, out: _Findings, active: np.ndarray, reported: np.ndarray
) -> None:
    bv = bulk_view(reg, day)
    postal_none = active & (bv.state["postal_address"] == NONE)
    claimed = bv.claim["postal_address"] == INHERITED
    for e in np.nonzero(postal_none)[0].tolist():
        if claimed[e]:
            msg = f"{out.label(e)} inherits its postal address, but no unit above it has one."
        else:
            msg = f"{out.label(e)} has no postal address, neither its own nor inherited."
        out.add("warning", "no_postal_address", e, msg)
    virt = active & (bv.claim["virtual_address"] == INHERITED)
    virt &= bv.state["virtual_address"] == NONE
    for e in np.nonzero(virt)[0].tolist():
        out.add(
            "info",
            "inherited_without_source",
            e,
            f"{out.label(e)} inherits its virtual address (phone, e-mail, web), but no unit "
            "above it has one.",
        )
    ean = active & (bv.claim["ean_location_code"] == INHERITED)
    ean &= (bv.state["ean_location_code"] == NONE) & ~reported
    for e in np.nonzero(ean)[0].tolist():
        out.add(
            "warning",
            "inherited_without_source",
            e,
            f"{out.label(e)} is marked as inheriting an EAN location number, but no unit above "
            "it has one.",
        )


def _valid_rows(df: pd.DataFrame, day: int) -> np.ndarray:
    ok = np.ones(len(df), dtype=bool)
    if "FromDate" in df.columns:
        ok &= parse_day_column(df["FromDate"], MIN_DAY)[0] <= day
    if "ToDate" in df.columns:
        ok &= parse_day_column(df["ToDate"], MAX_DAY)[0] >= day
    return ok


def _eans(reg: Register, day: dt.date, out: _Findings, active: np.ndarray) -> None:
    """Own EANs without EDI message types, and own EANs shared by several active units."""
    from .edi import edi_map

    bv = bulk_view(reg, day)
    snap = out.snap
    owners = np.nonzero(active & (bv.claim["ean_location_code"] == OWN))[0]
    codes = (
        reg.entities["EanLocationCode"]
        .take(snap.row_of[owners])
        .str.strip()
        .to_numpy(dtype=object, na_value=None)
    )
    has = np.array([c is not None and c != "" for c in codes], dtype=bool)
    owners, codes = owners[has], codes[has]
    good = {c: ean_ok(c) for c in set(codes.tolist())}
    for e, c in zip(owners.tolist(), codes.tolist(), strict=True):
        if not good[c]:
            out.add(
                "warning",
                "bad_ean",
                e,
                f"The EAN location number {c} of {out.label(e)} is not 13 digits with a valid "
                "GS1 check digit.",
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
                    f"{out.label(e)} has its own EAN location number {c}, but no EDI message "
                    "type is registered for it.",
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
            f"EAN location number {code} is the own number of {len(ents)} active units: "
            f"{out.listing(ents)}.",
        )


def _providers(reg: Register, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Provider numbers (ydernummer) carried by several active units at once."""
    if "ProviderId" not in reg.entities.columns:
        return
    ents = np.nonzero(active)[0]
    codes = (
        reg.entities["ProviderId"]
        .take(snap.row_of[ents])
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
            f"Provider number {code} is on {len(found)} active units: {out.listing(found)}.",
        )


def _shak(reg: Register, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """SHAK codes attached directly to several active units at once."""
    from .mapping import map_table

    n = len(reg.ids)
    table = map_table(reg)
    if table is not None:
        hit = (table.from_day <= snap.day) & (table.to_day >= snap.day) & table.direct
        sor = table.sor[hit]
        e = np.minimum(np.searchsorted(reg.ids, sor), n - 1)
        ok = (reg.ids[e] == sor) & active[e]
        frame = pd.DataFrame({"code": table.shak[hit][ok].astype(str), "e": e[ok]})
    else:
        ents = np.nonzero(active)[0]
        codes = (
            reg.entities["ShakId"]
            .take(snap.row_of[ents])
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
            f"SHAK code {code} is attached directly to {len(ents)} active units at once: "
            f"{out.listing(ents)}.",
        )


def _names(reg: Register, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    ents = np.nonzero(active)[0]
    names = reg.entities["EntityName"].take(snap.row_of[ents]).reset_index(drop=True)
    missing = names.isna() | (names.str.strip() == "")
    for e in ents[missing.to_numpy(dtype=bool)].tolist():
        out.add("warning", "no_name", e, f"Unit {reg.ids[e]} has no name.")
    stripped = names.str.strip()
    edges = (~missing & (stripped != names)).to_numpy(dtype=bool)
    doubled = (~missing & names.str.contains("  ", regex=False)).to_numpy(dtype=bool)
    for i in np.nonzero(edges | doubled)[0].tolist():
        what = []
        if edges[i]:
            what.append("leading or trailing spaces")
        if doubled[i]:
            what.append("doubled spaces")
        e = int(ents[i])
        out.add(
            "info",
            "name_spaces",
            e,
            f"The name {names.iat[i]!r} of unit {reg.ids[e]} has {' and '.join(what)}.",
        )


def _empty_subtrees(reg: Register, snap: Snapshot, out: _Findings, active: np.ndarray) -> None:
    """Active units that once had units under them, all of which are now closed."""
    n = len(reg.ids)
    has_p = reg.parent_id != 0
    pid = reg.parent_id[has_p]
    pidx = np.minimum(np.searchsorted(reg.ids, pid), n - 1)
    known = reg.ids[pidx] == pid
    pairs = np.unique(
        np.stack([pidx[known], reg.row_entity[has_p][known].astype(np.int64)], axis=1), axis=0
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
        under = (
            "the one unit that was ever under it is closed"
            if k == 1
            else f"all {k} units that were ever under it are closed"
        )
        out.add("info", "empty_subtree", e, f"{out.label(e)} is active, but {under}.")
