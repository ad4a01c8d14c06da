"""The selected unit at the as-of date: the *Overview* and *All fields* tabs.

`OverviewPanel` shows a header (name, id, type, level, status with dates, the
path as breadcrumb links, the units it replaces or is replaced by), any
contradictions, and the fields in groups. It reads the core's `UnitDetails`
(`Register.unit`): the values, the provenance that agrees with them, the problems as
messages rendered in the window's language, and the replacements with names. Every
inheritable group carries a coloured badge - own, inherited or none - and, when
inherited, a row naming the source unit as a link that shows it in the tree.
Keyboard: the header's links are Tab stops (Enter follows one, the context-menu key
or Shift+F10 offers "Show in the tree"); in the field list Enter on a source row or an
id follows it and the same keys open the row's menu.
Inherited values are drawn italic and muted so they never pass for the unit's
own data. Empty fields hide behind a toggle. Address groups list their fields in
reading order (street, number, floor, door, postcode, town, then the codes), not in
the file's column order.

`AllFieldsPanel` lists every column of the version valid at the date, the
unknown extra columns of the file included, as a copyable table; file codes
(own/inherited/none, TRUE/FALSE) read as words, the code itself in the tooltip.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import (
    QAction,
    QBrush,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sorviewer import codes, schema
from sorviewer.api import Register
from sorviewer.dates import MAX_DAY, iso
from sorviewer.records import ProvenanceEntry, UnitView
from sorviewer.report import ReportRow
from sorviewer.unit_view import UnitDetails
from ui.app_state import AppState
from ui.clipboard import copy_table, set_clipboard, to_tsv
from ui.colours import HIGHLIGHT_TINT, mix, muted_colour, status_colour
from ui.coverage import coverage
from ui.formatting import show_date
from ui.i18n import as_language, tr
from ui.messages import kind_label
from ui.models.records_model import Worded
from ui.unit_labels import field_label, replacement_html, status_text, unit_link
from ui.widgets.labels import connect_link, is_menu_key, set_link_text
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

#: item data: the SOR2 column of a field row
COLUMN_ROLE = Qt.ItemDataRole.UserRole + 1
#: item data: "own" | "inherited" | "none" | "" (not an inheritable group)
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
#: item data on group and source rows: the unit the values come from
FROM_ROLE = Qt.ItemDataRole.UserRole + 3
#: item data on a section's row: its key ("shak", "postal_address", ...)
GROUP_ROLE = Qt.ItemDataRole.UserRole + 4

_SPECIALITY_COLS = tuple(
    f"PrioritizedEntitySpeciality{n}{k}" for n in range(1, 9) for k in ("Id", "Name")
)

#: (key, (Danish, English) title, columns or None for a FIELD_GROUPS group), in order
SECTIONS: tuple[tuple[str, tuple[str, str], tuple[str, ...] | None], ...] = (
    (
        "identity",
        ("Identifikation", "Identity"),
        (
            "SorId",
            "SorType",
            "EntityName",
            "EntityTypeName",
            "EntityTypeId",
            "OrganisationalLevelName",
            "OrganisationalLevelCode",
            "ProductionUnitId",
            "ProviderId",
            "PharmacyId",
            "LocalCode",
            "GeographicalLocalisationName",
            "GeographicalLocalisationId",
        ),
    ),
    (
        "organisation",
        ("Organisation", "Organisation"),
        (
            "ParentSorId",
            "InstitutionOwnerEntityName",
            "InstitutionOwnerSorId",
            "InstitutionOwnerEntityTypeName",
            "InstitutionOwnerEntityTypeId",
            "InstitutionOwnerCvrNumberId",
            "HealthInstitutionEntityName",
            "HealthInstitutionSorId",
            "HealthInstitutionEntityTypeName",
            "HealthInstitutionEntityTypeId",
            "HealthInstitutionProductionUnitId",
        ),
    ),
    (
        "specialities",
        ("Specialer og aktivitet", "Specialities and activity"),
        (
            *_SPECIALITY_COLS,
            "PatientsAdmittedIndicator",
            "AmbulantActivityIndicator",
            "ReportingLevelIndicator",
        ),
    ),
    ("shak", schema.GROUP_LABELS["shak"], None),
    ("ean_location_code", schema.GROUP_LABELS["ean_location_code"], None),
    ("postal_address", schema.GROUP_LABELS["postal_address"], None),
    ("visiting_address", schema.GROUP_LABELS["visiting_address"], None),
    ("activity_address", schema.GROUP_LABELS["activity_address"], None),
    ("virtual_address", ("Kontakt (virtuel adresse)", "Contact (virtual address)"), None),
    ("dates", ("Datoer", "Dates"), ("FirstFromDate", "FromDate", "ToDate", "UpdatedAt")),
)

#: columns not listed as fields: the group state already says what they say
HIDDEN = frozenset(g.indicator for g in schema.FIELD_GROUPS.values() if g.indicator) | {
    "ActivityAddressInheritanceIndicator",
}
ID_COLUMNS = frozenset(schema.ID_COLUMNS_ENTITY)

#: the order address fields are read in: where (street, number, floor, door, extra
#: line), the postcode and town, then the codes and coordinates
ADDRESS_ORDER = (
    "StreetName",
    "StreetBuildingId",
    "FloorId",
    "SuiteId",
    "AdditionalAddressInfo",
    "PostCodeId",
    "DistrictName",
    "StreetCode",
    "MunicipalityCode",
    "RegionCode",
    "CountryIdCode",
    "CoordETRS89z32NMeasure",
    "CoordETRS89z32EMeasure",
)
ADDRESS_GROUPS = {
    "postal_address": "PostalAddress",
    "visiting_address": "VisitingAddress",
    "activity_address": "ActivityAddress",
}

#: the EAN columns the overview shows (codes and the rest are under All fields)
OVERVIEW_EAN = (
    "EanLocationCode",
    "EanLocationCodeSystemSupplierName",
    "EanLocationCodeCommunicationSupplierName",
    "EanLocationCodeSystemTypename",
    "EanLocationCodeSystemTypeName",
    "EanLocationCodeRegionName",
    "EanLocationCodeNonActiveIndicator",
    "EanLocationCodeOnlyInternalIndicator",
    "EanLocationCodeSorNote",
)

#: how indicator values read
YES_NO = {"true": ("ja", "yes"), "false": ("nej", "no"), "1": ("ja", "yes"), "0": ("nej", "no")}

#: badge words and colours per provenance state (white text on each: 4.5:1 or more)
BADGES = {
    "own": (("EGEN", "OWN"), "#2e7d32"),
    "inherited": (("NEDARVET", "INHERITED"), "#6a3fb5"),
    "none": (("INGEN", "NONE"), "#737373"),
}

#: how the EanLocationCodeState codes read in the All fields table
STATE_WORDS = {
    "own": ("egen", "own"),
    "inherited": ("nedarvet", "inherited"),
    "none": ("ingen", "none"),
}


def unit_report_rows(reg: Register, sor_id: str) -> list[ReportRow]:
    """The load report's warnings and errors about one unit (indexed once per register,
    in the register's own cache, so the index goes with the register)."""

    def make() -> dict[str, list[ReportRow]]:
        out: dict[str, list[ReportRow]] = {}
        for row in reg.report.rows:
            if row.sor_id and row.severity in ("warning", "error"):
                out.setdefault(str(row.sor_id), []).append(row)
        return out

    index: dict[str, list[ReportRow]] = reg.cache("ui_report_by_unit", make)
    return index.get(str(sor_id), [])


def badge_html(state: str, lang: str) -> str:
    """A small coloured pill saying own / inherited / none."""
    words, colour = BADGES.get(state, BADGES["none"])
    word = words[0 if lang == "da" else 1]
    return (
        f"<span style='background-color:{colour}; color:#ffffff; font-weight:600;"
        f" font-size:8pt'>&nbsp;{word}&nbsp;</span>"
    )


def group_columns(key: str) -> tuple[str, ...]:
    """The columns the overview lists for a field group, in reading order."""
    cols = schema.FIELD_GROUPS[key].columns
    if key == "ean_location_code":
        return tuple(c for c in OVERVIEW_EAN if c in cols)
    shown = [c for c in cols if c not in HIDDEN]
    prefix = ADDRESS_GROUPS.get(key)
    if prefix:
        # parts the order does not know keep their file order, after the known ones
        rank = {prefix + part: i for i, part in enumerate(ADDRESS_ORDER)}
        shown.sort(key=lambda c: rank.get(c, len(rank)))
    return tuple(shown)


def value_in_words(column: str, value: Any, lang: str) -> Any:
    """A file code as words (own -> egen, TRUE -> Ja) holding the code as `raw`; any
    other value as it is."""
    if not isinstance(value, str):
        return value
    key = value.strip().lower()
    i = 0 if lang == "da" else 1
    if column.endswith("State") and key in STATE_WORDS:
        return Worded(STATE_WORDS[key][i], value)
    if key in ("true", "false") or (column.endswith("Indicator") and key in YES_NO):
        return Worded(YES_NO[key][i].capitalize(), value)
    return value


def source_text(
    reg: Register, view: UnitView, prov: ProvenanceEntry, lang: str, day: dt.date
) -> str:
    """Rich text naming where an inherited group comes from ("" when not inherited)."""
    if prov.get("state") != "inherited":
        return ""
    src = prov.get("from_sor_id")
    from_group = prov.get("from_group")
    via = ""
    if from_group:
        glabel = schema.GROUP_LABELS.get(from_group, (from_group, from_group))
        via = tr(lang, f" (fra {glabel[0].lower()})", f" (from the {glabel[1].lower()})")
    if src == view["sor_id"]:
        return tr(lang, "fra enhedens egen", "from the unit's own") + escape(via)
    if src and reg.entity_index(src) < 0:  # the file names a holder it does not hold
        return tr(
            lang,
            f"fra {escape(src)} (enheden findes ikke i filen)",
            f"from {escape(src)} (that unit is not in the file)",
        ) + escape(via)
    if src:
        # the row is one line that a narrow panel cuts at its end: the id comes first
        return tr(lang, "fra ", "from ") + unit_link(reg, src, day, id_first=True) + escape(via)
    return tr(lang, "kilden er ikke i filen", "the source is not in the file")


class OverviewPanel(LazyPanel):
    """Everything about the selected unit at the as-of date, grouped, with provenance."""

    titles = ("Overblik", "Overview")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.view: UnitView | None = None
        #: the core's answer the view comes from (problems as messages, replacements)
        self.details: UnitDetails | None = None
        self.hint = self.hint_label()

        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        connect_link(self.header, state, reveal=True)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        # an amber strip from the palette (not a style sheet: that keeps the palette of
        # the moment it was applied), light on a light window and dark on a dark one
        self.problems.setFrameShape(QFrame.Shape.StyledPanel)
        self.problems.setAutoFillBackground(True)
        self.problems.setMargin(4)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.hide()
        self._colour_problems()

        self.show_empty = QCheckBox(self)
        self.show_empty.toggled.connect(self._on_show_empty_toggled)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self.copy_unit)

        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        self.tree.itemDoubleClicked.connect(self._on_tree_double_clicked)
        self.tree.installEventFilter(self)
        #: per group key: the badge label, and the source link label when inherited
        self.group_badges: dict[str, QLabel] = {}
        self.group_links: dict[str, QLabel] = {}

        content = QWidget(self)
        lay = QVBoxLayout(content)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.header)
        lay.addWidget(self.problems)
        bar = QHBoxLayout()
        bar.addWidget(self.show_empty)
        bar.addStretch(1)
        bar.addWidget(self.copy_button)
        lay.addLayout(bar)
        lay.addWidget(self.tree, 1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.retranslate()

    # --- state -------------------------------------------------------------------

    def retranslate(self) -> None:
        lang = self.lang
        self.show_empty.setText(tr(lang, "Vis tomme felter", "Show empty fields"))
        self.copy_button.setText(tr(lang, "Kopiér enheden (TSV)", "Copy unit (TSV)"))
        self.tree.setHeaderLabels([tr(lang, "Felt", "Field"), tr(lang, "Værdi", "Value")])

    def palette_changed(self) -> None:
        self._colour_problems()
        super().palette_changed()  # the refill picks the status, link and muted colours

    def _colour_problems(self) -> None:
        pal = self.palette()
        window = pal.color(QPalette.ColorRole.Window)
        strip = self.problems.palette()
        strip.setColor(QPalette.ColorRole.Window, mix(window, HIGHLIGHT_TINT, 0.25))
        strip.setColor(QPalette.ColorRole.WindowText, pal.color(QPalette.ColorRole.WindowText))
        self.problems.setPalette(strip)

    def refresh(self) -> None:
        reg, sid = self.state.register, self.state.current
        self.details = reg.unit(sid, self.state.as_of) if reg is not None and sid else None
        self.view = self.details.view if self.details is not None else None
        if self.view is None or self.details is None or reg is None:
            self.hint.setText(self.select_hint())
            self.stack.setCurrentWidget(self.hint)
            self.tree.clear()
            return
        self.stack.setCurrentIndex(1)
        self._fill_header(reg, self.details)
        lang = as_language(self.lang)
        problems = [m.render(lang) for m in self.details.problems]
        # what the load report says about this very unit (a bad check digit, a missing
        # status in the XML, ...): shown where the unit is looked at, not only in the report
        for row in unit_report_rows(reg, sid):
            text = row.text(lang)
            problems.append(f"{kind_label(row.kind, self.lang)}: {text}")
        self.problems.setText("⚠ " + "<br>⚠ ".join(escape(p) for p in problems))
        self.problems.setVisible(bool(problems))
        self._fit_header()
        self._fill_tree(reg, self.view)

    def _fit_header(self) -> None:
        # QStackedWidget does not pass height-for-width on, so a wrapped header would be
        # clipped to one line: size it for the current width ourselves.
        for label in (self.header, self.problems):
            width = max(label.width(), 200)
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def resizeEvent(self, ev: Any) -> None:  # Qt override
        super().resizeEvent(ev)
        self._fit_header()
        self._fit_columns()

    def _fit_columns(self) -> None:
        # the label column gets what it needs up to 45 % of the width; values get the rest
        want = self.tree.sizeHintForColumn(0) + 12
        self.tree.setColumnWidth(0, max(120, min(want, int(self.tree.width() * 0.45))))

    def _on_show_empty_toggled(self, _on: bool) -> None:
        reg = self.state.register
        if self.view is not None and reg is not None:
            self._fill_tree(reg, self.view)

    # --- filling -------------------------------------------------------------------

    def _fill_header(self, reg: Register, details: UnitDetails) -> None:
        view = details.view
        lang = self.lang
        day = self.state.as_of
        attrs = view["attributes"]
        type_text = view.get("entity_type") or ""
        if type_text.isdigit():
            type_text = codes.type_name(type_text) or type_text
        status = view["status"]
        word = status_text(status, lang, coverage(reg), day)
        # the unit's own life (first valid day to its closing day, if it has one) and,
        # apart from it, the version shown: a version's end is not the unit's end
        e_unit = reg.entity_index(view["sor_id"])
        first = show_date(view.get("first_from") or "") or "…"
        closing = (
            iso(int(reg.last_day[e_unit]))
            if e_unit >= 0 and int(reg.last_day[e_unit]) != MAX_DAY
            else None
        )
        end = show_date(closing) if closing else ""
        if status == "future":
            span = tr(lang, f"fra {first}", f"from {first}") + (
                tr(lang, f", lukker {end}", f", closes {end}") if end else ""
            )
        elif status == "closed":
            span = tr(lang, f"gyldig {first} – {end}", f"valid {first} – {end}")
        elif end:
            span = tr(lang, f"siden {first}, lukker {end}", f"since {first}, closes {end}")
        else:
            span = tr(lang, f"siden {first}", f"since {first}")
        v_from = show_date(view.get("valid_from") or "") or "…"
        v_to = show_date(view.get("valid_to") or "") or "…"
        version = tr(lang, f"denne version {v_from} – {v_to}", f"this version {v_from} – {v_to}")
        level = attrs.get("OrganisationalLevelName")
        colour = status_colour(status, self.palette().color(QPalette.ColorRole.Window)).name()
        parts = [
            f"<span style='font-size:14pt; font-weight:600'>{escape(view['name'] or '?')}</span>",
            f"{tr(lang, 'SOR-kode', 'SOR id')} <b>{escape(view['sor_id'])}</b>"
            f" · {escape(view.get('sor_type') or '')}"
            + (f" – {escape(type_text)}" if type_text else "")
            + (f" · {escape(level)}" if level else ""),
            f"<span style='color:{colour}; font-weight:600'>"
            f"{escape(word)}</span> ({escape(span)}; {escape(version)})",
        ]
        e = reg.entity_index(view["sor_id"])
        path = reg.snapshot(day).path(e)[:-1] if e >= 0 else []
        if path:
            crumbs = " › ".join(unit_link(reg, str(reg.ids[p]), day) for p in path)
            parts.append(f"{tr(lang, 'Placering', 'Path')}: {crumbs}")
        elif view["parent_sor_id"]:
            pid = view["parent_sor_id"]
            parts.append(f"{tr(lang, 'Overordnet', 'Parent')}: {unit_link(reg, pid, day)}")
        elif attrs.get("SorType") != "IE":
            parts.append(tr(lang, "Ingen overordnet enhed", "No parent unit"))
        if details.replaced_by:
            title = tr(lang, "Erstattet af", "Replaced by")
            parts.append(replacement_html(reg, title, details.replaced_by, day, lang))
        if details.replaces:
            title = tr(lang, "Erstatter", "Replaces")
            parts.append(replacement_html(reg, title, details.replaces, day, lang))
        set_link_text(self.header, "<br>".join(parts))

    def _fill_tree(self, reg: Register, view: UnitView) -> None:
        self.tree.setUpdatesEnabled(False)
        try:
            self._fill_tree_items(reg, view)
        finally:
            self.tree.setUpdatesEnabled(True)
        self._fit_columns()

    def _fill_tree_items(self, reg: Register, view: UnitView) -> None:
        # The items are built apart from the tree and inserted in one call: an item
        # added to an item already in the tree costs the view a row insertion each
        # (~100 fields a unit), which was a third of a selection (issue 16). What needs
        # the tree (item widgets, spanned rows, hidden and expanded) comes after.
        self.tree.clear()
        self.group_badges = {}
        self.group_links = {}
        attrs: dict[str, str | None] = view["attributes"]
        prov: dict[str, ProvenanceEntry] = view["provenance"]
        show_empty = self.show_empty.isChecked()
        listed: set[str] = set(HIDDEN) | set(schema.FIELD_GROUPS["ean_location_code"].columns)
        listed.add("EanLocationCodeState")
        lang = self.lang
        bold = QFont(self.tree.font())
        bold.setBold(True)
        groups: list[QTreeWidgetItem] = []
        hidden: list[QTreeWidgetItem] = []
        widgets: list[tuple[QTreeWidgetItem, int, QLabel]] = []
        for key, titles, cols in SECTIONS:
            state = ""
            columns = cols
            if cols is None:
                columns = group_columns(key)
                state = prov[key]["state"] if key in prov else "none"
            assert columns is not None
            listed.update(columns)
            group = QTreeWidgetItem([titles[0 if lang == "da" else 1], ""])
            group.setFont(0, bold)
            group.setData(0, STATE_ROLE, state)
            group.setData(0, GROUP_ROLE, key)
            groups.append(group)
            if state:
                widgets.extend(self._describe_group(reg, view, group, key, prov[key]))
            self._add_fields(group, columns, attrs, state, show_empty)
            if group.childCount() == 0 and not state:
                hidden.append(group)
        rest = [c for c in attrs if c not in listed and not c.startswith("__")]
        if rest:
            group = QTreeWidgetItem([tr(lang, "Øvrige felter", "Other fields"), ""])
            group.setFont(0, bold)
            group.setData(0, STATE_ROLE, "")
            groups.append(group)
            self._add_fields(group, rest, attrs, "", show_empty)
            if group.childCount() == 0:
                hidden.append(group)
        self.tree.addTopLevelItems(groups)
        for item, column, widget in widgets:
            if column == 0:
                item.setFirstColumnSpanned(True)
            self.tree.setItemWidget(item, column, widget)
        for group in hidden:
            group.setHidden(True)
        self.tree.expandAll()

    def _add_fields(
        self,
        group: QTreeWidgetItem,
        columns: tuple[str, ...] | list[str],
        attrs: dict[str, str | None],
        state: str,
        show_empty: bool,
    ) -> None:
        italic = QFont(self.tree.font())
        italic.setItalic(True)
        # the panel's palette: on a palette change the panel refills before its children
        # have heard of it
        muted = QBrush(muted_colour(self.palette(), QPalette.ColorRole.Base))
        items: list[QTreeWidgetItem] = []
        for col in columns:
            value = attrs.get(col)
            if (value is None or value == "") and not show_empty:
                continue
            text = field_label(col, self.lang)
            if value and col.endswith("Indicator") and value.lower() in YES_NO:
                value = YES_NO[value.lower()][0 if self.lang == "da" else 1]
            if ": " in text and state:  # "Postal address: street" under "Postal address"
                text = text.split(": ", 1)[1].capitalize()
            item = QTreeWidgetItem([text, show_date(value) if value else ""])
            item.setData(0, COLUMN_ROLE, col)
            item.setData(0, STATE_ROLE, state)
            item.setToolTip(0, col)
            if value and len(value) > 40:
                item.setToolTip(1, value)
            if state == "inherited":
                for c in (0, 1):
                    item.setFont(c, italic)
                    item.setForeground(c, muted)
            elif not value:
                item.setForeground(1, muted)
            items.append(item)
        group.addChildren(items)

    def _describe_group(
        self,
        reg: Register,
        view: UnitView,
        group: QTreeWidgetItem,
        key: str,
        prov: ProvenanceEntry,
    ) -> list[tuple[QTreeWidgetItem, int, QLabel]]:
        """The group's badge, and the row naming where inherited values come from: the
        items are filled here, the labels returned as (item, column, label) for the
        caller to set once the items are in the tree."""
        lang = self.lang
        state = prov["state"]
        src = prov.get("from_sor_id")
        group.setData(0, FROM_ROLE, src)
        word = BADGES.get(state, BADGES["none"])[0][0 if lang == "da" else 1]
        group.setText(1, word.lower())
        group.setForeground(1, QBrush(Qt.GlobalColor.transparent))
        badge = QLabel(badge_html(state, lang))
        badge.setTextFormat(Qt.TextFormat.RichText)
        badge.setContentsMargins(4, 0, 0, 0)
        badge.setToolTip(
            {
                "own": tr(lang, "Enheden har selv værdierne", "The unit holds these values"),
                "inherited": tr(
                    lang,
                    "Værdierne kommer fra en overordnet enhed",
                    "The values come from a unit above",
                ),
            }.get(state, tr(lang, "Ingen værdier, heller ikke nedarvede", "No values at all"))
        )
        self.group_badges[key] = badge
        out = [(group, 1, badge)]
        html = source_text(reg, view, prov, lang, self.state.as_of)
        if not html:
            return out
        row = QTreeWidgetItem(["", ""])
        row.setData(0, FROM_ROLE, src)
        row.setData(0, STATE_ROLE, state)
        group.addChild(row)
        link = QLabel("<i>" + tr(lang, "Nedarvet ", "Inherited ") + html + "</i>")
        link.setTextFormat(Qt.TextFormat.RichText)
        link.setContentsMargins(2, 0, 0, 0)
        connect_link(link, self.state, reveal=True, keyboard=False)
        link.setToolTip(QTextDocumentFragment.fromHtml(link.text()).toPlainText())
        row.setText(0, link.text())
        row.setForeground(0, QBrush(Qt.GlobalColor.transparent))
        self.group_links[key] = link
        out.append((row, 0, link))
        return out

    # --- copying -------------------------------------------------------------------

    def unit_table(self) -> tuple[list[str], list[list[Any]]]:
        """The whole unit: label, column, value, where the value comes from (a header
        and rows; empty when no unit is shown)."""
        if self.view is None:
            return [], []
        lang = self.lang
        attrs = self.view["attributes"]
        prov = self.view["provenance"]
        source_of: dict[str, str] = {}
        i = 0 if lang == "da" else 1
        for key in schema.FIELD_GROUPS:
            p: dict[str, Any] = dict(prov.get(key) or {})
            state = str(p.get("state", ""))
            text = STATE_WORDS[state][i] if state in STATE_WORDS else state
            if state == "inherited" and p.get("from_sor_id"):
                text = tr(
                    lang, f"nedarvet fra {p['from_sor_id']}", f"inherited from {p['from_sor_id']}"
                )
            for col in schema.FIELD_GROUPS[key].columns:
                source_of[col] = text
        rows = []
        for col, value in attrs.items():
            if col.startswith("__") or col in HIDDEN:
                continue
            if value in (None, "") and not self.show_empty.isChecked():
                continue
            rows.append([field_label(col, lang), col, value or "", source_of.get(col, "")])
        header = [
            tr(lang, "Felt", "Field"),
            tr(lang, "Kolonne", "Column"),
            tr(lang, "Værdi", "Value"),
            tr(lang, "Kilde", "Source"),
        ]
        return header, rows

    def unit_tsv(self) -> str:
        """The whole unit as TSV (see `unit_table`)."""
        header, rows = self.unit_table()
        return to_tsv(header, rows) if header else ""

    def copy_unit(self) -> None:
        header, rows = self.unit_table()
        if header:
            copy_table(header, rows)

    def copy_item(self, item: QTreeWidgetItem | None, with_label: bool = False) -> None:
        if item is None or item.data(0, COLUMN_ROLE) is None:
            return
        value = item.text(1)
        set_clipboard(f"{item.text(0)}\t{value}" if with_label else value)

    def eventFilter(self, obj: Any, ev: Any) -> bool:  # Qt override
        if obj is self.tree and isinstance(ev, QKeyEvent):
            if ev.matches(QKeySequence.StandardKey.Copy):
                if ev.type() == QKeyEvent.Type.ShortcutOverride:
                    ev.accept()  # the field list copies its value, not a window-wide Copy
                    return True
                if ev.type() == QKeyEvent.Type.KeyPress:
                    self.copy_item(self.tree.currentItem())
                    return True
            elif ev.type() == QKeyEvent.Type.KeyPress and self._on_tree_key(ev):
                return True
        return super().eventFilter(obj, ev)

    def _on_tree_key(self, ev: QKeyEvent) -> bool:
        """Enter follows the current row's link (its source unit, an id); the context-menu
        key and Shift+F10 open the row's menu under it. True when the key was used."""
        item = self.tree.currentItem()
        if item is None:
            return False
        if ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            target = self._target_id(item)
            if target:
                self.state.show_in_tree(target)
                return True
            return False
        if is_menu_key(ev):
            rect = self.tree.visualItemRect(item)
            menu = self.item_menu(item)
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.tree.viewport().mapToGlobal(rect.bottomLeft()))
            return True
        return False

    def item_menu(self, item: QTreeWidgetItem) -> QMenu:
        lang = self.lang
        menu = QMenu(self)
        if item.data(0, COLUMN_ROLE) is not None:
            act = QAction(tr(lang, "Kopiér værdi", "Copy value"), menu)
            act.triggered.connect(lambda: self.copy_item(item))
            menu.addAction(act)
            act = QAction(tr(lang, "Kopiér felt og værdi", "Copy field and value"), menu)
            act.triggered.connect(lambda: self.copy_item(item, with_label=True))
            menu.addAction(act)
        act = QAction(tr(lang, "Kopiér hele enheden (TSV)", "Copy the whole unit (TSV)"), menu)
        act.triggered.connect(self.copy_unit)
        menu.addAction(act)
        target = self._target_id(item)
        if target:
            menu.addSeparator()
            act = QAction(tr(lang, f"Vis {target} i træet", f"Show {target} in the tree"), menu)
            act.setObjectName("ShowInTree")
            act.triggered.connect(lambda: self.state.show_in_tree(target))
            menu.addAction(act)
        return menu

    def _target_id(self, item: QTreeWidgetItem) -> str | None:
        col = item.data(0, COLUMN_ROLE)
        if col in ID_COLUMNS and item.text(1) and item.text(1) != self.state.current:
            return item.text(1)
        src = item.data(0, FROM_ROLE)
        if src and src != self.state.current:
            return str(src)
        return None

    def _on_tree_context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is not None:
            self.item_menu(item).exec(self.tree.viewport().mapToGlobal(pos))

    def _on_tree_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        target = self._target_id(item)
        if target:
            self.state.show_in_tree(target)

    # --- for tests and the window --------------------------------------------------

    def field_items(self) -> dict[str, QTreeWidgetItem]:
        """Field rows by SOR2 column."""
        out: dict[str, QTreeWidgetItem] = {}
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for i in range(group.childCount() if group is not None else 0):
                item = group.child(i) if group is not None else None
                col = item.data(0, COLUMN_ROLE) if item is not None else None
                if item is not None and col is not None:
                    out[str(col)] = item
        return out


ALL_KEYS = ("field", "value", "column", "note")
#: the official SOREntity columns; anything else in a file is an extra column
KNOWN_COLUMNS = frozenset(schema.SOR_ENTITY_COLUMNS_2025)


class AllFieldsPanel(LazyPanel):
    """Every column of the version valid at the date, as a copyable table."""

    titles = ("Alle felter", "All fields")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.hint = self.hint_label()
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.show_empty = QCheckBox(self)
        self.show_empty.setChecked(True)
        self.show_empty.toggled.connect(self.mark_stale)
        self.table = RecordsView(state)
        content = QWidget(self)
        lay = QVBoxLayout(content)
        lay.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.show_empty)
        lay.addLayout(bar)
        lay.addWidget(self.table.frame, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.show_empty.setText(tr(lang, "Vis tomme felter", "Show empty fields"))
        self.table.filter_edit.setPlaceholderText(
            tr(lang, "Filtrér felter og værdier", "Filter fields and values")
        )

    def refresh(self) -> None:
        reg, sid, lang = self.state.register, self.state.current, self.lang
        e = reg.entity_index(sid) if reg is not None and sid else -1
        if reg is None or e < 0:
            self.hint.setText(self.select_hint())
            self.stack.setCurrentWidget(self.hint)
            self.table.set_records(ALL_KEYS, [], [], id_key=None)
            return
        self.stack.setCurrentIndex(1)
        snap = reg.snapshot(self.state.as_of)
        row = snap.row(e)
        values = reg.row_dict(row)
        known = KNOWN_COLUMNS
        show_empty = self.show_empty.isChecked()
        records = []
        for col, value in values.items():
            if col.startswith("__") or (not show_empty and value in (None, "")):
                continue
            extra = col not in known
            note = tr(lang, "ekstra kolonne i filen", "extra column in the file") if extra else ""
            records.append((field_label(col, lang), value_in_words(col, value, lang), col, note))
        labels = [
            tr(lang, "Felt", "Field"),
            tr(lang, "Værdi", "Value"),
            tr(lang, "Kolonne i filen", "Column in the file"),
            tr(lang, "Bemærkning", "Note"),
        ]
        self.table.set_records(ALL_KEYS, labels, records, id_key=None)
        name = values.get("EntityName") or "?"
        f = show_date(values.get("FromDate") or "") or "…"
        t = show_date(values.get("ToDate") or "") or "…"
        self.caption.setText(
            tr(
                lang,
                f"<b>{escape(name)}</b> ({escape(sid)}): versionen {f} – {t},"
                f" {len(records)} felter",
                f"<b>{escape(name)}</b> ({escape(sid)}): the version {f} – {t},"
                f" {len(records)} fields",
            )
        )
        for c, cap in ((0, 210), (1, 260), (2, 240)):
            self.table.resizeColumnToContents(c)
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), cap))
        self.table.fit_id_columns()  # an id value is never cut by the cap

    def field_values(self) -> dict[str, Any]:
        """Column -> value of the rows shown (for tests)."""
        return {r[2]: r[1] for r in self.table.records.records()}
