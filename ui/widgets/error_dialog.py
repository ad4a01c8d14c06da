"""The two kinds of error the window shows, kept apart.

A problem with the user's file or disk (`LoadError`, a folder that cannot be
written) is one sentence in the window's language, in a plain warning.

Anything else is a bug in the program. It is logged with its traceback, and
`ErrorDialog` says so in as many words: an error in SOR Viewer, not in the file;
the window keeps running; where the log file is; and a "Kopiér detaljer" / "Copy
details" button that puts the version, the context and the traceback on the
clipboard for a bug report (the details can be unfolded in the dialog too).
"""

from __future__ import annotations

import logging
import platform
import traceback

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ui.clipboard import set_clipboard
from ui.i18n import name_buttons, tr
from ui.logs import log_file

log = logging.getLogger(__name__)

APP_NAME = "SOR Viewer"


def error_details(what: str, exc: BaseException | None = None, detail: str = "") -> str:
    """The text "Copy details" copies: versions, what was being done, the traceback."""
    import PySide6

    import sorviewer

    lines = [
        f"SOR Viewer {sorviewer.__version__}; Python {platform.python_version()}; "
        f"PySide6 {PySide6.__version__}; {platform.platform()}",
        what,
    ]
    if exc is not None:
        lines.append("".join(traceback.format_exception(exc)).rstrip())
    if detail:
        lines.append(detail.rstrip())
    return "\n".join(line for line in lines if line) + "\n"


def internal_error_text(lang: str, what: str, log_path: str) -> str:
    """The dialog's sentences: whose error it is, that the window goes on, the log."""
    head = tr(
        lang,
        f"Der opstod en fejl i programmet SOR Viewer, mens det {what}. "
        "Det er ikke en fejl i din fil.",
        f"An error in the SOR Viewer program stopped it while {what}. "
        "It is not a fault in your file.",
    )
    rest = tr(
        lang,
        "Vinduet kører videre, og det, du havde åbent, er bevaret.",
        "The window keeps running, and what you had open is kept.",
    )
    where = (
        tr(
            lang,
            f"Detaljerne er skrevet i logfilen {log_path}.",
            f"The details were written to the log file {log_path}.",
        )
        if log_path
        else tr(
            lang,
            "Detaljerne kunne ikke skrives i en logfil; brug Kopiér detaljer.",
            "The details could not be written to a log file; use Copy details.",
        )
    )
    return f"{head} {rest}\n\n{where}"


class ErrorDialog(QDialog):
    """An internal error: the sentences, the log file, Copy details, the details."""

    def __init__(self, text: str, details: str, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ErrorDialog")
        self.setWindowTitle(tr(lang, f"Fejl i {APP_NAME}", f"Error in {APP_NAME}"))
        self.details = details
        self.lang = lang
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        self.message = QLabel(text, self)
        self.message.setObjectName("ErrorText")
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(420)
        self.detail_view = QPlainTextEdit(details, self)
        self.detail_view.setReadOnly(True)
        self.detail_view.setMinimumHeight(160)
        self.detail_view.hide()
        self.copy_button = QPushButton(tr(lang, "Kopiér detaljer", "Copy details"), self)
        self.copy_button.setObjectName("CopyDetails")
        self.copy_button.clicked.connect(self.copy_details)
        self.show_button = QPushButton(tr(lang, "Vis detaljer", "Show details"), self)
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._on_show_toggled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        name_buttons(buttons, lang)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(icon, 0)
        top.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.detail_view, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        """Put the details on the clipboard; the dialog stays open."""
        set_clipboard(self.details)
        self.copy_button.setText(tr(self.lang, "Kopieret", "Copied"))

    def _on_show_toggled(self, on: bool) -> None:
        self.detail_view.setVisible(on)
        self.show_button.setText(
            tr(self.lang, "Skjul detaljer", "Hide details")
            if on
            else tr(self.lang, "Vis detaljer", "Show details")
        )
        self.adjustSize()


def show_internal_error(
    parent: QWidget | None,
    lang: str,
    what: str,
    exc: BaseException | None = None,
    detail: str = "",
) -> ErrorDialog:
    """Log an internal error with its traceback and show `ErrorDialog` (modal).

    `what` finishes the sentence "... stopped it while ...": in Danish "det ..."
    ("indlæste filen"), in English "-ing" ("loading the file"); pass the pair
    through `tr`."""
    if exc is not None:
        log.error("internal error while %s", what, exc_info=(type(exc), exc, exc.__traceback__))
    else:
        log.error("internal error while %s: %s", what, detail)
    dlg = ErrorDialog(
        internal_error_text(lang, what, log_file()), error_details(what, exc, detail), lang, parent
    )
    dlg.exec()
    return dlg


def show_user_error(parent: QWidget | None, message: str, title: str = APP_NAME) -> None:
    """One sentence about the user's file or disk, in a plain warning."""
    log.info("user error shown: %s", message)
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent)
    box.exec()


def show_write_error(parent: QWidget | None, lang: str, path: str, exc: OSError) -> None:
    """An export that could not be written (the disk or the folder: the user can do
    something about it), in one sentence."""
    reason = exc.strerror or str(exc)
    show_user_error(
        parent,
        tr(lang, f"Kunne ikke skrive {path}: {reason}.", f"Could not write {path}: {reason}."),
        tr(lang, "Eksport mislykkedes", "Export failed"),
    )


def excepthook_language() -> str:
    """The language for an error nobody caught: the open window's, else Danish."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        for w in app.topLevelWidgets():
            state = getattr(w, "state", None)
            lang = getattr(state, "language", None)
            if isinstance(lang, str):
                return lang
    return "da"
