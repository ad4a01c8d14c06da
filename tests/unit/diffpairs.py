"""Two downloads of one synthetic register a month apart, in every format `diff` reads.

The later download is the generator's register at its snapshot; the earlier one is
the same register cut to what was registered by a day about a month before
(`generate(known_on=...)`). That day is picked so that a version was registered on it,
which makes the earlier file's own snapshot date (`info`) that very day in every
format: the XML says it, and a SOR2 file's newest UpdatedAt is then that day too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import sorviewer
from sorviewer.dates import MIN_DAY, from_day, parse_day_column, to_day
from sorviewer.synthetic import DEFAULT_SNAPSHOT, generate

#: file names per format
NAMES = {"sor2-zip": "Sor_complete.zip", "sor-xml": "sor.zip", "sor2-csv": "SorEntity_daily.csv"}


@dataclass(frozen=True)
class MonthPair:
    """Paths of the earlier (`old`) and later (`new`) download per format."""

    old: dict[str, Path]
    new: dict[str, Path]
    earlier: dt.date  # the earlier download's day
    later: dt.date  # the later download's day


def registered_day(path: Path, before: dt.date) -> dt.date:
    """The latest day up to `before` on which a version starting that day or later was
    registered (UpdatedAt); a cut on that day keeps it, so its newest UpdatedAt is it."""
    reg = sorviewer.load(str(path), use_cache=False)
    upd, _bad = parse_day_column(reg.entities["UpdatedAt"].str.slice(0, 10), MIN_DAY)
    ok = (upd != MIN_DAY) & (upd <= to_day(before)) & (reg.from_day >= upd)
    day = from_day(int(np.max(upd[ok])))
    assert day is not None
    return day


def month_pair(
    folder: Path,
    entities: int = 2000,
    seed: int = 5,
    days: int = 61,
    formats: tuple[str, ...] = tuple(NAMES),
) -> MonthPair:
    """Write the two downloads, about `days` apart, in `formats` (all by default) into
    `folder` (two months by default: a register this small sees a move every month or
    so; seed 5 has four in those two months)."""
    later = DEFAULT_SNAPSHOT
    new = {fmt: folder / f"new_{NAMES[fmt]}" for fmt in ("sor2-zip", *formats)}
    old = {fmt: folder / f"old_{NAMES[fmt]}" for fmt in formats}
    generate(str(new["sor2-zip"]), entities=entities, seed=seed, fmt="sor2-zip")
    earlier = registered_day(new["sor2-zip"], later - dt.timedelta(days=days))
    for fmt in formats:
        if fmt != "sor2-zip":
            generate(str(new[fmt]), entities=entities, seed=seed, fmt=fmt)
        generate(str(old[fmt]), entities=entities, seed=seed, fmt=fmt, known_on=earlier)
    return MonthPair(old, new, earlier, later)
