"""Labels whose colours follow the palette: muted secondary text, `sor:` links, and the
legend of how closed and future units look.

Qt colours rich-text links from the application palette when it parses the text
and keeps that colour, and a label's own style sheet keeps the palette it was
polished with; so `MutedLabel` and the labels wired with `connect_link` redo their
colours on every palette change (a dark system theme arriving while the window is
open).
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from ui.app_state import AppState
from ui.clipboard import set_clipboard
from ui.colours import link_colour, muted_colour, status_colour
from ui.i18n import tr
from ui.unit_labels import STATUS_WORDS


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


class ElidedLabel(QLabel):
    """One line of plain text that gives way when room is short: drawn elided in the
    middle (a file name keeps its start and its ending), the whole text as its tooltip.
    Its minimum width is small, so a status bar full of these never has its widgets
    pushed over each other."""

    def __init__(self, parent: QWidget | None = None, min_chars: int = 6) -> None:
        super().__init__(parent)
        self._min_chars = min_chars

    def setText(self, text: str) -> None:  # Qt override
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # Qt override
        hint = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * self._min_chars
        return QSize(min(hint.width(), least), hint.height())

    def is_elided(self) -> bool:
        """Whether the text is drawn shortened (tests)."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, ev: QPaintEvent) -> None:  # Qt override
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), text)
        painter.end()


class StatusLegend(QLabel):
    """How units that are not active at the date look in the tree and in lists: closed
    ones struck through, future ones in italics, each in its status colour
    (`ui.colours.status_colour`, readable on the window, redone on palette changes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusLegend")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.lang = "da"
        self._fill()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self._fill()

    def changeEvent(self, ev: QEvent) -> None:  # Qt override
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange:
            self._fill()

    def _fill(self) -> None:
        window = self.palette().color(QPalette.ColorRole.Window)
        i = 0 if self.lang == "da" else 1
        closed = status_colour("closed", window).name()
        future = status_colour("future", window).name()
        self.setText(
            tr(self.lang, "Ikke aktive på datoen: ", "Not active at the date: ")
            + f"<span style='color:{closed}'><i><s>{STATUS_WORDS['closed'][i]}</s></i></span>"
            + " &nbsp;·&nbsp; "
            + f"<span style='color:{future}'><i>{STATUS_WORDS['future'][i]}</i></span>"
        )


_LINK_START = re.compile(r"<a (?:style=\"color:#[0-9a-fA-F]{6}\" )?href=")


def colour_links(html: str, colour: QColor) -> str:
    """`html` with every `<a href=...>` drawn in `colour` (replacing an earlier colour)."""
    return _LINK_START.sub(f'<a style="color:{colour.name()}" href=', html)


def set_link_text(label: QLabel, html: str) -> None:
    """Rich text with its links in the label's palette link colour, made readable.

    Labels wired with `connect_link` call this again on a palette change."""
    label.setText(colour_links(html, link_colour(label.palette())))


def connect_link(
    label: QLabel, state: AppState, reveal: bool = True, keyboard: bool = True
) -> None:
    """Links of the form `sor:<id>` in `label` select that unit (and show it in the tree);
    the links are drawn in the palette's link colour and follow palette changes.

    With `keyboard` the links are Tab stops of their own (Tab moves from link to link and
    on, Enter follows one), and the context-menu key or Shift+F10 opens the links' menu
    ("Show in the tree", "Copy SOR id") for the link that has the focus; the mouse's
    context menu is the same. Labels that sit inside another view (a tree row) pass
    `keyboard=False`: that view offers the keys itself."""
    flags = (
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    if keyboard:
        flags |= Qt.TextInteractionFlag.LinksAccessibleByKeyboard
    label.setTextInteractionFlags(flags)
    if not keyboard:
        label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    label.setOpenExternalLinks(False)
    label.linkActivated.connect(lambda href: follow_link(href, state, reveal))
    label.installEventFilter(_LinkHelper(label, state, keyboard))
    set_link_text(label, label.text())


_LINK = re.compile(r"<a [^>]*href=\"sor:([^\"]+)\"[^>]*>(.*?)</a>", re.S)


def label_links(label: QLabel) -> list[tuple[str, str]]:
    """The `sor:` links in a label as (SorId, the link's text as shown), in order."""
    out: list[tuple[str, str]] = []
    for m in _LINK.finditer(label.text()):
        text = QTextDocumentFragment.fromHtml(m.group(2)).toPlainText()
        out.append((html.unescape(m.group(1)), text))
    return out


def link_menu(label: QLabel, state: AppState) -> QMenu | None:
    """The menu of a link label: for the link that has the keyboard focus (else for each
    link), "Show in the tree" and "Copy SOR id". None when the label has no links."""
    links = label_links(label)
    focused = label.selectedText()
    chosen = [link for link in links if focused and link[1] == focused] or links
    if not chosen:
        return None
    lang = state.language
    menu = QMenu(label)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    for i, (sor_id, text) in enumerate(dict.fromkeys(chosen)):
        if i:
            menu.addSeparator()
        name = text if len(chosen) > 1 else ""
        show = menu.addAction(
            tr(lang, f"Vis {name or sor_id} i træet", f"Show {name or sor_id} in the tree")
        )
        show.setObjectName("ShowInTree")
        show.triggered.connect(lambda _c=False, s=sor_id: state.show_in_tree(s))
        copy = menu.addAction(tr(lang, f"Kopiér SOR-kode {sor_id}", f"Copy SOR id {sor_id}"))
        copy.triggered.connect(lambda _c=False, s=sor_id: set_clipboard(s))
    return menu


def is_menu_key(ev: QKeyEvent) -> bool:
    """The keys that open a context menu from the keyboard: the menu key, Shift+F10."""
    return ev.key() == Qt.Key.Key_Menu or (
        ev.key() == Qt.Key.Key_F10 and ev.modifiers() == Qt.KeyboardModifier.ShiftModifier
    )


class _LinkHelper(QObject):
    """Event filter on a link label (its child): a palette change redraws the links; Tab
    into the label lands on its first link (last on Shift+Tab), not on the label; the
    context-menu key, Shift+F10 and the mouse open the links' menu."""

    def __init__(self, label: QLabel, state: AppState, keyboard: bool) -> None:
        super().__init__(label)
        self.state = state
        self.keyboard = keyboard

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # Qt override
        if not isinstance(obj, QLabel):
            return False
        kind = ev.type()
        if kind == QEvent.Type.PaletteChange:
            set_link_text(obj, obj.text())
        elif kind == QEvent.Type.FocusIn and self.keyboard and isinstance(ev, QFocusEvent):
            # QLabel takes the focus itself first and needs a second Tab for the first
            # link; a label without links passes the focus on
            why = ev.reason()
            if why in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
                obj.focusNextPrevChild(why == Qt.FocusReason.TabFocusReason)
            elif why == Qt.FocusReason.ShortcutFocusReason and label_links(obj):
                obj.focusNextPrevChild(True)  # a panel brought to the front by its key
        elif kind == QEvent.Type.KeyPress and isinstance(ev, QKeyEvent) and is_menu_key(ev):
            self._popup(obj, obj.mapToGlobal(obj.rect().center()))
            return True
        elif kind == QEvent.Type.ContextMenu and isinstance(ev, QContextMenuEvent):
            self._popup(obj, ev.globalPos())
            return True
        return False

    def _popup(self, label: QLabel, pos: QPoint) -> None:
        menu = link_menu(label, self.state)
        if menu is not None:
            menu.popup(pos)


def follow_link(href: str, state: AppState, reveal: bool = True) -> None:
    """Select the unit a `sor:<id>` link names (and show it in the tree when `reveal`)."""
    if href.startswith("sor:"):
        if reveal:
            state.show_in_tree(href[4:])
        else:
            state.select(href[4:])
