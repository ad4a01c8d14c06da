"""EAN location number and EDI of the selected unit; who under a unit can receive a type.

`EanEdiPanel` says whether the unit's EAN is its own, inherited (from which
unit, as a link) or absent, with the location's system supplier, VANS
(communication supplier) and system type, and the EDI message types it accepts.
`EdiPanel` answers "which units under this one can receive message type T",
through their own or an inherited EAN; senders are meant to prefer own EANs,
so the table says which is which.

EDI directions read as words ("I" as "Ind", "U" as "Ud"), the file's letter in the
tooltip; a file without the EDI table (every XML extract) keeps the form compact at
the top with the note saying so right under it.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import edi
from sorviewer.asof import Snapshot
from ui.app_state import AppState
from ui.i18n import tr
from ui.models.records_model import Worded
from ui.unit_labels import unit_link, unit_name
from ui.widgets.details_panel import badge_html
from ui.widgets.labels import MutedLabel, connect_link, set_link_text
from ui.widgets.panel import LazyPanel
from ui.widgets.table_view import RecordsView

TYPE_KEYS = ("edi_id", "name", "message_type", "direction", "version")

#: how the direction letters of the EDI tables read
DIRECTIONS = {"I": ("Ind", "In"), "U": ("Ud", "Out")}
RECIPIENT_KEYS = ("sor_id", "name", "ean_state", "ean", "holder")

#: LocationsCode columns shown as a form, with Danish and English labels
LOCATION_FIELDS = (
    ("EanLocationCodeSystemSupplierName", ("Systemleverandør", "System supplier")),
    ("EanLocationCodeCommunicationSupplierName", ("VANS (netoperatør)", "VANS (network)")),
    ("EanLocationCodeSystemTypeName", ("Systemtype", "System type")),
    ("EanLocationCodeRegionName", ("Region", "Region")),
    ("EanLocationCodeNonActiveIndicator", ("Ikke aktiv", "Not active")),
    ("EanLocationCodeOnlyInternalIndicator", ("Kun intern", "Internal only")),
    ("EanLocationCodeSorNote", ("Note", "Note")),
)


def direction_words(value: str | None, lang: str) -> str | Worded | None:
    """An EDI direction letter in words (the letter kept as `raw`), else as it is."""
    words = DIRECTIONS.get((value or "").strip().upper())
    if words is None or value is None:
        return value
    return Worded(words[0 if lang == "da" else 1], value)


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class EanEdiPanel(LazyPanel):
    """The unit's EAN (own or inherited, from where), its supplier, VANS and EDI types."""

    titles = ("EAN/EDI", "EAN/EDI")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.hint = self.hint_label()
        self.ean = ""  # the selected unit's effective EAN ("" when none)

        self.ean_label = QLabel(self)
        self.ean_label.setWordWrap(True)
        self.ean_label.setTextFormat(Qt.TextFormat.RichText)
        connect_link(self.ean_label, state)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_names: dict[str, QLabel] = {}
        self.form_values: dict[str, QLabel] = {}
        for col, _names in LOCATION_FIELDS:
            name, value = QLabel(self), _selectable(QLabel(self))
            self.form_names[col] = name
            self.form_values[col] = value
            self.form.addRow(name, value)
        self.no_location = MutedLabel(self)
        self.types_caption = QLabel(self)
        # the note says why there is no table: plain text colour, it is the answer
        self.types_note = QLabel(self)
        self.types_note.setWordWrap(True)
        self.types = RecordsView(state, filterable=False)

        content = QWidget(self)
        lay = QVBoxLayout(content)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.ean_label)
        lay.addLayout(self.form)
        lay.addWidget(self.no_location)
        lay.addWidget(self.types_caption)
        lay.addWidget(self.types_note)
        lay.addWidget(self.types.frame, 1)
        # without the table (hidden) the space goes here, not between the form's rows
        self.tail = QWidget(self)
        lay.addWidget(self.tail, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        i = 0 if lang == "da" else 1
        for col, names in LOCATION_FIELDS:
            self.form_names[col].setText(names[i] + ":")
        self.types_caption.setText(
            tr(lang, "EDI-meddelelsestyper på lokationsnummeret", "EDI message types of the EAN")
        )

    def refresh(self) -> None:
        reg, sid = self.state.register, self.state.current
        view = reg.entity(sid, self.state.as_of) if reg is not None and sid else None
        if reg is None or view is None:
            self.hint.setText(self.select_hint())
            self.stack.setCurrentWidget(self.hint)
            return
        self.stack.setCurrentIndex(1)
        lang, day = self.lang, self.state.as_of
        prov = view["provenance"]["ean_location_code"]
        self.ean = (view["attributes"].get("EanLocationCode") or "").strip()
        state = prov["state"] if self.ean else "none"
        head = f"{tr(lang, 'Lokationsnummer (EAN)', 'EAN location number')}: "
        if state == "none":
            text = head + tr(lang, "<i>intet</i>", "<i>none</i>") + " " + badge_html("none", lang)
        elif state == "own":
            text = head + f"<b>{escape(self.ean)}</b> {badge_html('own', lang)}"
        else:
            src = prov.get("from_sor_id")
            where = unit_link(reg, src, day) if src else "?"
            text = (
                head
                + f"<b>{escape(self.ean)}</b> {badge_html('inherited', lang)}<br>"
                + f"<i>{tr(lang, 'nedarvet fra', 'inherited from')} {where}</i>"
            )
        set_link_text(self.ean_label, text)
        self._fill_location(lang, day, view["attributes"])

    def _fill_location(self, lang: str, day: dt.date, attrs: dict[str, str | None]) -> None:
        reg = self.state.register
        assert reg is not None
        labels = [
            tr(lang, "EDI-type (id)", "EDI type (id)"),
            tr(lang, "EDIFACT-navn", "EDIFACT name"),
            tr(lang, "Meddelelsestype", "Message type"),
            tr(lang, "Retning", "Direction"),
            "Version",
        ]
        found = (edi.ean_details(reg, self.ean, day) or {}) if self.ean else {}
        # the locations table first; the unit's own (or inherited) EAN columns fill gaps
        details: dict[str, str | None] = {}
        for col, _names in LOCATION_FIELDS:
            alt = "EanLocationCodeSystemTypename" if col.endswith("TypeName") else col
            details[col] = found.get(col) or attrs.get(col) or attrs.get(alt)
        for col, _names in LOCATION_FIELDS:
            value = details.get(col) or ""
            if value.upper() in ("TRUE", "FALSE"):
                value = tr(lang, "ja", "yes") if value.upper() == "TRUE" else tr(lang, "nej", "no")
            self.form_values[col].setText(value or "–")
            shown = bool(value) or col in (
                "EanLocationCodeSystemSupplierName",
                "EanLocationCodeCommunicationSupplierName",
                "EanLocationCodeSystemTypeName",
            )
            self.form_names[col].setVisible(shown and bool(self.ean))
            self.form_values[col].setVisible(shown and bool(self.ean))
        if self.ean and not found:
            self.no_location.setText(
                tr(
                    lang,
                    "Lokationsnummeret står ikke i lokationstabellen.",
                    "The EAN is not in the locations table.",
                )
            )
        else:
            self.no_location.setText("")
        self.no_location.setVisible(bool(self.no_location.text()))
        types = edi.ean_edi_types(reg, self.ean, day) if self.ean else []
        rows = [
            (
                t["edi_id"],
                t["name"],
                t["message_type"],
                direction_words(t["direction"], lang),
                t["version"],
            )
            for t in types
        ]
        self.types.set_records(TYPE_KEYS, labels, rows, id_key=None)
        self.types.resizeColumnsToContents()
        note = ""
        if not self.ean:
            note = tr(
                lang,
                "Uden lokationsnummer kan enheden ikke modtage EDI.",
                "Without an EAN the unit cannot receive EDI.",
            )
        elif edi.edi_map(reg) is None:
            note = tr(
                lang,
                "Filen har ingen tabel over EDI-typer pr. lokationsnummer"
                " (XML-udtræk har den ikke).",
                "The file has no table of EDI types per EAN (XML extracts leave it out).",
            )
        elif not rows:
            note = tr(
                lang,
                "Lokationsnummeret har ingen EDI-typer på datoen.",
                "The EAN takes no EDI message types on this date.",
            )
        self.types_note.setText(note)
        self.types_note.setVisible(bool(note))
        self.types.frame.setVisible(bool(rows))
        self.tail.setVisible(not rows)

    def location_text(self) -> str:
        """The shown location fields as `label: value` lines (for tests and copying)."""
        return "\n".join(
            f"{self.form_names[c].text()} {self.form_values[c].text()}"
            for c, _n in LOCATION_FIELDS
            if not self.form_values[c].isHidden()
        )


class EdiPanel(LazyPanel):
    """Units under a chosen unit that can receive a chosen EDI type, and through which EAN."""

    titles = ("EDI-modtagere", "EDI recipients")

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.root = ""  # the unit whose subtree is searched
        self.type_combo = QComboBox(self)
        self.type_combo.setMinimumContentsLength(20)
        self.type_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_changed)
        self.pin = QCheckBox(self)
        self.pin.toggled.connect(self._on_pin_toggled)
        self.root_label = QLabel(self)
        self.root_label.setWordWrap(True)
        self.root_label.setTextFormat(Qt.TextFormat.RichText)
        connect_link(self.root_label, state)
        self.receive_caption = QLabel(self)
        self.receive_caption.setWordWrap(True)
        self.recipients = RecordsView(state)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.type_title = QLabel(self)
        row.addWidget(self.type_title)
        row.addWidget(self.type_combo, 1)
        lay.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.root_label, 1)
        row.addWidget(self.pin)
        lay.addLayout(row)
        lay.addWidget(self.receive_caption)
        lay.addWidget(self.recipients.frame, 1)
        self._types_loaded = False
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.type_title.setText(tr(lang, "EDI-type:", "EDI type:"))
        self.pin.setText(tr(lang, "Fasthold enheden", "Keep this unit"))
        self.pin.setToolTip(
            tr(
                lang,
                "Bliv ved med at søge under denne enhed, selv om en anden vælges",
                "Keep searching under this unit when another one is selected",
            )
        )
        self.recipients.filter_edit.setPlaceholderText(tr(lang, "Filtrér", "Filter"))

    def register_changed(self) -> None:
        self._types_loaded = False
        self.root = ""
        self.pin.setChecked(False)

    def _load_types(self) -> None:
        reg = self.state.register
        keep = self.type_combo.currentData()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        if reg is not None:
            for t in edi.edi_types(reg):
                self.type_combo.addItem(f"{t['name'] or '?'} ({t['edi_id']})", t["edi_id"])
        i = self.type_combo.findData(keep) if keep is not None else -1
        self.type_combo.setCurrentIndex(max(i, 0) if self.type_combo.count() else -1)
        self.type_combo.blockSignals(False)
        self._types_loaded = True

    def _on_type_combo_changed(self, _i: int) -> None:
        self.mark_stale()

    def _on_pin_toggled(self, on: bool) -> None:
        if not on:
            self.mark_stale()

    def set_edi_type(self, edi_id: str) -> None:
        i = self.type_combo.findData(edi_id)
        if i >= 0:
            self.type_combo.setCurrentIndex(i)

    def set_root(self, sor_id: str, pin: bool = True) -> None:
        """Search under `sor_id` (and keep it when `pin`)."""
        self.root = sor_id
        self.pin.setChecked(pin)
        self.mark_stale()

    def refresh(self) -> None:
        reg = self.state.register
        if reg is not None and not self._types_loaded:
            self._load_types()
        if not self.pin.isChecked() or not self.root:
            self.root = self.state.current
        self._fill_recipients()

    def _fill_recipients(self) -> None:
        reg, sid, lang, day = self.state.register, self.root, self.lang, self.state.as_of
        labels = [
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Navn", "Name"),
            tr(lang, "EAN er", "EAN is"),
            tr(lang, "Lokationsnummer", "EAN"),
            tr(lang, "Nedarvet fra", "Inherited from"),
        ]
        edi_id = self.type_combo.currentData()
        if reg is not None and sid:
            set_link_text(
                self.root_label, tr(lang, "Under: ", "Under: ") + unit_link(reg, sid, day)
            )
        else:
            self.root_label.setText(self.select_hint() if reg is not None else "")
        if reg is None or not sid or edi_id is None:
            self.receive_caption.setText(
                tr(lang, "Filen har ingen EDI-typer.", "The file has no EDI types.")
                if reg is not None and self.type_combo.count() == 0
                else ""
            )
            self.recipients.set_records(RECIPIENT_KEYS, labels, [])
            return
        found = edi.recipients(reg, sid, str(edi_id), day) or []
        snap = reg.snapshot(day)
        records = []
        for r in found:
            own = r["ean_state"] == "own"
            records.append(
                (
                    r["sor_id"],
                    unit_name(reg, r["sor_id"], day),
                    tr(lang, "eget", "own") if own else tr(lang, "nedarvet", "inherited"),
                    r["ean"],
                    "" if own else self._ean_holder(snap, r["sor_id"]),
                )
            )
        n_own = sum(1 for r in found if r["ean_state"] == "own")
        name = unit_name(reg, sid, day)
        self.receive_caption.setText(
            tr(
                lang,
                f"{len(found)} enheder under {name} kan modtage {self.type_combo.currentText()}"
                f" ({n_own} med eget lokationsnummer).",
                f"{len(found)} units under {name} can receive {self.type_combo.currentText()}"
                f" ({n_own} through their own EAN).",
            )
        )
        self.recipients.set_records(RECIPIENT_KEYS, labels, records)
        self.recipients.resizeColumnsToContents()
        self.recipients.setColumnWidth(1, min(self.recipients.columnWidth(1), 230))
        self.recipients.fit_id_columns()

    def _ean_holder(self, snap: Snapshot, sor_id: str) -> str:
        """The id of the unit whose own EAN `sor_id` inherits, or ""."""
        reg = self.state.register
        assert reg is not None
        src, _own = edi.ean_sources(reg, snap)
        e = reg.entity_index(sor_id)
        h = int(src[e]) if e >= 0 else -1
        return str(reg.ids[h]) if h >= 0 else ""
