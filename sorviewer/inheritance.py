"""Provenance of inheritable groups, and the effective attributes of a unit at a date.

Rules (SOR_FORMATS.md §6): postal and virtual addresses, the EAN location
number and SHAK come from the parent when not the unit's own; a missing visiting
address is the unit's own postal address, a missing activity address its own
visiting address. Inherited values are always resolved by walking up the
parents *at the date* (a child gets no new version when its parent changes), so
the holder is the nearest ancestor whose group is its own at that date.

SHAK is the exception: SHAKSORMap names the unit an inherited code is attached
to. That unit is checked against the parents at the date; when it is not above
the unit (or not in the file) the view carries a problem sentence saying so, and
the nearest unit above that has the code itself is shown as the holder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import schema
from .asof import Snapshot, day_number, entity_status
from .dates import iso

if TYPE_CHECKING:
    from .register import Register

GROUP_KEYS = tuple(schema.FIELD_GROUPS)


@dataclass(frozen=True)
class Provenance:
    state: str  # own | inherited | none
    holder: int | None  # entity index that holds the value
    holder_row: int | None
    from_group: str | None  # the holder's group when it is another group
    holder_id: str | None = None  # the SorId the file names when that unit is not in it
    problem: str | None = None  # why the file's own answer was not taken as it stands

    def as_json(self, reg: Register, group: str) -> dict[str, Any]:
        return {
            "state": self.state,
            "from_sor_id": self.holder_id if self.holder is None else str(reg.ids[self.holder]),
            "from_group": self.from_group if self.from_group != group else None,
        }


def _truthy(v: str | None) -> bool | None:
    if v is None:
        return None
    low = v.strip().lower()
    if low in ("true", "1", "ja", "j", "yes", "y"):
        return True
    if low in ("false", "0", "nej", "n", "no"):
        return False
    return None


def _has_values(reg: Register, row: int, group: schema.FieldGroup) -> bool:
    cols = group.columns
    if group.key == "ean_location_code":
        cols = ("EanLocationCode",)
    return any(reg.value(row, c) is not None for c in cols)


def own_state(reg: Register, row: int, group: schema.FieldGroup) -> str:
    """The group's state as the row itself says: own, inherited or none."""
    if group.key == "ean_location_code":
        st = (reg.value(row, "EanLocationCodeState") or "").strip().lower()
        if st in ("own", "egen"):
            return "own"
        if st in ("inherited", "nedarvet"):
            return "inherited"
        if st == "none":
            return "none"
        return "own" if _has_values(reg, row, group) else "none"
    if group.key == "shak":
        return "own" if reg.value(row, "ShakId") is not None else "inherited"
    assert group.indicator is not None
    flag = _truthy(reg.value(row, group.indicator))
    if flag:
        return "inherited"
    if _has_values(reg, row, group):
        return "own"
    # No indicator and no values: SI/OE units fall back on the official rule.
    if flag is None and (reg.value(row, "SorType") or "") in ("SI", "OE"):
        if group.key == "activity_address" and reg.value(row, "SorType") != "OE":
            return "none"
        return "inherited"
    return "none"


class Resolver:
    """Resolves provenance for any unit at one day, memoising per (entity, group)."""

    def __init__(self, reg: Register, snap: Snapshot) -> None:
        self.reg = reg
        self.snap = snap
        self._memo: dict[tuple[int, str], Provenance] = {}

    def _parent(self, e: int) -> int:
        p = self.snap.parent(e)
        if p >= 0:
            return p
        if self.snap.present[e] and p != -2:
            return -1
        # closed/future unit: its nearest version's parent, if that exists in the file
        pid = self.reg.value(self.snap.row(e), "ParentSorId")
        return self.reg.entity_index(pid) if pid else -1

    def provenance(self, e: int, key: str) -> Provenance:
        memo = self._memo.get((e, key))
        if memo is not None:
            return memo
        self._memo[(e, key)] = Provenance("none", None, None, None)  # cycle guard
        result = self._resolve(e, key)
        self._memo[(e, key)] = result
        return result

    def _resolve(self, e: int, key: str) -> Provenance:
        reg = self.reg
        group = schema.FIELD_GROUPS[key]
        row = self.snap.row(e)
        if key == "shak":
            return self._shak(e, row)
        state = own_state(reg, row, group)
        if state == "own":
            return Provenance("own", e, row, key)
        if state == "none":
            return Provenance("none", None, None, None)
        if group.inherits_from == "parent":
            p = self._parent(e)
            if p < 0:
                return Provenance("none", None, None, None)
            src = self.provenance(p, key)
        else:
            src = self.provenance(e, group.inherits_from)
        if src.state == "none" or src.holder is None:
            return Provenance("none", None, None, None)
        return Provenance("inherited", src.holder, src.holder_row, src.from_group)

    def _shak(self, e: int, row: int) -> Provenance:
        from .mapping import shak_source

        hit = shak_source(self.reg, self.snap, e)
        if hit is None:
            return Provenance("none", None, None, None)
        code, named_id, named_e = hit
        if named_e == e:
            return Provenance("own", e, row, "shak")
        holder, holder_id, problem = checked_shak_holder(
            self.reg, self.snap, e, code, named_id, named_e, self._parent
        )
        return Provenance(
            "inherited",
            holder,
            None if holder is None else self.snap.row(holder),
            "shak",
            holder_id,
            problem,
        )


def checked_shak_holder(
    reg: Register,
    snap: Snapshot,
    e: int,
    code: str,
    named_id: int,
    named_e: int,
    parent: Callable[[int], int],
) -> tuple[int | None, str | None, str | None]:
    """The unit an inherited SHAK code of `e` comes from: (entity index or None, the
    SorId text when the unit is not in the file, a problem sentence or None).

    The file names the unit the code is attached to (SHAKSORMap `ShakIdsDirectSorId`).
    It is taken when it is above `e` at the day (`parent` walks up as the resolver
    does). Otherwise the nearest unit above that has the code itself is taken; failing
    that, the file's unit. Either way the view says so: a value is never shown as
    inherited from a unit that is not an ancestor without a word about it.
    """
    from .mapping import holds_code_directly

    above: list[int] = []
    seen = {e}
    p = parent(e)
    while p >= 0 and p not in seen:
        above.append(p)
        seen.add(p)
        p = parent(p)
    if named_e >= 0 and named_e in seen:
        return named_e, None, None
    why = "is not in the file" if named_e < 0 else "is not above this unit on this date"
    said = f"The SHAK map attaches code {code} to {named_id}, which {why}"
    for a in above:
        if holds_code_directly(reg, snap, a, code):
            return a, None, f"{said}; the nearest unit above with the code, {reg.ids[a]}, is shown."
    if named_e >= 0:
        return named_e, None, f"{said}, and no unit above has the code itself."
    return None, str(named_id), f"{said}, and no unit above has the code itself."


def effective_attributes(
    reg: Register, res: Resolver, e: int
) -> tuple[dict[str, str | None], dict[str, Provenance], list[str]]:
    """The unit's columns at the day with inherited groups filled from their holders.

    Also returns the provenance per group and a list of contradictions found
    (the row carries copies that differ from the holder's values).
    """
    row = res.snap.row(e)
    attrs = reg.row_dict(row)
    attrs.pop("__line__", None)
    prov: dict[str, Provenance] = {}
    problems: list[str] = []
    for key in GROUP_KEYS:
        p = res.provenance(e, key)
        prov[key] = p
        group = schema.FIELD_GROUPS[key]
        if key == "shak":
            from .mapping import shak_for_entity

            hit = shak_for_entity(reg, res.snap, e)
            if hit is not None:
                attrs["ShakId"] = hit[0]
            if p.problem:
                problems.append(p.problem)
            continue
        if p.state != "inherited" or p.holder_row is None:
            continue
        src_group = schema.FIELD_GROUPS[p.from_group or key]
        src_by_part = {schema.address_part(c): c for c in src_group.columns}
        for col in group.columns:
            src_col = src_by_part.get(schema.address_part(col))
            if src_col is None:
                continue
            val = reg.value(p.holder_row, src_col)
            mine = attrs.get(col)
            if mine is not None and val is not None and mine != val:
                problems.append(
                    f"{col} says {mine!r} but the {schema.GROUP_LABELS[key][1].lower()} is "
                    f"inherited from {reg.ids[p.holder]}, which has {val!r}."
                )
            attrs[col] = val
    return attrs, prov, problems


def entity_view(reg: Register, sor_id: int | str, day: dt.date) -> dict[str, Any] | None:
    """The `show` CLI document for one unit at a day, or None when the id is unknown."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return None
    snap = reg.snapshot(day)
    res = Resolver(reg, snap)
    return view_with(reg, res, e)


def view_with(reg: Register, res: Resolver, e: int) -> dict[str, Any]:
    """`entity_view` for an entity index with a shared resolver (bulk export)."""
    snap = res.snap
    row = snap.row(e)
    attrs, prov, problems = effective_attributes(reg, res, e)
    parent = res._parent(e)
    view: dict[str, Any] = {
        "sor_id": str(reg.ids[e]),
        "name": attrs.get("EntityName"),
        "sor_type": attrs.get("SorType"),
        "entity_type": attrs.get("EntityTypeName") or attrs.get("EntityTypeId"),
        "parent_sor_id": str(reg.ids[parent]) if parent >= 0 else attrs.get("ParentSorId"),
        "status": entity_status(reg, e, day_number(snap.day)),
        "valid_from": iso(int(reg.from_day[row])),
        "valid_to": iso(int(reg.to_day[row])),
        "first_from": iso(int(reg.first_day[e])),
        "attributes": attrs,
        "provenance": {k: prov[k].as_json(reg, k) for k in GROUP_KEYS},
    }
    if bool(snap.gap[e]):
        problems.append("The unit has no version valid on this date; the previous one is shown.")
    if problems:
        view["problems"] = problems
    return view
