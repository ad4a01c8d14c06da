"""Comparing the open file with a second download in the window (issue 12).

The window keeps one `Comparison` in `AppState.comparison`: the second register, which
of the two is the older download, and the core's `sorviewer.diff.Diff` between them.
Everything slow is a task for `ui.tasks.TaskRunner` (a plain function of a
`TaskState`, no Qt): `compare_task` loads the second file and compares,
`remembered_task` does the same for the download remembered by "since last time"
(read from its cache when the cache is still there, so the old file is not read
again), `rows_task` narrows the differences (`Diff.filter`, the core's one rule for
kinds, "under" and text) and makes the Differences panel's rows.

Which file is OLD: the one with the older snapshot date. When the dates are equal
or unknown, the file the user chose to compare with is OLD (the usual question is
"what changed since that one"); the panel can swap the two, and the core's note that
the dates run backwards then says so.

"Since last time" remembers per kind of file (`REMEMBER_KINDS`: SOR2 complete, daily
CSV, XML) the last download the user opened: path, snapshot date and cache key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ui import settings as st
from ui.i18n import pick, tr
from ui.loading import Loader, load_register
from ui.tasks import TaskState

if TYPE_CHECKING:  # the core pulls pandas; the window starts without it
    from sorviewer.api import Register
    from sorviewer.diff import Diff

#: the kinds of file "since last time" remembers, by `SourceInfo.format`
REMEMBER_KINDS = ("sor2-zip", "sor2-csv", "sor-xml")

#: the Differences panel's kinds (the core's `diff.KINDS`), Danish and English
KIND_LABELS: dict[str, tuple[str, str]] = {
    "created": ("Oprettet", "Created"),
    "closed": ("Lukket", "Closed"),
    "moved": ("Flyttet", "Moved"),
    "renamed": ("Omdøbt", "Renamed"),
    "changed": ("Ændret", "Changed"),
    "shak": ("SHAK", "SHAK"),
    "ean_edi": ("EAN/EDI", "EAN/EDI"),
}
#: a SHAK or EAN/EDI row says which way it went
PAIR_LABELS: dict[tuple[str, bool], tuple[str, str]] = {
    ("shak", True): ("SHAK tilføjet", "SHAK added"),
    ("shak", False): ("SHAK fjernet", "SHAK removed"),
    ("ean_edi", True): ("EAN/EDI tilføjet", "EAN/EDI added"),
    ("ean_edi", False): ("EAN/EDI fjernet", "EAN/EDI removed"),
}
#: the panel's columns (record keys)
ROW_KEYS = ("kind", "sor_id", "name", "field", "old", "new", "ean")


def kind_count(counts: dict[str, int], kind: str) -> int:
    """A kind's count in `Diff.counts()` (SHAK and EAN/EDI: added plus removed)."""
    if kind in ("shak", "ean_edi"):
        return counts[f"{kind}_added"] + counts[f"{kind}_removed"]
    return counts[kind]


@dataclass(frozen=True)
class Comparison:
    """The open register compared with a second one (see the module docstring)."""

    #: the register open in the window when the comparison was made
    current: Register
    current_path: str
    #: the second register and its file
    other: Register
    other_path: str
    #: whether the open register is the OLD side
    open_is_old: bool
    diff: Diff
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def old_path(self) -> str:
        return self.current_path if self.open_is_old else self.other_path

    @property
    def new_path(self) -> str:
        return self.other_path if self.open_is_old else self.current_path

    def swapped(self) -> Comparison:
        """The same two registers compared the other way round (recomputed: a task)."""
        from sorviewer.diff import compare

        old, new = (self.other, self.current) if self.open_is_old else (self.current, self.other)
        return Comparison(
            self.current,
            self.current_path,
            self.other,
            self.other_path,
            not self.open_is_old,
            compare(old, new),
        )

    @property
    def complete(self) -> bool:
        """Whether every kind is worked out (see `compare_in_steps`)."""
        return bool(self.diff.complete)

    def pending_kinds(self) -> tuple[str, ...]:
        """The kinds still to be worked out (none once complete)."""
        from sorviewer.diff import LATER_KINDS

        return () if self.diff.complete else LATER_KINDS

    def finished(self, cancelled: Callable[[], bool] | None = None) -> Comparison:
        """This comparison with every kind worked out (`diff.finish`; slow: a task, which
        `cancelled()` stops)."""
        from sorviewer.diff import finish

        if self.diff.complete:
            return self
        return replace(self, diff=finish(self.diff, cancelled), _memo={})

    def day_of(self, kind: str) -> dt.date:
        """The day a row's unit is looked at: the older file's for a closed unit (it is
        gone in the newer one), else the newer file's."""
        return self.diff.old.day if kind == "closed" else self.diff.new.day

    def differing_entities(self, reg: Register) -> np.ndarray:
        """Per entity of `reg`: whether its SorId differs in the comparison."""
        from sorviewer.arrays import index_of

        mask = np.zeros(len(reg.ids), dtype=bool)
        at = index_of(reg.ids, self.diff.differing_ids())
        mask[at[at >= 0]] = True
        return mask


def open_is_old(current: Register, other: Register) -> bool:
    """Whether the open register is the OLD side (see the module docstring)."""
    a, b = current.source.snapshot_date, other.source.snapshot_date
    return a is not None and b is not None and b > a


def compare_registers(
    current: Register, current_path: str, other: Register, other_path: str, whole: bool = True
) -> Comparison:
    """Compare the two registers, the older download as OLD (not `whole`: the unit
    lists only, `Comparison.finished` does the rest)."""
    from sorviewer.diff import compare

    is_old = open_is_old(current, other)
    old, new = (current, other) if is_old else (other, current)
    diff = compare(old, new, whole=whole)
    return Comparison(current, current_path, other, other_path, is_old, diff)


def compare_in_steps(
    state: TaskState, current: Register, current_path: str, other: Register, other_path: str
) -> Comparison:
    """Compare in two steps (stage "compare"): the unit lists, handed over at once as a
    partial result (the Differences panel shows them), then the changed values, SHAK
    and EAN/EDI pairs (stage "compare_rest"), which take most of the time."""
    state.set_stage("compare")
    first = compare_registers(current, current_path, other, other_path, whole=False)
    state.set_partial(first)
    state.check()
    state.set_stage("compare_rest")
    return first.finished(state.is_cancelled)


def compare_task(
    state: TaskState, current: Register, current_path: str, path: str, loader: Loader
) -> Comparison:
    """The task of File > Compare with...: load `path` (stages "read", "build"), then
    compare in two steps (`compare_in_steps`). Raises what the loader raises."""
    other = load_register(state, path, loader, prepare=None)
    state.check()
    return compare_in_steps(state, current, current_path, other, path)


# --- since last time ---------------------------------------------------------------------


@dataclass(frozen=True)
class Remembered:
    """A download the user opened: where it was, its snapshot date, its cache key."""

    kind: str
    path: str
    snapshot: dt.date | None
    key: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "snapshot": self.snapshot.isoformat() if self.snapshot else None,
            "key": self.key,
        }

    @staticmethod
    def from_dict(doc: Any) -> Remembered | None:
        """The record written by `as_dict`, or None for anything else."""
        try:
            snap = doc.get("snapshot")
            return Remembered(
                str(doc["kind"]),
                str(doc["path"]),
                dt.date.fromisoformat(snap) if snap else None,
                str(doc["key"]) if doc.get("key") else None,
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def is_older_than(self, other: Remembered) -> bool:
        """Whether this download is an earlier one of the same kind than `other`."""
        return (
            self.kind == other.kind
            and self.snapshot is not None
            and other.snapshot is not None
            and self.snapshot < other.snapshot
            and (self.key is None or self.key != other.key)
        )


def read_remembered(text: str) -> dict[str, Remembered]:
    """The remembered downloads per kind, from the settings' JSON text (nothing when
    the text is empty or not ours)."""
    doc = st.json_object(text, "the remembered downloads")
    out = {}
    for kind, item in doc.items():
        rec = Remembered.from_dict(item)
        if rec is not None and rec.kind == kind and kind in REMEMBER_KINDS:
            out[kind] = rec
    return out


def write_remembered(records: dict[str, Remembered]) -> str:
    """The settings' JSON text of `read_remembered`."""
    return json.dumps({k: r.as_dict() for k, r in records.items()}, sort_keys=True)


def read_followed(text: str) -> dict[str, bool]:
    """Followed units from the settings' JSON text: SorId -> whether with its subtree."""
    doc = st.json_object(text, "the followed units")
    return {str(k): bool(v) for k, v in doc.items() if str(k).isdigit()}


def write_followed(followed: dict[str, bool]) -> str:
    return json.dumps(followed, sort_keys=True)


def file_key(path: str) -> str | None:
    """The cache key of a file as it is now (stat plus two 1 MiB samples: cheap)."""
    from sorviewer.cache import cache_key
    from sorviewer.loading import LOADER_VERSION

    return cache_key(path, LOADER_VERSION)


def remembered_of(reg: Register, path: str, key: str | None) -> Remembered | None:
    """What "since last time" keeps of an opened file (None for a kind it does not)."""
    kind = reg.source.format
    if kind not in REMEMBER_KINDS:
        return None
    return Remembered(kind, os.path.abspath(path), reg.source.snapshot_date, key)


class GoneError(Exception):
    """The remembered download is neither in the cache nor where it was."""

    def __init__(self, rec: Remembered) -> None:
        super().__init__(rec.path)
        self.rec = rec

    def render(self, lang: str) -> str:
        name = os.path.basename(self.rec.path)
        return tr(
            lang,
            f"Det tidligere udtræk ({name}) findes hverken i mellemlageret eller hvor det lå; "
            "åbn det med Filer > Sammenlign med....",
            f"The earlier download ({name}) is neither in the cache nor where it was; "
            "open it with File > Compare with....",
        )


def load_remembered(state: TaskState, rec: Remembered, loader: Loader) -> Any:
    """The remembered download: from its cache when the cache is still there (the file
    is not read again, and may even have been replaced by a newer download of the same
    name); else from the file, when the file is still that download."""
    if rec.key is not None:
        from sorviewer.cache import read_cache

        state.set_stage("read")
        cached = read_cache(rec.key)
        if cached is not None:
            return cached
    if os.path.isfile(rec.path) and (rec.key is None or file_key(rec.path) == rec.key):
        return load_register(state, rec.path, loader, prepare=None)
    raise GoneError(rec)


def remembered_task(
    state: TaskState, current: Register, current_path: str, rec: Remembered, loader: Loader
) -> Comparison:
    """The task of the since-last-time bar: the remembered download, then compare in
    two steps (`compare_in_steps`)."""
    other = load_remembered(state, rec, loader)
    state.check()
    return compare_in_steps(state, current, current_path, other, rec.path)


def followed_changed_count(comp: Comparison, followed: dict[str, bool]) -> int:
    """How many followed units (subtrees counted unit by unit) differ."""
    if not followed:
        return 0
    differing = {str(i) for i in comp.diff.differing_ids().tolist()}
    return len(followed_ids(comp, followed) & differing)


def since_task(
    state: TaskState,
    current: Register,
    current_path: str,
    rec: Remembered,
    loader: Loader,
    followed: dict[str, bool],
) -> tuple[Comparison, int]:
    """The since-last-time comparison made ahead, when the user follows units: the
    bar can then say how many of them changed (a task)."""
    comp = remembered_task(state, current, current_path, rec, loader)
    state.check()
    return comp, followed_changed_count(comp, followed)


# --- the panel's rows --------------------------------------------------------------------


@dataclass
class Rows:
    """The Differences panel's content for one set of filters."""

    rows: list[tuple[Any, ...]]
    #: per row: the kind ("created", ...)
    kinds: list[str]
    #: source rows of followed units (shown first, highlighted)
    followed_rows: list[int]
    #: per kind: its count under the "under" and text filters (every kind)
    counts: dict[str, int]
    #: SorIds of followed units that differ (under the filters)
    followed_changed: list[str]


def followed_ids(comp: Comparison, followed: dict[str, bool]) -> set[str]:
    """The SorIds the followed entries cover in either view: the unit itself, and for a
    followed subtree everything under it (`diff.subtree_mask`, breadth first)."""
    from sorviewer.diff import subtree_mask

    out: set[str] = set()
    d = comp.diff
    for sor_id, subtree in followed.items():
        out.add(str(sor_id))
        if subtree:
            for side in (d.old, d.new):
                mask = subtree_mask(side.register, side.snapshot(), sor_id)
                out.update(str(i) for i in side.register.ids[mask].tolist())
    return out


def rows_task(
    state: TaskState,
    comp: Comparison,
    kinds: tuple[str, ...],
    under: str | None,
    text: str,
    lang: str,
    followed: dict[str, bool],
) -> Rows:
    """Narrow the differences and make the panel's rows (a task: no Qt). The kinds,
    "under" and text go through `Diff.filter` (the CLI's rule); followed units first."""
    from sorviewer.diff import KINDS
    from ui.unit_labels import field_label, unit_name

    d = comp.diff
    narrowed = d.filter(under=under or None, text=text or None)
    state.check()
    all_counts = narrowed.counts()
    counts = {k: kind_count(all_counts, k) for k in KINDS}
    shown = narrowed.filter(kinds=kinds)
    cols = shown.table(tuple(k for k in KINDS if k in kinds))
    state.check()
    kind_col, ids, names, columns, olds, news, eans = (c.tolist() for c in cols)
    rows: list[tuple[Any, ...]] = []
    labels: dict[str, str] = {}

    def label(column: str | None) -> str:
        if column is None:
            return ""
        got = labels.get(column)
        if got is None:
            got = labels[column] = field_label(column, lang)
        return got

    # the Registers (the diff's sides are typed as the core's Store)
    old_reg, new_reg = (
        (comp.current, comp.other) if comp.open_is_old else (comp.other, comp.current)
    )
    for kind, sid, name, column, old, new, ean in zip(
        kind_col, ids, names, columns, olds, news, eans, strict=True
    ):
        if kind in ("shak", "ean_edi"):
            shown_kind = pick(PAIR_LABELS[(kind, new is not None)], lang)
        else:
            shown_kind = pick(KIND_LABELS[kind], lang)
        if kind == "moved":  # the parents by name too: an id alone says little
            old_name = unit_name(old_reg, old, d.old.day) if old else None
            new_name = unit_name(new_reg, new, d.new.day) if new else None
            old = f"{old_name} ({old})" if old_name else old
            new = f"{new_name} ({new})" if new_name else new
        rows.append((shown_kind, sid, name, label(column), old, new, ean))
    state.check()
    follow = followed_ids(comp, followed) if followed else set()
    first = [i for i, sid in enumerate(ids) if sid is not None and sid in follow]
    if first:
        hit = set(first)
        order = first + [i for i in range(len(rows)) if i not in hit]
        rows = [rows[i] for i in order]
        kind_col = [kind_col[i] for i in order]
    changed = sorted({str(s) for s in narrowed.differing_ids().tolist()} & follow, key=int)
    return Rows(rows, kind_col, list(range(len(first))), counts, changed)
