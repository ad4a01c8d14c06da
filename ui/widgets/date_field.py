"""A date field that reads the whole date typed, with a calendar button and a hint.

Qt's QDateEdit edits a date section by section: typing "01-01-2020" over a selected
date changed the day and the month and kept the old year. This field is a line edit
whose text is read whole by the core's one parser (`sorviewer.dates.parse_user_date`:
dd-mm-yyyy, d-m-yyyy, dd.mm.yyyy, d.m.yyyy, ddmmyyyy, yyyy-mm-dd), and a calendar that
pops up from the button beside it.

A typed date applies as soon as the text is a whole date (a four-digit year typed), on
Enter and on leaving the field; `dateChanged` says so. Text that is not a date stays as
typed, marked, with the hint beside the field saying what to type, until it is fixed
or Esc puts the date back. `set_date` (the program's own changes) does not emit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from sorviewer.dates import parse_user_date
from ui.colours import readable
from ui.formatting import format_date, to_qdate
from ui.i18n import tr

#: the red of a date that is not a date, in every date field and the date bar (whose
#: date line has it too)
ALERT_COLOUR = "#d0352b"
#: text shaped like a whole date (the year typed out, an ISO day of two digits): applied
#: while typing; anything shorter waits for Enter or leaving the field
_WHOLE = re.compile(r"^\s*(\d{8}|\d{1,2}\D\d{1,2}\D\d{4}|\d{4}\D\d{1,2}\D\d{2})\s*$")


def calendar_locale(lang: str) -> QLocale:
    """The locale a calendar speaks in `lang` (month names, Monday first in Danish)."""
    if lang == "da":
        return QLocale(QLocale.Language.Danish, QLocale.Country.Denmark)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def calendar_popup(
    name: str, on_picked: Callable[[QDate], None], on_show: Callable[[], None]
) -> tuple[QCalendarWidget, QToolButton, QMenu]:
    """A "▾" button that drops down a calendar (the date bar's and every date field's):
    `on_picked(date)` when a day is clicked or chosen with Enter, `on_show()` just before
    the calendar shows (to set its date and range). The caller places the button."""
    calendar = QCalendarWidget()
    calendar.setGridVisible(False)
    calendar.clicked.connect(on_picked)
    calendar.activated.connect(on_picked)
    button = QToolButton()
    button.setObjectName(name)
    button.setText("▾")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    holder = QWidgetAction(menu)
    holder.setDefaultWidget(calendar)
    menu.addAction(holder)
    menu.aboutToShow.connect(on_show)
    button.setMenu(menu)
    return calendar, button, menu


def mark_bad_date(edit: QLineEdit, hint: QLabel, bad: bool) -> None:
    """How a field holding something that is not a date looks (the date bar's and every
    date field's): a red border that reads on the field's base colour, and the hint
    beside it in red that reads on the window; both gone when the date is good."""
    pal = edit.palette()
    border = readable(ALERT_COLOUR, pal.color(QPalette.ColorRole.Base), 3.0)
    edit.setStyleSheet(f"border: 2px solid {border.name()};" if bad else "")
    colours = hint.palette()
    colours.setColor(
        QPalette.ColorRole.WindowText,
        readable(ALERT_COLOUR, pal.color(QPalette.ColorRole.Window)),
    )
    hint.setPalette(colours)
    hint.setVisible(bad)


def bad_date_hint(lang: str) -> str:
    """What the hint beside a field holding something that is not a date says."""
    return tr(
        lang,
        "Ikke en dato: skriv dd-mm-åååå, fx 01-06-2020 (Esc: tilbage)",
        "Not a date: type dd-mm-yyyy, e.g. 01-06-2020 (Esc: undo)",
    )


class DateField(QWidget):
    """See the module docstring."""

    #: a date the user typed or picked (dt.date)
    dateChanged = Signal(object)

    def __init__(self, day: dt.date, parent: QWidget | None = None, lang: str = "da") -> None:
        super().__init__(parent)
        self._date = day
        self._lang = lang
        self._bad = False
        self.edit = QLineEdit(self)
        self.edit.setObjectName("DateFieldEdit")
        self.edit.setMaxLength(10)
        self.edit.setFixedWidth(self.fontMetrics().horizontalAdvance("00-00-00000") + 16)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.edit.setText(format_date(day))
        self.edit.textEdited.connect(self._on_edit_text_edited)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.edit.editingFinished.connect(self._on_edit_editing_finished)
        self.edit.installEventFilter(self)  # Esc puts the date back
        self.calendar, self.button, self.menu = calendar_popup(
            "DateFieldCalendar", self._on_calendar_clicked, self._on_menu_about_to_show
        )
        #: says what is wrong with a typed date, beside the field (a tooltip is unseen)
        self.hint = QLabel(self)
        self.hint.setObjectName("DateHint")
        self.hint.setWordWrap(False)
        self.hint.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit)
        row.addWidget(self.button)
        row.addWidget(self.hint)
        self.set_language(lang)

    # --- public ---------------------------------------------------------------------------

    def date(self) -> dt.date:
        """The field's date (the last one applied; a bad text does not change it)."""
        return self._date

    def set_date(self, day: dt.date) -> None:
        """Show `day` (the program's change: no `dateChanged`)."""
        self._date = day
        self.edit.setText(format_date(day))
        self._mark_bad(False)

    def is_bad(self) -> bool:
        """Whether the field holds text that is not a date."""
        return self._bad

    def set_language(self, lang: str) -> None:
        self._lang = lang
        self.edit.setPlaceholderText(tr(lang, "dd-mm-åååå", "dd-mm-yyyy"))
        self.button.setToolTip(tr(lang, "Vælg i kalender", "Pick from a calendar"))
        self.hint.setText(bad_date_hint(lang))
        # the calendar's month and day names, and its first day of the week
        self.calendar.setLocale(calendar_locale(lang))
        self._set_tooltip()

    # --- slots ----------------------------------------------------------------------------

    def _on_edit_text_edited(self, text: str) -> None:
        # a whole date applies at once; a half-typed one waits (and is not marked yet)
        if _WHOLE.match(text):
            self._apply(text, mark=False)
        elif self._bad:
            self._mark_bad(False)

    def _on_edit_return_pressed(self) -> None:
        self._apply(self.edit.text(), mark=True)

    def _on_edit_editing_finished(self) -> None:
        text = self.edit.text().strip()
        if text != format_date(self._date):
            self._apply(text, mark=True)

    def _on_menu_about_to_show(self) -> None:
        self.calendar.setSelectedDate(to_qdate(self._date))

    def _on_calendar_clicked(self, q: QDate) -> None:
        self.menu.close()
        day = dt.date(q.year(), q.month(), q.day())
        self.set_date(day)
        self.dateChanged.emit(day)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if (
            obj is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and (self._bad or self.edit.text().strip() != format_date(self._date))
        ):
            self.set_date(self._date)
            return True
        return super().eventFilter(obj, event)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._bad:
            self._mark_bad(True)  # the red, made readable on the new background

    # --- helpers --------------------------------------------------------------------------

    def _apply(self, text: str, mark: bool) -> None:
        try:
            day = parse_user_date(text)
        except ValueError:
            if mark:
                self._mark_bad(True)
            return
        self._mark_bad(False)
        if day != self._date:
            self._date = day
            self.dateChanged.emit(day)
        if mark:  # Enter or leaving: the field shows the date in its own form
            self.edit.setText(format_date(day))

    def _mark_bad(self, bad: bool) -> None:
        self._bad = bad
        mark_bad_date(self.edit, self.hint, bad)
        self._set_tooltip()

    def _set_tooltip(self) -> None:
        self.edit.setToolTip(
            bad_date_hint(self._lang)
            if self._bad
            else tr(
                self._lang,
                "Skriv en dato som dd-mm-åååå (eller åååå-mm-dd)",
                "Type a date as dd-mm-yyyy (or yyyy-mm-dd)",
            )
        )
