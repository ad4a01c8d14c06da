"""Colours that read on any palette, light or dark (one place for the colour rules).

Every colour the window picks comes from the widget's palette or is made readable
on it here, never from style sheets (a widget's own style sheet keeps the palette
it was polished with) nor from Qt's rich-text link blue (baked in from the
application palette when the text is parsed). Contrast follows WCAG 2: 4.5:1 for
text, 3:1 for lines and symbols.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette

#: the tint of highlighted rows (the version valid at the date, differing fields): amber
#: mixed into the base colour, so it is a pale yellow on white and a dark amber on black
HIGHLIGHT_TINT = QColor(240, 180, 0)

#: the colour of each unit status wherever a status is shown (the Overview's status word,
#: closed and future rows in the tree and the search results, their legend): mid-tones,
#: made readable on the background they are drawn on
STATUS_COLOURS = {"active": "#2e7d32", "closed": "#b71c1c", "future": "#1565c0"}


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG 2) of an opaque colour: 0 black, 1 white."""

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def mix(a: QColor, b: QColor, share: float) -> QColor:
    """`a` with `share` (0..1) of `b` mixed in, opaque."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * share,
        a.greenF() + (b.greenF() - a.greenF()) * share,
        a.blueF() + (b.blueF() - a.blueF()) * share,
    )


def readable(colour: QColor | str, background: QColor, ratio: float = 4.5) -> QColor:
    """`colour` as it is when it reads on `background` (contrast at least `ratio`),
    else the same hue moved towards white (on a dark background) or black, just far
    enough: a fixed red or blue keeps its meaning on a light and a dark palette."""
    c = QColor(colour)
    c.setAlpha(255)
    if contrast(c, background) >= ratio:
        return c
    white, black = QColor(255, 255, 255), QColor(0, 0, 0)
    target = white if contrast(white, background) > contrast(black, background) else black
    for step in range(1, 21):
        out = mix(c, target, step / 20)
        if contrast(out, background) >= ratio:
            return out
    return target


def muted_colour(
    pal: QPalette, background: QPalette.ColorRole = QPalette.ColorRole.Window
) -> QColor:
    """Secondary text (hints, counts, inherited values): the text colour part-way to the
    background, still readable on it (palette(mid) is about 2:1 on a light window).
    Mixed from the Text role, which a label that shows it muted leaves alone."""
    bg = pal.color(background)
    return readable(mix(pal.color(QPalette.ColorRole.Text), bg, 0.38), bg)


def link_colour(pal: QPalette) -> QColor:
    """The palette's link colour, made readable on both its window and its base."""
    c = readable(pal.color(QPalette.ColorRole.Link), pal.color(QPalette.ColorRole.Base))
    return readable(c, pal.color(QPalette.ColorRole.Window))


def highlight_colour(pal: QPalette) -> QColor:
    """The background of highlighted rows: a tint of the base that keeps the text readable."""
    base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    for share in (0.3, 0.22, 0.15, 0.08):
        tint = mix(base, HIGHLIGHT_TINT, share)
        if contrast(tint, text) >= 4.5:
            return tint
    return base


def status_colour(status: str, background: QColor) -> QColor:
    """The colour of a unit status (`STATUS_COLOURS`), readable on `background`."""
    return readable(STATUS_COLOURS.get(status, "#000000"), background)


def status_font(status: str, base: QFont | None = None) -> QFont | None:
    """How a unit that is not active is written in lists: closed units italic and struck
    through, future units italic (None for an active unit: the font as it is). Beside
    the colour, so the two differ without telling red from blue."""
    if status not in ("closed", "future"):
        return None
    font = QFont(base) if base is not None else QFont()
    font.setItalic(True)
    font.setStrikeOut(status == "closed")
    return font
