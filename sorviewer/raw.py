"""What a format reader hands to the register: text tables with canonical names.

The bottom of the module map, beside `schema`: readers (`formats/`) build a
`RawData`, `register.Store.build` turns it into the columnar store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from .report import LoadReport

Inheritance = Literal["sor2", "xml"]
#: the pandas dtype of every text column
STRING = "string[pyarrow]"
#: optional integer column of SOREntity: each row's line in the source file
LINE = "__line__"


@dataclass
class SourceInfo:
    """What was opened, as `info` reports it."""

    path: str
    format: str  # "sor2-zip" | "sor2-csv" | "sor-xml"
    format_version: str | None = None
    snapshot_date: dt.date | None = None
    has_history: bool = False
    table_rows: dict[str, int] = field(default_factory=dict)


@dataclass
class RawData:
    """What a format reader returns.

    `entities`: SOREntity rows; every value text (pandas string dtype), null = NA,
    columns named canonically (schema.SOR_ENTITY_COLUMNS first, extra columns after).
    An optional integer column `__line__` gives each row's line in the source file.
    `tables`: the other tables by canonical name (schema.TABLES), same conventions.
    `inheritance`: "sor2" when indicator columns come from the file, "xml" when the
    reader derived them from absent blocks (SHAK mappings then come from ShakId).
    """

    entities: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    source: SourceInfo
    report: LoadReport
    inheritance: Inheritance = "sor2"
