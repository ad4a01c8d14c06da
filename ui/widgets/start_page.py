"""What the window shows before a file is open: open, recent files, the demo.

The demo button says in its own text that the demo is synthetic; the download
address is a link that opens in the browser. Its colour, and the grey of recent
files that are gone, come from the palette and follow a palette change.
"""

from __future__ import annotations

import os
from html import escape

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QIcon, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.colours import link_colour, muted_colour

#: where the register is published; {link} in the hint texts stands for it
DOWNLOAD_HOST = "sor-filer.sundhedsdata.dk"
DOWNLOAD_URL = f"https://{DOWNLOAD_HOST}"

_TEXT = {
    "en": {
        "title": "SOR Viewer",
        "subtitle": "Offline viewer for the Danish health-organisation register "
        "(Sundhedsvæsenets Organisationsregister)",
        "open": "Open a SOR file...",
        "demo": "Open demo register (synthetic data)",
        "demo_tip": "Synthetic demo data - not the real SOR",
        "recent": "Recent files",
        "none": "No recent files yet.",
        "hint": "Download the register from {link} (Sor_complete.zip, "
        "SorEntity_daily.csv or the XML sor.zip) and open it here, or drop the file on "
        "this window. Nothing is sent anywhere.",
    },
    "da": {
        "title": "SOR Viewer",
        "subtitle": "Offline visning af Sundhedsvæsenets Organisationsregister (SOR)",
        "open": "Åbn en SOR-fil...",
        "demo": "Åbn demoregister (syntetiske data)",
        "demo_tip": "Syntetiske demodata - ikke det rigtige SOR",
        "recent": "Seneste filer",
        "none": "Ingen seneste filer endnu.",
        "hint": "Hent registeret fra {link} (Sor_complete.zip, "
        "SorEntity_daily.csv eller XML-filen sor.zip) og åbn det her, eller træk filen "
        "ind i vinduet. Intet sendes nogen steder hen.",
    },
}


class StartPage(QWidget):
    """Emits what the user asked for; the window does the opening."""

    open_requested = Signal()
    demo_requested = Signal()
    recent_requested = Signal(str)

    def __init__(self, icon: QIcon | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StartPage")
        self._paths: list[str] = []
        self._lang = "da"

        self.icon_label = QLabel()
        if icon is not None and not icon.isNull():
            self.icon_label.setPixmap(icon.pixmap(QSize(72, 72)))
        self.title = QLabel()
        self.title.setObjectName("StartTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("StartSubtitle")
        self.subtitle.setWordWrap(True)
        self.open_button = QPushButton()
        self.open_button.setObjectName("OpenButton")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_requested)
        self.demo_button = QPushButton()
        self.demo_button.setObjectName("DemoButton")
        self.demo_button.clicked.connect(self.demo_requested)
        self.recent_label = QLabel()
        self.recent_label.setObjectName("StartSection")
        self.recent = QListWidget()
        self.recent.setObjectName("RecentList")
        self.recent.setMaximumHeight(190)
        self.recent.itemActivated.connect(self._on_recent_activated)
        self.recent.itemClicked.connect(self._on_recent_activated)
        self.hint = QLabel()
        self.hint.setObjectName("StartHint")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setOpenExternalLinks(True)  # the download address opens in the browser
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        head = QHBoxLayout()
        head.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)

        card = QFrame()
        card.setObjectName("StartCard")
        card.setMaximumWidth(640)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addLayout(head)
        inner.addLayout(buttons)
        inner.addWidget(self.recent_label)
        inner.addWidget(self.recent)
        inner.addWidget(self.hint)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.set_language("da")

    def set_language(self, lang: str) -> None:
        self._lang = lang if lang in _TEXT else "en"
        t = _TEXT[self._lang]
        self.title.setText(t["title"])
        self.subtitle.setText(t["subtitle"])
        self.open_button.setText(t["open"])
        self.demo_button.setText(t["demo"])
        self.demo_button.setToolTip(t["demo_tip"])
        self.recent_label.setText(t["recent"])
        self._fill_hint()
        self.set_recent(self._paths)

    def _fill_hint(self) -> None:
        # the link colour is set here: Qt's own is the application palette's at parse time.
        # From the page's palette: on a palette change the page hears first, its labels
        # later (and a label styled by the style sheet keeps the palette it had).
        colour = link_colour(self.palette()).name()
        link = f'<a style="color:{colour}" href="{DOWNLOAD_URL}">{DOWNLOAD_HOST}</a>'
        self.hint.setText(escape(_TEXT[self._lang]["hint"]).replace("{link}", link))

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._fill_hint()
            self.set_recent(self._paths)

    def set_recent(self, paths: list[str]) -> None:
        self._paths = list(paths)
        self.recent.clear()
        for p in self._paths:
            item = QListWidgetItem(f"{os.path.basename(p)}    {os.path.dirname(p)}")
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(p)
            if not os.path.exists(p):  # gone: muted, still readable
                item.setForeground(QBrush(muted_colour(self.palette(), QPalette.ColorRole.Base)))
            self.recent.addItem(item)
        if not self._paths:
            item = QListWidgetItem(_TEXT[self._lang]["none"])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.recent_requested.emit(str(path))
