"""One unit at a date, as the `show` command and the window's Overview see it.

Built on the provenance engine: the effective values, the provenance of every
group and the problems found in the file all come from `provenance`, for one unit
(`unit_details`, `entity_view`) or for many at once (`views`, the JSON export), so
both always agree. Replacements (SORReplacedEntities: unit A replaced by unit B)
are listed both ways, with the other unit's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .asof import day_number, reference_days, statuses, version_rows
from .dates import iso, table_days
from .messages import Message, msg
from .provenance import Provenance, at, effective, for_units
from .records import ProvenanceEntry, Replacement, UnitView
from .register import Store, digits_to_int64


@dataclass(frozen=True)
class UnitDetails:
    """Everything the window shows about one unit at a date."""

    #: the `show` document (problems rendered in English)
    view: UnitView
    #: the problems as messages, for rendering in the window's language
    problems: tuple[Message, ...]
    #: units that replace this one, and units it replaces (with names)
    replaced_by: tuple[Replacement, ...]
    replaces: tuple[Replacement, ...]


def views(
    reg: Store, day: dt.date | int, ents: np.ndarray, prov: Provenance | None = None
) -> list[tuple[UnitView, list[Message]]]:
    """The `show` document of each of `ents` (entity indices) at `day`, with its
    problems as messages."""
    n = day_number(day)
    ents = np.asarray(ents, dtype=np.int64)
    if prov is None:
        prov = at(reg, n)
    eff = effective(prov, ents)
    status = statuses(reg, ents, n)
    rows = prov.rows_of(ents)
    parents = prov.parents_of(ents)
    exact = prov.exact_of(ents)
    repl = _replacement_index(reg)
    entries = prov.entries_of(ents)
    out: list[tuple[UnitView, list[Message]]] = []
    col_values = [eff.values[c] for c in eff.columns]
    records = zip(*col_values, strict=True) if col_values else iter([()] * len(ents))
    for i, (e, record) in enumerate(zip(ents.tolist(), records, strict=True)):
        attrs = dict(zip(eff.columns, record, strict=True))
        row = int(rows[i])
        parent = int(parents[i])
        prov_doc: dict[str, ProvenanceEntry] = {
            k: {"state": st[i], "from_sor_id": src[i], "from_group": fg[i]}
            for k, (st, src, fg) in entries.items()
        }
        sid = int(reg.ids[e])
        view: UnitView = {
            "sor_id": str(sid),
            "name": attrs.get("EntityName"),
            "sor_type": attrs.get("SorType"),
            "entity_type": attrs.get("EntityTypeName") or attrs.get("EntityTypeId"),
            "parent_sor_id": str(reg.ids[parent]) if parent >= 0 else attrs.get("ParentSorId"),
            "status": status[i],
            "valid_from": iso(int(reg.from_day[row])),
            "valid_to": iso(int(reg.to_day[row])),
            "first_from": iso(int(reg.first_day[e])),
            "attributes": attrs,
            "provenance": prov_doc,
            "replaced_by": [str(x) for x in repl.by(sid)],
            "replaces": [str(x) for x in repl.of(sid)],
        }
        problems = list(eff.problems[i])
        if not exact[i] and status[i] == "active":
            problems.append(msg("query.no_version_on_date"))
        if problems:
            view["problems"] = [p.render("en") for p in problems]
        out.append((view, problems))
    return out


def unit_details(reg: Store, sor_id: int | str, day: dt.date | int) -> UnitDetails | None:
    """One unit at `day`, or None when the id is not in the file."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return None
    n = day_number(day)
    ents = np.array([e], dtype=np.int64)
    view, problems = views(reg, n, ents, for_units(reg, ents, n))[0]
    by, of = replacements(reg, sor_id, n)
    return UnitDetails(
        view=view, problems=tuple(problems), replaced_by=tuple(by), replaces=tuple(of)
    )


def entity_view(reg: Store, sor_id: int | str, day: dt.date | int) -> UnitView | None:
    """The `show` CLI document for one unit at a day, or None when the id is unknown."""
    details = unit_details(reg, sor_id, day)
    return None if details is None else details.view


# --- replacements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Replacements:
    """SORReplacedEntities as two sorted indexes: by the replaced unit, by its successor."""

    old: np.ndarray  # int64 ReplacedSorId, sorted
    old_new: np.ndarray  # the ReplacedBySorId of each, same order
    new: np.ndarray  # int64 ReplacedBySorId, sorted
    new_old: np.ndarray
    span: dict[tuple[int, int], tuple[int, int]]  # (old, new) -> (from day, to day)

    def by(self, sor_id: int) -> list[int]:
        """The units that replace `sor_id`, in id order."""
        lo, hi = np.searchsorted(self.old, [sor_id, sor_id + 1])
        return sorted(set(self.old_new[lo:hi].tolist()))

    def of(self, sor_id: int) -> list[int]:
        """The units `sor_id` replaces, in id order."""
        lo, hi = np.searchsorted(self.new, [sor_id, sor_id + 1])
        return sorted(set(self.new_old[lo:hi].tolist()))


def _replacement_index(reg: Store) -> _Replacements:
    def make() -> _Replacements:
        df = reg.tables.get("SORReplacedEntities")
        empty = np.zeros(0, dtype=np.int64)
        if df is None or "ReplacedSorId" not in df.columns or "ReplacedBySorId" not in df.columns:
            return _Replacements(empty, empty, empty, empty, {})
        old, _ = digits_to_int64(df["ReplacedSorId"])
        new, _ = digits_to_int64(df["ReplacedBySorId"])
        fr, to = table_days(df)
        ok = (old != 0) & (new != 0) & (old != new)
        old, new, fr, to = old[ok], new[ok], fr[ok], to[ok]
        span: dict[tuple[int, int], tuple[int, int]] = {}
        for a, b, f, t in zip(old.tolist(), new.tolist(), fr.tolist(), to.tolist(), strict=True):
            span.setdefault((a, b), (f, t))
        o1 = np.argsort(old, kind="stable")
        o2 = np.argsort(new, kind="stable")
        return _Replacements(old[o1], new[o1], new[o2], old[o2], span)

    result: _Replacements = reg.cache("replacements", make)
    return result


def _named(reg: Store, ids: list[str], day: int) -> list[Replacement]:
    """Replacement records for the other units of a unit's replacements."""
    out: list[Replacement] = []
    if not ids:
        return out
    ents = np.array([reg.entity_index(s) for s in ids], dtype=np.int64)
    known = ents >= 0
    names = np.full(len(ids), None, dtype=object)
    if known.any():
        k = ents[known]
        rows = version_rows(reg, k, reference_days(reg, k, day))[0]
        names[known] = reg.column_values("EntityName", rows)
    return [
        {"sor_id": s, "name": names[i], "valid_from": None, "valid_to": None}
        for i, s in enumerate(ids)
    ]


def replacements(
    reg: Store, sor_id: int | str, day: dt.date | int
) -> tuple[list[Replacement], list[Replacement]]:
    """(units replacing `sor_id`, units it replaces), each with its name at `day` (or
    at its nearest version) and the replacement's dates from the table. Every
    replacement the file records is listed, whatever the date: the table keeps no
    history that says otherwise (docs/FORMATS.md, "SORReplacedEntities")."""
    e = reg.entity_index(sor_id)
    if e < 0:
        return [], []
    sid = int(reg.ids[e])
    idx = _replacement_index(reg)
    n = day_number(day)
    by = _named(reg, [str(x) for x in idx.by(sid)], n)
    of = _named(reg, [str(x) for x in idx.of(sid)], n)
    for rec in by:
        f, t = idx.span[(sid, int(rec["sor_id"]))]
        rec["valid_from"], rec["valid_to"] = iso(f), iso(t)
    for rec in of:
        f, t = idx.span[(int(rec["sor_id"]), sid)]
        rec["valid_from"], rec["valid_to"] = iso(f), iso(t)
    return by, of
