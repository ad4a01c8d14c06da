"""One search box over names, ids, codes, postcodes and towns, at a date.

Text is folded once per register exactly as `text.fold_text` folds the query
(lower case, æ->ae, ø->oe, å->aa, ä->ae, ö->oe, ü->u, other accents dropped), so
that "Aeroe", "ærø" and "AERØ" find the same unit and "François" is found as
typed. A query is vectorised pyarrow string work over the units existing at the
date; results come in three tiers (exact id matches, then name prefixes, then
everything else), each tier sorted by Danish name order (docs/ARCHITECTURE.md,
"The command line").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import with_ancestors
from .asof import Snapshot, day_number, snapshot
from .records import SearchHit
from .register import Store
from .text import fold_array, fold_text

#: Columns matched exactly (after trimming) in the first tier, and by prefix later.
ID_COLUMNS = ("SorId", "ShakId", "EanLocationCode", "ProviderId", "PharmacyId")
#: Free-text columns, matched on folded text.
TEXT_COLUMNS = ("EntityName", "PostalAddressDistrictName", "VisitingAddressDistrictName")
CODE_PREFIX_COLUMNS = ("PostalAddressPostCodeId", "VisitingAddressPostCodeId")


def _column_array(reg: Store, col: str) -> pa.Array:
    """One search column, trimmed, with empty text for null: an empty value matches no
    query, and masks without nulls need no fill before every use."""
    if col not in reg.entities.columns:
        return pc.fill_null(pa.nulls(len(reg.entities), pa.string()), "")
    arr = pa.array(reg.entities[col], type=pa.string(), from_pandas=True)
    return pc.fill_null(pc.utf8_trim_whitespace(arr), "")


def _base(reg: Store) -> dict[str, pa.Array]:
    """Folded/trimmed search columns over every version row (built once)."""

    def make() -> dict[str, pa.Array]:
        cols: dict[str, pa.Array] = {}
        for c in ID_COLUMNS + CODE_PREFIX_COLUMNS:
            a = _column_array(reg, c)
            cols[c] = pc.utf8_lower(a) if c in ("ShakId", "PharmacyId") else a
        for c in TEXT_COLUMNS:
            cols[c] = fold_array(_column_array(reg, c))
        return cols

    result: dict[str, pa.Array] = reg.cache("search_base", make)
    return result


@dataclass
class _DayIndex:
    ents: np.ndarray  # entity indices present at the day, sorted by name
    cols: dict[str, pa.Array]  # the search columns for those entities' rows


def _day_index(reg: Store, snap: Snapshot) -> _DayIndex:
    def make() -> _DayIndex:
        ents = np.nonzero(snap.active_mask if not snap.include_all else snap.present)[0]
        ents = ents[np.argsort(snap.rank[ents], kind="stable")]
        rows = pa.array(snap.row_of[ents])
        cols = {k: v.take(rows) for k, v in _base(reg).items()}
        return _DayIndex(ents, cols)

    return snap.cached("search", make)


def find(reg: Store, snap: Snapshot, text: str) -> tuple[np.ndarray, list[str]]:
    """All units matching `text` at the snapshot's day, best first, with the matched column.

    The last few answers per snapshot are kept: the tree filter and the result list ask
    the same question on every keystroke."""
    q = text.strip()
    if not q:
        return np.array([], dtype=np.int64), []
    ents, cols = snap.answer(("find", q), lambda: _find(reg, snap, q))
    return ents.copy(), list(cols)


#: Result tiers (docs/ARCHITECTURE.md, "The command line"): exact id matches, name
#: prefixes, the rest.
TIER_EXACT_ID, TIER_NAME_PREFIX, TIER_OTHER = 0, 1, 2


def _find(reg: Store, snap: Snapshot, q: str) -> tuple[np.ndarray, list[str]]:
    qf = fold_text(q)
    idx = _day_index(reg, snap)
    n = len(idx.ents)
    # `level` ranks how well each unit matched, to pick its `matched` column: exact id,
    # name prefix, a word of the name starting with the query, an id/postcode/town
    # prefix, the name containing it, a town containing it. Levels 2 and up are all the
    # third tier; they only choose the column.
    level = np.full(n, 99, dtype=np.int8)
    matched = np.full(n, "", dtype=object)

    def mark(mask: pa.Array | pa.ChunkedArray, lv: int, col: str) -> None:
        m = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
        m &= level > lv
        level[m] = lv
        matched[m] = col

    q_low = q.lower()
    for c in ID_COLUMNS:
        mark(pc.equal(idx.cols[c], q_low if c in ("ShakId", "PharmacyId") else q), 0, c)
    mark(pc.starts_with(idx.cols["EntityName"], qf), 1, "EntityName")
    mark(pc.match_substring(idx.cols["EntityName"], " " + qf), 2, "EntityName")
    for c in ID_COLUMNS:
        mark(pc.starts_with(idx.cols[c], q_low if c in ("ShakId", "PharmacyId") else q), 3, c)
    for c in CODE_PREFIX_COLUMNS:
        mark(pc.starts_with(idx.cols[c], q), 3, c)
    for c in TEXT_COLUMNS[1:]:
        mark(pc.starts_with(idx.cols[c], qf), 3, c)
    mark(pc.match_substring(idx.cols["EntityName"], qf), 4, "EntityName")
    for c in TEXT_COLUMNS[1:]:
        mark(pc.match_substring(idx.cols[c], qf), 5, c)
    hit = np.nonzero(level < 99)[0]
    tier = np.minimum(level[hit], TIER_OTHER)
    # idx.ents is name-sorted, so a stable sort by tier keeps name order inside tiers
    hit = hit[np.argsort(tier, kind="stable")]
    return idx.ents[hit], [str(m) for m in matched[hit]]


def search(
    reg: Store, text: str, day: dt.date, limit: int = 50, include_all: bool = False
) -> list[SearchHit]:
    """The `search` CLI document: `[{"sor_id", "name", "sor_type", "matched"}]`."""
    snap = Snapshot(reg, day_number(day), include_all=True) if include_all else snapshot(reg, day)
    ents, cols = find(reg, snap, text)
    out: list[SearchHit] = []
    for e, col in zip(ents[: max(limit, 0)], cols, strict=False):
        r = snap.row(int(e))
        out.append(
            {
                "sor_id": str(reg.ids[e]),
                "name": reg.value(r, "EntityName"),
                "sor_type": reg.value(r, "SorType"),
                "matched": col,
            }
        )
    return out


def match_with_ancestors(reg: Store, snap: Snapshot, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(matching entity indices, a bool mask over all entities of matches and their ancestors).

    This is what a tree filter needs: the proxy keeps a node when the mask is set.
    """
    ents, _ = find(reg, snap, text)
    keep = with_ancestors(np.where(snap.parent_of >= 0, snap.parent_of, -1), ents)
    return ents, keep
