"""How the window names a column and a unit (one place for each).

`field_label` is a column's label in the window's language (`schema.label`: the
official field tables' Danish labels with English beside them, for every column of
every table and the derived ones); `status_text` is a unit's status at a date, said
with what the file can know (`ui.coverage`: "aktiv i udtrækket" after a snapshot
file's date); `unit_name` is a unit's name at a date; `unit_link` is `Name (id)` as
a `sor:` link that selects the unit when followed; `replacement_html` names the units
of a replacement as such links.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

from sorviewer import schema
from ui.coverage import Coverage
from ui.formatting import show_date
from ui.i18n import pick, tr

if TYPE_CHECKING:  # the register module pulls pandas; the window starts without it
    from sorviewer.api import Register
    from sorviewer.records import Replacement


def field_label(column: str, lang: str, table: str = "SOREntity") -> str:
    """The official (Danish) or English label of a column (`schema.label`)."""
    return schema.label(column, lang, table)


#: a unit's status in words (Danish, English)
STATUS_WORDS = {
    "active": ("aktiv", "active"),
    "closed": ("lukket", "closed"),
    "future": ("fremtidig", "future"),
}
#: an active unit at a date the file does not know ("after" / "before": ui.coverage.Side)
ACTIVE_OUTSIDE = {
    "after": ("aktiv i udtrækket", "active in the download"),
    "before": ("aktiv før filens data", "active before the file's data"),
}


def status_text(
    status: str, lang: str, cov: Coverage | None = None, day: dt.date | None = None
) -> str:
    """A unit's status at `day` in words, lower case, said with what the file can know
    (`cov`): after a snapshot file's date an active unit is only active in the download;
    before a history file's first data it is active by its first valid day alone."""
    side = cov.side(day) if cov is not None and day is not None else ""
    if status == "active" and side == "after":
        return pick(ACTIVE_OUTSIDE["after"], lang)
    if status == "active" and side == "before" and cov is not None and cov.snapshot is None:
        return pick(ACTIVE_OUTSIDE["before"], lang)
    return pick(STATUS_WORDS.get(status, (status, status)), lang)


def unit_name(reg: Register, sor_id: str | None, day: dt.date) -> str | None:
    """A unit's name at the day (its nearest version's name when not active then)."""
    if not sor_id:
        return None
    e = reg.entity_index(sor_id)
    if e < 0:
        return None
    return reg.value(reg.snapshot(day).row(e), "EntityName")


def unit_link(reg: Register, sor_id: str, day: dt.date, id_first: bool = False) -> str:
    """`Name (id)` as a `sor:` link, or the bare id when it is not in the file. With
    `id_first`, `id · Name`: for a one-line row that may be cut at its end, so the cut
    takes a bit of the name, never the id."""
    name = unit_name(reg, sor_id, day)
    if name is None and reg.entity_index(sor_id) < 0:
        return escape(sor_id)
    sid, text = escape(sor_id), escape(name or "?")
    shown = f"{sid} · {text}" if id_first else f"{text} ({sid})"
    return f'<a href="sor:{sid}">{shown}</a>'


def replacement_html(
    reg: Register, title: str, units: tuple[Replacement, ...], day: dt.date, lang: str
) -> str:
    """ "Erstattet af <link>, <link>": the units of one side of a replacement as links
    (the bare id for a unit the file does not hold), with the table's dates."""
    parts = []
    for rec in units:
        link = unit_link(reg, rec["sor_id"], day)
        start, end = show_date(rec.get("valid_from") or ""), show_date(rec.get("valid_to") or "")
        if start and not end:
            link += escape(tr(lang, f" (fra {start})", f" (from {start})"))
        elif start or end:
            link += escape(f" ({start or '…'} – {end or '…'})")
        parts.append(link)
    return f"{escape(title)}: " + ", ".join(parts)
