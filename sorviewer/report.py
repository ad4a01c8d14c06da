"""LoadReport: every problem found while loading, one row each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

from .messages import Language, Message, msg, render

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ReportRow:
    severity: Severity
    table: str
    line: int | None  # 1-based line in the file (header = 1), or None
    column: str | None
    message: str  # the English sentence (the `report` CLI document carries it)
    sor_id: str | None = None
    kind: str = "other"  # machine-readable category, e.g. "bad_date", "unknown_parent"
    code: str | None = None  # messages.CATALOGUE code, when the row was added as a Message
    params: dict[str, object] | None = None

    def text(self, lang: Language = "en") -> str:
        """The row's sentence in `lang` (rows added as plain text keep their text)."""
        if self.code is None:
            return self.message
        return render(self.code, self.params, lang)


@dataclass
class LoadReport:
    """Problems found while loading. A bad row never stops a load; it lands here.

    Very repetitive problems (the same kind in the same column) are capped at
    `per_kind_limit` rows, with one summary row telling how many were left out.
    """

    rows: list[ReportRow] = field(default_factory=list)
    per_kind_limit: int = 1000
    _counts: Counter[tuple[str, str, str | None]] = field(default_factory=Counter, repr=False)

    def add(
        self,
        severity: Severity,
        table: str,
        message: Message | str,
        *,
        line: int | None = None,
        column: str | None = None,
        sor_id: str | None = None,
        kind: str = "other",
    ) -> None:
        key = (table, kind, column)
        self._counts[key] += 1
        if self._counts[key] <= self.per_kind_limit:
            code, params = None, None
            if isinstance(message, Message):
                code, params = message.code, dict(message.params)
            self.rows.append(
                ReportRow(severity, table, line, column, str(message), sor_id, kind, code, params)
            )

    def room(self, table: str, kind: str, column: str | None = None) -> int:
        """How many more rows of this kind the report would still list."""
        return max(0, self.per_kind_limit - self._counts[(table, kind, column)])

    def tally(self, table: str, kind: str, column: str | None, n: int) -> None:
        """Count `n` problems of a kind without listing them (beyond `room`, a caller
        with many of them need not build a sentence for each)."""
        if n > 0:
            self._counts[(table, kind, column)] += n

    def finish(self) -> None:
        """Add one summary row for every capped kind (once, however often it is called;
        the counts stay whole for `count`). Call when loading ends."""
        summarised = {
            (r.table, r.params.get("kind"), r.column)
            for r in self.rows
            if r.kind == "truncated" and r.params
        }
        for (table, kind, column), n in self._counts.items():
            if n > self.per_kind_limit and (table, kind, column) not in summarised:
                note = msg("report.truncated", count=n - self.per_kind_limit, kind=kind)
                self.rows.append(
                    ReportRow(
                        "info",
                        table,
                        None,
                        column,
                        str(note),
                        None,
                        "truncated",
                        note.code,
                        dict(note.params),
                    )
                )

    def count(self, kind: str) -> int:
        """How many problems of `kind` were found (including ones not listed)."""
        return sum(n for (_t, k, _c), n in self._counts.items() if k == kind)

    @property
    def warnings(self) -> int:
        """Rows of severity warning or error (as `info` reports them)."""
        return sum(1 for r in self.rows if r.severity in ("warning", "error"))

    def as_json(self, table_names: Mapping[str, str] | None = None) -> list[dict[str, object]]:
        """The `report` CLI document: rows sorted by (table, line, severity), stable.

        Rows without a line (about a whole table or file) come first in their table;
        severities go error, warning, info. `table_names` renames tables (the CLI gives
        every row from an XML member that member's name)."""
        names = table_names or {}
        docs = [
            {
                k: (names.get(v, v) if k == "table" and isinstance(v, str) else v)
                for k, v in asdict(r).items()
                if k in ("severity", "table", "line", "column", "message")
            }
            for r in self.rows
        ]
        return sorted(docs, key=_report_order)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _report_order(doc: dict[str, object]) -> tuple[str, int, int, int]:
    line = doc["line"]
    return (
        str(doc["table"]),
        0 if line is None else 1,
        line if isinstance(line, int) else 0,
        _SEVERITY_ORDER.get(str(doc["severity"]), 3),
    )
