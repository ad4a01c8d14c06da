"""The load report: every problem found while loading, in a sortable, filterable table.

The SOR id column is as wide as the longest id in the report (an id is never cut),
and every id cell carries the id as its tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sorviewer.report import ReportRow
from ui.i18n import as_language, name_buttons
from ui.messages import kind_label

HEADERS = ("Severity", "Table", "Line", "Column", "SOR id", "Kind", "Message")
HEADERS_DA = ("Alvor", "Tabel", "Linje", "Kolonne", "SOR-kode", "Art", "Besked")
_SEVERITY_DA = {"error": "fejl", "warning": "advarsel", "info": "info"}
_FIELDS = ("severity", "table", "line", "column", "sor_id", "kind", "message")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_COLOURS = {"error": QColor(180, 30, 30), "warning": QColor(160, 100, 0)}
#: the same on a dark palette (the light ones are too dark to read there)
_DARK_COLOURS = {"error": QColor(255, 120, 110), "warning": QColor(240, 185, 70)}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class ReportModel(QAbstractTableModel):
    """The rows of a LoadReport (anything with `.rows` of ReportRow)."""

    def __init__(self, rows: list[ReportRow], parent: Any = None, language: str = "en") -> None:
        super().__init__(parent)
        self.rows = list(rows)
        self.language = language

    def message(self, row: ReportRow) -> str:
        """The row's sentence in the dialog's language (the core renders it)."""
        return row.text(as_language(self.language))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            headers = HEADERS_DA if self.language == "da" else HEADERS
            return headers[section] if 0 <= section < len(headers) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        field = _FIELDS[index.column()]
        value = self.message(row) if field == "message" else getattr(row, field, None)
        if role == Qt.ItemDataRole.DisplayRole:
            if field == "severity" and self.language == "da":
                return _SEVERITY_DA.get(str(value), str(value))
            if field == "kind":
                return kind_label(value, self.language)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            if field == "severity":
                return _SEVERITY_ORDER.get(str(value), 9)
            if field == "line":
                return -1 if value is None else int(value)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and field == "severity":
            dark = QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
            colour = (_DARK_COLOURS if dark else _COLOURS).get(str(value))
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and field in ("message", "sor_id"):
            return None if value is None else str(value)
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.severity = ""
        self.text = ""

    def set_criteria(self, severity: str, text: str) -> None:
        self.beginFilterChange()
        self.severity = severity
        self.text = text.casefold()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ReportModel)
        row = model.rows[source_row]
        if self.severity and row.severity != self.severity:
            return False
        if not self.text:
            return True
        values = [model.message(row) if f == "message" else getattr(row, f) for f in _FIELDS]
        hay = " ".join("" if v is None else str(v) for v in values)
        return self.text in hay.casefold()


class ReportDialog(QDialog):
    """Modeless dialog over `report.rows`."""

    def __init__(
        self,
        report: Any,
        title: str = "Load report",
        parent: QWidget | None = None,
        language: str = "en",
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(980, 520)
        self.lang = language
        da = language == "da"
        self.model = ReportModel(report.rows, self, language)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Filtrér rækker..." if da else "Filter rows...")
        self.search.setClearButtonEnabled(True)
        self.severity = QComboBox()
        self.severity.addItem("Alle" if da else "All severities", "")
        for s in ("error", "warning", "info"):
            self.severity.addItem((_SEVERITY_DA[s] if da else s).capitalize(), s)
        self.count = QLabel()
        self.search.textChanged.connect(self._on_criteria_changed)
        self.severity.currentIndexChanged.connect(self._on_criteria_changed)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for c, w in enumerate((70, 110, 60, 150, 110, 130)):
            header.resizeSection(c, w)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.fit_id_column()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        name_buttons(buttons, language)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.severity)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self._on_criteria_changed()

    def fit_id_column(self) -> None:
        """The SOR id column at least as wide as the report's longest id."""
        longest = max((str(r.sor_id) for r in self.model.rows if r.sor_id), key=len, default="")
        if longest:
            col = _FIELDS.index("sor_id")
            need = self.table.fontMetrics().horizontalAdvance(longest) + 16
            header = self.table.horizontalHeader()
            header.resizeSection(col, max(header.sectionSize(col), need))

    def _on_criteria_changed(self, *_args: object) -> None:
        self.proxy.set_criteria(str(self.severity.currentData() or ""), self.search.text())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if self.lang == "da":
            self.count.setText(f"{shown} af {total} rækker")
        else:
            self.count.setText(f"{shown} of {total} rows")
