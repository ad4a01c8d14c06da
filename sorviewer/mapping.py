"""SHAK <-> SOR mapping at a date, direct or inherited.

With a SHAKSORMap table (SOR2 zip) the table is authoritative (`shakmap`). Without
one (XML snapshots, the daily CSV) the mapping is derived by the provenance engine:
a unit's own `ShakId` is direct, and units below it without their own code inherit
it (docs/FORMATS.md, "Inheritance").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from . import provenance
from .asof import Snapshot, snapshot
from .dates import valid_on
from .register import Store
from .shakmap import MapTable, map_table

#: `map_table` and `MapTable` live in `shakmap`; importable from here as before.
__all__ = [
    "MapTable",
    "known_shak_codes",
    "map_table",
    "mapping_frame",
    "shak_to_sor",
    "sor_to_shak",
    "sor_to_shak_rows",
]


def sor_to_shak_rows(
    reg: Store, snap: Snapshot, sor_id: int
) -> list[tuple[str, str | None, bool, int]]:
    """(shak_id, shak_name, direct, direct_sor_id) for one unit at the day, direct first."""
    table = map_table(reg)
    day = snap.day
    if table is not None:
        mine = table.rows_of_sor(int(sor_id))
        hit = mine[valid_on(table.from_day[mine], table.to_day[mine], day)]
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
    if e < 0 or not snap.active_mask[e]:
        return []
    ents = np.array([e], dtype=np.int64)
    prov = provenance.for_units(reg, ents, snap.day)
    shak = prov.group("shak")
    node = int(prov.node_of(ents)[0])
    holder = int(shak.holder[node])
    if shak.state[node] == provenance.NONE or holder < 0:
        return []
    return [(str(shak.code[node]), None, holder == e, int(reg.ids[holder]))]  # type: ignore[index]


def sor_to_shak(reg: Store, sor_id: int | str, day: dt.date) -> list[dict[str, Any]] | None:
    """The `sor-shak` document; None when the SOR id is unknown in the whole file."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return None
    snap = snapshot(reg, day)
    return [
        {"shak_id": code, "name": name, "direct": direct, "direct_sor_id": str(dsor)}
        for code, name, direct, dsor in sor_to_shak_rows(reg, snap, int(reg.ids[e]))
    ]


def known_shak_codes(reg: Store) -> set[str]:
    """Every SHAK code that occurs anywhere in the file."""

    def make() -> set[str]:
        codes: set[str] = set()
        table = map_table(reg)
        if table is not None:
            codes.update(str(c) for c in pd.unique(table.shak))
        col = reg.series("ShakId").dropna()
        codes.update(str(c).strip() for c in pd.unique(col))
        return codes

    result: set[str] = reg.cache("shak_codes", make)
    return result


def mapping_frame(reg: Store, day: dt.date) -> pd.DataFrame:
    """The whole SHAK/SOR mapping at the day, one row per (SHAK, SOR unit).

    Columns: shak_id, shak_name, sor_id, name, direct, direct_sor_id; sorted by
    SHAK code then unit name.
    """
    snap = snapshot(reg, day)
    table = map_table(reg)
    if table is not None:
        hit = table.valid_rows(snap.day)
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
        active = snap.active_entities()
        prov = provenance.living(reg, snap.day)
        shak = prov.group("shak")
        nodes = prov.node_of(active)
        holder = shak.holder[nodes]
        has = (shak.state[nodes] != provenance.NONE) & (holder >= 0)
        ents, nodes, holder = active[has], nodes[has], holder[has]
        frame = pd.DataFrame(
            {
                "shak_id": shak.code[nodes] if shak.code is not None else [],
                "shak_name": [None] * len(ents),
                "sor_int": reg.ids[ents],
                "direct": holder == ents,
                "direct_int": reg.ids[holder],
            }
        )
    names = np.full(len(frame), None, dtype=object)
    eidx = reg.index_of(frame["sor_int"].to_numpy())
    known = eidx >= 0
    rows = np.full(len(frame), -1, dtype=np.int64)
    rows[known] = snap.row_of[eidx[known]]  # (indexing only known ones: no units, no index)
    known &= rows >= 0
    if known.any():
        names[known] = reg.series("EntityName", rows[known]).to_numpy(dtype=object, na_value=None)
    frame["name"] = names
    frame["sor_id"] = frame["sor_int"].astype(str)
    frame["direct_sor_id"] = frame["direct_int"].astype(str)
    frame = frame.sort_values(["shak_id", "name"], na_position="last", kind="stable")
    return frame[["shak_id", "shak_name", "sor_id", "name", "direct", "direct_sor_id"]].reset_index(
        drop=True
    )


def shak_to_sor(
    reg: Store, shak_id: str, day: dt.date, prefix: bool = False
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
