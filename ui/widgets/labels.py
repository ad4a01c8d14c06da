"""Labels whose colours follow the palette: muted secondary text and `sor:` links.

Qt colours rich-text links from the application palette when it parses the text
and keeps that colour, and a label's own style sheet keeps the palette it was
polished with; so `MutedLabel` and the labels wired with `connect_link` redo their
colours on every palette change (a dark system theme arriving while the window is
open).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from ui.app_state import AppState
from ui.colours import link_colour, muted_colour


class MutedLabel(QLabel):
    """Secondary text (a row count, a hint) in a muted colour that stays readable and
    follows palette changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._apply_palette()

    def changeEvent(self, ev: QEvent) -> None:  # Qt override
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange:
            # only WindowText is ours; the Text and Window it is mixed from follow the
            # parent, and setting the same colour again sends no further change
            self._apply_palette()

    def _apply_palette(self) -> None:
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.WindowText, muted_colour(pal))
        self.setPalette(pal)


_LINK_START = re.compile(r"<a (?:style=\"color:#[0-9a-fA-F]{6}\" )?href=")


def colour_links(html: str, colour: QColor) -> str:
    """`html` with every `<a href=...>` drawn in `colour` (replacing an earlier colour)."""
    return _LINK_START.sub(f'<a style="color:{colour.name()}" href=', html)


def set_link_text(label: QLabel, html: str) -> None:
    """Rich text with its links in the label's palette link colour, made readable.

    Labels wired with `connect_link` call this again on a palette change."""
    label.setText(colour_links(html, link_colour(label.palette())))


def connect_link(label: QLabel, state: AppState, reveal: bool = True) -> None:
    """Links of the form `sor:<id>` in `label` select that unit (and show it in the tree);
    the links are drawn in the palette's link colour and follow palette changes."""
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    label.setOpenExternalLinks(False)
    label.linkActivated.connect(lambda href: follow_link(href, state, reveal))
    label.installEventFilter(_LinkRecolourer(label))
    set_link_text(label, label.text())


class _LinkRecolourer(QObject):
    """Event filter on a link label (its child): a palette change redraws the links."""

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # Qt override
        if ev.type() == QEvent.Type.PaletteChange and isinstance(obj, QLabel):
            set_link_text(obj, obj.text())
        return False


def follow_link(href: str, state: AppState, reveal: bool = True) -> None:
    """Select the unit a `sor:<id>` link names (and show it in the tree when `reveal`)."""
    if href.startswith("sor:"):
        if reveal:
            state.show_in_tree(href[4:])
        else:
            state.select(href[4:])
