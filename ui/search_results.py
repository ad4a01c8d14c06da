"""What each line of the search result list says: the unit, and what matched when it
was not the name (an EAN hit also says whether the unit owns the number or inherits
it, and from which unit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ui.i18n import tr
from ui.unit_labels import field_label

if TYPE_CHECKING:  # the register pulls pandas; the window starts without it
    import numpy as np

    from sorviewer.api import Register
    from sorviewer.asof import Snapshot


def result_lines(
    reg: Register,
    snap: Snapshot,
    ents: np.ndarray,
    cols: Sequence[str],
    lang: str,
    name_of: Callable[[int], str],
) -> list[str]:
    """One line per hit: "Name  ·  id", then "(column)" when another column matched."""
    from sorviewer.search import ean_sources

    ean_at = [i for i, c in enumerate(cols) if c == "EanLocationCode"]
    sources = dict(zip(ean_at, ean_sources(reg, snap, ents[ean_at]), strict=True))
    lines = []
    for i, (e, col) in enumerate(zip(ents.tolist(), cols, strict=False)):
        line = f"{name_of(e)}  ·  {reg.ids[e]}"
        if col != "EntityName":
            what = field_label(col, lang)
            if i in sources:
                what += ": " + ean_source_text(reg, snap, sources[i], lang)
            line += f"  ({what})"
        lines.append(line)
    return lines


def ean_source_text(
    reg: Register, snap: Snapshot, source: tuple[str, str | None], lang: str
) -> str:
    """ "eget" / "nedarvet fra Navn (id)" for an EAN hit."""
    state, holder = source
    if state == "own":
        return tr(lang, "eget", "own")
    if state == "inherited" and holder:
        e = reg.entity_index(holder)
        name = reg.value(snap.row(e), "EntityName") if e >= 0 else None
        who = f"{name} ({holder})" if name else holder
        return tr(lang, f"nedarvet fra {who}", f"inherited from {who}")
    return tr(lang, "nedarvet", "inherited") if state == "inherited" else ""
