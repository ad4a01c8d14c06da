"""Dates as day numbers, and a tolerant parser for every date form SOR files use.

Day numbers are int32 days since 1970-01-01. An empty FromDate counts as minus
infinity (`MIN_DAY`) and an empty ToDate as plus infinity (`MAX_DAY`), so that
"valid on D" is the array test `from_day <= D <= to_day` (ToDate inclusive).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas is imported where it is used: the window starts without it
    import pandas as pd

EPOCH = dt.date(1970, 1, 1)
MIN_DAY = int(np.iinfo(np.int32).min)
MAX_DAY = int(np.iinfo(np.int32).max)

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ]|\s*$)")
_DMY = re.compile(r"^\s*(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:$|[T ]|\s*$)")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def to_day(d: dt.date) -> int:
    """Day number of a date."""
    return (d - EPOCH).days


def valid_on(from_day: np.ndarray, to_day: np.ndarray, day: np.ndarray | int) -> np.ndarray:
    """The date-validity rule of every SOR table: a row is valid on `day` when
    FromDate <= day <= ToDate (ToDate inclusive; empty dates are the open sentinels)."""
    return (from_day <= day) & (day <= to_day)


def from_day(n: int) -> dt.date | None:
    """Date of a day number, None for the open sentinels."""
    if n in (MIN_DAY, MAX_DAY):
        return None
    return EPOCH + dt.timedelta(days=int(n))


def iso(n: int) -> str | None:
    """`YYYY-MM-DD` of a day number, None for the open sentinels."""
    d = from_day(n)
    return d.isoformat() if d else None


def parse_date_text(text: str | None) -> dt.date | None:
    """Parse one date in any form the SOR files use (docs/FORMATS.md, "Dates"); None when empty.

    Accepts yyyy-mm-dd, ISO datetimes (T or space, fractions of any length, Z or
    an offset; the date part is kept), dd-mm-yyyy, d-m-yyyy, dd.mm.yyyy and
    yyyymmdd. Raises ValueError for anything else.
    """
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    m = _ISO.match(s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY.match(s)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    m = _COMPACT.match(s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(f"not a date: {text!r}")


def parse_day_column(values: pd.Series, null_day: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse a text column to day numbers.

    Works on the distinct values only (a register has a few thousand distinct
    dates over hundreds of thousands of rows), so it is fast without a per-row
    Python loop. Returns (days int32, bad bool mask); null and bad values get
    `null_day`.
    """
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.empty(len(uniques) + 1, dtype=np.int32)
    bad_u = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(_as_list(uniques)):
        try:
            d = parse_date_text(u)
        except (ValueError, TypeError):
            d = None
            bad_u[i] = True
        parsed[i] = to_day(d) if d is not None else null_day
    parsed[-1] = null_day  # code -1 (null) indexes the last slot
    bad_u[-1] = False
    codes = np.asarray(codes)
    return parsed[codes], bad_u[codes]


def _as_list(uniques: Iterable[object]) -> list[str | None]:
    import pandas as pd

    return [None if u is None or u is pd.NA else str(u) for u in uniques]


def parse_user_date(text: str) -> dt.date:
    """Parse a date a person typed: ISO yyyy-mm-dd or Danish dd-mm-yyyy / dd.mm.yyyy."""
    d = parse_date_text(text)
    if d is None:
        raise ValueError("empty date")
    return d
