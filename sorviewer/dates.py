"""Dates as day numbers, and a tolerant parser for every date form SOR files use.

Day numbers are int32 days since 1970-01-01. An empty FromDate counts as minus
infinity (`MIN_DAY`) and an empty ToDate as plus infinity (`MAX_DAY`), so that
"valid on D" is the array test `from_day <= D <= to_day` (ToDate inclusive).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

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


def day_number(day: dt.date | int) -> int:
    """Day number of a date (ints pass through)."""
    if isinstance(day, int):
        return day
    return to_day(day)


def table_days(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The FromDate and ToDate of a table's rows as day numbers (an empty date, an
    unreadable one or a missing column is open: MIN_DAY / MAX_DAY). Loading reports
    the unreadable ones; this reads the tables that have no versions of their own."""
    n = len(df)
    fr = (
        parse_day_column(df["FromDate"], MIN_DAY)[0]
        if "FromDate" in df.columns
        else np.full(n, MIN_DAY, dtype=np.int32)
    )
    to = (
        parse_day_column(df["ToDate"], MAX_DAY)[0]
        if "ToDate" in df.columns
        else np.full(n, MAX_DAY, dtype=np.int32)
    )
    return fr, to


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

    Works on the distinct values only, and the ISO forms (dates and date-times, what
    nearly every value is) with array operations: a column of half a million distinct
    date-times (`UpdatedAt`) costs no Python call per value. Other forms go through
    `parse_date_text` one distinct value at a time. Returns (days int32, bad bool
    mask); null and bad values get `null_day`.
    """
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n = len(uniques)
    parsed = np.full(n + 1, null_day, dtype=np.int32)
    bad_u = np.zeros(n + 1, dtype=bool)
    days, matched, valid = _iso_days(_arrow_text(uniques))
    parsed[:-1][matched & valid] = days[matched & valid]
    bad_u[:-1][matched & ~valid] = True
    rest = np.nonzero(~matched)[0]
    for i, text in zip(rest.tolist(), _as_list(uniques[rest]), strict=True):
        try:
            d = parse_date_text(text)
        except (ValueError, TypeError):
            d = None
            bad_u[i] = True
        parsed[i] = to_day(d) if d is not None else null_day
    codes = np.asarray(codes)
    return parsed[codes], bad_u[codes]


def _arrow_text(uniques: Any) -> Any:
    """The distinct values as a pyarrow string array (no copy for pyarrow-backed text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(uniques)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array([None if v is None else str(v) for v in _as_list(uniques)])
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string())
    return arr


#: `_ISO` for pyarrow's regular expressions (RE2: `\\d` and `\\s` are ASCII only, so a
#: value with other digits or blanks is left to `parse_date_text`, which decides alike)
_ISO_ARROW = r"^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:$|[T ]|\s*$)"
#: the shape nearly every value has (a subset of `_ISO_ARROW`, read by position)
_ISO_USUAL = r"^\d{4}-\d\d-\d\d(?:$|[T ])"


def _iso_days(texts: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each text (a pyarrow string array): (its day number, whether it has the ISO
    form, whether that is a real date), computed over all of them at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(texts)
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        return np.zeros(0, dtype=np.int32), empty, empty
    y, m, d = (np.ones(n, dtype=np.int64) for _ in range(3))
    # the usual shape, yyyy-mm-dd and maybe a time, read by position; the rest of the
    # ISO forms (one-digit months and days, leading blanks) by the full expression
    usual = pc.fill_null(pc.match_substring_regex(texts, _ISO_USUAL), False)
    usual = usual.to_numpy(zero_copy_only=False)
    some = texts.filter(pa.array(usual))
    for arr, (a, b) in ((y, (0, 4)), (m, (5, 7)), (d, (8, 10))):
        part = pc.utf8_slice_codeunits(some, a, b)
        arr[usual] = pc.cast(part, pa.int64()).to_numpy(zero_copy_only=False)
    matched = usual.copy()
    others = np.nonzero(~usual)[0]
    if len(others):
        parts = pc.extract_regex(texts.take(pa.array(others)), _ISO_ARROW)
        hit = pc.fill_null(parts.is_valid(), False).to_numpy(zero_copy_only=False)
        found = parts.filter(parts.is_valid())
        rows = others[hit]
        matched[rows] = True
        for arr, key in ((y, "y"), (m, "m"), (d, "d")):
            arr[rows] = pc.cast(found.field(key), pa.int64()).to_numpy(zero_copy_only=False)
    month_ok = (m >= 1) & (m <= 12) & (y >= 1)
    months = (y - 1970) * 12 + np.where(month_ok, m - 1, 0)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(int)
    valid = month_ok & (d >= 1) & (d <= length)
    days = (first - np.datetime64("1970-01-01", "D")).astype(np.int64) + d - 1
    return np.where(valid, days, 0).astype(np.int32), matched, valid


def _as_list(uniques: Iterable[object]) -> list[str | None]:
    import pandas as pd

    return [None if u is None or u is pd.NA else str(u) for u in uniques]


#: dates as people type them: day, month, year with -, ., / or a blank between
_USER_DMY = re.compile(r"^(\d{1,2})\s*[-./ ]\s*(\d{1,2})\s*[-./ ]\s*(\d{4})$")
_USER_ISO = re.compile(r"^(\d{4})\s*[-./ ]\s*(\d{1,2})\s*[-./ ]\s*(\d{1,2})$")
_USER_DIGITS = re.compile(r"^\d{8}$")
#: eight digits are read as ddmmyyyy for years from here on, else as yyyymmdd
_DIGITS_DMY_FROM = 1300


def parse_user_date(text: str) -> dt.date:
    """Parse a whole date a person typed (the window's date fields all read it here).

    Accepted: dd-mm-yyyy, d-m-yyyy, dd.mm.yyyy, d.m.yyyy, dd/mm/yyyy (any of - . / or
    a blank between the parts), ddmmyyyy, and yyyy-mm-dd (also yyyymmdd when the eight
    digits are no day-month-year from 1300 on: 20200131). Surrounding blanks are
    ignored; the year has four digits. Raises ValueError for anything else, or for a
    day that does not exist (31-02-2020).
    """
    s = text.strip()
    if not s:
        raise ValueError("empty date")
    m = _USER_DMY.match(s)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    m = _USER_ISO.match(s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if _USER_DIGITS.match(s):
        # Day-month-year (the Danish order) unless its year would be before 1300: the
        # two readings are both real dates only then (20010101 is 2001-01-01, not
        # 20-01-0101), so the rule is unambiguous for every year from 1300 on.
        day, month, year = int(s[:2]), int(s[2:4]), int(s[4:])
        if year >= _DIGITS_DMY_FROM:
            try:
                return dt.date(year, month, day)
            except ValueError:
                pass
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    raise ValueError(f"not a date: {text!r}")
