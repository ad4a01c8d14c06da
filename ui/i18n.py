"""The window's two languages: picking a wording, and numbers written the local way.

The window speaks Danish ("da", the default) or English ("en"); `AppState.language`
holds the choice. Every window string is written as a Danish/English pair at the
place it is used and picked with `tr`; sentences from the core come as
`sorviewer.messages` codes and are rendered by the core's catalogue instead.
"""

from __future__ import annotations

from typing import Any, Literal

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")


def tr(lang: str, da: str, en: str) -> str:
    """The Danish or English wording of a window string."""
    return da if lang == "da" else en


def pick(pair: tuple[str, str], lang: str) -> str:
    """The `lang` half of a (Danish, English) pair."""
    return pair[0] if lang == "da" else pair[1]


def as_language(lang: str) -> Language:
    """`lang` if the window knows it, else English."""
    return "da" if lang == "da" else "en"


def number(n: int, lang: str) -> str:
    """A whole number with the language's thousands separator: 12.345 / 12,345."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "da" else text


#: the standard buttons' words, by the name of the button in Qt's enums
_BUTTONS = {
    "Ok": ("OK", "OK"),
    "Cancel": ("Annuller", "Cancel"),
    "Close": ("Luk", "Close"),
    "Save": ("Gem", "Save"),
    "Yes": ("Ja", "Yes"),
    "No": ("Nej", "No"),
}


def name_buttons(box: Any, lang: str) -> None:
    """Word the standard buttons of a QDialogButtonBox or QMessageBox in `lang`. Qt
    words them from its own catalogue, which follows the system and may be missing
    from a packaged program: the window's language decides, not Qt's."""
    enum = type(box).StandardButton
    for name, pair in _BUTTONS.items():
        button = box.button(getattr(enum, name))
        if button is not None:
            button.setText(pick(pair, lang))
