"""The organisational tree at the as-of date, as a thin QAbstractItemModel.

Every index carries the unit's entity index (its position in `Register.ids`, a
stable int for the life of the register) as its internal id; synthetic nodes
carry ids from `GROUP_BASE` up: the "Missing parent" group `GROUP_ID`, and the
owner-type groups of the top level (below). The model keeps, per date, three
numpy arrays built from the Snapshot (children in CSR form, each unit's row under
its parent, each unit's parent), so `index`, `parent`, `rowCount` and `data` are
O(1).

Grouping the top level: a full register has some 14,000 institution owners side by
side, nearly all of them private practices. With grouping on (`set_group_mode`:
"on", "off", or "auto" = on when the register's first date shown has more than
`GROUP_AUTO_ROOTS` roots)
the top level is one row per owner type (Regioner, Kommuner, Stat, Private, any
other type the file names, then owners without a type), and the private owners sit
one level further down by region (their postal, else visiting address). Group rows
are not units: they select no unit and copy as nothing; their count is the number
of owners under them. A group's id comes from its key (type or region code) and is
kept for the life of the register, so expansion survives date moves and filters. A
group's owners are handed over in chunks too (a region holds up to 4,000 private
owners): the view asks for the next chunk when the last one handed over is shown
(`fetch_more_at`).

A date move, the show-closed switch and the search filter change the visible
structure: each is a layout change with persistent indexes remapped by entity
index, so expansion and selection survive wherever the unit still exists. Only
a new register resets the model.

The top level is handed to the view in chunks: a full register has some 14,000
owners, and QTreeView lays out every top row on each layout change, about 3 us of
Python per row. The view asks for the next chunk (`fetch_more`) when it is scrolled
to the end; revealing a unit, type-ahead, select-all and End fetch what they need
first. The "Missing parent" group is always the last row. (Not Qt's
canFetchMore/fetchMore: QTreeView calls fetchMore on every relayout, so each date move
would have fetched another chunk.)

The SHAK column shows a unit's own code only ("Egen SHAK"): an inherited code would
mean walking up the tree per row; the header's tooltip says where those are.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
)

from sorviewer import schema
from sorviewer.arrays import INACTIVE, ORPHAN, ROOT
from sorviewer.dates import MAX_DAY, day_number, from_day
from ui.colours import readable, status_colour, status_font
from ui.coverage import Coverage, coverage
from ui.formatting import format_day
from ui.unit_labels import status_text

if TYPE_CHECKING:  # the register module pulls pandas; the window starts without it
    from sorviewer.api import Register
    from sorviewer.asof import Snapshot

#: internal ids from here up are group nodes, not units (entity indices are far below)
GROUP_BASE = 1 << 30
#: internal id of the "Missing parent" group node
GROUP_ID = (1 << 31) - 1
#: "auto" grouping of the top level is on above this many roots at the date
GROUP_AUTO_ROOTS = 400
GROUP_MODES = ("auto", "on", "off")

SOR_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ENTITY_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
#: number of children shown under the row (after the filter), drawn by the view's delegate
CHILD_COUNT_ROLE = Qt.ItemDataRole.UserRole + 4
#: True for a row that matches the filter text (not just an ancestor kept for context)
MATCH_ROLE = Qt.ItemDataRole.UserRole + 5

#: badge colours per SOR level: owner (IE), institution (SI), unit (OE); mid-tones that
#: read on light and dark backgrounds alike
LEVEL_COLOURS = {"IE": "#7b5ea7", "SI": "#2e7d9a", "OE": "#4f8a3c"}

COLUMNS = ("EntityName", "SorId", "SorType", "EntityTypeName", "ShakId")

#: the "Missing parent" group's text colour, made readable on the palette's base
GROUP_COLOUR = "#aa3c28"

#: the SHAK column's header and its tooltip (the column shows the unit's own code only)
_SHAK_HEADER = {"da": "Egen SHAK", "en": "Own SHAK"}
_SHAK_TIP = {
    "da": "Enhedens egen SHAK-kode. En nedarvet kode (fra en overordnet enhed) står i"
    " Overblik og under SHAK/SOR.",
    "en": "The unit's own SHAK code. An inherited code (from a unit above) is shown in"
    " the Overview and under SHAK/SOR.",
}

_GROUP_LABEL = {"da": "Mangler overordnet enhed", "en": "Missing parent"}
_GROUP_TIP = {
    "da": "Enheder hvis overordnede enhed ikke findes på datoen (eller som indgår i en ring).",
    "en": "Units whose parent does not exist at the date (or that sit in a parent cycle).",
}
_LEVEL_TEXT = {
    "da": {
        "IE": "Institutionsejer (IE)",
        "SI": "Sundhedsinstitution (SI)",
        "OE": "Organisatorisk enhed (OE)",
    },
    "en": {"IE": "Owner (IE)", "SI": "Health institution (SI)", "OE": "Organisational unit (OE)"},
}

#: owner types in the order their groups are listed, with the groups' names
OWNER_TYPE_GROUPS: dict[str, tuple[str, str]] = {
    "550881000005103": ("Regioner", "Regions"),
    "547211000005108": ("Kommuner", "Municipalities"),
    "398070004": ("Stat", "State"),
    "550891000005100": ("Private", "Private"),
}
#: the owner type whose owners are grouped further by region
PRIVATE_OWNER_TYPE = "550891000005100"
_NO_TYPE = {"da": "Uden ejertype", "en": "No owner type"}
_NO_REGION = {"da": "Uden region", "en": "No region"}
_GROUP_NODE_TIP = {
    "da": "Institutionsejere med ejertypen {label}{code}. Gruppen er ikke en enhed.",
    "en": "Institution owners of owner type {label}{code}. The group is not a unit.",
}
_REGION_NODE_TIP = {
    "da": "Private institutionsejere i {label}{code} (postadressens region, ellers"
    " besøgsadressens). Gruppen er ikke en enhed.",
    "en": "Private institution owners in {label}{code} (the postal address's region,"
    " else the visiting address's). The group is not a unit.",
}

Index = QModelIndex | QPersistentModelIndex


class _Node:
    """A group row of the top level: its key, parent group (-1: top), row under that
    parent, its children (group ids, or entity indices of roots) and owner count."""

    __slots__ = (
        "children",
        "code",
        "fetched",
        "gid",
        "key",
        "kind",
        "labels",
        "leaf",
        "owners",
        "parent",
        "row",
    )

    def __init__(self, gid: int, key: str, kind: str, code: str, labels: tuple[str, str]) -> None:
        self.gid = gid
        self.key = key
        self.kind = kind  # "type" or "region"
        self.code = code
        self.labels = labels
        self.parent = -1
        self.row = 0
        self.children: list[int] = []
        self.owners = 0
        #: whether the children are units (roots), not groups
        self.leaf = True
        #: children handed to the view (a leaf group's owners come in chunks, as the
        #: ungrouped top level's do)
        self.fetched = 0


_NCOLS = len(COLUMNS)

#: top-level rows handed to the view at a time (see the module docstring)
TOP_CHUNK = 1000


def _palette() -> QPalette:
    return QGuiApplication.palette()


#: the dot on the badge of a unit that differs in an open comparison
MARK_COLOUR = "#e8710a"


def level_badge(level: str, active: bool = True, marked: bool = False) -> QIcon:
    """A small rounded label with the level's letters (IE/SI/OE), faded when not active;
    `marked` adds a dot in its top right corner (the unit differs in a comparison)."""
    ratio = 2.0  # drawn at twice the size, so it stays sharp on high-DPI screens
    w, h = 22, 14
    pix = QPixmap(int(w * ratio), int(h * ratio))
    pix.setDevicePixelRatio(ratio)
    pix.fill(Qt.GlobalColor.transparent)
    colour = QColor(LEVEL_COLOURS.get(level, "#777777"))
    if not active:
        colour.setAlpha(110)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(0.5, 0.5, w - 1, h - 1), 3, 3)
    font = QFont()
    font.setPixelSize(9)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(255, 255, 255, 255 if active else 200))
    painter.drawText(QRectF(0, 0, w, h), Qt.AlignmentFlag.AlignCenter, level)
    if marked:
        painter.setPen(QColor(255, 255, 255))
        painter.setBrush(QColor(MARK_COLOUR))
        painter.drawEllipse(QRectF(w - 8.5, 0.5, 8, 8))
    painter.end()
    return QIcon(pix)


class TreeModel(QAbstractItemModel):
    """Owners > institutions > units at one day; see the module docstring."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reg: Register | None = None
        self.day = day_number(dt.date.today())
        self.show_closed = False
        self.filter_text = ""
        self.language = "da"
        self.matches = np.array([], dtype=np.int64)
        self._snaps: OrderedDict[int, Snapshot] = OrderedDict()
        self._columns: dict[str, np.ndarray] = {}
        self._badges: dict[tuple[str, bool, bool], QIcon] = {}
        #: per entity: whether it differs in the open comparison (None: none open)
        self._marked: np.ndarray | None = None
        #: what the file knows (statuses beyond a snapshot say so in the tooltips)
        self.coverage = Coverage()
        #: the look of closed and future rows: (status, base colour) -> brush, font
        self._status_brushes: dict[tuple[str, int], QBrush] = {}
        self._is_match = np.zeros(0, dtype=bool)
        #: "auto", "on" or "off" (see the module docstring); `grouped` is what it gives
        self.group_mode = "auto"
        self.grouped = False
        #: group key -> internal id, kept for the life of the register
        self._group_ids: dict[str, int] = {}
        #: what "auto" decided for this register (at its first date, then kept: the
        #: tree does not change shape because a date has a few more roots)
        self._auto_grouped: bool | None = None
        #: per group: its owners reached by scrolling (kept through date moves)
        self._group_scrolled: dict[int, int] = {}
        self._clear_structure()

    # --- public API ---------------------------------------------------------------

    def set_register(self, reg: Register | None, day: dt.date | None = None) -> None:
        """A new register: the one model reset."""
        self.beginResetModel()
        self.reg = reg
        if day is not None:
            self.day = day_number(day)
        self.filter_text = ""
        self._marked = None
        self._snaps.clear()
        self._columns = {}
        self._group_ids = {}
        self._auto_grouped = None
        self._group_scrolled = {}
        self.coverage = coverage(reg)
        if reg is None:
            self._clear_structure()
        else:
            self._compute()
            self._scrolled = 0
            self._set_top(TOP_CHUNK)
        self.endResetModel()

    def set_marked(self, marked: np.ndarray | None) -> None:
        """Mark units that differ in a comparison (a bool per entity; None: no marks).
        Only the badges change: the view repaints, the structure stays."""
        self._marked = marked

    def is_marked(self, e: int) -> bool:
        return self._marked is not None and 0 <= e < len(self._marked) and bool(self._marked[e])

    def set_day(self, day: dt.date) -> None:
        n = day_number(day)
        if n != self.day:
            self._relayout(lambda: setattr(self, "day", n), keep_fetched=True)

    def set_show_closed(self, on: bool) -> None:
        if bool(on) != self.show_closed:
            self._relayout(lambda: setattr(self, "show_closed", bool(on)), keep_fetched=True)

    def set_filter(self, text: str) -> None:
        # a new filter is read from its first match: the top level starts at one chunk
        text = text.strip()
        if text != self.filter_text:
            self._relayout(lambda: setattr(self, "filter_text", text), keep_fetched=False)

    def set_group_mode(self, mode: str) -> None:
        """Group the top level by owner type: "on", "off" or "auto" (on when the date
        has more than GROUP_AUTO_ROOTS roots). A layout change: expansion and selection
        of units survive."""
        if mode not in GROUP_MODES:
            raise ValueError(f"unknown group mode {mode!r}")
        if mode != self.group_mode:
            self._relayout(lambda: setattr(self, "group_mode", mode), keep_fetched=True)

    def is_group(self, index: Index) -> bool:
        """True for a group row (an owner type, a region, "Missing parent")."""
        return index.isValid() and int(index.internalId()) >= GROUP_BASE

    def ensure_fetched(self, e: int) -> None:
        """Hand the view the top rows down to the one that holds entity `e` (or all when
        `e` is -1), so an index for `e` can be made."""
        if e >= GROUP_BASE:
            return  # group rows are always there
        if self.grouped:
            self._ensure_fetched_grouped(e)
            return
        total = len(self._roots)
        if e < 0:
            want = total
        else:
            row = self._top_row(e)
            if row < self._fetched:
                return
            want = min(total, row + 1 + TOP_CHUNK // 2)
        if want > self._fetched:
            self.beginInsertRows(QModelIndex(), self._fetched, want - 1)
            self._set_top(want)
            self.endInsertRows()

    def fetch_more(self) -> None:
        """Hand the view the next chunk of top rows (it is scrolled to the end). What was
        scrolled to stays fetched through date moves, so the view keeps its place."""
        if self._fetched < len(self._roots):
            want = min(len(self._roots), self._fetched + TOP_CHUNK)
            self.beginInsertRows(QModelIndex(), self._fetched, want - 1)
            self._set_top(want)
            self.endInsertRows()
            self._scrolled = want

    def fetch_more_at(self, index: Index) -> bool:
        """Hand the view the next chunk of a group's owners when `index` is the last one
        handed over (the view asks for the rows it shows); True when rows came."""
        e = self.entity_of(index)
        if not self.grouped or e < 0 or int(self._parent[e]) != ROOT:
            return False
        node = self._nodes.get(int(self._root_group[e]))
        if node is None or node.fetched >= len(node.children) or self._row[e] < node.fetched - 1:
            return False
        want = min(len(node.children), node.fetched + TOP_CHUNK)
        self._fetch_group(node, want)
        self._group_scrolled[node.gid] = want
        return True

    def id_digits(self) -> int:
        """Digits of the longest SOR id in the register (0 without one): the id column is
        sized to it."""
        if self.reg is None or not len(self.reg.ids):
            return 0
        return len(str(int(self.reg.ids.max())))

    def top_level_count(self) -> int:
        """Rows of the top level with every chunk fetched (roots, and the group row)."""
        return len(self._roots) + int(self._orphans_shown)

    def fetched_all(self) -> bool:
        if self.grouped:
            return all(n.fetched >= len(n.children) for n in self._nodes.values())
        return self._fetched >= len(self._roots)

    def set_language(self, lang: str) -> None:
        if lang != self.language:
            self.language = lang
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
            if self._orphans_shown:
                top = len(self._top) - 1
                self.dataChanged.emit(self.index(top, 0), self.index(top, 0))
            for gid in self._nodes:
                idx = self.index_of_entity(gid)
                self.dataChanged.emit(idx, idx)

    def snapshot(self) -> Snapshot | None:
        """The snapshot the model shows (with closed/future units when they are on)."""
        if self.reg is None:
            return None
        key = self.day * 2 + int(self.show_closed)
        snap = self._snaps.get(key)
        if snap is None:
            if self.show_closed:
                from sorviewer.asof import Snapshot  # pulls pandas: not at start-up

                snap = Snapshot(self.reg, self.day, include_all=True)
            else:
                snap = self.reg.snapshot(self.as_of())
            self._snaps[key] = snap
            while len(self._snaps) > 6:
                self._snaps.popitem(last=False)
        return snap

    def as_of(self) -> dt.date:
        """The day the model shows, as a date."""
        day = from_day(self.day)
        assert day is not None  # the model's day is always a real date
        return day

    def entity_of(self, index: Index) -> int:
        """Entity index of a unit row, -1 for the group row or an invalid index."""
        if not index.isValid():
            return -1
        e = int(index.internalId())
        return -1 if e >= GROUP_BASE else e

    def sor_id_of(self, index: Index) -> str:
        e = self.entity_of(index)
        return "" if e < 0 or self.reg is None else str(self.reg.ids[e])

    def index_of_entity(self, e: int, column: int = 0) -> QModelIndex:
        """Index of entity `e` in the current structure, invalid when it is not shown."""
        if e == GROUP_ID:
            if not self._orphans_shown:
                return QModelIndex()
            return self.createIndex(len(self._top) - 1, column, GROUP_ID)
        if e >= GROUP_BASE:
            node = self._nodes.get(e)
            return QModelIndex() if node is None else self.createIndex(node.row, column, e)
        if e < 0 or e >= len(self._row) or self._parent[e] == INACTIVE or self._row[e] < 0:
            return QModelIndex()
        if not self._is_fetched(e):
            return QModelIndex()  # under a top row the view has not fetched yet
        return self.createIndex(int(self._row[e]), column, int(e))

    def index_of_sor_id(self, sor_id: str, column: int = 0) -> QModelIndex:
        if self.reg is None:
            return QModelIndex()
        return self.index_of_entity(self.reg.entity_index(sor_id), column)

    def ancestors(self, e: int) -> list[QModelIndex]:
        """Indexes from the top down to the parent of `e` (to expand before revealing it)."""
        out: list[QModelIndex] = []
        idx = self.parent(self.index_of_entity(e))
        while idx.isValid():
            out.append(idx)
            idx = self.parent(idx)
        return out[::-1]

    def visible_count(self) -> int:
        """Units in the current structure (after filter), not counting the group row."""
        return int((self._parent != INACTIVE).sum()) if self.reg is not None else 0

    def active_count(self) -> int:
        """Units existing at the day (regardless of filter and show-closed)."""
        if self.reg is None:
            return 0
        return int(self.reg.snapshot(self.as_of()).active_mask.sum())

    def row_values(self, index: Index) -> list[str]:
        """The displayed texts of all columns of one row (for copy)."""
        return [
            str(self.data(index.sibling(index.row(), c), Qt.ItemDataRole.DisplayRole) or "")
            for c in range(len(COLUMNS))
        ]

    def entity_values(self, e: int) -> list[str]:
        """The texts of all columns for entity `e` at the day, shown in the tree or not."""
        if self.reg is None or self._snap is None:
            return [""] * len(COLUMNS)
        row = self._version_row(e)
        out: list[str] = []
        for name in COLUMNS:
            if name == "SorId":
                out.append(str(self.reg.ids[e]))
            else:
                value = self._column(name)[row]
                out.append("" if value is None else str(value))
        return out

    def header_labels(self) -> list[str]:
        return [
            str(self.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
            for c in range(len(COLUMNS))
        ]

    # --- structure ------------------------------------------------------------------

    def _clear_structure(self) -> None:
        self._top = np.array([], dtype=np.int64)
        self._topl: list[int] = []
        self._roots = np.array([], dtype=np.int64)
        self._fetched = 0
        self._scrolled = 0  # top rows reached by scrolling (kept through date moves)
        self._orph = np.array([], dtype=np.int64)
        self._kids = np.array([], dtype=np.int64)
        self._start = np.zeros(1, dtype=np.int64)
        self._nkids: list[int] = []
        self._startl: list[int] = [0]
        self._kidl: list[int] = []
        self._row = np.array([], dtype=np.int64)
        self._parent = np.array([], dtype=np.int64)
        self._orphans_shown = False
        self._snap: Snapshot | None = None
        self.grouped = False
        self._nodes: dict[int, _Node] = {}
        self._top_nodes: list[int] = []
        self._root_group = np.array([], dtype=np.int64)

    def _compute(self) -> None:
        reg = self.reg
        snap = self.snapshot()
        assert reg is not None and snap is not None
        self._snap = snap
        n = len(reg.ids)
        par = snap.parent_of.copy()
        vis = par != INACTIVE
        if self.filter_text:
            from sorviewer.search import match_with_ancestors

            self.matches, keep = match_with_ancestors(reg, snap, self.filter_text)
            vis &= keep
        else:
            self.matches = np.array([], dtype=np.int64)
        self._is_match = np.zeros(n, dtype=bool)
        self._is_match[self.matches] = True
        # the snapshot's children are grouped by parent and sorted by name already; the
        # filter only drops some, which keeps that order
        kids = snap.all_children()
        if self.filter_text:
            kids = kids[vis[kids] & vis[par[kids]]]
        counts = np.bincount(par[kids], minlength=n) if n else np.zeros(0, dtype=np.int64)
        start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        row = np.full(n, -1, dtype=np.int64)
        row[kids] = np.arange(len(kids)) - start[par[kids]]
        roots = snap.roots()
        roots = roots[vis[roots]]
        row[roots] = np.arange(len(roots))
        orph = snap.orphans()
        orph = orph[vis[orph]]
        row[orph] = np.arange(len(orph))
        shown = np.zeros(n, dtype=bool)
        shown[kids] = True
        shown[roots] = True
        shown[orph] = True
        par[~shown] = INACTIVE
        self._orphans_shown = bool(len(orph))
        self._group(snap, roots, row)
        self._roots = roots.astype(np.int64)
        self._orph = orph
        self._kids = kids
        self._start = start
        # lists: the view calls index/rowCount per expanded row on every relayout, and
        # indexing a list is several times cheaper than indexing a numpy array
        self._nkids = counts.tolist()
        self._startl = start.tolist()
        self._kidl = kids.tolist()
        self._row = row
        self._parent = par

    def _set_top(self, fetched: int) -> None:
        """The top level the view sees: the first `fetched` roots (or, grouped, the
        owner-type groups, every root below them), then the "Missing parent" row."""
        if self.grouped:
            self._fetched = len(self._roots)
            top = np.array(self._top_nodes, dtype=np.int64)
        else:
            self._fetched = min(max(fetched, 0), len(self._roots))
            top = self._roots[: self._fetched]
        self._top = np.r_[top, [GROUP_ID]] if self._orphans_shown else top
        self._topl = self._top.tolist()

    # --- grouping the top level ---------------------------------------------------------

    def _gid(self, key: str) -> int:
        gid = self._group_ids.get(key)
        if gid is None:
            gid = GROUP_BASE + len(self._group_ids)
            self._group_ids[key] = gid
        return gid

    def _root_keys(self, snap: Snapshot, roots: np.ndarray, columns: tuple[str, ...]) -> Any:
        """Per root: the first filled of `columns` on its row at the day (trimmed text,
        null when none), as a pyarrow array. Array work: no loop over the roots."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from sorviewer.columns import rows_column
        from sorviewer.encoding import plain

        assert self.reg is not None
        rows = snap.row_of[roots].astype(np.int64)
        for k in np.nonzero(rows < 0)[0].tolist():  # a gap in the history: nearest version
            rows[k] = snap.row(int(roots[k]))
        take = pa.array(rows, type=pa.int64())
        out = None
        for col in columns:
            vals = pc.utf8_trim_whitespace(plain(rows_column(self.reg, col).take(take)))
            vals = pc.if_else(pc.equal(vals, ""), pa.scalar(None, pa.string()), vals)
            out = vals if out is None else pc.coalesce(out, vals)
        return out

    def _group(self, snap: Snapshot, roots: np.ndarray, row: np.ndarray) -> None:
        """Decide whether the top level is grouped and build its group nodes over the
        shown `roots` (their rows under their group go into `row`)."""
        self._nodes = {}
        self._top_nodes = []
        n = len(row)
        self._root_group = np.full(n, -1, dtype=np.int64)
        if self._auto_grouped is None:
            self._auto_grouped = len(snap.roots()) > GROUP_AUTO_ROOTS
        mode = self.group_mode
        self.grouped = mode == "on" or (mode == "auto" and self._auto_grouped)
        if not self.grouped or not len(roots):
            return
        import pyarrow.compute as pc

        from sorviewer import codes

        type_ids = self._root_keys(
            snap, roots, ("InstitutionOwnerEntityTypeId", "InstitutionOwnerEntityTypeName")
        )
        type_names = self._root_keys(snap, roots, ("InstitutionOwnerEntityTypeName",))
        enc = pc.dictionary_encode(type_ids)
        keys = [str(k) for k in enc.dictionary.to_pylist()]
        codes_of = np.asarray(pc.fill_null(enc.indices, -1), dtype=np.int64)
        # the file's name of each type (the first owner's), for types the window does
        # not name itself
        first_name: dict[int, str] = {}
        if len(keys):
            uniq, first = np.unique(codes_of, return_index=True)
            for k, at in zip(uniq.tolist(), first.tolist(), strict=True):
                if k >= 0:
                    first_name[k] = type_names[at].as_py() or keys[k]
        known = list(OWNER_TYPE_GROUPS)

        def order(k: int) -> tuple[int, str]:
            if k < 0:
                return (len(known) + 1, "")
            key = keys[k]
            if key in known:
                return (known.index(key), "")
            return (len(known), first_name.get(k, key).lower())

        buckets = sorted({*np.unique(codes_of).tolist()}, key=order)
        for top_row, b in enumerate(buckets):
            key = keys[b] if b >= 0 else ""
            if b < 0:
                labels = (_NO_TYPE["da"], _NO_TYPE["en"])
            elif key in OWNER_TYPE_GROUPS:
                labels = OWNER_TYPE_GROUPS[key]
            else:
                name = first_name.get(b) or codes.OWNER_TYPES.get(key) or key
                labels = (name, name)
            node = _Node(self._gid(f"type:{key}"), key, "type", key if b >= 0 else "", labels)
            node.row = top_row
            members = roots[codes_of == b]
            node.owners = len(members)
            self._nodes[node.gid] = node
            self._top_nodes.append(node.gid)
            if key == PRIVATE_OWNER_TYPE and self._split_by_region(snap, node, members, row):
                continue
            node.children = members.tolist()
            node.fetched = self._first_fetch(node)
            row[members] = np.arange(len(members))
            self._root_group[members] = node.gid

    def _split_by_region(
        self, snap: Snapshot, node: _Node, members: np.ndarray, row: np.ndarray
    ) -> bool:
        """Put the private owners under one group per region; False (nothing done) when
        they all have the same region or none."""
        import pyarrow.compute as pc

        from sorviewer import codes

        regions = self._root_keys(
            snap, members, ("PostalAddressRegionCode", "VisitingAddressRegionCode")
        )
        enc = pc.dictionary_encode(regions)
        keys = [str(k) for k in enc.dictionary.to_pylist()]
        codes_of = np.asarray(pc.fill_null(enc.indices, -1), dtype=np.int64)
        buckets = np.unique(codes_of).tolist()
        if len(buckets) < 2:
            return False
        buckets.sort(key=lambda k: (k < 0, keys[k].lstrip("0") if k >= 0 else ""))
        for sub_row, b in enumerate(buckets):
            key = keys[b] if b >= 0 else ""
            if b < 0:
                labels = (_NO_REGION["da"], _NO_REGION["en"])
            else:
                name = codes.REGIONS.get(key.lstrip("0")) or codes.REGIONS.get(key) or key
                labels = (name, name)
            sub = _Node(self._gid(f"region:{node.key}:{key}"), key, "region", key, labels)
            sub.parent = node.gid
            sub.row = sub_row
            inside = members[codes_of == b]
            sub.owners = len(inside)
            sub.children = inside.tolist()
            sub.fetched = self._first_fetch(sub)
            row[inside] = np.arange(len(inside))
            self._root_group[inside] = sub.gid
            self._nodes[sub.gid] = sub
            node.children.append(sub.gid)
        node.leaf = False
        node.fetched = len(node.children)
        return True

    def _first_fetch(self, node: _Node) -> int:
        """A leaf group's owners handed over at first: a chunk, or what was scrolled to."""
        return min(len(node.children), max(TOP_CHUNK, self._group_scrolled.get(node.gid, 0)))

    def _fetch_group(self, node: _Node, want: int) -> None:
        """Hand the view a leaf group's owners up to `want`."""
        want = min(want, len(node.children))
        if want > node.fetched:
            parent = self.createIndex(node.row, 0, node.gid)
            self.beginInsertRows(parent, node.fetched, want - 1)
            node.fetched = want
            self.endInsertRows()

    def _ensure_fetched_grouped(self, e: int) -> None:
        if e < 0:
            for each in list(self._nodes.values()):
                if each.leaf:
                    self._fetch_group(each, len(each.children))
            return
        root = self._root_of(e)
        node = self._nodes.get(int(self._root_group[root])) if root >= 0 else None
        if node is not None and self._row[root] >= node.fetched:
            self._fetch_group(node, int(self._row[root]) + 1 + TOP_CHUNK // 2)

    def _root_of(self, e: int) -> int:
        """The top-level unit above shown entity `e` (itself when it is one); -1 when it
        hangs under the "Missing parent" group."""
        par = self._parent
        for _ in range(len(par) + 1):  # bounded: the structure is a forest
            p = int(par[e])
            if p < 0:
                return e if p == ROOT else -1
            e = p
        return -1

    def _is_fetched(self, e: int) -> bool:
        """Whether shown entity `e` sits below rows the view has been handed."""
        if not self.grouped:
            return self._top_row(e) < self._fetched
        root = self._root_of(e)
        if root < 0:
            return True
        node = self._nodes.get(int(self._root_group[root]))
        return node is None or bool(self._row[root] < node.fetched)

    def _top_row(self, e: int) -> int:
        """Row among the roots of the top-level ancestor of shown entity `e`; -1 when it
        hangs under the "Missing parent" group (which is always shown)."""
        par = self._parent
        for _ in range(len(par) + 1):  # bounded: the structure is a forest
            p = int(par[e])
            if p < 0:
                return int(self._row[e]) if p == ROOT else -1
            e = p
        return -1

    def _top_rows(self, ents: np.ndarray) -> np.ndarray:
        """`_top_row` of many shown entities at once (-1 for those not under a root)."""
        cur = self._top_roots(ents)
        return np.where(cur >= 0, self._row[np.maximum(cur, 0)], -1) if len(cur) else cur

    def _top_roots(self, ents: np.ndarray) -> np.ndarray:
        """The top-level unit above each shown entity (-1 for those not under a root)."""
        par = self._parent
        cur = ents
        for _ in range(len(par) + 1):  # bounded: the structure is a forest
            up = par[cur]
            step = up >= 0
            if not step.any():
                break
            cur = np.where(step, up, cur)
        return np.where(par[cur] == ROOT, cur, -1) if len(cur) else cur

    def _relayout(self, change: Callable[[], None], keep_fetched: bool) -> None:
        """Apply `change`, rebuild, and remap persistent indexes by entity index.

        Enough top rows are fetched for every persistent index (selection, expansion)
        to stay valid, with half a chunk below the last; a date move also keeps what was
        scrolled to. What a type-ahead or select-all fetched in bulk is let go again:
        14,000 top rows would make every later date move lay them all out."""
        if self.reg is None:
            change()
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        keys = [(int(p.internalId()), p.column()) for p in old]
        change()
        self._compute()
        if not keep_fetched:
            self._scrolled = 0
            if self._group_scrolled:
                self._group_scrolled = {}
                for node in self._nodes.values():
                    if node.leaf:
                        node.fetched = self._first_fetch(node)
        ents = np.array([e for e, _ in keys if e < GROUP_BASE], dtype=np.int64)
        shown = ents[self._parent[ents] != INACTIVE] if len(ents) else ents
        rows = self._top_rows(shown)
        need = int(rows.max()) + 1 + TOP_CHUNK // 2 if len(rows) else 0
        if self.grouped and len(shown):
            # each group's owners down to the last one a persistent index needs
            roots = self._top_roots(shown)
            roots = roots[roots >= 0]
            gids, at = self._root_group[roots], self._row[roots]
            for gid in np.unique(gids).tolist():
                held = self._nodes.get(int(gid))
                if held is not None:
                    row_need = int(at[gids == gid].max()) + 1 + TOP_CHUNK // 2
                    held.fetched = max(held.fetched, min(len(held.children), row_need))
        self._set_top(max(TOP_CHUNK, need, self._scrolled))
        new = [self.index_of_entity(e, col) for e, col in keys]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _column(self, name: str) -> np.ndarray:
        arr = self._columns.get(name)
        if arr is None:
            assert self.reg is not None
            reg = self.reg
            if name in reg.column_names():
                arr = reg.series(name).to_numpy(dtype=object, na_value=None)
            else:
                arr = np.full(len(reg.sor_id), None, dtype=object)
            self._columns[name] = arr
        return arr

    # --- QAbstractItemModel ----------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # the view calls this for every top row and expanded row on each relayout (14,000
        # top rows at full scale): plain list lookups, the top level first
        if not parent.isValid():
            if 0 <= row < len(self._topl) and 0 <= column < _NCOLS:
                return self.createIndex(row, column, self._topl[row])
            return QModelIndex()
        if row < 0 or not 0 <= column < _NCOLS or parent.column() != 0:
            return QModelIndex()
        p = parent.internalId()
        if p >= GROUP_BASE:
            if p == GROUP_ID:
                if row >= len(self._orph):
                    return QModelIndex()
                return self.createIndex(row, column, int(self._orph[row]))
            node = self._nodes.get(p)
            if node is None or row >= node.fetched:
                return QModelIndex()
            return self.createIndex(row, column, node.children[row])
        if row >= self._nkids[p]:
            return QModelIndex()
        return self.createIndex(row, column, self._kidl[self._startl[p] + row])

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid():
            return QModelIndex()
        e = int(child.internalId())
        if e >= GROUP_BASE:
            node = self._nodes.get(e)
            if node is None or node.parent < 0:
                return QModelIndex()
            up = self._nodes[node.parent]
            return self.createIndex(up.row, 0, up.gid)
        p = int(self._parent[e])
        if p >= 0:
            return self.createIndex(int(self._row[p]), 0, p)
        if p == ORPHAN:
            return self.createIndex(len(self._top) - 1, 0, GROUP_ID)
        if p == ROOT and self.grouped:
            g = int(self._root_group[e])
            node = self._nodes.get(g)
            if node is not None:
                return self.createIndex(node.row, 0, g)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._top)
        if parent.column() != 0:
            return 0
        p = int(parent.internalId())
        if p >= GROUP_BASE:
            if p == GROUP_ID:
                return len(self._orph)
            node = self._nodes.get(p)
            return 0 if node is None else node.fetched
        return self._nkids[p]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return len(self._top) > 0
        if parent.column() != 0:
            return False
        p = parent.internalId()
        if p >= GROUP_BASE:
            if p == GROUP_ID:
                return len(self._orph) > 0
            node = self._nodes.get(p)
            return node is not None and len(node.children) > 0
        return self._nkids[p] > 0

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        col = COLUMNS[section]
        lang = self.language if self.language in _SHAK_HEADER else "en"
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "ShakId":
                return _SHAK_HEADER[lang]
            return schema.label(col, self.language)
        if role == Qt.ItemDataRole.ToolTipRole and col == "ShakId":
            return _SHAK_TIP[lang]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.reg is None:
            return None
        e = int(index.internalId())
        col = index.column()
        if e >= GROUP_BASE:
            if e == GROUP_ID:
                return self._group_data(col, role)
            node = self._nodes.get(e)
            return None if node is None else self._node_data(node, col, role)
        if role == Qt.ItemDataRole.DisplayRole:
            name = COLUMNS[col]
            if name == "SorId":
                return str(self.reg.ids[e])
            value = self._column(name)[self._version_row(e)]
            if value is None and name == "EntityName":
                return "(no name)" if self.language == "en" else "(uden navn)"
            return value
        if role == SOR_ID_ROLE:
            return str(self.reg.ids[e])
        if role == ENTITY_ROLE:
            return e
        if role == STATUS_ROLE:
            return self._status(e)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._badge(e) if col == 0 else None
        if role == CHILD_COUNT_ROLE:
            return self._nkids[e] if col == 0 else None
        if role == MATCH_ROLE:
            return bool(self._is_match[e])
        if role == Qt.ItemDataRole.ForegroundRole:
            status = self._status(e)
            return self.status_brush(status) if status != "active" else None
        if role == Qt.ItemDataRole.FontRole:
            bold = bool(self._is_match[e]) and bool(self.filter_text)
            font = status_font(self._status(e))
            if font is not None and col != 0:
                font.setStrikeOut(False)  # a closed unit's name is struck, its id stays legible
            if bold:
                font = font or QFont()
                font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.filter_text and self._is_match[e]:
                colour = QColor(_palette().color(QPalette.ColorRole.Highlight))
                colour.setAlpha(48)
                return QBrush(colour)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(e)
        return None

    # --- helpers for data() ----------------------------------------------------------

    def _version_row(self, e: int) -> int:
        snap = self._snap
        assert snap is not None
        r = int(snap.row_of[e])
        return r if r >= 0 else snap.row(e)

    def _badge(self, e: int) -> QIcon | None:
        level = self._column("SorType")[self._version_row(e)]
        if level not in LEVEL_COLOURS or QGuiApplication.instance() is None:
            return None
        key = (str(level), self._status(e) == "active", self.is_marked(e))
        icon = self._badges.get(key)
        if icon is None:
            icon = level_badge(*key)
            self._badges[key] = icon
        return icon

    def status_brush(self, status: str) -> QBrush:
        """The text colour of a closed or future row (`ui.colours.STATUS_COLOURS`, readable
        on the palette's base; kept per palette)."""
        base = _palette().color(QPalette.ColorRole.Base)
        key = (status, base.rgb())
        brush = self._status_brushes.get(key)
        if brush is None:
            brush = QBrush(status_colour(status, base))
            self._status_brushes[key] = brush
        return brush

    def _status(self, e: int) -> str:
        assert self.reg is not None
        if self.day < self.reg.first_day[e]:
            return "future"
        last = int(self.reg.last_day[e])
        return "closed" if last != MAX_DAY and self.day > last else "active"

    def _tooltip(self, e: int) -> str:
        assert self.reg is not None
        status = self._status(e)
        level = self._column("SorType")[self._version_row(e)]
        text = f"{_LEVEL_TEXT.get(self.language, _LEVEL_TEXT['en']).get(str(level), level)} - "
        text += status_text(status, self.language, self.coverage, self.as_of()).capitalize()
        if status == "future":
            text += f" ({format_day(int(self.reg.first_day[e]))} -)"
        elif status == "closed":
            text += f" (- {format_day(int(self.reg.last_day[e]))})"
        snap = self._snap
        if snap is not None and bool(snap.gap[e]):
            text += (
                " - no version covers this date; the previous one is shown"
                if self.language == "en"
                else " - ingen version dækker datoen; den forrige vises"
            )
        if self.is_marked(e):
            text += (
                " - differs between the two compared downloads (see Differences)"
                if self.language == "en"
                else " - forskellig i de to sammenlignede udtræk (se Forskelle)"
            )
        return text

    def _node_data(self, node: _Node, col: int, role: int) -> Any:
        """An owner-type or region group row: its name and number of owners."""
        lang = "da" if self.language == "da" else "en"
        if role == Qt.ItemDataRole.DisplayRole:
            return node.labels[0 if lang == "da" else 1] if col == 0 else None
        if role == CHILD_COUNT_ROLE:
            return node.owners if col == 0 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = _GROUP_NODE_TIP if node.kind == "type" else _REGION_NODE_TIP
            label = node.labels[0 if lang == "da" else 1]
            code = f" ({tr_code(lang)} {node.code})" if node.code and node.code != label else ""
            return tips[lang].format(label=label, code=code)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            # as tall and as indented as a unit's level badge: the rows keep one height
            # (the view takes it from the first row) and the names line up
            return self._blank_badge()
        if role == SOR_ID_ROLE:
            return ""
        if role == ENTITY_ROLE:
            return -1
        return None

    def _blank_badge(self) -> QIcon | None:
        if QGuiApplication.instance() is None:
            return None
        icon = self._badges.get(("", False, False))
        if icon is None:
            pix = QPixmap(44, 28)
            pix.setDevicePixelRatio(2.0)
            pix.fill(Qt.GlobalColor.transparent)
            icon = QIcon(pix)
            self._badges[("", False, False)] = icon
        return icon

    def _group_data(self, col: int, role: int) -> Any:
        lang = self.language if self.language in _GROUP_LABEL else "en"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{_GROUP_LABEL[lang]} ({len(self._orph)})" if col == 0 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _GROUP_TIP[lang]
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(readable(GROUP_COLOUR, _palette().color(QPalette.ColorRole.Base)))
        if role == SOR_ID_ROLE:
            return ""
        if role == ENTITY_ROLE:
            return -1
        return None


def tr_code(lang: str) -> str:
    """The word before a code in a tooltip."""
    return "kode" if lang == "da" else "code"
