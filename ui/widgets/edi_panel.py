"""EAN location number and EDI message types of the selected unit, and who can receive.

The top half says whether the unit's EAN is its own, inherited (from which unit)
or absent, with the location's details and the EDI message types it accepts.
The bottom half answers "which units under this one can receive message type T",
through their own or an inherited EAN; senders are meant to prefer own EANs,
so the table says which is which.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sorviewer import edi
from sorviewer.asof import Snapshot
from ui.app_state import AppState
from ui.widgets.details_panel import unit_link, unit_name
from ui.widgets.table_view import LazyPanel, RecordsView, connect_link, tr

TYPE_KEYS = ("edi_id", "name", "message_type", "direction", "version")
RECIPIENT_KEYS = ("sor_id", "name", "ean", "ean_state", "holder")

#: LocationsCode columns worth showing, with Danish and English labels
LOCATION_FIELDS = (
    ("EanLocationCodeSystemSupplierName", ("Systemleverandør", "System supplier")),
    ("EanLocationCodeSystemTypeName", ("EDB-system", "IT system")),
    ("EanLocationCodeCommunicationSupplierName", ("Netoperatør (VANS)", "Network operator")),
    ("EanLocationCodeRegionName", ("Region", "Region")),
    ("EanLocationCodeNonActiveIndicator", ("Ikke aktiv", "Not active")),
    ("EanLocationCodeOnlyInternalIndicator", ("Kun intern", "Internal only")),
    ("EanLocationCodeSorNote", ("Note", "Note")),
)


class EdiPanel(LazyPanel):
    """The unit's EAN with its EDI types; recipients of a type under the unit."""

    title = "EAN / EDI"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.hint = self.hint_label()
        self.ean = ""  # the selected unit's effective EAN ("" when none)

        self.ean_label = QLabel(self)
        self.ean_label.setWordWrap(True)
        self.ean_label.setTextFormat(Qt.TextFormat.RichText)
        connect_link(self.ean_label, state)
        self.location_label = QLabel(self)
        self.location_label.setWordWrap(True)
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.types_caption = QLabel(self)
        self.types = RecordsView(state, filterable=False)

        self.type_combo = QComboBox(self)
        self.type_combo.setMinimumContentsLength(20)
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_changed)
        self.receive_caption = QLabel(self)
        self.receive_caption.setWordWrap(True)
        self.recipients = RecordsView(state)

        top = QWidget(self)
        lay = QVBoxLayout(top)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.ean_label)
        lay.addWidget(self.location_label)
        lay.addWidget(self.types_caption)
        lay.addWidget(self.types.frame, 1)
        bottom = QWidget(self)
        lay = QVBoxLayout(bottom)
        lay.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        self.receive_title = QLabel(self)
        row.addWidget(self.receive_title)
        row.addWidget(self.type_combo, 1)
        lay.addLayout(row)
        lay.addWidget(self.receive_caption)
        lay.addWidget(self.recipients.frame, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(bottom)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(split)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._types_loaded = False
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.receive_title.setText(tr(lang, "Hvem kan modtage:", "Who can receive:"))
        self.types_caption.setText(
            tr(lang, "EDI-meddelelsestyper på lokationsnummeret", "EDI message types of the EAN")
        )

    def register_changed(self) -> None:
        self._types_loaded = False

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

    # --- refresh -------------------------------------------------------------------

    def refresh(self) -> None:
        reg, sid = self.state.register, self.state.current
        view = reg.entity(sid, self.state.as_of) if reg is not None and sid else None
        if reg is None or view is None:
            self.hint.setText(self.select_hint())
            self.stack.setCurrentWidget(self.hint)
            return
        if not self._types_loaded:
            self._load_types()
        self.stack.setCurrentIndex(1)
        lang, day = self.lang, self.state.as_of
        prov = view["provenance"]["ean_location_code"]
        self.ean = (view["attributes"].get("EanLocationCode") or "").strip()
        state = prov["state"]
        head = f"{tr(lang, 'Lokationsnummer (EAN)', 'EAN location number')}: "
        if state == "none" or not self.ean:
            text = head + tr(lang, "<i>intet</i>", "<i>none</i>")
        elif state == "own":
            text = head + f"<b>{escape(self.ean)}</b> – {tr(lang, 'eget', 'own')}"
        else:
            src = prov.get("from_sor_id")
            where = unit_link(reg, src, day) if src else "?"
            text = (
                head
                + f"<b>{escape(self.ean)}</b> – <i>{tr(lang, 'nedarvet fra', 'inherited from')} "
                + f"{where}</i>"
            )
        self.ean_label.setText(text)
        self._fill_location(lang, day)
        self._fill_recipients()

    def _fill_location(self, lang: str, day: object) -> None:
        reg = self.state.register
        assert reg is not None
        labels = [
            "EdiId",
            tr(lang, "EDIFACT-navn", "EDIFACT name"),
            tr(lang, "Meddelelsestype", "Message type"),
            tr(lang, "Retning", "Direction"),
            "Version",
        ]
        if not self.ean:
            self.location_label.setText("")
            self.types.set_records(TYPE_KEYS, labels, [], id_key=None)
            return
        details = edi.ean_details(reg, self.ean, self.state.as_of) or {}
        i = 0 if lang == "da" else 1
        parts = [
            f"{names[i]}: {details[col]}" for col, names in LOCATION_FIELDS if details.get(col)
        ]
        self.location_label.setText(" · ".join(parts))
        types = edi.ean_edi_types(reg, self.ean, self.state.as_of)
        rows = [
            (t["edi_id"], t["name"], t["message_type"], t["direction"], t["version"]) for t in types
        ]
        self.types.set_records(TYPE_KEYS, labels, rows, id_key=None)
        self.types.resizeColumnsToContents()

    def _on_type_combo_changed(self, _i: int) -> None:
        if self.isVisible():
            self._fill_recipients()
        else:
            self._stale = True

    def set_edi_type(self, edi_id: str) -> None:
        i = self.type_combo.findData(edi_id)
        if i >= 0:
            self.type_combo.setCurrentIndex(i)

    def _fill_recipients(self) -> None:
        reg, sid, lang, day = (
            self.state.register,
            self.state.current,
            self.lang,
            self.state.as_of,
        )
        labels = [
            tr(lang, "SOR-kode", "SOR id"),
            tr(lang, "Navn", "Name"),
            tr(lang, "Lokationsnummer", "EAN"),
            tr(lang, "EAN", "EAN is"),
            tr(lang, "Nedarvet fra", "Inherited from"),
        ]
        edi_id = self.type_combo.currentData()
        if reg is None or not sid or edi_id is None:
            self.receive_caption.setText(
                tr(lang, "Filen har ingen EDI-typer.", "The file has no EDI types.")
                if reg is not None
                else ""
            )
            self.recipients.set_records(RECIPIENT_KEYS, labels, [])
            return
        found = edi.recipients(reg, sid, str(edi_id), day) or []
        snap = reg.snapshot(day)
        records = []
        for r in found:
            own = r["ean_state"] == "own"
            holder = ""
            if not own:
                holder = self._ean_holder(snap, r["sor_id"])
            records.append(
                (
                    r["sor_id"],
                    unit_name(reg, r["sor_id"], day),
                    r["ean"],
                    tr(lang, "eget", "own") if own else tr(lang, "nedarvet", "inherited"),
                    holder,
                )
            )
        n_own = sum(1 for r in found if r["ean_state"] == "own")
        self.receive_caption.setText(
            tr(
                lang,
                f"{len(found)} enheder under {unit_name(reg, sid, day)} kan modtage "
                f"({n_own} med eget lokationsnummer).",
                f"{len(found)} units under {unit_name(reg, sid, day)} can receive it "
                f"({n_own} through their own EAN).",
            )
        )
        self.recipients.set_records(RECIPIENT_KEYS, labels, records)
        self.recipients.resizeColumnsToContents()

    def _ean_holder(self, snap: Snapshot, sor_id: str) -> str:
        """The id of the unit whose own EAN `sor_id` inherits, or ""."""
        reg = self.state.register
        assert reg is not None
        src, _own = edi.ean_sources(reg, snap)
        e = reg.entity_index(sor_id)
        h = int(src[e]) if e >= 0 else -1
        return str(reg.ids[h]) if h >= 0 else ""
