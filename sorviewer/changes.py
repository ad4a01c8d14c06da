"""What changed in the register between two dates: created, closed, moved, renamed, changed.

The register as it stood on D1 is compared with the register on D2, unit by
unit, through the version row each unit has on each day (array work over the
two snapshots; only units whose row differs are compared column by column).

- created: exists on D2, not on D1; closed: exists on D1, not on D2;
- moved: ParentSorId differs; renamed: EntityName differs;
- changed: any other data column differs. Left out as noise: FromDate, ToDate and
  UpdatedAt; the columns of an address/virtual/EAN group the unit inherits on both
  days (the row's copy of an inherited value says nothing about the unit itself);
  and the copied names and types of the owner and institution, which follow a
  move or a change of another unit.

Every list is sorted by name in Danish order (then by id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow.compute as pc

from . import schema
from .asof import snapshot
from .provenance import ADDRESS_GROUPS, INHERITED, row_states
from .raw import LINE
from .register import Store

#: Columns reported in their own lists.
OWN_LISTS = frozenset({"EntityName", "ParentSorId"})
#: Copies of another unit's data carried on every row.
COPIED_COLUMNS = frozenset(
    {
        "InstitutionOwnerEntityName",
        "InstitutionOwnerEntityTypeId",
        "InstitutionOwnerEntityTypeName",
        "InstitutionOwnerCvrNumberId",
        "HealthInstitutionEntityName",
        "HealthInstitutionEntityTypeId",
        "HealthInstitutionEntityTypeName",
        "HealthInstitutionProductionUnitId",
    }
)


def compared_columns(reg: Store) -> list[str]:
    """The data columns `changed` looks at, in the file's order."""
    return [
        c
        for c in reg.entities.columns
        if c != LINE
        and not str(c).startswith("__")
        and c not in schema.NON_DATA_COLUMNS
        and c not in OWN_LISTS
        and c not in COPIED_COLUMNS
    ]


def _differs(reg: Store, column: str, r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    a = reg.take(column, r1)
    b = reg.take(column, r2)
    same = pc.fill_null(pc.equal(a, b), False)
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return ~np.asarray(pc.or_(same, both_null).to_numpy(zero_copy_only=False), dtype=bool)


def _item(reg: Store, e: int, name: object) -> dict[str, Any]:
    return {"sor_id": str(reg.ids[e]), "name": None if name is None else str(name)}


def changes(reg: Store, d1: dt.date, d2: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The `changes` CLI document between `d1` and `d2` (see the module docstring)."""
    s1 = snapshot(reg, d1)
    row1 = s1.row_of.copy()
    s2 = snapshot(reg, d2)
    row2 = s2.row_of
    a1 = row1 >= 0
    a2 = row2 >= 0
    names = reg.series("EntityName")

    def ordered(ents: np.ndarray, rows: np.ndarray) -> np.ndarray:
        order = np.lexsort((reg.ids[ents], reg.name_rank[rows]))
        return order

    def name_list(rows: np.ndarray) -> list[object]:
        out: list[object] = names.take(rows).to_numpy(dtype=object, na_value=None).tolist()
        return out

    created = np.nonzero(a2 & ~a1)[0]
    closed = np.nonzero(a1 & ~a2)[0]
    both = np.nonzero(a1 & a2 & (row1 != row2))[0]
    r1, r2 = row1[both], row2[both]

    doc: dict[str, list[dict[str, Any]]] = {}
    for key, ents, rows in (("created", created, row2), ("closed", closed, row1)):
        rr = rows[ents]
        order = ordered(ents, rr)
        ns = name_list(rr[order])
        doc[key] = [_item(reg, int(e), n) for e, n in zip(ents[order], ns, strict=True)]

    # moved: the parent named by the row on each day
    p1, p2 = reg.parent_id[r1], reg.parent_id[r2]
    mv = np.nonzero(p1 != p2)[0]
    order = ordered(both[mv], r2[mv])
    mv = mv[order]
    doc["moved"] = [
        {
            **_item(reg, int(both[i]), n),
            "from_parent": str(p1[i]) if p1[i] else None,
            "to_parent": str(p2[i]) if p2[i] else None,
        }
        for i, n in zip(mv, name_list(r2[mv]), strict=True)
    ]

    rn = np.nonzero(_differs(reg, "EntityName", r1, r2))[0]
    rn = rn[ordered(both[rn], r2[rn])]
    old = name_list(r1[rn])
    doc["renamed"] = [
        {**_item(reg, int(both[i]), n), "old_name": o}
        for i, n, o in zip(rn, name_list(r2[rn]), old, strict=True)
    ]

    # changed: other columns, with inherited-on-both-days groups masked
    cols = compared_columns(reg)
    st1 = row_states(reg, r1)
    st2 = row_states(reg, r2)
    masked: dict[str, np.ndarray] = {}
    for key in (*ADDRESS_GROUPS, "ean_location_code"):
        noise = (st1[key] == INHERITED) & (st2[key] == INHERITED)
        for c in schema.FIELD_GROUPS[key].columns:
            masked[c] = noise
    hits: list[np.ndarray] = []
    for c in cols:
        d = _differs(reg, c, r1, r2)
        if c in masked:
            d &= ~masked[c]
        hits.append(d)
    if hits:
        matrix = np.vstack(hits)
        any_change = np.nonzero(matrix.any(axis=0))[0]
    else:
        matrix = np.zeros((0, len(both)), dtype=bool)
        any_change = np.zeros(0, dtype=np.int64)
    any_change = any_change[ordered(both[any_change], r2[any_change])]
    doc["changed"] = [
        {
            **_item(reg, int(both[i]), n),
            "columns": [cols[k] for k in np.nonzero(matrix[:, i])[0]],
        }
        for i, n in zip(any_change, name_list(r2[any_change]), strict=True)
    ]
    return {k: doc[k] for k in ("created", "closed", "moved", "renamed", "changed")}
