"""What an opened file knows about the register, and how the window says where that ends.

A snapshot file (the XML `sor.zip`, `SorEntity_daily.csv`) shows the register on one
day, its snapshot date. At a later date it cannot know what changed: a unit it calls
active there is only "active in the download". Before that day it holds only the
version each unit had in the download, so earlier states show with those values.
A file with history (SOR2 `Sor_complete.zip`) knows the register from the first day
any of its version rows starts; before that day its units stand on later rows.

`Coverage` holds those bounds (read from the core's `SourceInfo` and the version
rows' start days) and the window's sentences about them. The date bar shades what
lies outside the file's knowledge, a bar over the tree says it in words, and the
statuses beyond a bound say so ("aktiv i udtrækket"): see `ui.unit_labels.status_text`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sorviewer.dates import MIN_DAY, from_day
from ui.formatting import format_date
from ui.i18n import tr

if TYPE_CHECKING:  # the register module pulls pandas; the window starts without it
    from sorviewer.api import Register

#: where a date lies against what the file knows: "" inside, "after" a snapshot file's
#: date, "before" it (a snapshot file) or before a history file's first data
Side = Literal["", "after", "before"]


@dataclass(frozen=True)
class Coverage:
    """The days a file knows the register for (see the module docstring)."""

    #: the snapshot date of a file without history (it knows this one day), else None
    snapshot: dt.date | None = None
    #: a history file's first day with data (its earliest FromDate), else None
    first: dt.date | None = None

    def side(self, day: dt.date) -> Side:
        """Where `day` lies against what the file knows."""
        if self.snapshot is not None:
            if day > self.snapshot:
                return "after"
            return "before" if day < self.snapshot else ""
        if self.first is not None and day < self.first:
            return "before"
        return ""

    def unknown(self, day: dt.date) -> bool:
        """True when the file cannot know the register on `day` at all: after a
        snapshot, or before a history file's first data (the timeline shades these)."""
        side = self.side(day)
        return side == "after" or (side == "before" and self.snapshot is None)

    def shaded(self) -> tuple[dt.date | None, dt.date | None]:
        """(the last day of the unknown past, the first day of the unknown future); None
        where there is none: what the timeline shades."""
        past = self.first - dt.timedelta(days=1) if self.first is not None else None
        future = self.snapshot + dt.timedelta(days=1) if self.snapshot is not None else None
        return past, future

    def notice(self, day: dt.date, lang: str) -> str:
        """The sentence the bar over the tree shows at `day` ("" when the file knows it)."""
        side = self.side(day)
        if self.snapshot is not None and side:
            d = format_date(self.snapshot)
            if side == "after":
                return tr(
                    lang,
                    f"Udtrækket viser registret den {d}; senere ændringer er ikke i filen",
                    f"The download shows the register on {d}; later changes are not in the file",
                )
            return tr(
                lang,
                f"Udtrækket viser registret den {d}; tidligere versioner er ikke i filen,"
                " så enhederne vises med deres værdier fra udtrækket",
                f"The download shows the register on {d}; earlier versions are not in"
                " the file, so units are shown with their values from the download",
            )
        if side == "before" and self.first is not None:
            d = format_date(self.first)
            return tr(
                lang,
                f"Filen har data fra den {d}; registret før den dato er ikke i filen",
                f"The file has data from {d}; the register before that date is not in the file",
            )
        return ""

    def bound(self, day: dt.date) -> dt.date | None:
        """The nearest day the file knows, for a "go there" button (None inside)."""
        side = self.side(day)
        if not side:
            return None
        return self.snapshot if self.snapshot is not None else self.first


def coverage(reg: Register | None) -> Coverage:
    """The coverage of an opened register (computed once per register)."""
    if reg is None:
        return Coverage()

    def make() -> Coverage:
        src = reg.source
        if not src.has_history:
            return Coverage(snapshot=src.snapshot_date)
        starts = reg.from_day[reg.from_day != MIN_DAY]
        first = from_day(int(starts.min())) if len(starts) else None
        return Coverage(first=first)

    result: Coverage = reg.cache("ui_coverage", make)
    return result
