"""SHAK <-> SOR mapping at a date, direct or inherited.

With a SHAKSORMap table (SOR2 zip) the table is authoritative. Without one
(XML snapshots, the daily CSV) the mapping is derived: a unit's own `ShakId` is
direct, and units below it without their own code inherit it (SOR_FORMATS §6.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .asof import Snapshot
from .dates import MAX_DAY, MIN_DAY, parse_day_column
from .register import digits_to_int64

if TYPE_CHECKING:
    from .register import Register


@dataclass
class MapTable:
    """SHAKSORMap as arrays (built once per register)."""

    shak: np.ndarray  # object array of str
    sor: np.ndarray  # int64
    direct: np.ndarray  # bool
    direct_sor: np.ndarray  # int64 (0 when empty)
    from_day: np.ndarray
    to_day: np.ndarray
    shak_name: np.ndarray  # object array of str | None
    by_sor: np.ndarray | None = None  # row numbers in SorId order (rows_of_sor)
    sor_sorted: np.ndarray | None = None  # `sor` in that order

    def rows_of_sor(self, sor_id: int) -> np.ndarray:
        """The map rows of one SorId, in file order: two binary searches, no scan."""
        if self.by_sor is None or self.sor_sorted is None:
            self.by_sor = np.argsort(self.sor, kind="stable")
            self.sor_sorted = self.sor[self.by_sor]
        lo, hi = np.searchsorted(self.sor_sorted, [sor_id, sor_id + 1])
        return self.by_sor[lo:hi]


def map_table(reg: Register) -> MapTable | None:
    """The SHAKSORMap table as arrays, or None when the file has none."""

    def make() -> MapTable | None:
        df = reg.tables.get("SHAKSORMap")
        if df is None or "ShakId" not in df.columns or "SorId" not in df.columns:
            return None
        shak = df["ShakId"].astype("string[pyarrow]").str.strip()
        keep = shak.notna().to_numpy(dtype=bool)
        df = df.loc[keep]
        sor, _ = digits_to_int64(df["SorId"])
        direct_text = (
            df["IsDirectSorShakMapping"].astype("string[pyarrow]").str.lower()
            if "IsDirectSorShakMapping" in df.columns
            else pd.Series(pd.NA, index=df.index, dtype="string[pyarrow]")
        )
        direct = direct_text.isin(["true", "1", "ja", "j", "yes", "y"]).to_numpy(dtype=bool)
        dsor = (
            digits_to_int64(df["ShakIdsDirectSorId"])[0]
            if "ShakIdsDirectSorId" in df.columns
            else np.zeros(len(df), dtype=np.int64)
        )
        fr = parse_day_column(df["FromDate"], MIN_DAY)[0] if "FromDate" in df.columns else None
        to = parse_day_column(df["ToDate"], MAX_DAY)[0] if "ToDate" in df.columns else None
        n = len(df)
        if to is None:
            to = np.full(n, MAX_DAY, dtype=np.int32)
        if fr is not None:
            to = _end_superseded(shak[keep].to_numpy(dtype=object), sor, fr, to)
        names = (
            df["ShakName"].astype(object).where(df["ShakName"].notna(), None).to_numpy()
            if "ShakName" in df.columns
            else np.full(n, None, dtype=object)
        )
        return MapTable(
            shak=shak[keep].astype(object).to_numpy(),
            sor=sor,
            direct=direct,
            direct_sor=np.where(direct, sor, dsor),
            from_day=fr if fr is not None else np.full(n, MIN_DAY, dtype=np.int32),
            to_day=to,
            shak_name=names,
        )

    result: MapTable | None = reg.cache("shak_map", make)
    return result


def _end_superseded(
    shak: np.ndarray, sor: np.ndarray, fr: np.ndarray, to: np.ndarray
) -> np.ndarray:
    """NSP style (SOR_FORMATS §4.2): a row of a (ShakId, SorId) key without ToDate that
    is followed by a later row of the same key ends the day before that row starts, so
    an old holder of an inherited code does not stay valid beside the new one."""
    if len(to) < 2:
        return to
    code = pd.factorize(pd.Series(shak, dtype=object))[0]
    order = np.lexsort((fr, sor, code))
    c, s, f = code[order], sor[order], fr[order]
    same_next = (c[1:] == c[:-1]) & (s[1:] == s[:-1]) & (f[1:] > f[:-1])
    open_end = np.zeros(len(to), dtype=bool)
    open_end[:-1] = same_next & (to[order][:-1] == MAX_DAY)
    if not open_end.any():
        return to
    out = to.copy()
    rows = order[open_end]
    out[rows] = f[1:][open_end[:-1]] - 1
    return out


def _derived_sources(reg: Register, snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Per entity at the day: (own ShakId or None, entity index holding the code or -1)."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        n = len(reg.ids)
        codes = np.full(n, None, dtype=object)
        present = np.nonzero(snap.present)[0]
        col = reg.entities["ShakId"]
        vals = col.take(snap.row_of[present]).to_numpy(dtype=object, na_value=None)
        codes[present] = vals
        own = np.array([v is not None and str(v).strip() != "" for v in codes], dtype=bool)
        src = np.where(own, np.arange(n), -1)
        par = snap.parent_of
        for _ in range(64):
            need = (src < 0) & (par >= 0)
            if not need.any():
                break
            nxt = np.where(need, src[np.maximum(par, 0)], src)
            if np.array_equal(nxt, src):
                break
            src = nxt
        return codes, src

    if "shak_derived" not in snap.memo:
        snap.memo["shak_derived"] = make()
    result: tuple[np.ndarray, np.ndarray] = snap.memo["shak_derived"]
    return result


def shak_for_entity(reg: Register, snap: Snapshot, e: int) -> tuple[str, int] | None:
    """(SHAK code, entity index it is directly attached to) for a unit at the day.

    Direct mappings win over inherited ones. The attached index is -1 when the
    map names a unit that is not in the file. This is what the file says; the
    provenance in `inheritance` checks it against the tree at the day.
    """
    hit = shak_source(reg, snap, e)
    return None if hit is None else (hit[0], hit[2])


def shak_source(reg: Register, snap: Snapshot, e: int) -> tuple[str, int, int] | None:
    """(SHAK code, the SorId the file attaches it to, that unit's entity index or -1 when
    it is not in the file) for a unit at the day; None when the unit has no code."""
    rows = sor_to_shak_rows(reg, snap, int(reg.ids[e]))
    if not rows:
        return None
    code, _name, _direct, dsor = rows[0]
    if not dsor:
        return code, int(reg.ids[e]), e
    return code, dsor, reg.entity_index(dsor)


def holds_code_directly(reg: Register, snap: Snapshot, e: int, code: str) -> bool:
    """Whether unit `e` has SHAK code `code` itself at the day: a direct SHAKSORMap row
    valid at the day, or (without a map, or besides it) its own ShakId."""
    table = map_table(reg)
    if table is not None:
        rows = table.rows_of_sor(int(reg.ids[e]))
        day = snap.day
        for i in rows.tolist():
            if (
                table.direct[i]
                and table.from_day[i] <= day <= table.to_day[i]
                and str(table.shak[i]) == code
            ):
                return True
    own = reg.value(snap.row(e), "ShakId")
    return own is not None and own.strip() == code


def sor_to_shak_rows(
    reg: Register, snap: Snapshot, sor_id: int
) -> list[tuple[str, str | None, bool, int]]:
    """(shak_id, shak_name, direct, direct_sor_id) for one unit at the day, direct first."""
    table = map_table(reg)
    day = snap.day
    if table is not None:
        mine = table.rows_of_sor(int(sor_id))
        hit = mine[(table.from_day[mine] <= day) & (table.to_day[mine] >= day)]
        out = [
            (
                str(table.shak[i]),
                table.shak_name[i],
                bool(table.direct[i]),
                int(table.direct_sor[i]),
            )
            for i in hit
        ]
        seen: set[tuple[str, bool]] = set()
        uniq = []
        for item in sorted(out, key=lambda t: (not t[2], t[0])):
            if (item[0], item[2]) not in seen:
                seen.add((item[0], item[2]))
                uniq.append(item)
        return uniq
    e = reg.entity_index(sor_id)
    if e < 0 or not snap.present[e]:
        return []
    codes, src = _derived_sources(reg, snap)
    s = int(src[e])
    if s < 0:
        return []
    code = str(codes[s]).strip()
    return [(code, None, s == e, int(reg.ids[s]))]


def sor_to_shak(reg: Register, sor_id: int | str, day: dt.date) -> list[dict[str, Any]] | None:
    """The `sor-shak` document; None when the SOR id is unknown in the whole file."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return None
    snap = reg.snapshot(day)
    return [
        {"shak_id": code, "name": name, "direct": direct, "direct_sor_id": str(dsor)}
        for code, name, direct, dsor in sor_to_shak_rows(reg, snap, int(reg.ids[e]))
    ]


def known_shak_codes(reg: Register) -> set[str]:
    """Every SHAK code that occurs anywhere in the file."""

    def make() -> set[str]:
        codes: set[str] = set()
        table = map_table(reg)
        if table is not None:
            codes.update(str(c) for c in pd.unique(table.shak))
        col = reg.entities["ShakId"].dropna()
        codes.update(str(c).strip() for c in pd.unique(col))
        return codes

    result: set[str] = reg.cache("shak_codes", make)
    return result


def mapping_frame(reg: Register, day: dt.date) -> pd.DataFrame:
    """The whole SHAK/SOR mapping at the day, one row per (SHAK, SOR unit).

    Columns: shak_id, shak_name, sor_id, name, direct, direct_sor_id; sorted by
    SHAK code then unit name.
    """
    snap = reg.snapshot(day)
    table = map_table(reg)
    if table is not None:
        hit = np.nonzero((table.from_day <= snap.day) & (table.to_day >= snap.day))[0]
        frame = pd.DataFrame(
            {
                "shak_id": table.shak[hit],
                "shak_name": table.shak_name[hit],
                "sor_int": table.sor[hit],
                "direct": table.direct[hit],
                "direct_int": table.direct_sor[hit],
            }
        ).drop_duplicates(["shak_id", "sor_int", "direct"])
    else:
        codes, src = _derived_sources(reg, snap)
        ents = np.nonzero((src >= 0) & snap.active_mask)[0]
        frame = pd.DataFrame(
            {
                "shak_id": [str(codes[s]).strip() for s in src[ents]],
                "shak_name": [None] * len(ents),
                "sor_int": reg.ids[ents],
                "direct": src[ents] == ents,
                "direct_int": reg.ids[src[ents]],
            }
        )
    eidx = np.searchsorted(reg.ids, frame["sor_int"].to_numpy())
    eidx = np.minimum(eidx, len(reg.ids) - 1)
    rows = snap.row_of[eidx]
    known = (reg.ids[eidx] == frame["sor_int"].to_numpy()) & (rows >= 0)
    names = np.full(len(frame), None, dtype=object)
    if known.any():
        names[known] = (
            reg.entities["EntityName"].take(rows[known]).to_numpy(dtype=object, na_value=None)
        )
    frame["name"] = names
    frame["sor_id"] = frame["sor_int"].astype(str)
    frame["direct_sor_id"] = frame["direct_int"].astype(str)
    frame = frame.sort_values(["shak_id", "name"], na_position="last", kind="stable")
    return frame[["shak_id", "shak_name", "sor_id", "name", "direct", "direct_sor_id"]].reset_index(
        drop=True
    )


def shak_to_sor(
    reg: Register, shak_id: str, day: dt.date, prefix: bool = False
) -> list[dict[str, Any]] | None:
    """The `shak` document; None when the code is unknown in the whole file.

    With `prefix`, every code starting with `shak_id` matches (a 4-character hospital
    code lists its departments and sections).
    """
    code = shak_id.strip()
    known = known_shak_codes(reg)
    if prefix:
        if not any(k.startswith(code) for k in known):
            return None
    elif code not in known:
        return None
    frame = mapping_frame(reg, day)
    sel = frame["shak_id"].str.startswith(code) if prefix else frame["shak_id"] == code
    out = []
    for rec in frame.loc[sel.to_numpy(dtype=bool)].itertuples(index=False):
        item: dict[str, Any] = {
            "sor_id": rec.sor_id,
            "name": rec.name,
            "direct": bool(rec.direct),
            "direct_sor_id": rec.direct_sor_id,
        }
        if prefix:
            item["shak_id"] = rec.shak_id
        out.append(item)
    return out
