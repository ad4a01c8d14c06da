"""The application's actions, declared once: id, text, shortcut, handler.

Menus are lists of action ids; the same QAction objects serve the menu bar and
context menus, so a shortcut or an enabled state is defined in one place. The
handler is the name of a method on the window that owns the actions.

Every menu's mnemonics (the letter after "&") are unique within it in both languages
(a test walks the menus); `mnemonic` reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
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
    #: the Danish text and tip (the English ones above are the defaults)
    text_da: str = ""
    tip_da: str = ""


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "open",
        "&Open...",
        "open_file_dialog",
        Key.Open,
        tip="Open a SOR download",
        text_da="&Åbn...",
        tip_da="Åbn en hentet SOR-fil",
    ),
    ActionSpec(
        "demo",
        "Open the &demo register",
        "open_demo",
        tip="Synthetic data, not SOR",
        text_da="Åbn &demo-registeret",
        tip_da="Syntetiske data, ikke SOR",
    ),
    ActionSpec(
        "compare",
        "Co&mpare with...",
        "compare_file_dialog",
        needs_register=True,
        tip="Compare the open file with another download: what changed between them",
        text_da="Sa&mmenlign med...",
        tip_da="Sammenlign den åbne fil med et andet udtræk: hvad er ændret mellem dem",
    ),
    ActionSpec(
        "close_compare",
        "C&lose comparison",
        "close_comparison",
        needs_register=True,
        tip="Close the comparison with the second download",
        text_da="&Luk sammenligning",
        tip_da="Luk sammenligningen med det andet udtræk",
    ),
    ActionSpec(
        "export",
        "&Export...",
        "export_dialog",
        "Ctrl+E",
        needs_register=True,
        tip="Export the selection, a subtree or everything at the date",
        text_da="&Eksportér...",
        tip_da="Eksportér markeringen, et undertræ eller alt på datoen",
    ),
    ActionSpec(
        "report",
        "Load re&port...",
        "show_report",
        needs_register=True,
        text_da="&Indlæsningsrapport...",
        tip="Every problem found in the file while loading",
        tip_da="Alle problemer fundet i filen under indlæsningen",
    ),
    ActionSpec(
        "cache_limit",
        "Cache si&ze...",
        "set_cache_limit",
        tip="How much disk the cache of opened files may take",
        text_da="&Cachestørrelse...",
        tip_da="Hvor meget plads cachen af åbnede filer må fylde",
    ),
    ActionSpec(
        "clear_cache",
        "Clear cac&he",
        "clear_cache",
        tip="Remove the cache of every opened file (they open slower the next time)",
        text_da="&Ryd cache",
        tip_da="Fjern cachen af alle åbnede filer (de åbner langsommere næste gang)",
    ),
    ActionSpec("quit", "&Quit", "close", Key.Quit, text_da="&Afslut"),
    ActionSpec(
        "copy",
        "&Copy",
        "copy_selection",
        Key.Copy,
        needs_register=True,
        tip="Copy the selected rows as tab-separated text with a header",
        text_da="&Kopiér",
        tip_da="Kopiér de markerede rækker som tabulatorsepareret tekst med overskrift",
    ),
    ActionSpec(
        "copy_id",
        "Copy SOR &id",
        "copy_sor_id",
        needs_register=True,
        text_da="Kopiér S&OR-kode",
    ),
    ActionSpec(
        "copy_ean",
        "Copy &EAN",
        "copy_ean",
        needs_register=True,
        tip="The unit's EAN location number, its own or inherited",
        text_da="Kopiér &EAN",
        tip_da="Enhedens EAN-lokationsnummer, eget eller nedarvet",
    ),
    ActionSpec(
        "copy_row",
        "Copy &row",
        "copy_row",
        needs_register=True,
        tip="The current row with a header, tab-separated",
        text_da="Kopiér &række",
        tip_da="Den aktuelle række med overskrift, tabulatorsepareret",
    ),
    ActionSpec(
        "export_subtree",
        "Export &subtree...",
        "export_subtree",
        needs_register=True,
        tip="Export the unit and everything under it at the date",
        text_da="Eksportér &undertræ...",
        tip_da="Eksportér enheden og alt under den på datoen",
    ),
    ActionSpec(
        "show_in_tree",
        "Show in &tree",
        "show_current_in_tree",
        needs_register=True,
        text_da="Vis i &træet",
    ),
    ActionSpec("find", "&Find", "focus_search", Key.Find, needs_register=True, text_da="&Søg"),
    ActionSpec(
        "show_closed",
        "Show &closed and future units",
        "set_show_closed",
        checkable=True,
        text_da="Vis &lukkede og fremtidige enheder",
    ),
    ActionSpec(
        "remember_downloads",
        "Remem&ber the last download of each kind",
        "set_remember_downloads",
        checkable=True,
        tip="Offer to show what changed since the last download of the same kind",
        text_da="&Husk det seneste udtræk af hver slags",
        tip_da="Tilbyd at vise, hvad der er ændret siden det seneste udtræk af samme slags",
    ),
    ActionSpec(
        "follow",
        "&Follow",
        "follow_selected",
        needs_register=True,
        tip="Follow this unit: its changes come first in a comparison",
        text_da="&Følg",
        tip_da="Følg enheden: dens ændringer står først i en sammenligning",
    ),
    ActionSpec(
        "follow_subtree",
        "Follow with &subunits",
        "follow_selected_subtree",
        needs_register=True,
        tip="Follow this unit and everything under it",
        text_da="Følg med &underenheder",
        tip_da="Følg enheden og alt under den",
    ),
    ActionSpec(
        "unfollow",
        "&Unfollow",
        "unfollow_selected",
        needs_register=True,
        text_da="Følg &ikke længere",
    ),
    ActionSpec("lang_da", "&Dansk", "set_language_da", checkable=True, text_da="&Dansk"),
    ActionSpec("lang_en", "&English", "set_language_en", checkable=True, text_da="&English"),
    ActionSpec("asof_today", "&Today", "set_as_of_choice_today", checkable=True, text_da="&I dag"),
    ActionSpec(
        "asof_snapshot",
        "The file's &snapshot date",
        "set_as_of_choice_snapshot",
        checkable=True,
        text_da="Filens &udtræksdato",
    ),
    ActionSpec(
        "asof_last",
        "The &last date looked at",
        "set_as_of_choice_last",
        checkable=True,
        text_da="Den &seneste viste dato",
    ),
    ActionSpec(
        "tree_view",
        "The &tree",
        "show_tree_view",
        "Ctrl+1",
        text_da="&Træet",
        tip="The organisational tree",
        tip_da="Organisationstræet",
    ),
    ActionSpec(
        "units_view",
        "&Units",
        "show_units_view",
        "Ctrl+2",
        text_da="&Enheder",
        tip="Every unit matching filters, as one table",
        tip_da="Alle enheder der passer på filtre, som én tabel",
    ),
    ActionSpec(
        "units_under",
        "Show subunits in &Units",
        "show_units_under",
        needs_register=True,
        text_da="Vis underenheder i &Enheder",
        tip="The unit and everything under it, as a table with filters",
        tip_da="Enheden og alt under den, som tabel med filtre",
    ),
    ActionSpec(
        "group_top",
        "&Group owners by owner type",
        "set_group_top",
        checkable=True,
        text_da="&Gruppér ejere efter ejertype",
        tip="The tree's top level by owner type, private owners by region",
        tip_da="Træets øverste niveau efter ejertype, private ejere efter region",
    ),
    # --- the date, from the keyboard (the Date menu) ---
    ActionSpec(
        "focus_date",
        "&Go to date...",
        "focus_date",
        "Ctrl+G",
        needs_register=True,
        tip="Type a date in the date field",
        text_da="&Gå til dato...",
        tip_da="Skriv en dato i datofeltet",
    ),
    ActionSpec(
        "date_today", "&Today", "go_today", "Alt+Home", needs_register=True, text_da="&I dag"
    ),
    ActionSpec(
        "date_snapshot",
        "The file's &snapshot date",
        "go_snapshot",
        "Alt+End",
        needs_register=True,
        text_da="Filens &udtræksdato",
    ),
    ActionSpec(
        "day_back",
        "One day &back",
        "step_day_back",
        "Alt+Left",
        needs_register=True,
        text_da="En dag &tilbage",
    ),
    ActionSpec(
        "day_forward",
        "One day &forward",
        "step_day_forward",
        "Alt+Right",
        needs_register=True,
        text_da="En dag &frem",
    ),
    ActionSpec(
        "month_back",
        "One &month back",
        "step_month_back",
        "Alt+PgUp",
        needs_register=True,
        text_da="En &måned tilbage",
    ),
    ActionSpec(
        "month_forward",
        "One mo&nth forward",
        "step_month_forward",
        "Alt+PgDown",
        needs_register=True,
        text_da="En må&ned frem",
    ),
    ActionSpec(
        "year_back",
        "One &year back",
        "step_year_back",
        "Alt+Shift+PgUp",
        needs_register=True,
        text_da="Et &år tilbage",
    ),
    ActionSpec(
        "year_forward",
        "One y&ear forward",
        "step_year_forward",
        "Alt+Shift+PgDown",
        needs_register=True,
        text_da="Et å&r frem",
    ),
    ActionSpec("reset_layout", "&Reset layout", "reset_layout", text_da="&Nulstil layout"),
    ActionSpec(
        "expand_all", "E&xpand all", "expand_all", needs_register=True, text_da="&Fold alt ud"
    ),
    ActionSpec(
        "collapse_all",
        "C&ollapse all",
        "collapse_all",
        needs_register=True,
        text_da="Fold &alt sammen",
    ),
    ActionSpec("about", "&About SOR Viewer", "show_about", text_da="&Om SOR Viewer"),
)

BY_ID = {s.id: s for s in SPECS}

#: menu (English title, Danish title) -> action ids ("-" = separator, "@recent" = the
#: recent-files submenu, "@panels" = the dock toggles, "@language" = the language submenu,
#: "@asof" = the submenu for the date a newly opened file starts at, "@compare_recent" =
#: the recent files to compare the open one with)
MENUS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    (
        ("&File", "&Filer"),
        (
            "open",
            "@recent",
            "demo",
            "-",
            "compare",
            "@compare_recent",
            "close_compare",
            "-",
            "export",
            "report",
            "-",
            "@asof",
            "-",
            "cache_limit",
            "clear_cache",
            "-",
            "quit",
        ),
    ),
    (("&Edit", "R&ediger"), ("copy", "copy_id", "copy_ean", "-", "find")),
    (
        ("&View", "&Vis"),
        (
            "tree_view",
            "units_view",
            "-",
            "show_closed",
            "group_top",
            "remember_downloads",
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
    (
        ("&Date", "&Dato"),
        (
            "focus_date",
            "date_today",
            "date_snapshot",
            "-",
            "day_back",
            "day_forward",
            "month_back",
            "month_forward",
            "year_back",
            "year_forward",
        ),
    ),
    (("&Help", "&Hjælp"), ("about",)),
)

TREE_CONTEXT_MENU = (
    "copy",
    "copy_id",
    "copy_ean",
    "copy_row",
    "-",
    "units_under",
    "export_subtree",
    "export",
    "-",
    "follow",
    "follow_subtree",
    "unfollow",
    "-",
    "expand_all",
    "collapse_all",
)
RESULTS_CONTEXT_MENU = ("show_in_tree", "-", "copy_id", "copy_ean", "copy_row")


def mnemonic(text: str) -> str:
    """The mnemonic letter of a menu text ("Åbn &seneste" -> "s"), "" without one ("&&" is
    a plain ampersand)."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return ""


def text_of(spec: ActionSpec, lang: str) -> str:
    return spec.text_da if lang == "da" and spec.text_da else spec.text


def tip_of(spec: ActionSpec, lang: str) -> str:
    return spec.tip_da if lang == "da" and spec.tip_da else spec.tip


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
        if spec.shortcut is not None:
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
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


def retranslate(actions: dict[str, QAction], menus: dict[str, QMenu], lang: str) -> None:
    """Relabel every action and top-level menu for `lang` ("da" or "en")."""
    for spec in SPECS:
        a = actions[spec.id]
        a.setText(text_of(spec, lang))
        tip = tip_of(spec, lang)
        a.setStatusTip(tip)
        a.setToolTip(tip or text_of(spec, lang).replace("&", ""))
    for (en, da), _ids in MENUS:
        menu = menus.get(en.replace("&", ""))
        if menu is not None:
            menu.setTitle(da if lang == "da" else en)


def build_menus(
    bar: QMenuBar, actions: dict[str, QAction], special: dict[str, QMenu]
) -> dict[str, QMenu]:
    """Fill the menu bar; `special` gives the submenus for the "@name" entries.

    The result is keyed by the English title without "&" (e.g. "File")."""
    menus: dict[str, QMenu] = {}
    for (title, _da), ids in MENUS:
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
