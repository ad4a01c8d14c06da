"""The SHAKSORMap table as arrays, built once per register.

With a SHAKSORMap (SOR2 zip) the table is authoritative for SHAK codes, direct and
inherited (docs/FORMATS.md, "SHAKSORMap"). This module only reads the table into
arrays; what it means for a unit at a date is worked out by `provenance` (the
holder of each unit's code) and `mapping` (the SHAK <-> SOR queries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import MAX_DAY, MIN_DAY, parse_day_column, valid_on
from .register import Store, digits_to_int64
from .text import truth_masks


@dataclass(frozen=True)
class MapTable:
    """SHAKSORMap as arrays (rows with a SHAK code; in file order)."""

    shak: np.ndarray  # object array of str, trimmed
    sor: np.ndarray  # int64
    direct: np.ndarray  # bool
    direct_sor: np.ndarray  # int64: the unit the code sits on (`sor` when direct; 0 unknown)
    #: the row says the code sits on its unit itself: direct, or an inherited row that
    #: names the unit itself or no unit at all
    on_itself: np.ndarray
    from_day: np.ndarray
    to_day: np.ndarray
    shak_name: np.ndarray  # object array of str | None
    by_sor: np.ndarray  # row numbers in SorId order
    sor_sorted: np.ndarray  # `sor` in that order
    code_rank: np.ndarray  # per row: rank of its code in text order (ties share a rank)

    def rows_of_sor(self, sor_id: int) -> np.ndarray:
        """The map rows of one SorId, in file order: two binary searches, no scan."""
        lo, hi = np.searchsorted(self.sor_sorted, [sor_id, sor_id + 1])
        return self.by_sor[lo:hi]

    def rows_of_sors(self, sor_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The map rows of many SorIds at once: (position in `sor_ids` of each row's
        SorId, the row), grouped by position."""
        lo = np.searchsorted(self.sor_sorted, sor_ids, side="left")
        hi = np.searchsorted(self.sor_sorted, sor_ids, side="right")
        lengths = hi - lo
        owner = np.repeat(np.arange(len(sor_ids), dtype=np.int64), lengths)
        offsets = np.arange(len(owner)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return owner, self.by_sor[np.repeat(lo, lengths) + offsets]

    def valid_rows(self, day: int) -> np.ndarray:
        """Row numbers valid on `day`."""
        return np.nonzero(valid_on(self.from_day, self.to_day, day))[0]


def map_table(reg: Store) -> MapTable | None:
    """The SHAKSORMap table as arrays, or None when the file has none."""

    def make() -> MapTable | None:
        df = reg.tables.get("SHAKSORMap")
        if df is None or "ShakId" not in df.columns or "SorId" not in df.columns:
            return None
        shak = df["ShakId"].astype("string[pyarrow]").str.strip()
        keep = (shak.notna() & (shak != "")).to_numpy(dtype=bool)
        df = df.loc[keep]
        codes = shak[keep].astype(object).to_numpy()
        sor, _ = digits_to_int64(df["SorId"])
        n = len(df)
        if "IsDirectSorShakMapping" in df.columns:
            direct = truth_masks(df["IsDirectSorShakMapping"])[0]
        else:
            direct = np.zeros(n, dtype=bool)
        dsor = (
            digits_to_int64(df["ShakIdsDirectSorId"])[0]
            if "ShakIdsDirectSorId" in df.columns
            else np.zeros(n, dtype=np.int64)
        )
        fr = parse_day_column(df["FromDate"], MIN_DAY)[0] if "FromDate" in df.columns else None
        to = parse_day_column(df["ToDate"], MAX_DAY)[0] if "ToDate" in df.columns else None
        if to is None:
            to = np.full(n, MAX_DAY, dtype=np.int32)
        if fr is not None:
            to = _end_superseded(codes, sor, fr, to)
        names = (
            df["ShakName"].astype(object).where(df["ShakName"].notna(), None).to_numpy()
            if "ShakName" in df.columns
            else np.full(n, None, dtype=object)
        )
        by_sor = np.argsort(sor, kind="stable")
        _uniques, inverse = np.unique(codes.astype(str), return_inverse=True)
        direct_sor = np.where(direct, sor, dsor)
        return MapTable(
            shak=codes,
            sor=sor,
            direct=direct,
            direct_sor=direct_sor,
            on_itself=(direct_sor == sor) | (direct_sor == 0),
            from_day=fr if fr is not None else np.full(n, MIN_DAY, dtype=np.int32),
            to_day=to,
            shak_name=names,
            by_sor=by_sor,
            sor_sorted=sor[by_sor],
            code_rank=inverse.astype(np.int64).reshape(-1),
        )

    result: MapTable | None = reg.cache("shak_map", make)
    return result


def _end_superseded(
    shak: np.ndarray, sor: np.ndarray, fr: np.ndarray, to: np.ndarray
) -> np.ndarray:
    """NSP style (docs/FORMATS.md, "How versions are closed"): a row of a (ShakId, SorId)
    key without ToDate that is followed by a later row of the same key ends the day
    before that row starts, so an old holder of an inherited code does not stay valid
    beside the new one."""
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
