"""How the window writes dates, table cells and row counts (one place for each).

Dates read dd-mm-yyyy everywhere in the window, in both languages (the Danish
order the register's users know); ISO dates from the file are turned round for
display and kept as they are for sorting.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate

from sorviewer.dates import from_day
from ui.i18n import number, tr


def format_date(d: dt.date) -> str:
    """A date as the window shows it: dd-mm-yyyy."""
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def format_day(n: int) -> str:
    """A day number (sorviewer.dates) as dd-mm-yyyy; "" for an open end."""
    d = from_day(n)
    return format_date(d) if d is not None else ""


def show_date(text: str) -> str:
    """An ISO date (or date-time) in the window's order: 2024-03-01 -> 01-03-2024,
    2024-03-01T08:15:00 -> 01-03-2024 08:15:00; anything else comes back as it is."""
    if (
        len(text) >= 10
        and text[4] == "-"
        and text[7] == "-"
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:10].isdigit()
        and (len(text) == 10 or text[10] in "T ")
    ):
        rest = text[11:] if len(text) > 10 else ""
        return f"{text[8:10]}-{text[5:7]}-{text[:4]}" + (f" {rest}" if rest else "")
    return text


def raw_text(value: object) -> str:
    """A table cell as text, dates left in ISO form (what sorting compares)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    return str(value)


def display_text(value: object) -> str:
    """How a table cell is shown: None as empty, True as ✓, dates as dd-mm-yyyy."""
    return show_date(raw_text(value))


def count_text(lang: str, shown: int, total: int) -> str:
    """ "8 rækker", "1 række", "3 af 8 rækker" (English "8 rows", "3 of 8 rows")."""
    noun = tr(lang, "række" if total == 1 else "rækker", "row" if total == 1 else "rows")
    if shown != total:
        return tr(lang, f"{number(shown, lang)} af ", f"{number(shown, lang)} of ") + (
            f"{number(total, lang)} {noun}"
        )
    return f"{number(total, lang)} {noun}"


def to_qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())
