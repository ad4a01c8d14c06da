"""The application's actions, declared once: id, text, shortcut, handler.

Menus are lists of action ids; the same QAction objects serve the menu bar and
context menus, so a shortcut or an enabled state is defined in one place. The
handler is the name of a method on the window that owns the actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

Key = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    handler: str
    shortcut: QKeySequence.StandardKey | str | None = None
    checkable: bool = False
    #: enabled only while a register is open
    needs_register: bool = False
    tip: str = ""


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "&Open...", "open_file_dialog", Key.Open, tip="Open a SOR download"),
    ActionSpec("demo", "Open the &demo register", "open_demo", tip="Synthetic data, not SOR"),
    ActionSpec(
        "export",
        "&Export...",
        "export_dialog",
        "Ctrl+E",
        needs_register=True,
        tip="Export the selection, a subtree or everything at the date",
    ),
    ActionSpec("report", "Load &report...", "show_report", needs_register=True),
    ActionSpec("quit", "&Quit", "close", Key.Quit),
    ActionSpec(
        "copy",
        "&Copy",
        "copy_selection",
        Key.Copy,
        needs_register=True,
        tip="Copy the selected rows as tab-separated text with a header",
    ),
    ActionSpec("find", "&Find", "focus_search", Key.Find, needs_register=True),
    ActionSpec("show_closed", "Show &closed and future units", "set_show_closed", checkable=True),
    ActionSpec("lang_da", "&Dansk", "set_language_da", checkable=True),
    ActionSpec("lang_en", "&English", "set_language_en", checkable=True),
    ActionSpec("asof_today", "&Today", "set_as_of_choice_today", checkable=True),
    ActionSpec(
        "asof_snapshot", "The file's &snapshot date", "set_as_of_choice_snapshot", checkable=True
    ),
    ActionSpec("asof_last", "The &last date looked at", "set_as_of_choice_last", checkable=True),
    ActionSpec("reset_layout", "&Reset layout", "reset_layout"),
    ActionSpec("expand_all", "E&xpand all", "expand_all", needs_register=True),
    ActionSpec("collapse_all", "Co&llapse all", "collapse_all", needs_register=True),
    ActionSpec("about", "&About SOR Viewer", "show_about"),
)

BY_ID = {s.id: s for s in SPECS}

#: menu title -> action ids ("-" = separator, "@recent" = the recent-files submenu,
#: "@panels" = the dock toggles, "@language" = the language submenu, "@asof" = the
#: submenu for the date a newly opened file starts at)
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", ("open", "@recent", "demo", "-", "export", "report", "-", "quit")),
    ("&Edit", ("copy", "find")),
    (
        "&View",
        (
            "show_closed",
            "-",
            "expand_all",
            "collapse_all",
            "-",
            "@language",
            "@panels",
            "-",
            "reset_layout",
        ),
    ),
    ("&Help", ("about",)),
)

TREE_CONTEXT_MENU = ("copy", "export", "-", "expand_all", "collapse_all")


def build_actions(owner: QWidget) -> dict[str, QAction]:
    """Create one QAction per spec, connected to `owner.<handler>`."""
    actions: dict[str, QAction] = {}
    for spec in SPECS:
        act = QAction(spec.text, owner)
        act.setObjectName(f"action_{spec.id}")
        if spec.shortcut is not None:
            act.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            act.setStatusTip(spec.tip)
            act.setToolTip(spec.tip)
        act.setCheckable(spec.checkable)
        handler = getattr(owner, spec.handler)
        if spec.checkable:
            act.toggled.connect(handler)
        else:
            act.triggered.connect(_no_args(handler))
        actions[spec.id] = act
    return actions


def _no_args(handler: Any) -> Any:
    """QAction.triggered passes `checked`; handlers of plain actions take nothing."""

    def call(_checked: bool = False) -> None:
        handler()

    return call


def fill_menu(menu: QMenu, ids: tuple[str, ...], actions: dict[str, QAction]) -> None:
    for aid in ids:
        if aid == "-":
            menu.addSeparator()
        elif not aid.startswith("@"):
            menu.addAction(actions[aid])


def build_menus(
    bar: QMenuBar, actions: dict[str, QAction], special: dict[str, QMenu]
) -> dict[str, QMenu]:
    """Fill the menu bar; `special` gives the submenus for the "@name" entries."""
    menus: dict[str, QMenu] = {}
    for title, ids in MENUS:
        menu = bar.addMenu(title)
        for aid in ids:
            if aid == "-":
                menu.addSeparator()
            elif aid.startswith("@"):
                sub = special.get(aid)
                if sub is not None:
                    menu.addMenu(sub)
            else:
                menu.addAction(actions[aid])
        menus[title.replace("&", "")] = menu
    return menus
