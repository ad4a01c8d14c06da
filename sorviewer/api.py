"""`Register`: the columnar store with the stable convenience methods on top.

`sorviewer.load(path)` returns one. The methods are the Python API that the window
and outside scripts use (docs/ARCHITECTURE.md, "Python API"); each is a thin call
into the query module that owns the answer, so this module sits above all of them
in the module map and nothing below imports it.
"""

from __future__ import annotations

import datetime as dt

from . import asof, provenance, search, unit_view
from .asof import Snapshot
from .records import HistoryEntry, SearchHit, UnitView
from .register import Store
from .unit_view import UnitDetails


class Register(Store):
    """A loaded SOR register (see `register.Store` for the arrays it holds)."""

    def snapshot(self, day: dt.date | int) -> Snapshot:
        """The register as it stood on `day` (cached for recent days)."""
        return asof.snapshot(self, day)

    def roots(self, day: dt.date) -> list[str]:
        """SorIds of the roots at `day`, by name."""
        snap = self.snapshot(day)
        return [str(self.ids[e]) for e in snap.roots()]

    def children(self, sor_id: int | str, day: dt.date) -> list[str]:
        """SorIds of the children of `sor_id` at `day`, by name."""
        e = self.entity_index(sor_id)
        if e < 0:
            return []
        snap = self.snapshot(day)
        return [str(self.ids[c]) for c in snap.children(e)]

    def entity(self, sor_id: int | str, day: dt.date) -> UnitView | None:
        """The `show` document of `sor_id` at `day`, or None when the id is unknown."""
        return unit_view.entity_view(self, sor_id, day)

    def unit(self, sor_id: int | str, day: dt.date) -> UnitDetails | None:
        """`entity` with its problems as messages and its replacements with names."""
        return unit_view.unit_details(self, sor_id, day)

    def history(self, sor_id: int | str) -> list[HistoryEntry]:
        """The `history` document of `sor_id`: its versions, oldest first."""
        return asof.history(self, sor_id)

    def search(self, text: str, day: dt.date, limit: int = 50) -> list[SearchHit]:
        """The `search` document: units matching `text` at `day`, best first."""
        return search.search(self, text, day, limit=limit)

    def warm(self, day: dt.date) -> None:
        """Compute the date-independent structures the first tree, search and selected
        unit need (the search columns, the SHAK map, every row's provenance facts), so
        that a worker can pay for them right after the load instead of the window."""
        self.search("0", day, limit=1)
        search.warm_day(self, day)
        provenance.warm(self)
